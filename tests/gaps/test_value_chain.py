"""The value chain: value at stake → addressable → initiative benefit →
risk-adjusted benefit, with the properties a CFO relies on."""

import numpy as np
import pandas as pd
import pytest

from analysis_lib.gaps.gap import gaps_for
from analysis_lib.gaps.initiatives import load_initiatives, prioritise
from analysis_lib.gaps.value_chain import (
    RAMP_MONTHS,
    SELECTION_HURDLE,
    _example_gaps,
    _example_initiatives,
    benefit_profile,
    build_value_chain,
    load_addressable,
    load_benefit_risk,
)
from analysis_lib.intake.panel import load_panel
from analysis_lib.reference.catalog import data_dir

PANEL = load_panel(data_dir() / "sample" / "institutions.csv")
FRAME = PANEL.latest().data
SIZE = ("revenue", "customers", "hnw_customers", "new_customers", "customer_records", "employees", "total_assets")


def _chain(institution: pd.Series, frame: pd.DataFrame = FRAME, include=()):
    gaps = gaps_for(institution, frame, fallback="all_banks")
    return build_value_chain(gaps, prioritise(gaps, float(institution["revenue"])), include=include)


def test_hand_computed_chain_of_the_example():
    chain = build_value_chain(_example_gaps(), _example_initiatives(), horizon_years=5, discount_rate=0.08)
    line = chain.lines.set_index("metric_id").loc["crm_opex_ratio"]
    assert line["addressable"] == pytest.approx(100e6 * 0.6)  # data/addressable.csv: 60% of CRM cost
    assert line["captured"] == pytest.approx(60e6 * 0.5)  # mid impact of (0.4, 0.6)
    assert line["risk_adjusted"] == pytest.approx(30e6 * 0.9)  # cost saving haircut 10%
    assert chain.selected == ["cheap"]
    dear = chain.selection.loc["dear"]
    assert not dear["selected"] and dear["ratio"] < SELECTION_HURDLE and "the rule needs 1.5x" in dear["reason"]
    totals = chain.totals()
    assert totals == pytest.approx({"value_at_stake": 150e6, "addressable": 60e6 + 15e6, "initiative_benefit": 30e6,
                                    "risk_adjusted_benefit": 27e6})


def test_flow_profile_ramps_linearly_from_time_to_value():
    profile = benefit_profile(6, 3)[0]
    # months 6..18 ramp: year 1 gets the first 6 months of the ramp, mean coverage (0.5+...+5.5)/12 / 12
    assert profile[0] == pytest.approx(sum((m + 0.5) / RAMP_MONTHS for m in range(6)) / 12)
    assert profile[2] == pytest.approx(1.0)
    delayed = benefit_profile(6, 3, delay_months=6)[0]
    assert delayed[0] == 0.0 and delayed.sum() < profile.sum()


def test_retention_cohorts_accumulate_and_decay_by_survival():
    survival = 0.9
    profile = benefit_profile(-RAMP_MONTHS, 3, survival=survival)[0]  # full coverage from the start
    q = survival ** (1 / 12)
    stock = np.cumsum([q ** -m for m in range(36)]) * np.array([q ** m for m in range(36)]) / 12  # Σ_{j<=m} q^(m-j) / 12
    assert profile == pytest.approx(stock.reshape(3, 12).sum(axis=1) / 12)
    assert profile[0] < profile[1] < profile[2] < 1 / (1 - survival)


@pytest.mark.parametrize("survival", [0.0, 0.5, 0.8, 0.95, 0.99])
@pytest.mark.parametrize("years", [1, 3, 5, 10])
def test_retention_benefit_over_the_horizon_is_bounded_by_margin_customers_and_years(survival, years):
    """Σ benefit ≤ annual margin × retained customers on the book × years, and
    ≤ margin × customers kept a year × years² (every cohort kept for good)."""
    margin, kept_a_year = 300.0, 10_000.0
    annual = margin * kept_a_year
    months = np.arange(years * 12)
    q = survival ** (1 / 12)
    stock_end = sum(q ** (months[-1] - m) for m in months) / 12  # retained customers at the end, in years of kept customers
    benefit = annual * benefit_profile(-RAMP_MONTHS, years, survival=survival)[0].sum()
    assert benefit <= margin * kept_a_year * stock_end * years + 1e-6
    assert benefit <= margin * kept_a_year * years * years + 1e-6


def test_a_lifetime_value_booked_yearly_would_exceed_the_cohort_flow():
    """The old stock-as-flow (the lifetime value of a year's retained customers
    booked every year) is several times the cohort model over five years."""
    margin, survival, discount = 300.0, 0.9, 0.08
    clv = margin * survival / (1 + discount - survival)  # 1,500: five years of margin
    stock_as_flow = 5 * clv  # per customer kept a year, over five years
    cohort_flow = margin * benefit_profile(-RAMP_MONTHS, 5, survival=survival)[0].sum()
    assert cohort_flow == pytest.approx(margin * 10.775, rel=1e-3)  # 0.52 + 1.43 + 2.24 + 2.97 + 3.62 years of margin
    assert cohort_flow < stock_as_flow / 2


@pytest.mark.parametrize("institution_id", ["CITY-02", "RURAL-02", "JSB-01", "SOB-01"])
@pytest.mark.parametrize("k", [0.5, 3.0])
def test_value_scales_linearly_with_size(institution_id, k):
    institution = PANEL.institution(institution_id)
    scaled = institution.copy()
    for field in SIZE:
        scaled[field] = institution[field] * k
    frame = FRAME.copy()
    row = frame["institution_id"] == institution_id
    for field in SIZE:
        frame.loc[row, field] = frame.loc[row, field] * k
    base, big = _chain(institution).totals(), _chain(scaled, frame).totals()
    for stage in base:
        assert big[stage] == pytest.approx(k * base[stage], rel=1e-9), stage


@pytest.mark.parametrize("institution_id", ["CITY-02", "RURAL-02", "CITY-01", "JSB-02"])
def test_no_metric_is_captured_beyond_its_addressable_value(institution_id):
    institution = PANEL.institution(institution_id)
    everything = tuple(load_initiatives().index)
    chain = _chain(institution, include=everything)  # every initiative, overlapping levers included
    captured = chain.lines.groupby("metric_id")["captured"].sum()
    addressable = chain.levers["addressable"]
    assert (captured <= addressable.reindex(captured.index) * (1 + 1e-12)).all()
    assert (chain.levers["addressable"] <= chain.levers["value_at_stake"]).all()
    t = chain.totals()
    assert t["value_at_stake"] >= t["addressable"] >= t["initiative_benefit"] >= t["risk_adjusted_benefit"] >= 0


def test_bridge_adds_up_and_dropped_initiatives_carry_a_reason():
    chain = _chain(PANEL.institution("CITY-02"))
    bridge = chain.bridge().set_index("step")
    t = chain.totals()
    assert bridge.loc["addressable", "amount"] == pytest.approx(bridge.loc["value_at_stake", "amount"] + bridge.loc["not_addressable", "amount"])
    assert bridge.loc["risk_adjusted_benefit", "amount"] == pytest.approx(t["risk_adjusted_benefit"])
    assert chain.selected and (chain.dropped["reason"].str.len() > 10).all()
    assert set(chain.selected).isdisjoint(chain.dropped.index)
    assert set(chain.lines["initiative_id"]) == set(chain.selected)


def test_addressable_and_risk_tables_are_documented():
    addressable = pd.read_csv(data_dir() / "addressable.csv")
    assert addressable["rationale"].str.len().gt(30).all() and addressable["rationale_zh"].str.len().gt(15).all()
    assert load_addressable().between(0, 1).all()
    risk = load_benefit_risk()
    assert risk["rationale"].str.len().gt(30).all() and risk["rationale_zh"].str.len().gt(15).all()
    assert risk["haircut"].between(0.05, 0.5).all()
