"""Delivering the programme: the critical-path roadmap with buffers and schedule
risk, earned-value management, the risk register with exposure and
contingency, the resource plan with its cost, and the KPI tracking
scorecard (yearly targets, owners, alert thresholds), the data
protection obligations the selected initiatives trigger, the moves that
create most of the value with the first 100 days, and the
organisation and change plan (four-part change model, tiered training,
adoption targets).

The roadmap's durations and the risks' probabilities are fitted to the
programme's scope and the institution's size (:mod:`~analysis_lib.plan.fit`).

Takes: the roadmap, risk and resource tables in ``data/``. Gives: a
:class:`Schedule`, EVM figures, scored risks and contingency, resource
costs.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "change": ("PILLARS", "load_change_actions", "training_plan", "adoption_targets"),
    "data_protection": ("load_obligations", "privacy_checklist"),
    "evm": ("DEVIATION_THRESHOLD", "earned_value"),
    "fit": ("load_roadmap_scaling", "load_risk_drivers", "fit_roadmap", "fit_register"),
    "moves": ("MAX_MOVES", "PLAN_DAYS", "load_first_steps", "key_moves", "hundred_day_plan"),
    "resources": ("load_resource_plan", "load_day_rates", "resource_cost", "build_cost"),
    "risk": (
        "PROBABILITY_SCALE", "RESPONSES", "TEMPLATE_CONTINGENCY", "load_risks", "validate_risks", "score_risks", "heat_map", "Contingency",
        "contingency",
    ),
    "roadmap": (
        "WORKDAYS_PER_WEEK", "load_roadmap", "validate_network", "topological_order", "Schedule", "critical_path", "pert_mean", "ScheduleRisk",
        "schedule_risk",
    ),
    "scorecard": ("PROGRAMME_YEARS", "load_tracking", "kpi_scorecard", "alert"),
})
