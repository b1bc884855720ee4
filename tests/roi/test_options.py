import math

import numpy as np
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.roi.options import black_scholes, expansion_option, retention_option_value, volatility_from_simulation

HULL = {"spot": 42, "strike": 40, "rate": 0.10, "volatility": 0.20, "years": 0.5}


def test_hull_textbook_example():
    # Hull, Options, Futures and Other Derivatives, Example 15.6: c = 4.76, p = 0.81
    assert black_scholes(**HULL) == pytest.approx(4.7594, abs=1e-4)
    assert black_scholes(**HULL, kind="put") == pytest.approx(0.8086, abs=1e-4)


@pytest.mark.parametrize("helper", [black_scholes, expansion_option, retention_option_value])
def test_option_helpers_refuse_positional_arguments(helper):
    # Hull's order is (S, K, r, sigma, T); a positional call in any other order would price silently wrong
    with pytest.raises(TypeError, match="positional"):
        helper(42, 40, 0.5, 0.10, 0.20)


def test_volatility_horizon_is_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        volatility_from_simulation(np.ones(3), 1.0)


@pytest.mark.parametrize(
    "spot, strike, years, rate, vol, q", [(100, 90, 1, 0.05, 0.3, 0), (50, 70, 2.5, 0.02, 0.5, 0.01), (10, 10, 0.1, 0, 0.1, 0)]
)
def test_put_call_parity(spot, strike, years, rate, vol, q):
    args = {"spot": spot, "strike": strike, "rate": rate, "volatility": vol, "years": years, "dividend_yield": q}
    call = black_scholes(**args, kind="call")
    put = black_scholes(**args, kind="put")
    assert call - put == pytest.approx(spot * math.exp(-q * years) - strike * math.exp(-rate * years), abs=1e-10)


def test_expansion_option_is_worth_at_least_committing_now():
    value = expansion_option(pv_rollout_benefits=100.0, rollout_cost=110.0, rate=0.03, volatility=0.35, years_to_decision=1.0)
    assert value["option_value"] == pytest.approx(black_scholes(spot=100.0, strike=110.0, rate=0.03, volatility=0.35, years=1.0))
    assert value["flexibility_value"] > 0
    assert value["commit_now_npv"] == pytest.approx(100 - 110 * math.exp(-0.03))


def test_volatility_from_simulation_recovers_lognormal_sigma():
    draws = np.exp(np.random.default_rng(2).normal(3.0, 0.4, 200_000))
    assert volatility_from_simulation(draws, years=2.0) == pytest.approx(0.4 / math.sqrt(2), rel=0.01)


def test_retention_option_bounds():
    value = retention_option_value(customer_value=12000, retention_cost=1200, rate=0.02, volatility=0.4, years=1.0)
    assert 12000 - 1200 * math.exp(-0.02) <= value <= 12000


@pytest.mark.parametrize("args", [(-1, 1, 1, 0, 0.2), (1, 1, 0, 0, 0.2), (1, 1, 1, 0, 0)])
def test_bad_option_inputs(args):
    spot, strike, years, rate, vol = args
    with pytest.raises(InputDataError):
        black_scholes(spot=spot, strike=strike, rate=rate, volatility=vol, years=years)
