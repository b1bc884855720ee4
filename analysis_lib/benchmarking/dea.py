"""Data envelopment analysis (DEA): radial efficiency against the best-practice
frontier of a peer set, solved with HiGHS (``highspy``): one LP model kept
alive across the units of a run.

Conventions (Farrell): input-oriented θ ≤ 1, output-oriented φ ≥ 1, 1 is
efficient. CRS = CCR (Charnes, Cooper & Rhodes 1978); VRS = BCC (Banker,
Charnes & Cooper 1984, Σλ = 1); NIRS: non-increasing returns to scale
(Σλ ≤ 1), used for the nature of returns to scale. Scale efficiency =
θ_CRS / θ_VRS.

Every column is divided by its mean before solving: radial scores do not
depend on units, but the LP solver does (on bank data up to ~1e11 an unscaled
LP returns wrong scores). Slacks and targets are reported in original units.

Input-oriented envelopment LP of unit ``o`` (output orientation alike):

.. math:: \\min_{\\theta, \\lambda} \\theta \\; \\text{s.t.} \\; X\\lambda \\le \\theta x_o,\\;
          Y\\lambda \\ge y_o,\\; \\lambda \\ge 0\\; (\\textstyle\\sum\\lambda = 1 \\text{ for VRS})

A second stage maximises the sum of (scaled) slacks at the optimal score.

The LPs of all units differ only in the evaluated unit's own data (the score
column and the right-hand side), so each model (radial, slacks, cost) is one
HiGHS model kept alive for the run: per unit only the changed coefficients
and bounds are passed and HiGHS re-solves from the previous basis. The model
holds the units known to be on the frontier plus the evaluated unit; every
other unit whose column has a negative reduced cost (priced for all units at
once from the row duals) is added until none is left (column generation:
exact over all units, and much faster than an LP over all of them).
Degenerate units may have several optimal λ; any of them is returned.

References
----------
Coelli, Rao, O'Donnell & Battese (2005), *An Introduction to Efficiency and
Productivity Analysis*, ch. 6. Andersen & Petersen (1993), Management
Science 39(10).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError

RTS = ("crs", "vrs", "nirs")
ORIENTATIONS = ("input", "output")
_TOL = 1e-9
_BANNER_SILENCED = False


@dataclass(frozen=True)
class DEAResult:
    """Result of :func:`dea`.

    Attributes
    ----------
    efficiency : pandas.Series
        θ (input) or φ (output) per unit.
    lambdas : pandas.DataFrame
        Units × peers, the intensity weights: one column per unit that is a
        peer of at least one unit (an efficient unit is its own peer);
        zeros omitted in :meth:`peers`.
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


def _new_highs():
    """A silent HiGHS instance. HiGHS prints its banner to the process's
    standard output when the first instance is created, before any option
    can be set; in a report kernel that line would land in the report, so
    the first construction runs with file descriptor 1 pointed at
    ``os.devnull``."""
    global _BANNER_SILENCED
    if _BANNER_SILENCED:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(null)
            os.close(saved)
        _BANNER_SILENCED = True
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # presolve would discard the basis of the previous unit
    _single_thread(highs)
    return highs


def _single_thread(highs) -> None:
    """Run HiGHS on one thread: simplex on LPs this small is serial, and
    idle worker threads of its scheduler only take CPU from the rest of a
    batch. HiGHS keeps one scheduler per process; when another HiGHS user in
    the process has started it with more threads, it is restarted (between
    solves, so nothing runs on it), else the default is kept."""
    highs.setOptionValue("threads", 1)
    if highs.run() == highspy.HighsStatus.kError:  # the empty model: only the scheduler is checked
        highspy.Highs.resetGlobalScheduler(True)
        if highs.run() == highspy.HighsStatus.kError:
            highs.setOptionValue("threads", 0)


class _PricedLP:
    """``min c z`` over a few fixed columns plus intensity columns λ_j drawn
    from ``a_lambda`` (one per unit), kept alive in one HiGHS model across
    the units of a DEA run.

    Column layout: the ``fixed`` columns, then a *self* column holding the
    evaluated unit's data (so every LP is feasible without adding that
    unit), then the λ columns admitted so far. λ columns have cost 0 and
    bounds [0, ∞). A solve admits every column whose reduced cost, computed
    from the row duals for all units at once, is negative, until none is
    (column generation): the optimum is the optimum over all units. Between
    units only the changed coefficients, bounds and costs are passed, and
    HiGHS re-solves from the previous basis.
    """

    def __init__(self, a_lambda: np.ndarray, fixed: np.ndarray, fixed_cost: np.ndarray, fixed_lower: np.ndarray,
                 row_lower: np.ndarray, row_upper: np.ndarray, seed: np.ndarray):
        self.a = np.ascontiguousarray(a_lambda)
        rows, self.n = self.a.shape
        self.k = fixed.shape[1]
        self.highs = _new_highs()
        columns = np.c_[fixed, self.a[:, 0]]
        lower = np.r_[fixed_lower, 0.0]
        inf = highspy.kHighsInf
        self.highs.addRows(rows, np.asarray(row_lower, float), np.asarray(row_upper, float), 0, np.zeros(rows, np.int32),
                           np.zeros(0, np.int32), np.zeros(0))
        self._add_columns(columns, np.r_[fixed_cost, 0.0], lower, np.full(self.k + 1, inf))
        self.position = np.full(self.n, -1)  # model column of unit j's λ, -1 when not admitted
        self.units: list[int] = []
        self.self_unit = 0
        self.admit(np.flatnonzero(seed))

    def _add_columns(self, columns: np.ndarray, cost, lower, upper) -> None:
        nonzero = columns.T != 0  # column-major, explicit zeros left out
        count = columns.shape[1]
        starts = np.r_[0, np.cumsum(nonzero.sum(axis=1))[:-1]].astype(np.int32)
        self.highs.addCols(count, np.asarray(cost, float), np.asarray(lower, float), np.asarray(upper, float), int(nonzero.sum()),
                           starts, np.nonzero(nonzero)[1].astype(np.int32), columns.T[nonzero].astype(float))

    def admit(self, units: np.ndarray) -> None:
        """Add the λ columns of ``units`` not in the model yet."""
        units = np.asarray(units, dtype=int)
        units = units[self.position[units] < 0]
        if units.size == 0:
            return
        self.position[units] = self.k + 1 + len(self.units) + np.arange(units.size)
        self.units.extend(units.tolist())
        self._add_columns(self.a[:, units], np.zeros(units.size), np.zeros(units.size), np.full(units.size, highspy.kHighsInf))

    def set_self(self, o: int) -> None:
        """Put unit ``o``'s data in the self column."""
        for row in np.flatnonzero(self.a[:, o] != self.a[:, self.self_unit]):
            self.highs.changeCoeff(int(row), self.k, float(self.a[row, o]))
        self.self_unit = o

    def set_coefficients(self, column: int, values: np.ndarray, rows: np.ndarray) -> None:
        for row, value in zip(rows, values):
            self.highs.changeCoeff(int(row), column, float(value))

    def set_rows(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        self.highs.changeRowsBounds(rows.size, rows.astype(np.int32), np.asarray(lower, float), np.asarray(upper, float))

    def block(self, o: int, blocked: bool) -> None:
        """Exclude unit ``o`` (its λ column and the self column) from the LP, or allow it again."""
        upper = 0.0 if blocked else highspy.kHighsInf
        self.highs.changeColBounds(self.k, 0.0, upper)
        if self.position[o] >= 0:
            self.highs.changeColBounds(int(self.position[o]), 0.0, upper)

    def solve(self, exclude: int | None = None) -> str:
        """Solve to optimality over all units; ``"optimal"``, ``"infeasible"`` or ``"unbounded"``."""
        while True:
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                duals = np.asarray(self.highs.getSolution().row_dual)
                reduced = -(duals @ self.a)
                reduced[self.position >= 0] = 0.0
                if exclude is not None:
                    reduced[exclude] = 0.0
                entering = np.flatnonzero(reduced < -_TOL)
                if entering.size == 0:
                    return "optimal"
                self.admit(entering[np.argsort(reduced[entering])[:64]])
            elif (self.position < 0).sum() > (0 if exclude is None else int(self.position[exclude] < 0)):
                # infeasible or unbounded over the columns admitted so far: decide it over all units
                self.admit(np.setdiff1d(np.arange(self.n), [] if exclude is None else [exclude]))
            elif status == highspy.HighsModelStatus.kInfeasible:
                return "infeasible"
            elif status == highspy.HighsModelStatus.kUnbounded:
                return "unbounded"
            else:
                raise RuntimeError(f"DEA LP failed: {self.highs.modelStatusToString(status)}")

    def values(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The fixed columns' values, and the units with λ above 1e-9 with
        their λ (the self column's unit may appear twice: add them)."""
        z = np.asarray(self.highs.getSolution().col_value)
        units = np.r_[self.self_unit, self.units].astype(int)
        weights = z[self.k:]
        keep = np.abs(weights) >= _TOL
        return z[:self.k], units[keep], weights[keep]


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
    """Units in Z-order (Morton order) of their input and output mixes:
    consecutive units look alike, so each re-solve from the previous basis
    takes few simplex iterations."""
    mix = np.c_[x / x.sum(axis=1, keepdims=True), y / y.sum(axis=1, keepdims=True)]
    span = np.ptp(mix, axis=0)
    span[span == 0] = 1.0
    bits = max(1, min(10, 64 // mix.shape[1]))
    cells = ((mix - mix.min(axis=0)) / span * (2**bits - 1)).astype(np.uint64)
    code = np.zeros(len(x), dtype=np.uint64)
    for bit in range(bits - 1, -1, -1):
        for column in cells.T:
            code = (code << np.uint64(1)) | ((column >> np.uint64(bit)) & np.uint64(1))
    return np.argsort(code, kind="stable")


def _check_model(rts: str, orientation: str = "input") -> None:
    """The one argument check of every DEA model."""
    if rts not in RTS:
        raise InputDataError(f"DEA rts must be one of {', '.join(RTS)} (lower case), got {rts!r}")
    if orientation not in ORIENTATIONS:
        raise InputDataError(f"DEA orientation must be one of {', '.join(ORIENTATIONS)} (lower case), got {orientation!r}")


def _prepare(inputs, outputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inputs and outputs as validated frames on the same units (outputs
    without their own index take the inputs' units)."""
    inputs, outputs = _as_frame(inputs, "input"), _as_frame(outputs, "output")
    if not isinstance(inputs.index, pd.RangeIndex) and isinstance(outputs.index, pd.RangeIndex) and len(outputs) == len(inputs):
        outputs.index = inputs.index
    _validate(inputs, outputs)
    return inputs, outputs


def _prices(prices, inputs: pd.DataFrame) -> pd.DataFrame:
    """Input prices per unit: a frame with one row per unit, or one price
    vector for all units (a dict, Series or sequence in the inputs' column
    order, or a one-row frame)."""
    columns = list(inputs.columns)
    if isinstance(prices, dict) and all(np.ndim(v) == 0 for v in prices.values()):
        prices = pd.Series(prices)
    if isinstance(prices, pd.Series) or (not isinstance(prices, (pd.DataFrame, dict)) and np.ndim(prices) == 1):
        vector = prices if isinstance(prices, pd.Series) else pd.Series(np.asarray(prices, dtype=float), index=columns[:len(prices)])
        if len(vector) != len(columns) or set(vector.index) != set(columns):
            raise InputDataError(f"DEA prices must give one price per input ({', '.join(map(str, columns))}), got {list(vector.index)}")
        prices = pd.DataFrame([vector[columns].to_numpy()] * len(inputs), index=inputs.index, columns=columns)
    frame = pd.DataFrame(prices)
    if len(frame) == 1 and len(inputs) > 1:
        frame = pd.DataFrame(np.repeat(frame.to_numpy(), len(inputs), axis=0), index=inputs.index, columns=frame.columns)
    if list(frame.columns) != columns:
        raise InputDataError(f"DEA prices need one column per input, in the same order ({', '.join(map(str, columns))}); "
                             f"got {', '.join(map(str, frame.columns))}")
    if len(frame) != len(inputs):
        raise InputDataError(f"DEA prices need one row per unit ({len(inputs)}) or one price vector for all; got {len(frame)} rows")
    if not frame.index.equals(inputs.index):
        frame.index = inputs.index
    frame = frame.astype(float)
    bad = frame.isna() | ~np.isfinite(frame) | (frame < 0)
    if bad.any().any():
        unit, column = bad.stack()[bad.stack()].index[0]
        raise InputDataError(f"DEA price {column!r} of unit {unit!r} is {frame.at[unit, column]!r}; expected a finite number >= 0")
    return frame


def _intensity_rows(x: np.ndarray, y: np.ndarray, rts: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """λ coefficients of every unit (rows: inputs, outputs, Σλ for VRS/NIRS)
    and the bounds of the Σλ row."""
    rows = [x.T, y.T]
    if rts == "crs":
        return np.vstack(rows), np.zeros(0), np.zeros(0)
    return np.vstack([*rows, np.ones((1, len(x)))]), np.array([1.0 if rts == "vrs" else -np.inf]), np.array([1.0])


def _radial_lp(x: np.ndarray, y: np.ndarray, rts: str, orientation: str, seed: np.ndarray) -> _PricedLP:
    """Stage 1, min θ (input) or min -φ (output) over z = [score, self, λ]:
    input ``Xλ - θ x_o ≤ 0, Yλ ≥ y_o``; output ``Xλ ≤ x_o, Yλ - φ y_o ≥ 0``."""
    m, s = x.shape[1], y.shape[1]
    a, convex_lower, convex_upper = _intensity_rows(x, y, rts)
    score = np.zeros((len(a), 1))
    if orientation == "input":
        row_lower, row_upper = np.r_[np.full(m, -np.inf), np.zeros(s)], np.r_[np.zeros(m), np.full(s, np.inf)]
    else:
        row_lower, row_upper = np.r_[np.full(m, -np.inf), np.zeros(s)], np.r_[x[0], np.full(s, np.inf)]
    cost = np.array([1.0 if orientation == "input" else -1.0])
    return _PricedLP(a, score, cost, np.array([-np.inf]), np.r_[row_lower, convex_lower], np.r_[row_upper, convex_upper], seed)


def _evaluate_radial(lp: _PricedLP, x: np.ndarray, y: np.ndarray, o: int, orientation: str, exclude_self: bool = False) -> str:
    """Put unit ``o`` in the stage-1 model and solve it."""
    m, s = x.shape[1], y.shape[1]
    if orientation == "input":
        lp.set_coefficients(0, -x[o], np.arange(m))
        lp.set_rows(np.arange(m, m + s), y[o], np.full(s, np.inf))
    else:
        lp.set_coefficients(0, -y[o], np.arange(m, m + s))
        lp.set_rows(np.arange(m), np.full(m, -np.inf), x[o])
    lp.set_self(o)
    if not exclude_self:
        return lp.solve()
    lp.block(o, True)
    try:
        return lp.solve(exclude=o)
    finally:
        lp.block(o, False)


def _slack_lp(x: np.ndarray, y: np.ndarray, rts: str, seed: np.ndarray) -> _PricedLP:
    """Stage 2, max Σ slacks at the optimal score over z = [s⁻ (m), s⁺ (s), self, λ]:
    ``Xλ + s⁻ = x target, Yλ - s⁺ = y target``."""
    m, s = x.shape[1], y.shape[1]
    a, convex_lower, convex_upper = _intensity_rows(x, y, rts)
    slack = np.zeros((len(a), m + s))
    slack[:m, :m] = np.eye(m)
    slack[m:m + s, m:] = -np.eye(s)
    target = np.r_[x[0], y[0]]
    return _PricedLP(a, slack, -np.ones(m + s), np.zeros(m + s), np.r_[target, convex_lower], np.r_[target, convex_upper], seed)


def dea(inputs, outputs, rts: str = "crs", orientation: str = "input", slacks: bool = True) -> DEAResult:
    """Radial DEA efficiency of every unit, with peers, slacks and targets.

    Parameters
    ----------
    inputs, outputs : pandas.DataFrame or dict of column -> values
        One row per unit (the index names the units), values >= 0; every unit
        needs a positive input and a positive output.
    rts : {"crs", "vrs", "nirs"}
        Constant (CCR), variable (BCC) or non-increasing returns to scale.
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
    _check_model(rts, orientation)
    inputs, outputs = _prepare(inputs, outputs)
    x, y, x_scale, y_scale = _scaled(inputs, outputs)
    n, m, s = len(x), x.shape[1], y.shape[1]
    score = np.empty(n)
    peers: list[tuple[int, np.ndarray, np.ndarray]] = []  # (unit, its peers, their λ)
    slack = np.zeros((n, m + s))
    seed = _seed_frontier(x, y, "vrs" if rts == "vrs" else "crs")  # units known to be efficient
    radial = _radial_lp(x, y, rts, orientation, seed)
    second = _slack_lp(x, y, rts, seed) if slacks else None
    for o in _evaluation_order(x, y):
        if _evaluate_radial(radial, x, y, o, orientation) != "optimal":
            raise RuntimeError(f"DEA LP for unit {inputs.index[o]!r} has no optimum")
        (score[o],), peer_units, weights = radial.values()
        if second is not None and _max_slacks(second, x, y, o, score[o], peer_units, orientation):
            slack[o], peer_units, weights = second.values()
        peers.append((o, peer_units, weights))
        if abs(score[o] - 1) <= 1e-7:
            radial.admit([o])
    slack[np.abs(slack) < _TOL] = 0.0
    # the solver's round-off must not put an efficient unit on the wrong side of 1
    near_one = np.abs(score - 1) <= 1e-8
    score[near_one] = 1.0
    units = inputs.index
    slack_frame = pd.DataFrame(slack * np.r_[x_scale, y_scale], index=units, columns=[*inputs.columns, *outputs.columns])
    radial_x = inputs.to_numpy() * (score[:, None] if orientation == "input" else 1.0)
    radial_y = outputs.to_numpy() * (score[:, None] if orientation == "output" else 1.0)
    targets = pd.DataFrame(np.c_[radial_x - slack_frame[inputs.columns].to_numpy(), radial_y + slack_frame[outputs.columns].to_numpy()],
                           index=units, columns=slack_frame.columns)
    return DEAResult(pd.Series(score, index=units, name=f"{rts}_{orientation}"), _lambda_frame(peers, units), slack_frame, targets,
                     rts, orientation)


def _lambda_frame(peers: list[tuple[int, np.ndarray, np.ndarray]], units: pd.Index) -> pd.DataFrame:
    """Units × peers: one column per unit that is a peer of some unit (in
    the units' order), so that 10,000 units do not make a 10,000² table."""
    rows = np.concatenate([np.full(p.size, o) for o, p, _ in peers])
    columns = np.concatenate([p for _, p, _ in peers])
    weights = np.concatenate([w for _, _, w in peers])
    used = np.unique(columns)
    table = np.zeros((len(units), used.size))
    np.add.at(table, (rows, np.searchsorted(used, columns)), weights)
    return pd.DataFrame(table, index=units, columns=units[used])


def _max_slacks(lp: _PricedLP, x: np.ndarray, y: np.ndarray, o: int, score: float, peers: np.ndarray, orientation: str) -> bool:
    """Stage 2 of unit ``o`` at its optimal score, starting from the stage-1
    peers; False when the solver finds it infeasible (round-off in the
    score), in which case stage 1's λ and zero slacks stand."""
    m, s = x.shape[1], y.shape[1]
    target = np.r_[score * x[o], y[o]] if orientation == "input" else np.r_[x[o], score * y[o]]
    lp.set_rows(np.arange(m + s), target, target)
    lp.set_self(o)
    lp.admit(peers)
    return lp.solve() == "optimal"


def super_efficiency(inputs, outputs, rts: str = "crs", orientation: str = "input") -> pd.DataFrame:
    """Andersen–Petersen super-efficiency: each unit scored against the others
    only, so efficient units can score above 1 (input) or below 1 (output).

    Parameters
    ----------
    inputs, outputs : pandas.DataFrame or dict of column -> values
        As :func:`dea`.
    rts : {"crs", "vrs", "nirs"}
    orientation : {"input", "output"}

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
    _check_model(rts, orientation)
    inputs, outputs = _prepare(inputs, outputs)
    x, y, _, _ = _scaled(inputs, outputs)
    n = len(x)
    lp = _radial_lp(x, y, rts, orientation, _seed_frontier(x, y, "vrs" if rts == "vrs" else "crs"))
    scores, status = np.full(n, np.nan), np.empty(n, dtype=object)
    for o in _evaluation_order(x, y):
        status[o] = _evaluate_radial(lp, x, y, o, orientation, exclude_self=True)
        if status[o] == "optimal":
            scores[o] = lp.values()[0][0]
    return pd.DataFrame({"score": scores, "status": status}, index=inputs.index)


def cost_efficiency(inputs, outputs, prices, rts: str = "crs") -> pd.DataFrame:
    """Cost efficiency with input prices: minimum cost of producing the unit's
    outputs on the frontier over its actual cost.

    Parameters
    ----------
    inputs, outputs : pandas.DataFrame or dict of column -> values
        As :func:`dea`.
    prices : pandas.DataFrame, pandas.Series, dict or sequence
        Input prices: one row per unit with one column per input (in the
        inputs' order), or one price vector for all units (a Series or dict
        keyed by input, a sequence in the inputs' order, or a one-row frame).
    rts : {"crs", "vrs", "nirs"}

    Returns
    -------
    pandas.DataFrame
        ``cost_efficiency``, ``technical`` (input-oriented θ), ``allocative``
        (= cost / technical), ``min_cost`` and ``actual_cost`` per unit.

    Notes
    -----
    Unit ``o``'s minimum cost: :math:`\\min_{\\tilde x, \\lambda} w_o \\tilde x`
    s.t. :math:`X\\lambda \\le \\tilde x,\\; Y\\lambda \\ge y_o,\\; \\lambda \\ge 0`
    (Färe, Grosskopf & Lovell 1985; Coelli et al. 2005, ch. 7).

    Examples
    --------
    >>> x = pd.DataFrame({"x1": [2, 2, 6, 3, 6], "x2": [5, 4, 6, 2, 2]}, index=list("ABCDE"))
    >>> y = pd.DataFrame({"q": [1, 2, 3, 1, 2]}, index=list("ABCDE"))
    >>> cost_efficiency(x, y, {"x1": 1, "x2": 3})["cost_efficiency"].round(4).tolist()
    [0.3529, 0.8571, 0.75, 0.6667, 1.0]
    """
    _check_model(rts)
    inputs, outputs = _prepare(inputs, outputs)
    prices = _prices(prices, inputs)
    x, y, x_scale, _ = _scaled(inputs, outputs)
    n, m, s = len(x), x.shape[1], y.shape[1]
    technical = dea(inputs, outputs, rts=rts, orientation="input", slacks=False).efficiency.to_numpy()
    a, convex_lower, convex_upper = _intensity_rows(x, y, rts)
    chosen = np.zeros((len(a), m))
    chosen[:m, :m] = -np.eye(m)
    lp = _PricedLP(a, chosen, np.ones(m), np.zeros(m), np.r_[np.full(m, -np.inf), y[0], convex_lower],
                   np.r_[np.zeros(m), np.full(s, np.inf), convex_upper], _seed_frontier(x, y, "vrs" if rts == "vrs" else "crs"))
    weights = prices.to_numpy() * x_scale
    min_cost = np.empty(n)
    for o in _evaluation_order(x, y):
        lp.highs.changeColsCost(m, np.arange(m, dtype=np.int32), weights[o])
        lp.set_rows(np.arange(m, m + s), y[o], np.full(s, np.inf))
        lp.set_self(o)
        if lp.solve() != "optimal":
            raise RuntimeError(f"cost-efficiency LP for unit {inputs.index[o]!r} has no optimum")
        min_cost[o] = float(weights[o] @ lp.values()[0])
    actual = (prices.to_numpy() * inputs.to_numpy()).sum(axis=1)
    ce = min_cost / actual
    return pd.DataFrame({"cost_efficiency": ce, "technical": technical, "allocative": ce / technical,
                         "min_cost": min_cost, "actual_cost": actual}, index=inputs.index)


def efficiency_summary(inputs, outputs) -> pd.DataFrame:
    """CRS and VRS input-oriented scores, scale efficiency and the nature of
    returns to scale per unit.

    Returns
    -------
    pandas.DataFrame
        ``crs``, ``vrs``, ``scale_efficiency`` (θ_CRS / θ_VRS) and
        ``returns_to_scale``: ``constant`` where scale efficient, else
        ``increasing`` or ``decreasing``.

    Notes
    -----
    The nature of returns to scale comes from the scale test of Färe,
    Grosskopf & Lovell (1985), as in Coelli's DEAP: with θ_NIRS the score
    under non-increasing returns (Σλ ≤ 1), a scale-inefficient unit has
    increasing returns when θ_NIRS = θ_CRS (≠ θ_VRS) and decreasing returns
    when θ_NIRS = θ_VRS. It compares optimal values only, so it is unique
    even for degenerate units whose CRS λ (and so Σλ) is not.

    Examples
    --------
    >>> x = pd.DataFrame({"x": [1, 2, 3, 2, 4.0]})
    >>> y = pd.DataFrame({"y": [2, 3, 4, 1, 3.0]})
    >>> summary = efficiency_summary(x, y)
    >>> summary["scale_efficiency"].round(3).tolist()
    [1.0, 0.75, 0.667, 0.5, 0.75]
    >>> summary["returns_to_scale"].tolist()
    ['constant', 'decreasing', 'decreasing', 'increasing', 'decreasing']
    """
    crs = dea(inputs, outputs, "crs", "input", slacks=False).efficiency
    vrs = dea(inputs, outputs, "vrs", "input", slacks=False).efficiency
    nirs = dea(inputs, outputs, "nirs", "input", slacks=False).efficiency
    scale = crs / vrs
    constant = (scale - 1).abs() <= 1e-6
    decreasing = (nirs - vrs).abs() <= 1e-6 * vrs
    nature = np.where(constant, "constant", np.where(decreasing, "decreasing", "increasing"))
    return pd.DataFrame({"crs": crs, "vrs": vrs, "scale_efficiency": scale, "returns_to_scale": nature})
