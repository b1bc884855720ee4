"""Benefits realisation and delivery progress against the business case and
roadmap of the original diagnosis.

- **Benefits**: each initiative's planned benefit per period is its share of
  the business case's annual benefit × benefit realisation × the ramp (as in
  :func:`analysis_lib.roi.business_case.profiles`); realised to date is the
  sum of the actual ``benefit`` rows. Status: *on track* at 90% of plan or
  more, *behind* from 60%, *off track* below.
- **Earned value**: BAC is the build budget; planned value of a phase grows
  linearly over its weeks in the roadmap and is weighted by its share of
  the build's people cost; earned value is BAC × Σ weight × share complete
  (the reported ``progress``, 1 once the phase's milestone is reached);
  actual cost is the cumulative delivery ``spend``. SPI, CPI and EAC come
  from :func:`analysis_lib.plan.evm.earned_value`.
- **Revised NPV**: the business case with the periods elapsed replaced by
  the actuals (benefits, delivery spend, running cost where reported), the
  rest of the build at the EAC (``BAC / CPI``) less what is spent, and
  future benefits at the plan × the realisation rate to date (never above
  the plan); the case's discount rate, each period's flows discounted
  from its end, as in the business case.
- **Risks**: the register's risks that occurred, their cost against the
  planned expected exposure and the contingency reserve.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis_lib.plan.evm import earned_value
from analysis_lib.review.actuals import Actuals, cumulative, latest_progress
from analysis_lib.review.plan_record import Programme
from analysis_lib.roi.business_case import BusinessCaseInputs, cash_flow_matrix, profiles
from analysis_lib.roi.finance import excel_npv

ON_TRACK, BEHIND = 0.9, 0.6
"""Realisation thresholds of the benefit status."""
WEEKS_PER_YEAR = 52.0


def at_frequency(inputs: BusinessCaseInputs, periods_per_year: int) -> BusinessCaseInputs:
    """The business case at another period frequency: an annual benefit
    shape is spread evenly over each year's periods.

    Examples
    --------
    >>> inputs = BusinessCaseInputs(1.0, 1.0, horizon_years=2, benefit_shape=(0.2, 1.0))
    >>> at_frequency(inputs, 4).benefit_shape
    (0.05, 0.05, 0.05, 0.05, 0.25, 0.25, 0.25, 0.25)
    """
    shape = tuple(float(v) for v in np.repeat(np.asarray(inputs.benefit_shape, dtype=float) / periods_per_year, periods_per_year)) \
        if inputs.benefit_shape and inputs.periods_per_year == 1 else inputs.benefit_shape
    return replace(inputs, periods_per_year=periods_per_year, benefit_shape=shape)


def benefit_status(share: float) -> str:
    """``on track``, ``behind`` or ``off track`` for a realisation share
    (``n/a`` when nothing was planned yet).

    Examples
    --------
    >>> [benefit_status(s) for s in (0.95, 0.7, 0.3, float("nan"))]
    ['on track', 'behind', 'off track', 'n/a']
    """
    if not np.isfinite(share):
        return "n/a"
    return "on track" if share >= ON_TRACK else "behind" if share >= BEHIND else "off track"


def planned_benefits(programme: Programme, periods_per_year: int, periods: int) -> pd.DataFrame:
    """Planned benefit of each initiative in each programme period (CNY).

    Examples
    --------
    >>> from analysis_lib.review.plan_record import load_programme
    >>> from analysis_lib.reference.catalog import data_dir
    >>> p = load_programme(data_dir() / "sample" / "review" / "CITY-02.summary.json")
    >>> plan = planned_benefits(p, 1, 5)
    >>> shape = profiles(p.inputs)["benefit"]
    >>> bool(abs(plan.sum(axis=1).iloc[2] - p.inputs.annual_benefit * p.inputs.benefit_realisation * shape[2]) < 1)
    True
    """
    inputs = at_frequency(programme.inputs, periods_per_year)
    shape = profiles(inputs)["benefit"]
    shape = np.concatenate([shape, np.full(max(0, periods - shape.size), shape[-1] if shape.size else 0.0)])[:periods]
    annual = programme.initiatives["annual_benefit"].astype(float) * inputs.benefit_realisation
    return pd.DataFrame(np.outer(shape, annual), columns=programme.initiatives.index)


def planned_progress(programme: Programme, periods_per_year: int, periods: int, pace: float = 1.0) -> pd.DataFrame:
    """Planned share complete of each phase at the end of each programme
    period (linear over the phase's weeks); ``pace`` < 1 gives the
    progress of a delivery that runs slower than planned.

    Examples
    --------
    >>> from analysis_lib.review.plan_record import load_programme
    >>> from analysis_lib.reference.catalog import data_dir
    >>> p = load_programme(data_dir() / "sample" / "review" / "CITY-02.summary.json")
    >>> planned_progress(p, 4, 4).iloc[-1].tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    weeks = (np.arange(1, periods + 1) / periods_per_year) * WEEKS_PER_YEAR * pace
    phases = programme.phases
    span = (phases["finish_week"] - phases["start_week"]).replace(0, 1e-9)
    done = np.clip((weeks[:, None] - phases["start_week"].to_numpy()) / span.to_numpy(), 0, 1)
    return pd.DataFrame(done, columns=phases.index)


def benefits_realisation(programme: Programme, actuals: Actuals, through: int | None = None) -> pd.DataFrame:
    """Benefits realised against plan by initiative, to the end of programme
    period ``through`` (default: the last reported period).

    Returns
    -------
    pandas.DataFrame
        One row per initiative: ``name_en, name_zh, planned_annual,
        planned_to_date, realised_to_date, realisation, status``; a last
        row ``total``.
    """
    last = int(actuals.rows["index"].max()) if through is None else through
    plan = planned_benefits(programme, actuals.periods_per_year, last + 1).sum()
    realised = actuals.of("benefit").groupby("id")["amount"].sum().reindex(programme.initiatives.index).fillna(0.0)
    table = programme.initiatives[["name_en", "name_zh"]].copy()
    table["planned_annual"] = programme.initiatives["annual_benefit"].astype(float) * programme.inputs.benefit_realisation
    table["planned_to_date"] = plan
    table["realised_to_date"] = realised
    total = pd.DataFrame({"name_en": ["Total"], "name_zh": ["合计"], "planned_annual": [table["planned_annual"].sum()],
                          "planned_to_date": [plan.sum()], "realised_to_date": [realised.sum()]}, index=["total"])
    table = pd.concat([table, total])
    table["realisation"] = table["realised_to_date"] / table["planned_to_date"].where(table["planned_to_date"] > 0)
    table["status"] = [benefit_status(s) for s in table["realisation"]]
    return table


def delivery_progress(programme: Programme, actuals: Actuals) -> pd.DataFrame:
    """Earned value of the delivery at the end of every reported period.

    Returns
    -------
    pandas.DataFrame
        ``period`` plus the columns of :func:`analysis_lib.plan.evm.earned_value`
        (PV, EV, AC cumulative CNY; SPI, CPI, EAC …).
    """
    last = int(actuals.rows["index"].max())
    bac = programme.build_budget
    weights = programme.phases["weight"].astype(float)
    planned = planned_progress(programme, actuals.periods_per_year, last + 1) @ weights * bac
    earned = latest_progress(actuals, programme, last + 1) @ weights * bac
    spend = cumulative(actuals, "spend", last + 1)
    cost = spend.sum(axis=1) if len(spend.columns) else pd.Series(0.0, index=range(last + 1))
    labels = actuals.rows.drop_duplicates("index").set_index("index")["period"].reindex(range(last + 1))
    table = pd.DataFrame({"period": labels.fillna("").to_numpy(), "planned_value": planned.to_numpy(), "earned_value": earned.to_numpy(),
                          "actual_cost": cost.to_numpy()})
    return earned_value(table, bac)


def milestones(programme: Programme, actuals: Actuals) -> pd.DataFrame:
    """Each roadmap milestone: planned week and period, when it was reached
    (or not yet) and whether that was late."""
    months = 12 // actuals.periods_per_year
    reached = actuals.of("milestone").set_index("id")
    table = programme.milestones[["phase", "name_en", "name_zh", "week"]].copy()
    table["planned_index"] = np.ceil(table["week"] / WEEKS_PER_YEAR * actuals.periods_per_year - 1e-9).astype(int) - 1
    table["planned_index"] = table["planned_index"].clip(lower=0)
    table["reached_period"] = reached["period"].reindex(table.index)
    table["reached_index"] = reached["index"].reindex(table.index)
    last = int(actuals.rows["index"].max())
    due = table["planned_index"] <= last
    late = table["reached_index"] > table["planned_index"]
    table["status"] = np.select([table["reached_index"].notna() & ~late, table["reached_index"].notna() & late, due],
                                ["reached", "reached late", "overdue"], "not yet due")
    table["months_per_period"] = months
    return table


def materialised_risks(programme: Programme, actuals: Actuals) -> pd.DataFrame:
    """Risks of the register that occurred: period, actual cost, planned
    expected exposure and mid impact."""
    rows = actuals.of("risk")
    table = rows.groupby("id").agg(period=("period", "first"), actual_cost=("amount", "sum"))
    return table.join(programme.risks[["title_en", "title_zh", "expected_exposure", "impact_mid"]], how="left")


def revised_npv(programme: Programme, actuals: Actuals, evm: pd.DataFrame, realisation: float) -> dict[str, float]:
    """NPV of the business case as planned and revised with the actuals.

    Parameters
    ----------
    evm : pandas.DataFrame
        :func:`delivery_progress` (its last row gives EAC and AC).
    realisation : float
        Benefits realised to date ÷ planned to date (future benefits scale
        by it, at most 1).

    Returns
    -------
    dict
        ``planned_npv`` (recomputed at the actuals' frequency),
        ``revised_npv``, ``change``, ``eac``, ``realisation_applied``.
    """
    inputs = at_frequency(programme.inputs, actuals.periods_per_year)
    flows = {k: v[0].copy() for k, v in cash_flow_matrix(inputs).items()}
    elapsed = int(actuals.rows["index"].max()) + 1
    rate = inputs.period_rate
    planned = excel_npv(rate, flows["net"])  # each period's flows at its end, as the business case
    scale = min(realisation, 1.0) if np.isfinite(realisation) else 1.0
    benefit = flows["benefit"] * scale
    realised = actuals.of("benefit").groupby("index")["amount"].sum().reindex(range(elapsed)).fillna(0.0).to_numpy()
    benefit[:elapsed] = realised
    last = evm.iloc[-1]
    spent = actuals.of("spend").groupby("index")["amount"].sum().reindex(range(elapsed)).fillna(0.0).to_numpy()
    eac = float(last["eac_cpi"]) if np.isfinite(last["eac_cpi"]) else programme.build_budget
    remaining = max(eac - float(last["actual_cost"]), 0.0) * (1 + inputs.contingency)
    build = np.zeros(inputs.periods)
    build[:elapsed] = -spent
    later = np.arange(inputs.periods) >= elapsed
    planned_build = (flows["build"] + flows["contingency"]) * later
    if planned_build.sum() < 0:
        build += planned_build / planned_build.sum() * -remaining
    elif elapsed < inputs.periods:
        build[elapsed] -= remaining
    run = flows["run"].copy()
    run_actual = actuals.of("run_cost").groupby("index")["amount"].sum()
    for index, amount in run_actual.items():
        run[int(index)] = -amount
    revised = excel_npv(rate, build + run + benefit)
    return {"planned_npv": float(planned), "revised_npv": float(revised), "change": float(revised - planned), "eac": eac,
            "realisation_applied": float(scale)}
