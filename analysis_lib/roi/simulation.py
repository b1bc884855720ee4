"""Monte Carlo simulation of the business case: drivers as distributions,
optionally correlated (Gaussian copula), vectorised over draws and seeded.

Every driver is drawn as ``ppf(u)`` of its distribution from uniforms ``u``
(correlated through a Gaussian copula when a correlation matrix is given), the
cash flows of all draws are one matrix (:func:`business_case.cash_flow_matrix`)
and NPV, IRR and payback are computed for all draws at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr

from analysis_lib.errors import InputDataError
from analysis_lib.roi.business_case import DRIVERS, BusinessCaseInputs, cash_flow_matrix, discount_factors, payback_from_kick_off


@dataclass(frozen=True)
class Distribution:
    """A driver's distribution.

    ``kind`` is one of ``triangular(low, mode, high)``, ``pert(low, mode,
    high, lamb=4)``, ``normal(mean, sd)``, ``lognormal(mean, sd)`` (of the
    variable itself, not of its log) or ``uniform(low, high)``.

    Examples
    --------
    >>> round(Distribution("triangular", (1.0, 2.0, 4.0)).mean(), 6)
    2.333333
    """

    kind: str
    params: tuple[float, ...]

    def __post_init__(self) -> None:
        p = self.params
        checks = {
            "triangular": lambda: len(p) == 3 and p[0] <= p[1] <= p[2] and p[0] < p[2],
            "pert": lambda: len(p) in (3, 4) and p[0] <= p[1] <= p[2] and p[0] < p[2],
            "normal": lambda: len(p) == 2 and p[1] > 0,
            "lognormal": lambda: len(p) == 2 and p[0] > 0 and p[1] > 0,
            "uniform": lambda: len(p) == 2 and p[0] < p[1],
        }
        if self.kind not in checks:
            raise InputDataError(f"unknown distribution {self.kind!r}; expected one of {', '.join(checks)}")
        if not all(np.isfinite(p)) or not checks[self.kind]():
            expected = {"triangular": "low <= mode <= high, low < high", "pert": "low <= mode <= high, low < high",
                        "normal": "sd > 0", "lognormal": "mean > 0 and sd > 0", "uniform": "low < high"}[self.kind]
            raise InputDataError(f"{self.kind} distribution with parameters {p}: expected {expected}")

    def frozen(self):
        p = self.params
        if self.kind == "triangular":
            low, mode, high = p
            return stats.triang((mode - low) / (high - low), loc=low, scale=high - low)
        if self.kind == "pert":
            low, mode, high = p[:3]
            lamb = p[3] if len(p) == 4 else 4.0
            a = 1 + lamb * (mode - low) / (high - low)
            b = 1 + lamb * (high - mode) / (high - low)
            return stats.beta(a, b, loc=low, scale=high - low)
        if self.kind == "normal":
            return stats.norm(p[0], p[1])
        if self.kind == "lognormal":
            sigma2 = np.log1p((p[1] / p[0]) ** 2)
            return stats.lognorm(np.sqrt(sigma2), scale=p[0] / np.sqrt(1 + (p[1] / p[0]) ** 2))
        return stats.uniform(p[0], p[1] - p[0])

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF at the uniforms ``u``."""
        return self.frozen().ppf(u)

    def mean(self) -> float:
        return float(self.frozen().mean())


@dataclass(frozen=True)
class SimulationResult:
    """Draws and outcomes of a Monte Carlo run."""

    draws: pd.DataFrame
    npv: np.ndarray
    irr: np.ndarray
    payback_years: np.ndarray
    seed: int

    def summary(self) -> pd.DataFrame:
        """P10/P50/P90 and mean of NPV, IRR and payback, and P(NPV > 0)."""
        rows = {}
        for name, values in (("npv", self.npv), ("irr", self.irr), ("payback_years", self.payback_years)):
            finite = values[np.isfinite(values)]
            p10, p50, p90 = np.percentile(finite, [10, 50, 90]) if finite.size else (np.nan,) * 3
            rows[name] = {"p10": p10, "p50": p50, "p90": p90, "mean": finite.mean() if finite.size else np.nan,
                          "share_defined": finite.size / values.size}
        frame = pd.DataFrame(rows).T
        frame.attrs["prob_npv_positive"] = float((self.npv > 0).mean())
        return frame

    @property
    def prob_npv_positive(self) -> float:
        return float((self.npv > 0).mean())

    def variance_contribution(self) -> pd.DataFrame:
        """Drivers ranked by contribution to the variance of NPV: squared
        Spearman rank correlation with NPV, normalised to sum to 1."""
        ranks = self.draws.rank().to_numpy()
        npv_rank = pd.Series(self.npv).rank().to_numpy()
        rho = np.array([np.corrcoef(ranks[:, j], npv_rank)[0, 1] if ranks[:, j].std() > 0 else 0.0 for j in range(ranks.shape[1])])
        share = rho**2 / (rho**2).sum() if (rho**2).sum() > 0 else np.zeros_like(rho)
        frame = pd.DataFrame({"driver": self.draws.columns, "rank_correlation": rho, "contribution": share})
        return frame.sort_values("contribution", ascending=False, ignore_index=True)


def _uniforms(rng: np.random.Generator, n: int, k: int, correlation: np.ndarray | None) -> np.ndarray:
    z = rng.standard_normal((n, k))
    if correlation is not None:
        corr = np.asarray(correlation, dtype=float)
        if corr.shape != (k, k) or not np.allclose(corr, corr.T) or not np.allclose(np.diag(corr), 1):
            raise InputDataError(f"correlation must be a symmetric {k}x{k} matrix with ones on the diagonal")
        try:
            z = z @ np.linalg.cholesky(corr).T
        except np.linalg.LinAlgError:
            raise InputDataError("correlation matrix is not positive definite") from None
    return ndtr(z)


def vectorised_irr(flows: np.ndarray, periods_per_year: int = 1, iterations: int = 100) -> np.ndarray:
    """Annual IRR of every row of ``flows`` by vectorised Newton iterations.

    Newton's method runs on the polynomial :math:`g(x) = \\sum_t f_t x^t` in
    the discount factor ``x = 1 / (1 + r)``, evaluated by Horner's rule for
    all rows at once. Rows without a sign change, or whose iteration does not
    reach a root, give NaN. For conventional flows (costs first, then
    benefits) the root is unique and equals :func:`finance.irr`.

    Examples
    --------
    >>> np.round(vectorised_irr(np.array([[-100.0, 39, 59, 55, 20], [1.0, 2, 3, 4, 5]])), 10).tolist()
    [0.2809484212, nan]
    """
    flows = np.asarray(flows, dtype=float)
    n, periods = flows.shape
    x = np.full(n, 1 / 1.1)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            value, slope = _horner(flows, x)
            step = np.where(slope != 0, value / slope, 0.0)
            step = np.where(np.isfinite(step), step, 0.0)
            updated = np.clip(x - step, 1e-9, 1e9)
            done = np.abs(updated - x) <= 1e-14 * np.maximum(1.0, x)
            x = updated
            if done.all():
                break
        value, _ = _horner(flows, x)
        scale = _horner(np.abs(flows), x)[0]
        residual = np.abs(value) / np.maximum(scale, 1e-300)
    sign_change = (flows.max(axis=1) > 0) & (flows.min(axis=1) < 0)
    ok = sign_change & (residual < 1e-9)
    return np.where(ok, x ** -float(periods_per_year) - 1, np.nan)


def _horner(coefficients: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of sum_t c[:, t] x^t for every row."""
    value = coefficients[:, -1].copy()
    slope = np.zeros_like(value)
    for t in range(coefficients.shape[1] - 2, -1, -1):
        slope = slope * x + value
        value = value * x + coefficients[:, t]
    return value, slope


def vectorised_payback(flows: np.ndarray, periods_per_year: int = 1) -> np.ndarray:
    """Simple payback in years of every row; NaN when never recovered or
    when the cumulative flow turns negative again after recovery (as
    :func:`analysis_lib.roi.finance.payback_period`)."""
    cumulative = np.cumsum(flows, axis=1)
    recovered = cumulative >= 0
    first = np.argmax(recovered, axis=1)
    relapse = (np.arange(flows.shape[1]) > first[:, None]) & ~recovered
    never = ~recovered.any(axis=1) | relapse.any(axis=1)
    rows = np.arange(flows.shape[0])
    previous = cumulative[rows, np.maximum(first - 1, 0)]
    fraction = np.divide(-previous, flows[rows, first], out=np.zeros(len(rows)), where=flows[rows, first] != 0)
    periods = np.where(first == 0, 0.0, first - 1 + fraction)
    return np.where(never, np.nan, periods / periods_per_year)


def simulate(
    inputs: BusinessCaseInputs,
    distributions: dict[str, Distribution],
    n: int = 10_000,
    seed: int = 12345,
    correlation: np.ndarray | None = None,
) -> SimulationResult:
    """Monte Carlo of the business case.

    Parameters
    ----------
    inputs : BusinessCaseInputs
        Structure and the values of drivers that are not simulated.
    distributions : dict
        ``driver -> Distribution`` for the simulated drivers (see
        :data:`business_case.DRIVERS`).
    n : int
        Number of draws.
    seed : int
        Seed; the same seed gives identical results.
    correlation : array, optional
        Rank-level correlation of the simulated drivers (Gaussian copula), in
        the order of ``distributions``.

    Examples
    --------
    >>> r = simulate(BusinessCaseInputs(60e6, 120e6), {"annual_benefit": Distribution("pert", (40e6, 60e6, 90e6))}, n=2000, seed=1)
    >>> 0 < r.prob_npv_positive < 1
    True
    """
    if n < 2:
        raise InputDataError("a Monte Carlo run needs at least 2 draws")
    unknown = set(distributions) - set(DRIVERS)
    if unknown:
        raise InputDataError(f"unknown drivers {sorted(unknown)}; drivers are {', '.join(DRIVERS)}")
    rng = np.random.default_rng(seed)
    names = list(distributions)
    u = _uniforms(rng, n, len(names), correlation)
    draws = pd.DataFrame({name: distributions[name].ppf(u[:, j]) for j, name in enumerate(names)})
    flows = cash_flow_matrix(inputs, {k: draws[k].to_numpy() for k in names})["net"]
    rates = draws["discount_rate"].to_numpy() if "discount_rate" in draws else None
    npv = (flows * discount_factors(inputs, rates)).sum(axis=1)
    per_year = inputs.periods_per_year
    payback = payback_from_kick_off(vectorised_payback(flows), per_year)
    return SimulationResult(draws, npv, vectorised_irr(flows, per_year), payback, seed)
