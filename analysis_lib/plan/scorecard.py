"""The KPI tracking scorecard the programme is steered by (the template's
dynamic KPI monitoring, §3.2.4 and §7.3): for each KPI of the six
dimensions, its baseline, a target for each programme year, the owner, the
data source, how often it is measured, and the alert thresholds.

- **Yearly targets** move in equal steps from the baseline (today's value) to
  the target of the gap analysis, reached in the last programme year; a KPI
  already at or beyond its target keeps its level.
- **Alerts**: amber when a reading is behind the year's target; red when it
  is behind the previous year's target (a full year late) — in year 1, when
  it is worse than the baseline. The red threshold of each year is therefore
  the previous year's target, stated in the table.

Owners, data sources and measurement frequency are reference data
(``data/kpi_tracking.csv``); direction, unit and labels come from the metric
catalog through the gap table.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

PROGRAMME_YEARS = 3
"""Years over which the scorecard's targets are reached (the template's
pilot, roll-out and full coverage)."""
FREQUENCIES = ("monthly", "quarterly")


def load_tracking(path=None) -> pd.DataFrame:
    """Owner, data source and frequency per KPI (``data/kpi_tracking.csv``),
    indexed by ``metric_id``.

    Examples
    --------
    >>> load_tracking().loc["nps", "frequency"]
    'quarterly'
    """
    path = path or data_dir() / "kpi_tracking.csv"
    table = pd.read_csv(path, dtype=str).set_index("metric_id")
    bad = table[~table["frequency"].isin(FREQUENCIES)]
    if len(bad):
        raise InputDataError(f"{path}: KPI {bad.index[0]!r} has frequency {bad['frequency'].iloc[0]!r}; expected one of "
                             f"{', '.join(FREQUENCIES)}")
    return table


def kpi_scorecard(gaps: pd.DataFrame, years: int = PROGRAMME_YEARS, tracking: pd.DataFrame | None = None,
                  moved: Collection[str] | None = None) -> pd.DataFrame:
    """The tracking scorecard of one institution.

    Parameters
    ----------
    gaps : pandas.DataFrame
        The gap table (``GapResult.gaps``): ``metric_id, dimension,
        direction, unit, current, target``.
    years : int
        Programme years to reach the target.
    tracking : pandas.DataFrame, optional
        Owners and sources (default :func:`load_tracking`).
    moved : collection of str, optional
        The metrics the programme's initiatives move; every other KPI is
        held at its baseline (a watch-list line, no improvement promised
        without an initiative behind it). Default: all move.

    Returns
    -------
    pandas.DataFrame
        One row per KPI with a baseline and a target: ``metric_id,
        dimension, unit, direction, baseline, target_year_1 …
        target_year_N, red_below_year_1 …`` (the red threshold: a value on
        the wrong side of it is red), ``owner_en, owner_zh,
        data_source_en, data_source_zh, frequency``.

    Examples
    --------
    >>> gaps = pd.DataFrame({"metric_id": ["nps"], "dimension": ["experience"], "direction": ["higher_better"],
    ...                      "unit": ["points"], "current": [20.0], "target": [35.0]})
    >>> card = kpi_scorecard(gaps)
    >>> card.loc[0, ["target_year_1", "target_year_2", "target_year_3", "red_below_year_1", "red_below_year_2"]].tolist()
    [25.0, 30.0, 35.0, 20.0, 25.0]
    """
    if years < 1:
        raise InputDataError(f"the scorecard needs at least one programme year, got {years}")
    tracking = load_tracking() if tracking is None else tracking
    rows = gaps.dropna(subset=["current", "target"]).reset_index(drop=True)
    baseline = rows["current"].to_numpy(float)
    target = rows["target"].to_numpy(float)
    higher = rows["direction"].eq("higher_better").to_numpy()
    # never a target worse than today
    target = np.where(higher, np.maximum(target, baseline), np.minimum(target, baseline))
    if moved is not None:
        target = np.where(rows["metric_id"].isin(set(moved)).to_numpy(), target, baseline)
    card = rows[["metric_id", "dimension", "unit", "direction"]].copy()
    card["baseline"] = baseline
    path = {year: baseline + (target - baseline) * year / years for year in range(0, years + 1)}
    for year in range(1, years + 1):
        card[f"target_year_{year}"] = path[year]
    for year in range(1, years + 1):
        card[f"red_below_year_{year}"] = path[year - 1]
    known = tracking.reindex(card["metric_id"])
    missing = card["metric_id"][known["owner_en"].isna().to_numpy()].tolist()
    if missing:
        raise InputDataError(f"data/kpi_tracking.csv has no owner for {missing}")
    for column in ("owner_en", "owner_zh", "data_source_en", "data_source_zh", "frequency"):
        card[column] = known[column].to_numpy()
    return card


def alert(card: pd.DataFrame, metric_id: str, year: int, value: float) -> str:
    """Alert status (``green``, ``amber``, ``red``) of a reading of one KPI
    in a programme year.

    Examples
    --------
    >>> gaps = pd.DataFrame({"metric_id": ["complaints_per_10k"], "dimension": ["experience"], "direction": ["lower_better"],
    ...                      "unit": ["count"], "current": [12.0], "target": [6.0]})
    >>> card = kpi_scorecard(gaps)
    >>> [alert(card, "complaints_per_10k", 1, v) for v in (9.0, 11.0, 12.5)]
    ['green', 'amber', 'red']
    """
    row = card.set_index("metric_id").loc[metric_id]
    higher = row["direction"] == "higher_better"
    due, late = float(row[f"target_year_{year}"]), float(row[f"red_below_year_{year}"])

    def behind(threshold: float) -> bool:
        return value < threshold if higher else value > threshold

    if behind(late):
        return "red"
    return "amber" if behind(due) else "green"
