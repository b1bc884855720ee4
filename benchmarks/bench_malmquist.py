"""Malmquist speed: the FGNZ index with its VRS decomposition on the public
247-bank panel (3 inputs, 3 outputs, 3 periods: ../shared/datasets), in both
orientations. Target on a 2-core machine: a few seconds (<= 5 s) for both.

Run: .venv/bin/python benchmarks/bench_malmquist.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.malmquist import malmquist

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
INPUTS, OUTPUTS = ["STEXP", "FASUM", "INPSUM"], ["LNSUM", "DBSUM", "INCSUM"]
TARGET_SECONDS = 5.0


def bank_panel() -> pd.DataFrame:
    frames = [pd.read_csv(DATASETS / f"banks_panel_247_p{p}.csv").assign(period=p) for p in (1, 2, 3)]
    return pd.concat(frames, ignore_index=True).rename(columns={"bank_id": "unit"})


def main() -> None:
    panel = bank_panel()
    total = 0.0
    for orientation in ("input", "output"):
        start = time.perf_counter()
        result = malmquist(panel, INPUTS, OUTPUTS, orientation=orientation)
        elapsed = time.perf_counter() - start
        total += elapsed
        lps = len(result.distances)
        summary = result.summary()
        print(f"{orientation:6s}: {panel['unit'].nunique()} banks x 3 periods, {lps} LPs in {elapsed:5.2f} s "
              f"({1000 * elapsed / lps:.2f} ms per LP); geometric mean M by pair: "
              + ", ".join(f"{a}->{b} {m:.3f}" for (a, b), m in summary["malmquist"].items()))
        blank = int(result.table["malmquist"].isna().sum())
        if blank:
            print(f"        {blank} index value(s) blank: {result.notes[:2]}")
    print(f"both orientations: {total:5.2f} s   (target <= {TARGET_SECONDS:.0f} s; ratio to target {total / TARGET_SECONDS:.2f})")
    assert np.isfinite(total)


if __name__ == "__main__":
    main()
