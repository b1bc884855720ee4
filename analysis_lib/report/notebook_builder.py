"""The notebooks, written from the library so that they stay in step with
it: the diagnostic notebook's ``parameters`` cell comes from the parameter
schema and its sections from :data:`rendering.SECTION_ORDER`; the portfolio
summary reads a batch run; the explore notebook shows a consultant how to
query the library for one institution in JupyterLab; the progress review's
``parameters`` cell comes from the review's defaults and its sections from
:data:`review_sections.REVIEW_SECTIONS`.

``make notebooks`` rewrites them; a test checks that the committed notebooks
are what this module writes.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from analysis_lib.report.parameters import parameters_cell_source

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
PORTFOLIO_SECTIONS = ("cover", "summary", "first_wave", "matrix", "peer_groups", "clusters", "rankings", "productivity", "unknowns", "method")
"""The portfolio summary's sections (``analysis_lib.batch.portfolio_report.SECTION_ORDER``, a later
stage, which a test holds equal to this)."""


def _new_notebook() -> nbformat.NotebookNode:
    """An empty notebook for the project's Python kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _tagged(cell, *tags: str):
    cell.metadata["tags"] = list(tags)
    return cell


def diagnostic_notebook() -> nbformat.NotebookNode:
    """The institution diagnostic: parameters, one library call, one cell per
    part of the report (:data:`rendering.REPORT_PARTS`), and the
    machine-readable summary."""
    from analysis_lib.report.rendering import REPORT_PARTS

    nb = _new_notebook()
    nb.cells = [
        _tagged(nbformat.v4.new_markdown_cell(
            "# Institution diagnostic\n\n"
            "Run top to bottom for one institution. Change the parameters in the next cell, or run it with papermill:\n\n"
            "`papermill notebooks/institution_diagnostic.ipynb out.ipynb -p institution_id CITY-02 -p language zh`\n\n"
            "Every computation lives in `analysis_lib`; each cell below shows one part of the client report."), "internal"),
        _tagged(nbformat.v4.new_code_cell(parameters_cell_source()), "parameters"),
        _tagged(nbformat.v4.new_code_cell(
            "from analysis_lib.report.diagnostic import run_diagnostic\n"
            "from analysis_lib.report.rendering import show\n\n"
            "diag = run_diagnostic(\n"
            "    institution_id=institution_id, panel_path=panel_path, peer_group=peer_group, target_set=target_set,\n"
            "    discount_rate=discount_rate, horizon_years=horizon_years, scenario=scenario, language=language, seed=seed,\n"
            "    customer_extract=customer_extract, customer_mapping=customer_mapping, mc_draws=mc_draws, prepared_by=prepared_by,\n"
            "    commentary=commentary, exports=exports,\n"
            ")"), "internal"),
        *[nbformat.v4.new_code_cell("show(diag, " + ", ".join(f'"{key}"' for key in part) + ")") for part in REPORT_PARTS],
        _tagged(nbformat.v4.new_code_cell(
            "from IPython.display import display\n"
            "from analysis_lib.report.deliverables import record_exports\n"
            "from analysis_lib.report.diagnostic import record_summary\n\n"
            "display(record_summary(diag), raw=True)\n"
            "display(record_exports(diag), raw=True)"), "internal"),
    ]
    return nb


def portfolio_notebook() -> nbformat.NotebookNode:
    """The portfolio summary of a batch run."""
    nb = _new_notebook()
    nb.cells = [
        _tagged(nbformat.v4.new_markdown_cell("# Portfolio summary\n\nRun with the folder of a batch run: "
                                              "`papermill notebooks/portfolio_summary.ipynb out.ipynb -p run_dir outputs/<run-id>`."),
                "internal"),
        _tagged(nbformat.v4.new_code_cell('run_dir: str = "outputs/demo-batch"  # Folder of a batch run (holds manifest.csv)\n'
                                          'language: str = ""  # en or zh; empty: the language of the batch\'s reports'), "parameters"),
        _tagged(nbformat.v4.new_code_cell("from analysis_lib.batch.portfolio import load_portfolio, show\n\nportfolio = load_portfolio(run_dir)"),
                "internal"),
        *[nbformat.v4.new_code_cell(f'show(portfolio, "{key}", language)') for key in PORTFOLIO_SECTIONS],
    ]
    return nb


def _with_stable_ids(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Number the cells (``cell-00``, ``cell-01``, …) so that rewriting an
    unchanged notebook gives the same file."""
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:02d}"
    return nb


def explore_notebook() -> nbformat.NotebookNode:
    """Interactive exploration of one institution: every cell a library call."""
    nb = _new_notebook()
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb.cells = [
        md("# Explore one institution\n\n"
           "Ask the library questions about one client without copying its code. Change the parameters below and run the "
           "cells in order (in JupyterLab: *Run → Run All Cells*). The client report itself comes from "
           "`institution_diagnostic.ipynb`."),
        _tagged(code('institution_id = "CITY-02"  # the institution to explore\n'
                     'metric_id = "tco_per_customer"  # a KPI id from data/metrics.csv\n'
                     'driver = "benefit_realisation"  # a business-case driver for the what-if\n'
                     "driver_values = [0.5, 0.65, 0.8, 0.95]  # values to try"), "parameters"),
        code("from analysis_lib.report.diagnostic import run_diagnostic\n\n"
             "diag = run_diagnostic(institution_id=institution_id, mc_draws=2000)\n"
             "diag.scores()"),
        md("## Where does it stand on one KPI?\n\nIts value, the peer median, its performance percentile (100 = best) and "
           "what the comparison rests on."),
        code('diag.scorecard().set_index("metric_id").loc[metric_id, '
             '["label_en", "value", "peer_median", "percentile", "quartile", "rag", "n_peers", "reference"]]'),
        md("## Which peers does it learn from?"),
        code("diag.learning_peers"),
        md("## What if the programme delivered more or less of its benefits?\n\n"
           "NPV, IRR and payback with one driver changed, everything else as in the base case."),
        code("from analysis_lib.roi.what_if import what_if\n\n"
             "what_if(diag.case_inputs, driver, driver_values)"),
    ]
    return nb


def review_parameters_source() -> str:
    """The progress review's ``parameters`` cell, from the review's defaults
    and help texts."""
    from analysis_lib.review.progress import REVIEW_DEFAULTS, REVIEW_HELP

    return "\n".join(f"{name}: str = {value!r}  # {REVIEW_HELP[name]}" for name, value in REVIEW_DEFAULTS.items())


def review_notebook() -> nbformat.NotebookNode:
    """The progress review: parameters, one library call, one cell per
    report section, and the machine-readable summary."""
    from analysis_lib.report.review_sections import REVIEW_SECTIONS

    nb = _new_notebook()
    nb.cells = [
        _tagged(nbformat.v4.new_markdown_cell(
            "# Progress review\n\n"
            "The evaluate phase for a client diagnosed earlier: KPI trends against the baseline and targets, productivity change, "
            "benefits realised, earned value and the revised business case. Change the parameters in the next cell, or run it with "
            "papermill:\n\n"
            "`papermill notebooks/progress_review.ipynb out.ipynb -p institution_id CITY-02 -p review_period 2025 -p language zh`"),
            "internal"),
        _tagged(nbformat.v4.new_code_cell(review_parameters_source()), "parameters"),
        _tagged(nbformat.v4.new_code_cell(
            "from analysis_lib.report.review_sections import show_review\n"
            "from analysis_lib.review.progress import run_review\n\n"
            "review = run_review(\n"
            "    institution_id=institution_id, panel_path=panel_path, baseline_period=baseline_period, review_period=review_period,\n"
            "    diagnosis_summary=diagnosis_summary, actuals_path=actuals_path, language=language,\n"
            ")"), "internal"),
        *[nbformat.v4.new_code_cell(f'show_review(review, "{key}")') for key in REVIEW_SECTIONS],
        _tagged(nbformat.v4.new_code_cell(
            "from IPython.display import display\n"
            "from analysis_lib.report.review_sections import record_review_summary\n\n"
            "display(record_review_summary(review), raw=True)"), "internal"),
    ]
    return nb


NOTEBOOKS = {"institution_diagnostic.ipynb": diagnostic_notebook, "portfolio_summary.ipynb": portfolio_notebook,
             "explore_institution.ipynb": explore_notebook, "progress_review.ipynb": review_notebook}


def write_notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """Write the notebooks (without outputs) and return their paths."""
    written = []
    for name, build in NOTEBOOKS.items():
        path = Path(directory) / name
        nbformat.write(_with_stable_ids(build()), str(path))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write_notebooks():
        print(f"wrote {path}")
