"""Size-adjusted expectations: what a KPI *should* be given the institution's
size and peer group, from a regression over the panel.

Model: ``metric = b0 + b1 log(size) + peer-group effects + e`` (a constant,
log size and one indicator per peer group but the first), fitted with
statsmodels by OLS or by quantile regression (median by default, robust to
outliers); parameters are named ``const``, ``log_size`` and
``peer_group[T.<group>]``. For each institution the expected value, the residual and the
residual's performance percentile (direction-aware: 100 = best relative to
expectation) — "given your size and type, your opex ratio should be X".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import MetricCatalog, load_catalog

MIN_OBSERVATIONS = 12


@dataclass(frozen=True)
class Expectation:
    """Result of :func:`size_adjusted` for one metric."""

    metric_id: str
    method: str
    table: pd.DataFrame
    params: pd.Series
    r_squared: float
    n: int

    def to_frame(self) -> pd.DataFrame:
        return self.table


def size_adjusted(frame: pd.DataFrame, metric_id: str, method: str = "ols", size: str = "total_assets", quantile: float = 0.5,
                  catalog: MetricCatalog | None = None) -> Expectation:
    """Regress one metric on log size and peer group over the panel.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per institution (``Panel.latest().data``).
    metric_id : str
        Catalog metric.
    method : {"ols", "quantile"}
    size : str
        Size column (positive), logged.
    quantile : float
        Quantile for ``method="quantile"``.

    Returns
    -------
    Expectation
        ``table`` indexed by ``institution_id`` with ``value, expected,
        residual, residual_pct`` (relative to expected) and
        ``residual_percentile`` (0–100, 100 = best given the direction).

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv").latest().data
    >>> e = size_adjusted(panel, "cost_to_income")
    >>> bool(e.table.loc["CITY-02", "residual"] > 0)
    True
    """
    import statsmodels.api as sm

    catalog = catalog or load_catalog()
    if metric_id not in catalog:
        raise InputDataError(f"unknown metric {metric_id!r}")
    if method not in ("ols", "quantile"):
        raise InputDataError(f"method must be 'ols' or 'quantile', got {method!r}")
    if size not in frame.columns:
        raise InputDataError(f"size column {size!r} is not in the panel")
    data = frame.reindex(columns=["institution_id", "peer_group", size, metric_id]).dropna()
    data = data[data[size] > 0].rename(columns={metric_id: "metric", size: "size"}).set_index("institution_id")
    if len(data) < MIN_OBSERVATIONS:
        raise InputDataError(f"size-adjusted {metric_id}: {len(data)} institutions report it; at least {MIN_OBSERVATIONS} are needed")
    design = _design(data)
    if method == "ols":
        fitted = sm.OLS(data["metric"].astype(float), design).fit()
        r_squared = float(fitted.rsquared)
    else:
        fitted = sm.QuantReg(data["metric"].astype(float), design).fit(q=quantile, max_iter=5000)
        r_squared = float(fitted.prsquared)
    expected = fitted.predict(design)
    residual = data["metric"] - expected
    sign = -1.0 if catalog.table.at[metric_id, "direction"] == "lower_better" else 1.0
    performance = (sign * residual).rank(method="average")
    table = pd.DataFrame({
        "peer_group": data["peer_group"],
        "value": data["metric"],
        "expected": expected,
        "residual": residual,
        "residual_pct": residual / expected.abs().replace(0, np.nan),
        "residual_percentile": 100 * (performance - 0.5) / len(data),
    })
    return Expectation(metric_id, method, table, fitted.params, r_squared, len(data))


def _design(data: pd.DataFrame) -> pd.DataFrame:
    """Regressors: a constant, log size and one indicator per peer group
    but the first (alphabetically), named ``peer_group[T.<group>]``."""
    groups = sorted(data["peer_group"].astype(str).unique())
    columns = {"const": np.ones(len(data)), "log_size": np.log(data["size"].astype(float))}
    for group in groups[1:]:
        columns[f"peer_group[T.{group}]"] = (data["peer_group"] == group).astype(float)
    return pd.DataFrame(columns, index=data.index)


def size_adjusted_fits(frame: pd.DataFrame, metric_ids: list[str], method: str = "ols") -> dict[str, Expectation | str]:
    """:func:`size_adjusted` for several metrics: the fit of each, or the
    reason it cannot be fitted (too few observations). Fits depend on the
    panel alone: every institution of a panel can share them.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv").latest().data
    >>> fits = size_adjusted_fits(panel, ["cost_to_income", "nps"])
    >>> sorted(fits), fits["nps"].method
    (['cost_to_income', 'nps'], 'ols')
    """
    fits: dict[str, Expectation | str] = {}
    for metric_id in metric_ids:
        try:
            fits[metric_id] = size_adjusted(frame, metric_id, method)
        except InputDataError as exc:
            fits[metric_id] = str(exc)
    return fits


def expectations_for(frame: pd.DataFrame, institution_id: str, metric_ids: list[str], method: str = "ols",
                     fits: dict[str, Expectation | str] | None = None) -> pd.DataFrame:
    """Size-adjusted expectations of several metrics for one institution
    (metrics with too few observations are skipped, with the reason).

    ``fits`` are the panel's :func:`size_adjusted_fits` of ``metric_ids``
    when already at hand (computed here otherwise).

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions.csv").latest().data
    >>> expectations_for(panel, "CITY-02", ["cost_to_income", "nps"])["metric_id"].tolist()
    ['cost_to_income', 'nps']
    """
    fits = fits if fits is not None else size_adjusted_fits(frame, metric_ids, method)
    rows = []
    for metric_id in metric_ids:
        result = fits[metric_id]
        if isinstance(result, str):
            rows.append({"metric_id": metric_id, "note": result})
            continue
        if institution_id not in result.table.index:
            rows.append({"metric_id": metric_id, "note": "not reported by the institution"})
            continue
        row = result.table.loc[institution_id]
        rows.append({"metric_id": metric_id, "value": row["value"], "expected": row["expected"], "residual": row["residual"],
                     "residual_pct": row["residual_pct"], "residual_percentile": row["residual_percentile"],
                     "r_squared": result.r_squared, "n": result.n, "note": ""})
    return pd.DataFrame(rows)
