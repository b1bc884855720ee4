"""Customer value: an annual margin model chosen by book type (deposits /
AUM, cards, loans; parameters in ``data/customer_margins.csv``) on amounts
the intake has put in CNY; CLV ``margin × r / (1 + d − r)``
(retention-based, margin at the end of each year, Gupta & Lehmann 2003);
the value of the at-risk book is Σ churn probability × CLV; value × risk
segments on the value *before* risk (CLV at the book's average retention),
so that value and risk are separate axes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis_lib.customers.churn_model import ChurnModel
from analysis_lib.customers.extract import CustomerExtract
from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

QUADRANTS = ("high value, high risk", "high value, low risk", "low value, high risk", "low value, low risk")


def load_margin_parameters(path=None) -> pd.DataFrame:
    """The margin parameters by book type (``data/customer_margins.csv``)."""
    return pd.read_csv(path or data_dir() / "customer_margins.csv")


@dataclass(frozen=True)
class MarginModel:
    """Annual margin per customer (CNY) for one book type.

    - deposits: ``balance × spread + products × fee_per_product + base_margin``
    - cards: ``spend × interchange_rate + revolving × (revolving_apr −
      funding_cost − loss_rate) + annual_fee`` (revolving = the mapped
      revolving balance, else ``revolving_share × balance``)
    - loans: ``balance × (spread − loss_rate) + products × fee_per_product``

    Amounts are in CNY (the intake converts the extract's currency).

    Examples
    --------
    >>> m = MarginModel("deposits", {"spread": 0.015, "fee_per_product": 60.0, "base_margin": 20.0})
    >>> float(m.margin(pd.DataFrame({"balance": [10_000.0], "products": [2]})).iloc[0])
    290.0
    """

    book_type: str = "deposits"
    parameters: dict[str, float] = field(default_factory=dict)

    @classmethod
    def for_book(cls, book_type: str) -> MarginModel:
        """The model of a book type with its parameters from ``data/``."""
        table = load_margin_parameters()
        rows = table[table["book_type"] == book_type]
        if rows.empty:
            raise InputDataError(f"no margin parameters for book type {book_type!r}; known: {', '.join(table['book_type'].unique())}")
        return cls(book_type, dict(zip(rows["parameter"], rows["value"].astype(float))))

    def _money(self, data: pd.DataFrame, role: str) -> pd.Series | float:
        if role not in data:
            return 0.0
        return pd.to_numeric(data[role], errors="coerce").fillna(0).clip(lower=0)

    def margin(self, data: pd.DataFrame) -> pd.Series:
        """Annual margin of every customer (CNY)."""
        p = self.parameters
        products = pd.to_numeric(data["products"], errors="coerce").fillna(1) if "products" in data else 1.0
        balance = self._money(data, "balance")
        if self.book_type == "cards":
            revolving = self._money(data, "revolving") if "revolving" in data else balance * p["revolving_share"]
            value = (self._money(data, "spend") * p["interchange_rate"]
                     + revolving * (p["revolving_apr"] - p["funding_cost"] - p["loss_rate"]) + p["annual_fee"])
        elif self.book_type == "loans":
            value = balance * (p["spread"] - p["loss_rate"]) + products * p["fee_per_product"]
        else:
            value = balance * p["spread"] + products * p["fee_per_product"] + p["base_margin"]
        return pd.Series(value, index=data.index, dtype=float) if np.ndim(value) == 0 else value.astype(float)


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
    """Value of every customer.

    Returns a table indexed by pseudonymised id with ``margin`` (CNY a
    year, from the book's margin model), ``value_before_risk`` (CLV at the
    book's average retention), ``churn_probability``, ``clv`` (CLV at the
    customer's own retention, 1 − probability) and ``clv_at_risk``
    (probability × CLV), plus ``segment`` / ``region`` / ``products`` when
    mapped.
    """
    margin_model = margin_model or MarginModel.for_book(extract.book_type)
    data = extract.data
    margin = margin_model.margin(data)
    probability = model.scores.reindex(data.index)
    average_retention = 1 - float(probability.mean())
    value = clv(margin, 1 - probability, discount_rate)
    table = pd.DataFrame({"margin": margin, "value_before_risk": clv(margin, average_retention, discount_rate),
                          "churn_probability": probability, "clv": value, "clv_at_risk": probability * value})
    for role in ("customer_id", "segment", "region", "products"):
        if role in data:
            table[role] = data[role]
    return table.set_index("customer_id") if "customer_id" in table else table


def value_risk_segments(values: pd.DataFrame, risk_threshold: float | None = None) -> pd.DataFrame:
    """Value × risk quadrants: high value = the upper half of customers by
    value before risk (ties broken by order, so the halves are equal); high
    risk = churn probability at or above ``risk_threshold`` (default: the
    top quintile). Value does not use the churn probability, so a book
    whose valuable customers are also risky shows it.

    Returns one row per quadrant (all four, most urgent first): customers,
    share, mean and total CLV, CLV at risk.

    Examples
    --------
    >>> v = pd.DataFrame({"value_before_risk": [1.0, 2, 3, 4], "churn_probability": [0.9, 0.1, 0.1, 0.8],
    ...                   "clv": [1.0, 2, 3, 4], "clv_at_risk": [0.9, 0.2, 0.3, 3.2]})
    >>> value_risk_segments(v, risk_threshold=0.5)["customers"].tolist()
    [1, 1, 1, 1]
    """
    basis = values["value_before_risk"] if "value_before_risk" in values else values["clv"]
    threshold = values["churn_probability"].quantile(0.8) if risk_threshold is None else risk_threshold
    high_value = (basis.rank(method="first") > len(values) / 2).to_numpy()
    high_risk = (values["churn_probability"] >= threshold).to_numpy()
    labels = np.select([high_value & high_risk, high_value & ~high_risk, ~high_value & high_risk], list(QUADRANTS[:3]), QUADRANTS[3])
    table = values.assign(quadrant=labels).groupby("quadrant").agg(customers=("clv", "size"), mean_clv=("clv", "mean"),
                                                                   total_clv=("clv", "sum"), clv_at_risk=("clv_at_risk", "sum"))
    table = table.reindex(list(QUADRANTS)).fillna({"customers": 0, "total_clv": 0.0, "clv_at_risk": 0.0})
    table["customers"] = table["customers"].astype(int)
    table["share"] = table["customers"] / len(values)
    table.index.name = "quadrant"
    table.attrs["risk_threshold"] = float(threshold)
    return table
