"""The value chain: how a gap to peer targets becomes a benefit line of the
business case, in four steps a CFO can follow.

1. **Value at stake** (CNY a year, at full run-rate): the gap of each metric
   to its target valued by ``data/value_drivers.csv``
   (:func:`analysis_lib.gaps.gap.gaps_for`), counted once per overlap group.
2. **Addressable** = value at stake × the share a CRM programme can move
   (``data/addressable.csv``, one share per lever with its rationale).
3. **Initiative benefit**: the selected initiatives, in priority order, each
   capture their mid impact share of what *remains* of each addressable
   value, so no metric is captured beyond 100%.
4. **Risk-adjusted benefit** = initiative benefit × (1 − haircut), the
   haircut per benefit type (``data/benefit_risk.csv``, Forrester TEI
   practice: cost savings 10%, revenue and retention 25%, productivity 40%).

Every line is an **annual flow**. Its cash flow over the horizon is the
run-rate amount × :func:`benefit_profile`: zero until the initiative's time
to value, then a linear ramp to full run-rate over :data:`RAMP_MONTHS`.
Retention lines are cohorts: the run-rate amount is the annual margin of
one year's extra retained customers (``Δretention × customers × annual
margin``); each month adds a cohort that then decays by the survival
(retention) rate, so the benefit of year *y* is the annual margin of the
extra customers still on the book, never a lifetime value booked each year.

**Selection rule** (disclosed in the report): initiatives are taken in
priority order; one joins the programme when the present value of its
risk-adjusted benefit over the horizon is at least :data:`SELECTION_HURDLE`
times the present value of its own cost (one-off and running), the margin
covering the shared costs (programme team, contingency). The others are
listed as dropped with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.gaps.gap import CUSTOMER_BOOK, GapResult, load_value_drivers
from analysis_lib.reference.catalog import data_dir

RAMP_MONTHS = 12
"""Months from an initiative's first value to its full run-rate."""
SELECTION_HURDLE = 1.5
"""Present value of benefits over present value of own cost needed to join the programme."""
BENEFIT_TYPES = ("cost_saving", "productivity", "revenue", "retention", "risk_avoidance")
DEFAULT_TARGET_SPREAD = 0.25
"""Relative spread of a gap whose target comes from a published baseline
quantile rather than from enough panel peers to resample (assumption)."""
RETENTION_SURVIVAL = {"retention_hnw": "retention_hnw", "retention_mass": "retention_mass", CUSTOMER_BOOK: "retention_mass"}
"""Retention lines and the metric whose target rate is their cohorts' annual survival."""


def load_addressable() -> pd.Series:
    """Addressable share per metric (``data/addressable.csv``), checked to be
    within [0, 1].

    Examples
    --------
    >>> float(load_addressable()["crm_systems_count"])
    1.0
    """
    table = pd.read_csv(data_dir() / "addressable.csv").set_index("metric_id")
    bad = table[(table["addressable_share"] < 0) | (table["addressable_share"] > 1)]
    if len(bad):
        raise InputDataError(f"data/addressable.csv: addressable_share must be within [0, 1]; got {bad['addressable_share'].to_dict()}")
    return table["addressable_share"]


def load_benefit_risk() -> pd.DataFrame:
    """TEI haircut per benefit type (``data/benefit_risk.csv``).

    Examples
    --------
    >>> float(load_benefit_risk().at["cost_saving", "haircut"])
    0.1
    """
    table = pd.read_csv(data_dir() / "benefit_risk.csv").set_index("benefit_type")
    unknown = sorted(set(table.index) - set(BENEFIT_TYPES))
    if unknown or ((table["haircut"] < 0) | (table["haircut"] >= 1)).any():
        raise InputDataError(f"data/benefit_risk.csv: benefit types must be {BENEFIT_TYPES} and haircuts within [0, 1)")
    return table


def benefit_profile(time_to_value_months, horizon_years: int, periods_per_year: int = 1, survival=None,
                    delay_months=0.0) -> np.ndarray:
    """Per-period multiple of a line's annual run-rate amount.

    Month ``m`` (from programme start) has coverage ``clip((m − start) /
    RAMP_MONTHS, 0, 1)`` with ``start = time_to_value + delay``. A flow line
    earns ``coverage / 12`` of its annual amount each month. A retention line
    (``survival`` given) adds a cohort of ``coverage / 12`` of a year's extra
    retained customers each month; the stock decays by ``survival`` a year and
    earns its annual margin ``stock / 12`` a month.

    Parameters
    ----------
    time_to_value_months, delay_months : float or array
        Arrays of equal length give one profile per row (Monte Carlo).
    survival : float or array, optional
        Annual survival (retention rate) of retained cohorts; ``None`` for a
        flow line.

    Returns
    -------
    numpy.ndarray
        Shape (rows, periods): the line's amount in each period divided by
        its annual run-rate.

    Examples
    --------
    >>> np.round(benefit_profile(0, 3), 3).tolist()
    [[0.5, 1.0, 1.0]]
    >>> bool((benefit_profile(0, 5, survival=0.9).sum() <= 5 * 1 / (1 - 0.9)))
    True
    """
    start = np.atleast_1d(np.asarray(time_to_value_months, dtype=float)) + np.atleast_1d(np.asarray(delay_months, dtype=float))
    months = np.arange(horizon_years * 12) + 0.5
    coverage = np.clip((months[None, :] - start[:, None]) / RAMP_MONTHS, 0.0, 1.0)
    if survival is None:
        monthly = coverage / 12
    else:
        keep = np.atleast_1d(np.asarray(survival, dtype=float))[:, None] ** (1 / 12)
        if np.any((keep < 0) | (keep >= 1)):
            raise InputDataError("survival of retained cohorts must be within [0, 1)")
        stock = np.zeros_like(coverage)
        level = np.zeros(coverage.shape[0])
        for m in range(coverage.shape[1]):
            level = level * keep[:, 0] + coverage[:, m] / 12
            stock[:, m] = level
        monthly = stock / 12
    return monthly.reshape(monthly.shape[0], horizon_years * periods_per_year, 12 // periods_per_year).sum(axis=2)


@dataclass(frozen=True)
class ValueChain:
    """The value chain of one institution (see the module docstring).

    ``lines``: one row per (selected initiative, metric) with
    ``initiative_id, metric_id, benefit_type, value_at_stake,
    addressable_share, addressable, captured, haircut, risk_adjusted,
    survival`` (NaN for flow lines) and ``time_to_value_months``.
    ``levers``: one row per monetised metric with the four stages.
    ``selection``: one row per initiative with ``selected``, ``reason``,
    ``pv_benefit``, ``pv_cost``, ``ratio``.
    """

    lines: pd.DataFrame
    levers: pd.DataFrame
    selection: pd.DataFrame
    horizon_years: int
    discount_rate: float

    @property
    def selected(self) -> list[str]:
        """Ids of the programme's initiatives, in priority order."""
        return list(self.selection.index[self.selection["selected"]])

    @property
    def dropped(self) -> pd.DataFrame:
        return self.selection[~self.selection["selected"]]

    def totals(self) -> dict[str, float]:
        """The four stages' totals (CNY a year at full run-rate)."""
        return {"value_at_stake": float(self.levers["value_at_stake"].sum()), "addressable": float(self.levers["addressable"].sum()),
                "initiative_benefit": float(self.lines["captured"].sum()), "risk_adjusted_benefit": float(self.lines["risk_adjusted"].sum())}

    def by_initiative(self) -> pd.DataFrame:
        """Initiative benefit and risk-adjusted benefit per selected initiative."""
        grouped = self.lines.groupby("initiative_id")[["captured", "risk_adjusted"]].sum()
        return grouped.reindex(self.selected).fillna(0.0)

    def bridge(self) -> pd.DataFrame:
        """Bridge from value at stake to risk-adjusted benefit: ``step, kind
        (total | delta), amount, start, end``.

        Examples
        --------
        >>> chain = build_value_chain(_example_gaps(), _example_initiatives(), horizon_years=5, discount_rate=0.08)
        >>> b = chain.bridge()
        >>> bool(abs(b["amount"].iloc[0] + b.loc[b["kind"] == "delta", "amount"].sum() - b["end"].iloc[-1]) < 1e-6)
        True
        """
        t = self.totals()
        steps = [("value_at_stake", "total", t["value_at_stake"]),
                 ("not_addressable", "delta", t["addressable"] - t["value_at_stake"]),
                 ("addressable", "total", t["addressable"]),
                 ("not_captured", "delta", t["initiative_benefit"] - t["addressable"]),
                 ("initiative_benefit", "total", t["initiative_benefit"]),
                 ("risk_haircut", "delta", t["risk_adjusted_benefit"] - t["initiative_benefit"]),
                 ("risk_adjusted_benefit", "total", t["risk_adjusted_benefit"])]
        rows, level = [], 0.0
        for step, kind, amount in steps:
            start = 0.0 if kind == "total" else level
            end = amount if kind == "total" else level + amount
            rows.append({"step": step, "kind": kind, "amount": amount, "start": start, "end": end})
            level = end
        return pd.DataFrame(rows)

    def best_candidate(self) -> str:
        """The initiative with the highest benefit/cost ratio (for a reference
        case when none is selected)."""
        return str(self.selection["ratio"].idxmax())

    def cost_waterfall(self, current_cost: float, names: pd.DataFrame) -> pd.DataFrame:
        """Waterfall from today's CRM cost to the cost after the programme:
        one step per selected initiative that lowers CRM cost (its
        risk-adjusted capture of the ``crm_cost`` overlap group).

        Parameters
        ----------
        names : pandas.DataFrame
            ``name_en`` and ``name_zh`` per initiative id.

        Returns
        -------
        pandas.DataFrame
            ``step, label, label_zh, amount, start, end, kind`` (``total`` or
            ``delta``) and ``initiative_id``.
        """
        drivers = load_value_drivers()
        cost_metrics = set(drivers.index[drivers["overlap_group"] == "crm_cost"])
        lines = self.lines[self.lines["metric_id"].isin(cost_metrics)]
        saving = lines.groupby("initiative_id")["risk_adjusted"].sum()
        rows = [{"step": 0, "label": "Current CRM cost", "label_zh": "现状CRM成本", "amount": current_cost, "start": 0.0,
                 "end": current_cost, "kind": "total", "initiative_id": None}]
        level = current_cost
        for initiative_id in self.selected:
            amount = min(float(saving.get(initiative_id, 0.0)), level)
            if amount <= 0:
                continue
            rows.append({"step": len(rows), "label": names.at[initiative_id, "name_en"], "label_zh": names.at[initiative_id, "name_zh"],
                         "amount": -amount, "start": level, "end": level - amount, "kind": "delta", "initiative_id": initiative_id})
            level -= amount
        rows.append({"step": len(rows), "label": "CRM cost after the programme", "label_zh": "实施后CRM成本", "amount": level, "start": 0.0,
                     "end": level, "kind": "total", "initiative_id": None})
        return pd.DataFrame(rows)

    def benefit_flows(self, periods_per_year: int = 1, delay_months=0.0) -> np.ndarray:
        """Risk-adjusted benefit per line and period, shape (lines, periods)."""
        if self.lines.empty:
            return np.zeros((0, self.horizon_years * periods_per_year))
        rows = [line.risk_adjusted * benefit_profile(line.time_to_value_months, self.horizon_years, periods_per_year,
                                                     None if np.isnan(line.survival) else line.survival, delay_months)[0]
                for line in self.lines.itertuples(index=False)]
        return np.vstack(rows)


def _lever_table(gaps: GapResult) -> pd.DataFrame:
    table = gaps.gaps.set_index("metric_id")
    counted = table[table["counted"] & (table["value_at_stake"].fillna(0) > 0)]
    drivers = load_value_drivers()
    addressable = load_addressable()
    benefit_type = drivers["benefit_type"].reindex(counted.index)
    benefit_type[counted.index == CUSTOMER_BOOK] = "retention"
    missing = sorted(set(counted.index[benefit_type.isna()]) | set(counted.index.difference(addressable.index)))
    if missing:
        raise InputDataError(f"value chain: no benefit type or addressable share for the metrics {missing} "
                             "(data/value_drivers.csv, data/addressable.csv)")
    levers = pd.DataFrame({"value_at_stake": counted["value_at_stake"].astype(float), "benefit_type": benefit_type,
                           "addressable_share": addressable.reindex(counted.index)})
    levers["addressable"] = levers["value_at_stake"] * levers["addressable_share"]
    survival = pd.Series(np.nan, index=levers.index)
    for metric_id, rate in RETENTION_SURVIVAL.items():
        if metric_id in levers.index and rate in table.index:
            goal = table.at[rate, "target"] if pd.notna(table.at[rate, "target"]) else table.at[rate, "current"]
            survival[metric_id] = float(np.clip(goal, 0.0, 0.99)) if pd.notna(goal) else 0.9
    levers["survival"] = survival
    return levers


def _capture_lines(initiative_id: str, row: pd.Series, remaining: pd.Series, levers: pd.DataFrame, haircut: pd.Series) -> pd.DataFrame:
    metrics = [m for m in row["metrics"] if m in remaining.index]
    impact = (row["impact_low"] + row["impact_high"]) / 2
    captured = remaining[metrics] * impact
    frame = pd.DataFrame({"initiative_id": initiative_id, "metric_id": metrics, "captured": captured.to_numpy()})
    frame["benefit_type"] = levers.loc[metrics, "benefit_type"].to_numpy()
    frame["value_at_stake"] = levers.loc[metrics, "value_at_stake"].to_numpy()
    frame["addressable_share"] = levers.loc[metrics, "addressable_share"].to_numpy()
    frame["addressable"] = levers.loc[metrics, "addressable"].to_numpy()
    frame["haircut"] = frame["benefit_type"].map(haircut).to_numpy()
    frame["risk_adjusted"] = frame["captured"] * (1 - frame["haircut"])
    frame["survival"] = levers.loc[metrics, "survival"].to_numpy()
    frame["time_to_value_months"] = float(row["time_to_value_months"])
    return frame[frame["captured"] > 0]


def _present_value(amounts: np.ndarray, discount_rate: float) -> float:
    """Present value at kick-off of yearly amounts, each at its year's end (as the business case)."""
    return float((np.asarray(amounts) * (1 + discount_rate) ** -(np.arange(len(amounts)) + 1)).sum())


def build_value_chain(gaps: GapResult, priorities: pd.DataFrame, *, horizon_years: int = 5, discount_rate: float = 0.08,
                      build_years: float = 1.0, include: tuple[str, ...] = ()) -> ValueChain:
    """Select the programme and compute the four stages of the value chain.

    Parameters
    ----------
    gaps : GapResult
        Value at stake per metric (:func:`analysis_lib.gaps.gap.gaps_for`).
    priorities : pandas.DataFrame
        Initiatives in priority order with their costs
        (:func:`analysis_lib.gaps.initiatives.prioritise`).
    horizon_years, discount_rate : int, float
        Of the business case (years from kick-off; each year's amounts discounted from its end).
    build_years : float
        Years before running costs start.
    include : tuple of str
        Initiatives that join whatever their ratio (shown for reference when
        no initiative clears the rule; their reason says so).

    Returns
    -------
    ValueChain

    Examples
    --------
    >>> chain = build_value_chain(_example_gaps(), _example_initiatives(), horizon_years=5, discount_rate=0.08)
    >>> chain.selected, bool(chain.dropped["reason"].str.startswith("benefit").all())
    (['cheap'], True)
    """
    levers = _lever_table(gaps)
    haircut = load_benefit_risk()["haircut"]
    remaining = levers["addressable"].copy()
    run_years = np.clip(np.arange(horizon_years) + 1 - build_years, 0.0, 1.0)
    chosen, decisions = [], []
    for initiative_id, row in priorities.iterrows():
        lines = _capture_lines(str(initiative_id), row, remaining, levers, haircut)
        flows = np.zeros(horizon_years)
        for line in lines.itertuples(index=False):
            survival = None if np.isnan(line.survival) else line.survival
            flows += line.risk_adjusted * benefit_profile(line.time_to_value_months, horizon_years, 1, survival)[0]
        costs = np.zeros(horizon_years)
        costs[0] += float(row["one_off_cost"])
        costs += float(row["running_cost"]) * run_years
        pv_benefit, pv_cost = _present_value(flows, discount_rate), _present_value(costs, discount_rate)
        ratio = pv_benefit / pv_cost if pv_cost > 0 else np.inf
        forced = initiative_id in include
        selected = (bool(len(lines)) and ratio >= SELECTION_HURDLE) or forced
        if selected:
            chosen.append(lines)
            remaining[lines["metric_id"].to_numpy()] -= lines["captured"].to_numpy()
            reason = f"selected: benefit {ratio:.2f}x its own cost (PV over {horizon_years} years)"
            if forced and ratio < SELECTION_HURDLE:
                reason = f"shown for reference only: benefit {ratio:.2f}x its own cost, below the rule's {SELECTION_HURDLE:g}x"
        elif not len(lines):
            reason = "no gap it moves is left to capture"
        else:
            reason = f"benefit only {ratio:.2f}x its own cost (PV over {horizon_years} years; the rule needs {SELECTION_HURDLE:g}x)"
        decisions.append({"initiative_id": initiative_id, "selected": selected, "reason": reason, "pv_benefit": pv_benefit,
                          "pv_cost": pv_cost, "ratio": ratio})
    columns = ["initiative_id", "metric_id", "benefit_type", "value_at_stake", "addressable_share", "addressable", "captured", "haircut",
               "risk_adjusted", "survival", "time_to_value_months"]
    lines = pd.concat(chosen, ignore_index=True)[columns] if chosen else pd.DataFrame(columns=columns)
    captured = lines.groupby("metric_id")["captured"].sum() if len(lines) else pd.Series(dtype=float)
    risk_adjusted = lines.groupby("metric_id")["risk_adjusted"].sum() if len(lines) else pd.Series(dtype=float)
    levers["captured"] = captured.reindex(levers.index).fillna(0.0)
    levers["risk_adjusted"] = risk_adjusted.reindex(levers.index).fillna(0.0)
    levers["haircut"] = levers["benefit_type"].map(haircut)
    selection = pd.DataFrame(decisions).set_index("initiative_id")
    return ValueChain(lines, levers, selection, horizon_years, discount_rate)


def target_spread(gaps: GapResult, frame: pd.DataFrame, peer_group: str, levers: pd.Index, *, draws: int = 400,
                  seed: int = 0) -> pd.Series:
    """Baseline uncertainty per lever: the standard deviation of the peer
    quantile used as target, by bootstrap over the peers, relative to the
    gap (``sd(target) / |target − current|``, at most 1).

    Targets from a baseline table (too few peers) or another target set get
    :data:`DEFAULT_TARGET_SPREAD`; the customer-book line takes the spread of
    mass-market retention.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.gaps.gap import gaps_for
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv")
    >>> frame = panel.latest().data
    >>> g = gaps_for(panel.institution("CITY-02"), frame)
    >>> spread = target_spread(g, frame, "city_commercial", pd.Index(["crm_opex_ratio"]))
    >>> bool(0 < spread["crm_opex_ratio"] < 1)
    True
    """
    table = gaps.gaps.set_index("metric_id")
    level = {"top_quartile": 0.75, "best_in_class": 0.90}.get(gaps.target_set)
    rng = np.random.default_rng(seed)
    spread = {}
    for lever in levers:
        metric_id = RETENTION_SURVIVAL.get(lever, lever) if lever == CUSTOMER_BOOK else lever
        row = table.loc[metric_id] if metric_id in table.index else None
        if level is None or row is None or "(panel)" not in str(row.get("basis", "")):
            spread[lever] = DEFAULT_TARGET_SPREAD
            continue
        peers = frame.loc[frame["peer_group"] == peer_group, metric_id].dropna().to_numpy(float)
        q = 1 - level if row["direction"] == "lower_better" else level
        samples = rng.choice(peers, size=(draws, peers.size), replace=True)
        targets = np.quantile(samples, q, axis=1)
        gap = abs(float(row["target"]) - float(row["current"]))
        spread[lever] = float(min(targets.std() / gap, 1.0)) if gap > 0 else DEFAULT_TARGET_SPREAD
    return pd.Series(spread, dtype=float)


def _example_gaps() -> GapResult:
    """A two-metric gap table for the examples."""
    rows = pd.DataFrame({"metric_id": ["crm_opex_ratio", "products_per_customer"], "value_at_stake": [100e6, 50e6], "counted": [True, True],
                         "current": [0.02, 2.0], "target": [0.015, 2.5]})
    return GapResult("X", "top_quartile", rows, ())


def _example_initiatives() -> pd.DataFrame:
    """Two initiatives for the examples: a cheap and a dear one."""
    return pd.DataFrame({"metrics": [["crm_opex_ratio"], ["products_per_customer"]], "impact_low": [0.4, 0.2], "impact_high": [0.6, 0.3],
                         "one_off_cost": [20e6, 200e6], "running_cost": [2e6, 20e6], "time_to_value_months": [6, 12]},
                        index=pd.Index(["cheap", "dear"], name="initiative_id"))
