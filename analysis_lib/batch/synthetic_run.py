"""A **synthetic** batch run folder of any size: per-institution
``summary.json`` files, ``manifest.csv`` and ``run.json`` as a batch writes
them, without running a single report. For the portfolio's tests and its
benchmark at 1,000 institutions (the portfolio reads only these files).

Institutions are drawn, with a seed, from four score profiles (the truth the
clusters should find), five peer groups of very different sizes (so that
value concentrates), and verdicts decided by the client report's own rule
(:func:`analysis_lib.report.recommendation.recommend`). No row describes a
real institution.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.reference.catalog import DIMENSIONS
from analysis_lib.reference.sample import synthetic_name
from analysis_lib.report.recommendation import Evidence, recommend

PROFILES = {
    "leaders": (78, 75, 74, 76, 72, 75),
    "lean": (72, 70, 40, 48, 32, 42),
    "laggards": (28, 30, 27, 32, 30, 25),
    "service": (35, 42, 74, 55, 76, 62),
}
"""Score profiles (cost, efficiency, value, compliance, experience, extension)."""
PROFILE_SHARES = (0.2, 0.3, 0.3, 0.2)
GROUPS = {"large_state_owned": (0.02, 6e11), "joint_stock": (0.05, 1.2e11), "city_commercial": (0.30, 1.2e10),
          "rural_commercial": (0.55, 2.5e9), "foreign": (0.08, 3e9)}
"""Peer group: share of institutions and median revenue (CNY a year)."""
PREFIX = {"large_state_owned": "SOB", "joint_stock": "JSB", "city_commercial": "CITY", "rural_commercial": "RURAL", "foreign": "FRGN"}
SCORE_SD = 6.0


def synthetic_summaries(institutions: int = 1000, seed: int = 7) -> tuple[list[dict], pd.Series]:
    """Summaries of ``institutions`` synthetic institutions and the score
    profile each was drawn from (indexed by institution id).

    Examples
    --------
    >>> rows, truth = synthetic_summaries(20, seed=1)
    >>> len(rows), sorted(set(truth)) <= sorted(PROFILES), rows[0]["recommendation"]["verdict"] in ("proceed", "pilot_first",
    ...     "do_not_proceed", "fix_data_first")
    (20, True, True)
    """
    rng = np.random.default_rng(seed)
    names = list(PROFILES)
    groups = list(GROUPS)
    profile_of = rng.choice(len(names), institutions, p=PROFILE_SHARES)
    group_of = rng.choice(len(groups), institutions, p=[GROUPS[g][0] for g in groups])
    counters = dict.fromkeys(groups, 0)
    rows, truth = [], {}
    for k in range(institutions):
        group = groups[group_of[k]]
        counters[group] += 1
        institution_id = f"{PREFIX[group]}-{counters[group]:04d}"
        scores = np.clip(np.asarray(PROFILES[names[profile_of[k]]], float) + rng.normal(0, SCORE_SD, 6), 0, 100)
        overall = float(scores.mean())
        revenue = GROUPS[group][1] * rng.lognormal(0, 0.5)
        value_at_stake = revenue * 0.10 * (1 - overall / 100) * rng.lognormal(0, 0.3)
        benefit = value_at_stake * rng.uniform(0.02, 0.07)
        cost = revenue * 0.003 * rng.lognormal(0, 0.3)
        npv = 4.2 * benefit - cost
        prob = float(1 / (1 + np.exp(-3 * npv / cost)))
        quality = float(np.clip(rng.normal(88, 8), 40, 100))
        breaks = ["crm_cost_vs_tco"] if rng.random() < 0.15 else []
        warnings = ["value at stake above 10% of revenue"] if rng.random() < 0.04 else []
        public = float(rng.uniform(0.1, 0.7))
        evidence = Evidence(npv=npv, npv_p10=npv - 0.8 * cost, prob_npv_positive=prob, payback_years=float(cost / max(benefit, 1.0)),
                            data_quality=quality, public_share=public, consistency_breaks=len(breaks), plausible=not warnings)
        rows.append({
            "institution_id": institution_id, "name": synthetic_name(group, counters[group], "en"), "peer_group": group,
            **{f"score_{d}": float(v) for d, v in zip(DIMENSIONS, scores)}, "score_overall": overall,
            "dea_crs": float(np.clip(overall / 100 + rng.normal(0, 0.08), 0.2, 1.0)), "value_at_stake": value_at_stake,
            "risk_adjusted_benefit": benefit, "programme_cost": cost, "npv": npv, "irr": float(benefit / cost * 0.9 - 0.1),
            "payback_years": float(cost / max(benefit, 1.0)), "prob_npv_positive": prob, "data_quality": quality,
            "plausibility_warnings": warnings, "consistency_breaks": breaks, "recommendation": recommend(evidence).to_dict(),
            "public_benchmark_share": public, "synthetic_peers": False, "programme_recommended": npv > 0,
        })
        truth[institution_id] = names[profile_of[k]]
    return rows, pd.Series(truth, name="profile")


def write_synthetic_run(run_dir: str | Path, institutions: int = 1000, seed: int = 7, failed_share: float = 0.02,
                        language: str = "en") -> pd.Series:
    """Write a synthetic run folder (``summary.json`` per institution,
    ``manifest.csv``, ``run.json``); a ``failed_share`` of the institutions
    failed (no summary). Returns the score profile of every institution.

    Examples
    --------
    >>> import tempfile
    >>> truth = write_synthetic_run(Path(tempfile.mkdtemp()) / "r", institutions=30, seed=3)
    >>> len(truth)
    30
    """
    from analysis_lib.batch.runner import MANIFEST_COLUMNS, write_manifest

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    rows, truth = synthetic_summaries(institutions, seed)
    failed = set(np.random.default_rng(seed + 1).choice(len(rows), int(round(failed_share * len(rows))), replace=False).tolist())
    manifest = {}
    for number, row in enumerate(rows):
        institution_id = row["institution_id"]
        status = "failed" if number in failed else "ok"
        record = dict.fromkeys(MANIFEST_COLUMNS, "")
        record.update({"institution_id": institution_id, "folder": institution_id, "status": status, "duration_s": "4.2",
                       "parameters": json.dumps({"institution_id": institution_id, "language": language}),
                       "error": "cell 4: InputDataError: panel.csv, row 12, column 'revenue': 'n/a' is not a number" if status != "ok" else "",
                       "html": f"{institution_id}.html" if status == "ok" else "", "pdf": f"{institution_id}.pdf" if status == "ok" else ""})
        manifest[institution_id] = record
        if status == "ok":
            (run_dir / institution_id).mkdir(exist_ok=True)
            (run_dir / institution_id / "summary.json").write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    write_manifest(run_dir, manifest)
    (run_dir / "run.json").write_text(json.dumps({"panel": "synthetic_panel.csv", "parameters": {"language": language},
                                                  "created": "2026-11-29T00:00:00Z"}), encoding="utf-8")
    return truth
