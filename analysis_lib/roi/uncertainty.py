"""Uncertainty that matters: the programme's Monte Carlo and tornado over the
drivers that carry its risk, drawn per benefit line of the value chain.

Drivers (each with its base value as the most likely one):

- ``lever:<metric>``: the benefit of each lever, PERT 70%–130% of its
  estimate (symmetric: the estimate is already risk-adjusted); levers of the
  same benefit type are correlated (ρ = 0.5);
- ``baseline``: a common shock ``z ~ N(0, 1)`` to the peer targets; each
  lever's gap moves by ``1 + spread × z``, ``spread`` being the bootstrap
  spread of the peer quantile used as its target
  (:func:`analysis_lib.gaps.value_chain.target_spread`);
- ``adoption``: realisation of the risk-adjusted benefits, PERT 75%–125%
  (symmetric: the risk haircut of ``data/benefit_risk.csv`` already takes
  the expected shortfall off every benefit line, so drawing realisation
  further downward would count that risk twice);
- ``delay_months``: slippage of every benefit line, PERT −1 … +9 months;
- ``cost_overrun``: multiplier on budget (build and run), triangular
  0.95–1.40; correlated with the delay (ρ = 0.6) and the delay with
  adoption (ρ = −0.4);
- ``discount_rate``: normal, ±1 point.

The benefit drivers have their median at the base case; delay and overrun
are skewed on purpose: IT programmes run late and over budget far more
often than early and under (Flyvbjerg and Budzier, "Why your IT project may
be riskier than you think", Harvard Business Review, 2011: an average cost
overrun of 27%), and the contingency covers the risk register's events, not
this estimating error. The base case (most likely values) therefore sits
above the simulated median; :data:`SKEWED_DRIVERS` names the drivers the
report gives as the reason.

Benefits per draw are ``Σ_lines risk_adjusted × lever × (1 + spread × z) ×
adoption × profile(time to value + delay)`` (retention lines as cohorts);
costs are the base case's build and run flows times the overrun, plus the
base case's contingency (the risk reserve, a fixed amount). Everything is vectorised over draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from analysis_lib.gaps.value_chain import ValueChain, benefit_profile
from analysis_lib.roi.business_case import BusinessCaseInputs, cash_flow_matrix, discount_factors, payback_from_kick_off
from analysis_lib.roi.simulation import Distribution, SimulationResult, _uniforms, vectorised_irr, vectorised_payback

LEVER_RANGE = (0.7, 1.0, 1.3)
ADOPTION_RANGE = (0.75, 1.0, 1.25)
DELAY_RANGE = (-1.0, 0.0, 9.0)
OVERRUN_RANGE = (0.95, 1.0, 1.4)
DISCOUNT_SD = 0.01
SKEWED_DRIVERS = ("delay_months", "cost_overrun")
"""The drivers skewed to the downside by design (see the module's notes)."""
SAME_TYPE_CORRELATION = 0.5
DELAY_OVERRUN_CORRELATION = 0.6
DELAY_ADOPTION_CORRELATION = -0.4
DRIVER_LABELS = {
    "baseline": {"en": "Baseline (peer targets)", "zh": "基准（同业目标）"}, "adoption": {"en": "Adoption", "zh": "采纳与收益实现"},
    "delay_months": {"en": "Delay (months)", "zh": "延期（月）"}, "cost_overrun": {"en": "Cost overrun", "zh": "成本超支"},
    "discount_rate": {"en": "Discount rate", "zh": "折现率"},
}


@dataclass(frozen=True)
class ProgrammeSimulation(SimulationResult):
    """A :class:`SimulationResult` of the programme with the present value of
    the benefits of every draw."""

    pv_benefits: np.ndarray


def distributions(chain: ValueChain, inputs: BusinessCaseInputs) -> dict[str, Distribution]:
    """The drivers' distributions: one ``lever:<metric>`` per lever with a
    benefit, then baseline, adoption, delay, overrun and discount rate."""
    dists = {f"lever:{m}": Distribution("pert", LEVER_RANGE) for m in _levers(chain)}
    dists.update({
        "baseline": Distribution("normal", (0.0, 1.0)),
        "adoption": Distribution("pert", ADOPTION_RANGE),
        "delay_months": Distribution("pert", DELAY_RANGE),
        "cost_overrun": Distribution("triangular", OVERRUN_RANGE),
        "discount_rate": Distribution("normal", (inputs.discount_rate, DISCOUNT_SD)),
    })
    return dists


def _levers(chain: ValueChain) -> list[str]:
    return list(dict.fromkeys(chain.lines["metric_id"])) if len(chain.lines) else []


def correlation(chain: ValueChain, names: list[str]) -> np.ndarray:
    """Correlation of the drivers (Gaussian copula), in the order of ``names``."""
    types = chain.levers["benefit_type"]
    corr = np.eye(len(names))
    index = {name: i for i, name in enumerate(names)}
    for a in names:
        for b in names:
            if a < b and a.startswith("lever:") and b.startswith("lever:") and types[a[6:]] == types[b[6:]]:
                corr[index[a], index[b]] = corr[index[b], index[a]] = SAME_TYPE_CORRELATION
    for a, b, rho in (("delay_months", "cost_overrun", DELAY_OVERRUN_CORRELATION), ("delay_months", "adoption", DELAY_ADOPTION_CORRELATION)):
        corr[index[a], index[b]] = corr[index[b], index[a]] = rho
    return corr


def programme_flows(chain: ValueChain, inputs: BusinessCaseInputs, draws: pd.DataFrame, spread: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Net cash flows and benefit flows of every draw, shape (draws, periods).

    Parameters
    ----------
    draws : pandas.DataFrame
        Driver values (columns of :func:`distributions`); a missing driver
        stays at its base value.
    spread : pandas.Series
        Relative spread of each lever's target (the ``baseline`` shock's scale).
    """
    n = len(draws)
    column = lambda name, default: draws[name].to_numpy(float) if name in draws else np.full(n, default)  # noqa: E731
    z, adoption, delay = column("baseline", 0.0), column("adoption", 1.0), column("delay_months", 0.0)
    benefit = np.zeros((n, inputs.periods))
    profiles: dict[tuple[float, float], np.ndarray] = {}  # lines with the same ramp share one profile per draw
    for line in chain.lines.itertuples(index=False):
        survival = None if np.isnan(line.survival) else float(line.survival)
        key = (float(line.time_to_value_months), -1.0 if survival is None else survival)
        if key not in profiles:
            profiles[key] = benefit_profile(line.time_to_value_months, chain.horizon_years, inputs.periods_per_year, survival, delay)
        profile = profiles[key]
        scale = column(f"lever:{line.metric_id}", 1.0) * np.clip(1 + float(spread.get(line.metric_id, 0.0)) * z, 0.0, None) * adoption
        benefit += line.risk_adjusted * (scale[:, None] * profile)
    benefit *= inputs.benefit_realisation
    overrun = column("cost_overrun", 1.0)
    costs = cash_flow_matrix(inputs, {"total_budget": inputs.total_budget * overrun, "contingency": inputs.contingency / overrun})
    net = costs["build"] + costs["contingency"] + costs["run"] + benefit
    return net, benefit


def simulate_programme(chain: ValueChain, inputs: BusinessCaseInputs, spread: pd.Series, n: int = 20_000,
                       seed: int = 12345) -> ProgrammeSimulation:
    """Monte Carlo of the programme over the drivers of :func:`distributions`.

    Examples
    --------
    >>> from analysis_lib.gaps.value_chain import _example_gaps, _example_initiatives, build_value_chain
    >>> from analysis_lib.roi.programme import cost_lines, programme_inputs
    >>> chain = build_value_chain(_example_gaps(), _example_initiatives())
    >>> inputs = programme_inputs(chain, cost_lines(_example_initiatives().loc[chain.selected], 5e6, 5), 3e6, 0.08, 5)
    >>> r = simulate_programme(chain, inputs, pd.Series({"crm_opex_ratio": 0.2}), n=2000, seed=1)
    >>> 0.9 < r.prob_npv_positive <= 1, r.npv.shape
    (True, (2000,))
    """
    dists = distributions(chain, inputs)
    names = list(dists)
    u = _uniforms(np.random.default_rng(seed), n, len(names), correlation(chain, names))
    draws = pd.DataFrame({name: _ppf(dists[name], u[:, j]) for j, name in enumerate(names)})
    net, benefit = programme_flows(chain, inputs, draws, spread)
    factors = discount_factors(inputs, draws["discount_rate"].to_numpy())
    per_year = inputs.periods_per_year
    payback = payback_from_kick_off(vectorised_payback(net), per_year)
    return ProgrammeSimulation(draws, (net * factors).sum(axis=1), vectorised_irr(net, per_year), payback, seed, (benefit * factors).sum(axis=1))


PPF_GRID = 8193
"""Points of the tabulated inverse CDF of a PERT (beta) driver."""


@lru_cache(maxsize=32)
def _pert_table(params: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    grid = 0.5 - 0.5 * np.cos(np.pi * np.linspace(0.0, 1.0, PPF_GRID))  # dense near 0 and 1, where the ppf is steep
    return grid, Distribution("pert", params).ppf(grid)


def _ppf(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Inverse CDF at ``u``; a PERT driver by linear interpolation in its
    tabulated inverse CDF (the beta ppf is slow and every lever shares one
    shape; the error is below 2e-4 of the range)."""
    if dist.kind != "pert":
        return dist.ppf(u)
    grid, values = _pert_table(tuple(dist.params))
    return np.interp(u, grid, values)


def programme_tornado(chain: ValueChain, inputs: BusinessCaseInputs, spread: pd.Series, low: float = 0.10,
                      high: float = 0.90) -> pd.DataFrame:
    """One-way sensitivity of NPV to every driver at its P10 and P90, the
    others at base; widest swing first (tornado-ready, same columns as
    :func:`analysis_lib.roi.business_case.sensitivity`).

    Examples
    --------
    >>> from analysis_lib.gaps.value_chain import _example_gaps, _example_initiatives, build_value_chain
    >>> from analysis_lib.roi.programme import cost_lines, programme_inputs
    >>> chain = build_value_chain(_example_gaps(), _example_initiatives())
    >>> inputs = programme_inputs(chain, cost_lines(_example_initiatives().loc[chain.selected], 5e6, 5), 3e6, 0.08, 5)
    >>> t = programme_tornado(chain, inputs, pd.Series({"crm_opex_ratio": 0.2}))
    >>> bool(t["swing"].is_monotonic_decreasing), "delay_months" in set(t["driver"])
    (True, True)
    """
    dists = distributions(chain, inputs)
    base_values = {"baseline": 0.0, "adoption": 1.0, "delay_months": 0.0, "cost_overrun": 1.0, "discount_rate": inputs.discount_rate}
    base_draw = pd.DataFrame({name: [base_values.get(name, 1.0)] for name in dists})
    base_npv = float(_npv(chain, inputs, base_draw, spread)[0])
    rows = []
    for name, dist in dists.items():
        values = dist.ppf(np.array([low, high]))
        frame = pd.concat([base_draw, base_draw], ignore_index=True)
        frame[name] = values
        npvs = _npv(chain, inputs, frame, spread)
        rows.append({"driver": name, "base_value": base_values.get(name, 1.0), "low_value": values[0], "high_value": values[1],
                     "npv_low": npvs[0], "npv_high": npvs[1], "base_npv": base_npv, "swing": abs(npvs[1] - npvs[0])})
    table = pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)
    table.attrs["legend"] = (f"P{low * 100:.0f}", f"P{high * 100:.0f}")
    return table


def _npv(chain: ValueChain, inputs: BusinessCaseInputs, draws: pd.DataFrame, spread: pd.Series) -> np.ndarray:
    net, _ = programme_flows(chain, inputs, draws, spread)
    return (net * discount_factors(inputs, draws["discount_rate"].to_numpy())).sum(axis=1)


def driver_label(driver: str, language: str, metric_label) -> str:
    """A driver's label in the report's language (levers by their metric)."""
    if driver.startswith("lever:"):
        return ("收益：" if language == "zh" else "Benefit: ") + metric_label(driver[6:], language)
    return DRIVER_LABELS[driver][language]


def base_in_distribution(npv: np.ndarray, base_npv: float) -> float:
    """Percentile of the base-case NPV within the simulated NPVs (0–100).

    Examples
    --------
    >>> base_in_distribution(np.arange(100.0), 70.0)
    71.0
    """
    return float(stats.percentileofscore(npv, base_npv))
