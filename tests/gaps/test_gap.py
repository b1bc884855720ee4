import numpy as np
import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.gaps.gap import gaps_for, load_value_drivers, panel_gaps
from analysis_lib.gaps.targets import cap_at_current, load_custom_targets, raw_targets
from analysis_lib.reference.catalog import load_catalog

CATALOG = load_catalog()


def _institution(**values):
    base = {"peer_group": "city_commercial", "revenue": 1e9, "customers": 1e6, "hnw_customers": 1e4, "new_customers": 5e4,
            "customer_records": 1.2e6, "employees": 2000, "total_assets": 4e10}
    return pd.Series({**base, **{m: np.nan for m in CATALOG.ids}, **values}, name="X")


EMPTY_PANEL = pd.DataFrame({"institution_id": ["X"], "peer_group": ["city_commercial"]})


def test_lower_is_better_target_and_hand_computed_value():
    # city commercial crm_opex_ratio baseline p25 = 0.00936: top quartile of a lower-is-better metric
    inst = _institution(crm_opex_ratio=0.02)
    result = gaps_for(inst, EMPTY_PANEL, "top_quartile")
    row = result.gaps.set_index("metric_id").loc["crm_opex_ratio"]
    assert row["target"] == pytest.approx(0.00936)
    assert row["gap_abs"] == pytest.approx(0.00936 - 0.02)
    assert row["improvement"] == pytest.approx(0.02 - 0.00936)
    assert row["value_at_stake"] == pytest.approx((0.02 - 0.00936) * 1e9)  # improvement x revenue
    assert row["percentile_target"] == pytest.approx(75.0)
    assert row["gap_points"] > 0
    assert result.total_value() == pytest.approx(row["value_at_stake"])


def test_higher_is_better_and_customers_per_rm_formula():
    inst = _institution(customers_per_rm=2000.0)
    row = gaps_for(inst, EMPTY_PANEL, "top_quartile").gaps.set_index("metric_id").loc["customers_per_rm"]
    target = 5800 * 1.3  # city commercial p75 = 1.3 x median
    assert row["target"] == pytest.approx(target)
    assert row["value_at_stake"] == pytest.approx((1 - 2000 / target) * 2000 * 45000)


def test_targets_never_make_a_metric_worse():
    inst = _institution(retention_mass=0.90, cost_to_income=0.20, data_error_rate=0.01)
    gaps = gaps_for(inst, EMPTY_PANEL, "template").gaps.set_index("metric_id")
    assert gaps.loc["retention_mass", "target"] == 0.90  # template 65% would lower it
    assert gaps.loc["retention_mass", "status"] == "no gap" and gaps.loc["retention_mass", "value_at_stake"] == 0
    assert gaps.loc["data_error_rate", "target"] == 0.01
    assert (gaps["improvement"].dropna() >= 0).all()
    capped = cap_at_current(pd.Series({"nps": 10.0, "mttr_hours": 5.0}), pd.Series({"nps": 20.0, "mttr_hours": 3.0}))
    assert capped.tolist() == [20.0, 3.0]


def test_overlap_group_counts_once_and_totals_add_up():
    inst = _institution(crm_opex_ratio=0.02, tco_per_customer=40.0, crm_systems_count=6.0, acq_cost_mass=1500.0)
    result = gaps_for(inst, EMPTY_PANEL, "top_quartile")
    gaps = result.gaps.set_index("metric_id")
    crm = gaps.loc[["crm_opex_ratio", "tco_per_customer", "crm_systems_count"]]
    assert crm["counted"].sum() == 1
    assert gaps.loc[crm["value_at_stake"].idxmax(), "counted"]
    expected_total = crm["value_at_stake"].max() + gaps.loc["acq_cost_mass", "value_at_stake"]
    assert result.total_value() == pytest.approx(expected_total)
    assert result.by_dimension()["value_at_stake"].sum() == pytest.approx(result.total_value())
    # acquisition: saving per mass customer x mass customers acquired (5e4 x 99%)
    assert gaps.loc["acq_cost_mass", "value_at_stake"] == pytest.approx((1500 - 600 * 0.78) * 5e4 * 0.99)  # city p25 = 468 CNY


def test_missing_values_are_not_assessable_and_the_rest_is_produced():
    inst = _institution(crm_opex_ratio=0.02, tco_per_customer=40.0).drop("revenue")
    gaps = gaps_for(inst, EMPTY_PANEL, "top_quartile").gaps.set_index("metric_id")
    assert gaps.loc["crm_opex_ratio", "status"] == "not assessable: missing driver revenue"
    assert gaps.loc["tco_per_customer", "status"] == "monetised"
    assert gaps.loc["nps", "status"].startswith("not assessable: the institution does not report")


def test_custom_targets_with_unknown_metric(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("metric_id,target\ncost_to_income,0.3\nopex_typo,0.1\nnps,abc\nnps,500\n", encoding="utf-8")
    targets, problems = load_custom_targets(path)
    assert targets == {"cost_to_income": 0.3}
    assert len(problems) == 3 and "row 3: unknown metric 'opex_typo'" in problems[0]
    inst = _institution(cost_to_income=0.4)
    gaps = gaps_for(inst, EMPTY_PANEL, "custom", custom=targets).gaps.set_index("metric_id")
    assert gaps.loc["cost_to_income", "target"] == 0.3 and gaps.loc["nps", "status"].startswith("not assessable")


def test_frontier_and_unknown_target_sets():
    table = raw_targets("frontier", pd.Series(dtype=float), "city_commercial", EMPTY_PANEL, frontier_target_cost=5e6, revenue=1e9)
    assert table.loc["crm_opex_ratio", "target"] == pytest.approx(0.005)
    with pytest.raises(Exception, match="unknown target set"):
        raw_targets("moonshot", pd.Series(dtype=float), "city_commercial", EMPTY_PANEL)


def test_whole_sample_has_value_at_stake_without_nan(sample_panel):
    frame = sample_panel.latest().data
    table = panel_gaps(frame)
    assert len(table) == len(frame)
    assert table["value_at_stake"].notna().all() and (table["value_at_stake"] >= 0).all()
    assert (table["not_assessable"] == 0).all()
    assert table.loc["CITY-02", "value_at_stake"] > table.loc["CITY-01", "value_at_stake"]


def test_value_driver_table_is_documented():
    drivers = load_value_drivers()
    assert drivers["note"].str.len().gt(20).all()
    assert set(drivers.index) <= set(CATALOG.ids)


def test_customer_extract_feeds_the_retention_value():
    from analysis_lib.gaps.gap import CUSTOMER_BOOK, add_customer_book

    inst = _institution(retention_mass=0.80, retention_hnw=0.85, clv_per_customer=5000.0, crm_opex_ratio=0.02)
    base = gaps_for(inst, EMPTY_PANEL, "top_quartile")
    fed = add_customer_book(base, margin_at_risk=2e8)
    gaps = fed.gaps.set_index("metric_id")
    target = gaps.loc["retention_mass", "target"]
    share = (target - 0.80) / (1 - 0.80)
    assert gaps.loc[CUSTOMER_BOOK, "value_at_stake"] == pytest.approx(2e8 * share)
    assert not gaps.loc["retention_mass", "counted"] and not gaps.loc["retention_hnw", "counted"]
    retention_before = base.gaps.set_index("metric_id").loc[["retention_mass", "retention_hnw"], "value_at_stake"].sum()
    assert fed.total_value() == pytest.approx(base.total_value() - retention_before + 2e8 * share)
    assert fed.by_dimension()["value_at_stake"].sum() == pytest.approx(fed.total_value())


def test_customer_book_is_grossed_up_from_a_sample():
    from analysis_lib.gaps.gap import CUSTOMER_BOOK, add_customer_book

    inst = _institution(retention_mass=0.80)
    base = gaps_for(inst, EMPTY_PANEL, "top_quartile")
    one = add_customer_book(base, 1e6).gaps.set_index("metric_id").loc[CUSTOMER_BOOK, "value_at_stake"]
    scaled = add_customer_book(base, 1e6, scale=100.0).gaps.set_index("metric_id").loc[CUSTOMER_BOOK, "value_at_stake"]
    assert scaled == pytest.approx(100 * one)
    assert add_customer_book(base, 1e6, scale=float("nan")) is base


def test_retention_is_valued_as_annual_margin_of_the_customers_kept():
    inst = _institution(retention_mass=0.80, retention_hnw=0.85)
    gaps = gaps_for(inst, EMPTY_PANEL, "top_quartile").gaps.set_index("metric_id")
    revenue_per_customer = 1e9 / 1e6
    mass = gaps.loc["retention_mass"]
    assert mass["value_at_stake"] == pytest.approx(mass["improvement"] * (1e6 - 1e4) * revenue_per_customer * 0.25)
    hnw = gaps.loc["retention_hnw"]
    assert hnw["value_at_stake"] == pytest.approx(hnw["improvement"] * 1e4 * revenue_per_customer * 2)


def test_a_lifetime_value_cannot_enter_as_a_yearly_benefit(tmp_path):
    drivers = load_value_drivers()
    for expression in drivers["expression"]:
        assert "clv" not in expression and "total_assets" not in expression
    stock = tmp_path / "value_drivers.csv"
    stock.write_text("metric_id,expression,factor,overlap_group,benefit_type,unit_of_factor,note\n"
                     "retention_mass,improvement * customers * clv_per_customer,1,,retention,-,lifetime value booked a year\n",
                     encoding="utf-8")
    with pytest.raises(InputDataError, match=r"value_drivers.csv, row 2, column 'expression' \(retention_mass\): uses the stock "
                                             r"clv_per_customer; expected an annual flow"):
        load_value_drivers(stock)
