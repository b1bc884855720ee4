"""Churn early warning on whatever the client's extract holds: every mapped
feature enters (numbers standardised with a curvature term, money on a log
scale with a zero indicator, categories one-hot with rare levels pooled,
flags as 0/1); constant and perfectly collinear columns are dropped with a
note; an L2-penalised logistic regression (Newton–Raphson, the objective of
statsmodels' ``GLM.fit_regularized(L1_wt=0)``) with its penalty chosen by stratified cross-validation; a stratified
held-out split with a fixed seed; AUC with a bootstrap interval, lift and
capture by decile, calibration; drivers from partial dependence,
cross-checked against the raw churn rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis_lib.customers.extract import CustomerExtract, Feature
from analysis_lib.errors import InputDataError

RARE_SHARE = 0.01
"""A category level held by fewer than this share of customers (or fewer
than :data:`RARE_COUNT`) is pooled into ``other``."""
RARE_COUNT = 20
MAX_LEVELS = 30
PENALTIES = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2)
"""L2 penalties tried by cross-validation (per customer, on standardised
columns)."""
CV_FOLDS = 3
CV_MAX_ROWS = 60_000
"""Cross-validation runs on at most this many training customers (the
penalty matters little beyond)."""
BOOTSTRAP = 200
DRIVER_SAMPLE = 20_000
MIN_EFFECT = 0.01
"""Smallest partial-dependence difference (1 point of churn) worth a sentence."""


@dataclass(frozen=True)
class Block:
    """How one extract column enters the design matrix."""

    feature: Feature
    columns: tuple[str, ...]
    center: float = 0.0
    scale: float = 1.0
    curvature: float = 0.0
    fill: float = 0.0
    levels: tuple[str, ...] = ()

    def transform(self, values: pd.Series) -> np.ndarray:
        """Design columns of this feature for the given values."""
        kind = self.feature.kind
        if kind in ("category", "count") and self.levels:
            text = _levels(values, self.levels)
            return np.column_stack([(text == level).astype(float) for level in self.levels[1:]]) if len(self.levels) > 1 \
                else np.empty((len(values), 0))
        x = pd.to_numeric(values, errors="coerce").to_numpy(float)
        x = np.where(np.isfinite(x), x, self.fill)
        if kind == "flag":
            return x[:, None]
        money = kind == "money"
        base = np.log1p(np.clip(x, 0, None)) if money else x
        z = (base - self.center) / self.scale
        out = [z]
        if self.curvature:
            out.append(z**2 - self.curvature)
        if money and any(c.endswith(": zero") for c in self.columns):
            out.append((x <= 0).astype(float))
        return np.column_stack(out)


def _levels(values: pd.Series, kept: tuple[str, ...]) -> np.ndarray:
    text = values.astype("string").fillna("unknown")
    if len(kept):
        text = text.where(text.isin(kept), "other")
    return text.to_numpy(dtype=object)


def _block(feature: Feature, values: pd.Series) -> Block:
    kind = feature.kind
    name = feature.label
    if kind in ("category", "count"):
        text = values.astype("string").fillna("unknown")
        counts = text.value_counts()
        floor = max(RARE_SHARE * len(values), RARE_COUNT)
        kept = [str(level) for level, n in counts.items() if n >= floor][:MAX_LEVELS]
        if len(kept) < len(counts):
            kept.append("other")
        if kind == "count":
            kept = sorted(kept, key=lambda v: (v == "other", _as_number(v)))
            reference = max(kept, key=lambda v: counts.get(v, 0) if v != "other" else -1)
            kept.remove(reference)
            kept.insert(0, reference)
        return Block(feature, tuple(f"{name} = {level}" for level in kept[1:]), levels=tuple(kept))
    x = pd.to_numeric(values, errors="coerce").to_numpy(float)
    fill = float(np.nanmedian(x)) if np.isfinite(x).any() else 0.0
    x = np.where(np.isfinite(x), x, fill)
    if kind == "flag":
        return Block(feature, (name,), fill=fill)
    money = kind == "money"
    base = np.log1p(np.clip(x, 0, None)) if money else x
    center, scale = float(base.mean()), float(base.std())
    if not scale > 0:
        return Block(feature, (name,), center=center, scale=1.0, fill=fill)
    curvature = 1.0 if len(np.unique(base[: 50_000])) >= 10 else 0.0
    columns = [name] + ([f"{name} (squared)"] if curvature else [])
    if money and 0.02 <= (x <= 0).mean() <= 0.98:
        columns.append(f"{name}: zero")
    z = (base - center) / scale
    curvature = float((z**2).mean()) if curvature else 0.0
    return Block(feature, tuple(columns), center, scale, curvature, fill)


def _as_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")


@dataclass(frozen=True)
class Design:
    """The design matrix of an extract: blocks, retained columns and the
    notes on what was dropped."""

    blocks: tuple[Block, ...]
    matrix: np.ndarray
    columns: tuple[str, ...]
    keep: np.ndarray
    notes: tuple[str, ...]

    def frame(self) -> pd.DataFrame:
        """The retained columns as a DataFrame (without the constant)."""
        return pd.DataFrame(self.matrix[:, self.keep], columns=[c for c, k in zip(self.columns, self.keep) if k])

    def names_zh(self) -> dict[str, str]:
        """Chinese names of the design columns and features (from the
        mapping's ``label_zh`` and ``levels_zh``), for the model's notes."""
        return names_zh(self.blocks)


def names_zh(blocks) -> dict[str, str]:
    """Chinese names of the design columns of ``blocks``.

    Examples
    --------
    >>> feature = Feature("g", "category", "Gender", "性别", {"F": "女"})
    >>> names_zh([Block(feature, ("Gender = F", "Gender = other"), levels=("M", "F", "other"))])
    {'Gender': '性别', 'Gender = F': '性别 = 女', 'Gender = other': '性别 = 其他'}
    >>> note_in_chinese("Gender = other: perfectly collinear with Gender = F, left out of the model", _)
    '性别 = 其他：与性别 = 女完全共线，未纳入模型'
    """
    out: dict[str, str] = {}
    for block in blocks:
        feature = block.feature
        label, label_zh = feature.label, feature.shown("zh")
        out[label] = label_zh
        levels = {**LEVELS_ZH, **(feature.levels_zh or {})}
        suffixes = {"": "", " (squared)": "（平方项）", ": zero": "为零",
                    **{f" = {level}": f" = {levels.get(level, level)}" for level in block.levels}}
        for column in block.columns:
            out[column] = label_zh + suffixes.get(column[len(label):], column[len(label):])
    return out


LEVELS_ZH = {"other": "其他", "unknown": "未知"}
"""Chinese names of the pooled levels the model adds."""


def _independent(matrix: np.ndarray, columns: tuple[str, ...], sample: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Drop constant columns and columns that are an exact linear combination
    of earlier ones (Gram–Schmidt on the centred Gram matrix)."""
    x = matrix[sample]
    x = x - x.mean(axis=0)
    gram = x.T @ x
    keep = np.zeros(len(columns), dtype=bool)
    notes = []
    for j, name in enumerate(columns):
        own = gram[j, j]
        if own <= 1e-12 * len(sample):
            notes.append(f"{name}: constant, left out of the model")
            continue
        kept = np.flatnonzero(keep)
        residual = own
        if kept.size:
            g = gram[np.ix_(kept, kept)]
            b = gram[kept, j]
            coef = np.linalg.lstsq(g, b, rcond=None)[0]
            residual = own - b @ coef
        if residual <= 1e-9 * own:
            weight = np.abs(coef) * np.sqrt(np.diag(g))
            order = np.argsort(-weight, kind="stable")
            partners = [columns[kept[k]] for k in order if weight[k] > 1e-6 * weight.max()][:3]
            notes.append(f"{name}: perfectly collinear with {', '.join(partners)}, left out of the model")
            continue
        keep[j] = True
    return keep, notes


def note_in_chinese(note: str, names: dict[str, str] | None = None) -> str:
    """A model note in Chinese, columns by their Chinese names in ``names``
    (as given when there is none).

    Examples
    --------
    >>> note_in_chinese("Bank_Code: constant, left out of the model")
    'Bank_Code：取值恒定，未纳入模型'
    >>> note_in_chinese("b: perfectly collinear with a, c, left out of the model")
    'b：与a、c完全共线，未纳入模型'
    """
    names = names or {}
    for end in (": constant, left out of the model", ", left out of the model"):
        if not note.endswith(end):
            continue
        head = note[:-len(end)]
        if end.startswith(": constant"):
            return f"{names.get(head, head)}：取值恒定，未纳入模型"
        for name in sorted(names, key=len, reverse=True) or [note.partition(": ")[0]]:
            if head.startswith(f"{name}: perfectly collinear with "):
                partners = head[len(f"{name}: perfectly collinear with "):].split(", ")
                return f"{names.get(name, name)}：与{'、'.join(names.get(p, p) for p in partners)}完全共线，未纳入模型"
        name, _, rest = head.partition(": perfectly collinear with ")
        if rest:
            return f"{name}：与{'、'.join(rest.split(', '))}完全共线，未纳入模型"
    return note


def design_matrix(extract: CustomerExtract, rows: np.ndarray | None = None) -> Design:
    """Build the design matrix of every mapped feature.

    Transforms are estimated on ``rows`` (the training customers; default:
    all) and applied to every customer.

    Examples
    --------
    >>> data = pd.DataFrame({"churned": [0, 1] * 50, "a": np.arange(100.0), "b": np.arange(100.0), "c": 1.0})
    >>> d = design_matrix(CustomerExtract(data, "x"))
    >>> d.columns[d.keep.argmax()], list(d.notes)[-1]
    ('a', 'c: constant, left out of the model')
    """
    data = extract.data
    rows = np.arange(len(data)) if rows is None else rows
    blocks = []
    for feature in extract.model_features():
        if feature.kind not in ("numeric", "money", "count", "flag", "category"):
            continue
        blocks.append(_block(feature, data[feature.name].iloc[rows]))
    if not blocks:
        raise InputDataError(f"{extract.source}: the mapping has no explanatory column; map at least one feature")
    single = [b for b in blocks if b.feature.kind in ("category", "count") and len(b.levels) <= 1]
    blocks = [b for b in blocks if not any(b is s for s in single)]
    if not blocks:
        raise InputDataError(f"{extract.source}: every explanatory column is constant; the churn model needs variation")
    parts = [b.transform(data[b.feature.name]) for b in blocks]
    matrix = np.column_stack(parts) if parts else np.empty((len(data), 0))
    columns = tuple(c for b in blocks for c in b.columns)
    sample = rows if len(rows) <= 200_000 else np.sort(np.random.default_rng(0).choice(rows, 200_000, replace=False))
    keep, notes = _independent(matrix, columns, sample)
    notes = [f"{b.feature.label}: constant, left out of the model" for b in single] + notes
    if not keep.any():
        raise InputDataError(f"{extract.source}: every explanatory column is constant; the churn model needs variation")
    return Design(tuple(blocks), matrix, columns, keep, tuple(notes))


def _with_constant(x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(x)), x])


def _ridge(x: np.ndarray, y: np.ndarray, penalty: float, start: np.ndarray | None = None, tol: float = 1e-8,
           max_iter: int = 50) -> np.ndarray:
    """L2-penalised logistic regression by Newton–Raphson with step halving.

    Minimises ``mean(log(1 + e^η) − yη) + penalty/2 · |β₁..|²`` (the
    constant, first column, is not penalised), the objective of statsmodels'
    ``GLM.fit_regularized(L1_wt=0)``; with a positive penalty the Hessian is
    positive definite, so the step always exists.
    """
    from scipy.linalg import cho_factor, cho_solve

    n, k = x.shape
    alpha = np.full(k, penalty)
    alpha[0] = 0.0
    beta = np.zeros(k) if start is None else start.copy()
    if start is None:
        rate = np.clip(y.mean(), 1e-6, 1 - 1e-6)
        beta[0] = np.log(rate / (1 - rate))

    def objective(b: np.ndarray) -> float:
        return _log_loss(y, x @ b) + 0.5 * float(alpha @ b**2)

    current = objective(beta)
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (p - y) / n + alpha * beta
        root = x * np.sqrt(p * (1 - p))[:, None]
        hessian = root.T @ root / n + np.diag(alpha + 1e-10)  # A.T @ A: numpy uses the symmetric rank-k update
        step = cho_solve(cho_factor(hessian), gradient)
        size = 1.0
        while True:
            trial = beta - size * step
            value = objective(trial)
            if value <= current + 1e-12 or size < 1e-6:
                break
            size /= 2
        beta, previous, current = trial, current, value
        if abs(previous - current) < tol * max(1.0, abs(current)) and np.max(np.abs(size * step)) < 1e-6:
            break
    return beta


def _stratified_folds(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    fold = np.empty(len(y), dtype=int)
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        fold[rng.permutation(members)] = np.arange(members.size) % k
    return fold


def _log_loss(y: np.ndarray, eta: np.ndarray) -> float:
    return float(np.mean(np.logaddexp(0, eta) - y * eta))


def choose_penalty(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, pd.DataFrame]:
    """The L2 penalty with the lowest cross-validated log loss
    (:data:`CV_FOLDS` stratified folds on at most :data:`CV_MAX_ROWS`
    customers)."""
    rng = np.random.default_rng(seed + 1)
    if len(y) > CV_MAX_ROWS:
        pick = _stratified_folds(y, int(np.ceil(len(y) / CV_MAX_ROWS)), rng) == 0
        x, y = x[pick], y[pick]
    fold = _stratified_folds(y, CV_FOLDS, rng)
    losses = np.zeros((len(PENALTIES), CV_FOLDS))
    solutions: dict[float, np.ndarray] = {}
    for f in range(CV_FOLDS):
        train = fold != f
        xt, yt, xv, yv = x[train], y[train], x[~train], y[~train]
        beta = None
        for penalty in sorted(PENALTIES, reverse=True):  # a warm-started path, strongest penalty first
            beta = _ridge(xt, yt, penalty, beta)
            losses[PENALTIES.index(penalty), f] = _log_loss(yv, xv @ beta)
            solutions[penalty] = beta
    table = pd.DataFrame({"penalty": PENALTIES, "cv_log_loss": losses.mean(axis=1)})
    best = float(table.loc[table["cv_log_loss"].idxmin(), "penalty"])
    table.attrs["start"] = solutions[best]
    return best, table


def auc(y: np.ndarray, p: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Area under the ROC curve (ties count one half), optionally weighted.

    Examples
    --------
    >>> auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    return float(_auc_curve(y, p)(weights))


def _auc_curve(y: np.ndarray, p: np.ndarray):
    """AUC as a function of case weights (one sort for any number of
    bootstrap replicates)."""
    _, group = np.unique(p, return_inverse=True)
    positive = y == 1
    size = group.max() + 1

    def compute(weights: np.ndarray | None) -> float:
        w = np.ones(len(y)) if weights is None else weights
        neg = np.bincount(group, w * ~positive, minlength=size)
        pos = np.bincount(group, w * positive, minlength=size)
        below = np.cumsum(neg) - neg
        return float((pos * (below + 0.5 * neg)).sum() / (pos.sum() * neg.sum()))

    return compute


def bootstrap_auc(y: np.ndarray, p: np.ndarray, seed: int, draws: int = BOOTSTRAP, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the AUC (resampling customers)."""
    rng = np.random.default_rng(seed + 2)
    curve = _auc_curve(y, p)
    n = len(y)
    values = [curve(np.bincount(rng.integers(0, n, n), minlength=n).astype(float)) for _ in range(draws)]
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _deciles(y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    order = np.argsort(-p, kind="stable")
    decile = np.empty(len(order), dtype=int)
    decile[order] = np.arange(len(order)) * 10 // len(order) + 1
    table = pd.DataFrame({"decile": decile, "churned": y, "predicted": p}).groupby("decile").agg(
        customers=("churned", "size"), churned=("churned", "sum"), observed_rate=("churned", "mean"), predicted_rate=("predicted", "mean"))
    table["lift"] = table["observed_rate"] / y.mean()
    table["capture_rate"] = table["churned"].cumsum() / y.sum()
    table["share_of_customers"] = table["customers"].cumsum() / len(y)
    return table


def _calibration(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Calibration intercept and slope (logistic recalibration of the held-out
    outcomes on the predicted log-odds; 0 and 1 when perfect) and the largest
    gap between predicted and observed churn by decile."""
    import statsmodels.api as sm

    eta = np.log(np.clip(p, 1e-9, 1 - 1e-9) / np.clip(1 - p, 1e-9, 1))
    try:
        fit = sm.Logit(y, _with_constant(eta)).fit(disp=0, maxiter=100)
        intercept, slope = (float(v) for v in fit.params)
    except (np.linalg.LinAlgError, ValueError):
        intercept, slope = float("nan"), float("nan")
    deciles = _deciles(y, p)
    gap = float((deciles["predicted_rate"] - deciles["observed_rate"]).abs().max())
    return {"intercept": intercept, "slope": slope, "max_decile_gap": gap}


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn early-warning model and its held-out evaluation.

    ``coefficients`` are on standardised columns (``odds_ratio`` per standard
    deviation for numbers, against the reference level for categories);
    ``driver_table`` holds the partial-dependence effects beside the raw
    churn rates.
    """

    coefficients: pd.DataFrame
    auc: float
    auc_interval: tuple[float, float]
    deciles: pd.DataFrame
    calibration: dict[str, float]
    scores: pd.Series
    n_train: int
    n_test: int
    seed: int
    penalty: float
    held_out: np.ndarray
    notes: tuple[str, ...]
    driver_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    names_zh: dict[str, str] = field(default_factory=dict)
    """Chinese names of the columns the notes mention."""

    def drivers(self, top: int = 5, language: str = "en") -> list[str]:
        """The strongest drivers in plain words: only those where the model
        (other things equal) and the raw churn rates agree in sign; the others
        stay in :attr:`driver_table` with ``agrees = False``."""
        table = self.driver_table
        if table.empty:
            return []
        shown = table[table["agrees"] & (table["model_difference"].abs() >= MIN_EFFECT)]
        shown = shown.reindex(shown["model_difference"].abs().sort_values(ascending=False).index).head(top)
        return [_driver_sentence(row, language) for _, row in shown.iterrows()]


def _driver_sentence(row: pd.Series, language: str) -> str:
    def pct(v: float) -> str:
        return f"{v * 100:.0f}%"

    points = row["model_difference"] * 100
    if language == "zh":
        return (f"{row['feature_zh']}：{row['high_zh']}的客户流失率为{pct(row['raw_high'])}，{row['low_zh']}为{pct(row['raw_low'])}；"
                f"在其他条件相同时，模型估计差异为{points:+.0f}个百分点")
    return (f"{row['feature']}: churn is {pct(row['raw_high'])} for {row['high']} against {pct(row['raw_low'])} for {row['low']}; "
            f"other things equal, the model puts the difference at {points:+.0f} points")


def _comparison(block: Block, values: pd.Series, y: np.ndarray) -> dict | None:
    """Low and high groups of one feature, their raw churn rates and the
    representative values used for the partial dependence."""
    kind = block.feature.kind
    if kind in ("category", "count"):
        text = _levels(values, block.levels)
        rates = pd.Series(y).groupby(text).mean()
        rates = rates[[lv for lv in block.levels if lv in rates.index and lv != "other"]]
        reference = block.levels[0]
        others = rates.drop(index=reference, errors="ignore")
        if others.empty or reference not in rates.index:
            return None
        level = (others - rates[reference]).abs().idxmax()
        zh = dict(block.feature.levels_zh or {}, other="其他", unknown="未知")
        return {"low": f"“{reference}”", "high": f"“{level}”", "low_zh": f"“{zh.get(reference, reference)}”",
                "high_zh": f"“{zh.get(level, level)}”",
                "raw_low": rates[reference], "raw_high": rates[level], "set_low": reference, "set_high": level}
    x = pd.to_numeric(values, errors="coerce").to_numpy(float)
    finite = np.isfinite(x)
    if kind == "flag":
        low, high = finite & (x == 0), finite & (x == 1)
        if not low.any() or not high.any():
            return None
        return {"low": "no", "high": "yes", "low_zh": "“否”", "high_zh": "“是”", "raw_low": y[low].mean(),
                "raw_high": y[high].mean(), "set_low": 0.0, "set_high": 1.0}
    q1, q3 = np.nanquantile(x, [0.25, 0.75])
    low, high = finite & (x <= q1), finite & (x >= q3)
    if q1 == q3 or not low.any() or not high.any():
        return None
    a, b = _short(q1), _short(q3)
    return {"low": f"the bottom quarter (≤\u00a0{a})", "high": f"the top quarter (≥\u00a0{b})", "low_zh": f"最低四分之一（≤\u00a0{a}）",
            "high_zh": f"最高四分之一（≥\u00a0{b}）", "raw_low": y[low].mean(), "raw_high": y[high].mean(),
            "set_low": float(np.median(x[low])), "set_high": float(np.median(x[high]))}


def _short(value: float) -> str:
    """A band edge for a sentence: ``3,952``, ``0.572``, ``44``."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def driver_table(extract: CustomerExtract, design: Design, beta: np.ndarray, seed: int) -> pd.DataFrame:
    """Per feature: raw churn in the low and high group (bottom and top
    quarter, 0 and 1, reference and most different level) and the model's
    partial-dependence difference between the two (average predicted churn
    with the feature set to the group's median value, everything else as
    observed); ``agrees`` when both differences have the same sign."""
    data = extract.data
    y = data["churned"].to_numpy()
    rng = np.random.default_rng(seed + 3)
    sample = np.sort(rng.choice(len(data), DRIVER_SAMPLE, replace=False)) if len(data) > DRIVER_SAMPLE else np.arange(len(data))
    coef = np.zeros(design.matrix.shape[1])
    coef[design.keep] = beta[1:]
    eta = beta[0] + design.matrix[sample] @ coef
    rows, start = [], 0
    for block in design.blocks:
        width = len(block.columns)
        part = slice(start, start + width)
        start += width
        compare = _comparison(block, data[block.feature.name], y)
        if compare is None or not np.any(coef[part]):
            continue
        base = eta - design.matrix[sample][:, part] @ coef[part]
        effects = []
        for key in ("set_low", "set_high"):
            fixed = block.transform(pd.Series([compare[key]] * len(sample)))
            effects.append(float(np.mean(1 / (1 + np.exp(-(base + fixed @ coef[part]))))))
        raw_difference = compare["raw_high"] - compare["raw_low"]
        model_difference = effects[1] - effects[0]
        rows.append({"feature": block.feature.label, "feature_zh": block.feature.shown("zh"),
                     "low": compare["low"], "high": compare["high"], "low_zh": compare["low_zh"],
                     "high_zh": compare["high_zh"], "raw_low": compare["raw_low"], "raw_high": compare["raw_high"],
                     "raw_difference": raw_difference, "model_low": effects[0], "model_high": effects[1],
                     "model_difference": model_difference, "agrees": bool(np.sign(raw_difference) == np.sign(model_difference))})
    return pd.DataFrame(rows)


def _split(y: np.ndarray, test_share: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        test[rng.choice(members, size=int(round(test_share * members.size)), replace=False)] = True
    return test


def fit_churn_model(extract: CustomerExtract, test_share: float = 0.3, seed: int = 7) -> ChurnModel:
    """Fit the churn early-warning model on every mapped feature.

    Parameters
    ----------
    extract : CustomerExtract
        A validated extract.
    test_share : float
        Share of customers held out (stratified by the churn flag).
    seed : int
        Seed of the split, the cross-validation folds and the bootstrap.

    Returns
    -------
    ChurnModel
        Coefficients on standardised columns; held-out AUC with a bootstrap
        interval; lift, capture and calibration by decile of predicted risk
        (decile 1 = riskiest) and the calibration intercept/slope; a score
        for every customer (fitted on the training part); the drivers table;
        notes on the columns left out.

    Notes
    -----
    The penalty is chosen from :data:`PENALTIES` by stratified
    cross-validated log loss; with the penalty the fit exists even when
    columns are nearly collinear, and exactly collinear or constant columns
    are removed before fitting (each with a note).

    Examples
    --------
    >>> from analysis_lib.customers.extract import load_customer_extract
    >>> from analysis_lib.reference.catalog import data_dir
    >>> from analysis_lib.customers.sample_extract import sample_mapping
    >>> model = fit_churn_model(load_customer_extract(data_dir() / "sample" / "customers.csv", sample_mapping()))
    >>> bool(model.auc > 0.75), model.auc_interval[0] < model.auc < model.auc_interval[1]
    (True, True)
    """
    data = extract.data
    y = data["churned"].to_numpy().astype(float)
    test = _split(y, test_share, seed)
    train_rows = np.flatnonzero(~test)
    design = design_matrix(extract, train_rows)
    x = _with_constant(design.matrix[:, design.keep])
    x_train, y_train = x[~test], y[~test]
    penalty, path = choose_penalty(x_train, y_train, seed)
    beta = _ridge(x_train, y_train, penalty, path.attrs["start"])
    del x_train
    eta = x @ beta
    scores = pd.Series(1 / (1 + np.exp(-eta)), index=data.index, name="churn_probability")
    p_test, y_test = scores.to_numpy()[test], y[test].astype(int)
    kept = [c for c, k in zip(design.columns, design.keep) if k]
    coefficients = pd.DataFrame({"coef": beta, "odds_ratio": np.exp(beta)}, index=["const", *kept])
    return ChurnModel(coefficients, auc(y_test, p_test), bootstrap_auc(y_test, p_test, seed), _deciles(y_test, p_test),
                      _calibration(y_test, p_test), scores, int((~test).sum()), int(test.sum()), seed, penalty, test, design.notes,
                      driver_table(extract, design, beta, seed),
                      {**{f.label: f.shown("zh") for f in extract.model_features()}, **names_zh(design.blocks)})
