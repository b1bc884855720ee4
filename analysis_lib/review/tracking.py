"""KPI tracking after the diagnosis: each KPI's series from the baseline
period to the review period, its performance percentile among peers in each
period, its targets from the KPI scorecard, and two alerts.

- **Level alert** (:func:`analysis_lib.plan.scorecard.alert`): green when the
  review reading meets the target of its programme year, amber when behind
  it, red when behind the previous year's target (a year late; in year 1,
  worse than the baseline).
- **Trend alert**: red when the KPI got worse over the last period *and* is
  worse than at the baseline, amber when it got worse over the last period
  or is worse than the baseline, green otherwise. A change smaller than
  :data:`FLAT_TOLERANCE` of the baseline's magnitude counts as flat.
- **Status**: the worse of the two.

The programme year of a period is the number of whole or started years
since the end of the baseline period (the review of 2025 against a 2024
baseline is year 1).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.positioning import position_panel
from analysis_lib.errors import InputDataError
from analysis_lib.intake.panel import Panel
from analysis_lib.intake.periods import parse_period, period_end_month
from analysis_lib.plan.scorecard import PROGRAMME_YEARS, alert, kpi_scorecard
from analysis_lib.reference.catalog import load_catalog

FLAT_TOLERANCE = 0.01
ALERT_ORDER = {"green": 0, "amber": 1, "red": 2}
MOVERS = 5


def programme_year(baseline: str, period: str) -> int:
    """Programme year of ``period`` after a ``baseline`` period (0 at or
    before the baseline).

    Examples
    --------
    >>> programme_year("2024", "2025"), programme_year("2024", "2025Q1"), programme_year("2024", "2026Q2")
    (1, 1, 2)
    """
    return max(0, math.ceil((period_end_month(period) - period_end_month(baseline)) / 12))


def check_periods(panel: Panel, institution_id: str, baseline: str, review: str) -> list[str]:
    """The panel's periods from the baseline to the review, after checking
    both are in the panel, in order, and that the institution reports in
    both; raises :class:`InputDataError` saying what is wrong."""
    baseline, review = parse_period(baseline)[0], parse_period(review)[0]
    periods = panel.periods
    for name, value in (("baseline", baseline), ("review", review)):
        if value not in periods:
            raise InputDataError(f"{panel.source}: {name} period {value!r} is not in the panel; its periods are {', '.join(periods) or 'none'}")
    if review <= baseline:
        raise InputDataError(f"the review period {review!r} must come after the baseline period {baseline!r}")
    rows = panel.data[panel.data["institution_id"] == institution_id]
    for name, value in (("baseline", baseline), ("review", review)):
        if value not in set(rows["period"]):
            seen = ", ".join(sorted(rows["period"].dropna())) or "none"
            raise InputDataError(f"{panel.source}: {institution_id!r} has no row for the {name} period {value!r} (its periods: {seen})")
    return [p for p in periods if baseline <= p <= review]


def percentile_history(panel: Panel, institution_id: str, periods: list[str]) -> pd.DataFrame:
    """Per period and metric: the institution's value, performance
    percentile among its peers (100 = best), peer median and the peers'
    count, from :func:`position_panel` on each period's rows; plus the
    dimension and overall scores (``metric_id`` = ``score_<dimension>``)."""
    catalog = load_catalog()
    frames = []
    for period in periods:
        frame = panel.at(period).data
        positioning = position_panel(frame, catalog, fallback="all_banks")
        rows = positioning.institution(institution_id)[["metric_id", "value", "percentile", "peer_median", "n_peers"]]
        scores = positioning.scores.loc[institution_id]
        extra = pd.DataFrame({"metric_id": [f"score_{k}" for k in scores.index], "value": scores.to_numpy(), "percentile": scores.to_numpy()})
        frames.append(pd.concat([rows, extra], ignore_index=True).assign(period=period))
    return pd.concat(frames, ignore_index=True)


def trend_alert(baseline: float, previous: float, latest: float, higher_better: bool) -> str:
    """Trend alert from the baseline, previous and latest readings.

    Examples
    --------
    >>> trend_alert(10.0, 12.0, 11.0, True), trend_alert(10.0, 9.0, 8.0, True), trend_alert(10.0, 9.0, 9.5, True)
    ('amber', 'red', 'amber')
    >>> trend_alert(10.0, 11.0, 12.0, True)
    'green'
    """
    if not all(np.isfinite([baseline, previous, latest])):
        return "n/a"
    tolerance = FLAT_TOLERANCE * max(abs(baseline), 1e-12)
    sign = 1.0 if higher_better else -1.0
    worsened = sign * (latest - previous) < -tolerance
    below = sign * (latest - baseline) < -tolerance
    return "red" if worsened and below else "amber" if worsened or below else "green"


def kpi_tracking(panel: Panel, institution_id: str, baseline: str, review: str, kpis: pd.DataFrame) -> pd.DataFrame:
    """The tracking table of one institution between two periods.

    Parameters
    ----------
    panel : Panel
        A panel with a ``period`` column (several periods).
    institution_id : str
    baseline, review : str
        Periods of the panel (the diagnosis's and this review's).
    kpis : pandas.DataFrame
        The programme's KPIs, indexed by metric id: ``dimension, unit,
        direction, current, target`` (from the diagnosis's summary).

    Returns
    -------
    pandas.DataFrame
        One row per KPI: ``metric_id, label_en, label_zh, unit, direction,
        baseline, previous, review, change, change_pct`` (signed so that
        > 0 is better), ``target`` (of the review's programme year),
        ``percentile_baseline, percentile_review, percentile_change``,
        ``level_alert, trend_alert, status`` and ``year``.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions_history.csv")
    >>> kpis = pd.DataFrame({"dimension": ["experience"], "unit": ["points"], "direction": ["higher_better"],
    ...                      "current": [20.0], "target": [30.0]}, index=pd.Index(["nps"], name="metric_id"))
    >>> row = kpi_tracking(panel, "CITY-02", "2024", "2025", kpis).iloc[0]
    >>> row["metric_id"], int(row["year"]), row["status"] in ("green", "amber", "red")
    ('nps', 1, True)
    """
    periods = check_periods(panel, institution_id, baseline, review)
    baseline, review = periods[0], periods[-1]
    year = programme_year(baseline, review)
    card = kpi_scorecard(kpis.reset_index())
    history = percentile_history(panel, institution_id, periods).set_index(["period", "metric_id"])
    catalog = load_catalog().table
    previous_period = periods[-2]
    rows = []
    for metric_id in card["metric_id"]:
        higher = catalog.at[metric_id, "direction"] == "higher_better"
        value = {p: float(history.at[(p, metric_id), "value"]) for p in (baseline, previous_period, review)}
        pct = {p: float(history.at[(p, metric_id), "percentile"]) for p in (baseline, review)}
        sign = 1.0 if higher else -1.0
        change = sign * (value[review] - value[baseline])
        level = alert(card, metric_id, min(max(year, 1), PROGRAMME_YEARS), value[review]) if np.isfinite(value[review]) else "n/a"
        trend = trend_alert(value[baseline], value[previous_period], value[review], higher)
        status = max((level, trend), key=lambda a: ALERT_ORDER.get(a, -1))
        target = float(card.set_index("metric_id").at[metric_id, f"target_year_{min(max(year, 1), PROGRAMME_YEARS)}"])
        rows.append({
            "metric_id": metric_id, "label_en": catalog.at[metric_id, "label_en"], "label_zh": catalog.at[metric_id, "label_zh"],
            "dimension": catalog.at[metric_id, "dimension"], "unit": catalog.at[metric_id, "unit"], "direction": catalog.at[metric_id, "direction"],
            "baseline": value[baseline], "previous": value[previous_period], "review": value[review], "change": change,
            "change_pct": change / abs(value[baseline]) if value[baseline] else np.nan, "target": target,
            "percentile_baseline": pct[baseline], "percentile_review": pct[review], "percentile_change": pct[review] - pct[baseline],
            "level_alert": level, "trend_alert": trend, "status": status, "year": year,
        })
    return pd.DataFrame(rows)


def movers(tracking: pd.DataFrame, n: int = MOVERS) -> pd.DataFrame:
    """The KPIs whose percentile among peers moved most (either way),
    largest move first.

    Examples
    --------
    >>> t = pd.DataFrame({"metric_id": ["a", "b", "c"], "percentile_change": [5.0, -30.0, 12.0]})
    >>> movers(t, 2)["metric_id"].tolist()
    ['b', 'c']
    """
    moved = tracking.dropna(subset=["percentile_change"])
    order = moved["percentile_change"].abs().sort_values(ascending=False, kind="stable").index
    return moved.loc[order].head(n).reset_index(drop=True)


def score_series(history: pd.DataFrame) -> pd.DataFrame:
    """Dimension and overall scores by period (periods × scores) from
    :func:`percentile_history`."""
    scores = history[history["metric_id"].str.startswith("score_")]
    table = scores.pivot(index="period", columns="metric_id", values="value")
    table.columns = [c.removeprefix("score_") for c in table.columns]
    return table
