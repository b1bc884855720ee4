"""What-if questions on a business case: change one driver over a few
values and read NPV, IRR and payback, everything else held at the base
case. The interactive companion of the tornado (``sensitivity``), for a
consultant exploring one client in a notebook.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.roi.business_case import BusinessCaseInputs, evaluate


def what_if(inputs: BusinessCaseInputs, driver: str, values: Iterable[float]) -> pd.DataFrame:
    """NPV, IRR and payback of the business case with one driver changed.

    Parameters
    ----------
    inputs : BusinessCaseInputs
        The base case.
    driver : str
        A numeric field of :class:`BusinessCaseInputs` (e.g.
        ``benefit_realisation``, ``total_budget``, ``discount_rate``).
    values : iterable of float
        Values to try.

    Returns
    -------
    pandas.DataFrame
        ``<driver>, npv, irr, payback_years``, one row per value; the base
        value is marked in ``is_base``.

    Examples
    --------
    >>> base = BusinessCaseInputs(annual_benefit=70e6, total_budget=120e6)
    >>> table = what_if(base, "benefit_realisation", [0.5, 0.8])
    >>> bool(table["npv"].is_monotonic_increasing), table["is_base"].tolist()
    (True, [False, True])
    """
    fields = {f.name: f for f in dataclasses.fields(BusinessCaseInputs)}
    if driver not in fields or not isinstance(getattr(inputs, driver), (int, float)):
        numeric = sorted(name for name in fields if isinstance(getattr(inputs, name), (int, float)))
        raise InputDataError(f"{driver!r} is not a numeric business-case driver; choose one of {', '.join(numeric)}")
    rows = []
    for value in values:
        result = evaluate(dataclasses.replace(inputs, **{driver: type(getattr(inputs, driver))(value)}))
        rows.append({driver: value, "npv": result.npv, "irr": result.irr, "payback_years": result.payback_years,
                     "is_base": bool(value == getattr(inputs, driver))})
    return pd.DataFrame(rows)
