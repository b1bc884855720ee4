"""Data-quality scoring of a client's panel (completeness, consistency,
accuracy), from the same rules the intake applies.

- *Completeness*: share of catalog metrics reported.
- *Consistency*: share of applicable cross-field rules satisfied (e.g. the
  cost-to-income ratio is at least the CRM-cost ratio, HNW acquisition cost is
  at least the mass-market one).
- *Accuracy*: share of reported metrics inside the plausible band of the peer
  group's baseline, ``[p10 - 1.5 (p90 - p10), p90 + 1.5 (p90 - p10)]``.

The overall score is the mean of the three, 0–100.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_lib.reference.catalog import MetricCatalog, load_catalog

PLAUSIBLE_WIDTH = 1.5


@dataclass(frozen=True)
class ConsistencyRule:
    """``left >= right`` must hold whenever both are reported."""

    left: str
    right: str
    explanation: str


CONSISTENCY_RULES: tuple[ConsistencyRule, ...] = (
    ConsistencyRule("cost_to_income", "crm_opex_ratio", "CRM operating cost is part of all operating cost"),
    ConsistencyRule("acq_cost_hnw", "acq_cost_mass", "a high-net-worth customer costs at least as much to acquire as a mass-market one"),
    ConsistencyRule("customers", "employees", "an institution serves at least as many customers as it has employees"),
    ConsistencyRule("customers", "customers_per_rm", "customers per relationship manager cannot exceed all customers"),
    ConsistencyRule("customers", "hnw_customers", "high-net-worth customers are part of all customers"),
    ConsistencyRule("customer_records", "customers", "every customer has at least one master record"),
)


def consistency_problems(frame: pd.DataFrame, catalog: MetricCatalog | None = None) -> list[dict]:
    """Cross-field rule violations of a panel frame.

    Returns
    -------
    list of dict
        One dict per violation with ``row`` (the frame's ``_row`` when
        present, else its position + 2), ``column``, ``message``,
        ``expected``.

    Examples
    --------
    >>> df = pd.DataFrame({"cost_to_income": [0.01], "crm_opex_ratio": [0.02]})
    >>> consistency_problems(df)[0]["column"]
    'cost_to_income'
    """
    rows = frame["_row"] if "_row" in frame.columns else pd.Series(np.arange(len(frame)) + 2, index=frame.index)
    found = []
    for rule in CONSISTENCY_RULES:
        if rule.left not in frame.columns or rule.right not in frame.columns:
            continue
        broken = frame[rule.left] < frame[rule.right]
        for index in frame.index[broken.fillna(False)]:
            found.append({
                "row": int(rows[index]),
                "column": rule.left,
                "message": f"{rule.left} = {frame.at[index, rule.left]:g} is below {rule.right} = {frame.at[index, rule.right]:g}",
                "expected": f"{rule.left} >= {rule.right} ({rule.explanation})",
            })
    return found


def _consistency_share(frame: pd.DataFrame) -> pd.Series:
    applicable = pd.Series(0.0, index=frame.index)
    satisfied = pd.Series(0.0, index=frame.index)
    for rule in CONSISTENCY_RULES:
        if rule.left not in frame.columns or rule.right not in frame.columns:
            continue
        both = frame[rule.left].notna() & frame[rule.right].notna()
        applicable += both
        satisfied += both & (frame[rule.left] >= frame[rule.right])
    return (satisfied / applicable).where(applicable > 0, 1.0)


def _plausible_share(frame: pd.DataFrame, catalog: MetricCatalog) -> pd.Series:
    from analysis_lib.reference.baselines import FALLBACK_GROUP, load_baselines

    baselines = load_baselines()
    values = frame[catalog.ids].astype(float)
    low = pd.DataFrame(np.nan, index=frame.index, columns=catalog.ids)
    high = low.copy()
    for group in frame["peer_group"].dropna().unique():
        rows = frame["peer_group"] == group
        source = group if group in baselines.index.get_level_values(0) else FALLBACK_GROUP
        table = baselines.loc[source].reindex(catalog.ids)
        width = PLAUSIBLE_WIDTH * (table["p90"] - table["p10"])
        low.loc[rows] = (table["p10"] - width).to_numpy()
        high.loc[rows] = (table["p90"] + width).to_numpy()
    reported = values.notna()
    plausible = reported & (values >= low) & (values <= high)
    count = reported.sum(axis=1)
    return (plausible.sum(axis=1) / count).where(count > 0, np.nan)


def quality_scores(frame: pd.DataFrame, catalog: MetricCatalog | None = None) -> pd.DataFrame:
    """Data-quality score per institution, 0–100.

    Parameters
    ----------
    frame : pandas.DataFrame
        A panel frame (``Panel.data``) with ``institution_id``,
        ``peer_group`` and metric columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``institution_id`` (plus ``period`` when present) with
        ``completeness, consistency, accuracy, overall`` in percent.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> q = quality_scores(load_panel(data_dir() / "sample" / "institutions.csv").data)
    >>> bool((q["overall"] <= 100).all())
    True
    """
    catalog = catalog or load_catalog()
    frame = frame.reindex(columns=list(dict.fromkeys([*frame.columns, *catalog.ids])))
    scores = pd.DataFrame({
        "completeness": frame[catalog.ids].notna().mean(axis=1),
        "consistency": _consistency_share(frame),
        "accuracy": _plausible_share(frame, catalog),
    })
    scores["overall"] = scores.mean(axis=1)
    scores = (scores * 100).round(1)
    keys = ["institution_id"] + (["period"] if "period" in frame.columns else [])
    scores.index = pd.MultiIndex.from_frame(frame[keys]) if len(keys) > 1 else pd.Index(frame["institution_id"], name="institution_id")
    return scores


def quality_summary(scores: pd.DataFrame) -> pd.Series:
    """Panel-wide averages of :func:`quality_scores`.

    Examples
    --------
    >>> s = quality_summary(pd.DataFrame({"completeness": [100, 50], "consistency": [100, 100],
    ...                                   "accuracy": [100, 100], "overall": [100, 83.3]}))
    >>> float(s["completeness"])
    75.0
    """
    return scores.mean().round(1)
