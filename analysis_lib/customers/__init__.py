"""Customer analytics on a client's customer-level extract: intake with a
column mapping and pseudonymised ids (``extract``), churn rates and
Kaplan–Meier retention (``retention``), the churn early-warning model
(``churn_model``), customer lifetime value and value × risk segments
(``value``), and the synthetic sample extract of the demo bank (``sample_extract``).

Takes: a customer extract file. Gives: :class:`CustomerExtract`, retention
tables, a :class:`ChurnModel`, customer values and segments.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "churn_model": ("FEATURE_LABELS", "ChurnModel", "fit_churn_model"),
    "extract": (
        "ROLES", "REQUIRED_ROLES", "PERSONAL_ROLES", "DEFAULT_MAPPING", "PANEL_CURRENCY", "TENURE_UNITS", "MONTHS_THRESHOLD",
        "MIN_EXTRACT_CUSTOMERS", "MAX_BOOK_SCALE", "CustomerExtract", "pseudonym", "load_customer_extract", "book_scale",
    ),
    "sample_extract": ("EXTRACT_SEED", "EXTRACT_SIZE", "generate_sample_extract", "write_sample_extract"),
    "retention": ("churn_rates", "tenure_band", "kaplan_meier"),
    "value": ("MarginModel", "clv", "customer_value", "value_risk_segments"),
})
