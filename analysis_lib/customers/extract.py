"""Customer extract intake: read a client's customer-level file, keep only the
mapped roles, and pseudonymise the customer id (salted hash) so that no
personal data reaches an analysis or a report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, UnreadableFileError

ROLES = ("customer_id", "churned", "tenure", "balance", "products", "active", "age", "segment", "region", "credit_score",
         "salary", "has_card", "gender")
REQUIRED_ROLES = ("churned",)
PERSONAL_ROLES = ("customer_id",)
DEFAULT_MAPPING = {
    "customer_id": "CustomerId", "churned": "Exited", "tenure": "Tenure", "balance": "Balance", "products": "NumOfProducts",
    "active": "IsActiveMember", "age": "Age", "region": "Geography", "credit_score": "CreditScore", "salary": "EstimatedSalary",
    "has_card": "HasCrCard", "gender": "Gender",
}
"""Mapping of the public bank-churn extract layout, also used by the synthetic sample extract (``data/sample/customers.csv``)."""


PANEL_CURRENCY = "CNY"
TENURE_UNITS = ("auto", "years", "months")
MONTHS_THRESHOLD = 60
"""With ``tenure_unit = "auto"``, a longest tenure above this is read as months."""
MIN_EXTRACT_CUSTOMERS = 1_000
MAX_BOOK_SCALE = 20_000
"""Largest gross-up from an extract to the whole book that is accepted."""


@dataclass(frozen=True)
class CustomerExtract:
    """A validated, pseudonymised customer extract (roles as columns);
    ``notes`` says what was converted (tenure unit, currency)."""

    data: pd.DataFrame
    source: str
    dropped_columns: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UnreadableFileError(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
    except Exception as exc:  # the readers raise many types for a broken file
        raise UnreadableFileError(f"{path.name}: cannot read the customer extract ({type(exc).__name__}: {exc})") from None
    raise UnreadableFileError(f"{path.name}: unsupported file type {suffix}; expected .csv, .xlsx or .parquet")


def pseudonym(value: object, salt: str) -> str:
    """Salted SHA-256 pseudonym of a customer id (12 hex characters).

    Examples
    --------
    >>> pseudonym(15634602, "s") == pseudonym("15634602", "s")
    True
    """
    return "C" + hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:12]


def load_customer_extract(path: str | Path, mapping: dict[str, str] | None = None, salt: str = "crm-diag", *, tenure_unit: str = "auto",
                          currency: str = PANEL_CURRENCY, fx_rate: float | None = None) -> CustomerExtract:
    """Read and validate a customer extract.

    Parameters
    ----------
    path : str or Path
        CSV, XLSX or Parquet, one row per customer.
    mapping : dict
        Role → client column name; roles in :data:`ROLES`. Default: the
        public bank-churn layout.
    salt : str
        Salt of the id pseudonyms.
    tenure_unit : {"auto", "years", "months"}
        Unit of the tenure column; ``auto`` reads a longest tenure above
        :data:`MONTHS_THRESHOLD` as months (and says so in ``notes``). Tenure
        is returned in years.
    currency, fx_rate : str, float
        Currency of the amounts (balance, salary) and, when it is not the
        panel's (CNY), the rate in CNY per unit; without a rate the extract is
        refused rather than mixed with CNY figures.

    Returns
    -------
    CustomerExtract
        Columns named by role; ``customer_id`` pseudonymised; every unmapped
        column (names, surnames, free text) dropped.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> extract = load_customer_extract(data_dir() / "sample" / "customers.csv")
    >>> extract.dropped_columns, bool(extract.data["customer_id"].str.startswith("C").all()), extract.notes[0]
    (('Segment',), True, 'tenure read in years (detected: the longest tenure is 30)')
    """
    path = Path(path)
    mapping = dict(DEFAULT_MAPPING if mapping is None else mapping)
    raw = _read(path)
    unknown = sorted(set(mapping) - set(ROLES))
    if unknown:
        raise InputDataError(f"{path.name}: unknown roles {unknown}; roles are {', '.join(ROLES)}")
    missing_roles = [r for r in REQUIRED_ROLES if r not in mapping]
    if missing_roles:
        raise InputDataError(f"{path.name}: the mapping needs the role(s) {missing_roles}")
    absent = {role: column for role, column in mapping.items() if column not in raw.columns}
    if absent:
        listing = ", ".join(f"{role} -> {column!r}" for role, column in absent.items())
        raise InputDataError(f"{path.name}: mapped column(s) not in the file: {listing}; the file has {', '.join(map(str, raw.columns))}")
    data = pd.DataFrame({role: raw[column] for role, column in mapping.items()})
    flag = pd.to_numeric(data["churned"], errors="coerce")
    bad = flag.isna() | ~flag.isin([0, 1])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputDataError(f"{path.name}, row {row + 2}, column {mapping['churned']!r}: churn flag {str(data['churned'].iloc[row])!r} "
                             "is not binary; expected 0 (stayed) or 1 (left)")
    data["churned"] = flag.astype(int)
    rate = data["churned"].mean()
    if rate in (0.0, 1.0):
        state = "churned" if rate == 1 else "stayed"
        raise InputDataError(f"{path.name}: every customer {state}; churn analysis needs both churned and retained customers")
    for role in ("tenure", "balance", "products", "active", "age", "credit_score", "salary", "has_card"):
        if role in data:
            values = pd.to_numeric(data[role], errors="coerce")
            if values.isna().any():
                row = int(np.flatnonzero(values.isna())[0])
                raw_value = data[role].iloc[row]
                what = "the cell is empty" if pd.isna(raw_value) or not str(raw_value).strip() else f"{str(raw_value)!r} is not a number"
                raise InputDataError(f"{path.name}, row {row + 2}, column {mapping[role]!r}: {what}; expected a number")
            data[role] = values
    if "customer_id" in data:
        data["customer_id"] = [pseudonym(v, salt) for v in data["customer_id"]]
    notes = _tenure_in_years(data, tenure_unit, path.name) + _amounts_in_cny(data, currency, fx_rate, path.name)
    dropped = tuple(str(c) for c in raw.columns if c not in mapping.values())
    return CustomerExtract(data, path.name, dropped, tuple(notes))


def _tenure_in_years(data: pd.DataFrame, unit: str, name: str) -> list[str]:
    if unit not in TENURE_UNITS:
        raise InputDataError(f"{name}: tenure unit {unit!r}; expected one of {', '.join(TENURE_UNITS)}")
    if "tenure" not in data:
        return []
    longest = float(data["tenure"].max())
    if unit == "months" or (unit == "auto" and longest > MONTHS_THRESHOLD):
        data["tenure"] = data["tenure"] / 12
        how = "declared" if unit == "months" else f"detected: the longest tenure, {longest:g}, is above {MONTHS_THRESHOLD}"
        return [f"tenure read in months ({how}) and converted to years"]
    return ["tenure read in years" + (" (declared)" if unit == "years" else f" (detected: the longest tenure is {longest:g})")]


def _amounts_in_cny(data: pd.DataFrame, currency: str, fx_rate: float | None, name: str) -> list[str]:
    currency = str(currency).strip().upper()
    if currency == PANEL_CURRENCY:
        return [f"amounts in {PANEL_CURRENCY}"]
    if fx_rate is None or not np.isfinite(fx_rate) or fx_rate <= 0:
        raise InputDataError(f"{name}: amounts are in {currency} but the panel is in {PANEL_CURRENCY}; give the exchange rate "
                             f"(CNY per {currency}) or convert the extract: currencies are never mixed")
    for role in ("balance", "salary"):
        if role in data:
            data[role] = data[role] * float(fx_rate)
    return [f"amounts converted from {currency} at {fx_rate:g} {PANEL_CURRENCY} per {currency}"]


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


