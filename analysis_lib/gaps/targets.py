"""Target sets: what each metric should reach, chosen per run and comparable
side by side.

- ``template``: the methodology template's programme goals
  (``data/template_targets.csv``; relative changes or absolute levels).
- ``top_quartile``: the peer group's 75th performance percentile (p75 for
  higher-is-better, p25 for lower-is-better metrics).
- ``best_in_class``: the 90th performance percentile (p90 / p10).
- ``frontier``: the DEA target CRM cost, as a CRM cost ratio.
- ``custom``: a CSV ``metric_id, target``.

Peer quantiles come from the panel when the group has enough reporting
institutions (the positioning rule), else from the baselines. A target never
makes a metric worse than today: it is capped at the current value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.positioning import MIN_PEERS
from analysis_lib.errors import InputDataError
from analysis_lib.reference.baselines import FALLBACK_GROUP, load_baselines
from analysis_lib.reference.catalog import MetricCatalog, data_dir, load_catalog

TARGET_SETS = ("template", "top_quartile", "best_in_class", "frontier", "custom")


def _peer_quantile(frame: pd.DataFrame, peer_group: str, metric_id: str, level: float, min_peers: int) -> tuple[float, str]:
    peers = frame.loc[frame["peer_group"] == peer_group, metric_id].dropna() if metric_id in frame else pd.Series(dtype=float)
    if len(peers) >= min_peers:
        return float(peers.quantile(level)), "panel"
    baselines = load_baselines()
    group = peer_group if (peer_group, metric_id) in baselines.index else FALLBACK_GROUP
    row = baselines.loc[(group, metric_id)]
    column = {0.10: "p10", 0.25: "p25", 0.75: "p75", 0.90: "p90"}[level]
    return float(row[column]), f"baseline:{group}"


def load_template_targets() -> pd.DataFrame:
    """The template's programme goals, ``data/template_targets.csv``."""
    return pd.read_csv(data_dir() / "template_targets.csv")


def load_custom_targets(path: str | Path, catalog: MetricCatalog | None = None) -> tuple[dict[str, float], list[str]]:
    """Read a custom target file ``metric_id, target``.

    Returns the usable targets and a list of problems (unknown metrics,
    non-numeric or out-of-range targets), each naming the row; the usable
    rows are kept so that the rest of the analysis is still produced.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("metric_id,target\\nnps,40\\nnps_typo,3\\n")
    >>> load_custom_targets(p)
    ({'nps': 40.0}, ["t.csv, row 3: unknown metric 'nps_typo'; expected a metric_id from data/metrics.csv"])
    """
    catalog = catalog or load_catalog()
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InputDataError(f"{path.name}: cannot read the custom target file ({exc})") from None
    if not {"metric_id", "target"} <= set(table.columns):
        raise InputDataError(f"{path.name}: expected the columns metric_id, target; found {list(table.columns)}")
    targets, problems = {}, []
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        metric_id = row.metric_id.strip()
        if metric_id not in catalog:
            problems.append(f"{path.name}, row {row_number}: unknown metric {metric_id!r}; expected a metric_id from data/metrics.csv")
            continue
        try:
            value = float(row.target)
        except ValueError:
            problems.append(f"{path.name}, row {row_number}: target {row.target!r} for {metric_id} is not a number")
            continue
        low, high = catalog.table.loc[metric_id, ["min", "max"]]
        if not low <= value <= high:
            problems.append(f"{path.name}, row {row_number}: target {value:g} for {metric_id} is outside {low:g}..{high:g}")
            continue
        targets[metric_id] = value
    return targets, problems


def raw_targets(target_set: str, current: pd.Series, peer_group: str, frame: pd.DataFrame, *, frontier_target_cost: float | None = None,
                revenue: float | None = None, custom: dict[str, float] | None = None, min_peers: int = MIN_PEERS,
                catalog: MetricCatalog | None = None) -> pd.DataFrame:
    """Targets of one set for one institution, before capping.

    Returns a frame indexed by metric with ``target`` (NaN where the set has
    none) and ``basis`` (how it was derived).
    """
    catalog = catalog or load_catalog()
    if target_set not in TARGET_SETS:
        raise InputDataError(f"unknown target set {target_set!r}; expected one of {', '.join(TARGET_SETS)}")
    rows = {}
    lower = catalog.lower_is_better()
    if target_set == "template":
        for row in load_template_targets().itertuples(index=False):
            base = current.get(row.metric_id, np.nan)
            value = base * (1 + row.value) if row.mode == "relative" else row.value
            rows[row.metric_id] = (value, f"template: {row.source_note}")
    elif target_set in ("top_quartile", "best_in_class"):
        good = 0.75 if target_set == "top_quartile" else 0.90
        for metric_id in catalog.ids:
            level = 1 - good if lower[metric_id] else good
            value, reference = _peer_quantile(frame, peer_group, metric_id, round(level, 2), min_peers)
            rows[metric_id] = (value, f"{target_set.replace('_', ' ')} of {peer_group} ({reference})")
    elif target_set == "frontier":
        if frontier_target_cost is not None and revenue and np.isfinite(frontier_target_cost):
            rows["crm_opex_ratio"] = (frontier_target_cost / revenue, "DEA frontier target CRM cost / revenue")
    else:
        for metric_id, value in (custom or {}).items():
            rows[metric_id] = (value, "custom target file")
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["target", "basis"]).reindex(catalog.ids)
    table.index.name = "metric_id"
    return table


def cap_at_current(targets: pd.Series, current: pd.Series, catalog: MetricCatalog | None = None) -> pd.Series:
    """Never make a metric worse than today: max(target, current) for
    higher-is-better metrics, min for lower-is-better ones.

    Examples
    --------
    >>> cap_at_current(pd.Series({"nps": 10.0, "cost_to_income": 0.5}), pd.Series({"nps": 30.0, "cost_to_income": 0.4})).tolist()
    [30.0, 0.4]
    """
    catalog = catalog or load_catalog()
    lower = catalog.lower_is_better().reindex(targets.index)
    current = current.reindex(targets.index)
    capped = np.where(lower, np.fmin(targets, current), np.fmax(targets, current))
    capped = np.where(targets.isna() | current.isna(), targets, capped)
    return pd.Series(capped, index=targets.index, name="target")
