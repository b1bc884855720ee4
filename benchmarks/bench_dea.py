"""DEA speed: CCR + BCC input-oriented scores on synthetic units with 3
inputs and 3 outputs. Targets on a 2-core machine: 1,000 units <= 1 s and
10,000 units <= 20 s for both models.

Wall time is what a user waits; CPU time (of this process) is what the
solver costs and is less disturbed by other load on a shared machine. Both
are printed.

Run: .venv/bin/python benchmarks/bench_dea.py [--units 1000 10000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.dea import dea

TARGETS = {1000: 1.0, 10_000: 20.0}


def synthetic_units(n: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(1, 10, (n, 3)), columns=["x1", "x2", "x3"])
    scale = np.exp(0.3 * np.log(x.to_numpy()).sum(axis=1))[:, None]
    y = pd.DataFrame(scale * rng.uniform(0.4, 1.0, (n, 3)), columns=["y1", "y2", "y3"])
    return x, y


def timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run(units: int) -> None:
    x, y = synthetic_units(units)
    wall_total = cpu_total = 0.0
    for rts in ("crs", "vrs"):
        result, wall, cpu = timed(dea, x, y, rts=rts, orientation="input", slacks=False)
        wall_total, cpu_total = wall_total + wall, cpu_total + cpu
        print(f"{rts.upper()} input-oriented, {units:,} units x 3 inputs x 3 outputs: {wall:6.2f} s wall, {cpu:6.2f} s CPU "
              f"({result.efficient().sum()} efficient)")
    target = TARGETS.get(units)
    goal = f"   (target <= {target:g} s; ratio to target {wall_total / target:.2f})" if target else ""
    print(f"CCR + BCC scores, {units:,} units: {wall_total:6.2f} s wall, {cpu_total:6.2f} s CPU{goal}")
    _, wall, cpu = timed(dea, x, y, rts="crs", orientation="input", slacks=True)
    print(f"CCR with the max-slack second stage (slacks, targets), {units:,} units: {wall:6.2f} s wall, {cpu:6.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=sorted(TARGETS))
    for units in parser.parse_args().units:
        run(units)


if __name__ == "__main__":
    main()
