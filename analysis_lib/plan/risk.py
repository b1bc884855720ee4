"""Risk register: scoring, heat map, expected exposure and contingency sizing
by Monte Carlo, compared with the template's 15–20% rule.

Scales (1–5) and what they mean in money and chance:

- probability 1–5 maps to a chance of occurring during the programme of
  5%, 15%, 35%, 60%, 85% (:data:`PROBABILITY_SCALE`);
- impact 1–5 is the qualitative severity; the money impact is a range
  ``impact_share_low … impact_share_high`` of the programme budget.

Score = probability × impact (1–25): high ≥ 15, medium ≥ 8, low otherwise.
Expected exposure = chance × mid money impact. Contingency: each risk occurs
with its chance and costs a triangular draw on its range (mode at the mid);
the P50 and P80 of the total are the reserves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

PROBABILITY_SCALE = {1: 0.05, 2: 0.15, 3: 0.35, 4: 0.60, 5: 0.85}
RESPONSES = ("avoid", "mitigate", "transfer", "accept")
TEMPLATE_CONTINGENCY = (0.15, 0.20)


def load_risks(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a risk register; errors name the file and row.

    Examples
    --------
    >>> load_risks().loc["T1", "category"]
    'technical'
    """
    path = Path(path) if path else data_dir() / "risks.csv"
    table = pd.read_csv(path, keep_default_na=False)
    return validate_risks(table, path.name)


def validate_risks(table: pd.DataFrame, source: str = "risks") -> pd.DataFrame:
    """Check the scales, money ranges and responses of a register."""
    required = ["risk_id", "category", "probability", "impact", "impact_share_low", "impact_share_high", "response"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputDataError(f"{source}: missing columns {missing}")
    table = table.copy()
    for i, row in enumerate(table.itertuples(index=False), start=2):
        for column in ("probability", "impact"):
            value = getattr(row, column)
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = np.nan
            if number not in (1, 2, 3, 4, 5):
                raise InputDataError(f"{source}, row {i}, column '{column}': {value!r} is outside the scale; expected a whole number 1-5")
        low, high = float(row.impact_share_low), float(row.impact_share_high)
        if not 0 <= low <= high:
            raise InputDataError(f"{source}, row {i}: expected 0 <= impact_share_low <= impact_share_high, got {low} and {high}")
        if row.response not in RESPONSES:
            raise InputDataError(f"{source}, row {i}, column 'response': {row.response!r}; expected one of {', '.join(RESPONSES)}")
    table["probability"] = table["probability"].astype(float).astype(int)
    table["impact"] = table["impact"].astype(float).astype(int)
    return table.set_index("risk_id")


def score_risks(register: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Score, level, chance and expected exposure (CNY) of every risk,
    highest score first.

    Examples
    --------
    >>> r = score_risks(load_risks(), 100e6)
    >>> bool(r.iloc[0]["score"] >= r.iloc[-1]["score"])
    True
    """
    table = register.copy()
    table["score"] = table["probability"] * table["impact"]
    table["level"] = np.select([table["score"] >= 15, table["score"] >= 8], ["high", "medium"], "low")
    table["chance"] = table["probability"].map(PROBABILITY_SCALE)
    table["impact_mid"] = budget * (table["impact_share_low"] + table["impact_share_high"]) / 2
    table["expected_exposure"] = table["chance"] * table["impact_mid"]
    return table.sort_values(["score", "expected_exposure"], ascending=False)


def heat_map(register: pd.DataFrame) -> pd.DataFrame:
    """Count of risks in each cell of the 5×5 matrix (rows: probability 5→1,
    columns: impact 1→5).

    Examples
    --------
    >>> int(heat_map(load_risks()).to_numpy().sum()) == len(load_risks())
    True
    """
    counts = pd.crosstab(register["probability"], register["impact"])
    return counts.reindex(index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5], fill_value=0).rename_axis(index="probability", columns="impact")


@dataclass(frozen=True)
class Contingency:
    """Contingency reserve from the register's Monte Carlo."""

    losses: np.ndarray
    budget: float
    seed: int

    def summary(self) -> dict[str, float]:
        p50, p80 = np.percentile(self.losses, [50, 80])
        return {"expected": float(self.losses.mean()), "p50": float(p50), "p80": float(p80),
                "p50_share": float(p50 / self.budget), "p80_share": float(p80 / self.budget),
                "template_low": TEMPLATE_CONTINGENCY[0] * self.budget, "template_high": TEMPLATE_CONTINGENCY[1] * self.budget}


def contingency(register: pd.DataFrame, budget: float, n: int = 20_000, seed: int = 2026) -> Contingency:
    """Monte Carlo of the register's total loss: P50/P80 reserve.

    Examples
    --------
    >>> c = contingency(load_risks(), 100e6, n=5000, seed=1).summary()
    >>> bool(c["p80"] >= c["p50"])
    True
    """
    if budget <= 0:
        raise InputDataError("contingency sizing needs a positive programme budget")
    rng = np.random.default_rng(seed)
    chance = register["probability"].map(PROBABILITY_SCALE).to_numpy()
    low = budget * register["impact_share_low"].to_numpy(float)
    high = budget * register["impact_share_high"].to_numpy(float)
    mode = (low + high) / 2
    occurs = rng.random((n, len(chance))) < chance
    u = rng.random((n, len(chance)))
    span = np.where(high > low, high - low, 1.0)
    c = (mode - low) / span
    cost = np.where(u < c, low + np.sqrt(u * span * (mode - low)), high - np.sqrt((1 - u) * span * (high - mode)))
    cost = np.where(high > low, cost, low)
    return Contingency((occurs * cost).sum(axis=1), budget, seed)
