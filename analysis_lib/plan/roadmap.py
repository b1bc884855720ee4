"""The implementation roadmap: critical path method, buffers, Gantt-ready
schedule, and schedule risk by Monte Carlo over PERT durations.

The task network (``data/roadmap.csv``) has, per task, optimistic / most
likely / pessimistic durations in weeks, predecessors (``;``-separated,
finish-to-start) and a milestone flag. The default follows the methodology
template's five phases: assessment and requirements 4 weeks, design 6, build
and test 12, pilot in 3–5 branches 5, rollout and run 8 (35 weeks on the
critical path).

CPM (Kelley & Walker 1959): forward pass ES/EF, backward pass LS/LF, total
float ``LS - ES``, free float ``min(ES of successors) - EF``; the critical
path is the chain of zero-float tasks. PERT duration mean ``(a + 4m + b) /
6``; Monte Carlo draws a PERT-beta per task.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

WORKDAYS_PER_WEEK = 5


def load_roadmap(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a task network; errors name the file and row.

    Examples
    --------
    >>> float(load_roadmap().loc["B1", "most_likely"])
    10.0
    """
    path = Path(path) if path else data_dir() / "roadmap.csv"
    table = pd.read_csv(path, dtype={"predecessors": str}, keep_default_na=False)
    return validate_network(table, path.name)


def validate_network(table: pd.DataFrame, source: str = "roadmap") -> pd.DataFrame:
    """Check ids, durations and predecessors; reject cycles.

    Returns the table indexed by ``task_id`` with ``predecessors`` as lists.
    """
    required = ["task_id", "phase", "optimistic", "most_likely", "pessimistic", "predecessors"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputDataError(f"{source}: missing columns {missing}")
    table = table.copy()
    table["task_id"] = table["task_id"].astype(str).str.strip()
    rows = {task: i + 2 for i, task in enumerate(table["task_id"])}
    duplicated = table["task_id"][table["task_id"].duplicated()]
    if len(duplicated):
        raise InputDataError(f"{source}, row {rows[duplicated.iloc[0]]}: duplicate task id {duplicated.iloc[0]!r}")
    for column in ("optimistic", "most_likely", "pessimistic"):
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputDataError(f"{source}, row {i + 2}, column '{column}': duration {table[column].iloc[i]!r} is not a "
                                 "non-negative number of weeks")
        table[column] = values.astype(float)
    order = (table["optimistic"] <= table["most_likely"]) & (table["most_likely"] <= table["pessimistic"])
    if not order.all():
        i = int(np.flatnonzero(~order)[0])
        task = table["task_id"].iloc[i]
        raise InputDataError(f"{source}, row {i + 2}: expected optimistic <= most likely <= pessimistic for task {task!r}")
    table["predecessors"] = [[p.strip() for p in str(v).split(";") if p.strip()] for v in table["predecessors"]]
    for task, preds in zip(table["task_id"], table["predecessors"]):
        unknown = [p for p in preds if p not in rows]
        if unknown:
            raise InputDataError(f"{source}, row {rows[task]}: task {task!r} has unknown predecessor(s) {unknown}")
    if "milestone" in table.columns:
        table["milestone"] = table["milestone"].astype(str).str.lower().isin(["true", "1", "yes"])
    else:
        table["milestone"] = False
    table = table.set_index("task_id")
    topological_order(table, source)
    return table


def topological_order(table: pd.DataFrame, source: str = "roadmap") -> list[str]:
    """Tasks in an order where every predecessor comes first; raises with the
    cycle when there is one."""
    state: dict[str, int] = {}
    order: list[str] = []

    def visit(task: str, path: list[str]) -> None:
        if state.get(task) == 2:
            return
        if state.get(task) == 1:
            cycle = path[path.index(task):] + [task]
            raise InputDataError(f"{source}: the task network has a cycle: {' -> '.join(cycle)}")
        state[task] = 1
        for pred in table.at[task, "predecessors"]:
            visit(pred, path + [task])
        state[task] = 2
        order.append(task)

    for task in table.index:
        visit(task, [])
    return order


@dataclass(frozen=True)
class Schedule:
    """A CPM schedule (weeks from the start)."""

    tasks: pd.DataFrame
    duration: float
    buffered_duration: float
    critical_path: tuple[str, ...]
    phase_reserve: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.tasks


def critical_path(table: pd.DataFrame, durations: pd.Series | None = None, buffer_days: float = 2.5,
                  phase_reserve: float = 0.2) -> Schedule:
    """Critical path method on a validated network.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`load_roadmap` / :func:`validate_network`.
    durations : pandas.Series, optional
        Durations in weeks; default the most likely.
    buffer_days : float
        Project buffer at the end of the critical path, working days (the
        template's 2–3 days).
    phase_reserve : float
        Time reserve per phase as a share of its duration (template 20%).

    Returns
    -------
    Schedule
        ``tasks`` with ``duration, es, ef, ls, lf, total_float, free_float,
        critical`` (Gantt-ready), the project duration with and without the
        buffer, the critical path and the reserve per phase.

    Examples
    --------
    >>> s = critical_path(load_roadmap())
    >>> s.duration, s.critical_path
    (35.0, ('A1', 'M1', 'D1', 'M2', 'B1', 'B3', 'M3', 'P1', 'M4', 'R1', 'R3', 'M5'))
    """
    if buffer_days < 0 or not 0 <= phase_reserve <= 1:
        raise InputDataError("buffer_days must be >= 0 and phase_reserve between 0 and 1")
    order = topological_order(table)
    d = (table["most_likely"] if durations is None else durations).reindex(table.index).astype(float)
    es, ef = {}, {}
    for task in order:
        es[task] = max((ef[p] for p in table.at[task, "predecessors"]), default=0.0)
        ef[task] = es[task] + d[task]
    finish = float(max(ef.values()))
    successors: dict[str, list[str]] = {t: [] for t in table.index}
    for task in table.index:
        for pred in table.at[task, "predecessors"]:
            successors[pred].append(task)
    lf, ls = {}, {}
    for task in reversed(order):
        lf[task] = min((ls[s] for s in successors[task]), default=finish)
        ls[task] = lf[task] - d[task]
    tasks = table.drop(columns=["predecessors"]).assign(
        predecessors=table["predecessors"].map(";".join), duration=d, es=pd.Series(es), ef=pd.Series(ef),
        ls=pd.Series(ls), lf=pd.Series(lf))
    tasks["total_float"] = (tasks["ls"] - tasks["es"]).round(9)
    tasks["free_float"] = [round(min((es[s] for s in successors[t]), default=finish) - ef[t], 9) for t in tasks.index]
    tasks["critical"] = tasks["total_float"].abs() <= 1e-9
    path = tuple(t for t in order if tasks.at[t, "critical"])
    phases = tasks.groupby("phase", sort=False).agg(start=("es", "min"), finish=("ef", "max"))
    phases["weeks"] = phases["finish"] - phases["start"]
    phases["reserve_weeks"] = phases["weeks"] * phase_reserve
    return Schedule(tasks, finish, finish + buffer_days / WORKDAYS_PER_WEEK, path, phases)


def pert_mean(optimistic, most_likely, pessimistic):
    """PERT mean duration ``(a + 4m + b) / 6``.

    Examples
    --------
    >>> float(pert_mean(2, 4, 12))
    5.0
    """
    return (np.asarray(optimistic) + 4 * np.asarray(most_likely) + np.asarray(pessimistic)) / 6


@dataclass(frozen=True)
class ScheduleRisk:
    """Monte Carlo result: finish weeks per draw and criticality per task."""

    finish: np.ndarray
    criticality: pd.Series
    seed: int

    def summary(self, target_weeks: float | None = None) -> dict[str, float]:
        p10, p50, p90 = np.percentile(self.finish, [10, 50, 90])
        out = {"mean": float(self.finish.mean()), "p10": float(p10), "p50": float(p50), "p90": float(p90)}
        if target_weeks is not None:
            out["prob_by_target"] = float((self.finish <= target_weeks).mean())
        return out


def schedule_risk(table: pd.DataFrame, n: int = 10_000, seed: int = 2026, lamb: float = 4.0) -> ScheduleRisk:
    """Monte Carlo over PERT-beta durations: finish-date distribution and the
    criticality index (share of draws in which a task is critical).

    Vectorised over draws: one forward and one backward pass over the tasks.

    Examples
    --------
    >>> risk = schedule_risk(load_roadmap(), n=2000, seed=1)
    >>> bool(risk.summary(40)["p50"] > 35)
    True
    """
    if n < 2:
        raise InputDataError("schedule risk needs at least 2 draws")
    rng = np.random.default_rng(seed)
    order = topological_order(table)
    a, m, b = (table[c].to_numpy(float) for c in ("optimistic", "most_likely", "pessimistic"))
    span = np.where(b > a, b - a, 1.0)
    alpha = 1 + lamb * (m - a) / span
    beta = 1 + lamb * (b - m) / span
    # One row per task (contiguous draws): the passes below work task by task.
    draws = np.ascontiguousarray((a + (b - a) * rng.beta(alpha, beta, size=(n, len(a)))).T)
    position = {t: i for i, t in enumerate(table.index)}
    predecessors = {t: [position[p] for p in table.at[t, "predecessors"]] for t in table.index}
    ef = np.empty_like(draws)
    for task in order:
        j, preds = position[task], predecessors[task]
        np.add(np.max(ef[preds], axis=0) if preds else 0.0, draws[j], out=ef[j])
    finish = ef.max(axis=0)
    successors: dict[str, list[int]] = {t: [] for t in table.index}
    for task in table.index:
        for p in predecessors[task]:
            successors[table.index[p]].append(position[task])
    ls = np.empty_like(draws)
    for task in reversed(order):
        j = position[task]
        np.subtract(np.min(ls[successors[task]], axis=0) if successors[task] else finish, draws[j], out=ls[j])
    critical = np.abs(ls - (ef - draws)) <= 1e-9
    return ScheduleRisk(finish, pd.Series(critical.mean(axis=1), index=table.index, name="criticality"), seed)
