"""Customer value: CLV ``margin × r / (1 + d − r)`` (retention-based, margin
at the end of each year, Gupta & Lehmann 2003) with an explicit margin model;
the value of the at-risk book is Σ churn probability × CLV; value × risk
segments with their sizes and CLV.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_lib.customers.churn_model import ChurnModel
from analysis_lib.customers.extract import CustomerExtract
from analysis_lib.errors import InputDataError


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
