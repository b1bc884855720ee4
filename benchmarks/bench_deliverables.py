"""What the deck and the data pack cost on top of one report (CITY-02 with
the customer extract), in CPU time of this process (less disturbed by other
load on a shared machine than wall time), cheapest of a few rounds:

- the report's sections alone (no deliverables asked for);
- the same with a deck asked for: each chart also kept at the deck's
  resolution while the report draws it (no chart is drawn twice);
- recording the deck's and the data pack's content afterwards;
- writing the ``.pptx`` and the ``.xlsx`` from the recorded content (what a
  batch worker does).

Target on a 2-core machine: the deck and the data pack together add at most
1.2 times the CPU the report's sections take alone. Most of it is the second
rasterisation of each chart at the deck's resolution (matplotlib draws the
whole figure again for each image it saves); drawing the sections a second
time for the deck instead would add the sections' full cost again on top.

Run: .venv/bin/python benchmarks/bench_deliverables.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from analysis_lib.report import rendering
from analysis_lib.report.datapack import write_datapack
from analysis_lib.report.deck import write_deck
from analysis_lib.report.deliverables import EXPORTS_MIMETYPE, record_exports
from analysis_lib.report.diagnostic import run_diagnostic

TARGET_RATIO = 1.2
REPO = Path(__file__).resolve().parents[1]


def _cpu(function) -> tuple[float, object]:
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    extract = str(REPO / "data" / "sample" / "customers.csv")
    plain = run_diagnostic(institution_id="CITY-02", customer_extract=extract)
    asked = run_diagnostic(institution_id="CITY-02", customer_extract=extract, exports="pptx,xlsx")
    folder = Path(tempfile.mkdtemp())
    best: dict[str, float] = {}
    for _ in range(args.rounds + 1):  # the first round warms fonts and caches up
        figures = {
            "sections alone": _cpu(lambda: [rendering.section_html(plain, k) for k in rendering.SECTION_ORDER])[0],
            "sections, deck asked for": _cpu(lambda: [rendering.section_html(asked, k) for k in rendering.SECTION_ORDER])[0],
        }
        seconds, recorded = _cpu(lambda: record_exports(asked)[EXPORTS_MIMETYPE])
        figures["recording deck and data pack"] = seconds
        figures["writing the .pptx"] = _cpu(lambda r=recorded: write_deck(r["pptx"], folder / "deck.pptx"))[0]
        figures["writing the .xlsx"] = _cpu(lambda r=recorded: write_datapack(r["xlsx"], folder / "pack.xlsx"))[0]
        best = {k: min(v, best.get(k, v)) for k, v in figures.items()}
    for name, seconds in best.items():
        print(f"{name:32s} {seconds:6.2f} s CPU")
    added = best["sections, deck asked for"] - best["sections alone"] + best["recording deck and data pack"] \
        + best["writing the .pptx"] + best["writing the .xlsx"]
    ratio = added / best["sections alone"]
    print(f"added by the deck and the data pack: {added:.2f} s CPU, {ratio:.2f} x the sections "
          f"(target <= {TARGET_RATIO:.1f}: {'met' if ratio <= TARGET_RATIO else 'NOT met'})")
    print(f"files: {(folder / 'deck.pptx').stat().st_size / 1e6:.1f} MB deck, {(folder / 'pack.xlsx').stat().st_size / 1e3:.0f} kB data pack")


if __name__ == "__main__":
    main()
