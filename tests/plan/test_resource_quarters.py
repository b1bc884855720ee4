import pytest

from analysis_lib.plan.resources import WEEKS_PER_QUARTER, load_day_rates, quarterly_fte, resource_cost
from analysis_lib.plan.roadmap import critical_path, load_roadmap


def test_quarterly_fte_spreads_every_fte_week_once():
    schedule = critical_path(load_roadmap())
    table = resource_cost(schedule)
    quarters = quarterly_fte(table, schedule)
    totals = table.groupby("role")["fte_weeks"].sum()
    assert (quarters.sum(axis=1) * WEEKS_PER_QUARTER).to_dict() == pytest.approx(totals.reindex(quarters.index).to_dict())
    # business support works only in the pilot (weeks 22-27) and rollout (27-35): nothing in quarter 1
    assert quarters.loc["business_support", 1] == 0 and quarters.loc["business_support", 2] > 0


def test_every_role_states_its_external_share():
    rates = load_day_rates()
    assert rates["external_share"].between(0, 1).all()
    assert rates.at["process_experts", "external_share"] == 1.0 and rates.at["business_support", "external_share"] == 0.0
