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
"""Mapping of the public bank-churn extract layout (``data/sample/customers.csv``)."""


@dataclass(frozen=True)
class CustomerExtract:
    """A validated, pseudonymised customer extract (roles as columns)."""

    data: pd.DataFrame
    source: str
    dropped_columns: tuple[str, ...] = field(default_factory=tuple)


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


def load_customer_extract(path: str | Path, mapping: dict[str, str] | None = None, salt: str = "crm-diag") -> CustomerExtract:
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

    Returns
    -------
    CustomerExtract
        Columns named by role; ``customer_id`` pseudonymised; every unmapped
        column (names, surnames, free text) dropped.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> extract = load_customer_extract(data_dir() / "sample" / "customers.csv")
    >>> "Surname" in extract.dropped_columns, bool(extract.data["customer_id"].str.startswith("C").all())
    (True, True)
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
    dropped = tuple(str(c) for c in raw.columns if c not in mapping.values())
    return CustomerExtract(data, path.name, dropped)


