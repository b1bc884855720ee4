import pandas as pd
import pytest

from analysis_lib.gaps.selection import load_options
from analysis_lib.roi.programme import cost_lines
from analysis_lib.roi.sourcing import COST_LINES, load_sourcing_factors, sourcing_tco


def test_every_vendor_option_has_cost_factors_with_a_rationale():
    factors = load_sourcing_factors()
    assert set(factors.index) == set(load_options().index)
    assert factors["rationale_en"].str.len().gt(40).all() and factors["rationale_zh"].str.len().gt(15).all()


def test_hand_computed_tco_and_present_value():
    lines = pd.DataFrame({"line": list(COST_LINES), "amount": [30.0, 40.0, 15.0, 15.0, 20.0, 40.0]})  # running 10 a year over 4 years
    factors = pd.DataFrame({c: [1.0] for c in COST_LINES}, index=["same"]).assign(licences=0.5, running_cost=2.0)
    row = sourcing_tco(lines, 4.0, 0.10, factors).loc["same"]
    assert row["one_off"] == pytest.approx(15 + 40 + 15 + 15 + 20)
    assert row["running_a_year"] == pytest.approx(20.0)
    assert row["tco"] == pytest.approx(105 + 80)
    assert row["tco_pv"] == pytest.approx(105 + 20 * sum(1.1 ** -t for t in range(1, 5)))


def test_fractional_run_years_and_option_order():
    lines = cost_lines(pd.DataFrame({"one_off_cost": [100e6], "running_cost": [10e6]}), 20e6, 5)
    table = sourcing_tco(lines, 4.25, 0.08)
    assert table["tco_pv"].is_monotonic_increasing
    subscription = table.loc["Cloud CRM platform with AI add-ons"]
    build = table.loc["In-house build on a customer data platform"]
    assert subscription["running_a_year"] > build["running_a_year"]  # software moves from one-off to subscription
    assert subscription["one_off"] < build["one_off"]  # the bank's own team builds
    assert table["tco"].to_numpy() == pytest.approx((table["one_off"] + 4.25 * table["running_a_year"]).to_numpy())
