"""Gap analysis: the gap of every metric to its target, and the value at
stake (CNY a year) of closing it.

Money drivers live in ``data/value_drivers.csv``, one readable formula per
metric over the institution's own size data (``revenue``, ``customers``,
``hnw_customers``, ``new_customers``, ``customer_records``, metric values)
and ``improvement`` (the direction-aware gap, positive when the target is
better), ``current``, ``target`` and ``factor``.

**No double counting.** Metrics that measure the same money share an
``overlap_group`` (e.g. the CRM cost ratio, TCO per customer, the number of
CRM systems and the addressable part of cost-to-income are all CRM cost):
within a group only the largest value counts towards totals; the others are
shown with ``counted = False``.

**Flows, never stocks.** A value at stake is an annual flow at full
run-rate. An expression may not use a stock (:data:`STOCK_FIELDS`: a
customer's lifetime value, total assets): a lifetime value booked every
year counts the same money many times over. Retention is valued as the
annual margin of the extra customers kept a year; the business case lets
those cohorts accumulate and decay (:mod:`analysis_lib.gaps.value_chain`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.positioning import MIN_PEERS, percentile_against
from analysis_lib.errors import InputDataError
from analysis_lib.gaps.targets import cap_at_current, raw_targets
from analysis_lib.reference.catalog import DIMENSIONS, MetricCatalog, data_dir, load_catalog

SIZE_FIELDS = ("revenue", "customers", "hnw_customers", "new_customers", "customer_records", "total_assets", "employees")
STOCK_FIELDS = ("clv_per_customer", "total_assets")
"""Stocks, which can never be part of an annual value-at-stake formula."""


def load_value_drivers(path=None) -> pd.DataFrame:
    """The value-driver table (default ``data/value_drivers.csv``), indexed
    by metric; refuses unknown metrics and formulas that use a stock.

    Examples
    --------
    >>> load_value_drivers().at["retention_mass", "benefit_type"]
    'retention'
    """
    source = path or data_dir() / "value_drivers.csv"
    table = pd.read_csv(source, keep_default_na=False, na_values=[""])
    name = getattr(source, "name", str(source))
    unknown = sorted(set(table["metric_id"]) - set(load_catalog().ids))
    if unknown:
        raise InputDataError(f"{name}: metrics not in the catalog: {unknown}")
    for row, (metric_id, expression) in enumerate(zip(table["metric_id"], table["expression"]), start=2):
        stocks = sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(expression))) & set(STOCK_FIELDS))
        if stocks:
            raise InputDataError(f"{name}, row {row}, column 'expression' ({metric_id}): uses the stock {', '.join(stocks)}; "
                                 "expected an annual flow (e.g. retained customers x annual margin, not x lifetime value)")
    return table.set_index("metric_id")


@dataclass(frozen=True)
class GapResult:
    """Gaps and value at stake of one institution against one target set."""

    institution_id: str
    target_set: str
    gaps: pd.DataFrame
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.gaps

    def total_value(self) -> float:
        """Value at stake a year, counted once per overlap group."""
        counted = self.gaps[self.gaps["counted"]]
        return float(counted["value_at_stake"].sum())

    def by_dimension(self) -> pd.DataFrame:
        """Value at stake by dimension (counted once per overlap group)."""
        counted = self.gaps[self.gaps["counted"]]
        totals = counted.groupby("dimension")["value_at_stake"].sum().reindex(list(DIMENSIONS)).fillna(0.0)
        return totals.rename("value_at_stake").to_frame()


def _evaluate(expression: str, variables: dict[str, float]) -> float:
    try:
        return float(pd.eval(expression, local_dict=variables, engine="python"))
    except (NameError, KeyError, ZeroDivisionError, ValueError, TypeError, AttributeError):
        return np.nan


def gaps_for(institution: pd.Series, frame: pd.DataFrame, target_set: str = "top_quartile", *, peer_group: str | None = None,
             frontier_target_cost: float | None = None, custom: dict[str, float] | None = None, min_peers: int = MIN_PEERS,
             catalog: MetricCatalog | None = None, fallback: str = "group_baseline") -> GapResult:
    """Gaps and value at stake of one institution.

    Parameters
    ----------
    institution : pandas.Series
        The institution's row (``Panel.institution(id)``; its name is the id).
    frame : pandas.DataFrame
        The panel's latest period (peers for percentiles and quantiles).
    target_set : str
        One of :data:`analysis_lib.gaps.targets.TARGET_SETS`.
    peer_group : str, optional
        Defaults to the institution's own.

    Returns
    -------
    GapResult
        ``gaps`` per metric: ``current, target, basis, gap_abs, gap_rel,
        improvement, percentile_now, percentile_target, gap_points,
        value_at_stake, status, overlap_group, counted`` with the dimension
        and labels. ``status`` is ``monetised``, ``not monetised``,
        ``no gap``, ``no target`` or ``not assessable`` (with the reason).

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv")
    >>> g = gaps_for(panel.institution("CITY-02"), panel.latest().data)
    >>> g.total_value() > 0
    True
    """
    catalog = catalog or load_catalog()
    info = catalog.table
    institution_id = str(institution.name)
    group = peer_group or institution["peer_group"]
    current = institution.reindex(catalog.ids).astype(float)
    raw = raw_targets(target_set, current, group, frame, frontier_target_cost=frontier_target_cost,
                      revenue=institution.get("revenue"), custom=custom, min_peers=min_peers, catalog=catalog)
    target = cap_at_current(raw["target"], current, catalog)
    sign = catalog.sign()
    gap_abs = target - current
    improvement = gap_abs * sign
    drivers = load_value_drivers()
    size = {f: float(institution[f]) if f in institution and pd.notna(institution[f]) else np.nan for f in SIZE_FIELDS}
    rows, notes = [], []
    for metric_id in catalog.ids:
        now, goal = current[metric_id], target[metric_id]
        pct_now = pct_target = np.nan
        if pd.notna(now) and pd.notna(goal):
            pct, _ = percentile_against(frame, metric_id, group, [now, goal], min_peers, catalog, fallback)
            pct_now, pct_target = pct
        value, status = np.nan, ""
        if pd.isna(now):
            status = "not assessable: the institution does not report this metric"
        elif pd.isna(goal):
            status = "no target in this set"
        elif improvement[metric_id] <= 1e-12 * max(1.0, abs(now)):
            status, value = "no gap", 0.0
        elif metric_id not in drivers.index:
            status = "not monetised"
        else:
            driver = drivers.loc[metric_id]
            variables = {**size, **current.to_dict(), "improvement": improvement[metric_id], "current": now, "target": goal,
                         "factor": float(driver["factor"])}
            value = _evaluate(driver["expression"], variables)
            if np.isfinite(value):
                status = "monetised"
            else:
                names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", driver["expression"])
                needed = [n for n in dict.fromkeys(names) if not np.isfinite(variables.get(n, np.nan))]
                status = f"not assessable: missing driver {', '.join(needed) or 'value'}"
                notes.append(f"{metric_id}: value at stake not assessable ({status.split(': ', 1)[1]})")
        rows.append({
            "metric_id": metric_id, "dimension": info.at[metric_id, "dimension"], "label_en": info.at[metric_id, "label_en"],
            "label_zh": info.at[metric_id, "label_zh"], "unit": info.at[metric_id, "unit"], "direction": info.at[metric_id, "direction"],
            "current": now, "target": goal, "basis": raw.at[metric_id, "basis"], "gap_abs": gap_abs[metric_id],
            "gap_rel": gap_abs[metric_id] / abs(now) if pd.notna(now) and now != 0 else np.nan,
            "improvement": improvement[metric_id], "percentile_now": pct_now, "percentile_target": pct_target,
            "gap_points": pct_target - pct_now, "value_at_stake": value, "status": status,
            "overlap_group": drivers.at[metric_id, "overlap_group"] if metric_id in drivers.index else np.nan,
        })
    gaps = pd.DataFrame(rows)
    gaps["counted"] = _counted(gaps)
    return GapResult(institution_id, target_set, gaps, tuple(notes))


def _counted(gaps: pd.DataFrame) -> pd.Series:
    """Within each overlap group only the largest value at stake counts."""
    counted = gaps["value_at_stake"].fillna(0) > 0
    grouped = gaps[counted & gaps["overlap_group"].notna()]
    for _, members in grouped.groupby("overlap_group"):
        keep = members["value_at_stake"].idxmax()
        counted[members.index.difference([keep])] = False
    return counted


CUSTOMER_BOOK = "customer_churn_book"
"""Row id of the customer-extract line in a gap table."""
RETENTION_METRICS = ("retention_hnw", "retention_mass")


def add_customer_book(result: GapResult, margin_at_risk: float, scale: float = 1.0) -> GapResult:
    """Feed the customer-level model into the value at stake.

    When a customer extract is given, the value of the retention gaps comes
    from it: the *annual margin* of the customers predicted to churn within a
    year (``Σ churn probability × annual margin``, a flow) times the share of
    churn the retention targets remove, ``(target − current) / (1 −
    current)`` of mass-market retention (else HNW). ``scale`` grosses a sample
    extract up to the whole book (institution customers / customers in the
    extract).
    The panel-based retention rows stay in the table but no longer count
    towards totals (one source for the same money). Amounts must be in the
    panel's currency (CNY).

    Examples
    --------
    >>> rows = pd.DataFrame({"metric_id": ["retention_mass"], "dimension": ["value"], "current": [0.8], "target": [0.85],
    ...                      "value_at_stake": [50.0], "counted": [True], "overlap_group": [np.nan], "status": ["monetised"]})
    >>> fed = add_customer_book(GapResult("X", "top_quartile", rows, ()), margin_at_risk=1000.0)
    >>> round(fed.total_value(), 6)
    250.0
    """
    gaps = result.gaps.copy()
    indexed = gaps.set_index("metric_id")
    share = np.nan
    for metric_id in reversed(RETENTION_METRICS):
        if metric_id in indexed.index:
            now, goal = indexed.at[metric_id, "current"], indexed.at[metric_id, "target"]
            if pd.notna(now) and pd.notna(goal) and now < 1:
                share = max(goal - now, 0.0) / (1 - now)
                break
    if not np.isfinite(share) or not np.isfinite(margin_at_risk) or not np.isfinite(scale) or scale <= 0:
        return result
    replaced = gaps["metric_id"].isin(RETENTION_METRICS)
    gaps.loc[replaced, "counted"] = False
    row = {column: np.nan for column in gaps.columns}
    row.update({"metric_id": CUSTOMER_BOOK, "dimension": "value", "label_en": "Churn of the customer book (customer extract)",
                "label_zh": "客户流失损失（客户数据）", "unit": "CNY", "direction": "lower_better", "current": np.nan,
                "target": np.nan, "basis": "customer extract: annual margin of predicted churners x book scale x share of churn removed "
                "by the retention targets", "value_at_stake": float(margin_at_risk) * scale * share, "status": "monetised", "counted": True})
    gaps = pd.concat([gaps, pd.DataFrame([row])], ignore_index=True)
    return GapResult(result.institution_id, result.target_set, gaps, result.notes)


def compare_target_sets(institution: pd.Series, frame: pd.DataFrame, target_sets: list[str], **kwargs) -> pd.DataFrame:
    """Targets of several sets side by side (metrics × sets), with the total
    value at stake of each set in ``attrs['value_at_stake']``."""
    columns, totals = {}, {}
    for name in target_sets:
        result = gaps_for(institution, frame, name, **kwargs)
        columns[name] = result.gaps.set_index("metric_id")["target"]
        totals[name] = result.total_value()
    table = pd.DataFrame(columns)
    table.insert(0, "current", institution.reindex(table.index).astype(float))
    table.attrs["value_at_stake"] = totals
    return table


def panel_gaps(panel_frame: pd.DataFrame, target_set: str = "top_quartile", **kwargs) -> pd.DataFrame:
    """Total value at stake and its split by dimension for every institution
    of a panel (one row each), with the count of metrics not assessable."""
    rows = []
    indexed = panel_frame.set_index("institution_id", drop=False)
    for institution_id in indexed.index:
        result = gaps_for(indexed.loc[institution_id].rename(institution_id), panel_frame, target_set, **kwargs)
        dims = result.by_dimension()["value_at_stake"]
        rows.append({"institution_id": institution_id, "value_at_stake": result.total_value(), **dims.to_dict(),
                     "not_assessable": int(result.gaps["status"].str.startswith("not assessable").sum())})
    return pd.DataFrame(rows).set_index("institution_id")
