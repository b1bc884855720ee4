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
- **Adoption targets** per quarter follow the KPI scorecard's yearly path
  for the new-feature adoption rate, so the organisation page and the
  scorecard never disagree.
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


def adoption_targets(yearly: list[float] | tuple[float, ...] | np.ndarray) -> pd.DataFrame:
    """Quarterly adoption targets on the KPI scorecard's yearly path.

    Parameters
    ----------
    yearly : sequence of float
        Today's adoption rate, then the target of each programme year
        (:func:`analysis_lib.plan.scorecard.kpi_scorecard`); the quarters
        step evenly between them, so the targets of the fourth, eighth, …
        quarter are the scorecard's yearly targets.

    Examples
    --------
    >>> adoption_targets([0.40, 0.48, 0.56])["target"].round(2).tolist()
    [0.42, 0.44, 0.46, 0.48, 0.5, 0.52, 0.54, 0.56]
    """
    path = np.asarray(yearly, dtype=float)
    if path.size < 2 or not np.isfinite(path).all():
        raise InputDataError(f"adoption targets need today's rate and at least one yearly target, got {list(path)}")
    quarters = np.arange(1, 4 * (path.size - 1) + 1)
    return pd.DataFrame({"quarter": quarters, "target": np.interp(quarters / 4, np.arange(path.size), path)})
