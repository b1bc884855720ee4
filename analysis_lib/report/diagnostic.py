"""The diagnostic of one institution: every analysis the client report shows,
run once from the report's parameters and kept as a frozen result.

Charts, tables and narrative are built from this result; nothing is
recomputed while rendering.
"""

from __future__ import annotations

import datetime as dt
import functools
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.expectation import expectations_for
from analysis_lib.benchmarking.frontier import learning_peers
from analysis_lib.benchmarking.positioning import MIN_PEERS, Positioning, benchmark_confidence, position_panel, public_share
from analysis_lib.errors import InputDataError
from analysis_lib.gaps.gap import GapResult, add_customer_book, gaps_for
from analysis_lib.gaps.initiatives import prioritise
from analysis_lib.gaps.value_chain import RAMP_MONTHS, ValueChain, build_value_chain, target_spread
from analysis_lib.intake.panel import Panel, ValidationReport
from analysis_lib.intake.quality import consistency_breaks
from analysis_lib.plan.data_protection import privacy_checklist
from analysis_lib.plan.fit import fit_register, fit_roadmap
from analysis_lib.plan.moves import hundred_day_plan, key_moves
from analysis_lib.plan.resources import load_day_rates, resource_cost
from analysis_lib.plan.risk import contingency, heat_map, load_risks, score_risks
from analysis_lib.plan.roadmap import Schedule, ScheduleRisk, critical_path, load_roadmap, schedule_risk
from analysis_lib.plan.scorecard import kpi_scorecard
from analysis_lib.plan.watchlist import lead_watchlist, peer_quartiles, previous_change
from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report.panel_results import panel_results
from analysis_lib.report.parameters import validate_parameters
from analysis_lib.report.recommendation import LEADER_SCORE, Evidence, Recommendation, recommend
from analysis_lib.report.summary import SUMMARY_MIMETYPE
from analysis_lib.review.plan_record import programme_record
from analysis_lib.roi.business_case import (
    BusinessCaseInputs,
    BusinessCaseResult,
    apply_scenario,
    break_even,
    cash_flow_table,
    evaluate,
    load_scenarios,
    scenario_table,
)
from analysis_lib.roi.options import expansion_option, volatility_from_simulation
from analysis_lib.roi.plausibility import plausibility_checks, warnings_of
from analysis_lib.roi.programme import CONTINGENCY_CONFIDENCE, cost_lines, programme_inputs, run_years
from analysis_lib.roi.sourcing import sourcing_tco
from analysis_lib.roi.uncertainty import ProgrammeSimulation, programme_tornado, simulate_programme

STAMPED_PACKAGES = ("crm-diagnostic-workbook", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "numpy-financial", "papermill",
                    "nbconvert")


def _derived(method: Callable[[Diagnostic], Any]) -> Callable[[Diagnostic], Any]:
    """Compute a result derived from a (frozen) :class:`Diagnostic` once:
    the report's sections ask for the verdict, the benchmark basis and the
    like many times over. Tables are handed out as copies, so that a caller
    that changes one cannot change what the next caller sees."""

    @functools.wraps(method)
    def derived(self: Diagnostic) -> Any:
        memo = self.__dict__.setdefault("_derived", {})
        if method.__name__ not in memo:
            memo[method.__name__] = method(self)
        value = memo[method.__name__]
        return value.copy() if isinstance(value, (pd.DataFrame, pd.Series)) else value

    return derived


@dataclass(frozen=True)
class Lever:
    """The candidate initiative that best moves a set of metrics: its names,
    its benefit/cost ratio (PV over the horizon) and whether the programme
    includes it."""

    initiative_id: str
    name_en: str
    name_zh: str
    ratio: float
    in_programme: bool


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
    value_chain: ValueChain
    recommended: bool
    rule_selected: bool
    waterfall: pd.DataFrame
    programme_costs: pd.DataFrame
    plausibility: pd.DataFrame
    case_inputs: BusinessCaseInputs
    case: BusinessCaseResult
    cash_flows: pd.DataFrame
    scenarios: pd.DataFrame
    tornado: pd.DataFrame
    break_even: pd.DataFrame
    simulation: ProgrammeSimulation
    option: dict[str, float]
    schedule: Schedule
    schedule_risk: ScheduleRisk
    resources: pd.DataFrame
    risks: pd.DataFrame
    heat_map: pd.DataFrame
    contingency: dict[str, float]
    quality: pd.Series
    consistency_breaks: pd.DataFrame
    customers: dict[str, Any] | None
    stamp: dict[str, Any] = field(default_factory=dict)

    @property
    def institution_id(self) -> str:
        return str(self.institution.name)

    @property
    def language(self) -> str:
        return self.params["language"]

    @_derived
    def scorecard(self) -> pd.DataFrame:
        """This institution's per-metric positioning rows."""
        return self.positioning.institution(self.institution_id)

    def scores(self) -> pd.Series:
        """Dimension and overall scores (0–100)."""
        return self.positioning.scores.loc[self.institution_id]

    @property
    def programme(self) -> list[str]:
        """The initiatives of the business case, in priority order."""
        return self.value_chain.selected

    def plausibility_warnings(self, language: str | None = None) -> list[str]:
        """One sentence per plausibility bound this institution breaches."""
        return warnings_of(self.plausibility, language or self.language)

    @_derived
    def synthetic_peers(self) -> bool:
        """Whether most institutions of the peer group compared with are
        synthetic (the bundled sample) rather than real."""
        frame = self.panel.latest().data
        if "is_synthetic" not in frame.columns:
            return False
        group = frame[frame["peer_group"] == self.peer_group]["is_synthetic"].astype(str).str.strip().str.lower()
        return bool(len(group)) and bool(group.isin(["true", "1", "yes"]).mean() > 0.5)

    @_derived
    def benchmark_confidence(self) -> pd.DataFrame:
        """Per metric: how many peers, which year, and the source class of
        the benchmark (peer data, public, template, assumption)."""
        return benchmark_confidence(self.scorecard(), self.peer_group, self.synthetic_peers())

    @_derived
    def recommendation(self) -> Recommendation:
        """The verdict (:mod:`analysis_lib.report.recommendation`) with the
        break-even conditions of the business case."""
        npv_draws = np.asarray(self.simulation.npv, dtype=float)
        evidence = Evidence(
            npv=float(self.case.npv) if self.recommended else min(float(self.case.npv), 0.0),
            npv_p10=float(np.percentile(npv_draws, 10)) if npv_draws.size else float("nan"),
            prob_npv_positive=float(self.simulation.prob_npv_positive), payback_years=_plain(self.case.payback_years),
            data_quality=float(self.quality["overall"]), public_share=public_share(self.benchmark_confidence()),
            consistency_breaks=len(set(self.consistency_breaks["rule"])), plausible=not self.plausibility_warnings("en"),
            leads_peers=bool(self.scores()["overall"] >= LEADER_SCORE), completeness=float(self.quality["completeness"]))
        return recommend(evidence, self.break_even)

    def best_lever(self, metrics: tuple[str, ...]) -> Lever | None:
        """The candidate initiative with the highest benefit/cost ratio among
        those that move any of ``metrics``; None when no candidate does.

        Examples
        --------
        >>> d = run_diagnostic(institution_id="CITY-02", mc_draws=1000)
        >>> lever = d.best_lever(("crm_opex_ratio",))
        >>> lever.initiative_id, lever.in_programme
        ('cdp_consolidation', False)
        """
        selection = self.value_chain.selection
        candidates = [i for i in selection.index if set(self.initiatives.at[i, "metrics"]) & set(metrics)]
        if not candidates:
            return None
        best = max(candidates, key=lambda i: float(selection.at[i, "ratio"]))
        return Lever(str(best), str(self.initiatives.at[best, "name_en"]), str(self.initiatives.at[best, "name_zh"]),
                     float(selection.at[best, "ratio"]), bool(self.recommended and best in self.programme))

    def programme_metrics(self) -> set[str]:
        """The metrics the recommended programme's initiatives move (empty
        when no programme is recommended): the KPIs that get improvement
        targets; the others are held at baseline."""
        if not self.recommended:
            return set()
        return {m for i in self.programme for m in self.initiatives.at[i, "metrics"]}

    @property
    @_derived
    def sustains_lead(self) -> bool:
        """Whether the report recommends no programme because the institution
        leads its peers: then the sections on delivering a programme give way
        to one section on sustaining the lead (the watch-list)."""
        return not self.recommended and "leads_peers" in self.recommendation().economic_reasons

    @_derived
    def watchlist(self) -> pd.DataFrame:
        """The KPIs a leader monitors, with the reading that triggers a
        re-assessment (:func:`analysis_lib.plan.watchlist.lead_watchlist`)."""
        card = self.scorecard()
        quartiles = peer_quartiles(card, self.panel.latest().data, self.peer_group)
        change = previous_change(self.panel.data, self.institution_id, list(card["metric_id"]))
        return lead_watchlist(card, quartiles, change)

    @_derived
    def key_moves(self) -> pd.DataFrame:
        """The three to five initiatives that create most of the programme's
        value (empty when no programme is recommended)."""
        benefits = self.value_chain.by_initiative()["risk_adjusted"] if self.recommended else pd.Series(dtype=float)
        return key_moves(benefits, self.initiatives, RAMP_MONTHS)

    @_derived
    def kpi_card(self) -> pd.DataFrame:
        """The KPI scorecard the programme office steers by: baseline and
        yearly targets (:func:`analysis_lib.plan.scorecard.kpi_scorecard`),
        improvement targets for the metrics the programme moves."""
        return kpi_scorecard(self.gaps.gaps, moved=self.programme_metrics())

    @_derived
    def privacy_obligations(self) -> pd.DataFrame:
        """The data-protection obligations the programme's initiatives
        trigger (:func:`analysis_lib.plan.data_protection.privacy_checklist`)."""
        return privacy_checklist([str(i) for i in self.programme])

    @_derived
    def sourcing_costs(self) -> pd.DataFrame:
        """One-off, running and total cost of ownership of each sourcing
        option for this programme's cost lines (the options' own cost
        factors; :func:`analysis_lib.roi.sourcing.sourcing_tco`)."""
        return sourcing_tco(self.programme_costs, run_years(int(self.params["horizon_years"])), float(self.params["discount_rate"]))

    @_derived
    def hundred_days(self) -> pd.DataFrame:
        """The first 100 days that fit the verdict."""
        verdict = self.recommendation().verdict
        if verdict == "do_not_proceed" and self.sustains_lead:
            verdict = "sustain_lead"
        return hundred_day_plan(self.schedule.tasks, verdict, load_day_rates())

    def summary(self) -> dict[str, Any]:
        """Key results as plain values (for the batch's portfolio view)."""
        scores = self.scores()
        sim = self.simulation
        chain = self.value_chain.totals()
        summary = {
            "institution_id": self.institution_id,
            "name": str(self.institution.get("name", "")),
            "peer_group": self.peer_group,
            **{f"score_{k}": _plain(v) for k, v in scores.items()},
            "dea_crs": _plain(self.frontier.at[self.institution_id, "dea_crs"]) if self.institution_id in self.frontier.index else None,
            "value_at_stake": _plain(self.gaps.total_value()),
            "addressable_value": _plain(chain["addressable"]),
            "initiative_benefit": _plain(chain["initiative_benefit"]),
            "risk_adjusted_benefit": _plain(chain["risk_adjusted_benefit"]),
            "programme_benefit": _plain(self.case_inputs.annual_benefit),
            "programme_initiatives": list(self.programme),
            "programme_recommended": bool(self.recommended),
            "programme_rule_selected": bool(self.rule_selected),
            "dropped_initiatives": {str(k): str(v) for k, v in self.value_chain.dropped["reason"].items()},
            "programme_cost": _plain(self.case.tco),
            "cost_lines": {str(k): _plain(v) for k, v in self.programme_costs.set_index("line")["amount"].items()},
            "contingency": _plain(self.contingency["carried"]),
            "npv": _plain(self.case.npv),
            "irr": _plain(self.case.irr),
            "payback_years": _plain(self.case.payback_years),
            "npv_p10": _plain(np.percentile(sim.npv, 10)),
            "npv_p50": _plain(np.percentile(sim.npv, 50)),
            "npv_p90": _plain(np.percentile(sim.npv, 90)),
            "prob_npv_positive": _plain(sim.prob_npv_positive),
            "data_quality": _plain(self.quality["overall"]),
            "plausibility_warnings": self.plausibility_warnings("en"),
            "consistency_breaks": sorted(set(self.consistency_breaks["rule"])),
            "recommendation": self.recommendation().to_dict(),
            "key_moves": [{"initiative_id": str(k), "annual_benefit": _plain(m.annual_benefit), "first_value_month": int(m.first_value_month)}
                          for k, m in self.key_moves().iterrows()],
            "public_benchmark_share": public_share(self.benchmark_confidence()),
            "synthetic_peers": self.synthetic_peers(),
            "sustain_lead": False,
            "input_sha256": self.panel.sha256,
            "programme": programme_record(
                self.initiatives.loc[self.programme].assign(sequenced_value=self.value_chain.by_initiative()["risk_adjusted"]),
                self.case_inputs, self.gaps.gaps, self.schedule.tasks,
                self.resources.groupby("phase")["cost"].sum(), self.risks, str(self.institution.get("period", ""))),
        }
        return _without_programme(summary, self.watchlist()) if self.sustains_lead else summary


REFERENCE_CASE_FIELDS = ("programme_initiatives", "programme_benefit", "programme_cost", "cost_lines", "contingency", "npv", "irr",
                         "payback_years", "prob_npv_positive")
"""Summary fields that describe a programme: for a leader without one, they
move under ``reference_case`` (the best candidate the verdict declined)."""


def _without_programme(summary: dict[str, Any], watchlist: pd.DataFrame) -> dict[str, Any]:
    """A leader's summary as its report reads: no programme (its figures kept
    under ``reference_case``, labelled as the declined best candidate) and the
    watch-list of the "sustaining the lead" section."""
    reference = {k: summary[k] for k in REFERENCE_CASE_FIELDS}
    cleared = {k: ([] if k == "programme_initiatives" else {} if k == "cost_lines" else None) for k in REFERENCE_CASE_FIELDS}
    watched = [{"metric_id": str(r.metric_id), "role": str(r.role), "value": _plain(r.value), "percentile": _plain(r.percentile),
                "threshold": _plain(r.threshold), "level": str(r.level)} for r in watchlist.itertuples(index=False)]
    return {**summary, **cleared, "programme": None, "sustain_lead": True, "watchlist": watched,
            "reference_case": {**reference, "note": "best candidate evaluated and declined; not a recommended programme"}}


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


@functools.cache
def _versions_loaded() -> tuple[tuple[str, str], ...]:
    """Versions of the stamped packages, looked up once a process: the
    modules a report runs on are the ones imported, whatever is installed
    later."""
    versions = {"python": platform.python_version()}
    for name in STAMPED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return tuple(versions.items())


def _package_versions() -> dict[str, str]:
    return dict(_versions_loaded())


def _pilot_option(inputs: BusinessCaseInputs, simulation: ProgrammeSimulation, schedule: Schedule, flows: pd.DataFrame,
                  resources: pd.DataFrame) -> dict[str, float]:
    """Pilot-first as an option to expand: underlying = PV (today) of the
    benefits after the pilot; strike = what is still to pay at the decision,
    i.e. the rollout's share of the one-off budget and contingency (its share
    of the resource plan's cost) plus the running costs after the decision,
    discounted to the decision date."""
    pilot_end_years = float(schedule.tasks.loc[schedule.tasks["phase"] == "pilot", "ef"].max()) / 52
    years = max(pilot_end_years, 0.25)
    t = flows["year"].to_numpy(float)
    amount = flows["amount"].to_numpy(float)
    benefits = flows["item"].eq("benefit").to_numpy()
    running = flows["item"].eq("run").to_numpy()
    after = t >= years
    pv_benefits = float((amount * (1 + inputs.discount_rate) ** -t)[after & benefits].sum())
    by_phase = resources.groupby("phase")["cost"].sum()
    rollout_share = float(by_phase.get("rollout", 0.0) / by_phase.sum()) if by_phase.sum() > 0 else 0.0
    one_off = float(-amount[~benefits & ~running].sum())
    later_running = float(-(amount * (1 + inputs.discount_rate) ** -(t - years))[after & running].sum())
    strike = one_off * rollout_share + later_running
    base_pv = float(np.median(simulation.pv_benefits))
    pv_draws = pv_benefits * simulation.pv_benefits / base_pv if base_pv > 0 else np.full(len(simulation.npv), pv_benefits)
    volatility = volatility_from_simulation(pv_draws, years=years) if np.count_nonzero(pv_draws > 0) >= 2 else 0.0
    result = expansion_option(pv_rollout_benefits=max(pv_benefits, 1.0), rollout_cost=max(strike, 1.0), rate=inputs.discount_rate,
                              volatility=max(volatility, 1e-6), years_to_decision=years)
    return {**result, "underlying": pv_benefits, "strike": strike, "rollout_share": rollout_share, "years": years,
            "volatility": volatility, "one_off": one_off}


def _customer_section(params: dict[str, Any], book_customers: float) -> dict[str, Any]:
    """The customer book of the extract (:func:`~analysis_lib.customers.book.analyse_customer_book`)
    with its gross-up to the institution's book and the annual margin of
    the customers predicted to leave (what enters the value at stake)."""
    from analysis_lib.customers.book import analyse_customer_book
    from analysis_lib.customers.extract import book_scale

    book = analyse_customer_book(params["customer_extract"], params["customer_mapping"] or None, params["seed"], params["discount_rate"])
    return {**book, "scale": book_scale(book_customers, book["customers"])}


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
    shared = panel_results(params["panel_path"])
    validation, panel = shared.validation, shared.panel
    _check_usable(validation, params["institution_id"])
    frame = shared.latest.data
    institution = panel.institution(params["institution_id"])
    peer_group = params["peer_group"] or str(institution["peer_group"])
    compared = frame.copy()
    compared.loc[compared["institution_id"] == institution.name, "peer_group"] = peer_group
    positioning = shared.positioning if peer_group == str(institution["peer_group"]) else position_panel(compared, catalog,
                                                                                                        fallback="all_banks")
    peer_count = int((compared["peer_group"] == peer_group).sum())
    frontier = shared.frontier
    peers = learning_peers(frontier, institution.name, frame) if institution.name in frontier.index else pd.DataFrame()
    expectations = expectations_for(frame, institution.name, catalog.key_metrics(), fits=shared.expectations)
    dea_target = frontier.at[institution.name, "target_crm_cost"] if institution.name in frontier.index else None
    gaps = gaps_for(institution, compared, params["target_set"], peer_group=peer_group, frontier_target_cost=dea_target,
                    fallback="all_banks")
    customers = _customer_section(params, float(institution.get("customers", np.nan))) if params["customer_extract"] else None
    if customers is not None:
        gaps = add_customer_book(gaps, customers["margin_at_risk"], customers["scale"])
    revenue = float(institution["revenue"])
    priorities = prioritise(gaps, revenue)
    horizon = params["horizon_years"]
    chain_args = {"horizon_years": horizon, "discount_rate": params["discount_rate"], "build_years": horizon - run_years(horizon)}
    chain = build_value_chain(gaps, priorities, **chain_args)
    rule_selected = bool(chain.selected)
    if not rule_selected:
        chain = build_value_chain(gaps, priorities, include=(chain.best_candidate(),), **chain_args)
    waterfall = chain.cost_waterfall(float(institution["crm_opex_ratio"] * revenue), priorities)
    roadmap = fit_roadmap(load_roadmap(), chain.selected, priorities, institution)
    schedule = critical_path(roadmap)
    resources = resource_cost(schedule)
    costs = cost_lines(priorities.loc[chain.selected], float(resources["cost"].sum()), horizon)
    budget = float(costs["amount"].sum())
    register = fit_register(load_risks(), chain.selected, institution)
    reserve = contingency(register, budget, seed=params["seed"]).summary()
    reserve = {**reserve, "carried": reserve[CONTINGENCY_CONFIDENCE], "confidence": CONTINGENCY_CONFIDENCE.upper()}
    base_inputs = programme_inputs(chain, costs, reserve["carried"], params["discount_rate"], horizon)
    scenarios_table = load_scenarios()
    inputs = apply_scenario(base_inputs, scenarios_table, params["scenario"])
    flows = cash_flow_table(inputs)
    spread = target_spread(gaps, compared, peer_group, chain.levers.index, seed=params["seed"])
    simulation = simulate_programme(chain, inputs, spread, n=params["mc_draws"], seed=params["seed"])
    risks = score_risks(register, budget)
    case = evaluate(inputs)
    plausibility = plausibility_checks(
        value_at_stake=gaps.total_value(), risk_adjusted_benefit=chain.totals()["risk_adjusted_benefit"], revenue=revenue,
        cost_base=revenue * float(institution.get("cost_to_income", np.nan)), customers=float(institution.get("customers", np.nan)),
        irr=case.irr if rule_selected else np.nan, payback_years=case.payback_years if rule_selected else np.nan)
    recommended = rule_selected and evaluate(base_inputs).npv > 0
    quality = shared.quality.loc[institution.name]
    if isinstance(quality, pd.DataFrame):
        quality = quality.iloc[-1]
    own = panel.data[panel.data["institution_id"] == institution.name]
    breaks = consistency_breaks(own.tail(1))
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
        initiatives=priorities, value_chain=chain, recommended=recommended, rule_selected=rule_selected,
        waterfall=waterfall, programme_costs=costs,
        plausibility=plausibility, case_inputs=inputs, case=case, cash_flows=flows,
        scenarios=scenario_table(base_inputs, scenarios_table), tornado=programme_tornado(chain, inputs, spread), break_even=break_even(inputs),
        simulation=simulation, option=_pilot_option(inputs, simulation, schedule, flows, resources), schedule=schedule,
        schedule_risk=schedule_risk(roadmap, n=min(params["mc_draws"], 20000), seed=params["seed"]), resources=resources,
        risks=risks, heat_map=heat_map(risks), contingency=reserve, quality=quality, consistency_breaks=breaks,
        customers=customers, stamp=stamp,
    )
