"""Technology and vendor selection matrix (template §3.3, §5.2): weighted
multi-criteria scoring with a weight-sensitivity check.

Scores are 1–5 per criterion with higher always better (so ``cost`` and
``risk`` are scored as cheapness and safety). The weighted score is
``Σ w_k s_k / Σ w_k``. The sensitivity check moves one weight at a time by
up to ±``max_change`` (relative) and reports the smallest change that puts
another option first; a ranking that flips under a change of ``fragile``
(20% by default) or less is flagged as fragile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

TIE = 1e-9
"""Weighted scores closer than this are tied."""


def load_criteria() -> pd.DataFrame:
    """Default criteria and weights, ``data/vendor_criteria.csv``."""
    return pd.read_csv(data_dir() / "vendor_criteria.csv").set_index("criterion")


def load_options(path=None) -> pd.DataFrame:
    """Options to compare (``data/vendor_options.csv`` by default)."""
    return pd.read_csv(path or data_dir() / "vendor_options.csv").set_index("option")


def score_options(options: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Weighted score and rank of every option, best first (tied options
    keep their listed order).

    Examples
    --------
    >>> opts = pd.DataFrame({"a": [5, 1], "b": [1, 4]}, index=["X", "Y"])
    >>> score_options(opts, pd.Series({"a": 0.5, "b": 0.5}))["score"].tolist()
    [3.0, 2.5]
    """
    missing = [c for c in weights.index if c not in options.columns]
    if missing:
        raise InputDataError(f"options lack scores for the criteria {missing}")
    if (weights < 0).any() or weights.sum() <= 0:
        raise InputDataError("criterion weights must be non-negative and not all zero")
    scores = options[weights.index].astype(float)
    if ((scores < 1) | (scores > 5)).any().any():
        raise InputDataError("option scores must be between 1 and 5")
    total = scores.to_numpy() @ weights.to_numpy() / weights.sum()
    result = pd.DataFrame({"score": total}, index=options.index)
    result["rank"] = result["score"].rank(ascending=False, method="min").astype(int)
    return result.sort_values("score", ascending=False, kind="stable")


def weight_sensitivity(options: pd.DataFrame, weights: pd.Series, max_change: float = 0.5, fragile: float = 0.2,
                       steps: int = 101) -> pd.DataFrame:
    """Smallest relative change of each single weight that brings another
    option level with the leader or ahead of it.

    Returns
    -------
    pandas.DataFrame
        Per criterion: ``change_to_flip`` (signed relative change, NaN when no
        change within ±``max_change`` flips the leader), ``new_leader`` and
        ``fragile``.

    Examples
    --------
    >>> opts = pd.DataFrame({"a": [5, 4], "b": [1, 2]}, index=["X", "Y"])
    >>> t = weight_sensitivity(opts, pd.Series({"a": 0.5, "b": 0.5}))
    >>> t.loc["b", "new_leader"]
    'Y'
    """
    leader = score_options(options, weights).index[0]  # validates the scores and weights once
    values = options[weights.index].to_numpy(float)
    base = weights.to_numpy(float)
    leader_at = options.index.get_loc(leader)
    changes = np.linspace(-max_change, max_change, steps)
    changes = changes[np.argsort(np.abs(changes), kind="stable")][1:]  # nearest to today's weights first
    rows = []
    for position, criterion in enumerate(weights.index):
        trials = np.tile(base, (changes.size, 1))
        trials[:, position] *= 1 + changes
        totals = trials @ values.T / trials.sum(axis=1, keepdims=True)
        held = totals[:, leader_at].copy()
        totals[:, leader_at] = -np.inf
        leaders = np.argmax(totals, axis=1)  # the best other option (ties: the listed order)
        flips = np.flatnonzero(totals[np.arange(changes.size), leaders] >= held - TIE)
        change, new_leader = (float(changes[flips[0]]), options.index[leaders[flips[0]]]) if flips.size else (np.nan, None)
        rows.append({"criterion": criterion, "change_to_flip": change, "new_leader": new_leader,
                     "fragile": bool(np.isfinite(change) and abs(change) <= fragile + 1e-9)})
    return pd.DataFrame(rows).set_index("criterion")
