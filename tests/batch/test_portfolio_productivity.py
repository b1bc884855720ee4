"""The portfolio summary shows productivity change across institutions when
the batch's panel has several periods, and nothing when it has one."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.batch.portfolio import Portfolio, productivity_across, section
from analysis_lib.reference.sample import TRENDS

from conftest import REPO, SAMPLE_PANEL


def _portfolio(panel: Path, ids=("CITY-02", "CITY-04")) -> Portfolio:
    manifest = pd.DataFrame({"institution_id": list(ids), "folder": list(ids), "status": "ok", "error": "",
                             "parameters": json.dumps({"panel_path": str(panel)})})
    summaries = pd.DataFrame({"name": list(ids), "score_overall": 50.0, "value_at_stake": 1e6, "npv": 1e6}, index=pd.Index(list(ids), name="institution_id"))
    return Portfolio(Path("/nonexistent"), manifest, summaries)


def test_productivity_across_a_multi_period_panel():
    across = productivity_across(_portfolio(REPO / "data/sample/institutions_history.csv")).set_index("unit")
    assert (across["period_from"].iloc[0], across["period_to"].iloc[0]) == ("2021", "2025")
    np.testing.assert_allclose(across["malmquist"], across["efficiency_change"] * across["technical_change"], rtol=1e-9)
    improving = [i for i, t in TRENDS.items() if t > 0]
    slipping = [i for i, t in TRENDS.items() if t < 0]
    assert across.loc[improving, "malmquist"].min() > 1 > across.loc[slipping, "malmquist"].max()
    html = section(_portfolio(REPO / "data/sample/institutions_history.csv"), "productivity")
    assert "Productivity change across institutions" in html and "data:image/svg+xml;base64," in html


def test_no_productivity_section_for_a_single_period():
    assert productivity_across(_portfolio(SAMPLE_PANEL)) is None
    assert section(_portfolio(SAMPLE_PANEL), "productivity") == ""
