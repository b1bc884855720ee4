"""The evaluate phase on the synthetic multi-period sample: designed
improving and slipping institutions come out as such; benefits, earned
value and the revised NPV follow the sample's designed shortfall, overrun
and slip; actuals that do not fit the plan are refused clearly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.intake.panel import load_panel, validate_panel_file
from analysis_lib.reference.catalog import data_dir
from analysis_lib.reference.sample import LATE_ENTRANTS, TRENDS, generate_sample_history
from analysis_lib.review import (
    kpi_tracking,
    load_actuals,
    load_programme,
    productivity_change,
    programme_year,
    run_review,
    trend_alert,
)
from analysis_lib.review.tracking import percentile_history, score_series

HISTORY = data_dir() / "sample" / "institutions_history.csv"
SUMMARY = data_dir() / "sample" / "review" / "CITY-02.summary.json"
ACTUALS = data_dir() / "sample" / "review" / "CITY-02.actuals.csv"
IMPROVING = [i for i, t in TRENDS.items() if t > 0]
SLIPPING = [i for i, t in TRENDS.items() if t < 0]


@pytest.fixture(scope="module")
def panel():
    return load_panel(HISTORY)


@pytest.fixture(scope="module")
def review():
    return run_review()


def test_history_is_committed_generated_and_valid():
    committed = pd.read_csv(HISTORY, dtype={"period": str, "is_synthetic": str, "note": str}, keep_default_na=False)
    committed["note"] = committed["note"].astype(str)
    generated = generate_sample_history()
    assert committed["period"].nunique() >= 4
    pd.testing.assert_frame_equal(committed[generated.columns].reset_index(drop=True), generated, check_dtype=False, atol=1e-6)
    report = validate_panel_file(HISTORY)
    assert report.ok and not report.errors
    for institution, year in LATE_ENTRANTS.items():
        assert committed.loc[committed["institution_id"] == institution, "period"].min() == str(year)


@pytest.mark.parametrize("institution", IMPROVING + SLIPPING)
def test_designed_trends_show_in_the_overall_score(panel, institution):
    scores = score_series(percentile_history(panel, institution, panel.periods))["overall"]
    change = scores.iloc[-1] - scores.iloc[0]
    if institution in IMPROVING:
        assert change > 10, scores.to_dict()
    else:
        assert change < -10, scores.to_dict()


@pytest.mark.parametrize("institution", IMPROVING + SLIPPING)
def test_designed_trends_show_in_malmquist_against_peers(panel, institution):
    change = productivity_change(panel, institution, ["2023", "2024", "2025"])
    own = change.adjacent.at["cumulative", "malmquist"]
    if institution in IMPROVING:
        assert own > 1.0 and own > change.peers["malmquist"]
    else:
        assert own < 1.0 and own < change.peers["malmquist"]
    # M = EC × TC for every pair
    table = change.adjacent
    np.testing.assert_allclose(table["malmquist"], table["efficiency_change"] * table["technical_change"], rtol=1e-9)


def test_tracking_alerts_follow_the_designed_direction(panel):
    def statuses(institution):
        programme = load_programme(SUMMARY)
        kpis = programme.kpis.copy()
        kpis["current"] = panel.at("2024").data.set_index("institution_id").loc[institution, kpis.index].astype(float).to_numpy()
        return kpi_tracking(panel, institution, "2024", "2025", kpis)

    improving, slipping = statuses("CITY-02"), statuses("CITY-04")
    assert (improving["change"] > 0).mean() > 0.6
    assert (slipping["change"] < 0).mean() > 0.6
    assert (improving["trend_alert"] == "green").sum() > (slipping["trend_alert"] == "green").sum() + 8
    assert (slipping["status"] == "red").sum() > (improving["status"] == "red").sum()
    assert improving["percentile_change"].mean() > 5 > -5 > slipping["percentile_change"].mean()


def test_trend_alert_and_programme_year():
    assert trend_alert(100.0, 90.0, 80.0, False) == "green"
    assert trend_alert(100.0, 90.0, 105.0, False) == "red"
    assert trend_alert(100.0, 100.0, 100.5, False) == "green"  # within the flat tolerance
    assert (programme_year("2024", "2025"), programme_year("2024Q4", "2025Q4"), programme_year("2024-12", "2026-01")) == (1, 1, 2)


def test_benefits_realisation_matches_the_designed_shortfall(review):
    total = review.benefits.loc["total"]
    assert total["realisation"] == pytest.approx(0.75, abs=0.005)
    assert total["status"] == "behind"
    assert set(review.benefits.index) == set(review.programme.initiatives.index) | {"total"}
    # planned to date: the business case's benefit profile over the four quarters of 2025
    from analysis_lib.review.benefits import at_frequency
    from analysis_lib.roi.business_case import profiles

    inputs = review.programme.inputs
    shape = profiles(at_frequency(inputs, 4))["benefit"][:4].sum()
    assert 0 < shape < 1
    assert total["planned_to_date"] == pytest.approx(inputs.annual_benefit * inputs.benefit_realisation * shape, rel=1e-9)


def test_earned_value_shows_the_overrun_and_slip(review):
    evm = review.evm
    assert evm["cpi"].iloc[-1] == pytest.approx(1 / 1.12, abs=0.005)
    assert (evm["spi"].iloc[:2] < 0.95).all()
    assert evm["eac_cpi"].iloc[-1] == pytest.approx(review.programme.build_budget * 1.12, rel=0.005)
    assert review.milestones.at["M5", "status"] == "reached late"


def test_revised_npv_is_lower_and_risk_is_listed(review):
    npv = review.npv
    assert npv["revised_npv"] < npv["planned_npv"]
    assert npv["realisation_applied"] == pytest.approx(0.75, abs=0.005)
    assert review.risks.index.tolist() == ["T2"] and review.risks.at["T2", "actual_cost"] == 6_000_000
    assert review.summary()["score_overall_review"] > review.summary()["score_overall_baseline"]


def test_summary_json_carries_the_programme():
    summary = json.loads(SUMMARY.read_text(encoding="utf-8"))
    record = summary["programme"]
    assert record["baseline_period"] == "2024"
    assert sum(i["annual_benefit"] for i in record["initiatives"]) == pytest.approx(summary["programme_benefit"], rel=1e-9)
    assert sum(p["weight"] for p in record["phases"]) == pytest.approx(1.0)


@pytest.mark.parametrize("row, message", [
    ("2025Q1,benefit,teleport,100", "row 2, column 'id': initiative 'teleport' is not in the business case"),
    ("2024Q4,spend,build,100", "row 2, column 'period': '2024Q4' is before the programme started"),
    ("2025,spend,build,100", "row 3, column 'period': '2025' is a year but row 2 set the file's frequency to quarters"),
    ("2025Q2,progress,build,140%", "row 2, column 'amount': '140%' is missing or out of range"),
    ("2025Q2,bonus,build,1", "row 2, column 'type': 'bonus' is not an actuals type"),
    ("2025Q2,milestone,M9,1", "milestone 'M9' is not in the roadmap"),
    ("2025Q2,spend,build,8,7", None),
])
def test_actuals_that_do_not_fit_the_plan_are_refused(tmp_path, row, message):
    programme = load_programme(SUMMARY)
    path = tmp_path / "actuals.csv"
    extra = "\n2025Q2,spend,build,1" if "frequency" not in (message or "") else ""
    body = ("period,type,id,amount\n2025Q1,spend,build,1\n" + row) if message and "frequency" in message else \
        ("period,type,id,amount\n" + row + extra)
    path.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as error:
        load_actuals(path, programme)
    assert "actuals.csv" in str(error.value)
    if message:
        assert message in str(error.value)


def test_review_refuses_a_summary_of_another_baseline(tmp_path):
    summary = json.loads(SUMMARY.read_text(encoding="utf-8"))
    summary["programme"]["baseline_period"] = "2023"
    path = tmp_path / "CITY-02.summary.json"
    path.write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(InputDataError, match="the diagnosis analysed '2023'"):
        run_review(diagnosis_summary=str(path), actuals_path="")


def test_a_diagnosis_without_periods_takes_the_named_baseline(tmp_path):
    summary = json.loads(SUMMARY.read_text(encoding="utf-8"))
    summary["programme"]["baseline_period"] = ""
    path = tmp_path / "CITY-02.summary.json"
    path.write_text(json.dumps(summary), encoding="utf-8")
    review = run_review(diagnosis_summary=str(path))
    assert review.programme.baseline_period == "2024"
    assert review.benefits.at["total", "realisation"] == pytest.approx(0.75, abs=0.005)


def test_a_leaders_diagnosis_has_no_programme_to_review(tmp_path):
    summary = json.loads(SUMMARY.read_text(encoding="utf-8"))
    summary.update({"institution_id": "JSB-01", "sustain_lead": True, "programme": None, "programme_initiatives": []})
    path = tmp_path / "JSB-01.summary.json"
    path.write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(InputDataError, match="JSB-01 leads its peers and its diagnosis recommended no programme"):
        load_programme(path)
