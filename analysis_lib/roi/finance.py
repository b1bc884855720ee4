"""Investment metrics: NPV, IRR (with every root), MIRR, payback, XNPV/XIRR,
ROI and benefit/cost ratio.

Conventions (as numpy-financial, and as Excel's IRR and MIRR):

- ``values[0]`` sits at t = 0 and is **not** discounted. Excel's ``NPV``
  discounts its first value one period: ``excel_npv(r, v) = npv(r, [0, *v])``.
- Rates are per period, as fractions. A rate below −100% is an input error;
  exactly −100% makes the discount factor infinite and NPV is NaN.
- IRR: the rate ``r > -1`` with NPV = 0. When several real roots exist, the
  non-negative roots are preferred, then the one smallest in magnitude (the
  rule of numpy-financial's main branch); :func:`irr_roots` returns them all.
  No root (no sign change, all zeros) gives NaN with the reason in
  :func:`irr_result`, never a silent number.
- XIRR: with several roots, the one nearest the ``guess`` (default 10%, as
  Excel); :func:`xirr_roots` returns them all.
- Payback: NaN when never recovered, and NaN for unconventional flows whose
  cumulative turns negative again after recovery; :func:`payback_result`
  says which and gives the first and final recovery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.optimize import brentq

from analysis_lib.errors import InputDataError


class NoRealSolutionError(InputDataError):
    """The cash flows have no internal rate of return."""


def _flows(values, name: str = "values") -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise InputDataError(f"{name} must be a non-empty sequence of cash flows")
    if not np.isfinite(array).all():
        raise InputDataError(f"{name} must be finite numbers")
    return array


def _check_rate(rate: float, name: str = "rate") -> float:
    rate = float(rate)
    if not math.isfinite(rate) or rate < -1:
        raise InputDataError(f"{name} must be a finite rate of at least -100% (-1.0), got {rate}")
    return rate


def npv(rate: float, values) -> float:
    """Net present value, the first flow at t = 0.

    Parameters
    ----------
    rate : float
        Discount rate per period (fraction), at least -1.
    values : array_like
        Cash flows per period; ``values[0]`` is not discounted.

    Returns
    -------
    float
        NaN when ``rate == -1``.

    Notes
    -----
    .. math:: NPV = \\sum_{t=0}^{n-1} v_t / (1 + r)^t

    References
    ----------
    numpy-financial ``npv``; Brealey, Myers & Allen, *Principles of Corporate
    Finance*, ch. 2.

    Examples
    --------
    >>> round(npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000]), 6)
    122.894855
    """
    flows = _flows(values)
    rate = _check_rate(rate)
    if rate == -1:
        return math.nan
    return float(flows @ (1 + rate) ** -np.arange(flows.size))


def excel_npv(rate: float, values) -> float:
    """Excel's ``NPV``: every value discounted, the first by one period.

    Examples
    --------
    >>> round(excel_npv(0.1, [-10000, 3000, 4200, 6800]), 6)
    1188.443412
    """
    return npv(rate, np.concatenate([[0.0], _flows(values)]))


@dataclass(frozen=True)
class IRRResult:
    """An IRR with every real root and, when there is none, the reason."""

    value: float
    roots: tuple[float, ...]
    reason: str = ""


def irr_roots(values) -> tuple[float, ...]:
    """Every real IRR (rate > -1) of the cash flows, ascending.

    Notes
    -----
    With ``y = 1 + r`` the NPV times ``y^{n-1}`` is the polynomial
    :math:`\\sum_t v_t y^{n-1-t}`; its positive real roots are the IRRs.
    Candidates from the companion matrix (``numpy.roots``) are kept when
    their imaginary part and residual are negligible relative to their size.

    Examples
    --------
    >>> [round(r, 10) for r in irr_roots([-100, 230, -132])]
    [0.1, 0.2]
    """
    flows = _flows(values)
    nonzero = np.flatnonzero(flows)
    if nonzero.size == 0:
        return ()
    flows = flows[: nonzero[-1] + 1]  # trailing zeros only add the root r = -1
    candidates = np.roots(flows)
    roots = []
    for z in candidates:
        y = z.real
        if y <= 0 or abs(z.imag) > 1e-7 * abs(z):
            continue
        powers = y ** np.arange(flows.size - 1, -1, -1, dtype=float)
        scale = np.abs(flows) @ powers
        if scale == 0 or abs(flows @ powers) > 1e-6 * scale:
            continue
        roots.append(float(y - 1))
    return tuple(sorted({float(r) for r in np.round(roots, 14)}))


def irr_result(values) -> IRRResult:
    """IRR with all roots and, when there is none, why.

    Examples
    --------
    >>> irr_result([1, 2, 3]).reason
    'no sign change in the cash flows: every flow has the same sign'
    """
    flows = _flows(values)
    if not flows.any():
        return IRRResult(math.nan, (), "all cash flows are zero: every rate gives NPV = 0")
    signs = np.sign(flows[flows != 0])
    if (signs == signs[0]).all():
        return IRRResult(math.nan, (), "no sign change in the cash flows: every flow has the same sign")
    roots = irr_roots(flows)
    if not roots:
        return IRRResult(math.nan, (), "no real rate above -100% sets NPV to zero")
    array = np.asarray(roots)
    pool = array[array >= 0] if (array >= 0).any() else array
    value = float(pool[np.argmin(np.abs(pool))])
    reason = "" if len(roots) == 1 else f"{len(roots)} real roots ({', '.join(f'{r:.6g}' for r in roots)}); the rule picked {value:.6g}"
    return IRRResult(value, roots, reason)


def irr(values, *, raise_exceptions: bool = False) -> float:
    """Internal rate of return, the first flow at t = 0.

    Parameters
    ----------
    values : array_like
        Cash flows per period.
    raise_exceptions : bool
        Raise :class:`NoRealSolutionError` instead of returning NaN.

    Returns
    -------
    float
        The IRR per period; NaN when no real rate above -100% exists. With
        several roots, the non-negative one smallest in magnitude (else the
        negative one smallest in magnitude); see :func:`irr_roots`.

    Examples
    --------
    >>> round(irr([-100, 39, 59, 55, 20]), 10)
    0.2809484212
    >>> irr([1, 2, 3])
    nan
    """
    result = irr_result(values)
    if raise_exceptions and math.isnan(result.value):
        raise NoRealSolutionError(f"no IRR: {result.reason}")
    return result.value


def mirr(values, finance_rate: float, reinvest_rate: float, *, raise_exceptions: bool = False) -> float:
    """Modified internal rate of return (first flow at t = 0, like Excel).

    Notes
    -----
    .. math:: MIRR = \\left(\\frac{FV_{reinvest}(v^+)}{-PV_{finance}(v^-)}\\right)^{1/(n-1)} - 1

    NaN (or :class:`NoRealSolutionError`) when the flows do not contain both
    signs.

    Examples
    --------
    >>> round(mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12), 10)
    0.1260941304
    """
    flows = _flows(values)
    finance_rate, reinvest_rate = _check_rate(finance_rate, "finance_rate"), _check_rate(reinvest_rate, "reinvest_rate")
    positive, negative = flows > 0, flows < 0
    if not (positive.any() and negative.any()):
        if raise_exceptions:
            raise NoRealSolutionError("no MIRR: the cash flows need both a positive and a negative value")
        return math.nan
    n = flows.size
    future = abs(npv(reinvest_rate, flows * positive)) * (1 + reinvest_rate) ** (n - 1)
    present = abs(npv(finance_rate, flows * negative))
    return float((future / present) ** (1 / (n - 1)) - 1)


@dataclass(frozen=True)
class PaybackResult:
    """A payback period with what a single number cannot say.

    Attributes
    ----------
    value : float
        The payback in periods, as :func:`payback_period` returns it (NaN
        when never recovered or when the flows are unconventional).
    first : float
        When the cumulative flow first turns non-negative (NaN if never).
    final : float
        When it turns non-negative for good, staying so to the last flow
        (NaN when it ends negative).
    unconventional : bool
        True when the cumulative flow turns negative again after it was
        recovered.
    reason : str
        Why ``value`` is NaN, empty otherwise.
    """

    value: float
    first: float
    final: float
    unconventional: bool
    reason: str = ""


def _crossing(cumulative: np.ndarray, flows: np.ndarray, t: int) -> float:
    """Fractional period at which the cumulative flow reaches 0 within period ``t``."""
    if t == 0:
        return 0.0
    return float(t - 1 + (-cumulative[t - 1]) / flows[t])


def payback_result(values, rate: float | None = None) -> PaybackResult:
    """Simple (``rate=None``) or discounted payback with its first and final
    recovery and whether the flows are unconventional.

    Examples
    --------
    >>> r = payback_result([-100, 150, -200, 10])
    >>> r.first, r.unconventional, r.value
    (0.6666666666666666, True, nan)
    >>> payback_result([100, -200, 300]).final
    1.3333333333333333
    """
    flows = _flows(values)
    if rate is not None:
        rate = _check_rate(rate)
        flows = flows * (1 + rate) ** -np.arange(flows.size)
    cumulative = np.cumsum(flows)
    recovered = cumulative >= 0
    if not recovered.any():
        return PaybackResult(math.nan, math.nan, math.nan, False, "the cumulative cash flow never turns non-negative")
    first = _crossing(cumulative, flows, int(np.argmax(recovered)))
    if recovered[-1]:
        last_negative = np.flatnonzero(~recovered)
        final = _crossing(cumulative, flows, int(last_negative[-1]) + 1) if last_negative.size else 0.0
    else:
        final = math.nan
    relapse = np.flatnonzero(~recovered[int(np.argmax(recovered)):])
    if relapse.size:
        t = int(np.argmax(recovered)) + int(relapse[0])
        reason = f"unconventional cash flows: the cumulative flow is recovered, then negative again in period {t}"
        return PaybackResult(math.nan, first, final, True, reason)
    return PaybackResult(first, first, final, False)


def payback_period(values, rate: float | None = None) -> float:
    """Simple (``rate=None``) or discounted payback, in fractional periods.

    The first period at which the cumulative (discounted) cash flow turns
    non-negative, interpolated linearly within that period; 0 when nothing
    is invested.

    NaN when the investment is never recovered within the flows, and NaN
    when the flows are *unconventional*: the cumulative flow turns negative
    again after it was recovered (``[-100, 150, -200, 10]`` is recovered
    within period 1 and ends 140 down; ``[100, -200, 300]`` starts positive,
    then owes 100). Neither has a payback period in the usual sense;
    :func:`payback_result` says which case applies and gives the first and
    the final recovery.

    Examples
    --------
    >>> payback_period([-100, 30, 40, 50])
    2.6
    >>> round(payback_period([-100, 30, 40, 60], 0.10), 4)
    2.88
    >>> payback_period([-100, 150, -200, 10])
    nan
    """
    return payback_result(values, rate).value


def roi_multiple(benefits, costs) -> float:
    """Return on investment: (total benefits - total costs) / total costs,
    undiscounted.

    Examples
    --------
    >>> roi_multiple([100, 180], [100])
    1.8
    """
    b, c = float(np.sum(benefits)), float(np.sum(costs))
    if c <= 0:
        raise InputDataError("roi_multiple needs positive total costs")
    return (b - c) / c


def benefit_cost_ratio(rate: float, benefits, costs) -> float:
    """Present value of benefits over present value of costs (both as
    positive per-period amounts, the first at t = 0).

    Examples
    --------
    >>> round(benefit_cost_ratio(0.1, [0, 110], [100, 0]), 10)
    1.0
    """
    pv_costs = npv(rate, costs)
    if pv_costs <= 0:
        raise InputDataError("benefit_cost_ratio needs positive costs")
    return npv(rate, benefits) / pv_costs


def _year_fractions(dates) -> np.ndarray:
    days = np.array([(date.fromisoformat(str(d)[:10]) - date.fromisoformat(str(dates[0])[:10])).days for d in dates], dtype=float)
    return days / 365.0


def xnpv(rate: float, values, dates) -> float:
    """NPV of dated cash flows (Excel ``XNPV``): each flow discounted by
    ``(1 + rate) ** (days since the first date / 365)``.

    Examples
    --------
    >>> round(xnpv(0.09, [-10000, 2750, 4250, 3250, 2750],
    ...            ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]), 2)
    2086.65
    """
    flows = _flows(values)
    if len(dates) != flows.size:
        raise InputDataError(f"xnpv needs one date per cash flow ({flows.size} flows, {len(dates)} dates)")
    rate = _check_rate(rate)
    if rate == -1:
        return math.nan
    return float(flows @ (1 + rate) ** -_year_fractions(dates))


def xirr_roots(values, dates) -> tuple[float, ...]:
    """Every IRR of dated cash flows in (-99.99%, 1e6%), ascending.

    Notes
    -----
    XNPV is evaluated on a grid of rates (dense near -100%, logarithmic
    above, including 0); every grid rate where it is exactly 0 is a root and
    every sign change between neighbours is refined with Brent's method
    (``xtol`` 1e-14). A root where XNPV touches 0 without changing sign
    between grid points can be missed.

    Examples
    --------
    >>> xirr_roots([-100, 50, 50], ["2020-01-01", "2020-07-01", "2021-01-01"])
    (0.0,)
    """
    flows = _flows(values)
    if len(dates) != flows.size:
        raise InputDataError(f"xirr needs one date per cash flow ({flows.size} flows, {len(dates)} dates)")
    times = _year_fractions(dates)

    def f(rate: float) -> float:
        return float(flows @ np.exp(-times * np.log1p(rate)))

    if not flows.any():
        return ()
    grid = np.concatenate([-1 + np.logspace(-4, 0, 40)[:-1], np.logspace(-4, 4, 80) - 1e-4])
    sign = np.sign([f(r) for r in grid])
    roots = list(grid[sign == 0])
    roots += [brentq(f, grid[i], grid[i + 1], xtol=1e-14) for i in np.flatnonzero(sign[:-1] * sign[1:] < 0)]
    return tuple(sorted(float(r) for r in roots))


def xirr(values, dates, guess: float = 0.1) -> float:
    """IRR of dated cash flows (Excel ``XIRR``).

    Parameters
    ----------
    values : array_like
        Cash flows.
    dates : sequence of str or date
        One date per flow (ISO ``YYYY-MM-DD``); years of 365 days from the
        first date.
    guess : float
        Where several rates set XNPV to zero, the one nearest ``guess`` is
        returned (default 10%, Excel's default guess; Excel's Newton
        iteration started there usually ends at that root).

    Returns
    -------
    float
        NaN when no rate in (-99.99%, 1e6%) sets XNPV to zero; every root is
        in :func:`xirr_roots`.

    Examples
    --------
    >>> round(xirr([-10000, 2750, 4250, 3250, 2750],
    ...            ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]), 6)
    0.373363
    >>> xirr([-1000, 1000], ["2020-01-01", "2021-01-01"])
    0.0
    """
    roots = np.asarray(xirr_roots(values, dates))
    if roots.size == 0:
        return math.nan
    return float(roots[np.argmin(np.abs(roots - float(guess)))])
