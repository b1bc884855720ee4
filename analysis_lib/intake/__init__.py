"""Client data in: panel files (CSV/XLSX, English or Chinese headers) read and
validated with file/row/column messages, the Excel intake template, the
data-quality score, the checks on institution ids, and period labels (years,
quarters, months).

Takes: a client's panel file and the reference tables. Gives: a validated
:class:`Panel`, a :class:`ValidationReport` and data-quality scores.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "identifiers": ("MAX_ID_LENGTH", "id_problem", "folder_name"),
    "panel": (
        "IDENTITY_ALIASES", "PASS_THROUGH", "MISSING_MARKERS", "INSTITUTION_SHEETS", "Problem", "Panel", "ValidationReport", "parse_number",
        "file_sha256", "validate_panel_file", "load_panel", "panel_from_frame",
    ),
    "periods": ("PERIOD_MONTHS", "PeriodError", "parse_period", "period_start_month", "period_end_month"),
    "quality": (
        "PLAUSIBLE_WIDTH", "ConsistencyRule", "CONSISTENCY_RULES", "consistency_checks", "consistency_breaks", "consistency_problems",
        "quality_scores", "quality_summary",
    ),
    "template": ("TEMPLATE_ROWS", "INSTRUCTIONS", "write_intake_template"),
})
