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


def payback_period(values, rate: float | None = None) -> float:
    """Simple (``rate=None``) or discounted payback, in fractional periods.

    The first period at which the cumulative (discounted) cash flow turns
    non-negative, interpolated linearly within that period. NaN when the
    investment is never recovered within the flows; 0 when nothing is
    invested.

    Examples
    --------
    >>> payback_period([-100, 30, 40, 50])
    2.6
    >>> round(payback_period([-100, 30, 40, 60], 0.10), 4)
    2.88
    """
    flows = _flows(values)
    if rate is not None:
        rate = _check_rate(rate)
        flows = flows * (1 + rate) ** -np.arange(flows.size)
    cumulative = np.cumsum(flows)
    if cumulative[0] >= 0:
        return 0.0
    recovered = np.flatnonzero(cumulative >= 0)
    if recovered.size == 0:
        return math.nan
    t = int(recovered[0])
    return float(t - 1 + (-cumulative[t - 1]) / flows[t])


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


def xirr(values, dates) -> float:
    """IRR of dated cash flows (Excel ``XIRR``); NaN when none exists in
    (-99.99%, 1e6%).

    Examples
    --------
    >>> round(xirr([-10000, 2750, 4250, 3250, 2750],
    ...            ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]), 6)
    0.373363
    """
    flows = _flows(values)
    times = _year_fractions(dates)
    if len(times) != flows.size:
        raise InputDataError("xirr needs one date per cash flow")

    def f(rate: float) -> float:
        return float(flows @ np.exp(-times * np.log1p(rate)))

    grid = np.concatenate([-1 + np.logspace(-4, 0, 40)[:-1], np.logspace(-4, 4, 80) - 1e-4])
    values_on_grid = np.array([f(r) for r in grid])
    change = np.flatnonzero(np.sign(values_on_grid[:-1]) * np.sign(values_on_grid[1:]) < 0)
    if change.size == 0:
        return math.nan
    roots = [brentq(f, grid[i], grid[i + 1], xtol=1e-14) for i in change]
    roots = np.asarray(roots)
    pool = roots[roots >= 0] if (roots >= 0).any() else roots
    return float(pool[np.argmin(np.abs(pool))])
