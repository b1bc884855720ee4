"""The programme's business case: the selected initiatives of the value
chain are its benefit lines, and its cost side is shaped as in Forrester's
Total Economic Impact (TEI) method.

Cost lines (``data/cost_structure.csv``, each with its rationale):

- the selected initiatives' one-off cost, split into *licences and
  subscriptions*, *implementation partner*, *infrastructure* and *training
  and change management* by stated shares;
- *programme team* (``internal_labour``): the resource plan's cost (all phases), passed in from
  :mod:`analysis_lib.plan.resources`;
- *running cost*: the selected initiatives' annual running cost × the years
  after go-live;
- *contingency*: the risk register's reserve at a stated confidence (P80 by
  default, :mod:`analysis_lib.plan.risk`), one number used by the risk page
  and the business case.

Benefits: ``annual_benefit`` = the risk-adjusted run-rate of the selected
lines and ``benefit_shape`` = their ramped (and, for retention, cohort)
profiles over the horizon (:meth:`ValueChain.benefit_flows`), so the cash
flows carry exactly the value chain's lines. Benefit realisation is 1 in
the base case: the TEI haircut per line already is the risk adjustment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.gaps.value_chain import ValueChain
from analysis_lib.reference.catalog import data_dir
from analysis_lib.roi.business_case import BusinessCaseInputs

ONE_OFF_LINES = ("licences", "implementation_partner", "infrastructure", "training_change")
CONTINGENCY_CONFIDENCE = "p80"
"""Confidence of the risk reserve carried as the business case's contingency."""
BUILD_YEARS = 0.75
"""Build (assessment to pilot) before go-live, in years."""


def load_cost_structure() -> pd.DataFrame:
    """TEI cost lines with their phase, share of one-off cost and rationale.

    Examples
    --------
    >>> round(float(load_cost_structure()["share_of_one_off"].sum()), 6)
    1.0
    """
    table = pd.read_csv(data_dir() / "cost_structure.csv").set_index("line")
    shares = table.loc[list(ONE_OFF_LINES), "share_of_one_off"]
    if shares.isna().any() or abs(float(shares.sum()) - 1) > 1e-9:
        raise InputDataError(f"data/cost_structure.csv: the shares of one-off cost of {ONE_OFF_LINES} must add up to 1")
    return table


def run_years(horizon_years: int, periods_per_year: int = 1) -> float:
    """Years of running cost in the horizon: the periods after the build."""
    inputs = BusinessCaseInputs(0.0, 0.0, build_years=BUILD_YEARS, horizon_years=horizon_years, periods_per_year=periods_per_year)
    return (inputs.periods - inputs.build_periods) / periods_per_year


def cost_lines(initiatives: pd.DataFrame, internal_labour: float, horizon_years: int) -> pd.DataFrame:
    """The programme's TEI cost lines before contingency.

    Parameters
    ----------
    initiatives : pandas.DataFrame
        The selected initiatives (``one_off_cost``, ``running_cost`` in CNY).
    internal_labour : float
        The resource plan's cost (CNY).
    horizon_years : int
        Of the business case.

    Returns
    -------
    pandas.DataFrame
        ``line, phase, amount, label_en, label_zh, rationale``.

    Examples
    --------
    >>> t = cost_lines(pd.DataFrame({"one_off_cost": [100.0], "running_cost": [10.0]}), 20.0, 5)
    >>> t.set_index("line")["amount"].round(1).to_dict()["running_cost"], float(t["amount"].sum())
    (40.0, 160.0)
    """
    structure = load_cost_structure()
    one_off = float(initiatives["one_off_cost"].sum())
    amounts = {line: one_off * float(structure.at[line, "share_of_one_off"]) for line in ONE_OFF_LINES}
    amounts["internal_labour"] = float(internal_labour)
    amounts["running_cost"] = float(initiatives["running_cost"].sum()) * run_years(horizon_years)
    table = structure.loc[list(amounts)].reset_index()[["line", "phase", "label_en", "label_zh", "rationale"]]
    table.insert(2, "amount", [amounts[line] for line in table["line"]])
    return table


def programme_inputs(chain: ValueChain, costs: pd.DataFrame, contingency_amount: float, discount_rate: float,
                     horizon_years: int) -> BusinessCaseInputs:
    """Business-case inputs carrying the value chain's benefit lines and the
    TEI cost lines; contingency = ``contingency_amount`` on the build cost.

    Examples
    --------
    >>> from analysis_lib.gaps.value_chain import _example_gaps, _example_initiatives, build_value_chain
    >>> chain = build_value_chain(_example_gaps(), _example_initiatives())
    >>> costs = cost_lines(_example_initiatives().loc[chain.selected], 5e6, 5)
    >>> i = programme_inputs(chain, costs, 3e6, 0.08, 5)
    >>> round(i.annual_benefit / 1e6, 2), round(i.total_budget / 1e6, 2)
    (27.0, 33.0)
    """
    build = float(costs.loc[costs["phase"] == "build", "amount"].sum())
    total = float(costs["amount"].sum())
    if total <= 0 or build <= 0:
        raise InputDataError("the programme has no cost: a business case needs at least one initiative")
    flows = chain.benefit_flows().sum(axis=0) if len(chain.lines) else np.zeros(horizon_years)
    annual = float(chain.totals()["risk_adjusted_benefit"])
    shape = tuple(float(x) for x in flows / annual) if annual > 0 else ()
    return BusinessCaseInputs(annual_benefit=annual, total_budget=total, build_share=build / total,
                              contingency=min(contingency_amount / build, 1.0), benefit_realisation=1.0, discount_rate=discount_rate,
                              build_years=BUILD_YEARS, horizon_years=horizon_years, benefit_shape=shape)
