"""Peer positioning speed: 10,000 institutions x 30 metrics (the catalog's
metrics plus one more), panel percentiles in five peer groups.
Target: <= 1 s.

Run: .venv/bin/python benchmarks/bench_positioning.py
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.positioning import position_panel
from analysis_lib.reference.catalog import load_catalog

INSTITUTIONS = 10_000


def main() -> None:
    catalog = load_catalog()
    extra = catalog.table.loc[["nps"]].rename(index={"nps": "nps_digital"})
    wide = replace(catalog, table=pd.concat([catalog.table, extra]))
    rng = np.random.default_rng(0)
    groups = rng.choice(["large_state_owned", "joint_stock", "city_commercial", "rural_commercial", "foreign"], INSTITUTIONS)
    frame = pd.DataFrame({"institution_id": [f"I{i:05d}" for i in range(INSTITUTIONS)], "peer_group": groups})
    table = wide.table
    values = rng.uniform(table["min"].to_numpy(), table["max"].to_numpy(), (INSTITUTIONS, len(table)))
    frame = pd.concat([frame, pd.DataFrame(values, columns=table.index)], axis=1)
    position_panel(frame.head(100), wide)  # warm-up
    start = time.perf_counter()
    result = position_panel(frame, wide)
    elapsed = time.perf_counter() - start
    print(f"Positioning {INSTITUTIONS:,} institutions x {len(table)} metrics: {elapsed:.3f} s "
          f"(target <= 1 s; ratio to target {elapsed:.2f}); {len(result.metrics):,} tidy rows")


if __name__ == "__main__":
    main()
