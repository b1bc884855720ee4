"""The synthetic sample customer extract of the demo bank: a deterministic
generator of a customer-level file consistent with one institution of the
sample panel (by default the weak city commercial bank CITY-02).

Everything is synthetic and in CNY:

- segments *mass*, *affluent* and *HNW* in the panel's HNW share (affluent:
  :data:`AFFLUENT_SHARE`); deposit balances log-normal per segment (medians
  :data:`BALANCE_MEDIANS`, CNY), a few dormant mass accounts at zero;
- products held (debit card, savings, wealth management, credit card,
  mortgage, …) Poisson around the panel's products per customer;
- tenure in whole years, age, region (East, North, South, Central, West
  China), activity, credit card holding and a credit score;
- churn within the year from a logistic model (single-product, inactive,
  new and young customers leave more often), its intercept solved so that
  the churn rate equals ``1 − retention_mass`` of the institution.

The file uses the column layout of :data:`analysis_lib.customers.extract.DEFAULT_MAPPING`
plus a segment. Its mapping file (``data/sample/customers.mapping.yaml``)
is the mapping :func:`~analysis_lib.customers.mapping.propose_mapping`
finds from its headers, with the tenure unit declared (years). ``crm-diag
sample-data`` rewrites both; a test checks that the committed files are
what this module writes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from analysis_lib.customers.mapping import propose_mapping, write_mapping
from analysis_lib.reference.catalog import data_dir

EXTRACT_SEED = 20260214
EXTRACT_SIZE = 20_000
AFFLUENT_SHARE = 0.06
BALANCE_MEDIANS = {"mass": 4_000.0, "affluent": 150_000.0, "hnw": 3_000_000.0}
"""Median deposit balance per segment (CNY)."""
BALANCE_SIGMA = {"mass": 1.4, "affluent": 0.6, "hnw": 0.5}
DORMANT_SHARE = 0.05
"""Share of mass-market accounts with a zero balance."""
REGIONS = ("East China", "North China", "South China", "Central China", "West China")
MAPPING_NAME = "customers.mapping.yaml"


def _institution(institution_id: str) -> pd.Series:
    panel = pd.read_csv(data_dir() / "sample" / "institutions.csv")
    return panel.set_index("institution_id").loc[institution_id]


def generate_sample_extract(institution_id: str = "CITY-02", n: int = EXTRACT_SIZE, seed: int = EXTRACT_SEED) -> pd.DataFrame:
    """A synthetic customer extract consistent with ``institution_id``.

    Examples
    --------
    >>> extract = generate_sample_extract(n=2000, seed=1)
    >>> round(float(extract["Exited"].mean()), 2), extract["Balance"].min() >= 0
    (0.15, np.True_)
    """
    bank = _institution(institution_id)
    rng = np.random.default_rng(seed)
    hnw_share = float(bank["hnw_customers"] / bank["customers"])
    segment = rng.choice(["mass", "affluent", "hnw"], size=n, p=[1 - hnw_share - AFFLUENT_SHARE, AFFLUENT_SHARE, hnw_share])
    median = pd.Series(segment).map(BALANCE_MEDIANS).to_numpy()
    sigma = pd.Series(segment).map(BALANCE_SIGMA).to_numpy()
    dormant = (segment == "mass") & (rng.random(n) < DORMANT_SHARE)
    balance = np.where(dormant, 0.0, np.round(median * np.exp(sigma * rng.standard_normal(n)), 2))
    extra_products = float(bank["products_per_customer"]) - 1
    products = np.minimum(1 + rng.poisson(extra_products * np.where(segment == "mass", 0.9, 1.8)), 6)
    tenure = np.minimum(rng.geometric(1 / 7, n) - 1, 30)
    age = np.clip(np.round(rng.normal(42, 13, n)), 18, 85).astype(int)
    active = (rng.random(n) < expit(0.3 + 0.4 * (products - 1) + 0.02 * tenure)).astype(int)
    has_card = (rng.random(n) < 0.35 + 0.1 * (segment != "mass")).astype(int)
    credit_score = np.clip(np.round(rng.normal(640, 70, n)), 350, 950).astype(int)
    salary = np.round(np.exp(rng.normal(np.log(90_000), 0.5, n)) * np.where(segment == "mass", 1.0, 2.5), -2)
    risk = 1.5 * (products == 1) + 1.4 * (1 - active) + 0.8 * (tenure < 2) + 0.5 * (age < 30) - 0.6 * (segment != "mass")
    target = 1 - float(bank["retention_mass"])
    intercept = brentq(lambda a: expit(a + risk).mean() - target, -15, 15)
    churned = (rng.random(n) < expit(intercept + risk)).astype(int)
    return pd.DataFrame({
        "CustomerId": np.arange(1, n + 1) + 62_000_000, "Segment": segment, "CreditScore": credit_score,
        "Geography": rng.choice(REGIONS, size=n, p=[0.34, 0.2, 0.2, 0.14, 0.12]), "Gender": rng.choice(["Female", "Male"], size=n),
        "Age": age, "Tenure": tenure, "Balance": balance, "NumOfProducts": products, "HasCrCard": has_card, "IsActiveMember": active,
        "EstimatedSalary": salary, "Exited": churned,
    })


def sample_mapping() -> Path:
    """The mapping file of the sample extract."""
    return data_dir() / "sample" / MAPPING_NAME


def write_sample_extract(path: str | Path | None = None, seed: int = EXTRACT_SEED) -> Path:
    """Write the sample extract (default ``data/sample/customers.csv``) and
    its mapping beside it (:data:`MAPPING_NAME`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_sample_extract(pathlib.Path(tempfile.mkdtemp()) / "customers.csv")
    >>> sorted(p.name for p in out.parent.iterdir())
    ['customers.csv', 'customers.mapping.yaml']
    """
    path = Path(path) if path else data_dir() / "sample" / "customers.csv"
    frame = generate_sample_extract(seed=seed)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    mapping = replace(propose_mapping(frame, path.name), tenure_unit="years", notes=())
    write_mapping(mapping, path.parent / MAPPING_NAME)
    return path
