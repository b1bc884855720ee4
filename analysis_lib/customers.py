"""Customer analytics on a client's customer-level extract: who is leaving,
why, and what keeping them is worth.

- **Intake** with a column mapping (client column → role). Only mapped
  roles are kept; the customer id is replaced by a salted hash pseudonym and
  names never leave the intake, so no personal data reaches a report.
- **Retention analytics**: churn rate overall and by segment with Wilson
  confidence intervals; Kaplan–Meier retention by tenure (statsmodels).
- **Churn early warning**: statsmodels logistic regression on engineered
  features with a stratified held-out split; AUC, lift and capture by
  decile, calibration, odds ratios, drivers in plain words; every customer
  scored.
- **CLV**: ``margin × r / (1 + d − r)`` (retention-based, margin at the end
  of each year, Gupta & Lehmann 2003) with an explicit margin model; value of
  the at-risk book = Σ churn probability × CLV.
- **Segmentation**: value × risk quadrants with sizes and CLV.
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
    >>> from analysis_lib.catalog import data_dir
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
                raise InputDataError(f"{path.name}, row {row + 2}, column {mapping[role]!r}: {data[role].iloc[row]!r} is not a number")
            data[role] = values
    if "customer_id" in data:
        data["customer_id"] = [pseudonym(v, salt) for v in data["customer_id"]]
    dropped = tuple(str(c) for c in raw.columns if c not in mapping.values())
    return CustomerExtract(data, path.name, dropped)


# ------------------------------------------------------------------ retention analytics


def churn_rates(extract: CustomerExtract, by: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Churn rate with a Wilson confidence interval, overall or by a role.

    Examples
    --------
    >>> from analysis_lib.catalog import data_dir
    >>> e = load_customer_extract(data_dir() / "sample" / "customers.csv")
    >>> round(float(churn_rates(e)["churn_rate"].iloc[0]), 4)
    0.2037
    """
    from statsmodels.stats.proportion import proportion_confint

    data = extract.data
    if by is not None and by not in data:
        raise InputDataError(f"the extract has no role {by!r}")
    grouped = data.groupby(by if by else np.zeros(len(data), dtype=int))["churned"].agg(["sum", "count"])
    low, high = proportion_confint(grouped["sum"], grouped["count"], alpha=alpha, method="wilson")
    table = pd.DataFrame({"customers": grouped["count"], "churned": grouped["sum"], "churn_rate": grouped["sum"] / grouped["count"],
                          "ci_low": low, "ci_high": high})
    table.index.name = by or "all"
    return table


def tenure_band(tenure: pd.Series) -> pd.Series:
    """Tenure bands in years: 0–1, 2–3, 4–6, 7+."""
    return pd.cut(tenure, [-np.inf, 1, 3, 6, np.inf], labels=["0-1", "2-3", "4-6", "7+"])


def kaplan_meier(extract: CustomerExtract) -> pd.DataFrame:
    """Kaplan–Meier retention by tenure (statsmodels ``SurvfuncRight``):
    churned customers are events at their tenure, the others censored.

    Returns ``time, at_risk, events, retention, ci_low, ci_high``.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    data = extract.data
    if "tenure" not in data:
        raise InputDataError("Kaplan-Meier retention needs the role 'tenure'")
    fit = SurvfuncRight(data["tenure"].to_numpy(float), data["churned"].to_numpy(int))
    table = pd.DataFrame({"time": fit.surv_times, "at_risk": fit.n_risk, "events": fit.n_events, "retention": fit.surv_prob,
                          "std_error": fit.surv_prob_se})
    table["ci_low"] = (table["retention"] - 1.96 * table["std_error"]).clip(0, 1)
    table["ci_high"] = (table["retention"] + 1.96 * table["std_error"]).clip(0, 1)
    return table


# ------------------------------------------------------------------ churn model

FEATURE_LABELS = {
    "age": "age (per 10 years)", "age_sq": "age squared", "log_balance": "balance (log)", "zero_balance": "no balance",
    "products_2": "holding 2 products", "products_3plus": "holding 3 or more products", "active": "being an active member",
    "has_card": "holding a credit card", "credit_score": "credit score (per 100 points)", "tenure": "tenure (per year)",
    "salary": "salary (per 100k)", "female": "being female",
}


def _features(data: pd.DataFrame) -> pd.DataFrame:
    x = pd.DataFrame(index=data.index)
    if "age" in data:
        age = data["age"] / 10
        x["age"] = age
        x["age_sq"] = (age - age.mean()) ** 2
    if "balance" in data:
        x["log_balance"] = np.log1p(data["balance"].clip(lower=0))
        x["zero_balance"] = (data["balance"] <= 0).astype(float)
    if "products" in data:
        x["products_2"] = (data["products"] == 2).astype(float)
        x["products_3plus"] = (data["products"] >= 3).astype(float)
    for role in ("active", "has_card"):
        if role in data:
            x[role] = data[role].astype(float)
    if "credit_score" in data:
        x["credit_score"] = data["credit_score"] / 100
    if "tenure" in data:
        x["tenure"] = data["tenure"].astype(float)
    if "salary" in data:
        x["salary"] = data["salary"] / 1e5
    if "gender" in data:
        x["female"] = data["gender"].astype(str).str.lower().str.startswith(("f", "女")).astype(float)
    if "region" in data:
        dummies = pd.get_dummies(data["region"].astype(str), prefix="region", drop_first=True, dtype=float)
        x = x.join(dummies)
    if x.shape[1] == 0:
        raise InputDataError("the churn model needs at least one explanatory role (age, balance, products, active, ...)")
    return x


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn early-warning model and its held-out evaluation."""

    coefficients: pd.DataFrame
    auc: float
    deciles: pd.DataFrame
    scores: pd.Series
    n_train: int
    n_test: int
    seed: int

    def drivers(self, top: int = 5, language: str = "en") -> list[str]:
        """The strongest significant drivers in plain words."""
        table = self.coefficients.drop(index="const", errors="ignore")
        table = table[table["p_value"] < 0.05].reindex(table["z"].abs().sort_values(ascending=False).index).dropna().head(top)
        sentences = []
        for name, row in table.iterrows():
            label = FEATURE_LABELS.get(name, name.replace("region_", "being in "))
            ratio = row["odds_ratio"]
            if language == "zh":
                direction = "提高" if ratio > 1 else "降低"
                sentences.append(f"{label}：流失几率{direction}至 {ratio:.2f} 倍")
            else:
                direction = "raises" if ratio > 1 else "lowers"
                sentences.append(f"{label.capitalize()} {direction} the odds of leaving (odds ratio {ratio:.2f})")
        return sentences


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    ranks = pd.Series(p).rank().to_numpy()
    positives = y == 1
    n1, n0 = positives.sum(), (~positives).sum()
    return float((ranks[positives].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def fit_churn_model(extract: CustomerExtract, test_share: float = 0.3, seed: int = 7) -> ChurnModel:
    """Logistic churn model with a stratified held-out split.

    Returns
    -------
    ChurnModel
        Coefficients with standard errors, p-values and odds ratios; AUC on
        the held-out customers; lift, capture rate and calibration by
        decile of predicted risk (decile 1 = riskiest); a score for every
        customer (fitted on the training part).

    Examples
    --------
    >>> from analysis_lib.catalog import data_dir
    >>> model = fit_churn_model(load_customer_extract(data_dir() / "sample" / "customers.csv"))
    >>> bool(model.auc > 0.75)
    True
    """
    import statsmodels.api as sm

    data = extract.data
    x = sm.add_constant(_features(data), has_constant="add")
    y = data["churned"].to_numpy()
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        test[rng.choice(members, size=int(round(test_share * members.size)), replace=False)] = True
    fit = sm.Logit(y[~test], x[~test]).fit(disp=0, maxiter=200)
    coefficients = pd.DataFrame({"coef": fit.params, "std_error": fit.bse, "z": fit.tvalues, "p_value": fit.pvalues,
                                 "odds_ratio": np.exp(fit.params)})
    scores = pd.Series(fit.predict(x), index=data.index, name="churn_probability")
    p_test, y_test = scores[test].to_numpy(), y[test]
    order = np.argsort(-p_test, kind="stable")
    decile = np.empty(len(order), dtype=int)
    decile[order] = np.arange(len(order)) * 10 // len(order) + 1
    table = pd.DataFrame({"decile": decile, "churned": y_test, "predicted": p_test}).groupby("decile").agg(
        customers=("churned", "size"), churned=("churned", "sum"), observed_rate=("churned", "mean"), predicted_rate=("predicted", "mean"))
    base = y_test.mean()
    table["lift"] = table["observed_rate"] / base
    table["capture_rate"] = table["churned"].cumsum() / y_test.sum()
    return ChurnModel(coefficients, _auc(y_test, p_test), table, scores, int((~test).sum()), int(test.sum()), seed)


# ------------------------------------------------------------------ value


@dataclass(frozen=True)
class MarginModel:
    """Annual margin per customer: ``balance × net_interest_margin +
    products × fee_per_product + base_margin`` (CNY, or the extract's
    currency)."""

    net_interest_margin: float = 0.015
    fee_per_product: float = 60.0
    base_margin: float = 20.0

    def margin(self, data: pd.DataFrame) -> pd.Series:
        balance = data["balance"] if "balance" in data else 0.0
        products = data["products"] if "products" in data else 1.0
        return balance * self.net_interest_margin + products * self.fee_per_product + self.base_margin


def clv(margin, retention, discount_rate: float):
    """Customer lifetime value, retention-based, infinite horizon:
    ``m × r / (1 + d − r)`` (margin received at the end of each year the
    customer stays).

    Examples
    --------
    >>> round(float(clv(100.0, 0.8, 0.1)), 4)
    266.6667
    """
    retention = np.asarray(retention, dtype=float)
    if np.any((retention < 0) | (retention > 1)) or discount_rate <= -1:
        raise InputDataError("retention must be within [0, 1] and the discount rate above -100%")
    return np.asarray(margin, dtype=float) * retention / (1 + discount_rate - retention)


def customer_value(extract: CustomerExtract, model: ChurnModel, discount_rate: float = 0.08,
                   margin_model: MarginModel | None = None) -> pd.DataFrame:
    """CLV of every customer (retention = 1 − predicted churn probability)
    and the expected CLV lost to churn (at risk = probability × CLV).

    Returns a table indexed by pseudonymised id with ``margin,
    churn_probability, clv, clv_at_risk`` plus ``segment`` / ``region``
    when mapped.
    """
    margin_model = margin_model or MarginModel()
    data = extract.data
    margin = margin_model.margin(data)
    probability = model.scores.reindex(data.index)
    value = clv(margin, 1 - probability, discount_rate)
    table = pd.DataFrame({"margin": margin, "churn_probability": probability, "clv": value, "clv_at_risk": probability * value})
    for role in ("customer_id", "segment", "region", "products"):
        if role in data:
            table[role] = data[role]
    return table.set_index("customer_id") if "customer_id" in table else table


def value_risk_segments(values: pd.DataFrame, risk_threshold: float | None = None) -> pd.DataFrame:
    """Value × risk quadrants: high value = CLV above the median; high risk =
    churn probability above ``risk_threshold`` (default: the top quintile).

    Returns one row per quadrant, most urgent first: customers, share, mean
    CLV, CLV at risk.
    """
    threshold = values["churn_probability"].quantile(0.8) if risk_threshold is None else risk_threshold
    high_value = values["clv"] >= values["clv"].median()
    high_risk = values["churn_probability"] >= threshold
    labels = np.select([high_value & high_risk, high_value & ~high_risk, ~high_value & high_risk],
                       ["high value, high risk", "high value, low risk", "low value, high risk"], "low value, low risk")
    table = values.assign(quadrant=labels).groupby("quadrant").agg(customers=("clv", "size"), mean_clv=("clv", "mean"),
                                                                   total_clv=("clv", "sum"), clv_at_risk=("clv_at_risk", "sum"))
    table["share"] = table["customers"] / len(values)
    order = ["high value, high risk", "high value, low risk", "low value, high risk", "low value, low risk"]
    table = table.reindex([o for o in order if o in table.index])
    table.attrs["risk_threshold"] = float(threshold)
    return table
