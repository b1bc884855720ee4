import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.roi.business_case import BusinessCaseInputs, evaluate
from analysis_lib.roi.what_if import what_if

BASE = BusinessCaseInputs(annual_benefit=60e6, total_budget=150e6)


def test_what_if_matches_evaluate_and_moves_the_right_way():
    table = what_if(BASE, "total_budget", [120e6, 150e6, 200e6])
    assert table.loc[table["is_base"], "npv"].item() == pytest.approx(evaluate(BASE).npv)
    assert table["npv"].is_monotonic_decreasing
    rates = what_if(BASE, "discount_rate", [0.05, 0.08, 0.12])
    assert rates["npv"].is_monotonic_decreasing and rates["irr"].nunique() == 1


def test_unknown_or_non_numeric_driver_is_refused():
    with pytest.raises(InputDataError, match="'budget' is not a numeric business-case driver; choose one of"):
        what_if(BASE, "budget", [1.0])
    with pytest.raises(InputDataError, match="'ramp' is not a numeric"):
        what_if(BASE, "ramp", [1.0])
