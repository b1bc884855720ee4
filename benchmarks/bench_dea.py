"""DEA speed: CCR + BCC input-oriented scores on 1,000 synthetic units with
3 inputs and 3 outputs. Target on a 2-core machine: <= 5 s for both models.

Run: .venv/bin/python benchmarks/bench_dea.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.dea import dea

UNITS = 1000


def synthetic_units(n: int = UNITS, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(1, 10, (n, 3)), columns=["x1", "x2", "x3"])
    scale = np.exp(0.3 * np.log(x.to_numpy()).sum(axis=1))[:, None]
    y = pd.DataFrame(scale * rng.uniform(0.4, 1.0, (n, 3)), columns=["y1", "y2", "y3"])
    return x, y


def main() -> None:
    x, y = synthetic_units()
    timings = {}
    for rts in ("crs", "vrs"):
        start = time.perf_counter()
        result = dea(x, y, rts=rts, orientation="input", slacks=False)
        timings[rts] = time.perf_counter() - start
        print(f"{rts.upper()} input-oriented, {UNITS} units x 3 inputs x 3 outputs: {timings[rts]:6.2f} s "
              f"({result.efficient().sum()} efficient)")
    total = sum(timings.values())
    print(f"CCR + BCC scores: {total:6.2f} s   (target <= 5 s; ratio to target {total / 5:.2f})")
    start = time.perf_counter()
    dea(x, y, rts="crs", orientation="input", slacks=True)
    print(f"CCR with the max-slack second stage (slacks, targets): {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
