"""Customer analytics on a client's customer-level extract: the column
mapping as data (``mapping``), intake with pseudonymised ids (``extract``), churn rates and
Kaplan–Meier retention (``retention``), the churn early-warning model
(``churn_model``), customer lifetime value and value × risk segments
(``value``), and the synthetic sample extract of the demo bank (``sample_extract``).

Takes: a customer extract file and its mapping file. Gives:
:class:`CustomerExtract`, retention tables, a :class:`ChurnModel`, customer
values and segments; the whole book at once (``book``).
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "mapping": ("ColumnMapping", "CustomerMapping", "propose_mapping", "read_mapping", "write_mapping", "detect_tenure_unit",
                "PANEL_CURRENCY", "MONTHS_THRESHOLD"),
    "extract": ("ROLES", "REQUIRED_ROLES", "PERSONAL_ROLES", "DEFAULT_MAPPING", "MIN_EXTRACT_CUSTOMERS", "MAX_BOOK_SCALE",
                "CustomerExtract", "ExtractValidation", "pseudonym", "read_extract_table", "validate_customer_extract",
                "load_customer_extract", "book_scale", "warning_summary", "warning_in_chinese"),
    "churn_model": ("ChurnModel", "design_matrix", "fit_churn_model", "auc"),
    "retention": ("churn_rates", "tenure_band", "kaplan_meier"),
    "sample_extract": ("EXTRACT_SEED", "EXTRACT_SIZE", "MAPPING_NAME", "sample_mapping", "generate_sample_extract", "write_sample_extract"),
    "value": ("MarginModel", "clv", "customer_value", "value_risk_segments"),
    "book": ("analyse_customer_book",),
})
