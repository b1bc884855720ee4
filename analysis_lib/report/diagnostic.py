"""The diagnostic of one institution: every analysis the client report shows,
run once from the report's parameters and kept as a frozen result.

Charts, tables and narrative are built from this result; nothing is
recomputed while rendering.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.expectation import expectations_for
from analysis_lib.benchmarking.frontier import cached_frontier_efficiency, learning_peers
from analysis_lib.benchmarking.positioning import MIN_PEERS, Positioning, position_panel
from analysis_lib.errors import InputDataError
from analysis_lib.gaps.gap import GapResult, add_customer_book, gaps_for
from analysis_lib.gaps.initiatives import cost_waterfall, prioritise
from analysis_lib.intake.panel import Panel, ValidationReport, validate_panel_file
from analysis_lib.intake.quality import quality_scores
from analysis_lib.plan.resources import build_cost, resource_cost
from analysis_lib.plan.risk import contingency, heat_map, load_risks, score_risks
from analysis_lib.plan.roadmap import Schedule, ScheduleRisk, critical_path, load_roadmap, schedule_risk
from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report.parameters import validate_parameters
from analysis_lib.report.summary import SUMMARY_MIMETYPE
from analysis_lib.roi.business_case import (
    BusinessCaseInputs,
    BusinessCaseResult,
    apply_scenario,
    break_even,
    cash_flow_table,
    evaluate,
    load_scenarios,
    scenario_table,
    sensitivity,
)
from analysis_lib.roi.options import expansion_option, volatility_from_simulation
from analysis_lib.roi.simulation import Distribution, SimulationResult, simulate

STAMPED_PACKAGES = ("crm-diagnostic-workbook", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "numpy-financial", "papermill",
                    "nbconvert")
SELECTED_CATEGORIES = ("quick win", "strategic")
HURDLE_VALUE_PER_COST = 1 / 3
"""An initiative joins the programme when three years of its value cover its
one-off cost plus three years of running cost at least once."""


@dataclass(frozen=True)
class Diagnostic:
    """All results of one institution's diagnostic (see :func:`run_diagnostic`)."""

    params: dict[str, Any]
    institution: pd.Series
    panel: Panel
    validation: ValidationReport
    peer_group: str
    peer_count: int
    positioning: Positioning
    frontier: pd.DataFrame
    learning_peers: pd.DataFrame
    expectations: pd.DataFrame
    gaps: GapResult
    initiatives: pd.DataFrame
    waterfall: pd.DataFrame
    case_inputs: BusinessCaseInputs
    case: BusinessCaseResult
    cash_flows: pd.DataFrame
    scenarios: pd.DataFrame
    tornado: pd.DataFrame
    break_even: pd.DataFrame
    simulation: SimulationResult
    option: dict[str, float]
    schedule: Schedule
    schedule_risk: ScheduleRisk
    resources: pd.DataFrame
    risks: pd.DataFrame
    heat_map: pd.DataFrame
    contingency: dict[str, float]
    quality: pd.Series
    customers: dict[str, Any] | None
    stamp: dict[str, Any] = field(default_factory=dict)

    @property
    def institution_id(self) -> str:
        return str(self.institution.name)

    @property
    def language(self) -> str:
        return self.params["language"]

    def scorecard(self) -> pd.DataFrame:
        """This institution's per-metric positioning rows."""
        return self.positioning.institution(self.institution_id)

    def scores(self) -> pd.Series:
        """Dimension and overall scores (0–100)."""
        return self.positioning.scores.loc[self.institution_id]

    def summary(self) -> dict[str, Any]:
        """Key results as plain values (for the batch's portfolio view)."""
        scores = self.scores()
        sim = self.simulation
        return {
            "institution_id": self.institution_id,
            "name": str(self.institution.get("name", "")),
            "peer_group": self.peer_group,
            **{f"score_{k}": _plain(v) for k, v in scores.items()},
            "dea_crs": _plain(self.frontier.at[self.institution_id, "dea_crs"]) if self.institution_id in self.frontier.index else None,
            "value_at_stake": _plain(self.gaps.total_value()),
            "programme_benefit": _plain(self.case_inputs.annual_benefit),
            "npv": _plain(self.case.npv),
            "irr": _plain(self.case.irr),
            "payback_years": _plain(self.case.payback_years),
            "prob_npv_positive": _plain(sim.prob_npv_positive),
            "data_quality": _plain(self.quality["overall"]),
            "input_sha256": self.panel.sha256,
        }


def record_summary(diag: Diagnostic):
    """Display the diagnostic's key results as a machine-readable output of
    the notebook (not shown in the client report).

    Examples
    --------
    >>> isinstance(record_summary(run_diagnostic(institution_id="CITY-01", mc_draws=1000)), dict)
    True
    """
    return {SUMMARY_MIMETYPE: diag.summary()}


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in STAMPED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def programme_inputs(priorities: pd.DataFrame, horizon_years: int, discount_rate: float, people_cost: float) -> BusinessCaseInputs:
    """Business-case inputs of the selected initiatives (quick wins and
    strategic ones that clear :data:`HURDLE_VALUE_PER_COST`; the best one
    when none does): their sequenced benefit, one-off cost plus the build
    team's people cost, and running cost over the horizon."""
    selected = priorities[selected_initiatives(priorities)]
    annual_benefit = float(selected["sequenced_value"].sum())
    build = float(selected["one_off_cost"].sum()) + people_cost
    run_total = float(selected["running_cost"].sum()) * horizon_years
    total = build + run_total
    return BusinessCaseInputs(annual_benefit=max(annual_benefit, 0.0), total_budget=total, build_share=build / total,
                              discount_rate=discount_rate, horizon_years=horizon_years)


def selected_initiatives(priorities: pd.DataFrame) -> pd.Series:
    """Boolean mask of the initiatives in the programme."""
    mask = priorities["category"].isin(SELECTED_CATEGORIES) & (priorities["value_per_cost"] >= HURDLE_VALUE_PER_COST)
    if not mask.any():
        mask = priorities.index == priorities["value_per_cost"].idxmax()
        mask = pd.Series(mask, index=priorities.index)
    return mask


def default_distributions(inputs: BusinessCaseInputs) -> dict[str, Distribution]:
    """Uncertainty of the drivers for the Monte Carlo: benefits PERT −40%/+20%,
    budget triangular −10%/+30%, realisation uniform 60–95%, discount rate
    normal ± 1 point."""
    return {
        "annual_benefit": Distribution("pert", (0.6 * inputs.annual_benefit, inputs.annual_benefit, 1.2 * inputs.annual_benefit + 1e-9)),
        "total_budget": Distribution("triangular", (0.9 * inputs.total_budget, inputs.total_budget, 1.3 * inputs.total_budget)),
        "benefit_realisation": Distribution("uniform", (0.6, 0.95)),
        "discount_rate": Distribution("normal", (inputs.discount_rate, 0.01)),
    }


def _pilot_option(inputs: BusinessCaseInputs, simulation: SimulationResult, schedule: Schedule, flows: pd.DataFrame) -> dict[str, float]:
    """Pilot-first as an option to expand: underlying = PV of the benefits
    after the pilot, strike = the costs still to pay at the decision."""
    pilot_end_years = float(schedule.tasks.loc[schedule.tasks["phase"] == "pilot", "ef"].max()) / 52
    years = max(pilot_end_years, 0.25)
    t = flows["year"].to_numpy()
    discount = (1 + inputs.discount_rate) ** -t
    after = t >= years
    benefits = flows["item"].eq("benefit").to_numpy()
    pv_benefits = float((flows["amount"].to_numpy() * discount)[after & benefits].sum())
    strike = float(-(flows["amount"].to_numpy())[after & ~benefits].sum())
    draws = simulation.draws
    scale = (draws.get("annual_benefit", inputs.annual_benefit) * draws.get("benefit_realisation", inputs.benefit_realisation))
    pv_draws = pv_benefits * np.asarray(scale) / (inputs.annual_benefit * inputs.benefit_realisation)
    volatility = volatility_from_simulation(pv_draws, years=years)
    result = expansion_option(pv_rollout_benefits=max(pv_benefits, 1.0), rollout_cost=max(strike, 1.0), rate=inputs.discount_rate,
                              volatility=volatility, years_to_decision=years)
    return {**result, "underlying": pv_benefits, "strike": strike, "years": years, "volatility": volatility}


def _customer_section(path: str, mapping: str, seed: int, discount_rate: float) -> dict[str, Any]:
    from analysis_lib.customers.book import analyse_customer_book

    return analyse_customer_book(path, mapping, seed, discount_rate)


def _check_usable(validation: ValidationReport, institution_id: str) -> None:
    """Refuse a panel whose file-level structure is broken or whose rows for
    this institution have errors; errors in *other* institutions' rows only
    blank those cells (one bad institution never stops the others)."""
    data = validation.panel.data
    own_rows = set(data.loc[data["institution_id"] == institution_id, "source_row"])
    file_level = [p for p in validation.errors if p.row is None or p.row <= validation.header_row]
    own = [p for p in validation.errors if p.row in own_rows]
    unnamed = [p for p in validation.errors if p.code in ("missing_id", "unsafe_id", "ragged_row")
               and str(p.value or "") == institution_id]
    problems = file_level + own + unnamed
    if problems:
        listing = "\n".join(str(p) for p in problems[:20])
        raise InputDataError(f"{validation.file}: the data for {institution_id!r} does not validate ({len(problems)} error(s)):\n{listing}")


def run_diagnostic(**params: Any) -> Diagnostic:
    """Run every analysis of the client report for one institution.

    Parameters are those of :mod:`analysis_lib.report.parameters` (validated here
    too, so the notebook fails early and clearly on a typo).

    Examples
    --------
    >>> d = run_diagnostic(institution_id="CITY-02", mc_draws=2000)
    >>> d.peer_group, d.case.npv > 0
    ('city_commercial', True)
    """
    started = dt.datetime.now(dt.UTC)
    params = validate_parameters(params)
    catalog = load_catalog()
    validation = validate_panel_file(params["panel_path"])
    panel = validation.panel
    assert panel is not None
    _check_usable(validation, params["institution_id"])
    frame = panel.latest().data
    institution = panel.institution(params["institution_id"])
    peer_group = params["peer_group"] or str(institution["peer_group"])
    compared = frame.copy()
    compared.loc[compared["institution_id"] == institution.name, "peer_group"] = peer_group
    positioning = position_panel(compared, catalog, fallback="all_banks")
    peer_count = int((compared["peer_group"] == peer_group).sum())
    frontier = cached_frontier_efficiency(frame, panel.sha256)
    peers = learning_peers(frontier, institution.name, frame) if institution.name in frontier.index else pd.DataFrame()
    key = catalog.key_metrics()
    expectations = expectations_for(frame, institution.name, key)
    dea_target = frontier.at[institution.name, "target_crm_cost"] if institution.name in frontier.index else None
    gaps = gaps_for(institution, compared, params["target_set"], peer_group=peer_group, frontier_target_cost=dea_target,
                    fallback="all_banks")
    customers = _customer_section(params["customer_extract"], params["customer_mapping"], params["seed"], params["discount_rate"]) \
        if params["customer_extract"] else None
    if customers is not None:
        book_scale = float(institution.get("customers", np.nan)) / customers["customers"]
        gaps = add_customer_book(gaps, customers["clv_at_risk"], book_scale if np.isfinite(book_scale) else 1.0)
    priorities = prioritise(gaps, float(institution["revenue"]))
    waterfall = cost_waterfall(gaps, priorities, float(institution["crm_opex_ratio"] * institution["revenue"]))
    roadmap = load_roadmap()
    schedule = critical_path(roadmap)
    resources = resource_cost(schedule)
    base_inputs = programme_inputs(priorities, params["horizon_years"], params["discount_rate"], build_cost(resources))
    scenarios_table = load_scenarios()
    inputs = apply_scenario(base_inputs, scenarios_table, params["scenario"])
    flows = cash_flow_table(inputs)
    simulation = simulate(inputs, default_distributions(inputs), n=params["mc_draws"], seed=params["seed"])
    risks = score_risks(load_risks(), inputs.total_budget)
    reserve = contingency(load_risks(), inputs.total_budget, seed=params["seed"]).summary()
    quality = quality_scores(panel.data).loc[institution.name]
    if isinstance(quality, pd.DataFrame):
        quality = quality.iloc[-1]
    stamp = {
        "input_file": validation.file,
        "input_sha256": panel.sha256,
        "parameters": {k: v for k, v in params.items()},
        "versions": _package_versions(),
        "seed": params["seed"],
        "run_started_utc": started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "min_peers": MIN_PEERS,
    }
    return Diagnostic(
        params=params, institution=institution, panel=panel, validation=validation, peer_group=peer_group, peer_count=peer_count,
        positioning=positioning, frontier=frontier, learning_peers=peers, expectations=expectations, gaps=gaps,
        initiatives=priorities, waterfall=waterfall, case_inputs=inputs, case=evaluate(inputs), cash_flows=flows,
        scenarios=scenario_table(base_inputs, scenarios_table), tornado=sensitivity(inputs), break_even=break_even(inputs),
        simulation=simulation, option=_pilot_option(inputs, simulation, schedule, flows), schedule=schedule,
        schedule_risk=schedule_risk(roadmap, n=min(params["mc_draws"], 20000), seed=params["seed"]), resources=resources,
        risks=risks, heat_map=heat_map(risks), contingency=reserve, quality=quality, customers=customers, stamp=stamp,
    )
