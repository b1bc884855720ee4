"""Command line: ``crm-diag``, a thin layer over the library.

Exit codes: 0 success, 1 problems found in the input (``validate``) or
reports that failed (``batch``), 2 unusable input or usage (unreadable file,
bad parameter, an output folder that cannot be written: disk full,
read-only), 130 interrupted. User mistakes print one clear message, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis_lib.errors import UnreadableFileError, WorkbookError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


def _cmd_validate(args: argparse.Namespace) -> int:
    from analysis_lib.intake.panel import validate_panel_file

    report = validate_panel_file(args.file)
    if args.format == "json":
        print(report.to_frame().to_json(orient="records", force_ascii=False, indent=1))
    else:
        print(report.format())
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _cmd_template(args: argparse.Namespace) -> int:
    from analysis_lib.intake.template import write_intake_template

    path = write_intake_template(args.out)
    print(f"wrote the intake template to {path}")
    return EXIT_OK


def _cmd_sample_data(args: argparse.Namespace) -> int:
    from analysis_lib.customers.sample_extract import write_sample_extract
    from analysis_lib.reference.sample import write_sample_history, write_sample_panel

    path = write_sample_panel(args.out, seed=args.seed)
    print(f"wrote the synthetic sample panel to {path}")
    if args.out is None:
        extract = write_sample_extract()
        print(f"wrote the synthetic sample customer extract to {extract} and its mapping beside it")
        from analysis_lib.report.review_sample import write_review_sample

        history = write_sample_history(seed=args.seed)
        print(f"wrote the synthetic multi-period panel to {history}")
        for written in write_review_sample(history=history):
            print(f"wrote the progress-review sample {written}")
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    from analysis_lib.report.review_export import render_review

    summary = args.summary or Path("outputs") / "reports" / f"{args.institution_id}.summary.json"
    params = {"institution_id": args.institution_id, "panel_path": str(args.panel), "baseline_period": args.baseline,
              "review_period": args.period, "diagnosis_summary": str(summary), "actuals_path": str(args.actuals or ""),
              "language": args.language}
    formats = _report_formats(args.formats)
    if formats is None:
        return EXIT_USAGE
    return _print_files(render_review(args.out, formats=formats, timeout=args.timeout, **params))


REVIEW_FORMATS = ("html", "pdf")
DIAGNOSTIC_FORMATS = ("html", "pdf", "pptx", "xlsx")


def _report_formats(text: str, allowed: tuple[str, ...] = REVIEW_FORMATS) -> tuple[str, ...] | None:
    """The formats of ``--formats`` (a comma-separated subset of
    ``allowed``); None after printing why when they are not."""
    formats = tuple(f.strip() for f in text.split(",") if f.strip())
    if not formats or set(formats) - set(allowed):
        print(f"crm-diag: --formats must be a comma-separated list of {', '.join(allowed)}; got {text!r}", file=sys.stderr)
        return None
    return formats


def _print_files(files) -> int:
    """List a report's files (and why a PDF is missing)."""
    for label, path in (("HTML", files.html), ("PDF", files.pdf), ("summary", files.summary), ("deck", getattr(files, "pptx", None)),
                        ("data pack", getattr(files, "xlsx", None))):
        if path:
            print(f"{label}: {path}")
    if files.message:
        print(files.message, file=sys.stderr)
    return EXIT_OK


def _pairs(pairs: list[list[str]] | None) -> dict[str, str]:
    return {name: value for name, value in (pairs or [])}


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis_lib.report.deck import check_template
    from analysis_lib.report.export import render_report
    from analysis_lib.report.parameters import validate_parameters

    params = validate_parameters({**_pairs(args.param), "institution_id": args.institution_id})
    formats = _report_formats(args.formats, DIAGNOSTIC_FORMATS)
    if formats is None:
        return EXIT_USAGE
    template = check_template(args.deck_template) if "pptx" in formats else ""
    return _print_files(render_report(args.out, formats=formats, timeout=args.timeout, deck_template=template, **params))


def _cmd_batch(args: argparse.Namespace) -> int:
    from analysis_lib.batch.runner import BatchInterrupted, run_batch
    from analysis_lib.report.deck import check_template

    formats = _report_formats(args.formats, REVIEW_FORMATS if args.review else DIAGNOSTIC_FORMATS)
    if formats is None:
        return EXIT_USAGE
    template = check_template(args.deck_template) if "pptx" in formats else ""
    try:
        result = run_batch(args.panel, institutions=args.institutions, peer_group=args.peer_group, formats=formats, workers=args.workers,
                           deck_template=template,
                           timeout=args.timeout, out=args.out, run_id=args.run_id, resume=args.resume, params=_pairs(args.param),
                           scheduler=args.scheduler, notebook=args.notebook, progress=not args.quiet,
                           kind="review" if args.review else "diagnostic")
    except BatchInterrupted as stop:
        print(f"\ncrm-diag: {stop}\n  to finish it: crm-diag batch --panel {args.panel} --out {args.out} --run-id {stop.run_dir.name} "
              "--resume (with the same selection and parameters)", file=sys.stderr)
        return EXIT_INTERRUPTED
    code = result.exit_code
    if not args.no_summary:
        from analysis_lib.batch.portfolio import PortfolioError, render_portfolio

        try:
            render_portfolio(result.run_dir, formats=tuple(f for f in formats if f in REVIEW_FORMATS))
        except PortfolioError as exc:
            print(f"crm-diag: {exc}", file=sys.stderr)
            code = EXIT_PROBLEMS
    if "xlsx" in formats and not args.review:
        from analysis_lib.batch.portfolio_datapack import write_portfolio_datapack

        print(f"portfolio data pack: {write_portfolio_datapack(result.run_dir)}")
    ok = len(result.outcomes) - len(result.failed)
    print(f"{ok} of {len(result.outcomes)} institutions complete; run folder {result.run_dir}")
    for outcome in result.failed:
        print(f"  {outcome.institution_id}: {outcome.status}: {outcome.error}")
    if result.pdf_missing:
        from analysis_lib.report.export import NO_BROWSER_HELP

        print(f"crm-diag: {NO_BROWSER_HELP.replace('the HTML report is complete', 'the HTML reports are complete')}", file=sys.stderr)
    return code


def _cmd_customers_map(args: argparse.Namespace) -> int:
    from analysis_lib.customers.extract import read_extract_table
    from analysis_lib.customers.mapping import REQUIRED_ROLES, propose_mapping, write_mapping

    mapping = propose_mapping(read_extract_table(args.extract), args.extract.name)
    out = args.out or args.extract.with_name(f"{args.extract.stem}.mapping.yaml")
    if out.exists() and not args.force:
        print(f"crm-diag: {out} exists; use --force to overwrite it or --out for another file", file=sys.stderr)
        return EXIT_USAGE
    write_mapping(mapping, out)
    for entry in mapping.columns:
        labels = f"  values {entry.values}" if entry.values else ""
        print(f"  {entry.column!s:<28} {entry.role:<12} {entry.type}{labels}")
    for note in mapping.notes:
        print(f"note: {note}")
    print(f"book_type {mapping.book_type}, tenure_unit {mapping.tenure_unit or '-'}, currency {mapping.currency}")
    print(f"wrote the proposed mapping to {out}; check it, then: crm-diag customers validate {args.extract} --mapping {out}")
    return EXIT_OK if all(mapping.column_for(r) for r in REQUIRED_ROLES) else EXIT_PROBLEMS


def _cmd_customers_validate(args: argparse.Namespace) -> int:
    from analysis_lib.customers.extract import validate_customer_extract

    report = validate_customer_extract(args.extract, args.mapping)
    print(report.format())
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _cmd_demo(args: argparse.Namespace) -> int:
    from analysis_lib.demo import run_demo

    return run_demo(panel_path=args.panel, out_dir=args.out, reports=not args.no_reports)


def build_parser() -> argparse.ArgumentParser:
    """The ``crm-diag`` argument parser."""
    from analysis_lib.reference.catalog import data_dir
    from analysis_lib.reference.sample import SAMPLE_SEED

    parser = argparse.ArgumentParser(prog="crm-diag", description="CRM Diagnostic Workbook: benchmark, gap analysis and business case.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a panel file (CSV or XLSX) and list every problem")
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_cmd_validate)

    p = sub.add_parser("template", help="write the Excel intake template")
    p.add_argument("out", type=Path)
    p.set_defaults(run=_cmd_template)

    p = sub.add_parser("sample-data", help="regenerate the synthetic sample panel")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--seed", type=int, default=SAMPLE_SEED)
    p.set_defaults(run=_cmd_sample_data)

    p = sub.add_parser("customers", help="customer extracts: propose a column mapping, validate an extract")
    customers = p.add_subparsers(dest="customers_command", required=True)
    q = customers.add_parser("map", help="propose a mapping (YAML) from the extract's headers and values")
    q.add_argument("extract", type=Path)
    q.add_argument("--out", type=Path, default=None, help="mapping file to write (default: EXTRACT.mapping.yaml beside it)")
    q.add_argument("--force", action="store_true", help="overwrite an existing mapping file")
    q.set_defaults(run=_cmd_customers_map)
    q = customers.add_parser("validate", help="check an extract against its mapping and list every problem")
    q.add_argument("extract", type=Path)
    q.add_argument("--mapping", type=Path, default=None, help="mapping file (default: the mapping proposed from the headers)")
    q.set_defaults(run=_cmd_customers_validate)

    p = sub.add_parser("demo", help="run the main job on the bundled sample panel")
    p.add_argument("--panel", type=Path, default=data_dir() / "sample" / "institutions.csv")
    p.add_argument("--out", type=Path, default=Path("outputs") / "demo")
    p.add_argument("--no-reports", action="store_true", help="tables only, no HTML/PDF reports")
    p.set_defaults(run=_cmd_demo)

    p = sub.add_parser("report", help="write the HTML and PDF diagnostic report of one institution")
    p.add_argument("institution_id")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a report parameter (see: papermill --help-notebook notebooks/institution_diagnostic.ipynb)")
    p.add_argument("--out", type=Path, default=Path("outputs") / "reports")
    p.add_argument("--formats", default="html,pdf", help="comma-separated: html, pdf, pptx (the deck), xlsx (the data pack)")
    p.add_argument("--deck-template", default="", help="the firm's PowerPoint master (.pptx) for the deck (default: the house look)")
    p.add_argument("--timeout", type=int, default=900, help="seconds a notebook cell may run")
    p.set_defaults(run=_cmd_report)

    p = sub.add_parser("review", help="write the progress review of an institution diagnosed earlier (HTML and PDF)")
    p.add_argument("institution_id")
    p.add_argument("--panel", type=Path, default=data_dir() / "sample" / "institutions_history.csv",
                   help="panel with several periods (a period column)")
    p.add_argument("--baseline", required=True, help="period the diagnosis analysed, e.g. 2024")
    p.add_argument("--period", required=True, help="period to review, e.g. 2025")
    p.add_argument("--summary", type=Path, default=None,
                   help="the diagnosis's summary.json (default: outputs/reports/<ID>.summary.json)")
    p.add_argument("--actuals", type=Path, default=None, help="programme actuals since the diagnosis (CSV or XLSX)")
    p.add_argument("--language", choices=("en", "zh"), default="en")
    p.add_argument("--out", type=Path, default=Path("outputs") / "reviews")
    p.add_argument("--formats", default="html,pdf", help="html, pdf or html,pdf")
    p.add_argument("--timeout", type=int, default=900, help="seconds a notebook cell may run")
    p.set_defaults(run=_cmd_review)

    p = sub.add_parser("batch", help="run the diagnostic for many institutions (parallel, resumable)")
    p.add_argument("--panel", type=Path, required=True)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--institutions", nargs="+", metavar="ID")
    group.add_argument("--peer-group")
    p.add_argument("--formats", default="html,pdf", help="comma-separated: html, pdf, pptx (the deck), xlsx (the data pack)")
    p.add_argument("--deck-template", default="", help="the firm's PowerPoint master (.pptx) for the decks")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: CPU count)")
    p.add_argument("--timeout", type=int, default=900, help="seconds a notebook cell may run")
    p.add_argument("--out", type=Path, default=Path("outputs"))
    p.add_argument("--run-id", default=None, help="name of the run folder (default: a new time-stamped id)")
    p.add_argument("--resume", action="store_true", help="re-run only failed or missing institutions of --run-id")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address, or 'local' for a LocalCluster")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"))
    p.add_argument("--notebook", default=None, help="another parameterised notebook with the diagnostic's parameters")
    p.add_argument("--no-summary", action="store_true", help="skip the portfolio summary")
    p.add_argument("--review", action="store_true",
                   help="run the progress review instead of the diagnostic (its -p diagnosis_summary and actuals_path may contain "
                        "{institution_id})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_cmd_batch)
    return parser


def _not_utf8(argument: str) -> bool:
    """Bytes that are not UTF-8 reach Python as lone surrogates."""
    try:
        argument.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``crm-diag``; returns the exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    undecodable = next((a for a in argv if _not_utf8(a)), None)
    if undecodable is not None:
        print(f"crm-diag: argument {ascii(undecodable)} is not valid UTF-8 text; write ids and paths in UTF-8", file=sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except UnreadableFileError as exc:
        print(f"crm-diag: cannot read input: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WorkbookError as exc:
        print(f"crm-diag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
