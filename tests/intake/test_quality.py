import numpy as np
import pandas as pd
import pytest

from analysis_lib.intake.quality import consistency_breaks, consistency_checks, consistency_problems, quality_scores, quality_summary
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


def test_sample_quality_is_complete_and_consistent(sample_panel):
    scores = quality_scores(sample_panel.data)
    assert (scores["completeness"] == 100).all() and quality_summary(scores)["completeness"] == 100
    # the generator derives TCO per customer and paid acquisitions from the CRM cost, and customers per RM is calibrated
    # on customers per employee, so no synthetic institution breaks a consistency rule
    assert consistency_breaks(sample_panel.data).empty
    assert (scores["consistency"] == 100).all()


def test_named_economic_rules_reach_validation_with_their_values():
    frame = _frame(customers=1e6, employees=1000.0, customers_per_rm=500.0)
    problems = [p for p in consistency_problems(frame) if p["column"] == "customers_per_rm"]
    assert len(problems) == 1
    assert problems[0]["message"] == "implied_rms_within_employees: customers / customers_per_rm = 2000 is above employees = 1000"
    assert "relationship managers" in problems[0]["expected"]

@pytest.mark.parametrize("values, rule, holds", [
    ({"customers": 1e6, "customers_per_rm": 500.0, "employees": 2500.0}, "implied_rms_within_employees", True),
    ({"customers": 1e6, "customers_per_rm": 200.0, "employees": 2500.0}, "implied_rms_within_employees", False),
    ({"crm_opex_ratio": 0.02, "revenue": 1e9, "tco_per_customer": 21.0, "customers": 1e6}, "crm_cost_matches_tco", True),
    ({"crm_opex_ratio": 0.02, "revenue": 1e9, "tco_per_customer": 24.0, "customers": 1e6}, "crm_cost_matches_tco", False),
    ({"acq_cost_hnw": 5000.0, "acq_cost_mass": 150.0, "new_customers": 1e5, "hnw_customers": 1e4, "customers": 1e6,
      "crm_opex_ratio": 0.02, "revenue": 1e9}, "acquisition_spend_within_crm_cost", True),  # 5.0m + 14.85m <= 20m
    ({"acq_cost_hnw": 5000.0, "acq_cost_mass": 2000.0, "new_customers": 1e5, "hnw_customers": 1e4, "customers": 1e6,
      "crm_opex_ratio": 0.02, "revenue": 1e9}, "acquisition_spend_within_crm_cost", False),
    # blended acquisition cost = 12,000 x 1% + 600 x 99% = 714: CLV/CAC 7.0, inside 1-20
    ({"clv_per_customer": 5000.0, "acq_cost_hnw": 12000.0, "acq_cost_mass": 600.0, "hnw_customers": 1e4, "customers": 1e6},
     "clv_covers_acquisition_cost", True),
    ({"clv_per_customer": 5000.0, "acq_cost_hnw": 12000.0, "acq_cost_mass": 600.0, "hnw_customers": 1e4, "customers": 1e6},
     "clv_within_20x_acquisition_cost", True),
    # the template's 12,000 / 120,000 CNY: blended 13,080, CLV/CAC 0.38
    ({"clv_per_customer": 5000.0, "acq_cost_hnw": 120000.0, "acq_cost_mass": 12000.0, "hnw_customers": 1e4, "customers": 1e6},
     "clv_covers_acquisition_cost", False),
    # blended 3,000 x 1% + 200 x 99% = 228: CLV/CAC 21.9
    ({"clv_per_customer": 5000.0, "acq_cost_hnw": 3000.0, "acq_cost_mass": 200.0, "hnw_customers": 1e4, "customers": 1e6},
     "clv_within_20x_acquisition_cost", False),
])
def test_named_economic_rules_and_the_score(values, rule, holds):
    frame = _frame(**values)
    checks = consistency_checks(frame).set_index("rule")
    assert bool(checks.at[rule, "holds"]) is holds
    scores = quality_scores(frame).loc["A"]
    assert bool(scores["consistency"] == 100) is holds
    assert (rule in set(consistency_breaks(frame)["rule"])) is not holds


def test_template_acquisition_cost_is_flagged_by_validation_with_its_values():
    frame = _frame(clv_per_customer=5000.0, acq_cost_hnw=120000.0, acq_cost_mass=12000.0, hnw_customers=1e4, customers=1e6)
    (problem,) = [p for p in consistency_problems(frame) if p["column"] == "acq_cost_mass"]
    assert problem["row"] == 2
    assert problem["message"].startswith("clv_per_customer = 5000 is below acq_cost_hnw * hnw_customers / customers")
    assert "13080" in problem["message"] and "lifetime value below the acquisition cost" in problem["expected"]
