"""Retention analytics on a customer extract: churn rates with Wilson
confidence intervals, overall or by segment, and Kaplan–Meier retention by
tenure (statsmodels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.customers.extract import CustomerExtract
from analysis_lib.errors import InputDataError


def churn_rates(extract: CustomerExtract, by: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Churn rate with a Wilson confidence interval, overall or by a role.

    Examples
    --------
    >>> from analysis_lib.customers.extract import load_customer_extract
    >>> from analysis_lib.reference.catalog import data_dir
    >>> e = load_customer_extract(data_dir() / "sample" / "customers.csv")
    >>> round(float(churn_rates(e)["churn_rate"].iloc[0]), 4)
    0.1497
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
    """Tenure bands in years (tenure is in years after intake, whatever the
    extract's unit): up to 1, over 1 to 3, over 3 to 6, over 6."""
    return pd.cut(tenure, [-np.inf, 1, 3, 6, np.inf], labels=["0-1", "2-3", "4-6", "7+"])


def kaplan_meier(extract: CustomerExtract) -> pd.DataFrame:
    """Kaplan–Meier retention by tenure (statsmodels ``SurvfuncRight``):
    churned customers are events at their tenure (or at the duration from
    their open to their close date), the others censored at their tenure
    (or at the observation date).

    Returns ``time, at_risk, events, retention, ci_low, ci_high``.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    data = extract.data
    if "tenure" not in data:
        raise InputDataError("Kaplan-Meier retention needs the role 'tenure'")
    known = data["tenure"].notna().to_numpy()
    fit = SurvfuncRight(data["tenure"].to_numpy(float)[known], data["churned"].to_numpy(int)[known])
    table = pd.DataFrame({"time": fit.surv_times, "at_risk": fit.n_risk, "events": fit.n_events, "retention": fit.surv_prob,
                          "std_error": fit.surv_prob_se})
    table["ci_low"] = (table["retention"] - 1.96 * table["std_error"]).clip(0, 1)
    table["ci_high"] = (table["retention"] + 1.96 * table["std_error"]).clip(0, 1)
    return table


