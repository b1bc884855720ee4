"""The portfolio of a batch run: where the value is, how concentrated it is,
which institutions to take first, how institutions group, and what the
portfolio does not know.

Built only from the run folder: the per-institution ``summary.json`` files,
``manifest.csv`` and ``run.json``; no analysis is run again (the
productivity view alone reads the run's panel, when it has several periods).
Rendered by :mod:`analysis_lib.batch.portfolio_report` through
``notebooks/portfolio_summary.ipynb`` to HTML and PDF beside the run's
``index.html`` (:mod:`analysis_lib.batch.index_page`).

The first-wave rule (:func:`first_wave`)
----------------------------------------
*Candidates* are the institutions whose programme pays back on the figures
as given: the economic verdict of their report is *proceed* or *pilot
first* (see :mod:`analysis_lib.report.recommendation`). They are *ready*
when their data also carry a decision (the verdict itself is *proceed* or
*pilot first*, not *fix the data first*). Each is ranked by its *priority*,
the risk-adjusted benefit a year weighted by the simulated probability of a
positive NPV (readiness of the case) and by the data-quality score
(readiness of the data)::

    priority = risk-adjusted benefit × P(NPV > 0) × data quality / 100

The first wave takes the ready candidates in that order until it holds
:data:`WAVE_COVER` of their total priority, at most :data:`WAVE_MAX`
institutions. Candidates whose data must be fixed first follow once the
four-week data fix their report asks for confirms their case.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, WorkbookError
from analysis_lib.reference.catalog import DIMENSIONS
from analysis_lib.report.recommendation import MIN_DATA_QUALITY, MIN_PUBLIC_SHARE

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "portfolio_summary.ipynb"
SCORE_COLUMNS = tuple(f"score_{d}" for d in DIMENSIONS)
SUMMARY_FIELDS = ("name", "peer_group", "score_overall", *SCORE_COLUMNS, "dea_crs", "value_at_stake", "risk_adjusted_benefit", "npv",
                  "irr", "prob_npv_positive", "data_quality", "public_benchmark_share", "programme_cost")
"""Fields of ``summary.json`` the portfolio shows (present, possibly empty,
even when no report succeeded)."""
TEXT_FIELDS = ("programme_initiatives", "programme_recommended", "programme_rule_selected", "dropped_initiatives", "cost_lines",
               "plausibility_warnings", "consistency_breaks", "recommendation", "programme", "synthetic_peers")
"""Summary fields that are lists, mappings or flags rather than numbers."""
WAVE_MAX = 10
"""Most institutions in the first wave."""
WAVE_COVER = 0.5
"""Share of the candidates' total priority the first wave holds."""
TOP_SHARE = 0.10
"""The concentration figure: the share of value held by this top fraction of institutions."""
LIST_LIMIT = 25
"""Beyond this many institutions a ranking shows its top and bottom :data:`LIST_ENDS` only."""
LIST_ENDS = 10
CLUSTER_K = range(2, 9)
"""Numbers of clusters tried; the one with the highest mean silhouette is kept."""
CLUSTER_MIN = 8
"""Institutions with six scores needed before clusters are formed."""
CLUSTER_SAMPLE = 2000
"""Beyond this many institutions the clusters are formed on a seeded sample and the others join the nearest centre."""
READY = ("proceed", "pilot_first")


class PortfolioError(WorkbookError):
    """The portfolio summary of a run could not be made."""


@dataclass(frozen=True)
class Portfolio:
    """A batch run's results: the manifest (one row per institution) and the
    summaries of the complete reports (indexed by institution id)."""

    run_dir: Path
    manifest: pd.DataFrame
    summaries: pd.DataFrame
    record: dict = field(default_factory=dict)
    """``run.json`` of the run (parameters, panel, created)."""

    @property
    def language(self) -> str:
        """The batch's report language (``run.json``), English by default."""
        language = self.record.get("parameters", {}).get("language", "en")
        return language if language in ("en", "zh") else "en"

    @property
    def kind(self) -> str:
        """``diagnostic`` or ``review`` (a batch of progress reviews)."""
        return str(self.record.get("parameters", {}).get("kind", "diagnostic"))

    def league_table(self) -> pd.DataFrame:
        """Institutions by overall score, best first."""
        columns = ["name", "peer_group", "score_overall", *SCORE_COLUMNS, "dea_crs", "value_at_stake", "npv"]
        table = self.summaries.reindex(columns=columns).sort_values("score_overall", ascending=False, kind="stable")
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        return table

    def failures(self) -> pd.DataFrame:
        """Institutions whose report did not complete, with the error."""
        return self.manifest[self.manifest["status"] != "ok"][["institution_id", "status", "error"]]

    def verdicts(self) -> pd.DataFrame:
        """Verdict and economic verdict of every complete report."""
        recs = self.summaries.get("recommendation", pd.Series(index=self.summaries.index, dtype=object))
        verdict = [r.get("verdict", "") if isinstance(r, dict) else "" for r in recs]
        economic = [r.get("economic_verdict", "") or r.get("verdict", "") if isinstance(r, dict) else "" for r in recs]
        return pd.DataFrame({"verdict": verdict, "economic_verdict": economic}, index=self.summaries.index)

    def totals(self) -> dict[str, float]:
        """Counts and portfolio totals (value at stake and risk-adjusted
        benefit are CNY a year at full run-rate)."""
        s = self.summaries
        return {"institutions": int(len(self.manifest)), "complete": int(len(s)), "failed": int(len(self.failures())),
                "value_at_stake": float(s["value_at_stake"].sum()) if len(s) else 0.0,
                "risk_adjusted_benefit": float(s["risk_adjusted_benefit"].sum()) if len(s) else 0.0,
                "npv_positive": int((s["npv"] > 0).sum()) if len(s) else 0}


def load_portfolio(run_dir: str | Path) -> Portfolio:
    """Read a run folder's manifest, run record and summaries.

    Examples
    --------
    >>> load_portfolio("/nonexistent")
    Traceback (most recent call last):
    ...
    analysis_lib.errors.InputDataError: /nonexistent: no manifest.csv; expected the folder of a batch run
    """
    run_dir = Path(run_dir)
    if not (run_dir / "manifest.csv").is_file() and not run_dir.is_absolute():
        run_dir = ROOT / run_dir
    path = run_dir / "manifest.csv"
    if not path.is_file():
        raise InputDataError(f"{run_dir}: no manifest.csv; expected the folder of a batch run")
    manifest = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = []
    for institution_id, folder in zip(manifest["institution_id"][manifest["status"] == "ok"], manifest["folder"][manifest["status"] == "ok"]):
        summary_path = run_dir / folder / "summary.json"
        if summary_path.is_file():
            try:
                rows.append({**json.loads(summary_path.read_text(encoding="utf-8")), "institution_id": institution_id})
            except ValueError:
                raise InputDataError(f"{summary_path}: not a readable summary (invalid JSON); re-run {institution_id} with --resume") from None
    record = {}
    if (run_dir / "run.json").is_file():
        try:
            record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        except ValueError:
            record = {}
    return Portfolio(run_dir, manifest, summary_frame(rows), record)


def summary_frame(rows: list[dict]) -> pd.DataFrame:
    """Summaries as one table indexed by institution id: every field of
    :data:`SUMMARY_FIELDS` present, numbers as floats (an empty value is
    NaN).

    Examples
    --------
    >>> frame = summary_frame([{"institution_id": "A", "npv": 5, "name": "Bank A"}])
    >>> float(frame.at["A", "npv"]), bool(np.isnan(frame.at["A", "score_overall"])), frame.index.name
    (5.0, True, 'institution_id')
    """
    summaries = pd.DataFrame(rows).set_index("institution_id") if rows else pd.DataFrame(columns=list(SUMMARY_FIELDS))
    summaries = summaries.reindex(columns=list(dict.fromkeys([*summaries.columns, *SUMMARY_FIELDS])))
    for column in summaries.columns:
        if column not in ("name", "peer_group", "input_sha256", "baseline_period", "review_period", *TEXT_FIELDS):
            summaries[column] = pd.to_numeric(summaries[column], errors="coerce").astype(float)
    summaries.index.name = "institution_id"
    return summaries


# ------------------------------------------------------------------ concentration


@dataclass(frozen=True)
class Concentration:
    """How concentrated an amount is across institutions."""

    column: str
    total: float
    top_count: int
    """Institutions in the top :data:`TOP_SHARE` (at least one)."""
    top_share: float
    """Share of the total they hold."""
    half_count: int
    """Fewest institutions that hold half of the total."""
    curve: pd.Series
    """Cumulative share of the total, institutions from largest to smallest."""


def concentration(values: pd.Series, top: float = TOP_SHARE) -> Concentration:
    """Concentration of an amount (value at stake, risk-adjusted benefit)
    across institutions; negative and missing amounts count as zero.

    Examples
    --------
    >>> c = concentration(pd.Series([50.0, 30, 10, 5, 5, 0, 0, 0, 0, 0], name="value_at_stake"))
    >>> c.top_count, round(c.top_share, 2), c.half_count
    (1, 0.5, 1)
    """
    amounts = pd.to_numeric(values, errors="coerce").fillna(0.0).clip(lower=0.0).sort_values(ascending=False, kind="stable")
    total = float(amounts.sum())
    count = max(1, math.ceil(top * len(amounts))) if len(amounts) else 0
    curve = amounts.cumsum() / total if total > 0 else amounts * 0.0
    half = int(np.searchsorted(curve.to_numpy(), 0.5 - 1e-12) + 1) if total > 0 else 0
    return Concentration(str(values.name or ""), total, count, float(curve.iloc[count - 1]) if count and total > 0 else 0.0, half, curve)


# ------------------------------------------------------------------ first wave


@dataclass(frozen=True)
class FirstWave:
    """The candidates (``priority, rank, in_wave, ready`` plus their summary
    figures; the ready ones first, each group by priority) and the rule's
    parameters."""

    candidates: pd.DataFrame
    max_size: int
    cover: float

    @property
    def wave(self) -> pd.DataFrame:
        return self.candidates[self.candidates["in_wave"]]

    @property
    def next_ready(self) -> pd.DataFrame:
        """Ready candidates after the wave, by priority."""
        return self.candidates[self.candidates["ready"] & ~self.candidates["in_wave"]]

    @property
    def after_fix(self) -> pd.DataFrame:
        """Candidates whose data must be fixed first, by priority."""
        return self.candidates[~self.candidates["ready"]]

    @property
    def share_of_ready(self) -> float:
        """Share of the ready candidates' priority the wave holds."""
        total = self.candidates.loc[self.candidates["ready"], "priority"].sum()
        return float(self.wave["priority"].sum() / total) if total > 0 else 0.0


def first_wave(portfolio: Portfolio, max_size: int = WAVE_MAX, cover: float = WAVE_COVER) -> FirstWave:
    """The recommended first wave (the rule is in the module's docstring).

    Ties in priority are broken by institution id, so the same summaries
    always give the same wave.

    Examples
    --------
    >>> s = summary_frame([{"institution_id": i, "risk_adjusted_benefit": b, "prob_npv_positive": p, "data_quality": 90.0,
    ...                     "recommendation": {"verdict": v, "economic_verdict": e}}
    ...                    for i, b, p, v, e in [("A", 10e6, 0.9, "proceed", "proceed"), ("B", 50e6, 0.6, "pilot_first", "pilot_first"),
    ...                                          ("C", 80e6, 0.2, "do_not_proceed", "do_not_proceed"),
    ...                                          ("D", 90e6, 0.9, "fix_data_first", "proceed")]])
    >>> wave = first_wave(Portfolio(Path("."), pd.DataFrame(), s))
    >>> list(wave.wave.index), list(wave.after_fix.index)
    (['B'], ['D'])
    """
    s = portfolio.summaries
    verdicts = portfolio.verdicts()
    candidates = s[verdicts["economic_verdict"].isin(READY)].copy()
    candidates["verdict"] = verdicts.loc[candidates.index, "verdict"]
    candidates["ready"] = candidates["verdict"].isin(READY)
    benefit = candidates["risk_adjusted_benefit"].fillna(0.0).clip(lower=0.0)
    candidates["priority"] = benefit * candidates["prob_npv_positive"].fillna(0.0) * candidates["data_quality"].fillna(0.0) / 100.0
    candidates = candidates.rename_axis("institution_id").reset_index().sort_values(
        ["ready", "priority", "institution_id"], ascending=[False, False, True], kind="stable").set_index("institution_id")
    candidates["rank"] = np.arange(1, len(candidates) + 1)
    ready = candidates["priority"].where(candidates["ready"], 0.0)
    total = ready.sum()
    before = ready.cumsum().shift(fill_value=0.0)
    candidates["in_wave"] = candidates["ready"] & (before < cover * total - 1e-9) & (candidates["rank"] <= max_size) if total > 0 else False
    return FirstWave(candidates, max_size, cover)


# ------------------------------------------------------------------ by peer group and what is not known


def by_peer_group(portfolio: Portfolio, wave: FirstWave | None = None) -> pd.DataFrame:
    """Per peer group: complete reports, value at stake, risk-adjusted
    benefit (CNY a year), the NPV of the programmes that pay back (CNY),
    median overall score, candidates and first-wave members; largest value
    first, with a ``total`` row."""
    s = portfolio.summaries
    wave = wave or first_wave(portfolio)
    if s.empty:
        return pd.DataFrame(columns=["institutions", "value_at_stake", "risk_adjusted_benefit", "npv_positive", "median_score", "candidates",
                                     "first_wave"])
    frame = s.assign(npv_pos=s["npv"].clip(lower=0.0), candidate=s.index.isin(wave.candidates.index), wave=s.index.isin(wave.wave.index))
    grouped = frame.groupby("peer_group", dropna=False)
    table = pd.DataFrame({"institutions": grouped.size(), "value_at_stake": grouped["value_at_stake"].sum(),
                          "risk_adjusted_benefit": grouped["risk_adjusted_benefit"].sum(), "npv_positive": grouped["npv_pos"].sum(),
                          "median_score": grouped["score_overall"].median(), "candidates": grouped["candidate"].sum(),
                          "first_wave": grouped["wave"].sum()}).sort_values("value_at_stake", ascending=False, kind="stable")
    total = pd.DataFrame({"institutions": len(s), "value_at_stake": s["value_at_stake"].sum(),
                          "risk_adjusted_benefit": s["risk_adjusted_benefit"].sum(), "npv_positive": frame["npv_pos"].sum(),
                          "median_score": s["score_overall"].median(), "candidates": int(frame["candidate"].sum()),
                          "first_wave": int(frame["wave"].sum())}, index=["total"])
    return pd.concat([table, total])


@dataclass(frozen=True)
class Unknowns:
    """What the portfolio does not know: ids by reason, and the share of
    the portfolio's value at stake that rests on them."""

    failed: list[str]
    incomplete: list[str]
    """Fewer than half of the metrics reported (the verdict's reason ``incomplete_input``)."""
    poor_data: list[str]
    inconsistent: list[str]
    implausible: list[str]
    assumed_baselines: list[str]
    synthetic_peers: list[str]
    value_share_not_decision_grade: float
    """Share of value at stake held by institutions whose verdict is *fix the data first*."""


def unknowns(portfolio: Portfolio) -> Unknowns:
    """Failed runs, inputs that cannot carry a decision, and comparisons
    that rest mostly on assumed baselines."""
    s = portfolio.summaries

    def listed(column: str) -> list[str]:
        values = s.get(column, pd.Series(index=s.index, dtype=object))
        return sorted(i for i, v in values.items() if isinstance(v, list) and v)

    verdicts = portfolio.verdicts()
    not_grade = verdicts.index[verdicts["verdict"] == "fix_data_first"]
    total = s["value_at_stake"].clip(lower=0).sum()
    share = float(s.loc[not_grade, "value_at_stake"].clip(lower=0).sum() / total) if total > 0 else 0.0
    synthetic = s.get("synthetic_peers", pd.Series(index=s.index, dtype=object))
    recs = s.get("recommendation", pd.Series(index=s.index, dtype=object))
    incomplete = sorted(i for i, r in recs.items() if isinstance(r, dict) and "incomplete_input" in r.get("reasons", []))
    return Unknowns(sorted(portfolio.failures()["institution_id"]), incomplete, sorted(s.index[s["data_quality"] < MIN_DATA_QUALITY]),
                    listed("consistency_breaks"), listed("plausibility_warnings"),
                    sorted(s.index[s["public_benchmark_share"] < MIN_PUBLIC_SHARE]), sorted(i for i, v in synthetic.items() if v is True),
                    share)


# ------------------------------------------------------------------ clusters


@dataclass(frozen=True)
class Clusters:
    """Groups of institutions with similar six-dimension scores.

    Attributes
    ----------
    labels : pandas.Series
        Cluster number (1 = largest) per clustered institution.
    k : int
        Number of clusters, chosen by the highest mean silhouette.
    silhouettes : pandas.Series
        Mean silhouette by number of clusters tried.
    profiles : pandas.DataFrame
        Per cluster: institutions, mean score of each dimension and overall,
        total value at stake.
    sampled : int
        Institutions the clusters were formed on (all, or a seeded sample of
        :data:`CLUSTER_SAMPLE`).
    left_out : int
        Complete reports without all six scores (not clustered).
    """

    labels: pd.Series
    k: int
    silhouettes: pd.Series
    profiles: pd.DataFrame
    sampled: int
    left_out: int


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient (Rousseeuw 1987) with Euclidean distances.

    Examples
    --------
    >>> pts = np.array([[0.0, 0], [0, 1], [10, 0], [10, 1]])
    >>> round(silhouette(pts, np.array([1, 1, 2, 2])), 3)
    0.9
    """
    from scipy.spatial.distance import cdist

    distances = cdist(points, points)
    groups = np.unique(labels)
    if len(groups) < 2:
        return float("nan")
    sums = np.stack([distances[:, labels == g].sum(axis=1) for g in groups], axis=1)
    sizes = np.array([(labels == g).sum() for g in groups], dtype=float)
    own = np.searchsorted(groups, labels)
    own_size = sizes[own]
    a = np.where(own_size > 1, sums[np.arange(len(labels)), own] / np.maximum(own_size - 1, 1), 0.0)
    means = sums / sizes
    means[np.arange(len(labels)), own] = np.inf
    b = means.min(axis=1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def clusters(portfolio: Portfolio, seed: int = 0, k_range: range = CLUSTER_K) -> Clusters | None:
    """Clusters on the six dimension scores: Ward's hierarchical clustering
    (deterministic) cut at each number of clusters in ``k_range``; the number
    with the highest mean silhouette is kept (ties: fewer clusters). None
    when fewer than :data:`CLUSTER_MIN` institutions have all six scores.

    Notes
    -----
    Scores share one 0–100 scale, so they are clustered unscaled. Beyond
    :data:`CLUSTER_SAMPLE` institutions, clusters are formed on a sample
    drawn with ``seed`` and every other institution joins the nearest
    cluster centre.

    References
    ----------
    Ward, J. H. (1963). Hierarchical grouping to optimize an objective
    function. *JASA* 58(301). Rousseeuw, P. J. (1987). Silhouettes. *J.
    Comput. Appl. Math.* 20.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import cdist

    s = portfolio.summaries
    scores = s[list(SCORE_COLUMNS)].dropna().sort_index()
    if len(scores) < CLUSTER_MIN:
        return None
    points = scores.to_numpy(float)
    if len(points) > CLUSTER_SAMPLE:
        chosen = np.sort(np.random.default_rng(seed).choice(len(points), CLUSTER_SAMPLE, replace=False))
    else:
        chosen = np.arange(len(points))
    sample = points[chosen]
    tree = linkage(sample, method="ward")
    tried = {}
    cuts = {}
    for k in k_range:
        if k >= len(sample):
            break
        cut = fcluster(tree, k, criterion="maxclust")
        if len(np.unique(cut)) < 2:
            continue
        tried[k], cuts[k] = silhouette(sample, cut), cut
    if not tried:
        return None
    best = max(tried, key=lambda k: (round(tried[k], 6), -k))
    cut = cuts[best]
    centres = np.stack([sample[cut == g].mean(axis=0) for g in np.unique(cut)])
    labels = np.unique(cut)[cdist(points, centres).argmin(axis=1)]
    labels[chosen] = cut
    order = pd.Series(labels).value_counts().sort_index().sort_values(ascending=False, kind="stable").index
    renumber = {old: new for new, old in enumerate(order, start=1)}
    series = pd.Series([renumber[g] for g in labels], index=scores.index, name="cluster")
    joined = s.loc[scores.index].assign(cluster=series)
    grouped = joined.groupby("cluster")
    profiles = grouped[[*SCORE_COLUMNS, "score_overall"]].mean()
    profiles.insert(0, "institutions", grouped.size())
    profiles["value_at_stake"] = grouped["value_at_stake"].sum()
    return Clusters(series, best, pd.Series(tried, name="silhouette"), profiles, len(sample), int(len(s) - len(scores)))


def cluster_traits(profile: pd.Series, reference: pd.Series) -> tuple[str, str]:
    """The dimension a cluster is strongest and weakest in, relative to the
    portfolio's mean scores.

    Examples
    --------
    >>> p = pd.Series({f"score_{d}": 50.0 for d in DIMENSIONS} | {"score_cost": 80.0, "score_value": 20.0})
    >>> cluster_traits(p, pd.Series({f"score_{d}": 50.0 for d in DIMENSIONS}))
    ('cost', 'value')
    """
    difference = pd.Series({d: profile[f"score_{d}"] - reference[f"score_{d}"] for d in DIMENSIONS})
    return str(difference.idxmax()), str(difference.idxmin())


# ------------------------------------------------------------------ rankings


def ranking(frame: pd.DataFrame, column: str, ascending: bool = False, limit: int = LIST_LIMIT, ends: int = LIST_ENDS) -> tuple[pd.DataFrame, int]:
    """Rows ranked by ``column`` (rank column added): all of them up to
    ``limit`` rows, else the top and bottom ``ends``; also returns how many
    rows were left out in between.

    Examples
    --------
    >>> table, left_out = ranking(pd.DataFrame({"x": range(30)}), "x", limit=25, ends=3)
    >>> list(table["x"]), list(table["rank"]), left_out
    ([29, 28, 27, 2, 1, 0], [1, 2, 3, 28, 29, 30], 24)
    """
    ordered = frame.dropna(subset=[column]).sort_values(column, ascending=ascending, kind="stable").copy()
    ordered.insert(0, "rank", np.arange(1, len(ordered) + 1))
    if len(ordered) <= limit:
        return ordered, 0
    return pd.concat([ordered.head(ends), ordered.tail(ends)]), len(ordered) - 2 * ends


def productivity_across(portfolio: Portfolio) -> pd.DataFrame | None:
    """Malmquist productivity change of every institution of the run's panel
    from its first to its last period (fixed base; ``unit, peer_group,
    malmquist, efficiency_change, technical_change …``), or None when the
    panel has a single period or cannot be found."""
    from analysis_lib.benchmarking.frontier import FRONTIER_INPUTS, FRONTIER_OUTPUTS
    from analysis_lib.benchmarking.malmquist import malmquist
    from analysis_lib.intake.panel import load_panel
    from analysis_lib.review.productivity import frontier_panel

    rows = portfolio.manifest[portfolio.manifest["status"] == "ok"] if len(portfolio.manifest) else portfolio.manifest
    if rows.empty or "parameters" not in rows:
        return None
    try:
        panel_path = json.loads(rows["parameters"].iloc[0] or "{}").get("panel_path")
    except ValueError:
        return None
    if not panel_path or not Path(panel_path).is_file():
        return None
    panel = load_panel(panel_path)
    if len(panel.periods) < 2:
        return None
    periods = [panel.periods[0], panel.periods[-1]]
    result = malmquist(frontier_panel(panel, periods), list(FRONTIER_INPUTS), list(FRONTIER_OUTPUTS), unit="institution_id",
                       period="period", base="fixed").to_frame()
    groups = panel.at(periods[-1]).data.set_index("institution_id")["peer_group"]
    return result.assign(peer_group=result["unit"].map(groups))


# ------------------------------------------------------------------ display and rendering


def section(portfolio: Portfolio, key: str, language: str | None = None) -> str:
    """HTML of one portfolio section (see
    :data:`analysis_lib.batch.portfolio_report.SECTION_ORDER`), in
    ``language`` or the batch's."""
    from analysis_lib.batch.portfolio_report import section_html

    return section_html(portfolio, key, language or portfolio.language)


def show(portfolio: Portfolio, key: str, language: str | None = None):
    """Display one section in a notebook."""
    from IPython.display import HTML

    return HTML(section(portfolio, key, language))


def render_portfolio(run_dir: str | Path, formats: tuple[str, ...] = ("html", "pdf"), timeout: int = 600,
                     language: str | None = None) -> dict[str, Path | None]:
    """Execute the portfolio notebook for a run and write
    ``portfolio_summary.html`` (always: the index links it) and ``.pdf``
    (with ``"pdf"`` in ``formats``, when a browser is found) beside the
    run's index, in ``language`` (default: the batch's).

    Raises
    ------
    PortfolioError
        When the notebook fails (the executed notebook is kept under
        ``internal/``).
    OutputWriteError
        When the run folder cannot be written.
    """
    from papermill.exceptions import PapermillExecutionError

    from analysis_lib.report.export import (
        KERNEL_ARGUMENTS,
        PdfPrinter,
        is_output_error,
        notebook_to_html,
        output_error,
        partial_path,
        publish_notebook,
        run_notebook,
    )

    run_dir = Path(run_dir).resolve()
    language = language or load_portfolio(run_dir).language
    internal = run_dir / "internal"
    executed = internal / "portfolio_summary.ipynb"
    temporary = partial_path(executed)
    try:
        internal.mkdir(exist_ok=True)
        run_notebook(NOTEBOOK, temporary, parameters={"run_dir": str(run_dir), "language": language}, kernel_name="python3",
                     cwd=str(run_dir), progress_bar=False, log_output=False, request_save_on_cell_execute=False, execution_timeout=timeout,
                     extra_arguments=KERNEL_ARGUMENTS, shutdown_kernel="immediate")
    except PapermillExecutionError as exc:
        publish_notebook(temporary, executed)
        raise PortfolioError(f"portfolio summary failed in cell {exc.exec_count}: {exc.ename}: {' '.join(str(exc.evalue).split())[:300]} "
                             f"(notebook kept: {executed})") from None
    except OSError as exc:
        publish_notebook(temporary, executed)
        if is_output_error(exc):
            raise output_error(exc, executed) from None
        raise
    publish_notebook(temporary, executed)
    title = "CRM诊断组合汇总" if language == "zh" else "CRM diagnostic portfolio summary"
    html_path = notebook_to_html(executed, run_dir / "portfolio_summary.html", title, language)
    pdf_path = None
    if "pdf" in formats:
        with PdfPrinter() as printer:
            if printer.available:
                pdf_path = printer.print(html_path, run_dir / "portfolio_summary.pdf", "组合汇总" if language == "zh" else "Portfolio", language)
    return {"html": html_path, "pdf": pdf_path}
