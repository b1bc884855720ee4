"""Portfolio summary of a batch run: league table, distribution of the
six-dimension scores, total value at stake, the most and least efficient
institutions on the DEA frontier, productivity change (Malmquist EC × TC)
when the panel has several periods, and the failures.

Built from the per-institution ``summary.json`` files and ``manifest.csv``
of a run folder; shown by ``notebooks/portfolio_summary.ipynb`` and exported
to HTML and PDF beside the run's ``index.html``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, WorkbookError
from analysis_lib.reference.catalog import DIMENSIONS

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "portfolio_summary.ipynb"
SUMMARY_FIELDS = ("name", "peer_group", "score_overall", *[f"score_{d}" for d in DIMENSIONS], "dea_crs", "value_at_stake", "npv")
"""Fields of ``summary.json`` the portfolio shows (present, possibly empty,
even when no report succeeded)."""


class PortfolioError(WorkbookError):
    """The portfolio summary of a run could not be made."""


@dataclass(frozen=True)
class Portfolio:
    """A batch run's results."""

    run_dir: Path
    manifest: pd.DataFrame
    summaries: pd.DataFrame

    def league_table(self) -> pd.DataFrame:
        """Institutions by overall score, best first."""
        columns = ["name", "peer_group", "score_overall", *[f"score_{d}" for d in DIMENSIONS], "dea_crs", "value_at_stake", "npv"]
        table = self.summaries.reindex(columns=columns).sort_values("score_overall", ascending=False)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        return table

    def failures(self) -> pd.DataFrame:
        return self.manifest[self.manifest["status"] != "ok"][["institution_id", "status", "error"]]

    def totals(self) -> dict[str, float]:
        s = self.summaries
        return {"institutions": int(len(self.manifest)), "complete": int(len(s)), "failed": int(len(self.failures())),
                "value_at_stake": float(s["value_at_stake"].sum()) if len(s) else 0.0,
                "npv_positive": int((s["npv"] > 0).sum()) if len(s) else 0}


TEXT_FIELDS = ("programme_initiatives", "programme_recommended", "dropped_initiatives", "cost_lines", "plausibility_warnings",
               "consistency_breaks")
"""Summary fields that are lists, mappings or flags rather than numbers."""


def load_portfolio(run_dir: str | Path) -> Portfolio:
    """Read a run folder's manifest and summaries.

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
    for _, row in manifest[manifest["status"] == "ok"].iterrows():
        summary_path = run_dir / row["folder"] / "summary.json"
        if summary_path.is_file():
            rows.append({**json.loads(summary_path.read_text(encoding="utf-8")), "institution_id": row["institution_id"]})
    summaries = pd.DataFrame(rows).set_index("institution_id") if rows else pd.DataFrame(columns=list(SUMMARY_FIELDS))
    summaries = summaries.reindex(columns=list(dict.fromkeys([*summaries.columns, *SUMMARY_FIELDS])))
    for column in summaries.columns:
        if column not in ("name", "peer_group", "input_sha256", *TEXT_FIELDS):
            summaries[column] = pd.to_numeric(summaries[column], errors="coerce")
    return Portfolio(run_dir, manifest, summaries)


# ------------------------------------------------------------------ display


def _score_distribution(portfolio: Portfolio):
    from analysis_lib.report import charts
    from analysis_lib.report.text import dimension_label

    fig, ax = charts._figure(3.0, "en")
    data = [portfolio.summaries[f"score_{d}"].dropna().to_numpy() for d in DIMENSIONS]
    ax.boxplot(data, tick_labels=[dimension_label(d, "en") for d in DIMENSIONS], patch_artist=True,
               boxprops={"facecolor": charts.PALETTE["light"]}, medianprops={"color": charts.PALETTE["ink"]})
    ax.set_ylim(0, 100)
    ax.set_ylabel("Score (0-100)")
    ax.set_title("Six-dimension scores across the portfolio")
    return fig


def _frontier_extremes(portfolio: Portfolio, count: int = 5) -> pd.DataFrame:
    table = portfolio.summaries[["name", "peer_group", "dea_crs"]].dropna(subset=["dea_crs"]).sort_values("dea_crs")
    return pd.concat([table.tail(count).iloc[::-1].assign(position="most efficient"), table.head(count).assign(position="least efficient")])


def productivity_across(portfolio: Portfolio) -> pd.DataFrame | None:
    """Malmquist productivity change of every institution of the run's panel
    from its first to its last period (fixed base; ``unit, peer_group,
    malmquist, efficiency_change, technical_change …``), or None when the
    panel has a single period."""
    from analysis_lib.benchmarking.frontier import FRONTIER_INPUTS, FRONTIER_OUTPUTS
    from analysis_lib.benchmarking.malmquist import malmquist
    from analysis_lib.intake.panel import load_panel
    from analysis_lib.review.productivity import frontier_panel

    rows = portfolio.manifest[portfolio.manifest["status"] == "ok"]
    if rows.empty:
        return None
    panel_path = json.loads(rows["parameters"].iloc[0] or "{}").get("panel_path")
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


def _productivity_section(portfolio: Portfolio) -> str:
    from analysis_lib.report.rendering import esc, figure_html, table_html
    from analysis_lib.report.review_charts import productivity_quadrant

    across = productivity_across(portfolio)
    if across is None:
        return ""
    first, last = across["period_from"].iloc[0], across["period_to"].iloc[0]
    ran = across[across["unit"].isin(portfolio.summaries.index)]
    labels = {"x": "Efficiency change EC (catching up)", "y": "Technical change TC (frontier shift)", "others": "Other institutions",
              "peers": "In this batch", "catch_up_frontier_up": "catching up, frontier advancing",
              "fall_behind_frontier_up": "falling behind an advancing frontier", "catch_up_frontier_down": "catching up, frontier receding",
              "fall_behind_frontier_down": "falling behind, frontier receding"}
    marked = across.assign(peer_group=np.where(across["unit"].isin(portfolio.summaries.index), "batch", "other"))
    fig = productivity_quadrant(marked, "", "batch", "en", f"Productivity change {first}→{last}: EC × TC", labels)
    shown = pd.DataFrame({"Institution": ran["unit"], "Peer group": ran["peer_group"], "Malmquist M": ran["malmquist"].round(3),
                          "EC": ran["efficiency_change"].round(3), "TC": ran["technical_change"].round(3)}).sort_values("Malmquist M")
    intro = (f"<p>Malmquist productivity index of the CRM production model (CRM cost and employees for customers and revenue) from "
             f"{esc(first)} to {esc(last)}, every institution of the panel forming each period's frontier; M &gt; 1 is growth, "
             "M = EC × TC.</p>")
    return (f'<section class="report-section"><h2>Productivity change across institutions</h2>{intro}{figure_html(fig, "quadrant")}'
            f"{table_html(shown, 'small')}</section>")


def section(portfolio: Portfolio, key: str) -> str:
    """HTML of one portfolio section: ``overview``, ``league``, ``scores``,
    ``frontier``, ``warnings``, ``productivity`` (when the panel has several
    periods, else empty), ``failures``."""
    from analysis_lib.report.rendering import esc, figure_html, table_html
    from analysis_lib.report.text import money_m

    totals = portfolio.totals()
    if key == "overview":
        body = (f"<h1>CRM diagnostic portfolio summary</h1><p>{totals['complete']} of {totals['institutions']} institutions complete, "
                f"{totals['failed']} failed. Total value at stake {esc(money_m(totals['value_at_stake']))} a year; the upgrade "
                f"programme has a positive NPV for {totals['npv_positive']} of them.</p>")
        return f'<section class="report-section section-cover">{body}</section>'
    if not len(portfolio.summaries) and key in ("league", "scores", "frontier"):
        return ""  # no report succeeded: the overview and the failures say so
    if key == "league":
        table = portfolio.league_table()
        shown = pd.DataFrame({
            "#": table["rank"], "Institution": [f"{n} ({i})" for i, n in zip(table.index, table["name"])], "Peer group": table["peer_group"],
            "Overall": table["score_overall"].round(0), **{d.capitalize(): table[f"score_{d}"].round(0) for d in DIMENSIONS},
            "DEA θ": table["dea_crs"].round(2), "Value at stake (CNY m)": (table["value_at_stake"] / 1e6).round(1),
        })
        return f'<section class="report-section"><h2>League table</h2>{table_html(shown, "small")}</section>'
    if key == "scores":
        fig = figure_html(_score_distribution(portfolio), "score distribution")
        return f'<section class="report-section"><h2>Score distributions</h2>{fig}</section>'
    if key == "frontier":
        extremes = _frontier_extremes(portfolio)
        shown = pd.DataFrame({"Position": extremes["position"], "Institution": [f"{n} ({i})" for i, n in zip(extremes.index, extremes["name"])],
                              "Peer group": extremes["peer_group"], "DEA θ (CRS)": extremes["dea_crs"].round(3)})
        return f'<section class="report-section"><h2>Frontier efficiency: leaders and laggards</h2>{table_html(shown)}</section>'
    if key == "warnings":
        rows = [(i, "; ".join(w)) for i, w in portfolio.summaries.get("plausibility_warnings", pd.Series(dtype=object)).items()
                if isinstance(w, list) and w]
        body = (table_html(pd.DataFrame(rows, columns=["Institution", "Plausibility warnings"])) if rows else
                "<p>Every institution is within the plausibility bounds of data/plausibility.csv.</p>")
        return f'<section class="report-section"><h2>Plausibility warnings</h2>{body}</section>'
    if key == "productivity":
        return _productivity_section(portfolio)
    if key == "failures":
        failures = portfolio.failures()
        body = table_html(failures.rename(columns=str.capitalize)) if len(failures) else "<p>No failures.</p>"
        return f'<section class="report-section"><h2>Failures</h2>{body}</section>'
    raise KeyError(f"unknown portfolio section {key!r}")


def show(portfolio: Portfolio, key: str):
    """Display one section in a notebook."""
    from IPython.display import HTML

    return HTML(section(portfolio, key))


def render_portfolio(run_dir: str | Path, formats: tuple[str, ...] = ("html", "pdf"), timeout: int = 600) -> dict[str, Path | None]:
    """Execute the portfolio notebook for a run and write
    ``portfolio_summary.html`` (always: the index links it) and ``.pdf``
    (with ``"pdf"`` in ``formats``, when a browser is found) beside the
    run's index.

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
    internal = run_dir / "internal"
    executed = internal / "portfolio_summary.ipynb"
    temporary = partial_path(executed)
    try:
        internal.mkdir(exist_ok=True)
        run_notebook(NOTEBOOK, temporary, parameters={"run_dir": str(run_dir)}, kernel_name="python3", cwd=str(run_dir),
                     progress_bar=False, log_output=False, request_save_on_cell_execute=False, execution_timeout=timeout,
                     extra_arguments=KERNEL_ARGUMENTS)
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
    html_path = notebook_to_html(executed, run_dir / "portfolio_summary.html", "CRM diagnostic portfolio summary")
    pdf_path = None
    if "pdf" in formats:
        with PdfPrinter() as printer:
            if printer.available:
                pdf_path = printer.print(html_path, run_dir / "portfolio_summary.pdf", "Portfolio", "en")
    return {"html": html_path, "pdf": pdf_path}

