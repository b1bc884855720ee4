import pandas as pd
import pytest

from analysis_lib.gaps.initiatives import load_initiatives
from analysis_lib.plan.fit import MAX_FACTOR, fit_register, fit_roadmap, load_risk_drivers, load_roadmap_scaling
from analysis_lib.plan.risk import load_risks
from analysis_lib.plan.roadmap import critical_path, load_roadmap

SMALL = pd.Series({"employees": 3000, "customer_records": 2e6})
LARGE = pd.Series({"employees": 300000, "customer_records": 9e8})


def test_two_banks_get_different_roadmaps():
    base = load_roadmap()
    small = critical_path(fit_roadmap(base, ["training_adoption"], load_initiatives(), SMALL))
    large = critical_path(fit_roadmap(base, ["cdp_consolidation", "ai_marketing", "churn_early_warning"], load_initiatives(), LARGE))
    assert small.duration < critical_path(base).duration < large.duration
    # rollout: (300,000 / 10,000) ** 0.25 = 2.34, capped at 2.0; (3,000 / 10,000) ** 0.25 = 0.74
    assert large.tasks.at["R1", "most_likely"] == pytest.approx(6 * MAX_FACTOR)
    assert small.tasks.at["R1", "most_likely"] == pytest.approx(round(6 * (0.3 ** 0.25) * 2) / 2)
    # build: three initiatives built in B1 with the consolidation: (0.6 + 0.2 x 3) x 1.5 = 1.8
    assert large.tasks.at["B1", "most_likely"] == pytest.approx(18.0)
    assert (small.tasks["optimistic"] <= small.tasks["most_likely"]).all() and (large.tasks["most_likely"] <= large.tasks["pessimistic"]).all()


def test_risks_follow_the_programme_and_the_size():
    base = load_risks()
    large = fit_register(base, ["cdp_consolidation"], LARGE)
    small = fit_register(base, ["training_adoption"], SMALL)
    assert large.at["T2", "probability"] == min(base.at["T2", "probability"] + 1, 5) and large.at["O1", "probability"] == 4
    assert small.at["R4", "probability"] == base.at["R4", "probability"] + 1 and small.at["O1", "probability"] == base.at["O1", "probability"]
    assert "migration sources" in large.at["T2", "fit_note_en"] and small.at["T2", "fit_note_en"] == ""
    assert large["probability"].between(1, 5).all()


def test_scaling_tables_carry_their_reasons():
    assert load_roadmap_scaling()["rationale_zh"].str.len().gt(10).all()
    drivers = load_risk_drivers()
    assert drivers["risk_id"].isin(load_risks().index).all() and drivers["rationale_en"].str.len().gt(20).all()
