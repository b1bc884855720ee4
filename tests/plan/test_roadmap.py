import numpy as np
import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.plan.evm import earned_value
from analysis_lib.plan.resources import build_cost, resource_cost
from analysis_lib.plan.risk import contingency, heat_map, load_risks, score_risks, validate_risks
from analysis_lib.plan.roadmap import critical_path, load_roadmap, pert_mean, schedule_risk, validate_network


def _network(rows):
    return pd.DataFrame(rows, columns=["task_id", "phase", "optimistic", "most_likely", "pessimistic", "predecessors"])


# Textbook network (e.g. Hillier & Lieberman style): A3, B4 after A, C2 after A, D5 after B, E6 after C, F3 after D,E
TEXTBOOK = _network([
    ["A", "p", 3, 3, 3, ""], ["B", "p", 4, 4, 4, "A"], ["C", "p", 2, 2, 2, "A"],
    ["D", "p", 5, 5, 5, "B"], ["E", "p", 6, 6, 6, "C"], ["F", "p", 3, 3, 3, "D;E"],
])


def test_cpm_on_a_textbook_network():
    schedule = critical_path(validate_network(TEXTBOOK), buffer_days=0)
    tasks = schedule.tasks
    assert schedule.duration == 15.0
    assert schedule.critical_path == ("A", "B", "D", "F")
    assert tasks.loc["C", "es"] == 3 and tasks.loc["C", "ls"] == 4 and tasks.loc["C", "total_float"] == 1
    assert tasks.loc["E", "total_float"] == 1 and tasks.loc["E", "free_float"] == 1
    assert tasks.loc["C", "free_float"] == 0  # C's slack is shared with E
    assert tasks.loc["F", "lf"] == 15


def test_default_roadmap_follows_the_template_phases():
    schedule = critical_path(load_roadmap(), buffer_days=2.5, phase_reserve=0.2)
    assert schedule.duration == 35.0
    assert schedule.buffered_duration == pytest.approx(35.5)
    weeks = schedule.phase_reserve["weeks"]
    assert weeks.to_dict() == {"assessment": 4.0, "design": 6.0, "build": 12.0, "pilot": 5.0, "rollout": 8.0}
    assert schedule.phase_reserve["reserve_weeks"].sum() == pytest.approx(7.0)
    assert schedule.tasks["milestone"].sum() == 5


def test_schedule_monte_carlo_is_reproducible_and_matches_pert_on_a_serial_chain():
    chain = validate_network(_network([["A", "p", 2, 4, 12, ""], ["B", "p", 1, 3, 5, "A"], ["C", "p", 3, 6, 15, "B"]]))
    risk = schedule_risk(chain, n=200_000, seed=5)
    analytic = pert_mean(2, 4, 12) + pert_mean(1, 3, 5) + pert_mean(3, 6, 15)
    assert risk.finish.mean() == pytest.approx(analytic, abs=0.02)
    np.testing.assert_array_equal(risk.finish[:100], schedule_risk(chain, n=200_000, seed=5).finish[:100])
    assert (risk.criticality == 1.0).all()
    summary = risk.summary(target_weeks=analytic)
    assert 0.3 < summary["prob_by_target"] < 0.7


def test_criticality_index_of_parallel_branches():
    risk = schedule_risk(load_roadmap(), n=5000, seed=3)
    assert risk.criticality["A1"] == 1.0 and risk.criticality["P1"] == 1.0
    assert 0 < risk.criticality["B2"] < 1 and risk.criticality["B1"] + risk.criticality["B2"] >= 0.99
    assert risk.summary()["p50"] > 35  # PERT right skew: the median exceeds the most-likely plan


@pytest.mark.parametrize(
    "rows, message",
    [
        ([["A", "p", 1, 2, 3, "B"], ["B", "p", 1, 2, 3, "A"]], "cycle: A -> B -> A"),
        ([["A", "p", 1, 2, 3, "Z"]], "row 2: task 'A' has unknown predecessor"),
        ([["A", "p", 1, 2, 3, ""], ["B", "p", -1, 2, 3, "A"]], "row 3, column 'optimistic'"),
        ([["A", "p", 3, 2, 1, ""]], "row 2: expected optimistic <= most likely"),
    ],
)
def test_bad_networks(rows, message):
    with pytest.raises(InputDataError, match=message):
        validate_network(_network(rows))


def test_evm_worked_example():
    progress = pd.DataFrame({"period": [1, 2], "planned_value": [20000.0, 50000.0], "earned_value": [20000.0, 45000.0],
                             "actual_cost": [19000.0, 48000.0]})
    table = earned_value(progress, 100000.0).set_index("period")
    row = table.loc[2]
    assert row["sv"] == -5000 and row["cv"] == -3000
    assert row["spi"] == pytest.approx(0.9) and row["cpi"] == pytest.approx(0.9375)
    assert row["eac_cpi"] == pytest.approx(106666.6667, abs=1e-3)
    assert row["eac_atypical"] == pytest.approx(103000.0)
    assert row["eac_cpi_spi"] == pytest.approx(48000 + 55000 / (0.9375 * 0.9))
    assert row["etc"] == pytest.approx(58666.6667, abs=1e-3)
    assert row["vac"] == pytest.approx(-6666.6667, abs=1e-3)
    assert row["tcpi"] == pytest.approx(55000 / 52000)
    assert row["flag"] and not table.loc[1, "flag"]  # 10% schedule slip exceeds the 8% control limit
    with pytest.raises(InputDataError, match="row 2"):
        earned_value(progress.assign(actual_cost=[-1.0, 5.0]), 1000.0)


def test_risk_register_scores_heat_map_and_contingency():
    register = load_risks()
    scored = score_risks(register, 100e6)
    assert (scored["score"] == scored["probability"] * scored["impact"]).all()
    t1 = scored.loc["T1"]
    assert t1["expected_exposure"] == pytest.approx(0.35 * 100e6 * 0.08)
    grid = heat_map(register)
    assert grid.loc[3, 4] == len(register[(register["probability"] == 3) & (register["impact"] == 4)])
    assert grid.to_numpy().sum() == len(register)
    reserve = contingency(register, 100e6, n=50_000, seed=4)
    expected = (register["probability"].map({1: 0.05, 2: 0.15, 3: 0.35, 4: 0.60, 5: 0.85})
                * 100e6 * (register["impact_share_low"] + register["impact_share_high"]) / 2).sum()
    assert reserve.summary()["expected"] == pytest.approx(expected, rel=0.02)
    assert reserve.summary()["p80"] > reserve.summary()["p50"]
    np.testing.assert_array_equal(reserve.losses, contingency(register, 100e6, n=50_000, seed=4).losses)


@pytest.mark.parametrize("column, value, message", [("probability", 7, "row 3, column 'probability': 7"),
                                                     ("impact", 0, "row 3, column 'impact'"),
                                                     ("response", "ignore", "row 3, column 'response'")])
def test_bad_risk_rows(column, value, message):
    table = load_risks().reset_index()
    table.loc[1, column] = value
    with pytest.raises(InputDataError, match=message):
        validate_risks(table, "risks.csv")


def test_resource_plan_costs():
    schedule = critical_path(load_roadmap())
    table = resource_cost(schedule)
    design_ds = table.query("phase == 'design' and role == 'data_scientists'").iloc[0]
    assert design_ds["fte_weeks"] == 7 * 6
    assert design_ds["cost"] == pytest.approx(42 * 5 * 4500)
    assert build_cost(table) == pytest.approx(table.loc[table["phase"] != "rollout", "cost"].sum())
    assert resource_cost(schedule, staffing="high")["cost"].sum() > table["cost"].sum()
