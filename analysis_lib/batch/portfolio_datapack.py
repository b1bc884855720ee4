"""The portfolio data pack of a batch run: ``outputs/<run-id>/portfolio_datapack.xlsx``,
one row per institution with the key results of its ``summary.json`` (the
numbers of its report, deck and data pack) and one row per initiative of
each institution's programme, for a consultant to compare clients or build
the portfolio chart in the firm's template.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis_lib.reference.catalog import DIMENSIONS
from analysis_lib.report.datapack import DataTable, workbook_bytes

FILE_NAME = "portfolio_datapack.xlsx"
COLUMNS = (
    ("institution_id", "Institution", "text"), ("name", "Name", "text"), ("peer_group", "Peer group", "text"),
    ("score_overall", "Overall score", "score"), *((f"score_{d}", f"Score: {d}", "score") for d in DIMENSIONS),
    ("dea_crs", "DEA θ (CRS)", "theta"), ("data_quality", "Data quality", "score"),
    ("value_at_stake", "Value at stake a year", "CNY"), ("addressable_value", "Addressable a year", "CNY"),
    ("risk_adjusted_benefit", "Risk-adjusted benefit a year", "CNY"), ("programme_benefit", "Programme benefit a year", "CNY"),
    ("programme_cost", "Programme cost (TCO)", "CNY"), ("contingency", "Contingency", "CNY"), ("npv", "NPV", "CNY"),
    ("irr", "IRR", "ratio"), ("payback_years", "Payback", "years"), ("prob_npv_positive", "Probability of a positive NPV", "ratio"),
    ("public_benchmark_share", "Share of benchmarks on public data", "ratio"), ("verdict", "Recommendation", "text"),
    ("programme_recommended", "Programme recommended", "text"), ("initiatives", "Programme initiatives", "text"),
    ("warnings", "Plausibility warnings", "text"),
)


def _summaries(run_dir: Path) -> list[dict]:
    from analysis_lib.batch.runner import read_manifest

    found = []
    for row in read_manifest(run_dir).values():
        path = run_dir / str(row.get("folder", "")) / "summary.json"
        if row.get("status") == "ok" and path.is_file():
            found.append(json.loads(path.read_text(encoding="utf-8")))
    return found


def portfolio_tables(run_dir: str | Path) -> list[DataTable]:
    """The portfolio data pack's tables: institutions and their programmes."""
    summaries = _summaries(Path(run_dir))
    rows = []
    for s in summaries:
        row = {key: s.get(key) for key, _, _ in COLUMNS}
        row["verdict"] = (s.get("recommendation") or {}).get("verdict", "")
        row["initiatives"] = ", ".join(s.get("programme_initiatives", []))
        row["warnings"] = " | ".join(s.get("plausibility_warnings", []))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[k for k, _, _ in COLUMNS]).rename(columns={k: label for k, label, _ in COLUMNS})
    institutions = DataTable("institutions", "Institutions", "Key results of every institution (its summary.json)", frame,
                             tuple(u for _, _, u in COLUMNS), "summary.json of each institution's folder")
    lines = []
    for s in summaries:
        record = s.get("programme") or {}
        for item in record.get("initiatives", []):
            lines.append({"Institution": s.get("institution_id"), "Initiative": item.get("initiative_id"),
                          "Planned benefit a year": item.get("annual_benefit"), "One-off cost": item.get("one_off_cost")})
    programme = DataTable("programmes", "Programmes", "The initiatives of each institution's programme",
                          pd.DataFrame(lines, columns=["Institution", "Initiative", "Planned benefit a year", "One-off cost"]),
                          ("text", "text", "CNY", "CNY"), "summary.json: programme")
    return [institutions, programme]


def write_portfolio_datapack(run_dir: str | Path) -> Path:
    """Write ``portfolio_datapack.xlsx`` into a batch run's folder
    (atomically) and link it from the run's ``index.html``."""
    from analysis_lib.batch.runner import read_manifest, write_index
    from analysis_lib.report.export import atomic_write_bytes

    run_dir = Path(run_dir)
    tables = portfolio_tables(run_dir)
    lines = [f"CRM diagnostic portfolio data pack: run {run_dir.name}, {len(tables[0].frame)} institutions.",
             "Money in CNY (yuan), rates as fractions shown as percentages; each header names its unit.",
             "Each row holds the numbers of the institution's report, deck and data pack (its summary.json)."]
    path = run_dir / FILE_NAME
    atomic_write_bytes(path, workbook_bytes(tables, lines, "en"))
    write_index(run_dir, read_manifest(run_dir))
    return path
