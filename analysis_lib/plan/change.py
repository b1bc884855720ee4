"""Organisation and change management: the template's four-part change model
(culture, rules, process, capability; §3.4), the tiered training plan sized
to the institution, and the adoption targets the programme office tracks.

- **Change actions** are reference data (``data/change_actions.csv``): each
  names its pillar, owner and the roadmap phase it belongs to.
- **Training**: headcount per tier from the institution's size
  (``data/training_plan.csv``: a share of employees, or, for relationship
  managers, customers ÷ customers per relationship manager, capped at the
  employees), never below the tier's minimum; hours = headcount × hours per
  person.
- **Adoption targets** rise along an S-curve (logistic, centred half-way)
  from today's new-feature adoption rate to its target over the rollout
  quarters: slow in the pilot, fastest mid-rollout, levelling off at full
  coverage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

PILLARS = ("culture", "institution", "process", "capability")
PHASES = ("assessment", "design", "build", "pilot", "rollout")
BASES = ("share_of_employees", "relationship_managers")
RM_CAP_SHARE = 0.3
"""Relationship managers are at most this share of the employees (an input
that implies more is inconsistent: front-line relationship managers are
typically 10–30% of a retail bank's staff)."""


def load_change_actions(path=None) -> pd.DataFrame:
    """The change actions, checked against the pillars and phases.

    Examples
    --------
    >>> sorted(load_change_actions()["pillar"].unique()) == sorted(PILLARS)
    True
    """
    path = path or data_dir() / "change_actions.csv"
    table = pd.read_csv(path, dtype=str)
    for column, allowed in (("pillar", PILLARS), ("phase", PHASES)):
        bad = table[~table[column].isin(allowed)]
        if len(bad):
            raise InputDataError(f"{path}, row {bad.index[0] + 2}, column {column!r}: {bad[column].iloc[0]!r}; "
                                 f"expected one of {', '.join(allowed)}")
    return table


def training_plan(institution: pd.Series, path=None) -> pd.DataFrame:
    """Training headcount and hours per tier for one institution.

    Parameters
    ----------
    institution : pandas.Series
        ``employees``, ``customers`` and ``customers_per_rm``.

    Returns
    -------
    pandas.DataFrame
        ``tier, audience_en, audience_zh, content_en, content_zh,
        headcount, hours_per_person, hours``.

    Examples
    --------
    >>> bank = pd.Series({"employees": 10_000, "customers": 2_000_000, "customers_per_rm": 1000})
    >>> plan = training_plan(bank).set_index("tier")
    >>> int(plan.at["relationship_managers", "headcount"]), int(plan.at["managers", "headcount"])
    (2000, 400)
    """
    path = path or data_dir() / "training_plan.csv"
    tiers = pd.read_csv(path)
    bad = tiers[~tiers["basis"].isin(BASES)]
    if len(bad):
        raise InputDataError(f"{path}: tier {bad['tier'].iloc[0]!r} has basis {bad['basis'].iloc[0]!r}; expected one of {', '.join(BASES)}")
    employees = float(institution["employees"])
    if not np.isfinite(employees) or employees <= 0:
        raise InputDataError(f"the training plan needs the number of employees, got {institution['employees']!r}")
    managers_of_customers = float(institution.get("customers", np.nan)) / float(institution.get("customers_per_rm", np.nan))
    rms = min(managers_of_customers, RM_CAP_SHARE * employees) if np.isfinite(managers_of_customers) else RM_CAP_SHARE * employees
    raw = np.where(tiers["basis"] == "relationship_managers", rms * tiers["share"], employees * tiers["share"])
    headcount = np.maximum(np.round(raw), tiers["minimum"]).astype(int)
    plan = tiers[["tier", "audience_en", "audience_zh", "content_en", "content_zh"]].copy()
    plan["headcount"] = headcount
    plan["hours_per_person"] = tiers["hours_per_person"].astype(float)
    plan["hours"] = plan["headcount"] * plan["hours_per_person"]
    return plan


def adoption_targets(current: float, target: float, quarters: int = 8, steepness: float = 1.0) -> pd.DataFrame:
    """Quarterly adoption targets along an S-curve from ``current`` to
    ``target`` (reached in the last quarter).

    Examples
    --------
    >>> path = adoption_targets(0.45, 0.82, quarters=4)
    >>> path["target"].round(3).tolist()
    [0.523, 0.635, 0.747, 0.82]
    """
    if quarters < 1:
        raise InputDataError(f"adoption targets need at least one quarter, got {quarters}")
    q = np.arange(0, quarters + 1, dtype=float)
    logistic = 1.0 / (1.0 + np.exp(-steepness * (q - quarters / 2)))
    share = (logistic - logistic[0]) / (logistic[-1] - logistic[0])
    end = max(target, current)
    return pd.DataFrame({"quarter": np.arange(1, quarters + 1), "target": current + (end - current) * share[1:]})
