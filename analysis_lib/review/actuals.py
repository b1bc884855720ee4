"""The programme's actuals: what was realised, spent and reached in each
period since the diagnosis, read from a CSV or XLSX file and checked against
the programme of the original diagnosis.

One row per period and item (headers in English or Chinese):

========== ============================================================
column     meaning
========== ============================================================
period     ``2025``, ``2025Q1`` or ``2025-01`` (one frequency per file),
           after the diagnosis's baseline period
type       ``benefit`` (CNY realised in the period; id = initiative),
           ``spend`` (delivery spend in the period, CNY; id = roadmap
           phase), ``run_cost`` (running cost of the new platform in the
           period, CNY; id = ``programme``), ``progress`` (share of a
           roadmap phase complete at the end of the period, 0–1 or a
           percentage), ``milestone`` (a roadmap milestone reached in the
           period; amount 1), ``risk`` (a register risk that occurred; its
           cost in CNY)
id         initiative id, phase, milestone task id or risk id
amount     the number (``1,234,567``, ``125万`` and ``85%`` are read)
========== ============================================================

Every row that does not fit the plan (an initiative the business case does
not contain, a phase or milestone the roadmap does not have, a period before
the programme or past its horizon) is reported with file, row, column,
value and what was expected.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, UnreadableFileError
from analysis_lib.intake.panel import _ValueError, parse_number
from analysis_lib.intake.periods import PERIOD_MONTHS, PeriodError, parse_period, period_end_month, period_start_month
from analysis_lib.review.plan_record import Programme

TYPES = ("benefit", "spend", "run_cost", "progress", "milestone", "risk")
COLUMNS = {
    "period": ("period", "期间", "报告期"),
    "type": ("type", "item", "类型", "项目类型"),
    "id": ("id", "item_id", "编号", "对象"),
    "amount": ("amount", "value", "金额", "数值"),
    "note": ("note", "备注"),
}
TYPE_ALIASES = {"benefit": ("收益",), "spend": ("支出", "投入"), "run_cost": ("运营成本",), "progress": ("进度",),
                "milestone": ("里程碑",), "risk": ("风险",)}
MAX_LISTED = 20


@dataclass(frozen=True)
class Actuals:
    """Validated actuals.

    Attributes
    ----------
    rows : pandas.DataFrame
        ``source_row, period, type, id, amount, index`` (``index``: the
        programme period, 0 = the first period after the baseline).
    frequency : str
        ``year``, ``quarter`` or ``month``.
    periods_per_year : int
    source : str
    """

    rows: pd.DataFrame
    frequency: str
    periods_per_year: int
    source: str

    @property
    def periods(self) -> list[str]:
        """The reported periods in time order."""
        return sorted(self.rows["period"].unique().tolist())

    def of(self, kind: str) -> pd.DataFrame:
        """Rows of one type."""
        return self.rows[self.rows["type"] == kind]


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UnreadableFileError(f"{path}: file not found; expected the programme actuals (CSV or XLSX)")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        if suffix in (".csv", ".txt"):
            try:
                return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            except UnicodeDecodeError:
                return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
    except (ValueError, pd.errors.ParserError) as exc:
        raise UnreadableFileError(f"{path.name}: not a readable table ({exc})") from None
    raise UnreadableFileError(f"{path.name}: unsupported file type {suffix or '(none)'}; expected .csv or .xlsx")


def _map_columns(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    lookup = {unicodedata.normalize("NFKC", a).strip().lower(): c for c, aliases in COLUMNS.items() for a in aliases}
    renamed = {}
    for header in frame.columns:
        target = lookup.get(unicodedata.normalize("NFKC", str(header)).strip().lower())
        if target is None:
            raise InputDataError(f"{name}, row 1, column '{header}': unknown column; expected period, type, id, amount (and note)")
        renamed[header] = target
    frame = frame.rename(columns=renamed)
    missing = [c for c in ("period", "type", "id", "amount") if c not in frame.columns]
    if missing:
        raise InputDataError(f"{name}, row 1: missing column(s) {', '.join(missing)}; expected period, type, id, amount")
    return frame


def _known_ids(programme: Programme) -> dict[str, list[str]]:
    return {"benefit": list(programme.initiatives.index), "spend": list(programme.phases.index), "run_cost": ["programme"],
            "progress": list(programme.phases.index), "milestone": list(programme.milestones.index), "risk": list(programme.risks.index)}


def load_actuals(path: str | Path, programme: Programme) -> Actuals:
    """Read a programme actuals file and check it against the programme.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 or GBK) or XLSX, one row per period and item (see the
        module docstring).
    programme : Programme
        The plan of the original diagnosis (:func:`load_programme`).

    Returns
    -------
    Actuals

    Raises
    ------
    InputDataError
        Listing every row that does not fit (file, row, column, value and
        what was expected).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from analysis_lib.review.plan_record import load_programme
    >>> from analysis_lib.reference.catalog import data_dir
    >>> programme = load_programme(data_dir() / "sample" / "review" / "CITY-02.summary.json")
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "actuals.csv"
    >>> _ = bad.write_text("period,type,id,amount\\n2025Q1,benefit,teleport,100\\n")
    >>> load_actuals(bad, programme)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis_lib.errors.InputDataError: actuals.csv does not fit the plan of CITY-02 (1 error(s)):
    actuals.csv, row 2, column 'id': initiative 'teleport' is not in the business case; expected one of ...
    """
    path = Path(path)
    frame = _map_columns(_read(path), path.name)
    problems: list[str] = []
    known = _known_ids(programme)
    type_lookup = {t: t for t in TYPES} | {a: t for t, aliases in TYPE_ALIASES.items() for a in aliases}
    if not programme.baseline_period:
        raise InputDataError(f"{programme.source}: the diagnosis has no baseline period; name it (baseline_period) to place the actuals")
    baseline_end = period_end_month(programme.baseline_period)
    records, frequency, first_row = [], None, None
    for row_number, row in enumerate(frame.itertuples(index=False), start=2):
        values = row._asdict()
        if all(not str(v).strip() for v in values.values()):
            continue

        def bad(column: str, message: str, expected: str, row_number: int = row_number) -> None:
            problems.append(f"{path.name}, row {row_number}, column '{column}': {message}; expected {expected}")

        try:
            period, this_frequency = parse_period(values["period"])
        except PeriodError as exc:
            bad("period", f"{values['period']!r} {exc.message}", exc.expected)
            continue
        if frequency is None:
            frequency, first_row = this_frequency, row_number
        elif this_frequency != frequency:
            bad("period", f"{period!r} is a {this_frequency} but row {first_row} set the file's frequency to {frequency}s",
                f"one frequency per file: every period a {frequency}")
            continue
        months = PERIOD_MONTHS[frequency]
        index = (period_start_month(period) - baseline_end) // months
        horizon = programme.inputs.horizon_years * 12 // months
        if index < 0 or index >= horizon:
            when = "before the programme started" if index < 0 else "past the business case's horizon"
            bad("period", f"{period!r} is {when} (baseline {programme.baseline_period}, {programme.inputs.horizon_years} years)",
                f"a {frequency} after {programme.baseline_period}")
            continue
        kind = type_lookup.get(str(values["type"]).strip().lower())
        if kind is None:
            bad("type", f"{values['type']!r} is not an actuals type", "one of " + ", ".join(TYPES))
            continue
        item = str(values["id"]).strip()
        if item not in known[kind]:
            what = {"benefit": "initiative {!r} is not in the business case", "spend": "phase {!r} is not in the roadmap",
                    "progress": "phase {!r} is not in the roadmap", "milestone": "milestone {!r} is not in the roadmap",
                    "risk": "risk {!r} is not in the risk register", "run_cost": "{!r} is not the running-cost id"}[kind]
            bad("id", what.format(item), "one of " + ", ".join(known[kind]))
            continue
        raw = values["amount"]
        try:
            amount, _ = parse_number(raw if str(raw).strip() or kind != "milestone" else "1", "ratio" if kind == "progress" else "CNY")
        except _ValueError as exc:
            bad("amount", f"{raw!r} {exc.message}", exc.expected)
            continue
        if math.isnan(amount) or amount < 0 or (kind == "progress" and amount > 1):
            bad("amount", f"{raw!r} is missing or out of range",
                "a share complete between 0 and 1 (or 0%–100%)" if kind == "progress" else "a non-negative amount in CNY")
            continue
        records.append({"source_row": row_number, "period": period, "type": kind, "id": item, "amount": amount, "index": int(index)})
    if not records and not problems:
        problems.append(f"{path.name}: no actuals rows; expected one row per period and item below the header")
    duplicated = pd.DataFrame(records, columns=["source_row", "period", "type", "id", "amount", "index"])
    for _, row in duplicated[duplicated.duplicated(["period", "type", "id"], keep="first")].iterrows():
        problems.append(f"{path.name}, row {row['source_row']}, column 'id': {row['type']} {row['id']!r} appears twice for {row['period']}; "
                        "expected one row per period, type and id")
    if problems:
        listing = "\n".join(problems[:MAX_LISTED]) + (f"\n… and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else "")
        raise InputDataError(f"{path.name} does not fit the plan of {programme.institution_id} ({len(problems)} error(s)):\n{listing}")
    return Actuals(duplicated.reset_index(drop=True), str(frequency), 12 // PERIOD_MONTHS[str(frequency)], path.name)


def sample_actuals(programme: Programme, periods: list[str], *, benefit_share: float = 0.75, cost_overrun: float = 0.1,
                   schedule_slip: float = 0.1, risks: dict[str, float] | None = None) -> pd.DataFrame:
    """Synthetic actuals that follow the plan with a shortfall, an overrun
    and a slip (for the sample data and tests): benefits at
    ``benefit_share`` of plan, progress ``schedule_slip`` of each period's
    planned progress behind, delivery spend ``cost_overrun`` above the
    earned value, the named risks occurring in the last period.

    Examples
    --------
    >>> from analysis_lib.review.plan_record import load_programme
    >>> from analysis_lib.reference.catalog import data_dir
    >>> programme = load_programme(data_dir() / "sample" / "review" / "CITY-02.summary.json")
    >>> table = sample_actuals(programme, ["2025Q1", "2025Q2"])
    >>> {"progress", "spend", "milestone"} <= set(table["type"])
    True
    """
    from analysis_lib.review.benefits import planned_benefits, planned_progress

    rows = []
    frequency = parse_period(periods[0])[1]
    per_year = 12 // PERIOD_MONTHS[frequency]
    plan = planned_benefits(programme, per_year, len(periods))
    progress = planned_progress(programme, per_year, len(periods), pace=1 - schedule_slip)
    previous = pd.Series(0.0, index=programme.phases.index)
    for index, period in enumerate(periods):
        done = progress.iloc[index].round(3)
        for initiative, amount in plan.iloc[index].items():
            if amount > 0:
                rows.append((period, "benefit", initiative, round(amount * benefit_share, -3)))
        for phase, share in done.items():
            earned = (share - previous[phase]) * programme.build_budget * programme.phases.at[phase, "weight"]
            if earned > 0:
                rows.append((period, "spend", phase, round(earned * (1 + cost_overrun), -3)))
            if 0 < share < 1:
                rows.append((period, "progress", phase, float(share)))
        for task, milestone in programme.milestones.iterrows():
            if done.get(milestone["phase"], 0) >= 1 > previous.get(milestone["phase"], 0):
                rows.append((period, "milestone", task, 1.0))
        previous = done
    for risk_id, cost in (risks or {}).items():
        rows.append((periods[-1], "risk", risk_id, float(cost)))
    table = pd.DataFrame(rows, columns=["period", "type", "id", "amount"])
    return table.drop_duplicates(["period", "type", "id"]).reset_index(drop=True)


def cumulative(actuals: Actuals, kind: str, periods: int) -> pd.DataFrame:
    """Amounts of one type by programme period (rows ``0 … periods-1``) and
    id, summed within a period and cumulated over periods.

    Examples
    --------
    >>> a = Actuals(pd.DataFrame({"source_row": [2, 3], "period": ["2025Q1", "2025Q2"], "type": ["spend", "spend"],
    ...                           "id": ["build", "build"], "amount": [1.0, 2.0], "index": [0, 1]}), "quarter", 4, "a.csv")
    >>> cumulative(a, "spend", 3)["build"].tolist()
    [1.0, 3.0, 3.0]
    """
    rows = actuals.of(kind)
    table = rows.pivot_table(index="index", columns="id", values="amount", aggfunc="sum").reindex(range(periods)).fillna(0.0)
    return table.cumsum() if len(table.columns) else pd.DataFrame(index=range(periods), dtype=float)


def latest_progress(actuals: Actuals, programme: Programme, periods: int) -> pd.DataFrame:
    """Share complete of each phase at the end of each programme period:
    the last reported progress carried forward, 1 once the phase's
    milestone is reached."""
    reported = actuals.of("progress").pivot_table(index="index", columns="id", values="amount", aggfunc="last")
    table = reported.reindex(index=range(periods), columns=programme.phases.index).ffill().fillna(0.0)
    for _, row in actuals.of("milestone").iterrows():
        phase = programme.milestones.at[row["id"], "phase"]
        table.loc[row["index"]:, phase] = np.maximum(table.loc[row["index"]:, phase], 1.0)
    return table.clip(0, 1)
