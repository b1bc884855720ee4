"""The programme's business case (TEI cost lines, the value chain's benefit
lines in the cash flows) and the plausibility bounds."""

import numpy as np
import pandas as pd
import pytest

from analysis_lib.gaps.gap import gaps_for
from analysis_lib.gaps.initiatives import prioritise
from analysis_lib.gaps.value_chain import _example_gaps, _example_initiatives, build_value_chain
from analysis_lib.intake.panel import load_panel
from analysis_lib.reference.catalog import data_dir
from analysis_lib.roi.business_case import cash_flow_matrix, evaluate
from analysis_lib.roi.plausibility import load_bounds, plausibility_checks, warnings_of
from analysis_lib.roi.programme import cost_lines, load_cost_structure, programme_inputs, run_years

PANEL = load_panel(data_dir() / "sample" / "institutions.csv")


def test_cost_lines_split_one_off_cost_and_add_labour_and_running_cost():
    initiatives = pd.DataFrame({"one_off_cost": [60e6, 40e6], "running_cost": [5e6, 5e6]})
    table = cost_lines(initiatives, internal_labour=12e6, horizon_years=5).set_index("line")
    assert table.loc["licences", "amount"] == pytest.approx(30e6)
    assert table.loc["implementation_partner", "amount"] == pytest.approx(40e6)
    assert table.loc["internal_labour", "amount"] == 12e6
    assert run_years(5) == 4.0  # build in year one, running cost in the four years after go-live
    assert table.loc["running_cost", "amount"] == pytest.approx(10e6 * 4)
    assert table.loc[table["phase"] == "build", "amount"].sum() == pytest.approx(100e6 + 12e6)
    assert load_cost_structure()["rationale"].str.len().gt(30).all()


def test_cash_flows_carry_exactly_the_value_chain_lines_and_the_contingency():
    chain = build_value_chain(_example_gaps(), _example_initiatives())
    costs = cost_lines(_example_initiatives().loc[chain.selected], 5e6, 5)
    inputs = programme_inputs(chain, costs, contingency_amount=4e6, discount_rate=0.08, horizon_years=5)
    flows = cash_flow_matrix(inputs)
    assert flows["benefit"][0] == pytest.approx(chain.benefit_flows().sum(axis=0))
    assert -flows["contingency"][0].sum() == pytest.approx(4e6)
    assert -(flows["build"] + flows["run"])[0].sum() == pytest.approx(costs["amount"].sum())
    assert evaluate(inputs).tco == pytest.approx(costs["amount"].sum() + 4e6)


def test_plausibility_bounds_are_documented_and_flag_the_right_measures():
    bounds = load_bounds()
    assert bounds["rationale"].str.len().gt(60).all()
    checks = plausibility_checks(value_at_stake=1e9, risk_adjusted_benefit=5e8, revenue=1e10, cost_base=4e9, customers=1e6,
                                 irr=1.2, payback_years=1.0)
    assert set(checks.index[checks["breached"]]) == {"benefit_revenue", "benefit_cost_base", "benefit_per_customer", "irr_ceiling",
                                                       "payback_floor"}
    assert checks.at["benefit_per_customer", "value"] == pytest.approx(500.0)
    assert "IRR above 80%: 120.0% against a limit of 80.0%" in warnings_of(checks)
    assert "风险调整后收益超过每客户每年300元：500元，限值300元" in warnings_of(checks, "zh")
    quiet = plausibility_checks(value_at_stake=5e8, risk_adjusted_benefit=1e8, revenue=1e10, cost_base=4e9, customers=1e6,
                                irr=np.nan, payback_years=np.nan)
    assert not quiet["breached"].any()


def test_every_sample_institution_is_within_the_bounds_or_flagged():
    """Value at stake, risk-adjusted benefit, IRR and payback of every sample
    institution's programme, checked against the bounds: value at stake and
    benefit stay within their bounds for every institution (the sample panel
    is consistent); a few programmes return more than a CFO would believe
    (IRR or payback) and are flagged, never silently shown."""
    from analysis_lib.plan.resources import resource_cost
    from analysis_lib.plan.risk import contingency, load_risks
    from analysis_lib.plan.roadmap import critical_path, load_roadmap

    frame = PANEL.latest().data
    labour = float(resource_cost(critical_path(load_roadmap()))["cost"].sum())
    register = load_risks()
    breached, irrs = {}, {}
    for institution_id in frame["institution_id"]:
        inst = PANEL.institution(institution_id)
        gaps = gaps_for(inst, frame, fallback="all_banks")
        priorities = prioritise(gaps, float(inst["revenue"]))
        chain = build_value_chain(gaps, priorities, build_years=5 - run_years(5))
        irr = payback = np.nan
        if chain.selected:
            costs = cost_lines(priorities.loc[chain.selected], labour, 5)
            reserve = contingency(register, float(costs["amount"].sum()), n=2000, seed=1).summary()["p80"]
            case = evaluate(programme_inputs(chain, costs, reserve, 0.08, 5))
            irr, payback = case.irr, case.payback_years
            irrs[institution_id] = irr
        t = chain.totals()
        checks = plausibility_checks(value_at_stake=t["value_at_stake"], risk_adjusted_benefit=t["risk_adjusted_benefit"],
                                     revenue=inst["revenue"], cost_base=inst["revenue"] * inst["cost_to_income"], customers=inst["customers"],
                                     irr=irr, payback_years=payback)
        within = checks["value"].isna() | np.where(checks["direction"] == "max", checks["value"] <= checks["limit"],
                                                   checks["value"] >= checks["limit"])
        assert (within | checks["breached"]).all(), institution_id
        assert len(warnings_of(checks)) == int(checks["breached"].sum())
        breached[institution_id] = set(checks.index[checks["breached"]])
    assert all(b <= {"irr_ceiling", "payback_floor"} for b in breached.values()), breached
    assert 0 < sum(bool(b) for b in breached.values()) <= len(breached) // 5
    assert not breached["CITY-02"] and not breached["RURAL-02"] and not breached["JSB-01"] and not breached["SOB-01"]
    assert len(irrs) >= 30 and np.median(list(irrs.values())) < 0.6  # the typical sample programme returns what a CFO believes
