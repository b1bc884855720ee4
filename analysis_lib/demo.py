"""The main job on the bundled sample panel: validate it, score its data
quality, position every institution against its peers, and write client
reports (HTML and PDF) for a few sample institutions under ``outputs/``, with
the consultant's commentary, the PowerPoint deck and the Excel data pack of
the first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DEMO_REPORTS = (
    {"institution_id": "CITY-02", "language": "en", "customer_extract": "data/sample/customers.csv",
     "customer_mapping": "data/sample/customers.mapping.yaml", "commentary": "data/sample/commentary/CITY-02.md",
     "formats": ("html", "pdf", "pptx", "xlsx")},
    {"institution_id": "JSB-01", "language": "en"},
    {"institution_id": "RURAL-02", "language": "zh"},
)
"""A designed weak city bank (with the customer extract, the sample interview
commentary, its deck and data pack), a designed strong joint-stock bank, and
a weak rural bank in Chinese."""


def run_demo(panel_path: str | Path, out_dir: str | Path, reports: bool = True) -> int:
    """Validate ``panel_path``, position it, print a summary and write
    ``positioning_summary.csv``, ``dimension_scores.csv``,
    ``positioning_detail.csv``, ``data_quality.csv`` and ``consistency_breaks.csv``
    (the named consistency rules each institution breaks, with the values) to ``out_dir``.

    Returns the exit code: 0, or 1 when the panel does not validate.

    Examples
    --------
    >>> import tempfile
    >>> from analysis_lib.reference.catalog import data_dir
    >>> run_demo(data_dir() / "sample" / "institutions.csv", tempfile.mkdtemp(), reports=False)  # doctest: +ELLIPSIS
    Validated ...
    0
    """
    from analysis_lib.benchmarking.positioning import position_panel, positioning_summary
    from analysis_lib.intake.panel import validate_panel_file
    from analysis_lib.intake.quality import consistency_breaks, quality_scores, quality_summary

    report = validate_panel_file(panel_path)
    if not report.ok:
        print(report.format())
        return 1
    assert report.panel is not None
    latest = report.panel.latest()
    result = position_panel(latest.data)
    summary = positioning_summary(result, latest.data)
    quality = quality_scores(report.panel.data)
    from analysis_lib.report.export import write_csv

    out = Path(out_dir)
    write_csv(summary, out / "positioning_summary.csv")  # text cells neutralised for spreadsheets, written atomically
    write_csv(result.scores, out / "dimension_scores.csv")
    write_csv(result.metrics, out / "positioning_detail.csv", index=False)
    write_csv(quality, out / "data_quality.csv")
    breaks = consistency_breaks(report.panel.data)
    write_csv(breaks.drop(columns="index"), out / "consistency_breaks.csv", index=False)
    print(f"Validated {report.file}: {len(latest.data)} institutions, {len(report.warnings)} warning(s), no errors.")
    print("Data quality (mean, %): " + ", ".join(f"{k} {v:.1f}" for k, v in quality_summary(quality).items()))
    print(f"Consistency rules broken: {len(breaks)} by {breaks['institution_id'].nunique()} institution(s) (consistency_breaks.csv)")
    with pd.option_context("display.width", 120, "display.max_columns", 10):
        print("\nPeer positioning, overall score 0-100 (top and bottom five):")
        print(pd.concat([summary.head(5), summary.tail(5)]).to_string())
    print(f"\nTables written to {out}/")
    if reports:
        _demo_reports(Path(panel_path), out / "reports")
    return 0


def _demo_reports(panel_path: Path, out: Path) -> None:
    from analysis_lib.report.export import PdfPrinter, render_report

    print(f"\nWriting reports to {out}/ ...")
    with PdfPrinter() as printer:
        for demo in DEMO_REPORTS:
            params = {k: v for k, v in demo.items() if k != "formats"}
            files = render_report(out, formats=demo.get("formats", ("html", "pdf")), printer=printer, panel_path=str(panel_path), **params)
            written = ", ".join(str(p.name) for p in (files.html, files.pdf, files.summary, files.pptx, files.xlsx) if p)
            print(f"  {params['institution_id']} ({params['language']}): {written}")
            if files.message:
                print(f"  {files.message}")
