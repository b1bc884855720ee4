"""Upgrade initiatives: what each lever is worth to one institution, what it
costs, and in which order to do them.

``data/initiatives.csv`` lists the levers of the methodology template with
the metrics they move, the share of each metric's gap they close (impact
range), one-off and running cost as shares of revenue (ranges), effort (1–5)
and months to value.

- **Standalone value** of an initiative: the value at stake of its metrics
  (counted once per overlap group, as in :mod:`analysis_lib.gaps.gap`) times its
  mid impact. Standalone values overlap where two levers move one metric, so
  they are not added up.
- **Sequenced value** (used for totals and the waterfall): initiatives in
  priority order each capture their impact share of what remains of each
  metric's gap, so no metric is ever captured beyond 100%.
- **Classification**: *quick win* (value per cost above the median, effort
  ≤ 2 and value within 6 months), *strategic* (value above the median but
  not quick), *defer* (the rest).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.gaps.gap import GapResult
from analysis_lib.reference.catalog import data_dir


def load_initiatives() -> pd.DataFrame:
    """The initiative table with ``metrics`` as lists, indexed by id."""
    table = pd.read_csv(data_dir() / "initiatives.csv")
    table["metrics"] = table["metrics"].str.split(";")
    for low, high in (("impact_low", "impact_high"), ("one_off_cost_low", "one_off_cost_high"), ("running_cost_low", "running_cost_high")):
        if (table[low] > table[high]).any():
            raise InputDataError(f"data/initiatives.csv: {low} must not exceed {high}")
    return table.set_index("initiative_id")


def _metric_values(gaps: GapResult) -> pd.Series:
    table = gaps.gaps.set_index("metric_id")
    return table["value_at_stake"].where(table["counted"], 0.0).fillna(0.0)


def prioritise(gaps: GapResult, revenue: float, initiatives: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank the initiatives for one institution's gaps.

    Parameters
    ----------
    gaps : GapResult
        From :func:`analysis_lib.gaps.gap.gaps_for`.
    revenue : float
        The institution's revenue (CNY), which scales the cost ranges.

    Returns
    -------
    pandas.DataFrame
        One row per initiative, best first: ``standalone_value``,
        ``sequenced_value`` (CNY a year), ``one_off_cost``, ``running_cost``
        (mid of the ranges, CNY), ``value_per_cost``, ``effort``,
        ``time_to_value_months``, ``category`` and ``rank``.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.gaps.gap import gaps_for
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv")
    >>> inst = panel.institution("CITY-02")
    >>> p = prioritise(gaps_for(inst, panel.latest().data), inst["revenue"])
    >>> set(p["category"]) <= {"quick win", "strategic", "defer"}
    True
    """
    if not np.isfinite(revenue) or revenue <= 0:
        raise InputDataError("prioritising initiatives needs the institution's revenue (a positive number)")
    table = (load_initiatives() if initiatives is None else initiatives).copy()
    values = _metric_values(gaps)
    impact = (table["impact_low"] + table["impact_high"]) / 2
    table["standalone_value"] = [values.reindex(m).fillna(0).sum() * i for m, i in zip(table["metrics"], impact)]
    table["one_off_cost"] = revenue * (table["one_off_cost_low"] + table["one_off_cost_high"]) / 2
    table["running_cost"] = revenue * (table["running_cost_low"] + table["running_cost_high"]) / 2
    three_year_cost = table["one_off_cost"] + 3 * table["running_cost"]
    table["value_per_cost"] = table["standalone_value"] / three_year_cost
    high_value = table["standalone_value"] >= table["standalone_value"].median()
    quick = (table["value_per_cost"] >= table["value_per_cost"].median()) & (table["effort"] <= 2) & (table["time_to_value_months"] <= 6)
    has_value = table["standalone_value"] > 0
    table["category"] = np.where(quick & has_value, "quick win", np.where(high_value & has_value, "strategic", "defer"))
    order = {"quick win": 0, "strategic": 1, "defer": 2}
    table = table.assign(_order=table["category"].map(order)).sort_values(["_order", "value_per_cost"], ascending=[True, False])
    table = table.drop(columns="_order")
    table["rank"] = np.arange(1, len(table) + 1)
    table["sequenced_value"] = _sequenced(table, values, impact.reindex(table.index))
    return table


def _capture(remaining: pd.Series, metrics: list[str], share: float) -> float:
    """Take ``share`` of what remains of each metric's value (in place) and
    return the amount taken."""
    present = [m for m in metrics if m in remaining.index]
    taken = remaining[present] * share
    remaining[present] -= taken
    return float(taken.sum())


def _sequenced(table: pd.DataFrame, values: pd.Series, impact: pd.Series) -> list[float]:
    remaining = values.copy()
    return [_capture(remaining, metrics, impact[initiative_id]) for initiative_id, metrics in table["metrics"].items()]


def cost_waterfall(gaps: GapResult, priorities: pd.DataFrame, current_cost: float) -> pd.DataFrame:
    """Waterfall from today's CRM cost to the target cost, by lever.

    Each lever's step is its sequenced capture of the CRM-cost value at
    stake (the ``crm_cost`` overlap group of the value drivers, counted
    once); the last bar is the cost after all levers.

    Returns
    -------
    pandas.DataFrame
        ``step, label, amount, start, end, kind`` (``total`` or ``delta``).

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.gaps.gap import gaps_for
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv")
    >>> inst = panel.institution("CITY-02")
    >>> g = gaps_for(inst, panel.latest().data)
    >>> w = cost_waterfall(g, prioritise(g, inst["revenue"]), inst["crm_opex_ratio"] * inst["revenue"])
    >>> bool(abs(w["amount"].iloc[1:-1].sum() + w["amount"].iloc[0] - w["end"].iloc[-1]) < 1e-3)
    True
    """
    table = gaps.gaps.set_index("metric_id")
    cost_values = _metric_values(gaps).where(table["overlap_group"] == "crm_cost", 0.0)
    remaining = cost_values.copy()
    rows = [{"step": 0, "label": "Current CRM cost", "label_zh": "现状CRM成本", "amount": current_cost, "start": 0.0, "end": current_cost,
             "kind": "total"}]
    level = current_cost
    impact = (priorities["impact_low"] + priorities["impact_high"]) / 2
    for initiative_id, metrics in priorities["metrics"].items():
        saving = min(_capture(remaining, metrics, impact[initiative_id]), level)
        if saving <= 0:
            continue
        rows.append({"step": len(rows), "label": priorities.at[initiative_id, "name_en"], "label_zh": priorities.at[initiative_id, "name_zh"],
                     "amount": -saving, "start": level,
                     "end": level - saving, "kind": "delta", "initiative_id": initiative_id})
        level -= saving
    rows.append({"step": len(rows), "label": "CRM cost after the programme", "label_zh": "实施后CRM成本", "amount": level, "start": 0.0,
                 "end": level, "kind": "total"})
    return pd.DataFrame(rows)
