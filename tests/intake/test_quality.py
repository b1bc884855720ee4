import numpy as np
import pandas as pd
import pytest

from analysis_lib.intake.quality import consistency_problems, quality_scores, quality_summary
from analysis_lib.reference.catalog import load_catalog


def _frame(**values):
    catalog = load_catalog()
    row = {"institution_id": "A", "peer_group": "city_commercial", **{m: np.nan for m in catalog.ids}}
    row.update(values)
    return pd.DataFrame([row])


def test_hand_computed_quality_score():
    # 3 of 29 metrics reported; cost_to_income < crm_opex_ratio breaks 1 of 1 applicable rule;
    # nps 95 is far outside the city-commercial band [15 - 1.5*40, 15 + 20 + 1.5*40] -> 2 of 3 plausible
    frame = _frame(cost_to_income=0.01, crm_opex_ratio=0.02, nps=95.0)
    scores = quality_scores(frame).loc["A"]
    assert scores["completeness"] == pytest.approx(round(100 * 3 / 29, 1))
    assert scores["consistency"] == 0.0
    # crm_opex 0.02 is plausible; cost_to_income 0.01 is below 0.25 - 1.5*0.14 = 0.04 -> implausible; nps 95 plausible (<= 95)
    assert scores["accuracy"] == pytest.approx(round(100 * 2 / 3, 1))
    assert scores["overall"] == pytest.approx(round((3 / 29 + 0 + 2 / 3) / 3 * 100, 1), abs=0.1)


def test_consistency_problem_names_row_and_rule():
    frame = _frame(acq_cost_hnw=1000.0, acq_cost_mass=5000.0)
    problems = consistency_problems(frame)
    assert problems == [{"row": 2, "column": "acq_cost_hnw", "message": "acq_cost_hnw = 1000 is below acq_cost_mass = 5000",
                         "expected": problems[0]["expected"]}]
    assert "high-net-worth" in problems[0]["expected"]


def test_sample_quality_is_complete(sample_panel):
    scores = quality_scores(sample_panel.data)
    assert (scores["completeness"] == 100).all() and (scores["consistency"] == 100).all()
    assert quality_summary(scores)["overall"] > 95
