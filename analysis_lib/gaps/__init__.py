"""From position to value: targets per metric (template, top quartile,
best-in-class, frontier, custom), gaps in units, % and percentile points,
value at stake in CNY a year, the initiatives that close the gaps with their
sequenced capture, and the vendor selection matrix.

Takes: :mod:`~analysis_lib.benchmarking` results. Gives: a
:class:`GapResult`, prioritised initiatives, the cost waterfall, vendor
scores.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "gap": (
        "SIZE_FIELDS", "STOCK_FIELDS", "load_value_drivers", "GapResult", "gaps_for", "CUSTOMER_BOOK", "RETENTION_METRICS", "add_customer_book",
        "compare_target_sets", "panel_gaps",
    ),
    "initiatives": ("load_initiatives", "prioritise", "cost_waterfall"),
    "value_chain": (
        "RAMP_MONTHS", "SELECTION_HURDLE", "BENEFIT_TYPES", "DEFAULT_TARGET_SPREAD", "load_addressable", "load_benefit_risk",
        "benefit_profile", "ValueChain", "build_value_chain", "target_spread",
    ),
    "selection": ("load_criteria", "load_options", "score_options", "weight_sensitivity"),
    "targets": ("TARGET_SETS", "load_template_targets", "load_custom_targets", "raw_targets", "cap_at_current"),
})
