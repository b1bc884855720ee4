"""Investment metrics against the published cases in shared/reference/finance_cases.json."""

import math

import numpy as np
import numpy_financial as npf
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.roi import finance

from conftest import load_reference

CASES = load_reference("finance_cases.json")


def _expected(value):
    return {"NaN": math.nan, "Infinity": math.inf}.get(value, value) if isinstance(value, str) else value


def _call(case):
    args = dict(case["args"])
    kind = case["function"]
    if kind == "numpy_financial.npv":
        return finance.npv(args["rate"], args["values"])
    if kind == "numpy_financial.irr":
        return finance.irr(args["values"], raise_exceptions=args.get("raise_exceptions", False))
    if kind == "numpy_financial.mirr":
        raise_exceptions = args.get("raise_exceptions", False)
        return finance.mirr(args["values"], args["finance_rate"], args["reinvest_rate"], raise_exceptions=raise_exceptions)
    if kind == "numpy_financial.pmt":
        return float(npf.pmt(args["rate"], args["nper"], args["pv"]))
    if kind == "excel.NPV":
        return args.get("initial_investment_t0", 0.0) + finance.excel_npv(args["rate"], args["values"])
    if kind == "excel.IRR":
        return finance.irr(args["values"])
    if kind == "excel.MIRR":
        return finance.mirr(args["values"], args["finance_rate"], args["reinvest_rate"])
    raise AssertionError(kind)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_case(case):
    if case.get("expected_error"):
        with pytest.raises(finance.NoRealSolutionError):
            _call(case)
        return
    expected = _expected(case["expected"])
    result = _call(case)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(result)
        return
    tolerance = case["tolerance"] or 1e-9
    assert result == pytest.approx(expected, abs=tolerance), case["notes"]


@pytest.mark.parametrize("case", [c for c in CASES if "all_roots" in c], ids=lambda c: c["id"])
def test_all_roots_are_reported(case):
    roots = finance.irr_roots(case["args"]["values"])
    assert len(roots) == len(case["all_roots"])
    for found, expected in zip(sorted(roots), sorted(case["all_roots"])):
        assert found == pytest.approx(expected, abs=1e-8)
    assert "real roots" in finance.irr_result(case["args"]["values"]).reason


@pytest.mark.parametrize(
    "values, reason",
    [([1, 2, 3], "no sign change"), ([0, 0, 0], "all cash flows are zero"), ([-1, -2], "no sign change")],
)
def test_irr_without_solution_says_why(values, reason):
    result = finance.irr_result(values)
    assert math.isnan(result.value) and reason in result.reason
    with pytest.raises(finance.NoRealSolutionError, match=reason):
        finance.irr(values, raise_exceptions=True)


@pytest.mark.parametrize("seed", range(5))
def test_npv_irr_mirr_agree_with_numpy_financial_on_ordinary_flows(seed):
    rng = np.random.default_rng(seed)
    flows = np.concatenate([[-rng.uniform(500, 1500)], rng.uniform(50, 400, size=8)])
    assert finance.npv(0.07, flows) == pytest.approx(npf.npv(0.07, flows), rel=1e-12)
    assert finance.irr(flows) == pytest.approx(npf.irr(flows), abs=1e-9)
    assert finance.mirr(flows, 0.06, 0.09) == pytest.approx(npf.mirr(flows, 0.06, 0.09), rel=1e-12)


def test_payback_simple_and_discounted():
    assert finance.payback_period([-100, 30, 40, 50]) == pytest.approx(2.6)
    assert math.isnan(finance.payback_period([-100, 30, 40, 50], 0.10))  # discounted, never recovered
    flows = [-100, 30, 40, 60]
    cumulative = np.cumsum(np.array(flows) / 1.1 ** np.arange(4))
    assert finance.payback_period(flows, 0.10) == pytest.approx(2 + -cumulative[2] / (60 / 1.1**3))
    assert math.isnan(finance.payback_period([-100, 10, 10]))
    assert finance.payback_period([0, 10]) == 0.0


@pytest.mark.parametrize(
    "flows, first, final, relapse_period",
    [
        ([-100, 150, -200, 10], 2 / 3, math.nan, 2),  # recovered within period 1, ends 140 down
        ([100, -200, 300], 0.0, 1 + 100 / 300, 1),  # starts positive, then owes 100, recovered in period 2
        ([-100, 150, -100, 200], 2 / 3, 2 + 50 / 200, 2),
    ],
)
def test_payback_of_unconventional_flows_is_nan_with_the_reason(flows, first, final, relapse_period):
    assert math.isnan(finance.payback_period(flows))
    result = finance.payback_result(flows)
    assert result.unconventional and math.isnan(result.value)
    assert result.first == pytest.approx(first)
    assert result.final == pytest.approx(final, nan_ok=True)
    assert f"negative again in period {relapse_period}" in result.reason


def test_payback_result_of_conventional_flows():
    result = finance.payback_result([-100, 30, 40, 50])
    assert not result.unconventional and result.reason == ""
    assert result.value == result.first == result.final == pytest.approx(2.6)
    never = finance.payback_result([-100, 10, 10])
    assert math.isnan(never.value) and not never.unconventional and "never" in never.reason


def test_discounted_payback_can_be_unconventional_when_simple_payback_is_not():
    flows = [-100, 120, -15, 10]  # simple cumulative -100, 20, 5, 15; at 10%: -100, 9.1, -3.3, 4.2
    assert finance.payback_period(flows) == pytest.approx(100 / 120)
    assert finance.payback_result(flows, 0.10).unconventional


def test_roi_and_benefit_cost():
    assert finance.roi_multiple([100, 180], [100]) == pytest.approx(1.8)
    assert finance.benefit_cost_ratio(0.0, [50, 50], [80, 0]) == pytest.approx(1.25)


def test_xnpv_xirr_excel_documentation_example():
    values = [-10000, 2750, 4250, 3250, 2750]
    dates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    assert finance.xnpv(0.09, values, dates) == pytest.approx(2086.647602, abs=1e-4)  # Excel XNPV doc: 2,086.65
    assert finance.xirr(values, dates) == pytest.approx(0.373362535, abs=1e-6)  # Excel XIRR doc: 37.34%
    assert finance.xnpv(finance.xirr(values, dates), values, dates) == pytest.approx(0, abs=1e-6)
    assert math.isnan(finance.xirr([1, 2], ["2020-01-01", "2021-01-01"]))


@pytest.mark.parametrize(
    "values, dates",
    [
        ([-100, 50, 50], ["2020-01-01", "2020-07-01", "2021-01-01"]),
        ([-1000, 1000], ["2020-01-01", "2021-01-01"]),
        ([-1000, 0, 1000], ["2020-01-01", "2020-06-01", "2022-03-01"]),
    ],
)
def test_xirr_finds_a_root_of_exactly_zero(values, dates):
    # undiscounted flows summing to 0: XNPV(0) = 0 exactly, as irr([-100, 50, 50]) == 0
    assert finance.xirr(values, dates) == 0.0
    assert finance.xirr_roots(values, dates) == (0.0,)


def test_xirr_returns_the_root_nearest_the_guess():
    # annual dates make XIRR an ordinary IRR: [-100, 230, -132] has roots 10% and 20%
    values, dates = [-100, 230, -132], ["2021-01-01", "2022-01-01", "2023-01-01"]
    years = finance._year_fractions(dates)
    # 365-day years: 2021 and 2022 have 365 days each, so the XIRR roots are the IRR roots
    assert years.tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(finance.xirr_roots(values, dates), [0.1, 0.2], atol=1e-10)
    assert finance.xirr(values, dates) == pytest.approx(0.1, abs=1e-10)  # default guess 10%, like Excel
    assert finance.xirr(values, dates, guess=0.19) == pytest.approx(0.2, abs=1e-10)
    assert finance.xirr(values, dates, guess=0.14) == pytest.approx(0.1, abs=1e-10)
    for root in finance.xirr_roots(values, dates):
        assert finance.xnpv(root, values, dates) == pytest.approx(0, abs=1e-8)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: finance.npv(-1.5, [1, 2]), "at least -100%"),
        (lambda: finance.npv(0.1, []), "non-empty"),
        (lambda: finance.irr([]), "non-empty"),
        (lambda: finance.mirr([-1, 2], -2, 0.1), "finance_rate"),
        (lambda: finance.npv(0.1, [1, float("nan")]), "finite"),
        (lambda: finance.xnpv(0.1, [1, 2], ["2020-01-01"]), "one date per cash flow"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(InputDataError, match=message):
        call()
