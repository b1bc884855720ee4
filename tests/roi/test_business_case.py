import math

import numpy as np
import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.roi import finance
from analysis_lib.roi.business_case import (
    DRIVERS,
    BusinessCaseInputs,
    apply_scenario,
    break_even,
    cash_flow_table,
    evaluate,
    scenario_table,
    sensitivity,
)

BASE = BusinessCaseInputs(annual_benefit=70e6, total_budget=120e6)


def test_cash_flows_follow_the_budget_split_and_ramp():
    table = cash_flow_table(BASE)
    by_item = table.groupby("item")["amount"].sum()
    assert by_item["build"] == pytest.approx(-0.28 * 120e6)
    assert by_item["contingency"] == pytest.approx(-0.15 * 0.28 * 120e6)
    assert by_item["run"] == pytest.approx(-0.72 * 120e6)
    benefit = table[table["item"] == "benefit"]["amount"].to_numpy()
    assert benefit == pytest.approx(70e6 * 0.8 * np.array([0, 0.25, 0.6, 1.0, 1.0]))
    assert set(table.columns) == {"period", "year", "item", "amount", "category"}


def test_quarterly_periods_keep_totals_and_phase_build():
    quarterly = cash_flow_table(BusinessCaseInputs(70e6, 120e6, periods_per_year=4, build_share=0.25))
    assert quarterly["period"].max() == 19
    build = quarterly[quarterly["item"] == "build"]["amount"].to_numpy()
    assert (build[:3] == pytest.approx(-0.25 * 120e6 / 3)) and (build[3:] == 0).all()
    benefit = quarterly[quarterly["item"] == "benefit"]["amount"].to_numpy()
    assert benefit[3:7] == pytest.approx([70e6 * 0.8 * 0.25 / 4] * 4)


def test_metrics_match_the_finance_functions():
    """Each year's flows fall at its end (Excel's NPV), paybacks count from
    kick-off with each year's flows accruing through it: one year more than
    the lump-sum reading that puts year 1 at kick-off."""
    table = cash_flow_table(BASE)
    net = table.groupby("period")["amount"].sum().to_numpy()
    assert table.groupby("period")["year"].first().tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]  # when each year ends
    result = evaluate(BASE)
    assert result.npv == pytest.approx(finance.excel_npv(0.08, net))
    assert result.npv == pytest.approx(sum(v / 1.08 ** (t + 1) for t, v in enumerate(net)))
    assert result.irr == pytest.approx(finance.irr(net))
    assert result.mirr == pytest.approx(finance.mirr([0.0, *net], 0.08, 0.08))
    assert result.payback_years == pytest.approx(finance.payback_period(net) + 1)
    cumulative = np.cumsum(net)
    year = int(np.argmax(cumulative >= 0))  # the year (from 0) in which the cumulative turns non-negative
    assert result.payback_years == pytest.approx(year + -cumulative[year - 1] / net[year])
    assert result.tco == pytest.approx(120e6 + 0.15 * 0.28 * 120e6)
    assert result.benefit_cost_ratio == pytest.approx(result.pv_benefits / result.pv_costs)
    assert result.roi_multiple == pytest.approx(70e6 * 0.8 * (0.25 + 0.6 + 1 + 1) / result.tco - 1)


def test_break_even_discount_rate_is_the_irr_and_break_even_benefit_zeroes_npv():
    table = break_even(BASE).set_index("driver")
    assert table.loc["discount_rate", "break_even"] == pytest.approx(evaluate(BASE).irr, abs=1e-8)
    be = table.loc["annual_benefit", "break_even"]
    assert evaluate(BusinessCaseInputs(annual_benefit=be, total_budget=120e6)).npv == pytest.approx(0, abs=1.0)
    assert math.isnan(break_even(BusinessCaseInputs(500e6, 10e6)).set_index("driver").loc["contingency", "break_even"])


def test_scenarios_are_ordered_and_custom_scenarios_apply():
    table = scenario_table(BASE)
    assert table.loc["pessimistic", "npv"] < table.loc["base", "npv"] < table.loc["optimistic", "npv"]
    custom = pd.DataFrame({"scenario": ["stress"], "driver": ["total_budget"], "mode": ["set"], "value": [200e6]})
    assert apply_scenario(BASE, custom, "stress").total_budget == 200e6
    with pytest.raises(InputDataError, match="unknown scenario"):
        apply_scenario(BASE, custom, "nope")


def test_sensitivity_is_tornado_ready():
    table = sensitivity(BASE)
    assert set(table["driver"]) == set(DRIVERS)
    assert table["swing"].is_monotonic_decreasing
    row = table.set_index("driver").loc["annual_benefit"]
    assert row["npv_high"] > row["base_npv"] > row["npv_low"]
    assert row["npv_high"] - row["base_npv"] == pytest.approx(row["base_npv"] - row["npv_low"])  # linear in benefit


@pytest.mark.parametrize(
    "kwargs, message",
    [({"horizon_years": 0}, "horizon_years"), ({"discount_rate": -1.5}, "discount_rate"), ({"build_share": 1.2}, "build_share"),
     ({"periods_per_year": 3}, "periods_per_year"), ({"ramp": ()}, "ramp"), ({"total_budget": -1.0}, "non-negative")],
)
def test_bad_inputs(kwargs, message):
    args = {"annual_benefit": 1.0, "total_budget": 1.0, **kwargs}
    with pytest.raises(InputDataError, match=message):
        BusinessCaseInputs(**args)
