"""Data envelopment analysis (DEA): radial efficiency against the best-practice
frontier of a peer set, solved with scipy's HiGHS (one LP per unit).

Conventions (Farrell): input-oriented θ ≤ 1, output-oriented φ ≥ 1, 1 is
efficient. CRS = CCR (Charnes, Cooper & Rhodes 1978); VRS = BCC (Banker,
Charnes & Cooper 1984, Σλ = 1). Scale efficiency = θ_CRS / θ_VRS.

Every column is divided by its mean before solving: radial scores do not
depend on units, but the LP solver does (on bank data up to ~1e11 an unscaled
LP returns wrong scores). Slacks and targets are reported in original units.

Input-oriented envelopment LP of unit ``o`` (output orientation alike):

.. math:: \\min_{\\theta, \\lambda} \\theta \\; \\text{s.t.} \\; X\\lambda \\le \\theta x_o,\\;
          Y\\lambda \\ge y_o,\\; \\lambda \\ge 0\\; (\\textstyle\\sum\\lambda = 1 \\text{ for VRS})

A second stage maximises the sum of (scaled) slacks at the optimal score.
Each LP starts from the units known to be efficient and adds every column
with a negative reduced cost until none is left (column generation: exact,
and much faster than solving over all units). Degenerate units may have
several optimal λ; any of them is returned.

References
----------
Coelli, Rao, O'Donnell & Battese (2005), *An Introduction to Efficiency and
Productivity Analysis*, ch. 6. Andersen & Petersen (1993), Management
Science 39(10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from analysis_lib.errors import InputDataError

RTS = ("crs", "vrs")
ORIENTATIONS = ("input", "output")
_TOL = 1e-9


@dataclass(frozen=True)
class DEAResult:
    """Result of :func:`dea`.

    Attributes
    ----------
    efficiency : pandas.Series
        θ (input) or φ (output) per unit.
    lambdas : pandas.DataFrame
        Units × peers, the intensity weights (zeros omitted in
        :meth:`peers`).
    slacks, targets : pandas.DataFrame
        Input and output slacks and projected values, original units.
    """

    efficiency: pd.Series
    lambdas: pd.DataFrame
    slacks: pd.DataFrame
    targets: pd.DataFrame
    rts: str
    orientation: str

    def peers(self, threshold: float = 1e-9) -> pd.DataFrame:
        """Tidy peer table: ``dmu, peer, lambda`` for λ above ``threshold``."""
        stacked = self.lambdas.stack()
        stacked = stacked[stacked > threshold]
        return stacked.rename("lambda").rename_axis(["dmu", "peer"]).reset_index()

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: efficiency, peers (``"B (0.500); E (0.286)"``),
        slacks and targets."""
        peers = self.peers().groupby("dmu")[["peer", "lambda"]].apply(
            lambda g: "; ".join(f"{p} ({w:.3f})" for p, w in zip(g["peer"], g["lambda"])))
        frame = pd.DataFrame({"efficiency": self.efficiency, "efficient": self.efficient(), "peers": peers.reindex(self.efficiency.index)})
        frame = frame.join(self.slacks.add_prefix("slack_")).join(self.targets.add_prefix("target_"))
        return frame.rename_axis("dmu").reset_index()

    def efficient(self) -> pd.Series:
        """True where the unit is radially efficient (score 1 within 1e-6)."""
        return (self.efficiency - 1).abs() <= 1e-6


def _as_frame(data, kind: str) -> pd.DataFrame:
    frame = pd.DataFrame(data).astype(float)
    if frame.empty or frame.shape[1] == 0:
        raise InputDataError(f"DEA needs at least one {kind} column")
    return frame


def _validate(inputs: pd.DataFrame, outputs: pd.DataFrame) -> None:
    if len(inputs) != len(outputs) or not inputs.index.equals(outputs.index):
        raise InputDataError("DEA inputs and outputs must have the same units (rows, in the same order)")
    n, m, s = len(inputs), inputs.shape[1], outputs.shape[1]
    if n < m + s:
        raise InputDataError(f"DEA needs at least as many units as inputs + outputs ({n} units, {m} inputs, {s} outputs)")
    for kind, frame in (("input", inputs), ("output", outputs)):
        bad = frame.isna() | ~np.isfinite(frame)
        if bad.any().any():
            unit, column = bad.stack()[bad.stack()].index[0]
            raise InputDataError(f"DEA {kind} {column!r} of unit {unit!r} is missing or not finite")
        negative = frame < 0
        if negative.any().any():
            unit, column = negative.stack()[negative.stack()].index[0]
            raise InputDataError(f"DEA {kind} {column!r} of unit {unit!r} is negative ({frame.at[unit, column]:g}); expected >= 0")
        empty = (frame <= 0).all(axis=1)
        if empty.any():
            raise InputDataError(f"DEA unit {empty.index[empty][0]!r} has no positive {kind}; its efficiency is undefined")
    for kind, frame in (("input", inputs), ("output", outputs)):
        zero = (frame <= 0).all(axis=0)
        if zero.any():
            raise InputDataError(f"DEA {kind} column {zero.index[zero][0]!r} is zero for every unit")


def _scaled(inputs: pd.DataFrame, outputs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    x_scale = inputs.mean().to_numpy()
    y_scale = outputs.mean().to_numpy()
    return inputs.to_numpy() / x_scale, outputs.to_numpy() / y_scale, x_scale, y_scale


def _solve_priced(c, a_ub, b_ub, a_eq, b_eq, upper, start: np.ndarray):
    """Solve ``min c z`` over a subset of the columns, adding every column
    whose reduced cost (from the duals) is negative until none is: the
    result is optimal over all columns (column generation).

    All variables have lower bound 0 except column 0 when ``upper[0]`` is
    NaN (a free radial score)."""
    total = c.size
    free = np.isnan(upper[0])
    active = np.unique(start)
    lower = np.zeros(total)
    if free:
        lower[0] = -np.inf
    upper = np.where(np.isnan(upper), np.inf, upper)
    while True:
        result = linprog(c[active], A_ub=None if a_ub is None else a_ub[:, active], b_ub=b_ub,
                         A_eq=None if a_eq is None else a_eq[:, active], b_eq=b_eq,
                         bounds=np.c_[lower[active], upper[active]], method="highs")
        if result.status != 0:
            return result, active
        reduced = c.copy()
        if a_ub is not None:
            reduced -= result.ineqlin.marginals @ a_ub
        if a_eq is not None:
            reduced -= result.eqlin.marginals @ a_eq
        reduced[active] = 0.0
        reduced[upper == 0] = 0.0
        entering = np.flatnonzero(reduced < -1e-9)
        if entering.size == 0:
            return result, active
        active = np.union1d(active, entering[np.argsort(reduced[entering])[:64]])


def _radial_problem(x: np.ndarray, y: np.ndarray, o: int, rts: str, orientation: str):
    """Stage-1 envelopment LP of unit ``o`` over all columns: z = [score, λ]."""
    n, m, s = len(x), x.shape[1], y.shape[1]
    if orientation == "input":
        c = np.r_[1.0, np.zeros(n)]
        a_ub = np.block([[-x[o][:, None], x.T], [np.zeros((s, 1)), -y.T]])
        b_ub = np.r_[np.zeros(m), -y[o]]
    else:
        c = np.r_[-1.0, np.zeros(n)]
        a_ub = np.block([[np.zeros((m, 1)), x.T], [y[o][:, None], -y.T]])
        b_ub = np.r_[x[o], np.zeros(s)]
    a_eq, b_eq = (np.r_[0.0, np.ones(n)][None, :], np.array([1.0])) if rts == "vrs" else (None, None)
    upper = np.r_[np.nan, np.full(n, np.inf)]
    return c, a_ub, b_ub, a_eq, b_eq, upper


def _radial(x: np.ndarray, y: np.ndarray, o: int, cols: np.ndarray, rts: str, orientation: str, exclude_self: bool = False):
    """Stage 1 over the columns ``cols`` only (no pricing): for super-efficiency."""
    c, a_ub, b_ub, a_eq, b_eq, upper = _radial_problem(x, y, o, rts, orientation)
    if exclude_self:
        upper[1 + o] = 0.0
    keep = np.r_[0, 1 + cols]
    lower = np.r_[-np.inf, np.zeros(cols.size)]
    bounds = np.c_[lower, np.where(np.isnan(upper[keep]), np.inf, upper[keep])]
    return linprog(c[keep], A_ub=a_ub[:, keep], b_ub=b_ub, A_eq=None if a_eq is None else a_eq[:, keep], b_eq=b_eq,
                   bounds=bounds, method="highs")


def _max_slacks(x, y, o, start, score, rts, orientation):
    """Stage 2: maximise the sum of slacks at the optimal radial score;
    z = [λ (n), input slacks (m), output slacks (s)]."""
    n, m, s = len(x), x.shape[1], y.shape[1]
    x_target = score * x[o] if orientation == "input" else x[o]
    y_target = y[o] if orientation == "input" else score * y[o]
    a_eq = np.block([[x.T, np.eye(m), np.zeros((m, s))], [y.T, np.zeros((s, m)), -np.eye(s)]])
    b_eq = np.r_[x_target, y_target]
    if rts == "vrs":
        a_eq = np.vstack([a_eq, np.r_[np.ones(n), np.zeros(m + s)]])
        b_eq = np.r_[b_eq, 1.0]
    c = np.r_[np.zeros(n), -np.ones(m + s)]
    upper = np.full(n + m + s, np.inf)
    return _solve_priced(c, None, None, a_eq, b_eq, upper, np.r_[start, n + np.arange(m + s)])


def _seed_frontier(x: np.ndarray, y: np.ndarray, rts: str, draws: int = 256) -> np.ndarray:
    """Units certainly on the frontier, found cheaply: for random positive
    price vectors, the unit with the best output/input value ratio (CRS) or
    the best output value minus input value (VRS) is efficient. They seed the
    columns of every LP, which saves pricing rounds."""
    rng = np.random.default_rng(0)
    u = rng.exponential(size=(y.shape[1], draws))
    v = rng.exponential(size=(x.shape[1], draws))
    if rts == "crs":
        score = (y @ u) / (x @ v)
    else:
        score = y @ u - x @ v * rng.uniform(0.2, 5.0, draws)
    seed = np.zeros(len(x), dtype=bool)
    best = score.max(axis=0)
    # only units strictly best for a price vector: ties may be weakly efficient
    unique = (score >= best * (1 - 1e-12) - 1e-12).sum(axis=0) == 1
    seed[np.argmax(score, axis=0)[unique]] = True
    return seed


def _evaluation_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Likely inefficient units first (lowest output/input proxy), so that the
    columns of units found inefficient drop out of the later, larger LPs."""
    return np.argsort(-(y.sum(axis=1) / x.sum(axis=1)), kind="stable")


def dea(inputs, outputs, rts: str = "crs", orientation: str = "input", slacks: bool = True) -> DEAResult:
    """Radial DEA efficiency of every unit, with peers, slacks and targets.

    Parameters
    ----------
    inputs, outputs : pandas.DataFrame or dict of column -> values
        One row per unit (the index names the units), values >= 0; every unit
        needs a positive input and a positive output.
    rts : {"crs", "vrs"}
        Constant (CCR) or variable (BCC) returns to scale.
    orientation : {"input", "output"}
        Input-oriented θ ≤ 1 or output-oriented φ ≥ 1.
    slacks : bool
        Run the max-slack second stage (targets then include slacks).

    Returns
    -------
    DEAResult

    Examples
    --------
    >>> x = pd.DataFrame({"x1": [2, 2, 6, 3, 6], "x2": [5, 4, 6, 2, 2]}, index=list("ABCDE"))
    >>> y = pd.DataFrame({"q": [1, 2, 3, 1, 2]}, index=list("ABCDE"))
    >>> dea(x, y).efficiency.round(4).tolist()
    [0.5, 1.0, 0.8333, 0.7143, 1.0]
    """
    if rts not in RTS or orientation not in ORIENTATIONS:
        raise InputDataError(f"rts must be one of {RTS} and orientation one of {ORIENTATIONS}")
    inputs, outputs = _as_frame(inputs, "input"), _as_frame(outputs, "output")
    if not isinstance(inputs.index, pd.RangeIndex) and isinstance(outputs.index, pd.RangeIndex):
        outputs.index = inputs.index
    _validate(inputs, outputs)
    x, y, x_scale, y_scale = _scaled(inputs, outputs)
    n, m, s = len(x), x.shape[1], y.shape[1]
    score = np.empty(n)
    lam = np.zeros((n, n))
    slack = np.zeros((n, m + s))
    reference = _seed_frontier(x, y, rts)  # units known to be efficient
    for o in _evaluation_order(x, y):
        problem = _radial_problem(x, y, o, rts, orientation)
        start = np.r_[0, 1 + np.flatnonzero(reference), 1 + o]
        first, active = _solve_priced(*problem, start)
        if first.status != 0:
            raise RuntimeError(f"DEA LP for unit {inputs.index[o]!r} failed: {first.message}")
        score[o] = first.x[0]
        weights = np.zeros(n)
        weights[active[1:] - 1] = first.x[1:]
        if slacks:
            second, active2 = _max_slacks(x, y, o, active[1:] - 1, score[o], rts, orientation)
            if second.status == 0:
                weights = np.zeros(n)
                in_lambda = active2 < n
                weights[active2[in_lambda]] = second.x[in_lambda]
                slack[o] = second.x[~in_lambda]
        lam[o] = weights
        if abs(score[o] - 1) <= 1e-7:
            reference[o] = True
    slack[np.abs(slack) < _TOL] = 0.0
    lam[np.abs(lam) < _TOL] = 0.0
    # the solver's round-off must not put an efficient unit on the wrong side of 1
    near_one = np.abs(score - 1) <= 1e-8
    score[near_one] = 1.0
    units = inputs.index
    slack_frame = pd.DataFrame(slack * np.r_[x_scale, y_scale], index=units, columns=[*inputs.columns, *outputs.columns])
    radial_x = inputs.to_numpy() * (score[:, None] if orientation == "input" else 1.0)
    radial_y = outputs.to_numpy() * (score[:, None] if orientation == "output" else 1.0)
    targets = pd.DataFrame(np.c_[radial_x - slack_frame[inputs.columns].to_numpy(), radial_y + slack_frame[outputs.columns].to_numpy()],
                           index=units, columns=slack_frame.columns)
    return DEAResult(pd.Series(score, index=units, name=f"{rts}_{orientation}"), pd.DataFrame(lam, index=units, columns=units),
                     slack_frame, targets, rts, orientation)


def super_efficiency(inputs, outputs, rts: str = "crs", orientation: str = "input") -> pd.DataFrame:
    """Andersen–Petersen super-efficiency: each unit scored against the others
    only, so efficient units can score above 1 (input) or below 1 (output).

    Returns
    -------
    pandas.DataFrame
        ``score`` and ``status`` per unit; a unit whose LP is infeasible
        (possible under VRS, or when no other unit produces its outputs) has
        ``score`` NaN and ``status`` ``"infeasible"``: it is not given a
        number.

    Examples
    --------
    >>> x = pd.DataFrame({"x1": [2, 2, 6, 3, 6], "x2": [5, 4, 6, 2, 2]}, index=list("ABCDE"))
    >>> y = pd.DataFrame({"q": [1, 2, 3, 1, 2]}, index=list("ABCDE"))
    >>> super_efficiency(x, y)["score"].round(4).tolist()
    [0.5, 2.0, 0.8333, 0.7143, 2.0]
    """
    inputs, outputs = _as_frame(inputs, "input"), _as_frame(outputs, "output")
    _validate(inputs, outputs)
    x, y, _, _ = _scaled(inputs, outputs)
    n = len(x)
    scores, status = np.full(n, np.nan), []
    for o in range(n):
        result = _radial(x, y, o, np.arange(n), rts, orientation, exclude_self=True)
        if result.status == 0:
            scores[o] = result.x[0]
            status.append("optimal")
        elif result.status in (2, 3):
            status.append("infeasible" if result.status == 2 else "unbounded")
        else:
            raise RuntimeError(f"super-efficiency LP for unit {inputs.index[o]!r} failed: {result.message}")
    return pd.DataFrame({"score": scores, "status": status}, index=inputs.index)


def cost_efficiency(inputs, outputs, prices, rts: str = "crs") -> pd.DataFrame:
    """Cost efficiency with input prices: minimum cost of producing the unit's
    outputs on the frontier over its actual cost.

    Returns
    -------
    pandas.DataFrame
        ``cost_efficiency``, ``technical`` (input-oriented θ), ``allocative``
        (= cost / technical), ``min_cost`` and ``actual_cost`` per unit.

    Examples
    --------
    >>> x = pd.DataFrame({"x1": [2, 2, 6, 3, 6], "x2": [5, 4, 6, 2, 2]}, index=list("ABCDE"))
    >>> y = pd.DataFrame({"q": [1, 2, 3, 1, 2]}, index=list("ABCDE"))
    >>> w = pd.DataFrame({"x1": [1] * 5, "x2": [3] * 5}, index=list("ABCDE"))
    >>> cost_efficiency(x, y, w)["cost_efficiency"].round(4).tolist()
    [0.3529, 0.8571, 0.75, 0.6667, 1.0]
    """
    inputs, outputs = _as_frame(inputs, "input"), _as_frame(outputs, "output")
    prices = pd.DataFrame(prices).astype(float)
    prices.index = inputs.index if len(prices) == len(inputs) else prices.index
    _validate(inputs, outputs)
    if list(prices.columns) != list(inputs.columns) or (prices < 0).any().any() or prices.isna().any().any():
        raise InputDataError("prices need one non-negative column per input, in the same order")
    x, y, x_scale, _ = _scaled(inputs, outputs)
    n, m, s = len(x), x.shape[1], y.shape[1]
    technical = dea(inputs, outputs, rts=rts, orientation="input", slacks=False).efficiency.to_numpy()
    min_cost = np.empty(n)
    for o in range(n):
        w = prices.iloc[o].to_numpy() * x_scale
        c = np.r_[w, np.zeros(n)]
        a_ub = np.block([[-np.eye(m), x.T], [np.zeros((s, m)), -y.T]])
        b_ub = np.r_[np.zeros(m), -y[o]]
        a_eq, b_eq = (np.r_[np.zeros(m), np.ones(n)][None, :], [1.0]) if rts == "vrs" else (None, None)
        result = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * (m + n), method="highs")
        if result.status != 0:
            raise RuntimeError(f"cost-efficiency LP for unit {inputs.index[o]!r} failed: {result.message}")
        min_cost[o] = result.fun
    actual = (prices.to_numpy() * inputs.to_numpy()).sum(axis=1)
    ce = min_cost / actual
    return pd.DataFrame({"cost_efficiency": ce, "technical": technical, "allocative": ce / technical,
                         "min_cost": min_cost, "actual_cost": actual}, index=inputs.index)


def efficiency_summary(inputs, outputs) -> pd.DataFrame:
    """CRS and VRS input-oriented scores, scale efficiency and the nature of
    returns to scale (``increasing``/``constant``/``decreasing``, from the
    CRS λ sum) per unit.

    Examples
    --------
    >>> x = pd.DataFrame({"x": [1, 2, 3, 2, 4.0]})
    >>> y = pd.DataFrame({"y": [2, 3, 4, 1, 3.0]})
    >>> efficiency_summary(x, y)["scale_efficiency"].round(3).tolist()
    [1.0, 0.75, 0.667, 0.5, 0.75]
    """
    crs = dea(inputs, outputs, "crs", "input")
    vrs = dea(inputs, outputs, "vrs", "input", slacks=False)
    scale = crs.efficiency / vrs.efficiency
    lam_sum = crs.lambdas.sum(axis=1)
    nature = np.where((scale - 1).abs() <= 1e-6, "constant", np.where(lam_sum < 1, "increasing", "decreasing"))
    return pd.DataFrame({"crs": crs.efficiency, "vrs": vrs.efficiency, "scale_efficiency": scale, "returns_to_scale": nature})
