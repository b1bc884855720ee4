"""Customer extract intake: read a client's customer-level file with its
mapping (:mod:`analysis_lib.customers.mapping`), check every mapped column
and report every problem at once (file, row, column; an id value is never
quoted), convert tenure to years and dates to a censored duration, and
pseudonymise the customer id (salted hash) so that no personal data reaches
an analysis or a report. Amounts come in CNY: money columns in another
currency are converted with the mapping's FX rate (never mixed), and
:func:`book_scale` grosses the extract up to the institution's book.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.customers.mapping import (
    MONEY_UNITS,
    PANEL_CURRENCY,
    TENURE_UNITS,
    ColumnMapping,
    CustomerMapping,
    detect_tenure_unit,
    legacy_mapping,
    propose_mapping,
    read_mapping,
)
from analysis_lib.errors import InputDataError, UnreadableFileError
from analysis_lib.intake.panel import Problem, ProblemSummary

ROLES = ("customer_id", "churned", "tenure", "balance", "spend", "revolving", "products", "region", "segment")
"""Role columns of :attr:`CustomerExtract.data` (features keep their header)."""
REQUIRED_ROLES = ("customer_id", "churned")
PERSONAL_ROLES = ("customer_id",)
DEFAULT_MAPPING = {
    "customer_id": "CustomerId", "churned": "Exited", "tenure": "Tenure", "balance": "Balance", "products": "NumOfProducts",
    "active": "IsActiveMember", "age": "Age", "region": "Geography", "credit_score": "CreditScore", "salary": "EstimatedSalary",
    "has_card": "HasCrCard", "gender": "Gender",
}
"""The layout of the public bank-churn extract (``data/sample/customers.csv``),
as the older ``role -> column`` dictionary; :func:`propose_mapping` finds the
same mapping from the headers."""
MODEL_ROLES = ("tenure", "balance", "spend", "revolving", "products", "region", "segment", "feature")
MAX_LISTED = 5
"""Rows listed per column and problem before the rest are counted."""
MIN_EXTRACT_CUSTOMERS = 1_000
MAX_BOOK_SCALE = 20_000
"""Largest gross-up from an extract to the whole book that is accepted."""


@dataclass(frozen=True)
class Feature:
    """One explanatory column of the extract: its name in ``data``, its type
    (numeric, money, count, flag, category) and its label in reports."""

    name: str
    kind: str
    label: str
    label_zh: str = ""
    levels_zh: dict[str, str] | None = None

    def shown(self, language: str = "en") -> str:
        """The label in the report's language."""
        return (self.label_zh or self.label) if language == "zh" else self.label


@dataclass(frozen=True)
class CustomerExtract:
    """A validated, pseudonymised customer extract: role columns (see
    :data:`ROLES`; tenure in years, amounts in CNY) plus the mapped
    features; ``notes`` says how tenure and amounts were read (unit,
    currency), ``warnings`` what the intake flagged."""

    data: pd.DataFrame
    source: str
    dropped_columns: tuple[str, ...] = field(default_factory=tuple)
    features: tuple[Feature, ...] = field(default_factory=tuple)
    mapping: CustomerMapping | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def currency(self) -> str:
        return self.mapping.currency if self.mapping else "CNY"

    @property
    def fx_rate(self) -> float:
        """CNY per unit of the extract's currency (1 for CNY)."""
        return self.mapping.fx_rate if self.mapping and self.mapping.fx_rate else 1.0

    @property
    def book_type(self) -> str:
        return self.mapping.book_type if self.mapping else "deposits"

    def model_features(self) -> tuple[Feature, ...]:
        """The explanatory columns (features of the extract, or the role
        columns present when it was built from a bare table)."""
        if self.features:
            return self.features
        kinds = {"tenure": "numeric", "balance": "money", "products": "count", "region": "category", "segment": "category"}
        return tuple(Feature(c, kinds.get(c, "numeric"), c) for c in self.data.columns if c not in ("customer_id", "churned"))


@dataclass(frozen=True)
class ExtractValidation(ProblemSummary):
    """Every problem found in a customer extract under a mapping, and the
    extract itself when there is no error."""

    file: str
    problems: tuple[Problem, ...]
    extract: CustomerExtract | None = None

    def format(self) -> str:
        """Every problem, one a line, then a one-line summary."""
        rows = 0 if self.extract is None else len(self.extract.data)
        lines = [str(p) for p in self.problems]
        lines.append(f"{self.file}: {len(self.errors)} error(s), {len(self.warnings)} warning(s); {rows} customer(s) usable")
        return "\n".join(lines)


def read_extract_table(path: str | Path) -> pd.DataFrame:
    """Read an extract: CSV (UTF-8, else GB18030; pyarrow parser), XLSX or
    Parquet."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFileError(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            try:
                return pd.read_csv(path, engine="pyarrow")
            except (UnicodeDecodeError, ValueError):
                return pd.read_csv(path, encoding="gb18030")
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
    except Exception as exc:  # the readers raise many types for a broken file
        raise UnreadableFileError(f"{path.name}: cannot read the customer extract ({type(exc).__name__})") from None
    raise UnreadableFileError(f"{path.name}: unsupported file type {suffix}; expected .csv, .xlsx or .parquet")


def pseudonym(value: object, salt: str) -> str:
    """Salted SHA-256 pseudonym of a customer id (12 hex characters).

    Examples
    --------
    >>> pseudonym(15634602, "s") == pseudonym("15634602", "s")
    True
    """
    return "C" + hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:12]


def _rows(mask: np.ndarray) -> list[int]:
    """Spreadsheet rows (header = 1) of the first flagged positions."""
    return [int(i) + 2 for i in np.flatnonzero(mask)[:MAX_LISTED]]


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, message: str, column: str | None = None, severity: str = "error", code: str = "invalid", row: int | None = None,
            value: object = None, expected: str | None = None) -> None:
        self.problems.append(Problem(self.file, message, severity, code, None, row, column, None if value is None else str(value),
                                     expected))

    def rows(self, mask: np.ndarray, column: str, message: str, expected: str, values: pd.Series | None = None,
             severity: str = "error", code: str = "invalid") -> None:
        """One problem per flagged row (the first few), then a count; values
        are quoted only when ``values`` is given (never for the id)."""
        count = int(mask.sum())
        for row in _rows(mask):
            value = None if values is None else values.iloc[row - 2]
            self.add(message, column, severity, code, row, value, expected)
        if count > MAX_LISTED:
            self.add(f"{message}: {count - MAX_LISTED} more row(s) like these", column, severity, code)


def _label_key(value: object) -> object:
    if isinstance(value, bool):
        return "__true__" if value else "__false__"
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "t", "是"):
        return "__true__"
    if text in ("no", "n", "false", "f", "否"):
        return "__false__"
    try:
        number = float(text)
        return number if np.isfinite(number) else text
    except ValueError:
        return text


def _relabel(values: pd.Series, labels: dict) -> tuple[pd.Series, np.ndarray]:
    """Apply value labels; returns the relabelled series and the mask of
    present values no label covers."""
    table = {_label_key(k): v for k, v in labels.items()}
    uniques = pd.unique(values.dropna())
    lookup = {u: table.get(_label_key(u), np.nan) for u in uniques}
    out = values.map(lookup)
    unmatched = values.notna().to_numpy() & out.isna().to_numpy()
    return out, unmatched


def _numbers(values: pd.Series) -> pd.Series:
    if values.dtype == object:
        values = values.astype(str).str.replace(",", "", regex=False).str.strip().replace({"": None, "nan": None, "None": None})
    return pd.to_numeric(values, errors="coerce")


def _churn_flag(raw: pd.Series, entry: ColumnMapping, check: _Checker) -> pd.Series:
    from analysis_lib.customers.mapping import _flag_values

    labels = entry.values or _flag_values(raw.dropna().drop_duplicates().head(10))
    if labels is None:
        flag = _numbers(raw)
        bad = raw.notna().to_numpy() & (flag.isna() | ~flag.isin([0, 1])).to_numpy()
        text = pd.unique(raw[bad & flag.isna().to_numpy()])
        if len(text):
            listed = ", ".join(repr(str(v)) for v in text[:5]) + (" …" if len(text) > 5 else "")
            check.add(f"churn flag has {len(text)} text value(s) ({listed}) and no value labels", entry.column,
                      expected="values: {label: 1, label: 0} in the mapping (1 = left, 0 = stayed)")
    else:
        flag, bad = _relabel(raw, labels)
    if bad.any():
        known = ", ".join(map(repr, labels)) if labels else "0 (stayed) or 1 (left)"
        check.rows(bad, entry.column, "churn flag is not one of the mapped values", known, raw)
    missing = raw.isna().to_numpy()
    if missing.any():
        check.rows(missing, entry.column, "churn flag is empty", "1 (left) or 0 (stayed)")
    flag = pd.to_numeric(flag, errors="coerce")
    rate = flag.mean()
    if flag.notna().any() and rate in (0.0, 1.0):
        state = "churned" if rate == 1 else "stayed"
        check.add(f"every customer {state}; churn analysis needs both churned and retained customers", entry.column)
    return flag


def _ids(raw: pd.Series, entry: ColumnMapping, check: _Checker, salt: str) -> pd.Series:
    missing = raw.isna().to_numpy()
    if missing.any():
        check.rows(missing, entry.column, "customer id is empty", "a customer id on every row")
    duplicated = raw.duplicated(keep="first").to_numpy() & ~missing
    if duplicated.any():
        first = raw.duplicated(keep=False).to_numpy() & ~duplicated & ~missing
        check.rows(duplicated, entry.column, f"customer id repeats an earlier row ({int(first.sum())} id(s) appear more than once)",
                   "one row per customer")
    text = raw.astype(str).to_numpy()
    return pd.Series([pseudonym(v, salt) for v in text], index=raw.index, dtype=object)


def _feature_values(raw: pd.Series, entry: ColumnMapping, check: _Checker, fx_rate: float = 1.0) -> pd.Series:
    """The column's values: numbers (money in CNY: its unit, then the FX
    rate), 0/1 flags or category labels."""
    if entry.type in ("numeric", "money", "count"):
        values = _numbers(raw)
        bad = raw.notna().to_numpy() & values.isna().to_numpy()
        if bad.any():
            check.rows(bad, entry.column, "not a number", "a number", raw)
        if entry.type == "money":
            values = values * MONEY_UNITS.get(str(entry.unit).lower(), 1.0) * fx_rate if entry.unit else values * fx_rate
        if entry.type == "money" and (values < 0).any():
            check.rows((values < 0).to_numpy(), entry.column, "negative amount (read as zero by the margin model)", "an amount >= 0",
                       raw, severity="warning", code="negative")
        return values
    if entry.type == "flag":
        from analysis_lib.customers.mapping import _flag_values

        labels = entry.values or _flag_values(raw.dropna().drop_duplicates().head(10))
        if labels is None:
            check.add("flag column has values other than two labels; give values: {label: 1, label: 0} or type category",
                      entry.column, expected="two values such as 0/1, yes/no, 是/否")
            return pd.Series(np.nan, index=raw.index)
        values, bad = _relabel(raw, labels)
        if bad.any():
            check.rows(bad, entry.column, "flag value is not one of the mapped labels", ", ".join(map(repr, labels)), raw)
        return pd.to_numeric(values, errors="coerce")
    values = raw.astype("string").str.strip()
    if entry.values:
        relabelled, _ = _relabel(values, entry.values)
        values = relabelled.fillna(values).astype("string")
    return values


def _dates(raw: pd.Series, entry: ColumnMapping, check: _Checker) -> pd.Series:
    values = pd.to_datetime(raw, errors="coerce")
    bad = raw.notna().to_numpy() & values.isna().to_numpy()
    if bad.any():
        check.rows(bad, entry.column, "not a date", "a date such as 2024-06-30", raw)
    return values


def _tenure_years(raw: pd.Series, entry: ColumnMapping, mapping: CustomerMapping, check: _Checker) -> tuple[pd.Series, str]:
    """Tenure in years, and a note saying how its unit was known."""
    values = _feature_values(raw, ColumnMapping(entry.column, "tenure", "numeric"), check)
    unit = mapping.tenure_unit or entry.unit
    how = "declared"
    if unit is None:
        unit, why = detect_tenure_unit(values, entry.column)
        how = f"detected: the longest tenure is {float(values.max()):g}" if values.notna().any() else "detected"
        if why:
            check.add(why, entry.column, "warning", "ambiguous_unit")
    if unit not in TENURE_UNITS:
        check.add(f"tenure unit {unit!r} is not one of {', '.join(TENURE_UNITS)}", entry.column)
        unit = "years"
    if (values < 0).any():
        check.rows((values < 0).to_numpy(), entry.column, "negative tenure", "a tenure >= 0", raw)
    note = f"tenure read in {unit} ({how})" + ("" if unit == "years" else " and converted to years")
    return values / TENURE_UNITS[unit], note


def _currency_note(mapping: CustomerMapping) -> str:
    """How the amounts were read: in CNY, or converted at the mapping's rate."""
    if mapping.currency == PANEL_CURRENCY:
        return f"amounts in {PANEL_CURRENCY}"
    return f"amounts converted from {mapping.currency} at {mapping.fx_rate:g} {PANEL_CURRENCY} per {mapping.currency}"


def _survival_from_dates(raw: pd.DataFrame, mapping: CustomerMapping, churned: pd.Series, check: _Checker) -> pd.Series | None:
    """Duration in years from open to close (churned) or to the observation
    date (censored)."""
    open_col, close_col, obs_col = (mapping.column_for(r) for r in ("open_date", "close_date", "observation_date"))
    if open_col is None:
        return None
    opened = _dates(raw[open_col], mapping.entry(open_col), check)
    closed = _dates(raw[close_col], mapping.entry(close_col), check) if close_col else pd.Series(pd.NaT, index=raw.index)
    if obs_col:
        observed = _dates(raw[obs_col], mapping.entry(obs_col), check)
    elif mapping.observation_date:
        observed = pd.Series(pd.Timestamp(mapping.observation_date), index=raw.index)
    else:
        latest = max(d for d in (opened.max(), closed.max()) if pd.notna(d))
        check.add(f"no observation date in the mapping; survival is censored at the latest date in the file ({latest:%Y-%m-%d})",
                  open_col, "warning", "observation_date")
        observed = pd.Series(latest, index=raw.index)
    left = churned.fillna(0).astype(bool).to_numpy()
    no_close = left & closed.isna().to_numpy()
    if close_col and no_close.any():
        check.rows(no_close, close_col, "churned customer without a close date (duration taken to the observation date)",
                   "a close date for every churned customer", severity="warning", code="missing_close")
    end = closed.where(left & closed.notna().to_numpy(), observed)
    years = (end - opened).dt.days / 365.25
    backwards = (years < 0).to_numpy()
    if backwards.any():
        check.rows(backwards, open_col, "opened after it closed or after the observation date", "an open date before the end date")
    missing = opened.isna().to_numpy()
    if missing.any():
        check.rows(missing, open_col, "open date is empty", "an open date on every row", severity="warning", code="missing")
    return years


_MORE = re.compile(r"^(.*): (\d+) more row\(s\) like these$")
_WARNINGS_ZH = {
    "the cell is empty (filled with the median, or the level 'unknown', in the model)": "为空（模型中以中位数或“未知”类别填补）",
    "negative amount (read as zero by the margin model)": "金额为负（利润模型按零计）",
    "churned customer without a close date (duration taken to the observation date)": "已流失客户无销户日期（时长计至观察日）",
    "open date is empty": "开户日期为空",
}


def warning_summary(problems: tuple[Problem, ...] | list[Problem]) -> tuple[str, ...]:
    """The intake's warnings, one per column and kind, row counts summed
    (``Age: the cell is empty (…) (12 row(s))``); no value is quoted.

    Examples
    --------
    >>> rows = [Problem("f.csv", "open date is empty", "warning", "missing", None, r, "开户日期") for r in (2, 3)]
    >>> warning_summary(rows + [Problem("f.csv", "open date is empty: 4 more row(s) like these", "warning", "missing", None, None, "开户日期")])
    ('开户日期: open date is empty (6 row(s))',)
    """
    counts: dict[tuple[str | None, str], int | None] = {}
    for p in problems:
        if p.severity != "warning":
            continue
        more = _MORE.match(p.message)
        message = more.group(1) if more else p.message
        key = (p.column, message)
        if p.row is None and not more:
            counts.setdefault(key, None)
        else:
            counts[key] = (counts.get(key) or 0) + (int(more.group(2)) if more else 1)
    return tuple((f"{column}: " if column else "") + message + ("" if n is None else f" ({n:,} row(s))")
                 for (column, message), n in counts.items())


def warning_in_chinese(text: str, names: dict[str, str] | None = None) -> str:
    """An intake warning of :func:`warning_summary` in Chinese, the column by
    its Chinese name in ``names`` (as given when there is none; an unknown
    form is returned as it is).

    Examples
    --------
    >>> warning_in_chinese("Age: the cell is empty (filled with the median, or the level 'unknown', in the model) (12 row(s))")
    'Age：12行为空（模型中以中位数或“未知”类别填补）'
    >>> warning_in_chinese("Tenure: tenure column 'Tenure': values up to 30 could be months or years; read as years "
    ...                    "(declare tenure_unit in the mapping)")
    'Tenure：最长在网时长为30，单位可能为月或年，按年读取（请在映射文件中声明在网时长单位）'
    """
    column, _, rest = text.partition(": ")
    column = (names or {}).get(column, column)
    rows = re.match(r"^(.*) \(([\d,]+) row\(s\)\)$", rest)
    if rows and rows.group(1) in _WARNINGS_ZH:
        return f"{column}：{rows.group(2)}行{_WARNINGS_ZH[rows.group(1)]}"
    unit = re.match(r"^tenure column .*: values up to (\S+) could be months or years; read as (\w+)", rest)
    if unit:
        read = "年" if unit.group(2) == "years" else "月"
        return f"{column}：最长在网时长为{unit.group(1)}，单位可能为月或年，按{read}读取（请在映射文件中声明在网时长单位）"
    censored = re.match(r"^no observation date in the mapping; survival is censored at the latest date in the file \((.*)\)$", rest)
    if censored:
        return f"{column}：映射文件未给出观察日期，生存分析在文件中最晚日期（{censored.group(1)}）截尾"
    return text


def _in_years(header: str, lead: str = "") -> str:
    """A tenure label in the header's language: ``Months_on_book (years)``,
    ``开户日期 → 在网年限（年）``."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in header):
        return f"{header}{' → 在网年限' if lead else ''}（年）"
    return f"{header}{' → tenure' if lead else ''} (years)"


def _undeclared(mapping: CustomerMapping) -> CustomerMapping:
    """A proposed mapping with its tenure unit left to the intake's detection
    (which warns when it is ambiguous): nobody declared it."""
    columns = tuple(replace(c, unit=None) if c.role == "tenure" else c for c in mapping.columns)
    return replace(mapping, columns=columns, tenure_unit=None)


def validate_customer_extract(path: str | Path, mapping: CustomerMapping | dict | str | Path | None = None,
                              salt: str = "crm-diag") -> ExtractValidation:
    """Check an extract against its mapping and report every problem at once.

    Parameters
    ----------
    path : str or Path
        CSV, XLSX or Parquet, one row per customer.
    mapping : CustomerMapping, mapping file, dict or None
        The mapping (a :class:`CustomerMapping`, a YAML file, or the older
        ``role -> column`` dictionary). None: the mapping
        :func:`propose_mapping` finds from the headers.
    salt : str
        Salt of the id pseudonyms.

    Returns
    -------
    ExtractValidation
        Problems (spreadsheet row, client column, expected value; id values
        never quoted) and, when there is no error, the extract.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> check = validate_customer_extract(data_dir() / "sample" / "customers.csv")
    >>> check.ok, len(check.extract.data), check.extract.notes[0]
    (True, 20000, 'tenure read in years (detected: the longest tenure is 30)')
    >>> check.extract.warnings[0][:53]
    "Tenure: tenure column 'Tenure': values up to 30 could"
    """
    path = Path(path)
    raw = read_extract_table(path)
    if mapping is None:
        mapping = _undeclared(propose_mapping(raw, path.name))
    elif isinstance(mapping, dict):
        mapping = legacy_mapping(mapping)
    elif not isinstance(mapping, CustomerMapping):
        mapping = read_mapping(mapping)
    check = _Checker(path.name)
    for note in mapping.notes:
        if note.startswith("no column was recognised"):
            check.add(note + " (or write a mapping: crm-diag customers map EXTRACT)")
    absent = [c.column for c in mapping.used() if c.column not in raw.columns]
    for column in absent:
        check.add(f"mapped column {column!r} is not in the file", column, code="missing_column",
                  expected=f"one of the file's columns: {', '.join(map(str, raw.columns))}")
    for role in ("id", "churned"):
        if mapping.column_for(role) is None and not any(p.message.startswith("no column was recognised") for p in check.problems):
            check.add(f"the mapping has no {role!r} column", code="missing_role")
    if absent or mapping.column_for("id") is None or mapping.column_for("churned") is None:
        return ExtractValidation(path.name, tuple(check.problems))
    data = pd.DataFrame(index=raw.index)
    id_col, churn_col = mapping.column_for("id"), mapping.column_for("churned")
    data["customer_id"] = _ids(raw[id_col], mapping.entry(id_col), check, salt)
    data["churned"] = _churn_flag(raw[churn_col], mapping.entry(churn_col), check)
    features: list[Feature] = []
    notes = [_currency_note(mapping)] if any(e.type == "money" for e in mapping.used()) else []
    fx_rate = float(mapping.fx_rate or 1.0)
    for entry in mapping.used():
        if entry.role in ("id", "churned", "open_date", "close_date", "observation_date"):
            continue
        if entry.role == "tenure":
            data["tenure"], note = _tenure_years(raw[entry.column], entry, mapping, check)
            notes.insert(0, note)
            features.append(Feature("tenure", "numeric", _in_years(entry.label or entry.column), f"{entry.label_zh or '在网年限'}（年）"))
            continue
        name = entry.role if entry.role in ROLES else entry.column
        if name in data:
            name = f"{entry.column} ({entry.role})"
        values = _feature_values(raw[entry.column], entry, check, fx_rate)
        data[name] = values
        if entry.role in MODEL_ROLES:
            features.append(Feature(name, entry.type, entry.shown, entry.shown_zh, entry.levels_zh))
    duration = _survival_from_dates(raw, mapping, data["churned"], check)
    if duration is not None:
        data["tenure"] = duration
        open_col = str(mapping.column_for("open_date"))
        features = [f for f in features if f.name != "tenure"] + [Feature("tenure", "numeric", _in_years(open_col, "→ "),
                                                                           "在网年限（年，按开户日期）")]
        notes = [n for n in notes if not n.startswith("tenure read")]
        notes.insert(0, "tenure from the open and close dates (censored at the observation date)")
    columns = {e.role if e.role in ROLES else e.column: e.column for e in mapping.used()}
    for feature in features:
        empty = data[feature.name].isna().to_numpy()
        if empty.any() and feature.name in columns:
            check.rows(empty, columns[feature.name], "the cell is empty (filled with the median, or the level 'unknown', in the model)",
                       "a value", severity="warning", code="missing")
    dropped = tuple(str(c) for c in raw.columns if c not in {e.column for e in mapping.used()})
    problems = tuple(check.problems)
    if any(p.severity == "error" for p in problems):
        return ExtractValidation(path.name, problems)
    data["churned"] = data["churned"].astype(int)
    warnings = warning_summary(problems)
    return ExtractValidation(path.name, problems, CustomerExtract(data, path.name, dropped, tuple(features), mapping, warnings,
                                                                  tuple(notes)))


def load_customer_extract(path: str | Path, mapping: CustomerMapping | dict | str | Path | None = None,
                          salt: str = "crm-diag") -> CustomerExtract:
    """Read and validate a customer extract; raise on any error.

    Parameters are those of :func:`validate_customer_extract`.

    Returns
    -------
    CustomerExtract
        Role columns (``customer_id`` pseudonymised, tenure in years) and the
        mapped features; every unmapped column (names, free text) dropped.

    Raises
    ------
    InputDataError
        Listing every error (file, row, column; never an id value).

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> from analysis_lib.customers.sample_extract import sample_mapping
    >>> extract = load_customer_extract(data_dir() / "sample" / "customers.csv", sample_mapping())
    >>> extract.notes, bool(extract.data["customer_id"].str.startswith("C").all())
    (('tenure read in years (declared)', 'amounts in CNY'), True)
    """
    result = validate_customer_extract(path, mapping, salt)
    if not result.ok:
        errors = result.errors
        listing = "\n".join(str(p) for p in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise InputDataError(f"{result.file}: the customer extract does not validate ({len(errors)} error(s)):\n{listing}{more}")
    assert result.extract is not None
    return result.extract


def book_scale(book_customers: float, extract_customers: int) -> float:
    """Gross-up factor from an extract to the institution's whole book,
    ``book customers / extract customers``, refused when the extract is too
    small a sample or larger than the book (another institution's file).

    Examples
    --------
    >>> book_scale(25_000_000, 20_000)
    1250.0
    >>> book_scale(25_000_000, 500)
    Traceback (most recent call last):
    ...
    analysis_lib.errors.InputDataError: the customer extract has 500 customers: too small a sample to gross up to a book of 25,000,000 (at least 1,000 needed)
    """
    if not np.isfinite(book_customers) or book_customers <= 0:
        raise InputDataError("grossing up a customer extract needs the institution's number of customers")
    if extract_customers < MIN_EXTRACT_CUSTOMERS:
        raise InputDataError(f"the customer extract has {extract_customers:,} customers: too small a sample to gross up to a book of "
                             f"{book_customers:,.0f} (at least {MIN_EXTRACT_CUSTOMERS:,} needed)")
    scale = float(book_customers) / extract_customers
    if scale < 1:
        raise InputDataError(f"the customer extract has {extract_customers:,} customers, more than the institution's {book_customers:,.0f}: "
                             "is it another institution's file?")
    if scale > MAX_BOOK_SCALE:
        raise InputDataError(f"the customer extract would be grossed up {scale:,.0f} times (limit {MAX_BOOK_SCALE:,}): send a larger sample")
    return scale
