"""Frontier efficiency of institutions in a panel: DEA and SFA on the CRM
production model.

The CRM production model (what the platform consumes and what it serves):

- inputs: CRM operating cost (``crm_opex_ratio × revenue``, CNY) and
  employees;
- outputs: active customers and operating revenue.

DEA scores each institution against the best practice of the panel (CRS and
VRS, input-oriented: "the same customers and revenue with θ of the cost and
staff"), names the peers to learn from and the target inputs. SFA fits a
Cobb–Douglas cost frontier of CRM cost on customers and revenue; whether its
inefficiency term is significant (LR test at 5%, Kodde–Palm critical value
2.706) is recorded in ``attrs`` so that a report does not over-read it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.dea import dea, super_efficiency
from analysis_lib.benchmarking.sfa import sfa
from analysis_lib.errors import InputDataError

FRONTIER_INPUTS = ("crm_cost", "employees")
FRONTIER_OUTPUTS = ("customers", "revenue")


def frontier_data(frame: pd.DataFrame) -> pd.DataFrame:
    """Inputs and outputs of the CRM production model, indexed by
    institution; institutions missing any of them are dropped.

    Examples
    --------
    >>> f = frontier_data(pd.DataFrame({"institution_id": ["A"], "crm_opex_ratio": [0.01], "revenue": [1e9],
    ...                                 "employees": [100], "customers": [5e5]}))
    >>> float(f.loc["A", "crm_cost"])
    10000000.0
    """
    needed = ["institution_id", "crm_opex_ratio", "revenue", "employees", "customers"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputDataError(f"frontier analysis needs the columns {missing}")
    data = frame.set_index("institution_id")
    out = pd.DataFrame({
        "crm_cost": data["crm_opex_ratio"] * data["revenue"],
        "employees": data["employees"],
        "customers": data["customers"],
        "revenue": data["revenue"],
    })
    return out[(out > 0).all(axis=1)].dropna()


def frontier_efficiency(frame: pd.DataFrame) -> pd.DataFrame:
    """DEA (CRS, VRS, scale, super-efficiency) and SFA cost efficiency of
    every institution, with the DEA peers and target CRM cost.

    ``sfa_cost_efficiency`` is NaN for every institution when the SFA's
    one-sided LR test does not find significant inefficiency
    (``attrs["sfa_inefficiency_significant"]`` False): the model then cannot
    separate inefficiency from noise for this peer set, and its scores of
    about 1 would read as "perfectly efficient". The DEA scores are kept.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``institution_id``: ``dea_crs, dea_vrs, scale_efficiency,
        super_efficiency, sfa_cost_efficiency, peers, crm_cost,
        target_crm_cost``.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv").latest().data
    >>> eff = frontier_efficiency(panel)
    >>> bool(eff["dea_crs"].between(0, 1).all())
    True
    """
    data = frontier_data(frame)
    x, y = data[list(FRONTIER_INPUTS)], data[list(FRONTIER_OUTPUTS)]
    crs = dea(x, y, "crs", "input")
    vrs = dea(x, y, "vrs", "input", slacks=False)
    sup = super_efficiency(x, y, "crs", "input")
    try:
        fit = sfa(data, "crm_cost", list(FRONTIER_OUTPUTS), kind="cost")
        gamma, lr, significant = fit.gamma, fit.lr_statistic, fit.inefficiency_significant
        # without significant inefficiency every score is about 1 by construction: no score rather than "perfectly efficient"
        cost = fit.efficiency if significant else pd.Series(np.nan, index=data.index)
    except InputDataError:
        cost, gamma, lr, significant = pd.Series(np.nan, index=data.index), np.nan, np.nan, False
    peers = crs.peers().groupby("dmu")["peer"].apply(", ".join)
    result = pd.DataFrame({
        "dea_crs": crs.efficiency,
        "dea_vrs": vrs.efficiency,
        "scale_efficiency": crs.efficiency / vrs.efficiency,
        "super_efficiency": sup["score"],
        "sfa_cost_efficiency": cost,
        "peers": peers.reindex(data.index),
        "crm_cost": data["crm_cost"],
        "target_crm_cost": crs.targets["crm_cost"],
    })
    result.index.name = "institution_id"
    result.attrs.update({"sfa_gamma": gamma, "sfa_lr_statistic": lr, "sfa_inefficiency_significant": significant})
    return result


def _default_cache_dir():
    import tempfile
    from pathlib import Path

    try:
        return Path.home() / ".cache" / "crm-diag"
    except RuntimeError:  # no home directory (some service accounts)
        return Path(tempfile.gettempdir()) / "crm-diag-cache"


def cached_frontier_efficiency(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """:func:`frontier_efficiency`, cached on disk by ``key`` (the panel
    file's SHA-256): every report of a batch shares one panel, so its DEA and
    SFA run once. The cache lives in ``$CRM_DIAG_CACHE`` (default
    ``~/.cache/crm-diag``), keyed also by the version and the frontier code;
    a damaged entry is recomputed.
    """
    import json
    import os
    from pathlib import Path

    from analysis_lib import __version__

    if not key:
        return frontier_efficiency(frame)
    import hashlib

    code = hashlib.sha256(b"".join((Path(__file__).parent / f"{m}.py").read_bytes() for m in ("frontier", "dea", "sfa"))).hexdigest()[:12]
    directory = Path(os.environ.get("CRM_DIAG_CACHE") or _default_cache_dir())
    stem = directory / f"frontier-{key[:32]}-{__version__}-{code}"
    # with_name, not with_suffix: the version's dots would make with_suffix cut the code hash off the key
    table_path, attrs_path = stem.with_name(stem.name + ".parquet"), stem.with_name(stem.name + ".json")
    try:
        table = pd.read_parquet(table_path)
        table.attrs.update(json.loads(attrs_path.read_text(encoding="utf-8")))
        return table
    except (OSError, ValueError):
        pass
    table = frontier_efficiency(frame)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = stem.with_name(stem.name + f".{os.getpid()}.partial.parquet")
        table.to_parquet(partial)
        attrs_path.write_text(json.dumps({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in table.attrs.items()}),
                              encoding="utf-8")
        os.replace(partial, table_path)
    except OSError:
        pass  # an unwritable cache only costs time
    return table


SIZE_BAND = (1 / 3, 3.0)
"""Revenue ratio (peer / institution) of a comparable institution outside
the peer group: within a factor of three either way."""
BEST_PRACTICE = 0.95
"""DEA θ (CRS) from which an institution counts as best practice to learn
from (on or within 5% of the frontier)."""


def learning_peers(efficiency: pd.DataFrame, institution_id: str, frame: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Comparable best-practice institutions to learn from.

    Candidates are institutions on or near the DEA frontier (θ ≥
    :data:`BEST_PRACTICE`) that do better than the institution. They are
    taken first from its own peer group, then, when the group has fewer than
    ``n``, from other groups within the size band (:data:`SIZE_BAND` of its
    revenue); never a bank of a different type and scale. Within each basis
    the closest in size come first.

    Parameters
    ----------
    efficiency : pandas.DataFrame
        :func:`frontier_efficiency` of the panel.
    institution_id : str
        The institution.
    frame : pandas.DataFrame
        The panel rows (``institution_id, peer_group, revenue, customers``).
    n : int
        How many peers at most.

    Returns
    -------
    pandas.DataFrame
        ``peer, peer_group, basis`` (``"peer group"`` or ``"size band"``),
        ``dea_crs``, ``revenue_ratio`` (peer / institution),
        ``cost_per_customer`` and ``own_cost_per_customer`` (CNY a year):
        the reason each is a good model. Empty for an institution that is
        itself best practice with no better comparable unit.

    Examples
    --------
    >>> eff = pd.DataFrame({"dea_crs": [0.5, 1.0, 1.0], "crm_cost": [10.0, 4.0, 50.0]}, index=["A", "B", "C"])
    >>> frame = pd.DataFrame({"institution_id": ["A", "B", "C"], "peer_group": ["city", "city", "state"],
    ...                       "revenue": [100.0, 120.0, 5000.0], "customers": [10.0, 12.0, 400.0]})
    >>> learning_peers(eff, "A", frame)[["peer", "basis"]].to_dict("records")
    [{'peer': 'B', 'basis': 'peer group'}]
    """
    if institution_id not in efficiency.index:
        raise InputDataError(f"{institution_id!r} has no frontier score (missing cost, staff, customers or revenue)")
    data = frame.drop_duplicates("institution_id", keep="last").set_index("institution_id")
    data = data.loc[data.index.intersection(efficiency.index)]
    own = data.loc[institution_id]
    theta = efficiency["dea_crs"].reindex(data.index)
    ratio = data["revenue"] / float(own["revenue"])
    better = (theta >= BEST_PRACTICE) & (theta > float(theta[institution_id]) + 1e-9) & (data.index != institution_id)
    same_group = better & (data["peer_group"] == own["peer_group"])
    in_band = better & ~same_group & ratio.between(*SIZE_BAND)
    closeness = np.abs(np.log(ratio))
    chosen = list(closeness[same_group].sort_values().index[:n])
    chosen += list(closeness[in_band].sort_values().index[:n - len(chosen)])
    cost_per_customer = efficiency["crm_cost"].reindex(data.index) / data["customers"]
    return pd.DataFrame({
        "peer": chosen,
        "peer_group": [data.at[p, "peer_group"] for p in chosen],
        "basis": ["peer group" if same_group[p] else "size band" for p in chosen],
        "dea_crs": [float(theta[p]) for p in chosen],
        "revenue_ratio": [float(ratio[p]) for p in chosen],
        "cost_per_customer": [float(cost_per_customer[p]) for p in chosen],
        "own_cost_per_customer": float(cost_per_customer[institution_id]),
    })
