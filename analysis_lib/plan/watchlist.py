"""The watch-list of a bank that leads its peers and needs no programme:
where it leads, where the lead is thinnest, and the reading of each KPI that
would call for a re-assessment.

A threshold is the peer-quartile boundary one step below where the metric
stands today, read in the metric's own direction (from the catalog): a
metric in the peers' top quarter is watched against the top-quartile
boundary (crossing it means the lead on that metric is gone), one in the
second quarter against the peer median, one below the median against the
bottom-quartile boundary. The quartiles come from the peer panel when the
percentile was read from it, otherwise from the baseline quantiles of the
reference group (:mod:`analysis_lib.reference.baselines`), so a threshold is
never a hard-coded number.

Owners, data sources and measurement frequency are those of the KPI
tracking table (``data/kpi_tracking.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.plan.scorecard import load_tracking
from analysis_lib.reference.baselines import load_baselines
from analysis_lib.reference.catalog import load_catalog

LEADS_SHOWN = 3
"""Metrics shown as the lead (the strongest against peers)."""
THINNEST_SHOWN = 3
"""Metrics shown as the thinnest lead (closest to their threshold)."""
BEHIND_SHOWN = 2
"""Metrics below the peer median shown (the weakest first)."""
SLIPPING_SHOWN = 2
"""Metrics that worsened since the previous period shown (the most first)."""
CONSECUTIVE_READINGS = 2
"""Readings beyond a threshold in a row that call for a re-assessment: one
reading can be noise (a quarter-end effect, a one-off), two are a trend."""
ROLES = ("lead", "thinnest", "behind", "slipping")
LEVELS = {"top_quartile": 75.0, "median": 50.0, "bottom_quartile": 25.0}
"""Threshold kinds and the performance percentile each boundary sits at."""


def peer_quartiles(scorecard: pd.DataFrame, frame: pd.DataFrame, peer_group: str) -> pd.DataFrame:
    """P25, P50 and P75 (raw, in the metric's unit) of each metric's
    reference distribution: the peer group's values in the panel when the
    percentile was read from the panel, else the baseline quantiles of the
    reference group.

    Parameters
    ----------
    scorecard : pandas.DataFrame
        One institution's positioning rows (``metric_id, reference``).
    frame : pandas.DataFrame
        The latest panel (``institution_id, peer_group`` and metric columns).
    peer_group : str
        The peer group compared with.

    Examples
    --------
    >>> card = pd.DataFrame({"metric_id": ["nps"], "reference": ["baseline:all_banks"]})
    >>> q = peer_quartiles(card, pd.DataFrame({"peer_group": [], "nps": []}), "city_commercial")
    >>> bool(q.at["nps", "p25"] <= q.at["nps", "p50"] <= q.at["nps", "p75"])
    True
    """
    baselines = load_baselines()
    peers = frame[frame["peer_group"] == peer_group]
    rows = {}
    for metric, reference in zip(scorecard["metric_id"], scorecard["reference"].astype(str)):
        if reference == "panel" and metric in peers:
            rows[metric] = peers[metric].dropna().astype(float).quantile([0.25, 0.5, 0.75]).to_numpy()
        else:
            group = reference.split(":", 1)[1] if reference.startswith("baseline:") else "all_banks"
            rows[metric] = baselines.loc[(group, metric), ["p25", "p50", "p75"]].to_numpy(float)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["p25", "p50", "p75"])


def previous_change(data: pd.DataFrame, institution_id: str, metrics: list[str]) -> pd.Series:
    """Change of each metric since the institution's previous period, signed
    so that a positive change is an improvement (the catalog's direction);
    NaN without a previous period.

    Examples
    --------
    >>> data = pd.DataFrame({"institution_id": ["A", "A"], "period": ["2023", "2024"], "nps": [40.0, 35.0]})
    >>> float(previous_change(data, "A", ["nps"])["nps"])
    -5.0
    """
    out = pd.Series(np.nan, index=metrics, dtype=float)
    if "period" not in data.columns:
        return out
    own = data[data["institution_id"] == institution_id].dropna(subset=["period"]).sort_values("period")
    if len(own) < 2:
        return out
    sign = load_catalog().sign().reindex(metrics).fillna(1.0)
    last, before = own.iloc[-1].reindex(metrics).astype(float), own.iloc[-2].reindex(metrics).astype(float)
    return (last - before) * sign


def lead_watchlist(scorecard: pd.DataFrame, quartiles: pd.DataFrame, change: pd.Series | None = None,
                   tracking: pd.DataFrame | None = None) -> pd.DataFrame:
    """The KPIs to monitor, with the reading that triggers a re-assessment.

    Parameters
    ----------
    scorecard : pandas.DataFrame
        One institution's positioning rows (``metric_id, value, percentile``).
    quartiles : pandas.DataFrame
        :func:`peer_quartiles` of the same metrics.
    change : pandas.Series, optional
        :func:`previous_change` (improvement positive).
    tracking : pandas.DataFrame, optional
        Owner, data source and frequency per KPI (default
        ``data/kpi_tracking.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per watched metric, by role (``lead``, ``thinnest``,
        ``behind``, ``slipping``): ``metric_id, role, value, percentile,
        threshold, level`` (``top_quartile``, ``median`` or
        ``bottom_quartile``), ``headroom`` (distance to the threshold in
        interquartile ranges, positive = on the good side), ``change``,
        and the tracking columns.

    Examples
    --------
    >>> card = pd.DataFrame({"metric_id": ["nps", "complaints_per_10k"], "value": [60.0, 2.0], "percentile": [95.0, 60.0]})
    >>> q = pd.DataFrame({"p25": [20.0, 1.5], "p50": [30.0, 2.1], "p75": [40.0, 3.0]}, index=["nps", "complaints_per_10k"])
    >>> w = lead_watchlist(card, q)
    >>> w[["metric_id", "role", "threshold", "level"]].values.tolist()
    [['nps', 'lead', 40.0, 'top_quartile'], ['complaints_per_10k', 'thinnest', 2.1, 'median']]
    """
    tracking = load_tracking() if tracking is None else tracking
    sign = load_catalog().sign()
    card = scorecard.dropna(subset=["percentile", "value"]).set_index("metric_id")
    card = card[card.index.isin(quartiles.index)]
    q = quartiles.reindex(card.index)
    lower = sign.reindex(card.index).lt(0).to_numpy()
    pct = card["percentile"].astype(float)
    level = np.where(pct >= LEVELS["top_quartile"], "top_quartile", np.where(pct >= LEVELS["median"], "median", "bottom_quartile"))
    good_side = {"top_quartile": np.where(lower, q["p25"], q["p75"]), "median": q["p50"].to_numpy(),
                 "bottom_quartile": np.where(lower, q["p75"], q["p25"])}
    threshold = np.select([level == k for k in LEVELS], [good_side[k] for k in LEVELS])
    spread = (q["p75"] - q["p25"]).abs().replace(0.0, np.nan).to_numpy()
    signs = sign.reindex(card.index).fillna(1.0).to_numpy()
    headroom = (card["value"].astype(float).to_numpy() - threshold) * signs / spread
    strength = (card["value"].astype(float).to_numpy() - q["p50"].to_numpy()) * signs / spread
    table = pd.DataFrame({"value": card["value"].astype(float), "percentile": pct, "threshold": threshold, "level": level,
                          "headroom": headroom, "strength": strength,
                          "change": (change if change is not None else pd.Series(dtype=float)).reindex(card.index).astype(float)})
    chosen: dict[str, str] = {}
    leads = table[table["level"] == "top_quartile"].sort_values(["percentile", "strength"], ascending=False).head(LEADS_SHOWN)
    chosen.update(dict.fromkeys(leads.index, "lead"))
    above = table[(table["percentile"] >= LEVELS["median"]) & ~table.index.isin(list(chosen))]
    chosen.update(dict.fromkeys(above.sort_values("headroom").head(THINNEST_SHOWN).index, "thinnest"))
    behind = table[(table["percentile"] < LEVELS["median"]) & ~table.index.isin(list(chosen))]
    chosen.update(dict.fromkeys(behind.sort_values("percentile").head(BEHIND_SHOWN).index, "behind"))
    slipping = table[(table["change"] < 0) & ~table.index.isin(list(chosen))]
    worst = (slipping["change"] / pd.Series(spread, index=table.index).reindex(slipping.index)).sort_values()  # in IQRs: units differ
    chosen.update(dict.fromkeys(worst.head(SLIPPING_SHOWN).index, "slipping"))
    watched = table.loc[list(chosen)].assign(role=[chosen[m] for m in chosen])
    watched = watched.join(tracking, how="left").drop(columns="strength")
    order = {r: i for i, r in enumerate(ROLES)}
    watched = watched.iloc[np.argsort([order[r] for r in watched["role"]], kind="stable")]
    return watched.rename_axis("metric_id").reset_index()
