"""Progress-review production: execute ``notebooks/progress_review.ipynb``
with papermill, convert it to client HTML and print it to PDF with the
diagnostic's exporter and printer (:mod:`analysis_lib.report.export`).
Files appear under their final names only when complete."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from analysis_lib.intake.identifiers import folder_name
from analysis_lib.report.export import (
    INTERNAL_DIR,
    KERNEL_ARGUMENTS,
    ROOT,
    NotebookExecutionError,
    PdfPrinter,
    ReportFiles,
    notebook_to_html,
    partial_path,
    print_pdf,
    write_summary,
)
from analysis_lib.review.progress import validate_review_parameters

REVIEW_NOTEBOOK = ROOT / "notebooks" / "progress_review.ipynb"


def execute_review(params: dict[str, Any], output: Path, *, timeout: int | None = 900) -> Path:
    """Run the progress-review notebook with papermill (parameters checked
    first); on failure the partly executed notebook is kept and
    :class:`NotebookExecutionError` names the cell and exception."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    params = validate_review_parameters(params)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = partial_path(output)
    try:
        pm.execute_notebook(str(REVIEW_NOTEBOOK), str(temporary), parameters=params, kernel_name="python3", cwd=str(ROOT),
                            progress_bar=False, request_save_on_cell_execute=False, execution_timeout=timeout,
                            extra_arguments=KERNEL_ARGUMENTS, shutdown_kernel="immediate")
    except PapermillExecutionError as exc:
        if temporary.exists():
            os.replace(temporary, output)
        raise NotebookExecutionError(f"progress review failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}") from None
    os.replace(temporary, output)
    return output


def render_review(out_dir: str | Path, formats: tuple[str, ...] = ("html", "pdf"), printer: PdfPrinter | None = None,
                  timeout: int | None = 900, **params: Any) -> ReportFiles:
    """Execute, convert and print one institution's progress review into
    ``out_dir`` as ``<id>.review-<period>.html``/``.pdf`` and
    ``.summary.json``.

    Examples
    --------
    >>> import tempfile
    >>> files = render_review(tempfile.mkdtemp(), formats=("html",), institution_id="CITY-02")  # doctest: +SKIP
    """
    params = validate_review_parameters(params)
    out = Path(out_dir)
    stem = f"{folder_name(params['institution_id'])}.review-{params['review_period']}" + (".zh" if params["language"] == "zh" else "")
    notebook = execute_review(params, out / INTERNAL_DIR / f"{stem}.ipynb", timeout=timeout)
    summary_path = write_summary(notebook, out / f"{stem}.summary.json")
    title = (f"{params['institution_id']} — CRM programme progress review" if params["language"] == "en" else
             f"{params['institution_id']} — CRM升级项目进展评估")
    html_path = notebook_to_html(notebook, out / f"{stem}.html", title, params["language"])
    pdf_path, message = None, ""
    if "pdf" in formats:
        pdf_path, message = print_pdf(html_path, out / f"{stem}.pdf", params["institution_id"], params["language"], printer)
    if "html" not in formats:
        html_path.unlink()
        html_path = None
    return ReportFiles(notebook, html_path, pdf_path, message, summary_path)


PLACEHOLDER = "{institution_id}"


def review_batch_parameters(params: dict[str, Any], ids: list[str], panel: str | Path) -> dict[str, dict[str, Any]]:
    """Checked progress-review parameters of each institution of a batch.

    ``diagnosis_summary`` and ``actuals_path`` may hold ``{institution_id}``
    (e.g. ``outputs/run-2024/{institution_id}/summary.json``, the summaries
    of last year's batch); every institution's files are checked before any
    kernel starts and the missing ones are listed together.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> sample = data_dir() / "sample"
    >>> checked = review_batch_parameters({"diagnosis_summary": str(sample / "review" / "{institution_id}.summary.json"),
    ...     "actuals_path": ""}, ["CITY-02"], sample / "institutions_history.csv")
    >>> Path(checked["CITY-02"]["diagnosis_summary"]).name
    'CITY-02.summary.json'
    """
    from analysis_lib.errors import ParameterError

    checked, problems = {}, []
    for institution in ids:
        values = {k: (v.replace(PLACEHOLDER, institution) if isinstance(v, str) else v) for k, v in params.items()}
        values.update(institution_id=institution, panel_path=str(panel))
        try:
            checked[institution] = validate_review_parameters(values)
        except ParameterError as exc:
            problems.append(f"{institution}: {exc}")
    if problems:
        raise ParameterError("progress review inputs missing or invalid:\n" + "\n".join(problems[:20]))
    return checked
