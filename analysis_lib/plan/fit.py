"""The plan fitted to the institution: roadmap durations that follow the
programme's scope and the institution's size, and a risk register whose
probabilities follow the initiatives selected and the size, so two different
banks get different plans.

Roadmap (``data/roadmap_scaling.csv``): each scaled task's optimistic, most
likely and pessimistic weeks are multiplied by a factor, bounded to
[:data:`MIN_FACTOR`, :data:`MAX_FACTOR`]:

- ``scope``: 0.6 + 0.2 × the programme initiatives built in the task, × 1.5
  when the CRM systems are consolidated on a customer data platform;
- ``records``: (customer master records / 10 million) ** 0.2, × 1.5 with the
  consolidation;
- ``staff``: (employees / 10,000) ** 0.25.

Risks (``data/risk_drivers.csv``): a condition (``initiative:ID``,
``employees_over:N``, ``employees_under:N``) that holds moves the risk's
probability by its change, within the 1–5 scale; the reason is kept in the
register's ``fit_note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

MIN_FACTOR, MAX_FACTOR = 0.6, 2.0
CONSOLIDATION = "cdp_consolidation"
REFERENCE_RECORDS = 1e7
REFERENCE_STAFF = 1e4
DURATIONS = ("optimistic", "most_likely", "pessimistic")


def load_roadmap_scaling() -> pd.DataFrame:
    """Scaled roadmap tasks with their driver and rationale."""
    table = pd.read_csv(data_dir() / "roadmap_scaling.csv").set_index("task_id")
    unknown = sorted(set(table["driver"]) - {"scope", "records", "staff"})
    if unknown:
        raise InputDataError(f"data/roadmap_scaling.csv: unknown drivers {unknown}; expected scope, records or staff")
    return table


def load_risk_drivers() -> pd.DataFrame:
    """Conditions that move a risk's probability, with their rationale."""
    return pd.read_csv(data_dir() / "risk_drivers.csv")


def _factor(driver: str, task_id: str, selected: list[str], initiatives: pd.DataFrame, institution: pd.Series) -> float:
    consolidating = CONSOLIDATION in selected
    if driver == "scope":
        built = int(initiatives.loc[[i for i in selected if i in initiatives.index], "roadmap_task"].eq(task_id).sum())
        factor = (0.6 + 0.2 * built) * (1.5 if consolidating else 1.0)
    elif driver == "records":
        records = float(institution.get("customer_records", np.nan))
        factor = (records / REFERENCE_RECORDS) ** 0.2 if records > 0 else 1.0
        factor *= 1.5 if consolidating else 1.0
    else:
        staff = float(institution.get("employees", np.nan))
        factor = (staff / REFERENCE_STAFF) ** 0.25 if staff > 0 else 1.0
    return float(np.clip(factor, MIN_FACTOR, MAX_FACTOR))


def fit_roadmap(roadmap: pd.DataFrame, selected: list[str], initiatives: pd.DataFrame, institution: pd.Series) -> pd.DataFrame:
    """The roadmap with its scaled tasks' durations fitted to the programme
    and the institution (weeks rounded to a half week).

    Examples
    --------
    >>> from analysis_lib.plan.roadmap import load_roadmap
    >>> from analysis_lib.gaps.initiatives import load_initiatives
    >>> small = pd.Series({"employees": 2000, "customer_records": 1e6})
    >>> large = pd.Series({"employees": 400000, "customer_records": 8e8})
    >>> base = load_roadmap()
    >>> a = fit_roadmap(base, ["training_adoption"], load_initiatives(), small)
    >>> b = fit_roadmap(base, ["cdp_consolidation", "ai_marketing"], load_initiatives(), large)
    >>> float(a.loc["R1", "most_likely"]) < float(base.loc["R1", "most_likely"]) < float(b.loc["R1", "most_likely"])
    True
    >>> float(b.loc["B1", "most_likely"]) > float(a.loc["B1", "most_likely"])
    True
    """
    fitted = roadmap.copy()
    for task_id, row in load_roadmap_scaling().iterrows():
        if task_id not in fitted.index:
            continue
        factor = _factor(row["driver"], str(task_id), selected, initiatives, institution)
        for column in DURATIONS:
            fitted.loc[task_id, column] = np.round(float(roadmap.at[task_id, column]) * factor * 2) / 2
    return fitted


def _holds(condition: str, selected: list[str], institution: pd.Series) -> bool:
    kind, _, value = condition.partition(":")
    if kind == "initiative":
        return value in selected
    staff = float(institution.get("employees", np.nan))
    if kind == "employees_over":
        return bool(staff > float(value))
    if kind == "employees_under":
        return bool(staff < float(value))
    raise InputDataError(f"data/risk_drivers.csv: unknown condition {condition!r}; expected initiative:, employees_over: or employees_under:")


def fit_register(register: pd.DataFrame, selected: list[str], institution: pd.Series) -> pd.DataFrame:
    """The risk register with probabilities fitted to the programme and the
    institution; ``fit_note_en``/``fit_note_zh`` say why a probability moved.

    Examples
    --------
    >>> from analysis_lib.plan.risk import load_risks
    >>> fitted = fit_register(load_risks(), ["cdp_consolidation"], pd.Series({"employees": 50000}))
    >>> int(fitted.at["T2", "probability"]), int(load_risks().at["T2", "probability"])
    (5, 4)
    """
    fitted = register.copy()
    fitted["fit_note_en"], fitted["fit_note_zh"] = "", ""
    for row in load_risk_drivers().itertuples(index=False):
        if row.risk_id not in fitted.index or not _holds(row.condition, selected, institution):
            continue
        fitted.loc[row.risk_id, "probability"] = int(np.clip(int(fitted.at[row.risk_id, "probability"]) + int(row.probability_change), 1, 5))
        fitted.loc[row.risk_id, "fit_note_en"] = row.rationale_en
        fitted.loc[row.risk_id, "fit_note_zh"] = row.rationale_zh
    return fitted
