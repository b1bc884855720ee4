"""Industry baselines: per peer group and metric, the quantiles p10…p90 with
sample size, source, year and a confidence flag.

Quantiles describe the distribution of the metric's *value* (ascending); the
catalog's direction says which end is good.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import _read_reference_csv, data_dir, load_catalog, load_peer_groups

QUANTILE_COLUMNS: tuple[str, ...] = ("p10", "p25", "p50", "p75", "p90")
QUANTILE_LEVELS: tuple[float, ...] = (0.10, 0.25, 0.50, 0.75, 0.90)
CONFIDENCE_LEVELS: tuple[str, ...] = ("public", "template", "assumption")
FALLBACK_GROUP = "all_banks"


def _fail(message: str) -> None:
    raise InputDataError(f"data/baselines.csv: {message}")


@lru_cache(maxsize=4)
def _load_baselines(directory: str) -> pd.DataFrame:
    table = _read_reference_csv("baselines.csv")
    catalog = load_catalog()
    groups = load_peer_groups()
    for column in (*QUANTILE_COLUMNS, "n", "year"):
        table[column] = pd.to_numeric(table[column], errors="raise").astype(float)
    unknown_metrics = sorted(set(table["metric_id"]) - set(catalog.ids))
    if unknown_metrics:
        _fail(f"metrics not in the catalog: {unknown_metrics}")
    unknown_groups = sorted(set(table["peer_group"]) - set(groups.index))
    if unknown_groups:
        _fail(f"peer groups not in data/peer_groups.csv: {unknown_groups}")
    if table.duplicated(["peer_group", "metric_id"]).any():
        _fail("duplicate (peer_group, metric_id) rows")
    bad_conf = sorted(set(table["confidence"]) - set(CONFIDENCE_LEVELS))
    if bad_conf:
        _fail(f"confidence must be one of {CONFIDENCE_LEVELS}, found {bad_conf}")
    if table["source"].fillna("").str.strip().eq("").any():
        _fail("every row needs a source")
    for column in ("source_zh", "note_zh"):
        if column not in table.columns:
            _fail(f"missing column {column!r} (the Chinese report's wording of source and note)")
    untranslated = table["source_zh"].fillna("").str.strip().eq("") | (table["note"].notna() & table["note_zh"].isna())
    if untranslated.any():
        row = table[untranslated].iloc[0]
        _fail(f"row {row['peer_group']}/{row['metric_id']}: source_zh and note_zh must give the source and note in Chinese")
    q = table[list(QUANTILE_COLUMNS)].to_numpy()
    unordered = np.flatnonzero((np.diff(q, axis=1) < 0).any(axis=1))
    if unordered.size:
        row = table.iloc[unordered[0]]
        _fail(f"quantiles must ascend p10 <= ... <= p90 (row {row['peer_group']}/{row['metric_id']})")
    table["year"] = table["year"].astype(int)
    return table.set_index(["peer_group", "metric_id"]).sort_index()


def load_baselines() -> pd.DataFrame:
    """Load and validate ``data/baselines.csv``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(peer_group, metric_id)`` with float columns
        ``p10 … p90, n`` and ``source, year, confidence, note`` with the
        Chinese wording of source and note in ``source_zh, note_zh``.

    Examples
    --------
    >>> b = load_baselines()
    >>> b.loc[("large_state_owned", "cost_to_income"), "confidence"]
    'public'
    """
    return _load_baselines(str(data_dir()))


def baseline_quantiles(peer_group: str, metric_ids: list[str] | None = None) -> pd.DataFrame:
    """Quantile table (metrics × p10…p90) of one peer group.

    Metrics the group has no row for are taken from ``all_banks`` and flagged
    in the ``from_group`` column.

    Examples
    --------
    >>> q = baseline_quantiles("joint_stock", ["cost_to_income"])
    >>> float(q.loc["cost_to_income", "p50"])
    0.298
    """
    table = load_baselines()
    metric_ids = metric_ids or load_catalog().ids
    rows = []
    for metric_id in metric_ids:
        group = peer_group if (peer_group, metric_id) in table.index else FALLBACK_GROUP
        row = table.loc[(group, metric_id), list(QUANTILE_COLUMNS)].astype(float)
        rows.append(row.rename(metric_id).to_frame().T.assign(from_group=group))
    return pd.concat(rows)
