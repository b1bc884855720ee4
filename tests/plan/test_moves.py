import pandas as pd
import pytest

from analysis_lib.plan.moves import MAX_MOVES, PLAN_DAYS, hundred_day_plan, key_moves, load_first_steps
from analysis_lib.plan.resources import load_day_rates
from analysis_lib.plan.roadmap import critical_path, load_roadmap

INITIATIVES = pd.DataFrame({"name_en": list("ABCDEFG"), "name_zh": list("甲乙丙丁戊己庚"),
                            "time_to_value_months": [3, 6, 9, 12, 6, 3, 9]}, index=list("abcdefg"))


def test_moves_are_the_largest_benefits_with_their_timing_and_share():
    benefits = pd.Series({"a": 5e6, "b": 40e6, "c": 20e6, "d": 1e6, "e": 8e6, "f": 12e6, "g": 14e6})
    moves = key_moves(benefits, INITIATIVES, ramp_months=12)
    assert moves.index.tolist() == ["b", "c", "g", "f", "e"] and len(moves) == MAX_MOVES
    assert moves.at["b", "share"] == pytest.approx(40 / 100)
    assert moves.at["c", "first_value_month"] == 9 and moves.at["c", "full_value_month"] == 21
    assert moves["annual_benefit"].is_monotonic_decreasing


def test_no_benefit_no_moves():
    assert key_moves(pd.Series({"a": 0.0}), INITIATIVES, ramp_months=12).empty
    assert key_moves(pd.Series(dtype=float), INITIATIVES, ramp_months=12).empty


@pytest.mark.parametrize("verdict", ["proceed", "pilot_first", "do_not_proceed", "fix_data_first", "sustain_lead"])
def test_every_verdict_has_a_first_100_days_plan_in_both_languages(verdict):
    plan = hundred_day_plan(critical_path(load_roadmap()).tasks, verdict, load_day_rates())
    assert len(plan) >= 3 and plan["day"].between(0, PLAN_DAYS).all() and plan["day"].is_monotonic_increasing
    assert plan[["action_en", "action_zh", "owner_en", "owner_zh"]].notna().all().all()
    milestones = {"Requirements signed off", "Design approved"}  # weeks 4 and 10 of the roadmap: days 28 and 70
    assert milestones <= set(plan["action_en"]) if verdict in ("proceed", "pilot_first") else not milestones & set(plan["action_en"])


def test_plans_differ_by_verdict():
    tasks = critical_path(load_roadmap()).tasks
    plans = {v: tuple(hundred_day_plan(tasks, v, load_day_rates())["action_en"]) for v in load_first_steps()["verdict"].unique()}
    assert len(set(plans.values())) == 5
    assert any("watch-list" in a for a in plans["sustain_lead"]) and not any("programme as scoped" in a for a in plans["sustain_lead"])
    assert any("success criteria" in a for a in plans["pilot_first"]) and any("Correct the flagged inputs" in a for a in plans["fix_data_first"])
