"""Portfolio summary at scale: a synthetic run folder of 1,000 institutions'
summaries (:mod:`analysis_lib.batch.synthetic_run`; the summaries, the
manifest and run.json are the only input, no analysis is run again), then
the whole portfolio summary (papermill notebook, HTML, PDF through
Chromium) and the batch index. Target on a 2-core machine: < 30 s for the
portfolio summary of 1,000 institutions, HTML and PDF.

Also prints where the time goes in-process (reading the summaries, the
first wave, the clusters, each section) and the PDF's page count, which
should be the same at 20 and at 1,000 institutions.

Run: .venv/bin/python benchmarks/bench_portfolio.py [--institutions 1000] [--language en|zh] [--compare 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from analysis_lib.batch.index_page import index_html
from analysis_lib.batch.portfolio import clusters, first_wave, load_portfolio, render_portfolio
from analysis_lib.batch.portfolio_report import SECTION_ORDER, section_html
from analysis_lib.batch.synthetic_run import write_synthetic_run

TARGET = 30.0


def _pages(pdf: Path | None) -> int:
    if pdf is None:
        return 0
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def run(institutions: int, language: str, folder: Path) -> tuple[float, int]:
    run_dir = folder / f"synthetic-{institutions}"
    write_synthetic_run(run_dir, institutions=institutions, seed=7, language=language)
    start = time.perf_counter()
    files = render_portfolio(run_dir, language=language)
    wall = time.perf_counter() - start
    pages = _pages(files["pdf"])
    print(f"{institutions:>6} institutions ({language}): portfolio summary HTML + PDF {wall:5.1f} s (target < {TARGET:.0f} s), "
          f"{pages} pages{'' if files['pdf'] else ' (no browser: HTML only)'}")
    steps = {}
    clock = time.perf_counter()
    portfolio = load_portfolio(run_dir)
    steps["read summaries"] = time.perf_counter() - clock
    clock = time.perf_counter()
    first_wave(portfolio)
    steps["first wave"] = time.perf_counter() - clock
    clock = time.perf_counter()
    clusters(portfolio)
    steps["clusters"] = time.perf_counter() - clock
    for key in SECTION_ORDER:
        clock = time.perf_counter()
        section_html(portfolio, key, language)
        steps[f"section {key}"] = time.perf_counter() - clock
    clock = time.perf_counter()
    index_html(portfolio, language)
    steps["index.html"] = time.perf_counter() - clock
    print("        in process: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
    return wall, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--language", default="en", choices=("en", "zh"))
    parser.add_argument("--compare", type=int, default=20, help="also a run of this size, to compare page counts (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        wall, pages = run(args.institutions, args.language, Path(folder))
        if args.compare:
            _, small = run(args.compare, args.language, Path(folder))
            print(f"pages: {small} at {args.compare} institutions, {pages} at {args.institutions}")
    print("OK" if wall < TARGET else f"SLOWER THAN TARGET ({wall:.1f} s > {TARGET:.0f} s)")


if __name__ == "__main__":
    main()
