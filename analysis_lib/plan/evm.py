"""Earned value management: progress monitoring of the programme.

From cumulative planned value (PV), earned value (EV) and actual cost (AC)
per period and the budget at completion (BAC):

- SV = EV − PV, CV = EV − AC, SPI = EV / PV, CPI = EV / AC
- EAC (three standard variants): ``eac_cpi = BAC / CPI`` (current cost
  performance continues), ``eac_atypical = AC + (BAC − EV)`` (the variance so
  far was one-off), ``eac_cpi_spi = AC + (BAC − EV) / (CPI × SPI)``
  (schedule pressure also drives cost)
- ETC = EAC − AC, VAC = BAC − EAC (on ``eac_cpi``)
- TCPI = (BAC − EV) / (BAC − AC): the cost performance needed from now on.

A period is flagged when SPI or CPI deviates from 1 by more than the
threshold (the template controls deviation to within 8%).

References
----------
PMI, *A Guide to the Project Management Body of Knowledge*, 7th ed.,
"Earned value analysis".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError

DEVIATION_THRESHOLD = 0.08


def earned_value(progress: pd.DataFrame, bac: float, threshold: float = DEVIATION_THRESHOLD) -> pd.DataFrame:
    """EVM indicators per period.

    Parameters
    ----------
    progress : pandas.DataFrame
        Columns ``period, planned_value, earned_value, actual_cost``
        (cumulative, CNY).
    bac : float
        Budget at completion.
    threshold : float
        Deviation of SPI or CPI from 1 that raises a flag.

    Returns
    -------
    pandas.DataFrame
        The input plus ``sv, cv, spi, cpi, eac_cpi, eac_atypical,
        eac_cpi_spi, etc, vac, tcpi, flag`` (S-curve ready).

    Examples
    --------
    >>> p = pd.DataFrame({"period": [1], "planned_value": [50000.0], "earned_value": [45000.0], "actual_cost": [48000.0]})
    >>> r = earned_value(p, 100000.0).iloc[0]
    >>> float(r["spi"]), float(r["cpi"]), round(float(r["eac_cpi"]), 2)
    (0.9, 0.9375, 106666.67)
    """
    needed = ["period", "planned_value", "earned_value", "actual_cost"]
    missing = [c for c in needed if c not in progress.columns]
    if missing:
        raise InputDataError(f"progress table: missing columns {missing}")
    if not np.isfinite(bac) or bac <= 0:
        raise InputDataError(f"budget at completion must be positive, got {bac}")
    table = progress[needed].copy()
    values = table[["planned_value", "earned_value", "actual_cost"]].astype(float)
    if (values < 0).any().any() or values.isna().any().any():
        row = int(np.flatnonzero((values < 0).any(axis=1) | values.isna().any(axis=1))[0])
        raise InputDataError(f"progress table, row {row + 2}: planned value, earned value and actual cost must be non-negative numbers")
    pv, ev, ac = (values[c] for c in ("planned_value", "earned_value", "actual_cost"))
    with np.errstate(divide="ignore", invalid="ignore"):
        table["sv"] = ev - pv
        table["cv"] = ev - ac
        table["spi"] = ev / pv.where(pv > 0)
        table["cpi"] = ev / ac.where(ac > 0)
        table["eac_cpi"] = bac / table["cpi"]
        table["eac_atypical"] = ac + (bac - ev)
        table["eac_cpi_spi"] = ac + (bac - ev) / (table["cpi"] * table["spi"])
        table["etc"] = table["eac_cpi"] - ac
        table["vac"] = bac - table["eac_cpi"]
        table["tcpi"] = (bac - ev) / (bac - ac).where(bac - ac > 0)
    deviation = np.maximum((table["spi"] - 1).abs().fillna(0), (table["cpi"] - 1).abs().fillna(0))
    table["flag"] = deviation > threshold
    return table
