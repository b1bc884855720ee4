"""Option value (Black–Scholes): European calls and puts, the pilot-first
rollout as an option to expand, and a customer-retention option value.

Assumptions (documented for the report): the underlying (PV of rollout
benefits, or a customer's lifetime value) follows a geometric Brownian motion;
the decision is taken once, at the end of the pilot (European exercise);
the risk-free rate is continuously compounded; no dividends unless ``q``.

Every argument is keyword-only (``black_scholes(spot=42, strike=40,
rate=0.10, volatility=0.20, years=0.5)``): five positional floats in some
order are too easy to swap without an error (``years`` for ``rate`` gives a
plausible, wrong value).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from analysis_lib.errors import InputDataError


def _check(spot: float, strike: float, years: float, volatility: float) -> None:
    if spot <= 0 or strike <= 0:
        raise InputDataError(f"spot and strike must be positive, got {spot} and {strike}")
    if years <= 0 or volatility <= 0:
        raise InputDataError(f"years and volatility must be positive, got {years} and {volatility}")


def black_scholes(*, spot: float, strike: float, rate: float, volatility: float, years: float, kind: str = "call",
                  dividend_yield: float = 0.0) -> float:
    """European option price (Black–Scholes–Merton).

    Parameters
    ----------
    spot, strike : float
        Price of the underlying today and exercise price, both positive.
    rate : float
        Risk-free rate a year, continuously compounded.
    volatility : float
        Annual volatility of the underlying (positive).
    years : float
        Time to exercise in years (positive).
    kind : {"call", "put"}
    dividend_yield : float
        Continuous yield ``q`` of the underlying.

    Notes
    -----
    .. math:: C = S e^{-qT} N(d_1) - K e^{-rT} N(d_2),\\quad
              P = K e^{-rT} N(-d_2) - S e^{-qT} N(-d_1)

    with :math:`d_{1,2} = [\\ln(S/K) + (r - q \\pm \\sigma^2/2) T] / (\\sigma\\sqrt{T})`.

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, ch. 15 (Example 15.6:
    S = 42, K = 40, r = 10%, σ = 20%, T = 0.5 gives c = 4.76, p = 0.81).

    Examples
    --------
    >>> hull = dict(spot=42, strike=40, rate=0.10, volatility=0.20, years=0.5)
    >>> round(black_scholes(**hull), 2), round(black_scholes(**hull, kind="put"), 2)
    (4.76, 0.81)
    """
    _check(spot, strike, years, volatility)
    if kind not in ("call", "put"):
        raise InputDataError(f"kind must be 'call' or 'put', got {kind!r}")
    sd = volatility * math.sqrt(years)
    d1 = (math.log(spot / strike) + (rate - dividend_yield + volatility**2 / 2) * years) / sd
    d2 = d1 - sd
    s, k = spot * math.exp(-dividend_yield * years), strike * math.exp(-rate * years)
    if kind == "call":
        return float(s * ndtr(d1) - k * ndtr(d2))
    return float(k * ndtr(-d2) - s * ndtr(-d1))


def volatility_from_simulation(values: np.ndarray, *, years: float) -> float:
    """Annual volatility implied by simulated outcomes at a horizon: the
    standard deviation of their logarithm divided by √years.

    Examples
    --------
    >>> round(volatility_from_simulation(np.exp(np.random.default_rng(0).normal(0, 0.3, 100_000)), years=1.0), 2)
    0.3
    """
    values = np.asarray(values, dtype=float)
    values = values[values > 0]
    if values.size < 2 or years <= 0:
        raise InputDataError("volatility needs at least two positive simulated values and a positive horizon")
    return float(np.std(np.log(values), ddof=1) / math.sqrt(years))


def expansion_option(*, pv_rollout_benefits: float, rollout_cost: float, rate: float, volatility: float,
                     years_to_decision: float) -> dict[str, float]:
    """Value of piloting first: the right, not the obligation, to roll out.

    The pilot buys a call on the rollout: underlying = PV (at today) of the
    rollout's benefits, strike = rollout cost paid at the decision date.

    Returns
    -------
    dict
        ``option_value``, ``commit_now_npv`` (max of ``S - K e^{-rT}`` and
        the alternative of not investing, 0) and ``flexibility_value`` (their
        difference, never negative).

    Examples
    --------
    >>> v = expansion_option(pv_rollout_benefits=100.0, rollout_cost=110.0, rate=0.03, volatility=0.35, years_to_decision=1.0)
    >>> v["option_value"] > max(0.0, 100.0 - 110.0 * math.exp(-0.03))
    True
    """
    value = black_scholes(spot=pv_rollout_benefits, strike=rollout_cost, rate=rate, volatility=volatility, years=years_to_decision)
    static = pv_rollout_benefits - rollout_cost * math.exp(-rate * years_to_decision)
    return {"option_value": value, "commit_now_npv": static, "flexibility_value": value - max(static, 0.0)}


def retention_option_value(*, customer_value: float, retention_cost: float, rate: float, volatility: float, years: float) -> float:
    """Value of the option to retain a customer.

    A retention offer is paid only if, at the decision date, the customer's
    value exceeds its cost: a call on the customer's lifetime value (the
    underlying) struck at the retention cost.

    Examples
    --------
    >>> round(retention_option_value(customer_value=12000, retention_cost=1200, rate=0.02, volatility=0.4, years=1.0), 0)
    10824.0
    """
    return black_scholes(spot=customer_value, strike=retention_cost, rate=rate, volatility=volatility, years=years)
