"""The progress review of one institution: everything the evaluate phase
reports, run once from the review's parameters and kept as a frozen result
(KPI tracking, productivity change, benefits realised, earned value,
revised NPV, risks that occurred).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, ParameterError
from analysis_lib.intake.panel import Panel, load_panel
from analysis_lib.intake.periods import parse_period
from analysis_lib.reference.catalog import LANGUAGES, data_dir
from analysis_lib.review.actuals import Actuals, load_actuals
from analysis_lib.review.benefits import (
    benefits_realisation,
    delivery_progress,
    materialised_risks,
    milestones,
    revised_npv,
)
from analysis_lib.review.plan_record import Programme, load_programme
from analysis_lib.review.productivity import ProductivityChange, productivity_change
from analysis_lib.review.tracking import check_periods, kpi_tracking, movers, percentile_history, score_series

SAMPLE_DIR = data_dir() / "sample" / "review"
REVIEW_DEFAULTS: dict[str, Any] = {
    "institution_id": "CITY-02",
    "panel_path": "data/sample/institutions_history.csv",
    "baseline_period": "2024",
    "review_period": "2025",
    "diagnosis_summary": "data/sample/review/CITY-02.summary.json",
    "actuals_path": "data/sample/review/CITY-02.actuals.csv",
    "language": "en",
}
REVIEW_HELP = {
    "institution_id": "Institution under review (an institution_id of the panel)",
    "panel_path": "Panel with several periods (CSV or XLSX, a period column)",
    "baseline_period": "Period the diagnosis analysed (e.g. 2024)",
    "review_period": "Period reviewed now (e.g. 2025)",
    "diagnosis_summary": "The <id>.summary.json written by the original diagnosis",
    "actuals_path": "Programme actuals since the diagnosis (CSV or XLSX; empty: no benefits section)",
    "language": f"Report language [{' | '.join(LANGUAGES)}]",
}


def _resolve(path: str, name: str) -> str:
    candidate = Path(path).expanduser()
    if candidate.is_file():
        return str(candidate.resolve())
    rooted = data_dir().parent / candidate
    if not candidate.is_absolute() and rooted.is_file():
        return str(rooted.resolve())
    raise ParameterError(f"parameter {name!r}: file not found: {path}")


def validate_review_parameters(values: dict[str, Any]) -> dict[str, Any]:
    """Check progress-review parameters and fill in defaults.

    Examples
    --------
    >>> validate_review_parameters({"review_period": "2025年"})["review_period"]
    '2025'
    >>> validate_review_parameters({"langauge": "zh"})
    Traceback (most recent call last):
    ...
    analysis_lib.errors.ParameterError: unknown parameter 'langauge'; known: institution_id, panel_path, baseline_period, \
review_period, diagnosis_summary, actuals_path, language
    """
    unknown = [k for k in values if k not in REVIEW_DEFAULTS]
    if unknown:
        raise ParameterError(f"unknown parameter {unknown[0]!r}; known: {', '.join(REVIEW_DEFAULTS)}")
    params = {k: values.get(k, default) for k, default in REVIEW_DEFAULTS.items()}
    for name, value in params.items():
        if not isinstance(value, str):
            params[name] = str(value)
    if params["language"] not in LANGUAGES:
        raise ParameterError(f"parameter 'language': {params['language']!r} is not one of {', '.join(LANGUAGES)}")
    for name in ("baseline_period", "review_period"):
        try:
            params[name] = parse_period(params[name])[0]
        except Exception:
            raise ParameterError(f"parameter {name!r}: {params[name]!r} is not a period; expected 2024, 2024Q3 or 2024-09") from None
    for name in ("panel_path", "diagnosis_summary", "actuals_path"):
        if params[name] or name != "actuals_path":
            params[name] = _resolve(params[name], name)
    return params


@dataclass(frozen=True)
class ProgressReview:
    """All results of one progress review (see :func:`run_review`)."""

    params: dict[str, Any]
    institution: pd.Series
    panel: Panel
    programme: Programme
    periods: list[str]
    history: pd.DataFrame
    tracking: pd.DataFrame
    movers: pd.DataFrame
    scores: pd.DataFrame
    productivity: ProductivityChange
    actuals: Actuals | None
    benefits: pd.DataFrame | None
    evm: pd.DataFrame | None
    milestones: pd.DataFrame | None
    risks: pd.DataFrame | None
    npv: dict[str, float] | None
    stamp: dict[str, Any]

    @property
    def institution_id(self) -> str:
        return self.params["institution_id"]

    @property
    def language(self) -> str:
        return self.params["language"]

    def alert_counts(self) -> dict[str, int]:
        """KPIs per status (red, amber, green)."""
        counts = self.tracking["status"].value_counts()
        return {k: int(counts.get(k, 0)) for k in ("red", "amber", "green")}

    def summary(self) -> dict[str, Any]:
        """Key results as plain values (for a batch's portfolio view)."""
        cumulative = self.productivity.adjacent.loc["cumulative"]
        scores = self.scores
        out = {
            "institution_id": self.institution_id, "baseline_period": self.periods[0], "review_period": self.periods[-1],
            "input_sha256": self.panel.sha256,
            "score_overall_baseline": float(scores.at[self.periods[0], "overall"]),
            "score_overall_review": float(scores.at[self.periods[-1], "overall"]),
            **{f"kpis_{k}": v for k, v in self.alert_counts().items()},
            **{k: _plain(cumulative[k]) for k in ("malmquist", "efficiency_change", "technical_change")},
        }
        if self.benefits is not None:
            out.update({"benefit_realisation": _plain(self.benefits.at["total", "realisation"]),
                        "spi": _plain(self.evm["spi"].iloc[-1]), "cpi": _plain(self.evm["cpi"].iloc[-1]),
                        "eac": _plain(self.evm["eac_cpi"].iloc[-1]), "planned_npv": _plain(self.npv["planned_npv"]),
                        "revised_npv": _plain(self.npv["revised_npv"])})
        return out


def _plain(value: Any) -> Any:
    value = float(value)
    return value if np.isfinite(value) else None


def run_review(**params: Any) -> ProgressReview:
    """Run every analysis of the progress review of one institution.

    Parameters are those of :data:`REVIEW_DEFAULTS` (checked by
    :func:`validate_review_parameters`).

    Examples
    --------
    >>> review = run_review(institution_id="CITY-02")
    >>> review.periods, review.benefits.at["total", "status"]
    (['2024', '2025'], 'behind')
    """
    started = dt.datetime.now(dt.UTC)
    params = validate_review_parameters(params)
    panel = load_panel(params["panel_path"])
    if not panel.has_periods:
        raise InputDataError(f"{Path(params['panel_path']).name}: the panel has no period column; a progress review needs several periods")
    programme = load_programme(params["diagnosis_summary"])
    institution_id = params["institution_id"]
    if programme.institution_id != institution_id:
        raise InputDataError(f"{programme.source} is the diagnosis of {programme.institution_id!r}, not of {institution_id!r}")
    if not programme.baseline_period:  # diagnosed on a panel without a period column: the consultant names it
        programme = replace(programme, baseline_period=params["baseline_period"])
    if programme.baseline_period != params["baseline_period"]:
        raise InputDataError(f"{programme.source}: the diagnosis analysed {programme.baseline_period!r}, but the baseline period is "
                             f"{params['baseline_period']!r}; use -p baseline_period {programme.baseline_period}")
    periods = check_periods(panel, institution_id, params["baseline_period"], params["review_period"])
    history = percentile_history(panel, institution_id, [p for p in panel.periods if p <= periods[-1]])
    tracking = kpi_tracking(panel, institution_id, periods[0], periods[-1], programme.kpis)
    malmquist_periods = periods if len(periods) > 1 else [periods[0], periods[-1]]
    productivity = productivity_change(panel, institution_id, malmquist_periods)
    actuals = benefits = evm = reached = risks = npv = None
    if params["actuals_path"]:
        actuals = load_actuals(params["actuals_path"], programme)
        benefits = benefits_realisation(programme, actuals)
        evm = delivery_progress(programme, actuals)
        reached = milestones(programme, actuals)
        risks = materialised_risks(programme, actuals)
        npv = revised_npv(programme, actuals, evm, float(benefits.at["total", "realisation"]))
    rows = panel.at(periods[-1]).data.set_index("institution_id")
    stamp = {"panel_file": Path(params["panel_path"]).name, "panel_sha256": panel.sha256, "summary_file": programme.source,
             "actuals_file": actuals.source if actuals else "", "run_started_utc": started.strftime("%Y-%m-%d %H:%M:%S UTC")}
    return ProgressReview(params, rows.loc[institution_id], panel, programme, periods, history, tracking, movers(tracking),
                          score_series(history), productivity, actuals, benefits, evm, reached, risks, npv, stamp)
