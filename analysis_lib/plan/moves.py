"""The moves that create most of the value, and the first 100 days.

- :func:`key_moves`: the programme's initiatives ranked by their
  risk-adjusted benefit a year at full run-rate (the business case's benefit
  lines), with the month their value starts (time to value) and reaches full
  run-rate (time to value + the ramp), and their share of the programme's
  benefit. Three to five moves: the top five, or every initiative when the
  programme has fewer.
- :func:`hundred_day_plan`: what happens in the first 100 days: the steps
  that fit the verdict (``data/first_100_days.csv``: sponsor, success
  criteria, contracts, data fixes) and, when the programme goes ahead, the
  roadmap tasks that finish within 100 days of the start, each with its day
  and owner.
"""

from __future__ import annotations

import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

MAX_MOVES = 5
"""Moves shown in the executive summary."""
PLAN_DAYS = 100
"""Length of the first-steps plan."""
DAYS_PER_WEEK = 7
GOING_AHEAD = ("proceed", "pilot_first")
"""Verdicts under which the roadmap's first tasks start at once."""


def load_first_steps() -> pd.DataFrame:
    """The verdict-specific first steps, ``data/first_100_days.csv``
    (``sustain_lead``: a leader that needs no programme, whose verdict is
    *do not proceed*).

    Examples
    --------
    >>> sorted(load_first_steps()["verdict"].unique())
    ['do_not_proceed', 'fix_data_first', 'pilot_first', 'proceed', 'sustain_lead']
    """
    table = pd.read_csv(data_dir() / "first_100_days.csv")
    if (table["day"] > PLAN_DAYS).any() or (table["day"] < 0).any():
        raise InputDataError(f"data/first_100_days.csv: every day must be between 0 and {PLAN_DAYS}")
    return table


def key_moves(benefits: pd.Series, initiatives: pd.DataFrame, ramp_months: int, limit: int = MAX_MOVES) -> pd.DataFrame:
    """The programme's initiatives that create most of the value.

    Parameters
    ----------
    benefits : pandas.Series
        Risk-adjusted benefit a year at full run-rate per programme
        initiative (CNY).
    initiatives : pandas.DataFrame
        ``name_en``, ``name_zh`` and ``time_to_value_months`` per initiative.
    ramp_months : int
        Months from first value to full run-rate.
    limit : int
        Most moves returned.

    Returns
    -------
    pandas.DataFrame
        Indexed by initiative: ``name_en, name_zh, annual_benefit,
        first_value_month, full_value_month, share``, largest benefit first.

    Examples
    --------
    >>> table = pd.DataFrame({"name_en": ["A", "B"], "name_zh": ["甲", "乙"], "time_to_value_months": [3, 9]}, index=["a", "b"])
    >>> moves = key_moves(pd.Series({"a": 10e6, "b": 30e6}), table, ramp_months=12)
    >>> moves.index.tolist(), moves["share"].tolist(), moves["full_value_month"].tolist()
    (['b', 'a'], [0.75, 0.25], [21, 15])
    """
    benefits = benefits[benefits > 0].sort_values(ascending=False, kind="stable")
    if benefits.empty:
        return pd.DataFrame(columns=["name_en", "name_zh", "annual_benefit", "first_value_month", "full_value_month", "share"])
    rows = initiatives.loc[benefits.index]
    moves = pd.DataFrame({
        "name_en": rows["name_en"], "name_zh": rows["name_zh"], "annual_benefit": benefits,
        "first_value_month": rows["time_to_value_months"].astype(int),
        "full_value_month": rows["time_to_value_months"].astype(int) + int(ramp_months),
        "share": benefits / benefits.sum(),
    })
    return moves.head(limit)


def hundred_day_plan(tasks: pd.DataFrame, verdict: str, roles: pd.DataFrame) -> pd.DataFrame:
    """The first 100 days for a verdict.

    Parameters
    ----------
    tasks : pandas.DataFrame
        The scheduled roadmap (:attr:`analysis_lib.plan.roadmap.Schedule.tasks`:
        ``name_en, name_zh, ef`` in weeks, ``milestone``, ``owner_role``).
    verdict : str
        One of ``proceed``, ``pilot_first``, ``do_not_proceed``,
        ``fix_data_first``, or ``sustain_lead`` (do not proceed because the
        institution leads its peers).
    roles : pandas.DataFrame
        ``label_en`` and ``label_zh`` per role (``data/day_rates.csv``).

    Returns
    -------
    pandas.DataFrame
        ``day, action_en, action_zh, owner_en, owner_zh``, by day.

    Examples
    --------
    >>> from analysis_lib.plan.roadmap import critical_path, load_roadmap
    >>> from analysis_lib.plan.resources import load_day_rates
    >>> plan = hundred_day_plan(critical_path(load_roadmap()).tasks, "pilot_first", load_day_rates())
    >>> int(plan["day"].max()) <= 100, "Requirements signed off" in set(plan["action_en"])
    (True, True)
    """
    steps = load_first_steps()
    if verdict not in set(steps["verdict"]):
        raise InputDataError(f"no first steps for the verdict {verdict!r}")
    rows = steps[steps["verdict"] == verdict].drop(columns="verdict")
    if verdict in GOING_AHEAD:
        early = tasks[(tasks["ef"] * DAYS_PER_WEEK <= PLAN_DAYS) & tasks["milestone"].astype(bool)]
        owner = roles.reindex(early["owner_role"])
        rows = pd.concat([rows, pd.DataFrame({
            "day": (early["ef"] * DAYS_PER_WEEK).round().astype(int).to_numpy(), "action_en": early["name_en"].to_numpy(),
            "action_zh": early["name_zh"].to_numpy(), "owner_en": owner["label_en"].to_numpy(), "owner_zh": owner["label_zh"].to_numpy()})])
    return rows.sort_values("day", kind="stable").reset_index(drop=True)
