"""Resource plan: roles per phase (template §3.3, §5.2), FTE-weeks and cost
by phase and role from day rates, feeding the business case's build cost.

Defaults (``data/resource_plan.csv``): core team 8–10, data scientists 6–8,
process experts 3–5, business support 30–50; day rates and the external
(vendor or consultant) share of each role in ``data/day_rates.csv``. Phase
lengths come from the CPM schedule; :func:`quarterly_fte` spreads each
phase's staffing over the calendar quarters it spans.
"""

from __future__ import annotations

import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.plan.roadmap import WORKDAYS_PER_WEEK, Schedule
from analysis_lib.reference.catalog import data_dir


def load_resource_plan() -> pd.DataFrame:
    """Roles per phase with FTE ranges."""
    table = pd.read_csv(data_dir() / "resource_plan.csv")
    if (table["fte_low"] > table["fte_high"]).any() or (table["fte_low"] < 0).any():
        raise InputDataError("data/resource_plan.csv: expected 0 <= fte_low <= fte_high")
    return table


def load_day_rates() -> pd.DataFrame:
    """Day rate per role (CNY)."""
    return pd.read_csv(data_dir() / "day_rates.csv").set_index("role")


def resource_cost(schedule: Schedule, plan: pd.DataFrame | None = None, rates: pd.DataFrame | None = None,
                  staffing: str = "mid") -> pd.DataFrame:
    """FTE-weeks and cost by phase and role.

    Parameters
    ----------
    staffing : {"low", "mid", "high"}
        Which end of the FTE ranges to staff at.

    Returns
    -------
    pandas.DataFrame
        ``phase, role, fte, weeks, fte_weeks, day_rate, cost``.

    Examples
    --------
    >>> from analysis_lib.plan.roadmap import critical_path, load_roadmap
    >>> table = resource_cost(critical_path(load_roadmap()))
    >>> float(table.query("phase == 'assessment' and role == 'core_team'")["fte_weeks"].iloc[0])
    36.0
    """
    plan = load_resource_plan() if plan is None else plan
    rates = load_day_rates() if rates is None else rates
    if staffing not in ("low", "mid", "high"):
        raise InputDataError(f"staffing must be low, mid or high, got {staffing!r}")
    fte = {"low": plan["fte_low"], "high": plan["fte_high"], "mid": (plan["fte_low"] + plan["fte_high"]) / 2}[staffing]
    unknown = sorted(set(plan["role"]) - set(rates.index))
    if unknown:
        raise InputDataError(f"no day rate for the roles {unknown}")
    phases = schedule.phase_reserve["weeks"]
    missing = sorted(set(plan["phase"]) - set(phases.index))
    if missing:
        raise InputDataError(f"resource plan phases not in the roadmap: {missing}")
    table = plan[["phase", "role"]].assign(fte=fte, weeks=plan["phase"].map(phases))
    table["fte_weeks"] = table["fte"] * table["weeks"]
    table["day_rate"] = table["role"].map(rates["day_rate_cny"])
    table["cost"] = table["fte_weeks"] * WORKDAYS_PER_WEEK * table["day_rate"]
    return table


WEEKS_PER_QUARTER = 13


def quarterly_fte(table: pd.DataFrame, schedule: Schedule) -> pd.DataFrame:
    """Average FTE per role and programme quarter (quarter 1 = weeks 0–13),
    each phase's staffing spread over the weeks the schedule gives it.

    Examples
    --------
    >>> from analysis_lib.plan.roadmap import critical_path, load_roadmap
    >>> schedule = critical_path(load_roadmap())
    >>> q = quarterly_fte(resource_cost(schedule), schedule)
    >>> list(q.columns), float(q.loc["core_team", 1])
    ([1, 2, 3], 9.0)
    """
    phases = schedule.phase_reserve
    end = float(phases["finish"].max())
    quarters = range(1, int(-(-end // WEEKS_PER_QUARTER)) + 1)
    rows = {}
    for role, group in table.groupby("role", sort=False):
        averages = []
        for quarter in quarters:
            low, high = (quarter - 1) * WEEKS_PER_QUARTER, quarter * WEEKS_PER_QUARTER
            overlap = (phases["finish"].clip(upper=high) - phases["start"].clip(lower=low)).clip(lower=0.0)
            weeks = group["phase"].map(overlap).fillna(0.0)
            averages.append(float((group["fte"] * weeks).sum() / WEEKS_PER_QUARTER))
        rows[role] = averages
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(quarters))


def build_cost(table: pd.DataFrame, build_phases: tuple[str, ...] = ("assessment", "design", "build", "pilot")) -> float:
    """People cost of the build phases (before rollout), for the business
    case's build cost."""
    return float(table.loc[table["phase"].isin(build_phases), "cost"].sum())
