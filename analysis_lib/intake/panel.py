"""Client-data intake: read a panel of institutions from CSV (UTF-8 or GBK) or
XLSX, map its headers through the catalog, parse every value and report every
problem at once.

A panel has one row per institution (and per period, when a ``period`` column
is present), identity columns (``institution_id``, ``name``, ``peer_group``),
size fields (``data/size_fields.csv``) and one column per catalog metric.
Headers may be the metric id or its English or Chinese label.

Row numbers in messages are spreadsheet row numbers: the header is row 1.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, UnreadableFileError
from analysis_lib.intake.identifiers import ID_RULE, id_problem, normalise_id
from analysis_lib.intake.periods import PeriodError, parse_period
from analysis_lib.reference.catalog import (
    MetricCatalog,
    load_catalog,
    load_peer_groups,
    load_size_fields,
    normalise_header,
)

IDENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "institution_id": ("institution_id", "institution id", "id", "机构代码", "机构编号", "机构id"),
    "name": ("name", "institution name", "institution", "机构名称", "名称"),
    "peer_group": ("peer_group", "peer group", "同业组", "机构类型", "同业组别"),
    "period": ("period", "year", "期间", "年度", "报告期"),
}
PASS_THROUGH = {"is_synthetic": ("is_synthetic", "synthetic", "合成数据"), "note": ("note", "notes", "comment", "备注")}
MISSING_MARKERS = {"", "na", "n/a", "nan", "null", "none", "-", "--", "—", "#n/a"}
INSTITUTION_SHEETS = ("institutions", "机构")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,\s]\d{3})+(\.\d+)?$")
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"})
TOTAL_MARKERS = {"total", "totals", "grand total", "sum", "subtotal", "合计", "总计", "小计", "合 计", "总 计"}
"""First-cell or id texts that mark a totals row, not an institution."""
HEADER_SEARCH_ROWS = 10
"""Rows searched for the header when row 1 is not it (a title or a
merged group-heading row above it)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the spreadsheet row (header = 1) and ``column`` the header as
    written in the file; both are ``None`` for file-level problems.
    """

    file: str
    message: str
    severity: str = "error"
    code: str = "invalid"
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = f"{', '.join(where)}: {self.severity}: {self.message}"
        if self.value is not None:
            text += f" (value {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


@dataclass(frozen=True)
class Panel:
    """A validated panel of institutions.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per institution and period: ``institution_id, name,
        peer_group`` (``period`` when given), size fields and metric columns
        (float, NaN where missing or invalid); ``source_row`` is the
        spreadsheet row it came from, when read from a file.
    source : str
        The file it was read from.
    sha256 : str
        SHA-256 of the file's bytes, for the reproducibility stamp.
    """

    data: pd.DataFrame
    source: str = "<memory>"
    sha256: str = ""

    @property
    def has_periods(self) -> bool:
        """True when the panel holds several periods per institution."""
        return "period" in self.data.columns

    @property
    def periods(self) -> list[str]:
        """The panel's periods in time order (empty without a ``period`` column)."""
        return sorted(self.data["period"].dropna().unique().tolist()) if self.has_periods else []

    def at(self, period: str) -> Panel:
        """The rows of one period; raises :class:`InputDataError` naming the
        periods the panel has."""
        if period not in self.periods:
            raise InputDataError(f"{self.source}: period {period!r} is not in the panel; its periods are {', '.join(self.periods) or 'none'}")
        rows = self.data[(self.data["period"] == period) & self.data["institution_id"].notna()]
        return Panel(rows.reset_index(drop=True), self.source, self.sha256)

    def latest(self) -> Panel:
        """The last period of every institution (the panel itself when it has
        no ``period`` column); rows without a valid id are left out."""
        identified = self.data[self.data["institution_id"].notna()]
        if not self.has_periods:
            return self if len(identified) == len(self.data) else Panel(identified.reset_index(drop=True), self.source, self.sha256)
        ordered = identified.sort_values(["institution_id", "period"])
        last = ordered.groupby("institution_id", sort=False).tail(1)
        return Panel(last.reset_index(drop=True), self.source, self.sha256)

    def metrics(self, catalog: MetricCatalog | None = None) -> pd.DataFrame:
        """Metric values of the latest period, indexed by ``institution_id``."""
        catalog = catalog or load_catalog()
        latest = self.latest().data.set_index("institution_id")
        return latest.reindex(columns=catalog.ids).astype(float)

    def institution(self, institution_id: str) -> pd.Series:
        """The latest row of one institution; raises :class:`InputDataError`
        naming the closest ids when it is not in the panel."""
        latest = self.latest().data.set_index("institution_id")
        if institution_id not in latest.index:
            close = difflib.get_close_matches(str(institution_id), latest.index.astype(str), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise InputDataError(f"{self.source}: institution {institution_id!r} is not in the panel{hint}")
        return latest.loc[institution_id]


class ProblemSummary:
    """Errors, warnings and the verdict of a validation's ``problems``."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no problem is an error (warnings allowed)."""
        return not self.errors


@dataclass(frozen=True)
class ValidationReport(ProblemSummary):
    """Everything found while reading a panel file, plus the panel itself
    (with invalid cells set to NaN)."""

    file: str
    problems: tuple[Problem, ...]
    panel: Panel | None = None
    encoding: str | None = None
    header_row: int = 1
    """Spreadsheet row of the header (below a title or group headings, if any)."""

    def to_frame(self) -> pd.DataFrame:
        """Problems as a tidy table (one row per problem)."""
        columns = ["file", "sheet", "row", "column", "value", "severity", "code", "message", "expected"]
        return pd.DataFrame([{c: getattr(p, c) for c in columns} for p in self.problems], columns=columns)

    def format(self) -> str:
        """Human-readable listing: every problem, then a one-line summary."""
        lines = [str(p) for p in self.problems]
        rows = 0 if self.panel is None else len(self.panel.data)
        lines.append(f"{self.file}: {len(self.errors)} error(s), {len(self.warnings)} warning(s) in {rows} row(s)")
        return "\n".join(lines)


class _ValueError(Exception):
    def __init__(self, message: str, expected: str, code: str) -> None:
        super().__init__(message)
        self.message, self.expected, self.code = message, expected, code


def parse_number(raw: object, unit: str) -> tuple[float, str | None]:
    """Parse one cell into a float, the way a consultant's spreadsheet writes it.

    Accepts plain numbers, thousands separators (``1,234,567``), percentages
    for ``ratio`` metrics (``8.7%`` → 0.087), the Chinese multipliers 万 and
    亿 for money and counts, and full-width characters. Missing markers
    (empty, ``NA``, ``-``) give NaN.

    Returns
    -------
    (value, note)
        ``note`` says what was converted, or is ``None``.

    Raises
    ------
    _ValueError
        With the reason and what was expected, when the text is not a number
        or is ambiguous (``8,7`` might be 8.7 or 87).

    Examples
    --------
    >>> parse_number("8.7%", "ratio")
    (0.087, 'percentage converted to a fraction')
    >>> parse_number("1,234,567", "CNY")
    (1234567.0, 'thousands separators removed')
    >>> parse_number("\u22120.01", "ratio")  # a typeset minus sign
    (-0.01, None)
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return math.nan, None
    if isinstance(raw, bool):
        raise _ValueError("is a TRUE/FALSE value, not a number", "a number", "non_numeric")
    if isinstance(raw, (int, float, np.integer, np.floating)):
        value = float(raw)
        if not math.isfinite(value):
            raise _ValueError("is not a finite number", "a finite number", "non_numeric")
        return value, None
    text = unicodedata.normalize("NFKC", str(raw)).strip().translate(_MINUS_SIGNS)
    if text.lower() in MISSING_MARKERS:
        return math.nan, None
    note = None
    scale = 1.0
    if text.endswith("%"):
        if unit != "ratio":
            raise _ValueError(f"is a percentage, but this metric is measured in {unit}", f"a plain number in {unit}", "percent_not_ratio")
        text, scale, note = text[:-1].strip(), 0.01, "percentage converted to a fraction"
    elif text[-1] in _MULTIPLIERS:
        if unit not in ("CNY", "count"):
            raise _ValueError(f"uses the multiplier {text[-1]}, which does not apply to {unit}", f"a plain number in {unit}", "non_numeric")
        text, scale, note = text[:-1].strip(), _MULTIPLIERS[text[-1]], f"multiplier {text[-1]} applied"
    if _THOUSANDS.match(text):
        text = re.sub(r"[,\s]", "", text)
        note = note or "thousands separators removed"
    elif "," in text:
        raise _ValueError("is ambiguous: a comma that is not a thousands separator (decimal comma?)",
                          "a decimal point, e.g. 8.7 not 8,7", "ambiguous_number")
    try:
        value = float(text)
    except ValueError:
        raise _ValueError("is not a number", _expected_for(unit), "non_numeric") from None
    if not math.isfinite(value):
        raise _ValueError("is not a finite number", _expected_for(unit), "non_numeric")
    return round(value * scale, 12), note


def readable(value: float) -> str:
    """A limit or value as people read it: no exponent, thousands grouped.

    Examples
    --------
    >>> readable(1e7), readable(0.5), readable(-250000.0)
    ('10,000,000', '0.5', '-250,000')
    """
    return format(float(value), ",.12g")


def normalise_period(text: str) -> str:
    """A period label in one spelling (:func:`analysis_lib.intake.periods.parse_period`):
    ``2024年``, ``2024年度``, ``FY2024`` and ``2024`` are the same year,
    ``Q3 2024`` and ``2024年第3季度`` the same quarter; other labels are kept
    as written (the panel reader refuses them).

    Examples
    --------
    >>> normalise_period("2024年"), normalise_period("FY 2024"), normalise_period("2024-H1")
    ('2024', '2024', '2024-H1')
    """
    try:
        return parse_period(text)[0]
    except PeriodError:
        return text


def _expected_for(unit: str) -> str:
    return {
        "ratio": "a fraction such as 0.087 or a percentage such as 8.7%",
        "CNY": "an amount in CNY such as 1250000 or 125万",
        "count": "a count such as 1200",
    }.get(unit, f"a number in {unit}")


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes.

    Examples
    --------
    >>> len(file_sha256(__file__))
    64
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- reading


@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, list[object]]]
    sheet: str | None = None
    encoding: str | None = None
    problems: list[Problem] = field(default_factory=list)
    header_row: int = 1


@dataclass(frozen=True)
class UncalculatedFormula:
    """An XLSX cell holding a formula whose result was never calculated
    (the workbook was written by a program, not saved by a spreadsheet)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True)
class _Decoded:
    text: str
    encoding: str
    note: str | None = None
    """Set when the encoding contradicts itself (a UTF-8 byte-order mark before GBK text)."""
    damaged_lines: tuple[int, ...] = ()
    """Lines of a UTF-8 file holding bytes that are not UTF-8."""


def _decode(data: bytes, name: str) -> _Decoded:
    """The text of a CSV file and its encoding: UTF-8 (with or without a
    byte-order mark), GBK, UTF-8 with a few stray bytes (their lines named,
    never a guess at another encoding), else the encoding detected."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _Decoded(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return _Decoded(data[3:].decode("gb18030"), "gbk", "the file starts with a UTF-8 byte-order mark but its text is GBK; read as GBK")
        except UnicodeDecodeError:
            raise UnreadableFileError(f"{name}: starts with a UTF-8 byte-order mark but is neither UTF-8 nor GBK text; "
                                      "save it again as UTF-8 CSV") from None
    try:
        return _Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return _Decoded(data.decode("gb18030"), "gbk")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    lines = text.splitlines()
    damaged = tuple(number for number, line in enumerate(lines, start=1) if "\ufffd" in line)
    if len(damaged) <= max(3, len(lines) // 100):
        return _Decoded(text, "utf-8", damaged_lines=damaged)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFileError(f"{name}: cannot detect the text encoding; save the file as UTF-8 or GBK CSV")
    return _Decoded(str(best), best.encoding)


def _header_index(rows: list[tuple[int, list[object]]], known: set[str]) -> int:
    """Position of the header among ``rows``: the first row, unless a row
    within :data:`HEADER_SEARCH_ROWS` names more known columns (a title or
    a merged group-heading row sits above the header)."""
    def score(cells: list[object]) -> int:
        return sum(normalise_header(c) in known for c in cells if not _is_blank(c))

    scores = [score(cells) for _, cells in rows[:HEADER_SEARCH_ROWS]]
    if not scores:
        return 0
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return best if scores[best] >= 2 and scores[best] > 2 * scores[0] else 0


def _relocate_header(table: _Table, all_rows: list[tuple[int, list[object]]], known: set[str], file: str) -> list[tuple[int, list[object]]]:
    """Set the table's header from the detected header row; returns the rows below it."""
    index = _header_index(all_rows, known)
    row_number, cells = all_rows[index] if all_rows else (1, [])
    table.header = ["" if _is_blank(v) else str(v) for v in cells]
    while table.header and table.header[-1] == "":
        table.header.pop()
    table.header_row = row_number
    if index:
        above = "row 1" if row_number == 2 else f"rows 1-{row_number - 1}"
        table.problems.append(Problem(file, f"the header is on row {row_number}; {above} above it (a title or group headings) "
                                            "skipped", "warning", "header_row", table.sheet, row=row_number,
                                      expected="the column headers in row 1"))
    return all_rows[index + 1:]


def _read_csv(path: Path, known: set[str]) -> _Table:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFileError(f"{path.name}: the file is empty; expected a header row and one row per institution")
    decoded = _decode(data, path.name)
    text = decoded.text
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max((",", ";", "\t"), key=lambda d: max((line.count(d) for line in lines), default=0))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise UnreadableFileError(f"{path.name}: line {reader.line_num}: not a readable CSV file ({exc})") from None
    table = _Table([], [], encoding=decoded.encoding)
    for line in decoded.damaged_lines:
        table.problems.append(Problem(path.name, "has bytes that are not valid UTF-8 (shown as \ufffd)", code="encoding", row=line,
                                      expected="text saved as UTF-8 (or GBK) throughout"))
    if decoded.note:
        table.problems.append(Problem(path.name, decoded.note, "warning", "encoding",
                                      expected="one encoding (UTF-8, or GBK without a byte-order mark)"))
    below = _relocate_header(table, rows, known, path.name)
    header_width = len(table.header)
    for line, cells in below:
        if len(cells) > header_width and not any(str(c).strip() for c in cells[header_width:]):
            cells = cells[:header_width]  # trailing empty fields
        if len(cells) != header_width and any(str(c).strip() for c in cells):
            table.problems.append(Problem(path.name, f"has {len(cells)} fields but the header has {header_width}",
                                          code="ragged_row", row=line, expected="one field per header column (check for stray delimiters)"))
            continue
        table.rows.append((line, list(cells) + [""] * (header_width - len(cells))))
    return table


def _sheet_values(workbook, formulas, sheet_name: str) -> list[tuple[int, list[object]]]:
    """Rows of a sheet (spreadsheet row numbers), with formulas that have
    no calculated result as :class:`UncalculatedFormula`."""
    rows = []
    formula_rows = formulas[sheet_name].iter_rows(values_only=True) if formulas is not None else None
    for number, values in enumerate(workbook[sheet_name].iter_rows(values_only=True), start=1):
        written = next(formula_rows, ()) if formula_rows is not None else ()
        cells = list(values)
        for i, cell in enumerate(cells):
            source = written[i] if i < len(written) else None
            if cell is None and isinstance(source, str) and source.startswith("="):
                cells[i] = UncalculatedFormula(source)
        rows.append((number, cells))
    return rows


def _read_xlsx(path: Path, known: set[str]) -> _Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise UnreadableFileError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    try:
        names = {normalise_header(n): n for n in workbook.sheetnames}
        sheet_name = next((names[s] for s in INSTITUTION_SHEETS if s in names), workbook.sheetnames[0])
        values = _sheet_values(workbook, formulas, sheet_name)
    finally:
        workbook.close()
        formulas.close()
    if not any(not all(_is_blank(c) for c in cells) for _, cells in values):
        others = [n for n in workbook.sheetnames if n != sheet_name]
        hint = (f"; the workbook's other sheet(s): {', '.join(repr(n) for n in others)} — name the panel sheet 'institutions' "
                "or move it first") if others else ""
        raise UnreadableFileError(f"{path.name}: sheet '{sheet_name}' is empty{hint}; expected a header row and one row per institution")
    while values and all(_is_blank(c) for c in values[0][1]):
        values = values[1:]
    table = _Table([], [], sheet=sheet_name)
    rows = _relocate_header(table, values, known, path.name)
    width = len(table.header)
    table.rows = [(n, list(r[:width]) + [None] * (width - len(r))) for n, r in rows]
    return table


def _read_table(path: Path, known: set[str]) -> _Table:
    if not path.is_file():
        raise UnreadableFileError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path, known)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, known)
    raise UnreadableFileError(f"{path.name}: unsupported file type {suffix or '(none)'}; expected .csv or .xlsx")


# --------------------------------------------------------------------------- checking


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or (isinstance(value, float) and math.isnan(value))


def header_aliases(catalog: MetricCatalog) -> dict[str, str]:
    """Every accepted column header (normalised) and the field it maps to:
    identity columns, pass-through columns, size fields and metrics."""
    aliases = {normalise_header(a): f for f, names in {**IDENTITY_ALIASES, **PASS_THROUGH}.items() for a in names}
    for field_id, row in load_size_fields().iterrows():
        for name in (field_id, row["label_en"], row["label_zh"]):
            aliases[normalise_header(name)] = str(field_id)
    aliases.update(catalog.header_aliases())
    return aliases


def _is_totals_row(cells: list[object]) -> bool:
    return any(not _is_blank(c) and normalise_header(c).rstrip(":：") in TOTAL_MARKERS for c in cells[:3])


class _Checker:
    """Walks one table and collects problems; builds the panel frame."""

    def __init__(self, table: _Table, file: str, catalog: MetricCatalog, aliases: dict[str, str] | None = None) -> None:
        self.table, self.file, self.catalog = table, file, catalog
        self.sizes = load_size_fields()
        self.aliases = aliases or header_aliases(catalog)
        groups = load_peer_groups()
        self.group_aliases = {normalise_header(v): g for g, row in groups.iterrows() for v in (g, row["label_en"], row["label_zh"])}
        self.problems: list[Problem] = list(table.problems)

    def problem(self, message: str, *, code: str, severity: str = "error", **where: object) -> None:
        self.problems.append(Problem(self.file, message, severity, code, self.table.sheet, **where))

    def map_header(self) -> dict[int, str]:
        aliases = self.aliases
        header_row = self.table.header_row
        mapping: dict[int, str] = {}
        seen: dict[str, str] = {}
        for index, raw in enumerate(self.table.header):
            key = normalise_header(raw)
            if key == "":
                if any(not _is_blank(cells[index]) for _, cells in self.table.rows):
                    self.problem("column has values but no header", code="unknown_column", row=header_row, column=f"#{index + 1}",
                                 expected="a metric id or label from data/metrics.csv")
                continue
            target = aliases.get(key)
            if target is None:
                close = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.75)
                hint = (f"a known column (did you mean '{close[0]}'?)" if close
                        else "a metric id or label from data/metrics.csv, a size field or an identity column")
                self.problem("unknown column", code="unknown_column", row=header_row, column=str(raw), expected=hint)
                continue
            if target in seen:
                self.problem(f"duplicates column '{seen[target]}' (both map to {target})", code="duplicate_column", row=header_row,
                             column=str(raw), expected="each field once")
                continue
            seen[target] = str(raw)
            mapping[index] = target
        present = set(mapping.values())
        for required in ("institution_id", "peer_group", *self.sizes.index[self.sizes["required"]]):
            if required not in present:
                self.problem(f"required column '{required}' is missing", code="missing_column", expected=f"a column '{required}'")
        for metric_id in self.catalog.ids:
            if metric_id not in present:
                self.problem(f"metric column '{metric_id}' ({self.catalog.label(metric_id)}) is missing; it will count as not reported",
                             code="missing_metric_column", severity="warning")
        return mapping

    def parse_identity(self, target: str, value: object, where: dict) -> object:
        if isinstance(value, UncalculatedFormula):
            self.formula_problem(value, where)
            return None
        text = "" if _is_blank(value) else unicodedata.normalize("NFKC", str(value)).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if target == "institution_id":
            if not text:
                self.problem("institution id is empty", code="missing_id", expected="a unique id per institution", **where)
                return None
            reason = id_problem(text)
            if reason:
                self.problem(f"institution id {reason}", code="unsafe_id", value=text, expected=ID_RULE, **where)
                return None
            return normalise_id(text)
        if target == "peer_group":
            group = self.group_aliases.get(normalise_header(text))
            if group is None:
                self.problem("unknown peer group", code="unknown_peer_group", value=text,
                             expected="one of " + ", ".join(sorted({g for g in self.group_aliases.values()})), **where)
            return group
        if target == "period" and text:
            try:
                return parse_period(value)[0]
            except PeriodError as exc:
                self.problem(exc.message, code=exc.code, value=text, expected=exc.expected, **where)
                return None
        return text or None

    def formula_problem(self, value: UncalculatedFormula, where: dict) -> None:
        self.problem("the cell holds a formula whose result was never calculated (the file was written by a program, not saved "
                     "by a spreadsheet)", code="uncalculated_formula", value=value.formula,
                     expected="values: open the file in Excel or LibreOffice and save it, or paste the values", **where)

    def parse_value(self, target: str, value: object, where: dict, unit: str, low: float, high: float, required: bool) -> float:
        if isinstance(value, UncalculatedFormula):
            self.formula_problem(value, where)
            return math.nan
        try:
            number, note = parse_number(value, unit)
        except _ValueError as exc:
            self.problem(exc.message, code=exc.code, value=str(value), expected=exc.expected, **where)
            return math.nan
        if math.isnan(number):
            if required:
                self.problem("required value is missing", code="missing_value", expected=_expected_for(unit), **where)
            return number
        if note:
            self.problem(f"converted: {note} → {number:.12g}", code="converted", severity="warning", value=str(value), **where)
        if not low <= number <= high:
            expected = f"a value between {readable(low)} and {readable(high)}"
            message = "is out of range"
            if unit == "ratio" and 1 < number <= 100:
                message += f" (if it is a percentage, write {number / 100:g} or {number:g}%)"
            self.problem(message, code="out_of_range", value=str(value), expected=expected, **where)
            return math.nan
        return number

    def records(self, mapping: dict[int, str]) -> list[dict]:
        rules = self.column_rules(mapping)
        out = []
        blank = [all(_is_blank(c) for c in cells) for _, cells in self.table.rows]
        last_filled = max((i for i, b in enumerate(blank) if not b), default=-1)
        for position, (row_number, cells) in enumerate(self.table.rows):
            if blank[position]:
                if position < last_filled:  # trailing blank rows are just the end of the sheet
                    self.problem("empty row (skipped)", code="empty_row", severity="warning", row=row_number)
                continue
            if _is_totals_row(cells):
                self.problem("totals row (skipped): the panel has one row per institution", code="totals_row", severity="warning",
                             row=row_number, value=next(str(c) for c in cells[:3] if not _is_blank(c)))
                continue
            record: dict[str, object] = {"_row": row_number}
            for index, (target, rule) in rules.items():
                where = {"row": row_number, "column": self.table.header[index]}
                value = cells[index]
                record[target] = self.parse_identity(target, value, where) if rule is None else self.parse_value(target, value, where, *rule)
            out.append(record)
        return out

    def column_rules(self, mapping: dict[int, str]) -> dict[int, tuple[str, tuple | None]]:
        """Per mapped column: its target and how to parse it — ``None`` for
        identity columns, else ``(unit, min, max, required)`` from the size
        fields or the metric catalog (looked up once, not per cell)."""
        rules: dict[int, tuple[str, tuple | None]] = {}
        for index, target in mapping.items():
            if target in IDENTITY_ALIASES or target in PASS_THROUGH:
                rules[index] = (target, None)
            elif target in self.sizes.index:
                info = self.sizes.loc[target]
                rules[index] = (target, (info["unit"], info["min"], info["max"], bool(info["required"])))
            else:
                info = self.catalog.table.loc[target]
                rules[index] = (target, (info["unit"], info["min"], info["max"], False))
        return rules

    def check_frequency(self, frame: pd.DataFrame) -> None:
        """One frequency per file: the first row's period sets it, every row
        with another frequency is an error."""
        periods = frame[["_row", "period"]].dropna()
        if periods.empty:
            return
        frequencies = [parse_period(p)[1] for p in periods["period"]]
        first = frequencies[0]
        column = next((h for i, h in enumerate(self.table.header) if normalise_header(h) in
                       {normalise_header(a) for a in IDENTITY_ALIASES["period"]}), "period")
        for (row, period), frequency in zip(periods.itertuples(index=False), frequencies):
            if frequency != first:
                self.problem(f"is a {frequency} but the file's periods are {first}s (row {int(periods['_row'].iloc[0])}: "
                             f"{periods['period'].iloc[0]})", code="mixed_frequency", row=int(row), column=column, value=str(period),
                             expected=f"one frequency per file: every period a {first}")

    def check_duplicates(self, frame: pd.DataFrame) -> None:
        keys = ["institution_id"] + (["period"] if "period" in frame.columns else [])
        valid = frame.dropna(subset=["institution_id"])
        dupes = valid[valid.duplicated(keys, keep="first")]
        for _, row in dupes.iterrows():
            first = valid.loc[valid[keys].eq(row[keys]).all(axis=1), "_row"].iloc[0]
            what = f" and period {row['period']}" if len(keys) > 1 else ""
            self.problem(f"duplicate institution id{what} (first seen in row {first})", code="duplicate_id",
                         row=int(row["_row"]), column="institution_id", value=str(row["institution_id"]),
                         expected="each institution once" + (" per period" if len(keys) > 1 else ""))


def validate_panel_file(path: str | Path, catalog: MetricCatalog | None = None) -> ValidationReport:
    """Read a panel file and report every problem at once.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (UTF-8, UTF-8 with BOM or GBK; comma, semicolon or tab
        separated) or ``.xlsx`` file (sheet ``institutions``, else the first).
    catalog : MetricCatalog, optional
        Defaults to :func:`analysis_lib.reference.catalog.load_catalog`.

    Returns
    -------
    ValidationReport
        The problems (errors and warnings, each naming file, sheet, row,
        column, value and what was expected) and the panel with invalid cells
        set to NaN.

    Raises
    ------
    UnreadableFileError
        When the file is missing, empty, of an unsupported type or not
        parseable at all.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> report = validate_panel_file(data_dir() / "sample" / "institutions.csv")
    >>> report.ok
    True
    """
    from analysis_lib.intake.quality import consistency_problems

    path = Path(path)
    catalog = catalog or load_catalog()
    aliases = header_aliases(catalog)
    table = _read_table(path, set(aliases))
    checker = _Checker(table, path.name, catalog, aliases)
    mapping = checker.map_header()
    records = checker.records(mapping)
    if not records:
        checker.problem("no institution rows", code="no_rows", expected="one row per institution below the header")
    columns = ["_row", "institution_id", "name", "peer_group"] + (["period"] if "period" in mapping.values() else [])
    columns += [f for f in PASS_THROUGH if f in mapping.values()]
    columns += [f for f in load_size_fields().index if f in mapping.values()] + catalog.ids
    frame = pd.DataFrame.from_records(records, columns=list(dict.fromkeys(columns)))
    for metric_id in catalog.ids:
        frame[metric_id] = frame[metric_id].astype(float)
    if len(frame):
        if "period" in frame.columns:
            checker.check_frequency(frame)
        checker.check_duplicates(frame)
        for problem in consistency_problems(frame, catalog):
            checker.problem(problem["message"], code="inconsistent", severity="warning", row=problem["row"],
                            column=problem["column"], expected=problem["expected"])
    panel = Panel(frame.rename(columns={"_row": "source_row"}).reset_index(drop=True), str(path), file_sha256(path))
    ordered = sorted(checker.problems, key=lambda p: (p.row or 0, p.severity != "error"))
    return ValidationReport(path.name, tuple(ordered), panel, table.encoding, table.header_row)


def load_panel(path: str | Path, catalog: MetricCatalog | None = None) -> Panel:
    """Load a panel file, raising :class:`InputDataError` listing every error
    when it does not validate.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv")
    >>> len(panel.data) >= 60
    True
    """
    report = validate_panel_file(path, catalog)
    if not report.ok:
        listing = "\n".join(str(p) for p in report.errors)
        raise InputDataError(f"{report.file} does not validate ({len(report.errors)} error(s)):\n{listing}")
    assert report.panel is not None
    return report.panel


def panel_from_frame(frame: pd.DataFrame, source: str = "<memory>") -> Panel:
    """Wrap an in-memory DataFrame (already typed) as a :class:`Panel`.

    Examples
    --------
    >>> p = panel_from_frame(pd.DataFrame({"institution_id": ["A"], "peer_group": ["foreign"]}))
    >>> p.data.shape
    (1, 2)
    """
    missing = [c for c in ("institution_id", "peer_group") if c not in frame.columns]
    if missing:
        raise InputDataError(f"{source}: missing columns {missing}")
    return Panel(frame.reset_index(drop=True), source, "")
