"""Chart cost: the 11 charts of one report (CITY-02 with the customer
extract), each drawn and encoded as the report embeds it. Target on a
2-core machine: <= 0.7 s for all 11.

The first chart of a process also pays for loading fonts; each chart's
figure is its cheapest of a few rounds after a warm-up, in CPU time of this
process (less disturbed by other load on a shared machine) and in wall time.

Run: .venv/bin/python benchmarks/bench_charts.py [--language en|zh] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import defaultdict
from pathlib import Path

from analysis_lib.report import charts, rendering
from analysis_lib.report.diagnostic import run_diagnostic

TARGET = 0.7
REPO = Path(__file__).resolve().parents[1]
CHART_SECTIONS = ("scorecard", "positioning", "frontier", "gaps", "value_chain", "initiatives", "business_case", "roadmap", "risk", "customers")


def _timed_charts(timings: dict[str, list[float]]):
    """Wrap every chart function so that drawing and embedding are timed per chart."""
    originals = {}
    current: list[str] = []

    def wrap(name, function):
        def timed(*args, **kwargs):
            current.append(name)
            start = time.process_time(), time.perf_counter()
            figure = function(*args, **kwargs)
            timings[f"{name}:draw"].append((time.process_time() - start[0], time.perf_counter() - start[1]))
            return figure
        return timed

    for name in ("radar", "peer_distributions", "frontier_scores", "waterfall", "priority_matrix", "cash_flows", "tornado",
                 "npv_distribution", "gantt", "risk_heat_map", "retention_curve"):
        originals[name] = getattr(charts, name)
        setattr(charts, name, wrap(name, originals[name]))
    figure_html = rendering.figure_html

    def timed_html(fig, *args, **kwargs):
        start = time.process_time(), time.perf_counter()
        html = figure_html(fig, *args, **kwargs)
        timings[f"{current.pop()}:embed"].append((time.process_time() - start[0], time.perf_counter() - start[1]))
        return html

    rendering.figure_html = timed_html
    return originals, figure_html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en", choices=("en", "zh"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    gc.collect()
    gc.freeze()  # as the warm kernel server does after its imports
    diag = run_diagnostic(institution_id="CITY-02", language=args.language, mc_draws=2000,
                          customer_extract=str(REPO / "data" / "sample" / "customers.csv"))
    for key in CHART_SECTIONS:  # warm-up: fonts, caches
        rendering.section_html(diag, key)
    rounds = []
    for _ in range(args.rounds):
        timings: dict[str, list[tuple[float, float]]] = defaultdict(list)
        originals, figure_html = _timed_charts(timings)
        try:
            for key in CHART_SECTIONS:
                rendering.section_html(diag, key)
        finally:
            for name, function in originals.items():
                setattr(charts, name, function)
            rendering.figure_html = figure_html
        rounds.append(timings)
    names = dict.fromkeys(k.split(":")[0] for k in rounds[0])

    def cheapest(name):  # the round in which this chart cost least: the least disturbed by other load
        return min(rounds, key=lambda t: t[f"{name}:draw"][0][0] + t[f"{name}:embed"][0][0])

    print(f"{'chart':<20}{'draw CPU':>10}{'embed CPU':>11}{'total CPU':>11}{'wall':>8}")
    cpu_total = wall_total = 0.0
    for name in names:
        best = cheapest(name)
        draw, embed = best[f"{name}:draw"][0], best[f"{name}:embed"][0]
        cpu, wall = draw[0] + embed[0], draw[1] + embed[1]
        cpu_total, wall_total = cpu_total + cpu, wall_total + wall
        print(f"{name:<20}{draw[0]:10.3f}{embed[0]:11.3f}{cpu:11.3f}{wall:8.3f}")
    print(f"{len(names)} charts ({args.language}): {cpu_total:.3f} s CPU, {wall_total:.3f} s wall   "
          f"(target <= {TARGET} s; ratio to target {cpu_total / TARGET:.2f} CPU, {wall_total / TARGET:.2f} wall)")


if __name__ == "__main__":
    main()
