"""Malmquist productivity index: how each institution's productivity changed
between two periods, and whether it moved towards the frontier (catching up)
or the frontier itself moved (technical change).

Färe, Grosskopf, Norris & Zhang (1994), with Farrell distances (θ ≤ 1 for a
unit inside its own period's technology; output orientation uses 1/φ). For
unit *o* between periods *t* and *t+1*, with :math:`D_a(b)` the distance of
the unit's period-*b* data to the period-*a* technology:

.. math::

    EC = \\frac{D_{t+1}(t+1)}{D_t(t)}, \\qquad
    TC = \\sqrt{\\frac{D_t(t+1)}{D_{t+1}(t+1)} \\cdot \\frac{D_t(t)}{D_{t+1}(t)}}, \\qquad
    M = EC \\cdot TC

**Sign convention: M > 1 is productivity growth** (also EC > 1 catching up,
TC > 1 frontier progress), in both orientations. M, EC and TC use the CRS
technology and do not depend on the orientation; the VRS split of EC into
pure efficiency change PEC (contemporaneous VRS distances) and scale
efficiency change SEC = EC / PEC does.

Periods are compared pairwise: adjacent periods by default, or each later
period against a fixed base. The technology of a period is the set of units
observed in it, so unbalanced panels work: a unit missing in either period of
a pair is skipped for that pair, with a note. A cross-period distance may
exceed 1, and a cross-period VRS problem can be infeasible; FGNZ needs VRS
only within a period, so only CRS cross-period LPs are solved (an infeasible
one gives NaN and a note).

Every column is divided by its mean over the two periods before solving
(radial distances do not depend on units, the LP solver does). The LPs of one
technology are solved as one HiGHS model kept alive: only the evaluated unit's
coefficients and right-hand sides change between solves, each solve starting
from the previous basis.

References
----------
Färe, R., Grosskopf, S., Norris, M. & Zhang, Z. (1994). Productivity growth,
technical progress, and efficiency change in industrialized countries.
*American Economic Review* 84(1), 66–83. Coelli, Rao, O'Donnell & Battese
(2005), *An Introduction to Efficiency and Productivity Analysis*, ch. 11.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError

ORIENTATIONS = ("input", "output")
BASES = ("adjacent", "fixed")
INDEX_COLUMNS = ("malmquist", "efficiency_change", "technical_change", "pure_efficiency_change", "scale_efficiency_change")


@dataclass(frozen=True)
class MalmquistResult:
    """Result of :func:`malmquist`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per unit and period pair (index ``unit, period_from,
        period_to``) with :data:`INDEX_COLUMNS`.
    distances : pandas.DataFrame
        Every distance used: ``unit, data_period, technology_period, rts,
        distance`` (Farrell, 1/φ for output orientation).
    orientation, base : str
        As requested.
    notes : tuple of str
        Units skipped for a pair, infeasible problems.
    """

    table: pd.DataFrame
    distances: pd.DataFrame
    orientation: str
    base: str
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """The index table with ``unit, period_from, period_to`` as columns."""
        return self.table.reset_index()

    def summary(self) -> pd.DataFrame:
        """Geometric means over units for each period pair (as DEAP prints
        them), skipping units with a missing value."""
        logs = np.log(self.table[list(INDEX_COLUMNS)].astype(float))
        return np.exp(logs.groupby(level=["period_from", "period_to"], sort=False).mean())


@functools.cache
def _solver():
    """The process's HiGHS instance, silent. Its constructor prints a banner
    on the C-level standard output the first time (it would land in a
    report), so that one call runs with file descriptor 1 sent to /dev/null."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    highs.setOptionValue("output_flag", False)
    return highs


class _Technology:
    """One period's technology loaded into the process's HiGHS instance:
    distance of any point to it (valid until the next technology is loaded)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, rts: str, orientation: str) -> None:
        import highspy

        self.m, self.n = x.shape[1], x.shape[0]
        self.s = y.shape[1]
        self.orientation = orientation
        self.highs = _solver()
        self._status_optimal = highspy.HighsModelStatus.kOptimal
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = self.n + 1
        lp.num_row_ = self.m + self.s + (rts == "vrs")
        # column 0: θ (input) or φ (output); columns 1..n: λ
        lp.col_cost_ = np.r_[1.0 if orientation == "input" else -1.0, np.zeros(self.n)]
        lp.col_lower_ = np.zeros(self.n + 1)
        lp.col_upper_ = np.full(self.n + 1, inf)
        block = np.vstack([x.T, y.T] + ([np.ones((1, self.n))] if rts == "vrs" else []))
        first = np.zeros((lp.num_row_, 1))
        matrix = np.hstack([first, block])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.r_[0, np.cumsum(np.count_nonzero(matrix, axis=0))].astype(np.int32)
        rows, cols = np.nonzero(matrix.T)
        lp.a_matrix_.index_ = cols.astype(np.int32)
        lp.a_matrix_.value_ = matrix.T[rows, cols]
        # input rows: Xλ ≤ θ·x_o (input) or Xλ ≤ x_o (output); output rows: Yλ ≥ y_o or Yλ ≥ φ·y_o
        lp.row_lower_ = np.r_[np.full(self.m, -inf), np.zeros(self.s), [1.0] * (rts == "vrs")]
        lp.row_upper_ = np.r_[np.zeros(self.m), np.full(self.s, inf), [1.0] * (rts == "vrs")]
        self.highs.passModel(lp)
        self.inf = inf

    def distance(self, x_o: np.ndarray, y_o: np.ndarray) -> float:
        """Farrell distance θ (input) or 1/φ (output) of one point; NaN when
        the problem has no optimum."""
        h, m, s, inf = self.highs, self.m, self.s, self.inf
        if self.orientation == "input":
            for i in range(m):
                h.changeCoeff(i, 0, -float(x_o[i]))
            for r in range(s):
                h.changeRowBounds(m + r, float(y_o[r]), inf)
        else:
            for i in range(m):
                h.changeRowBounds(i, -inf, float(x_o[i]))
            for r in range(s):
                h.changeCoeff(m + r, 0, -float(y_o[r]))
        h.run()
        if h.getModelStatus() != self._status_optimal:
            return float("nan")
        value = float(h.getInfo().objective_function_value)
        if self.orientation == "input":
            return value
        return 1.0 / -value if value < 0 else float("nan")


def _check(panel: pd.DataFrame, inputs: list[str], outputs: list[str], unit: str, period: str,
           orientation: str, base: str) -> None:
    if orientation not in ORIENTATIONS:
        raise InputDataError(f"orientation {orientation!r} is not one of {', '.join(ORIENTATIONS)}")
    if base not in BASES:
        raise InputDataError(f"base {base!r} is not one of {', '.join(BASES)}")
    missing = [c for c in [unit, period, *inputs, *outputs] if c not in panel.columns]
    if missing:
        raise InputDataError(f"the panel has no column(s) {missing}; it has {', '.join(map(str, panel.columns))}")
    if not inputs or not outputs:
        raise InputDataError("Malmquist needs at least one input and one output column")
    values = panel[[*inputs, *outputs]].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any().any():
        row, column = np.argwhere(bad.to_numpy())[0]
        raise InputDataError(f"row {row + 1}, column {values.columns[column]!r}: {panel[values.columns[column]].iloc[row]!r} "
                             "is not a non-negative number")
    duplicated = panel.duplicated([unit, period])
    if duplicated.any():
        first = panel.loc[duplicated, [unit, period]].iloc[0]
        raise InputDataError(f"unit {first[unit]!r} appears more than once in period {first[period]!r}")


def _pairs(periods: list, base: str, base_period) -> list[tuple]:
    if base == "adjacent":
        return list(zip(periods[:-1], periods[1:]))
    anchor = periods[0] if base_period is None else base_period
    if anchor not in periods:
        raise InputDataError(f"base period {anchor!r} is not in the panel; periods are {periods}")
    return [(anchor, later) for later in periods[periods.index(anchor) + 1:]]


def malmquist(panel: pd.DataFrame, inputs: list[str], outputs: list[str], *, unit: str = "unit", period: str = "period",
              orientation: str = "input", base: str = "adjacent", base_period=None) -> MalmquistResult:
    """Malmquist productivity index with its FGNZ decomposition.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long format: one row per unit and period.
    inputs, outputs : list of str
        Input and output columns (non-negative).
    unit, period : str
        Columns naming the unit and the period. Periods are compared in
        sorted order.
    orientation : {"input", "output"}
        Orientation of the VRS decomposition (M, EC and TC are CRS and do not
        depend on it).
    base : {"adjacent", "fixed"}
        Adjacent periods (t, t+1), or each later period against
        ``base_period`` (default: the first).

    Returns
    -------
    MalmquistResult

    Examples
    --------
    One input, one output: under CRS, M is the change in y/x.

    >>> panel = pd.DataFrame({"unit": ["a", "b", "a", "b"], "period": [1, 1, 2, 2],
    ...                       "x": [2.0, 4.0, 1.0, 4.0], "y": [1.0, 4.0, 1.0, 4.0]})
    >>> result = malmquist(panel, ["x"], ["y"])
    >>> result.table["malmquist"].round(4).tolist()
    [2.0, 1.0]
    >>> result.table["efficiency_change"].round(4).tolist()
    [2.0, 1.0]
    """
    _check(panel, inputs, outputs, unit, period, orientation, base)
    periods = sorted(panel[period].unique().tolist())
    if len(periods) < 2:
        raise InputDataError(f"Malmquist needs at least two periods; the panel has {periods}")
    frames = {p: panel.loc[panel[period] == p].set_index(unit)[[*inputs, *outputs]].astype(float) for p in periods}
    rows, distances, notes = [], [], []
    for first, second in _pairs(periods, base, base_period):
        a, b = frames[first], frames[second]
        both = a.index.intersection(b.index, sort=False)
        skipped = a.index.symmetric_difference(b.index)
        if len(skipped):
            notes.append(f"{first}→{second}: {len(skipped)} unit(s) not observed in both periods skipped "
                         f"({', '.join(map(str, skipped[:5]))}{', …' if len(skipped) > 5 else ''})")
        scale = pd.concat([a, b]).mean().replace(0.0, 1.0)
        d = _pair_distances(a / scale, b / scale, both, inputs, outputs, orientation)
        for unit_id in both:
            dd = {key: values[unit_id] for key, values in d.items()}
            indices = _indices(dd)
            rows.append((unit_id, first, second, *indices))
            if np.isnan(indices[0]):
                notes.append(f"{first}→{second}: unit {unit_id}: a distance is zero or has no optimum; its index is left blank")
        for (which, rts), values in d.items():
            data_period, technology_period = {"tt": (first, first), "ss": (second, second), "ts": (second, first),
                                              "st": (first, second)}[which]
            distances.extend((u, data_period, technology_period, rts, v) for u, v in values.items())
    table = pd.DataFrame(rows, columns=["unit", "period_from", "period_to", *INDEX_COLUMNS]).set_index(["unit", "period_from", "period_to"])
    distance_table = pd.DataFrame(distances, columns=["unit", "data_period", "technology_period", "rts", "distance"]) \
        .drop_duplicates(["unit", "data_period", "technology_period", "rts"], ignore_index=True)
    return MalmquistResult(table, distance_table, orientation, base, tuple(notes))


def _pair_distances(a: pd.DataFrame, b: pd.DataFrame, units: pd.Index, inputs: list[str], outputs: list[str],
                    orientation: str) -> dict[tuple[str, str], dict]:
    """The six distances of each unit for one period pair: own-period CRS and
    VRS in both periods, and the two CRS cross-period ones.

    Keys ``(which, rts)``: ``tt`` first period data on first technology,
    ``ss`` second on second, ``ts`` second-period data on the first
    technology, ``st`` first-period data on the second technology.
    """
    result: dict[tuple[str, str], dict] = {}
    for tech_name, tech in (("t", a), ("s", b)):
        for rts in ("crs", "vrs"):
            model = _Technology(tech[inputs].to_numpy(), tech[outputs].to_numpy(), rts, orientation)
            for data_name, data in (("t", a), ("s", b)):
                if rts == "vrs" and data_name != tech_name:
                    continue
                x, y = data.loc[units, inputs].to_numpy(), data.loc[units, outputs].to_numpy()
                result[_key(data_name, tech_name), rts] = {
                    u: model.distance(x[k], y[k]) for k, u in enumerate(units)}
    return result


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 and np.isfinite(numerator) else float("nan")


def _indices(d: dict[tuple[str, str], float]) -> tuple[float, float, float, float, float]:
    """M, EC, TC, PEC, SEC of one unit from its six distances."""
    ec = _ratio(d["ss", "crs"], d["tt", "crs"])
    tc = np.sqrt(_ratio(d["ts", "crs"], d["ss", "crs"]) * _ratio(d["tt", "crs"], d["st", "crs"]))
    pec = _ratio(d["ss", "vrs"], d["tt", "vrs"])
    return ec * tc, ec, float(tc), pec, _ratio(ec, pec)


def _key(data_name: str, tech_name: str) -> str:
    """``tt``/``ss`` own period, ``ts`` = second-period data on the first
    technology, ``st`` = first-period data on the second technology."""
    if data_name == tech_name:
        return data_name * 2
    return "ts" if tech_name == "t" else "st"
