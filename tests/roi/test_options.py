import math

import numpy as np
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.roi.options import black_scholes, expansion_option, retention_option_value, volatility_from_simulation


def test_hull_textbook_example():
    # Hull, Options, Futures and Other Derivatives, Example 15.6: c = 4.76, p = 0.81
    assert black_scholes(42, 40, 0.5, 0.10, 0.20) == pytest.approx(4.7594, abs=1e-4)
    assert black_scholes(42, 40, 0.5, 0.10, 0.20, "put") == pytest.approx(0.8086, abs=1e-4)


@pytest.mark.parametrize(
    "spot, strike, years, rate, vol, q", [(100, 90, 1, 0.05, 0.3, 0), (50, 70, 2.5, 0.02, 0.5, 0.01), (10, 10, 0.1, 0, 0.1, 0)]
)
def test_put_call_parity(spot, strike, years, rate, vol, q):
    call = black_scholes(spot, strike, years, rate, vol, "call", q)
    put = black_scholes(spot, strike, years, rate, vol, "put", q)
    assert call - put == pytest.approx(spot * math.exp(-q * years) - strike * math.exp(-rate * years), abs=1e-10)


def test_expansion_option_is_worth_at_least_committing_now():
    value = expansion_option(100.0, 110.0, 1.0, 0.03, 0.35)
    assert value["option_value"] == pytest.approx(black_scholes(100.0, 110.0, 1.0, 0.03, 0.35))
    assert value["flexibility_value"] > 0
    assert value["commit_now_npv"] == pytest.approx(100 - 110 * math.exp(-0.03))


def test_volatility_from_simulation_recovers_lognormal_sigma():
    draws = np.exp(np.random.default_rng(2).normal(3.0, 0.4, 200_000))
    assert volatility_from_simulation(draws, 2.0) == pytest.approx(0.4 / math.sqrt(2), rel=0.01)


def test_retention_option_bounds():
    value = retention_option_value(12000, 1200, 1.0, 0.02, 0.4)
    assert 12000 - 1200 * math.exp(-0.02) <= value <= 12000


@pytest.mark.parametrize("args", [(-1, 1, 1, 0, 0.2), (1, 1, 0, 0, 0.2), (1, 1, 1, 0, 0)])
def test_bad_option_inputs(args):
    with pytest.raises(InputDataError):
        black_scholes(*args)
