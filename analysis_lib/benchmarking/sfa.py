"""Stochastic frontier analysis (SFA): Cobb–Douglas production or cost
frontiers with normal noise and half-normal inefficiency, by maximum
likelihood.

Model, with ``s = +1`` for a production frontier and ``s = -1`` for a cost
frontier:

.. math:: \\ln y_i = x_i'\\beta + v_i - s\\,u_i,\\quad v_i \\sim N(0, \\sigma_v^2),\\;
          u_i \\sim |N(0, \\sigma_u^2)|

Parameterisation of Battese & Corra (FRONTIER 4.1): :math:`\\sigma^2 =
\\sigma_v^2 + \\sigma_u^2`, :math:`\\gamma = \\sigma_u^2 / \\sigma^2`.
Log-likelihood (Aigner, Lovell & Schmidt 1977), with :math:`\\varepsilon_i =
\\ln y_i - x_i'\\beta` and :math:`\\lambda = \\sqrt{\\gamma/(1-\\gamma)}`:

.. math:: \\ell = \\sum_i \\tfrac12\\ln\\tfrac{2}{\\pi} - \\ln\\sigma
          - \\frac{\\varepsilon_i^2}{2\\sigma^2} + \\ln\\Phi(-s\\,\\varepsilon_i\\lambda/\\sigma)

Efficiency per unit: Battese & Coelli (1988) :math:`E[e^{-u_i}\\mid\\varepsilon_i]`
and Jondrow et al. (1982) :math:`e^{-E[u_i\\mid\\varepsilon_i]}`.

References
----------
Coelli (1996), *A Guide to FRONTIER Version 4.1*, CEPA Working Paper 96/07.
Kumbhakar & Lovell (2000), *Stochastic Frontier Analysis*, ch. 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, log_ndtr, logit
from statsmodels.tools.numdiff import approx_hess3

from analysis_lib.errors import InputDataError

KINDS = {"production": 1.0, "cost": -1.0}
LR_CRITICAL_5PCT = 2.706
"""5% critical value of the one-sided LR test of no inefficiency (γ = 0):
a mixed χ² with one restriction (Kodde & Palm 1986, table 1)."""


@dataclass(frozen=True)
class SFAResult:
    """Estimates of a stochastic frontier (see :func:`sfa`)."""

    params: pd.Series
    std_errors: pd.Series
    loglik: float
    efficiency: pd.Series
    efficiency_jlms: pd.Series
    ols_params: pd.Series
    ols_sigma2: float
    ols_loglik: float
    kind: str
    converged: bool

    @property
    def beta(self) -> pd.Series:
        return self.params.drop(["sigma2", "gamma"])

    @property
    def sigma2(self) -> float:
        return float(self.params["sigma2"])

    @property
    def gamma(self) -> float:
        return float(self.params["gamma"])

    @property
    def lr_statistic(self) -> float:
        """LR test of no inefficiency (γ = 0): 2 (ℓ_ML − ℓ_OLS), a mixed χ²
        with one restriction (Kodde & Palm 1986 critical value 2.706 at 5%)."""
        return 2 * (self.loglik - self.ols_loglik)

    @property
    def inefficiency_significant(self) -> bool:
        """True when the LR test rejects "no inefficiency" at 5%
        (:data:`LR_CRITICAL_5PCT`). When it does not, the model cannot tell
        inefficiency from noise: every unit's efficiency is then close to 1
        by construction, which says nothing about how efficient it is."""
        return bool(np.isfinite(self.lr_statistic) and self.lr_statistic > LR_CRITICAL_5PCT)

    def summary(self) -> pd.DataFrame:
        """Parameter table: estimate, standard error, z."""
        return pd.DataFrame({"estimate": self.params, "std_error": self.std_errors, "z": self.params / self.std_errors})

    def to_frame(self) -> pd.DataFrame:
        """Per-unit efficiency (Battese–Coelli and JLMS)."""
        return pd.DataFrame({"efficiency": self.efficiency, "efficiency_jlms": self.efficiency_jlms})


def _loglik(theta: np.ndarray, y: np.ndarray, x: np.ndarray, sign: float) -> float:
    k = x.shape[1]
    beta, sigma2, gamma = theta[:k], theta[k], theta[k + 1]
    if sigma2 <= 0 or not 0 < gamma < 1:
        return -np.inf
    eps = y - x @ beta
    sigma = np.sqrt(sigma2)
    lam = np.sqrt(gamma / (1 - gamma))
    return float(np.sum(0.5 * np.log(2 / np.pi) - np.log(sigma) - eps**2 / (2 * sigma2) + log_ndtr(-sign * eps * lam / sigma)))


def _efficiencies(eps: np.ndarray, sigma2: float, gamma: float, sign: float) -> tuple[np.ndarray, np.ndarray]:
    mu_star = -sign * eps * gamma
    s_star = np.sqrt(gamma * (1 - gamma) * sigma2)
    z = mu_star / s_star
    bc = np.exp(log_ndtr(z - s_star) - log_ndtr(z) - mu_star + s_star**2 / 2)
    mills = np.exp(-0.5 * z**2 - log_ndtr(z)) / np.sqrt(2 * np.pi)
    jlms = np.exp(-(mu_star + s_star * mills))
    return bc, jlms


def sfa(frame: pd.DataFrame, output: str, inputs: list[str], kind: str = "production", log: bool = True) -> SFAResult:
    """Fit a Cobb–Douglas stochastic frontier by maximum likelihood.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit.
    output : str
        Dependent column (output for a production frontier, cost for a cost
        frontier).
    inputs : list of str
        Regressors (inputs; for a cost frontier outputs and input prices).
    kind : {"production", "cost"}
    log : bool
        Take logs of the columns (Cobb–Douglas); they must then be positive.

    Returns
    -------
    SFAResult
        β, σ², γ with standard errors (inverse numerical Hessian of the
        log-likelihood), log-likelihood, per-unit efficiency, OLS estimates
        and the LR statistic.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"k": rng.uniform(1, 10, 200), "l": rng.uniform(1, 10, 200)})
    >>> u = np.abs(rng.normal(0, 0.3, 200))
    >>> df["q"] = np.exp(0.5 + 0.3 * np.log(df.k) + 0.6 * np.log(df.l) + rng.normal(0, 0.1, 200) - u)
    >>> fit = sfa(df, "q", ["k", "l"])
    >>> bool(abs(fit.beta["l"] - 0.6) < 0.05), bool(0.5 < fit.gamma < 1)
    (True, True)
    """
    if kind not in KINDS:
        raise InputDataError(f"kind must be 'production' or 'cost', got {kind!r}")
    missing = [c for c in [output, *inputs] if c not in frame.columns]
    if missing:
        raise InputDataError(f"SFA columns not in the data: {missing}")
    data = frame[[output, *inputs]].astype(float)
    if data.isna().any().any() or not np.isfinite(data.to_numpy()).all():
        raise InputDataError("SFA data has missing or non-finite values")
    if log:
        if (data <= 0).any().any():
            column = data.columns[(data <= 0).any()][0]
            raise InputDataError(f"SFA in logs needs positive values; column {column!r} has values <= 0")
        data = np.log(data)
    n, k = len(data), len(inputs) + 1
    if n <= k + 2:
        raise InputDataError(f"SFA needs more units than parameters ({n} units, {k + 2} parameters)")
    y = data[output].to_numpy()
    x = np.column_stack([np.ones(n), data[inputs].to_numpy()])
    names = ["const", *inputs]
    sign = KINDS[kind]

    ols_beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ ols_beta
    ols_sigma2 = float(resid @ resid / (n - k))
    ml_var = resid @ resid / n
    ols_loglik = float(-n / 2 * (np.log(2 * np.pi * ml_var) + 1))

    def negative(t: np.ndarray) -> float:
        theta = np.r_[t[:k], np.exp(t[k]), expit(t[k + 1])]
        value = _loglik(theta, y, x, sign)
        return -value if np.isfinite(value) else 1e300

    best = None
    for gamma0 in (0.1, 0.5, 0.9):
        sigma2_0 = ml_var / (1 - 2 * gamma0 / np.pi)
        shift = sign * np.sqrt(2 * gamma0 * sigma2_0 / np.pi)  # E[u]: COLS-style intercept correction
        start = np.r_[ols_beta[0] + shift, ols_beta[1:], np.log(sigma2_0), logit(gamma0)]
        fit = minimize(negative, start, method="BFGS", options={"gtol": 1e-8, "maxiter": 2000})
        if best is None or fit.fun < best.fun:
            best = fit
    theta = np.r_[best.x[:k], np.exp(best.x[k]), expit(best.x[k + 1])]
    hessian = approx_hess3(theta, lambda t: _loglik(t, y, x, sign))
    try:
        covariance = np.linalg.inv(-hessian)
        std = np.sqrt(np.diag(covariance))
    except np.linalg.LinAlgError:
        std = np.full(theta.size, np.nan)
    index = [*names, "sigma2", "gamma"]
    eps = y - x @ theta[:k]
    bc, jlms = _efficiencies(eps, theta[k], theta[k + 1], sign)
    return SFAResult(
        params=pd.Series(theta, index=index),
        std_errors=pd.Series(std, index=index),
        loglik=-float(best.fun),
        efficiency=pd.Series(bc, index=frame.index, name="efficiency"),
        efficiency_jlms=pd.Series(jlms, index=frame.index, name="efficiency_jlms"),
        ols_params=pd.Series(ols_beta, index=names),
        ols_sigma2=ols_sigma2,
        ols_loglik=ols_loglik,
        kind=kind,
        converged=bool(best.success) or np.linalg.norm(best.jac) < 1e-4,
    )


