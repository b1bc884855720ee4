"""Build or buy: the programme's cost under each sourcing option.

Each option of the vendor matrix (``data/vendor_options.csv``) carries a
factor per TEI cost line (``data/sourcing_factors.csv``, with its
rationale): an incumbent upgrade pays upgrade fees instead of licences, a
cloud platform moves software from one-off to subscription (running) cost,
an in-house build replaces licences and integrator fees with the bank's own
labour. The option's cost lines are the programme's lines × the factors;
its total cost of ownership over the business case's horizon is

``TCO = Σ one-off lines + running cost a year × run years``

and its present value discounts the running years at the business case's
rate (one-off cost in year 0, running cost from year 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

COST_LINES = ("licences", "implementation_partner", "infrastructure", "training_change", "internal_labour", "running_cost")


def load_sourcing_factors() -> pd.DataFrame:
    """Cost-line factors per sourcing option, indexed by option.

    Examples
    --------
    >>> float(load_sourcing_factors().loc["In-house build on a customer data platform", "internal_labour"])
    2.5
    """
    table = pd.read_csv(data_dir() / "sourcing_factors.csv").set_index("option")
    missing = [c for c in COST_LINES if c not in table.columns]
    if missing:
        raise InputDataError(f"data/sourcing_factors.csv: missing the cost-line columns {missing}")
    if (table[list(COST_LINES)] < 0).any().any():
        raise InputDataError("data/sourcing_factors.csv: factors must not be negative")
    return table


def sourcing_tco(costs: pd.DataFrame, run_years: float, discount_rate: float, factors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cost of the programme under each sourcing option.

    Parameters
    ----------
    costs : pandas.DataFrame
        The programme's cost lines (:func:`analysis_lib.roi.programme.cost_lines`:
        ``line, amount``; ``running_cost`` is the total over the run years).
    run_years : float
        Years of running cost within the horizon.
    discount_rate : float
        Of the business case.
    factors : pandas.DataFrame, optional
        :func:`load_sourcing_factors` by default.

    Returns
    -------
    pandas.DataFrame
        Indexed by option: ``one_off``, ``running_a_year``, ``tco`` and
        ``tco_pv`` (CNY), cheapest present value first.

    Examples
    --------
    >>> lines = pd.DataFrame({"line": ["licences", "implementation_partner", "running_cost"], "amount": [30.0, 40.0, 40.0]})
    >>> f = pd.DataFrame({c: [1.0, 1.0] for c in COST_LINES}, index=["A", "B"]).assign(running_cost=[1.0, 2.0])
    >>> sourcing_tco(lines, 4, 0.0, f)[["one_off", "running_a_year", "tco"]].to_dict("index")["B"]
    {'one_off': 70.0, 'running_a_year': 20.0, 'tco': 150.0}
    """
    factors = load_sourcing_factors() if factors is None else factors
    amounts = costs.set_index("line")["amount"].reindex(list(COST_LINES)).fillna(0.0).astype(float)
    one_off_lines = [c for c in COST_LINES if c != "running_cost"]
    one_off = factors[one_off_lines].to_numpy(float) @ amounts[one_off_lines].to_numpy()
    running = factors["running_cost"].to_numpy(float) * (amounts["running_cost"] / run_years if run_years > 0 else 0.0)
    whole = int(np.floor(run_years))
    years = np.arange(1, whole + 1, dtype=float)
    annuity = float(((1 + discount_rate) ** -years).sum() + (run_years - whole) * (1 + discount_rate) ** -(whole + 1))
    table = pd.DataFrame({"one_off": one_off, "running_a_year": running, "tco": one_off + running * run_years,
                          "tco_pv": one_off + running * annuity}, index=factors.index)
    return table.sort_values("tco_pv", kind="stable")
