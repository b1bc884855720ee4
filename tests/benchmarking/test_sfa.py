"""SFA against FRONTIER 4.1 example EG1 (shared/reference/sfa_cases.json)."""

import numpy as np
import pandas as pd
import pytest

from analysis_lib.benchmarking.sfa import sfa
from analysis_lib.errors import InputDataError

from conftest import load_reference

CASE = load_reference("sfa_cases.json")[0]
DATA = pd.DataFrame(CASE["data"]).set_index("firm")
EXPECTED = CASE["expected"]
TOL = CASE["tolerance"]


@pytest.fixture(scope="module")
def fit():
    return sfa(DATA, "output", ["capital", "labour"], kind="production")


def test_estimates_match_frontier41(fit):
    np.testing.assert_allclose(fit.beta.to_numpy(), EXPECTED["beta"], atol=TOL)
    assert fit.sigma2 == pytest.approx(EXPECTED["sigma2"], abs=TOL)
    assert fit.gamma == pytest.approx(EXPECTED["gamma"], abs=TOL)
    assert fit.loglik == pytest.approx(EXPECTED["loglik"], abs=TOL)
    assert fit.converged


def test_efficiencies_match_frontier41(fit):
    np.testing.assert_allclose(fit.efficiency.to_numpy(), EXPECTED["efficiency"], atol=TOL)
    assert fit.efficiency.mean() == pytest.approx(EXPECTED["mean_efficiency"], abs=TOL)
    assert fit.efficiency.idxmax() == 12 and fit.efficiency.idxmin() == 35
    # JLMS point estimates are close to, and never above, the Battese-Coelli ones here
    assert (fit.efficiency_jlms <= fit.efficiency + 1e-12).all()


def test_standard_errors_match_within_relative_tolerance(fit):
    rel = CASE["tolerance_std_errors_rel"]
    np.testing.assert_allclose(fit.std_errors[["const", "capital", "labour"]].to_numpy(), EXPECTED["std_errors"]["beta"], rtol=rel)
    assert fit.std_errors["sigma2"] == pytest.approx(EXPECTED["std_errors"]["sigma2"], rel=rel)
    assert fit.std_errors["gamma"] == pytest.approx(EXPECTED["std_errors"]["gamma"], rel=rel)


def test_ols_and_lr_test(fit):
    np.testing.assert_allclose(fit.ols_params.to_numpy(), EXPECTED["ols"]["beta"], atol=TOL)
    assert fit.ols_sigma2 == pytest.approx(EXPECTED["ols"]["sigma2"], abs=TOL)
    assert fit.ols_loglik == pytest.approx(EXPECTED["ols"]["loglik"], abs=TOL)
    assert fit.lr_statistic == pytest.approx(EXPECTED["lr_test_one_sided_error"], abs=1e-3)


def test_cost_frontier_recovers_a_simulated_cost_function():
    rng = np.random.default_rng(11)
    n = 400
    frame = pd.DataFrame({"q": rng.uniform(1, 100, n), "w": rng.uniform(1, 5, n)})
    u = np.abs(rng.normal(0, 0.25, n))
    frame["cost"] = np.exp(1.0 + 0.8 * np.log(frame["q"]) + 0.5 * np.log(frame["w"]) + rng.normal(0, 0.08, n) + u)
    fit = sfa(frame, "cost", ["q", "w"], kind="cost")
    assert fit.beta["q"] == pytest.approx(0.8, abs=0.03)
    assert fit.beta["w"] == pytest.approx(0.5, abs=0.06)
    assert fit.gamma > 0.7
    assert np.corrcoef(fit.efficiency, np.exp(-u))[0, 1] > 0.8


@pytest.mark.parametrize(
    "frame, message",
    [
        (DATA.assign(capital=DATA["capital"].where(DATA.index != 3, 0.0)), "positive values"),
        (DATA.assign(capital=DATA["capital"].where(DATA.index != 3, np.nan)), "missing"),
        (DATA.head(4), "more units than parameters"),
    ],
)
def test_bad_inputs(frame, message):
    with pytest.raises(InputDataError, match=message):
        sfa(frame, "output", ["capital", "labour"])
