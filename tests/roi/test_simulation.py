import numpy as np
import numpy_financial as npf
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.roi.business_case import BusinessCaseInputs, cash_flow_matrix, discount_factors
from analysis_lib.roi.simulation import Distribution, simulate, vectorised_irr, vectorised_payback

BASE = BusinessCaseInputs(annual_benefit=70e6, total_budget=120e6)


def test_linear_case_matches_analytic_mean_and_sd():
    # NPV = a * benefit - c * budget with independent normal drivers
    df = discount_factors(BASE)[0]
    flows_b = cash_flow_matrix(BASE, {"annual_benefit": [1.0], "total_budget": [0.0]})["net"][0]
    flows_c = cash_flow_matrix(BASE, {"annual_benefit": [0.0], "total_budget": [1.0]})["net"][0]
    a, c = flows_b @ df, -(flows_c @ df)
    mu_b, sd_b, mu_c, sd_c = 70e6, 10e6, 120e6, 15e6
    n = 200_000
    result = simulate(BASE, {"annual_benefit": Distribution("normal", (mu_b, sd_b)),
                             "total_budget": Distribution("normal", (mu_c, sd_c))}, n=n, seed=7)
    mean, sd = a * mu_b - c * mu_c, np.hypot(a * sd_b, c * sd_c)
    assert result.npv.mean() == pytest.approx(mean, abs=4 * sd / np.sqrt(n))
    assert result.npv.std() == pytest.approx(sd, rel=4 / np.sqrt(2 * n))
    contribution = result.variance_contribution().set_index("driver")["contribution"]
    expected_share = (a * sd_b) ** 2 / sd**2
    assert contribution["annual_benefit"] == pytest.approx(expected_share, abs=0.02)


def test_same_seed_same_results_and_different_seed_differs():
    dists = {"annual_benefit": Distribution("pert", (40e6, 70e6, 110e6)), "discount_rate": Distribution("uniform", (0.06, 0.10))}
    a, b = simulate(BASE, dists, n=5000, seed=3), simulate(BASE, dists, n=5000, seed=3)
    np.testing.assert_array_equal(a.npv, b.npv)
    np.testing.assert_array_equal(a.irr, b.irr)
    assert not np.array_equal(a.npv, simulate(BASE, dists, n=5000, seed=4).npv)
    summary = a.summary()
    assert summary.loc["npv", "p10"] < summary.loc["npv", "p50"] < summary.loc["npv", "p90"]
    assert 0 < a.prob_npv_positive < 1


def test_vectorised_irr_and_payback_agree_with_scalar_functions():
    rng = np.random.default_rng(0)
    flows = np.column_stack([-rng.uniform(80, 120, 200), rng.uniform(10, 60, (200, 6))])
    irr = vectorised_irr(flows)
    expected = np.array([npf.irr(row) for row in flows])
    np.testing.assert_allclose(irr, expected, atol=1e-9)
    from analysis_lib.roi.finance import payback_period

    np.testing.assert_allclose(vectorised_payback(flows), [payback_period(row) for row in flows], equal_nan=True)


def test_correlation_is_applied():
    dists = {"annual_benefit": Distribution("normal", (70e6, 10e6)), "total_budget": Distribution("normal", (120e6, 10e6))}
    result = simulate(BASE, dists, n=50_000, seed=1, correlation=np.array([[1, 0.8], [0.8, 1]]))
    assert np.corrcoef(result.draws["annual_benefit"], result.draws["total_budget"])[0, 1] == pytest.approx(0.8, abs=0.02)


def test_distribution_shapes():
    pert = Distribution("pert", (10.0, 20.0, 60.0))
    assert pert.mean() == pytest.approx((10 + 4 * 20 + 60) / 6)
    lognormal = Distribution("lognormal", (100.0, 30.0))
    assert lognormal.frozen().mean() == pytest.approx(100.0) and lognormal.frozen().std() == pytest.approx(30.0)
    draws = Distribution("triangular", (0.0, 1.0, 4.0)).ppf(np.random.default_rng(0).uniform(size=100_000))
    assert draws.mean() == pytest.approx(5 / 3, abs=0.01)


@pytest.mark.parametrize(
    "kind, params, message",
    [("triangular", (5.0, 3.0, 1.0), "low <= mode <= high"), ("uniform", (2.0, 1.0), "low < high"), ("normal", (0.0, -1.0), "sd > 0"),
     ("pert", (1.0, 5.0, 3.0), "low <= mode"), ("gamma", (1.0,), "unknown distribution")],
)
def test_bad_distributions(kind, params, message):
    with pytest.raises(InputDataError, match=message):
        Distribution(kind, params)


def test_bad_simulation_requests():
    with pytest.raises(InputDataError, match="unknown drivers"):
        simulate(BASE, {"typo": Distribution("uniform", (0.0, 1.0))})
    with pytest.raises(InputDataError, match="positive definite"):
        simulate(BASE, {"annual_benefit": Distribution("uniform", (1.0, 2.0)), "total_budget": Distribution("uniform", (1.0, 2.0))},
                 correlation=np.array([[1, 1.5], [1.5, 1]]))
