"""Plausibility bounds of a business case: limits a CFO would apply before
believing the numbers, stated with their rationale in
``data/plausibility.csv``.

Each bound is ``measure <= limit`` (``direction = max``) or ``measure >=
limit`` (``min``) over these measures:

- ``value_at_stake / revenue``, ``risk_adjusted_benefit / revenue``;
- ``risk_adjusted_benefit / cost_base`` (cost base = revenue ×
  cost-to-income);
- ``risk_adjusted_benefit / customers`` (CNY a customer a year);
- ``irr`` and ``payback_years`` of the base case.

An institution outside a bound is not refused: the report and the batch
summary carry a visible warning naming the bound, the value and the limit.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

MEASURES = ("value_at_stake", "risk_adjusted_benefit", "revenue", "cost_base", "customers", "irr", "payback_years")


def load_bounds() -> pd.DataFrame:
    """The bounds table, indexed by ``bound_id``.

    Examples
    --------
    >>> float(load_bounds().at["irr_ceiling", "limit"])
    0.8
    """
    table = pd.read_csv(data_dir() / "plausibility.csv").set_index("bound_id")
    if not table["direction"].isin(("max", "min")).all():
        raise InputDataError("data/plausibility.csv: direction must be 'max' or 'min'")
    return table


def _measure(expression: str, values: dict[str, float]) -> float:
    try:
        result = float(pd.eval(expression, local_dict=values, engine="python"))
    except (ZeroDivisionError, ValueError, TypeError):
        return math.nan
    return result if math.isfinite(result) else math.nan


def plausibility_checks(**values: float) -> pd.DataFrame:
    """Every bound with the institution's value and whether it is breached.

    Parameters
    ----------
    **values : float
        The :data:`MEASURES` (CNY, a year; IRR as a fraction; payback in years).
        A missing or undefined measure (NaN) never breaches a bound.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``bound_id``: ``measure, direction, limit, value,
        breached, label_en, label_zh, rationale``.

    Examples
    --------
    >>> c = plausibility_checks(value_at_stake=5e9, risk_adjusted_benefit=2e8, revenue=2.7e10, cost_base=1e10,
    ...                         customers=2.5e7, irr=0.35, payback_years=2.8)
    >>> c.index[c["breached"]].tolist()
    ['value_at_stake_revenue']
    """
    missing = sorted(set(MEASURES) - set(values))
    if missing:
        raise InputDataError(f"plausibility checks need the measures {missing}")
    table = load_bounds().copy()
    clean = {k: float(v) if v is not None else math.nan for k, v in values.items()}
    table["value"] = [_measure(expr, clean) for expr in table["measure"]]
    over = (table["direction"] == "max") & (table["value"] > table["limit"])
    under = (table["direction"] == "min") & (table["value"] < table["limit"])
    table["breached"] = (over | under) & table["value"].notna()
    return table[["measure", "direction", "limit", "unit", "value", "breached", "label_en", "label_zh", "rationale"]]


def warnings_of(checks: pd.DataFrame, language: str = "en") -> list[str]:
    """One sentence per breached bound.

    Examples
    --------
    >>> c = plausibility_checks(value_at_stake=5e9, risk_adjusted_benefit=2e8, revenue=2.7e10, cost_base=1e10,
    ...                         customers=2.5e7, irr=0.35, payback_years=2.8)
    >>> warnings_of(c)
    ['Value at stake above 15% of revenue: 18.5% against a limit of 15.0%']
    """
    out = []
    for bound in checks[checks["breached"]].itertuples():
        label = bound.label_zh if language == "zh" else bound.label_en
        value, limit = _shown(bound.value, bound.unit, language), _shown(bound.limit, bound.unit, language)
        out.append(f"{label}：{value}，限值{limit}" if language == "zh" else f"{label}: {value} against a limit of {limit}")
    return out


def _shown(value: float, unit: str, language: str) -> str:
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "years":
        return f"{value:.1f}" + ("年" if language == "zh" else " years")
    return f"{value:,.0f}" + ("元" if language == "zh" else " CNY")
