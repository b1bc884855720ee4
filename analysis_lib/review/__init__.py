"""Evaluating the programme after the diagnosis (the evaluate phase): KPI
trends against the baseline and the scorecard's targets with red/amber/green
alerts, percentile movement among peers, Malmquist productivity change,
benefits realised against the business case, earned value of the delivery,
the revised NPV and the risks that occurred.

Takes: a panel with several periods, the original diagnosis's
``summary.json`` (its ``programme`` record) and an actuals file. Gives: a
:class:`ProgressReview` with tidy tables for the progress-review report.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "actuals": ("TYPES", "Actuals", "load_actuals", "sample_actuals", "cumulative", "latest_progress"),
    "benefits": ("ON_TRACK", "BEHIND", "benefit_status", "planned_benefits", "planned_progress", "benefits_realisation",
                 "delivery_progress", "milestones", "materialised_risks", "revised_npv"),
    "plan_record": ("CASE_FIELDS", "PROGRAMME_KEYS", "programme_record", "Programme", "load_programme"),
    "productivity": ("ProductivityChange", "frontier_panel", "productivity_change"),
    "progress": ("REVIEW_DEFAULTS", "REVIEW_HELP", "validate_review_parameters", "ProgressReview", "run_review"),
    "tracking": ("FLAT_TOLERANCE", "programme_year", "check_periods", "percentile_history", "trend_alert", "kpi_tracking", "movers",
                 "score_series"),
})
