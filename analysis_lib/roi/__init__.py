"""The business case: finance functions (NPV, IRR, MIRR, paybacks, XNPV/XIRR),
the cash-flow model with build/run phasing and ramp-up, scenarios, tornado
and break-even, the seeded Monte Carlo, real options (Black–Scholes,
pilot expansion, retention), the programme's TEI-shaped cost lines, its
cost under each sourcing option (build or buy) and the plausibility bounds.

Takes: benefits from :mod:`~analysis_lib.gaps` and costs. Gives: cash
flows, :class:`BusinessCaseResult` figures, a :class:`SimulationResult`, option
values.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "business_case": (
        "DRIVERS", "BusinessCaseInputs", "profiles", "cash_flow_matrix", "discount_factors", "cash_flow_table", "BusinessCaseResult", "evaluate",
        "npv_vector", "apply_scenario", "load_scenarios", "scenario_table", "sensitivity", "BREAK_EVEN_BRACKETS", "break_even",
    ),
    "finance": (
        "NoRealSolutionError", "npv", "excel_npv", "IRRResult", "irr_roots", "irr_result", "irr", "mirr", "PaybackResult", "payback_result",
        "payback_period", "roi_multiple", "benefit_cost_ratio", "xnpv", "xirr_roots", "xirr",
    ),
    "options": ("black_scholes", "volatility_from_simulation", "expansion_option", "retention_option_value"),
    "plausibility": ("MEASURES", "load_bounds", "plausibility_checks", "warnings_of"),
    "programme": ("ONE_OFF_LINES", "CONTINGENCY_CONFIDENCE", "BUILD_YEARS", "load_cost_structure", "run_years", "cost_lines", "programme_inputs"),
    "sourcing": ("COST_LINES", "load_sourcing_factors", "sourcing_tco"),
    "simulation": ("Distribution", "SimulationResult", "vectorised_irr", "vectorised_payback", "simulate"),
    "what_if": ("what_if",),
})
