"""The sample inputs of a progress review (``data/sample/review/``): the
original diagnosis of a sample institution on the baseline year of the
synthetic multi-period panel (its ``summary.json``) and synthetic programme
actuals for the quarters since, with a benefit shortfall, a cost overrun, a
slipped schedule and one risk that occurred.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from analysis_lib.reference.catalog import data_dir
from analysis_lib.reference.sample import DIAGNOSIS_YEAR

REVIEW_SAMPLE = {"institution_id": "CITY-02", "quarters": [f"{DIAGNOSIS_YEAR + 1}Q{q}" for q in range(1, 5)], "benefit_share": 0.75,
                 "cost_overrun": 0.12, "schedule_slip": 0.12, "risks": {"T2": 6_000_000.0}}
"""The designed weak city bank, diagnosed on its baseline year and
improving since; its programme realises three quarters of the planned
benefits, runs 12% over cost and 12% behind schedule, and data-migration
errors (risk T2) occurred."""


def write_review_sample(out_dir: str | Path | None = None, history: str | Path | None = None) -> list[Path]:
    """Run the sample institution's diagnosis on the baseline year of the
    history panel and write its ``summary.json`` and synthetic actuals.

    Examples
    --------
    >>> import tempfile
    >>> sorted(p.name for p in write_review_sample(tempfile.mkdtemp()))  # doctest: +SKIP
    ['CITY-02.actuals.csv', 'CITY-02.summary.json']
    """
    from analysis_lib.report.diagnostic import run_diagnostic
    from analysis_lib.review.actuals import sample_actuals
    from analysis_lib.review.plan_record import load_programme

    out = Path(out_dir) if out_dir else data_dir() / "sample" / "review"
    out.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(history or data_dir() / "sample" / "institutions_history.csv", dtype={"period": str})
    institution = REVIEW_SAMPLE["institution_id"]
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder) / f"institutions_{DIAGNOSIS_YEAR}.csv"
        frame[frame["period"] == str(DIAGNOSIS_YEAR)].to_csv(baseline, index=False)
        diag = run_diagnostic(institution_id=institution, panel_path=str(baseline), mc_draws=5000)
        summary = diag.summary()
    summary_path = out / f"{institution}.summary.json"
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    programme = load_programme(summary_path)
    actuals = sample_actuals(programme, REVIEW_SAMPLE["quarters"], benefit_share=REVIEW_SAMPLE["benefit_share"],
                             cost_overrun=REVIEW_SAMPLE["cost_overrun"], schedule_slip=REVIEW_SAMPLE["schedule_slip"],
                             risks=REVIEW_SAMPLE["risks"])
    actuals_path = out / f"{institution}.actuals.csv"
    actuals.to_csv(actuals_path, index=False, float_format="%.10g")
    return [summary_path, actuals_path]
