"""Data-quality scoring of a client's panel (completeness, consistency,
accuracy), from the same rules the intake applies.

- *Completeness*: share of catalog metrics reported.
- *Consistency*: share of applicable named cross-field rules satisfied
  (:data:`CONSISTENCY_RULES`: the cost-to-income ratio is at least the
  CRM-cost ratio, the relationship managers implied by customers per RM do
  not outnumber the employees, CRM cost agrees with TCO per customer ×
  customers within 15%, acquisition spend does not exceed CRM cost, lifetime
  value is 1–20 times the acquisition cost, …); an
  institution that breaks one cannot score 100, and
  :func:`consistency_breaks` lists the values that break each rule.
- *Accuracy*: share of reported metrics inside the plausible band of the peer
  group's baseline, ``[p10 - 1.5 (p90 - p10), p90 + 1.5 (p90 - p10)]``.

The overall score is the mean of the three, 0–100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from types import CodeType

import numpy as np
import pandas as pd

from analysis_lib.reference.catalog import MetricCatalog, load_catalog

PLAUSIBLE_WIDTH = 1.5


@dataclass(frozen=True)
class ConsistencyRule:
    """A named cross-field rule over two expressions of panel columns:
    ``left >= right`` (``kind = "ge"``), ``left <= right × (1 + tolerance)``
    (``"le"``) or ``|left / right − 1| <= tolerance`` (``"approx"``). It
    applies when both sides can be computed."""

    left: str
    right: str
    explanation: str
    name: str = ""
    kind: str = "ge"
    tolerance: float = 0.0
    column: str = ""
    """The column a validation message points at (default: the first column of ``left``)."""

    @property
    def rule_id(self) -> str:
        return self.name or f"{self.left}_ge_{self.right}"

    def holds(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """1.0 where the rule holds, 0.0 where it breaks, NaN where it does
        not apply (either side missing).

        Examples
        --------
        >>> rule = ConsistencyRule("a", "b", "a is at least b")
        >>> rule.holds(np.array([2.0, 1.0, np.nan]), np.array([1.0, 2.0, 1.0])).tolist()
        [1.0, 0.0, nan]
        """
        left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "ge":
                ok = left >= right
            elif self.kind == "le":
                ok = left <= right * (1 + self.tolerance)
            else:
                ok = np.abs(left / right - 1) <= self.tolerance
        return np.where(np.isnan(left) | np.isnan(right), np.nan, ok.astype(float))

    def expected(self) -> str:
        words = {"ge": f"{self.left} >= {self.right}", "le": f"{self.left} <= {self.right}" + (
            f" x {1 + self.tolerance:g}" if self.tolerance else ""), "approx": f"{self.left} within {self.tolerance:.0%} of {self.right}"}
        return f"{words[self.kind]} ({self.explanation})"


BLENDED_ACQUISITION_COST = "acq_cost_hnw * hnw_customers / customers + acq_cost_mass * (1 - hnw_customers / customers)"
"""Acquisition cost per customer, HNW and mass weighted by the book's HNW share."""
CLV_TO_CAC_MAX = 20.0
"""Highest credible lifetime value over acquisition cost (CLV/CAC): 3–10× is
the usual range for retail banking; beyond 20× the acquisition cost is
missing most of what winning a customer costs."""

CONSISTENCY_RULES: tuple[ConsistencyRule, ...] = (
    ConsistencyRule("cost_to_income", "crm_opex_ratio", "CRM operating cost is part of all operating cost"),
    ConsistencyRule("acq_cost_hnw", "acq_cost_mass", "a high-net-worth customer costs at least as much to acquire as a mass-market one"),
    ConsistencyRule("customers", "employees", "an institution serves at least as many customers as it has employees"),
    ConsistencyRule("customers", "customers_per_rm", "customers per relationship manager cannot exceed all customers"),
    ConsistencyRule("customers", "hnw_customers", "high-net-worth customers are part of all customers"),
    ConsistencyRule("customer_records", "customers", "every customer has at least one master record"),
    ConsistencyRule("customers / customers_per_rm", "employees", "the relationship managers implied by customers per RM are staff: "
                    "they cannot outnumber all employees", name="implied_rms_within_employees", kind="le",
                    column="customers_per_rm"),
    ConsistencyRule("crm_opex_ratio * revenue", "tco_per_customer * customers", "CRM cost and TCO per customer x customers measure "
                    "the same money; definitions (shared IT, allocations) differ by at most about 15%", name="crm_cost_matches_tco",
                    kind="approx", tolerance=0.15, column="tco_per_customer"),
    ConsistencyRule("acq_cost_hnw * new_customers * hnw_customers / customers + acq_cost_mass * new_customers * (1 - hnw_customers / "
                    "customers)", "crm_opex_ratio * revenue", "acquisition spend (cost per acquired customer x customers acquired) is "
                    "marketing and sales cost run on the CRM: more than the whole CRM cost means one of the two is wrong",
                    name="acquisition_spend_within_crm_cost", kind="le", tolerance=0.0, column="new_customers"),
    ConsistencyRule("clv_per_customer", BLENDED_ACQUISITION_COST, "a customer is worth at least what it costs to acquire: a lifetime "
                    "value below the acquisition cost means one of the two is wrong (or the bank loses money on every new customer)",
                    name="clv_covers_acquisition_cost", kind="ge", column="acq_cost_mass"),
    ConsistencyRule("clv_per_customer", f"{CLV_TO_CAC_MAX:g} * ({BLENDED_ACQUISITION_COST})", "lifetime value more than "
                    f"{CLV_TO_CAC_MAX:g} times the acquisition cost is not credible: the acquisition cost probably leaves out "
                    "relationship-manager time, channel fees or incentives", name="clv_within_20x_acquisition_cost", kind="le",
                    column="acq_cost_mass"),
)
"""Named cross-field rules; the data-quality *consistency* score is the
share of applicable rules an institution satisfies, so an institution that
breaks one cannot score 100."""


@cache
def _compiled(expression: str) -> CodeType:
    """A rule's side compiled once (the rules are this module's constants,
    arithmetic over column names)."""
    return compile(expression, "<consistency rule>", "eval")


def _side(frame: pd.DataFrame, expression: str) -> np.ndarray:
    """A rule's side for every row of ``frame`` (NaN where a value is
    missing or a division has no finite result)."""
    code = _compiled(expression)
    if not set(code.co_names) <= set(frame.columns):
        return np.full(len(frame), np.nan)
    columns = {name: frame[name].astype(float).to_numpy() for name in code.co_names}
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.asarray(eval(code, {"__builtins__": {}}, columns), dtype=float)  # a rule of CONSISTENCY_RULES, not input
    return np.where(np.isfinite(value), value, np.nan)


def consistency_checks(frame: pd.DataFrame) -> pd.DataFrame:
    """Every applicable rule for every row, with the values on both sides.

    Returns
    -------
    pandas.DataFrame
        One row per (row, applicable rule): ``index`` (of the frame),
        ``institution_id``, ``rule``, ``left``, ``right``, ``holds``,
        ``expected``.

    Examples
    --------
    >>> df = pd.DataFrame({"institution_id": ["A"], "customers": [2.5e7], "customers_per_rm": [289.0], "employees": [29627.0]})
    >>> c = consistency_checks(df).set_index("rule")
    >>> round(float(c.at["implied_rms_within_employees", "left"])), bool(c.at["implied_rms_within_employees", "holds"])
    (86505, False)
    """
    ids = frame["institution_id"] if "institution_id" in frame.columns else pd.Series(frame.index, index=frame.index)
    parts = []
    for rule in CONSISTENCY_RULES:
        left, right = _side(frame, rule.left), _side(frame, rule.right)
        holds = rule.holds(left, right)
        applies = ~np.isnan(holds)
        if applies.any():
            parts.append(pd.DataFrame({"index": frame.index[applies], "institution_id": ids.to_numpy()[applies], "rule": rule.rule_id,
                                       "left": left[applies], "right": right[applies], "holds": holds[applies].astype(bool),
                                       "expected": rule.expected()}))
    columns = ["index", "institution_id", "rule", "left", "right", "holds", "expected"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def consistency_breaks(frame: pd.DataFrame) -> pd.DataFrame:
    """The broken rules only, per institution, with the values that break them.

    Examples
    --------
    >>> df = pd.DataFrame({"institution_id": ["A"], "cost_to_income": [0.01], "crm_opex_ratio": [0.02]})
    >>> consistency_breaks(df)[["institution_id", "rule"]].values.tolist()
    [['A', 'cost_to_income_ge_crm_opex_ratio']]
    """
    checks = consistency_checks(frame)
    return checks[~checks["holds"].astype(bool)].drop(columns="holds").reset_index(drop=True)


def consistency_problems(frame: pd.DataFrame, catalog: MetricCatalog | None = None) -> list[dict]:
    """Violations of the consistency rules of a panel frame, for the
    intake's warnings: the field-pair rules (``left >= right``) and the named
    economic rules (implied RMs, CRM cost against TCO, acquisition spend),
    each with the values that break it.

    Returns
    -------
    list of dict
        One dict per violation with ``row`` (the frame's ``_row`` when
        present, else its position + 2), ``column``, ``message``,
        ``expected``.

    Examples
    --------
    >>> df = pd.DataFrame({"cost_to_income": [0.01], "crm_opex_ratio": [0.02]})
    >>> consistency_problems(df)[0]["column"]
    'cost_to_income'
    """
    rows = frame["_row"] if "_row" in frame.columns else pd.Series(np.arange(len(frame)) + 2, index=frame.index)
    rules = {rule.rule_id: rule for rule in CONSISTENCY_RULES}
    found = []
    for check in consistency_breaks(frame).itertuples(index=False):
        rule = rules[check.rule]
        column = rule.column or re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rule.left)[0]
        relation = {"ge": "is below", "le": "is above", "approx": "differs by more than " + f"{rule.tolerance:.0%} from"}[rule.kind]
        left = rule.left if rule.kind == "ge" else f"{rule.name}: {rule.left}"
        found.append({"row": int(rows[check.index]), "column": column,
                      "message": f"{left} = {check.left:g} {relation} {rule.right} = {check.right:g}", "expected": check.expected})
    return found


def _consistency_share(frame: pd.DataFrame) -> pd.Series:
    checks = consistency_checks(frame)
    if checks.empty:
        return pd.Series(1.0, index=frame.index)
    grouped = checks.groupby("index")["holds"]
    share = grouped.mean().reindex(frame.index)
    return share.fillna(1.0)


def _plausible_share(frame: pd.DataFrame, catalog: MetricCatalog) -> pd.Series:
    from analysis_lib.reference.baselines import FALLBACK_GROUP, load_baselines

    baselines = load_baselines()
    values = frame[catalog.ids].astype(float)
    low = pd.DataFrame(np.nan, index=frame.index, columns=catalog.ids)
    high = low.copy()
    for group in frame["peer_group"].dropna().unique():
        rows = frame["peer_group"] == group
        source = group if group in baselines.index.get_level_values(0) else FALLBACK_GROUP
        table = baselines.loc[source].reindex(catalog.ids)
        width = PLAUSIBLE_WIDTH * (table["p90"] - table["p10"])
        low.loc[rows] = (table["p10"] - width).to_numpy()
        high.loc[rows] = (table["p90"] + width).to_numpy()
    reported = values.notna()
    plausible = reported & (values >= low) & (values <= high)
    count = reported.sum(axis=1)
    return (plausible.sum(axis=1) / count).where(count > 0, np.nan)


def quality_scores(frame: pd.DataFrame, catalog: MetricCatalog | None = None) -> pd.DataFrame:
    """Data-quality score per institution, 0–100.

    Parameters
    ----------
    frame : pandas.DataFrame
        A panel frame (``Panel.data``) with ``institution_id``,
        ``peer_group`` and metric columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``institution_id`` (plus ``period`` when present) with
        ``completeness, consistency, accuracy, overall`` in percent.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> q = quality_scores(load_panel(data_dir() / "sample" / "institutions.csv").data)
    >>> bool((q["overall"] <= 100).all())
    True
    """
    catalog = catalog or load_catalog()
    frame = frame.reindex(columns=list(dict.fromkeys([*frame.columns, *catalog.ids])))
    scores = pd.DataFrame({
        "completeness": frame[catalog.ids].notna().mean(axis=1),
        "consistency": _consistency_share(frame),
        "accuracy": _plausible_share(frame, catalog),
    })
    scores["overall"] = scores.mean(axis=1)
    scores = (scores * 100).round(1)
    keys = ["institution_id"] + (["period"] if "period" in frame.columns else [])
    scores.index = pd.MultiIndex.from_frame(frame[keys]) if len(keys) > 1 else pd.Index(frame["institution_id"], name="institution_id")
    return scores


def quality_summary(scores: pd.DataFrame) -> pd.Series:
    """Panel-wide averages of :func:`quality_scores`.

    Examples
    --------
    >>> s = quality_summary(pd.DataFrame({"completeness": [100, 50], "consistency": [100, 100],
    ...                                   "accuracy": [100, 100], "overall": [100, 83.3]}))
    >>> float(s["completeness"])
    75.0
    """
    return scores.mean().round(1)
