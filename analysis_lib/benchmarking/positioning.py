"""Peer positioning: where each institution stands on each metric within its
peer group, and composite scores per dimension.

The *performance percentile* (0–100) is direction-aware: 100 is the best
position in the peer group whatever the metric's direction, so a low
cost-to-income ratio ranks high.

- From the panel's own distribution when the peer group has at least
  ``min_peers`` institutions reporting the metric: mid-rank percentile
  ``100 (L + E/2) / n`` with ``L`` the peers strictly worse and ``E`` the
  peers tied (the institution included).
- Otherwise from the baseline quantiles of the group (or of ``all_banks``
  when the group has none), by linear interpolation of the value between
  p10…p90 and linear extrapolation beyond, clipped to [0, 100].

Quartile 1 is the best quarter. RAG is red below ``rag_thresholds[0]``,
amber below ``rag_thresholds[1]``, green otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.baselines import FALLBACK_GROUP, QUANTILE_LEVELS, load_baselines
from analysis_lib.reference.catalog import DIMENSIONS, MetricCatalog, load_catalog

MIN_PEERS = 10
"""Fewest institutions reporting a metric for a panel-based percentile."""
RAG_THRESHOLDS = (25.0, 50.0)


@dataclass(frozen=True)
class Positioning:
    """Result of :func:`position_panel`.

    Attributes
    ----------
    metrics : pandas.DataFrame
        Tidy, one row per institution and metric: value, reference used
        (``panel`` or ``baseline:<group>``), number of peers, percentile,
        quartile, peer median, distance to the median (units and %), RAG,
        labels and dimension from the catalog.
    scores : pandas.DataFrame
        Institutions × (six dimensions + ``overall``), 0–100.
    metric_weights, dimension_weights : pandas.Series
        The weights used (normalised within each dimension / overall).
    """

    metrics: pd.DataFrame
    scores: pd.DataFrame
    metric_weights: pd.Series
    dimension_weights: pd.Series
    settings: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The tidy per-metric table."""
        return self.metrics

    def institution(self, institution_id: str) -> pd.DataFrame:
        """Per-metric rows of one institution, in catalog order."""
        rows = self.metrics[self.metrics["institution_id"] == institution_id]
        if rows.empty:
            raise InputDataError(f"institution {institution_id!r} is not in the positioning result")
        return rows.reset_index(drop=True)


def baseline_level(quantiles: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative level (0–1) of ``values`` in a distribution known by its
    p10…p90: linear between the quantiles, extrapolated with the slope of the
    outer segments, clipped to [0, 1].

    Examples
    --------
    >>> baseline_level(np.array([1.0, 2, 3, 4, 5]), np.array([3.0, 0.0, 9.0])).round(3).tolist()
    [0.5, 0.0, 1.0]
    """
    levels = np.asarray(QUANTILE_LEVELS)
    q = np.asarray(quantiles, dtype=float)
    x = np.asarray(values, dtype=float)
    low_slope = (levels[1] - levels[0]) / max(q[1] - q[0], 1e-300)
    high_slope = (levels[-1] - levels[-2]) / max(q[-1] - q[-2], 1e-300)
    inner = np.interp(x, q, levels)
    below = levels[0] - (q[0] - x) * low_slope
    above = levels[-1] + (x - q[-1]) * high_slope
    return np.clip(np.where(x < q[0], below, np.where(x > q[-1], above, inner)), 0.0, 1.0)


def percentile_against(frame: pd.DataFrame, metric_id: str, peer_group: str, values, min_peers: int = MIN_PEERS,
                       catalog: MetricCatalog | None = None, fallback: str = "group_baseline") -> tuple[np.ndarray, str]:
    """Performance percentile (0–100, 100 best) of arbitrary values of one
    metric against a peer group, by the same rule as :func:`position_panel`:
    the panel's peers when at least ``min_peers`` report it, else the
    baseline quantiles. Returns the percentiles and the reference used.

    Examples
    --------
    >>> frame = pd.DataFrame({"peer_group": ["foreign"], "nps": [10.0]})
    >>> pct, ref = percentile_against(frame, "nps", "foreign", [35.0])
    >>> float(pct[0]), ref
    (50.0, 'baseline:foreign')
    """
    catalog = catalog or load_catalog()
    x = np.atleast_1d(np.asarray(values, dtype=float))
    lower = catalog.table.at[metric_id, "direction"] == "lower_better"
    peers = frame.loc[frame["peer_group"] == peer_group, metric_id].dropna().to_numpy() if metric_id in frame else np.array([])
    if peers.size >= min_peers:
        worse = (peers[None, :] > x[:, None]) if lower else (peers[None, :] < x[:, None])
        ties = peers[None, :] == x[:, None]
        return 100 * (worse.sum(axis=1) + 0.5 * ties.sum(axis=1)) / peers.size, "panel"
    baselines = load_baselines()
    own = fallback == "group_baseline" and (peer_group, metric_id) in baselines.index
    group = peer_group if own else FALLBACK_GROUP
    q = baselines.loc[(group, metric_id), ["p10", "p25", "p50", "p75", "p90"]].to_numpy(float)
    level = baseline_level(q, x)
    return 100 * (1 - level if lower else level), f"baseline:{group}"


def _baseline_percentiles(values: pd.DataFrame, groups: pd.Series, catalog: MetricCatalog) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Percentile of every value against its group's baseline quantiles."""
    baselines = load_baselines()
    known = set(baselines.index.get_level_values(0))
    percent = pd.DataFrame(np.nan, index=values.index, columns=values.columns)
    medians = percent.copy()
    source = groups.where(groups.isin(known), FALLBACK_GROUP)
    for group in source.dropna().unique():
        rows = (source == group).to_numpy()
        table = baselines.loc[group].reindex(catalog.ids)
        q = table[["p10", "p25", "p50", "p75", "p90"]].to_numpy(float)
        x = values.loc[rows].to_numpy(float)
        out = np.empty_like(x)
        for j in range(q.shape[0]):
            out[:, j] = baseline_level(q[j], x[:, j])
        percent.loc[rows] = out * 100
        medians.loc[rows] = np.broadcast_to(q[:, 2], x.shape)
    lower = catalog.lower_is_better().reindex(values.columns).to_numpy()
    percent.loc[:, lower] = 100 - percent.loc[:, lower]
    return percent, medians, "baseline:" + source


def _panel_percentiles(values: pd.DataFrame, groups: pd.Series, catalog: MetricCatalog) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    signed = values * catalog.sign().reindex(values.columns)
    grouped = signed.groupby(groups)
    ranks = grouped.rank(method="average")
    counts = grouped.transform("count")
    percent = 100 * (ranks - 0.5) / counts
    medians = values.groupby(groups).transform("median")
    return percent, medians, counts


def _check_weights(weights: pd.Series, name: str) -> pd.Series:
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise InputDataError(f"{name} must be finite and non-negative")
    return weights


def default_weights(catalog: MetricCatalog | None = None) -> tuple[pd.Series, pd.Series]:
    """Equal weights: every metric equal within its dimension, every
    dimension equal in the overall index.

    Examples
    --------
    >>> m, d = default_weights()
    >>> round(float(d.sum()), 12)
    1.0
    """
    catalog = catalog or load_catalog()
    metric_weights = pd.Series(1.0, index=catalog.ids, name="metric_weight")
    dimension_weights = pd.Series(1.0 / len(DIMENSIONS), index=list(DIMENSIONS), name="dimension_weight")
    return metric_weights, dimension_weights


def _composite(percent: pd.DataFrame, catalog: MetricCatalog, metric_weights: pd.Series, dimension_weights: pd.Series) -> pd.DataFrame:
    scores = {}
    for dimension in DIMENSIONS:
        ids = catalog.in_dimension(dimension)
        w = metric_weights.reindex(ids).fillna(0.0).to_numpy()
        p = percent[ids].to_numpy()
        mask = ~np.isnan(p)
        total = (mask * w).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores[dimension] = np.where(total > 0, np.nansum(p * w, axis=1) / total, np.nan)
    frame = pd.DataFrame(scores, index=percent.index)
    dw = dimension_weights.reindex(list(DIMENSIONS)).fillna(0.0).to_numpy()
    d = frame.to_numpy()
    mask = ~np.isnan(d)
    total = (mask * dw).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["overall"] = np.where(total > 0, np.nansum(d * dw, axis=1) / total, np.nan)
    return frame.round(1)


def position_panel(
    frame: pd.DataFrame,
    catalog: MetricCatalog | None = None,
    *,
    min_peers: int = MIN_PEERS,
    rag_thresholds: tuple[float, float] = RAG_THRESHOLDS,
    metric_weights: pd.Series | None = None,
    dimension_weights: pd.Series | None = None,
    peer_group: str | None = None,
    fallback: str = "group_baseline",
) -> Positioning:
    """Position every institution of a panel against its peers.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per institution (use ``Panel.latest().data``) with
        ``institution_id``, ``peer_group`` and metric columns.
    catalog : MetricCatalog, optional
        Defaults to the packaged catalog.
    min_peers : int
        Fewest reporting peers for a panel-based percentile; below it the
        baseline quantiles are used.
    rag_thresholds : (float, float)
        Percentile below which a metric is red, then amber.
    metric_weights, dimension_weights : pandas.Series, optional
        Weights of metrics within their dimension and of dimensions in the
        overall index; default equal. Missing metrics drop out of the
        weighted mean rather than counting as zero.
    peer_group : str, optional
        Compare every institution against this group instead of its own.
    fallback : {"group_baseline", "all_banks"}
        Reference when the group has too few reporting peers: the group's
        own baseline quantiles, or the all-banks baseline (the report's
        choice, stated as "insufficient peers").

    Returns
    -------
    Positioning

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv")
    >>> result = position_panel(panel.latest().data)
    >>> bool(result.scores["overall"].between(0, 100).all())
    True
    """
    catalog = catalog or load_catalog()
    if frame["institution_id"].duplicated().any():
        raise InputDataError("position_panel needs one row per institution; use Panel.latest()")
    if not rag_thresholds[0] <= rag_thresholds[1]:
        raise InputDataError(f"rag_thresholds must be ascending, got {rag_thresholds}")
    default_m, default_d = default_weights(catalog)
    metric_weights = _check_weights(default_m if metric_weights is None else metric_weights.reindex(catalog.ids).fillna(0.0), "metric_weights")
    dimension_weights = _check_weights(default_d if dimension_weights is None else dimension_weights.reindex(list(DIMENSIONS)).fillna(0.0),
                                   "dimension_weights")
    ids = pd.Index(frame["institution_id"], name="institution_id")
    values = frame.reindex(columns=catalog.ids).astype(float).set_axis(ids)
    groups = pd.Series(peer_group if peer_group else frame["peer_group"].to_numpy(), index=ids, name="peer_group")

    panel_pct, panel_median, counts = _panel_percentiles(values, groups, catalog)
    if fallback not in ("group_baseline", "all_banks"):
        raise InputDataError(f"fallback must be 'group_baseline' or 'all_banks', got {fallback!r}")
    baseline_groups = groups if fallback == "group_baseline" else pd.Series(FALLBACK_GROUP, index=ids)
    base_pct, base_median, base_source = _baseline_percentiles(values, baseline_groups, catalog)
    use_panel = counts >= min_peers
    percent = panel_pct.where(use_panel, base_pct).where(values.notna())
    median = panel_median.where(use_panel, base_median)
    reference = pd.DataFrame(np.where(use_panel, "panel", base_source.to_numpy()[:, None]), index=ids, columns=catalog.ids)

    scores = _composite(percent, catalog, metric_weights, dimension_weights)
    long = _tidy(values, percent, median, reference, counts, groups, catalog, rag_thresholds)
    settings = {"min_peers": min_peers, "rag_thresholds": tuple(rag_thresholds), "peer_group": peer_group, "fallback": fallback}
    return Positioning(long, scores, metric_weights, dimension_weights, settings)


def _tidy(values, percent, median, reference, counts, groups, catalog: MetricCatalog, rag_thresholds) -> pd.DataFrame:
    n_inst, n_metric = values.shape
    info = catalog.table
    long = pd.DataFrame({
        "institution_id": np.repeat(values.index.to_numpy(), n_metric),
        "peer_group": np.repeat(groups.to_numpy(), n_metric),
        "metric_id": np.tile(np.asarray(catalog.ids, dtype=object), n_inst),
        "value": values.to_numpy().ravel(),
        "reference": reference.to_numpy().ravel(),
        "n_peers": counts.to_numpy().ravel(),
        "percentile": percent.to_numpy().ravel(),
        "peer_median": median.to_numpy().ravel(),
    })
    for column in ("dimension", "unit", "direction", "label_en", "label_zh"):
        long[column] = np.tile(info[column].to_numpy(), n_inst)
    long["gap_to_median"] = long["value"] - long["peer_median"]
    with np.errstate(divide="ignore", invalid="ignore"):
        long["gap_to_median_pct"] = np.where(long["peer_median"] != 0, long["gap_to_median"] / long["peer_median"].abs(), np.nan)
    pct = long["percentile"].to_numpy()
    long["quartile"] = pd.array(np.where(np.isnan(pct), pd.NA, 4 - np.minimum(np.floor(pct / 25), 3)), dtype="Int64")
    long["rag"] = np.select([np.isnan(pct), pct < rag_thresholds[0], pct < rag_thresholds[1]], ["n/a", "red", "amber"], "green")
    return long


def positioning_summary(result: Positioning, frame: pd.DataFrame) -> pd.DataFrame:
    """One line per institution: peer group, overall score, strongest and
    weakest dimension, and the number of red metrics.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv").latest()
    >>> s = positioning_summary(position_panel(panel.data), panel.data)
    >>> list(s.columns)[:3]
    ['peer_group', 'overall', 'strongest']
    """
    dims = result.scores[list(DIMENSIONS)]
    red = result.metrics.assign(is_red=result.metrics["rag"].eq("red")).groupby("institution_id", sort=False)["is_red"].sum()
    summary = pd.DataFrame({
        "peer_group": frame.set_index("institution_id")["peer_group"].reindex(dims.index),
        "overall": result.scores["overall"],
        "strongest": dims.idxmax(axis=1),
        "weakest": dims.idxmin(axis=1),
        "red_metrics": red.reindex(dims.index).astype(int),
    })
    return summary.sort_values("overall", ascending=False)


SOURCE_CLASSES = ("peer data", "public", "template", "assumption")
"""How a benchmark is known, best first: a real peer panel supplied with the
client's data, a published figure, the methodology template, an assumption."""


def benchmark_confidence(rows: pd.DataFrame, peer_group: str, synthetic_peers: bool) -> pd.DataFrame:
    """What each of an institution's comparisons rests on: how many peers,
    which year, and the source class (:data:`SOURCE_CLASSES`).

    A percentile read from a real panel rests on *peer data*. A percentile
    read from a synthetic panel, or from the baseline quantiles, is only as
    good as the baseline behind it: its confidence flag (public, template,
    assumption), year and sample size.

    Parameters
    ----------
    rows : pandas.DataFrame
        The institution's positioning rows (``metric_id, reference,
        n_peers``), e.g. ``Positioning.institution(id)``.
    peer_group : str
        The group compared with.
    synthetic_peers : bool
        Whether the panel's peers are synthetic (the bundled sample).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``metric_id``: ``n, year, source_class, source``.

    Examples
    --------
    >>> rows = pd.DataFrame({"metric_id": ["cost_to_income", "nps"], "reference": ["panel", "panel"], "n_peers": [12, 12]})
    >>> benchmark_confidence(rows, "joint_stock", synthetic_peers=True)["source_class"].tolist()
    ['public', 'assumption']
    >>> benchmark_confidence(rows, "joint_stock", synthetic_peers=False)["source_class"].tolist()
    ['peer data', 'peer data']
    """
    table = load_baselines()
    records = []
    for _, row in rows.iterrows():
        metric = row["metric_id"]
        from_panel = str(row["reference"]) == "panel"
        group = str(row["reference"]).split(":", 1)[1] if str(row["reference"]).startswith("baseline:") else peer_group
        group = group if (group, metric) in table.index else FALLBACK_GROUP
        baseline = table.loc[(group, metric)]
        if from_panel and not synthetic_peers:
            records.append((metric, int(row["n_peers"]), None, "peer data", "client panel"))
        else:
            n = int(row["n_peers"]) if from_panel else baseline["n"]
            records.append((metric, n, int(baseline["year"]), str(baseline["confidence"]), str(baseline["source"])))
    return pd.DataFrame(records, columns=["metric_id", "n", "year", "source_class", "source"]).set_index("metric_id")


def public_share(confidence: pd.DataFrame) -> float:
    """Share of the comparisons resting on real peer data or public figures.

    Examples
    --------
    >>> public_share(pd.DataFrame({"source_class": ["public", "assumption", "peer data", "template"]}))
    0.5
    """
    if confidence.empty:
        return 0.0
    return float(confidence["source_class"].isin(["peer data", "public"]).mean())
