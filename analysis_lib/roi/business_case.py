"""The business case of the CRM upgrade: phased cash flows, investment
metrics, scenarios, one-way sensitivity (tornado) and break-even values.

Cash-flow model (periods ``p = 0 … N-1``, ``N = horizon_years ×
periods_per_year``, from kick-off): period ``p`` holds what is spent and
earned during it and is discounted from its end, ``(p + 1) / periods_per_year``
years after kick-off (Excel's ``NPV`` convention,
:func:`analysis_lib.roi.finance.excel_npv`); paybacks count from kick-off,
the flows of a period accruing evenly through it. Year 1 is the first twelve
months of the programme.

- **Build**: ``total_budget × build_share`` (the template's 28% or 25%),
  plus ``contingency`` (15–20%) on it, spread evenly over the build periods.
- **Run**: ``total_budget × (1 - build_share)``, spread evenly over the
  periods after go-live.
- **Benefits**: ``annual_benefit × benefit_realisation`` per year at full
  coverage, from go-live, ramped by year since go-live along ``ramp``
  (pilot → rollout → full coverage; the last value holds afterwards); or,
  when ``benefit_shape`` is given, ``annual_benefit × benefit_realisation ×
  benefit_shape[p]``: the shape of the programme's benefit lines (ramped by
  time to value, retention cohorts accumulating and decaying) from
  :mod:`analysis_lib.roi.programme`.

All drivers enter the flows through :func:`cash_flow_matrix`, which takes
arrays of driver values, so scenarios, sensitivity and Monte Carlo share one
vectorised model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from analysis_lib.errors import InputDataError
from analysis_lib.roi import finance

DRIVERS: tuple[str, ...] = ("annual_benefit", "total_budget", "build_share", "contingency", "benefit_realisation", "discount_rate")
"""Scalar drivers of the model (scenarios, sensitivity, Monte Carlo)."""


@dataclass(frozen=True)
class BusinessCaseInputs:
    """Inputs of the business case; money in CNY, rates as fractions a year.

    Examples
    --------
    >>> BusinessCaseInputs(annual_benefit=50e6, total_budget=120e6).build_share
    0.28
    """

    annual_benefit: float
    total_budget: float
    build_share: float = 0.28
    contingency: float = 0.15
    benefit_realisation: float = 0.8
    discount_rate: float = 0.08
    ramp: tuple[float, ...] = (0.25, 0.6, 1.0)
    build_years: float = 0.75
    horizon_years: int = 5
    periods_per_year: int = 1
    benefit_shape: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if self.horizon_years < 1 or int(self.horizon_years) != self.horizon_years:
            problems.append(f"horizon_years must be a whole number of years >= 1, got {self.horizon_years}")
        if self.periods_per_year not in (1, 4, 12):
            problems.append(f"periods_per_year must be 1, 4 or 12, got {self.periods_per_year}")
        if not 0 < self.build_years < self.horizon_years:
            problems.append(f"build_years must be within (0, horizon_years), got {self.build_years}")
        if self.discount_rate <= -1:
            problems.append(f"discount_rate must be above -100%, got {self.discount_rate}")
        if not self.ramp or any(not 0 <= r <= 1 for r in self.ramp):
            problems.append("ramp needs coverage shares between 0 and 1")
        for name in ("build_share", "benefit_realisation"):
            if not 0 <= getattr(self, name) <= 1:
                problems.append(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if not 0 <= self.contingency <= 1:
            problems.append(f"contingency must be between 0 and 1, got {self.contingency}")
        if self.total_budget < 0 or self.annual_benefit < 0:
            problems.append("total_budget and annual_benefit must be non-negative")
        if self.benefit_shape and (len(self.benefit_shape) != self.periods or any(not x >= 0 for x in self.benefit_shape)):
            problems.append(f"benefit_shape needs {self.periods} non-negative values (one per period), got {len(self.benefit_shape)}")
        if problems:
            raise InputDataError("business case inputs: " + "; ".join(problems))

    @property
    def periods(self) -> int:
        return int(self.horizon_years * self.periods_per_year)

    @property
    def build_periods(self) -> int:
        return max(1, math.ceil(self.build_years * self.periods_per_year - 1e-9))

    @property
    def period_rate(self) -> float:
        return (1 + self.discount_rate) ** (1 / self.periods_per_year) - 1


def profiles(inputs: BusinessCaseInputs) -> dict[str, np.ndarray]:
    """Per-period shape of each item (sums: build 1, run 1, benefit in years
    of full benefit).

    Examples
    --------
    >>> p = profiles(BusinessCaseInputs(1.0, 1.0, horizon_years=4))
    >>> p["build"].tolist(), p["benefit"].tolist()
    ([1.0, 0.0, 0.0, 0.0], [0.0, 0.25, 0.6, 1.0])
    """
    n, b, per_year = inputs.periods, inputs.build_periods, inputs.periods_per_year
    build = np.zeros(n)
    build[:b] = 1.0 / b
    run = np.zeros(n)
    run[b:] = 1.0 / (n - b)
    years_live = (np.arange(n) - b) // per_year
    ramp = np.asarray(inputs.ramp, dtype=float)
    coverage = np.where(years_live >= 0, ramp[np.clip(years_live, 0, ramp.size - 1)], 0.0)
    benefit = np.asarray(inputs.benefit_shape, dtype=float) if inputs.benefit_shape else coverage / per_year
    return {"build": build, "run": run, "benefit": benefit}


def _driver_arrays(inputs: BusinessCaseInputs, overrides: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    values = {name: np.atleast_1d(np.asarray(getattr(inputs, name), dtype=float)) for name in DRIVERS}
    for name, array in (overrides or {}).items():
        if name not in DRIVERS:
            raise InputDataError(f"unknown driver {name!r}; drivers are {', '.join(DRIVERS)}")
        values[name] = np.atleast_1d(np.asarray(array, dtype=float))
    return {k: v[:, None] for k, v in values.items()}


def cash_flow_matrix(inputs: BusinessCaseInputs, overrides: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Signed cash flows per item, one row per set of driver values.

    Parameters
    ----------
    inputs : BusinessCaseInputs
        Structure (horizon, periods, ramp) and base driver values.
    overrides : dict of str to array, optional
        Driver values to use instead (arrays of equal length: one row each).

    Returns
    -------
    dict
        ``build``, ``contingency``, ``run`` (negative), ``benefit``
        (positive) and ``net``, each of shape (rows, periods).

    Examples
    --------
    >>> flows = cash_flow_matrix(BusinessCaseInputs(10.0, 100.0, horizon_years=2),
    ...                          {"annual_benefit": [10.0, 20.0]})
    >>> flows["benefit"].tolist()
    [[0.0, 2.0], [0.0, 4.0]]
    """
    d = _driver_arrays(inputs, overrides)
    shape = profiles(inputs)
    build_cost = d["total_budget"] * d["build_share"]
    items = {
        "build": -build_cost * shape["build"],
        "contingency": -build_cost * d["contingency"] * shape["build"],
        "run": -d["total_budget"] * (1 - d["build_share"]) * shape["run"],
        "benefit": d["annual_benefit"] * d["benefit_realisation"] * shape["benefit"],
    }
    rows = max(v.shape[0] for v in d.values())
    items = {k: np.broadcast_to(v, (rows, inputs.periods)) for k, v in items.items()}
    items["net"] = items["build"] + items["contingency"] + items["run"] + items["benefit"]
    return items


def discount_factors(inputs: BusinessCaseInputs, rates: np.ndarray | None = None) -> np.ndarray:
    """Discount factors per period, one row per annual rate."""
    annual = np.atleast_1d(np.asarray(inputs.discount_rate if rates is None else rates, dtype=float))[:, None]
    if (annual <= -1).any():
        raise InputDataError("discount rates must be above -100%")
    t = (np.arange(inputs.periods) + 1) / inputs.periods_per_year  # each period's flows at its end
    return (1 + annual) ** -t


def cash_flow_table(inputs: BusinessCaseInputs) -> pd.DataFrame:
    """Tidy cash-flow table: ``period, year, item, amount, category``
    (``year``: when the period ends, in years from kick-off).

    Examples
    --------
    >>> t = cash_flow_table(BusinessCaseInputs(50e6, 120e6))
    >>> sorted(t["item"].unique())
    ['benefit', 'build', 'contingency', 'run']
    """
    flows = cash_flow_matrix(inputs)
    rows = []
    for item in ("build", "contingency", "run", "benefit"):
        for period, amount in enumerate(flows[item][0]):
            rows.append({"period": period, "year": (period + 1) / inputs.periods_per_year, "item": item, "amount": float(amount),
                         "category": "benefit" if item == "benefit" else "cost"})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BusinessCaseResult:
    """Headline metrics of one business case (amounts in CNY, rates a year,
    payback in years)."""

    npv: float
    irr: float
    mirr: float
    payback_years: float
    discounted_payback_years: float
    roi_multiple: float
    benefit_cost_ratio: float
    tco: float
    pv_costs: float
    pv_benefits: float
    irr_note: str = ""
    payback_note: str = ""

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"metric": list(asdict(self)), "value": list(asdict(self).values())})


def evaluate(inputs: BusinessCaseInputs) -> BusinessCaseResult:
    """NPV, IRR, MIRR, paybacks, ROI, benefit/cost ratio and TCO.

    Each period's flows fall at its end (see the module's cash-flow model):
    the NPV is Excel's ``NPV`` of the period flows. IRR and MIRR are
    annualised from the period rate; MIRR finances and reinvests at the
    discount rate. Payback is in years from kick-off, each period's flows
    accruing evenly through it; it is NaN for unconventional flows (the
    cumulative turns negative again after recovery), with the reason in
    ``payback_note``.

    Examples
    --------
    >>> r = evaluate(BusinessCaseInputs(annual_benefit=70e6, total_budget=120e6))
    >>> r.npv > 0, 0 < r.irr < 1
    (True, True)
    """
    flows = cash_flow_matrix(inputs)
    net = flows["net"][0]
    costs = -(flows["build"] + flows["contingency"] + flows["run"])[0]
    benefits = flows["benefit"][0]
    rate, per_year = inputs.period_rate, inputs.periods_per_year
    irr = finance.irr_result(net)
    payback, discounted = finance.payback_result(net), finance.payback_result(net / (1 + rate), rate)  # discounted from each end
    annualise = lambda r: (1 + r) ** per_year - 1 if not math.isnan(r) else math.nan  # noqa: E731
    return BusinessCaseResult(
        npv=finance.excel_npv(rate, net),
        irr=annualise(irr.value),
        mirr=annualise(finance.mirr(np.r_[0.0, net], rate, rate)),  # kick-off, then each period's end
        payback_years=float(payback_from_kick_off(payback.value, per_year)),
        discounted_payback_years=float(payback_from_kick_off(discounted.value, per_year)),
        roi_multiple=finance.roi_multiple(benefits, costs) if costs.sum() > 0 else math.nan,
        benefit_cost_ratio=finance.benefit_cost_ratio(rate, np.r_[0.0, benefits], np.r_[0.0, costs]) if costs.sum() > 0 else math.nan,
        tco=float(costs.sum()),
        pv_costs=finance.excel_npv(rate, costs),
        pv_benefits=finance.excel_npv(rate, benefits),
        irr_note=irr.reason,
        payback_note=next((r.reason for r in (payback, discounted) if r.unconventional), ""),
    )


def payback_from_kick_off(periods, periods_per_year: int = 1):
    """A payback of the period flows, in years from kick-off.

    :func:`analysis_lib.roi.finance.payback_period` reads period 0 as the
    instant of kick-off. Here each period's flows accrue evenly through it,
    so a recovery within period ``t`` (counting from 0) comes ``t +
    fraction`` periods after kick-off: one period later. A payback of 0
    (nothing invested) and NaN stay as they are.

    Examples
    --------
    >>> from analysis_lib.roi.finance import payback_period
    >>> payback_period([-100, 30, 40, 50])  # recovered 0.6 into the fourth period's 50
    2.6
    >>> float(payback_from_kick_off(payback_period([-100, 30, 40, 50])))  # the fourth year ends 4 years after kick-off
    3.6
    """
    value = np.asarray(periods, dtype=float)
    return np.where(value > 0, value + 1, value) / periods_per_year


def npv_vector(inputs: BusinessCaseInputs, overrides: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """NPV for each row of driver values (vectorised)."""
    flows = cash_flow_matrix(inputs, overrides)["net"]
    rates = (overrides or {}).get("discount_rate")
    return (flows * discount_factors(inputs, rates)).sum(axis=1)


# ---------------------------------------------------------------- scenarios and sensitivity


def apply_scenario(inputs: BusinessCaseInputs, table: pd.DataFrame, scenario: str) -> BusinessCaseInputs:
    """Inputs of a named scenario from a table ``scenario, driver, mode,
    value`` (``mode`` = ``multiply`` the base or ``set`` a value).

    Examples
    --------
    >>> t = pd.DataFrame({"scenario": ["low"], "driver": ["annual_benefit"], "mode": ["multiply"], "value": [0.5]})
    >>> apply_scenario(BusinessCaseInputs(10.0, 5.0), t, "low").annual_benefit
    5.0
    """
    rows = table[table["scenario"] == scenario]
    if rows.empty and scenario != "base":
        known = ", ".join(sorted(table["scenario"].unique()))
        raise InputDataError(f"unknown scenario {scenario!r}; known: {known}")
    changes = {}
    for row in rows.itertuples(index=False):
        if row.driver not in DRIVERS:
            raise InputDataError(f"scenario {scenario!r}: unknown driver {row.driver!r}")
        if row.mode not in ("multiply", "set"):
            raise InputDataError(f"scenario {scenario!r}: mode must be 'multiply' or 'set', got {row.mode!r}")
        base = getattr(inputs, row.driver)
        changes[row.driver] = base * float(row.value) if row.mode == "multiply" else float(row.value)
    return replace(inputs, **changes)


def load_scenarios() -> pd.DataFrame:
    """The default scenario table ``data/scenarios.csv``."""
    from analysis_lib.reference.catalog import data_dir

    return pd.read_csv(data_dir() / "scenarios.csv")


def scenario_table(inputs: BusinessCaseInputs, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Headline metrics of every scenario (``base`` first).

    Examples
    --------
    >>> s = scenario_table(BusinessCaseInputs(60e6, 120e6))
    >>> list(s.index)
    ['base', 'pessimistic', 'optimistic']
    """
    table = load_scenarios() if table is None else table
    names = ["base", *[s for s in dict.fromkeys(table["scenario"]) if s != "base"]]
    rows = {name: asdict(evaluate(apply_scenario(inputs, table, name))) for name in names}
    return pd.DataFrame(rows).T.drop(columns=["irr_note", "payback_note"])


def sensitivity(inputs: BusinessCaseInputs, ranges: dict[str, tuple[float, float]] | None = None, swing: float = 0.2) -> pd.DataFrame:
    """One-way sensitivity of NPV to every driver: tornado-ready, widest first.

    Parameters
    ----------
    ranges : dict, optional
        ``driver -> (low, high)`` input values; by default ``base × (1 ∓ swing)``
        (shares are capped at 1).

    Examples
    --------
    >>> t = sensitivity(BusinessCaseInputs(60e6, 120e6))
    >>> bool(t["swing"].is_monotonic_decreasing), len(t) == len(DRIVERS)
    (True, True)
    """
    base_npv = float(npv_vector(inputs)[0])
    rows = []
    for driver in DRIVERS:
        base = getattr(inputs, driver)
        low, high = (ranges or {}).get(driver, (base * (1 - swing), base * (1 + swing)))
        if driver in ("build_share", "benefit_realisation", "contingency"):
            low, high = max(low, 0.0), min(high, 1.0)
        npvs = npv_vector(inputs, {driver: np.array([low, high])})
        rows.append({"driver": driver, "base_value": base, "low_value": low, "high_value": high,
                     "npv_low": npvs[0], "npv_high": npvs[1], "base_npv": base_npv, "swing": abs(npvs[1] - npvs[0])})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)


BREAK_EVEN_BRACKETS: dict[str, tuple[float, float]] = {
    "annual_benefit": (0.0, 1e15),
    "total_budget": (0.0, 1e15),
    "build_share": (0.0, 1.0),
    "contingency": (0.0, 1.0),
    "benefit_realisation": (0.0, 1.0),
    "discount_rate": (-0.99, 100.0),
}


def break_even(inputs: BusinessCaseInputs) -> pd.DataFrame:
    """Value of each driver, the others at base, at which NPV = 0.

    NaN (with a note) when NPV does not change sign within the driver's
    admissible range.

    Examples
    --------
    >>> b = break_even(BusinessCaseInputs(70e6, 120e6)).set_index("driver")
    >>> bool(b.loc["annual_benefit", "break_even"] < 70e6)
    True
    """
    rows = []
    for driver, (low, high) in BREAK_EVEN_BRACKETS.items():
        f = lambda x, d=driver: float(npv_vector(inputs, {d: np.array([x])})[0])  # noqa: E731
        f_low, f_high = f(low), f(high)
        if f_low == 0:
            value, note = low, ""
        elif np.sign(f_low) == np.sign(f_high):
            value, note = math.nan, "NPV keeps the same sign over the admissible range"
        else:
            value, note = brentq(f, low, high, xtol=1e-10 * max(1.0, abs(getattr(inputs, driver)))), ""
        rows.append({"driver": driver, "base_value": getattr(inputs, driver), "break_even": value, "note": note})
    return pd.DataFrame(rows)
