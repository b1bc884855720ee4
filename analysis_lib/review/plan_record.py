"""What a progress review needs from the original diagnosis, recorded in its
``summary.json`` under ``programme``: the business case's drivers, the
selected initiatives with their planned annual benefit and costs, the KPI
baselines and targets, the roadmap's phases (weeks and cost weight) and
milestones, the risk register's planned exposure and the contingency.

The diagnosis writes it with :func:`programme_record`; the review reads it
back with :func:`load_programme`, which says what is missing when the
summary comes from an older version or another file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, UnreadableFileError
from analysis_lib.roi.business_case import BusinessCaseInputs

CASE_FIELDS = ("annual_benefit", "total_budget", "build_share", "contingency", "benefit_realisation", "discount_rate", "ramp",
               "build_years", "horizon_years")
PROGRAMME_KEYS = ("case", "initiatives", "kpis", "phases", "milestones", "risks", "baseline_period")


def programme_record(initiatives: pd.DataFrame, inputs: BusinessCaseInputs, gaps: pd.DataFrame, schedule_tasks: pd.DataFrame,
                     phase_costs: pd.Series, risks: pd.DataFrame, baseline_period: str) -> dict[str, Any]:
    """The programme of a diagnosis as plain values (for ``summary.json``).

    Parameters
    ----------
    initiatives : pandas.DataFrame
        The selected initiatives (``prioritise`` rows): ``initiative_id,
        name_en, name_zh, sequenced_value, one_off_cost, running_cost``.
    inputs : BusinessCaseInputs
        The business case as evaluated (after the scenario).
    gaps : pandas.DataFrame
        The gap table: ``metric_id, dimension, unit, direction, current, target``.
    schedule_tasks : pandas.DataFrame
        ``Schedule.tasks`` (``phase, es, ef, milestone, name_en, name_zh``).
    phase_costs : pandas.Series
        People cost by phase (the planned-value weights).
    risks : pandas.DataFrame
        Scored risk register (``score_risks``), indexed by risk id.
    baseline_period : str
        The period the diagnosis analysed ("" when the panel had none).

    Examples
    --------
    >>> from analysis_lib.plan.risk import load_risks, score_risks
    >>> from analysis_lib.plan.roadmap import critical_path, load_roadmap
    >>> tasks = critical_path(load_roadmap()).tasks
    >>> init = pd.DataFrame({"initiative_id": ["x"], "name_en": ["X"], "name_zh": ["X"], "sequenced_value": [5e6],
    ...                      "one_off_cost": [1e6], "running_cost": [2e5]})
    >>> gaps = pd.DataFrame({"metric_id": ["nps"], "dimension": ["experience"], "unit": ["points"],
    ...                      "direction": ["higher_better"], "current": [20.0], "target": [30.0]})
    >>> record = programme_record(init, BusinessCaseInputs(5e6, 10e6), gaps, tasks, pd.Series({"build": 1.0}),
    ...                           score_risks(load_risks(), 10e6), "2024")
    >>> record["initiatives"][0]["annual_benefit"], record["baseline_period"]
    (5000000.0, '2024')
    """
    if "initiative_id" not in initiatives.columns:
        initiatives = initiatives.rename_axis("initiative_id").reset_index()
    planned = initiatives["sequenced_value"].astype(float)
    share = planned / planned.sum() if planned.sum() > 0 else pd.Series(1 / len(planned), index=planned.index)
    phases = schedule_tasks.groupby("phase", sort=False).agg(start_week=("es", "min"), finish_week=("ef", "max"))
    weights = phase_costs.reindex(phases.index).fillna(0.0)
    weights = weights / weights.sum() if weights.sum() > 0 else pd.Series(1 / len(phases), index=phases.index)
    milestones = schedule_tasks[schedule_tasks["milestone"].astype(str).str.lower().eq("true")]
    kpis = gaps.dropna(subset=["current", "target"])
    return {
        "baseline_period": str(baseline_period),
        "case": {**{name: (list(getattr(inputs, name)) if name == "ramp" else float(getattr(inputs, name))) for name in CASE_FIELDS},
                 "benefit_shape": [float(v) for v in inputs.benefit_shape]},
        "initiatives": [{"initiative_id": str(r.initiative_id), "name_en": str(r.name_en), "name_zh": str(r.name_zh),
                         "annual_benefit": float(s * inputs.annual_benefit), "one_off_cost": float(r.one_off_cost),
                         "running_cost": float(r.running_cost)} for r, s in zip(initiatives.itertuples(), share)],
        "kpis": [{c: (float(v) if isinstance(v, (float, np.floating)) else str(v)) for c, v in row.items()}
                 for row in kpis[["metric_id", "dimension", "unit", "direction", "current", "target"]].to_dict("records")],
        "phases": [{"phase": str(p), "start_week": float(r.start_week), "finish_week": float(r.finish_week), "weight": float(weights[p])}
                   for p, r in phases.iterrows()],
        "milestones": [{"task_id": str(t), "phase": str(r["phase"]), "name_en": str(r["name_en"]), "name_zh": str(r["name_zh"]),
                        "week": float(r["ef"])} for t, r in milestones.iterrows()],
        "risks": [{"risk_id": str(i), "title_en": str(r.get("title_en", i)), "title_zh": str(r.get("title_zh", i)),
                   "expected_exposure": float(r["expected_exposure"]), "impact_mid": float(r["impact_mid"])} for i, r in risks.iterrows()],
    }


@dataclass(frozen=True)
class Programme:
    """The programme of the original diagnosis, read back from its summary.

    Attributes
    ----------
    institution_id, name : str
    baseline_period : str
        Period the diagnosis analysed.
    inputs : BusinessCaseInputs
        The business case as planned.
    planned_npv : float
        NPV the diagnosis reported.
    initiatives, kpis, phases, milestones, risks : pandas.DataFrame
        Indexed by initiative id, metric id, phase, milestone task id, risk id.
    source : str
        The summary file.
    """

    institution_id: str
    name: str
    baseline_period: str
    inputs: BusinessCaseInputs
    planned_npv: float
    initiatives: pd.DataFrame
    kpis: pd.DataFrame
    phases: pd.DataFrame
    milestones: pd.DataFrame
    risks: pd.DataFrame
    source: str

    @property
    def build_budget(self) -> float:
        """Budget at completion of the delivery (the business case's build
        cost, without contingency): the EVM's BAC."""
        return self.inputs.total_budget * self.inputs.build_share


def load_programme(path: str | Path) -> Programme:
    """Read the programme of a diagnosis from its ``summary.json``.

    Raises
    ------
    UnreadableFileError
        When the file is missing or not JSON.
    InputDataError
        When it has no ``programme`` record or a part of it is missing
        (named, with how to get a complete one).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "old.summary.json"
    >>> _ = bad.write_text(json.dumps({"institution_id": "CITY-02"}))
    >>> load_programme(bad)
    Traceback (most recent call last):
    ...
    analysis_lib.errors.InputDataError: old.summary.json: no 'programme' record (business case, initiatives, KPI targets, roadmap); \
re-run the diagnosis with this version (crm-diag report CITY-02 …) to write one
    """
    path = Path(path)
    if not path.is_file():
        raise UnreadableFileError(f"{path}: file not found; expected the <id>.summary.json written beside the diagnostic report")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFileError(f"{path.name}: not a JSON summary ({exc})") from None
    record = summary.get("programme") if isinstance(summary, dict) else None
    institution = str(summary.get("institution_id", "?")) if isinstance(summary, dict) else "?"
    if isinstance(summary, dict) and summary.get("sustain_lead"):
        raise InputDataError(f"{path.name}: {institution} leads its peers and its diagnosis recommended no programme, so there is no "
                             f"programme to review; rerun the diagnosis on the new figures instead (crm-diag report {institution} …)")
    if not isinstance(record, dict):
        raise InputDataError(f"{path.name}: no 'programme' record (business case, initiatives, KPI targets, roadmap); re-run the "
                             f"diagnosis with this version (crm-diag report {institution} …) to write one")
    missing = [key for key in PROGRAMME_KEYS if key not in record]
    missing += [f"case.{f}" for f in CASE_FIELDS if f not in record.get("case", {})]
    if missing:
        raise InputDataError(f"{path.name}: the programme record lacks {', '.join(missing)}; re-run the diagnosis with this version")
    case = record["case"]
    inputs = BusinessCaseInputs(**{**case, "ramp": tuple(case["ramp"]), "horizon_years": int(case["horizon_years"]),
                                   "benefit_shape": tuple(case.get("benefit_shape", ()))})

    def table(key: str, index: str) -> pd.DataFrame:
        frame = pd.DataFrame(record[key])
        if frame.empty:
            raise InputDataError(f"{path.name}: the programme record has no {key}")
        return frame.set_index(index)

    return Programme(institution, str(summary.get("name", "")), str(record["baseline_period"]), inputs,
                     float(summary.get("npv") or np.nan), table("initiatives", "initiative_id"), table("kpis", "metric_id"),
                     table("phases", "phase"), table("milestones", "task_id"), table("risks", "risk_id"), path.name)
