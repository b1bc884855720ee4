"""Report production: execute the diagnostic notebook with papermill, convert
it to client HTML with nbconvert (no code, prompts, stderr or parameter
cells; images embedded; no network), and print the HTML to PDF with headless
Chromium (A4, header and footer with the institution, "Confidential", the
date and "page x of y").

Files appear under their final names only when complete: each is written to
a temporary name in the same folder and renamed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import html
import json
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis_lib.errors import OutputWriteError, WorkbookError
from analysis_lib.intake.identifiers import folder_name, formula_safe
from analysis_lib.reference.catalog import data_dir
from analysis_lib.report.fonts import PDF_FAMILIES
from analysis_lib.report.parameters import validate_parameters


def skip_iri_format_checks() -> None:
    """Keep ``jsonschema`` from loading its IRI format checker.

    ``nbformat`` (under papermill and nbconvert) validates notebooks with
    ``jsonschema``, which loads ``rfc3987_syntax`` when installed (JupyterLab
    brings it): it compiles an IRI grammar on import, about 0.9 s of CPU in
    every process that runs or converts a notebook, for a format notebooks
    never use. Marked as absent before ``jsonschema`` is first imported,
    the checker is simply not registered; afterwards this does nothing.

    Examples
    --------
    >>> skip_iri_format_checks()
    >>> import jsonschema  # quick now
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


skip_iri_format_checks()  # this module runs and converts the notebooks: before papermill or nbconvert is imported

ROOT = data_dir().parent
NOTEBOOK = ROOT / "notebooks" / "institution_diagnostic.ipynb"
TEMPLATE_DIR = Path(__file__).parent / "templates"
REMOVED_TAGS = {"parameters", "injected-parameters", "internal"}
INTERNAL_DIR = "internal"
"""Sub-folder for executed notebooks: internal artefacts, not for the client."""
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]
"""Kernel start-up chatter (e.g. the loopback TCP notice) stays out of the
consultant's terminal; errors still show. A report's kernel keeps no input
history: IPython would otherwise write every cell to one SQLite file shared
by all kernels (a synced write per cell, and parallel kernels waiting on
its lock)."""
BROWSER_ENV = "CRM_DIAG_CHROMIUM"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
NO_BROWSER_HELP = ("PDF not written: no Chromium browser found. Install one (Debian/Ubuntu: `apt-get install chromium`), "
                   f"or set {BROWSER_ENV}=/path/to/chrome; the HTML report is complete.")


class NotebookExecutionError(WorkbookError):
    """The diagnostic notebook failed; the partly executed notebook is kept."""


@dataclass(frozen=True)
class ReportFiles:
    """Paths of one report's files (``pdf`` is None when no browser)."""

    notebook: Path
    html: Path | None
    pdf: Path | None
    message: str = ""
    summary: Path | None = None
    pptx: Path | None = None
    xlsx: Path | None = None


OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})
"""Errors of the output location itself (disk full, quota, read-only,
permission): no report can be written until the user fixes them."""


def partial_path(path: Path) -> Path:
    """The temporary name a file is written under before its rename (hidden,
    same folder, same extension, the writing process's id, so that two
    processes never share one)."""
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


def output_error(exc: OSError, path: str | Path) -> OutputWriteError:
    """The user-facing error for an output that cannot be written.

    Examples
    --------
    >>> import errno
    >>> str(output_error(OSError(errno.ENOSPC, "No space left on device"), "/out/a.html"))
    'cannot write /out/a.html: No space left on device; free some space or choose another --out'
    """
    reason = exc.strerror or str(exc)
    hint = ("free some space or choose another --out" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
            else "choose a writable --out")
    return OutputWriteError(f"cannot write {path}: {reason}; {hint}")


def is_output_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a problem of the output location (see :data:`OUTPUT_ERRNOS`)."""
    return isinstance(exc, OutputWriteError) or (isinstance(exc, OSError) and exc.errno in OUTPUT_ERRNOS)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def publish(temporary: Path, path: Path) -> None:
    """Give a completely written temporary file its final name: flush it to
    disk first, then rename, then flush the folder entry.

    Raises
    ------
    OutputWriteError
        When the disk is full or the folder not writable (the temporary file
        is removed; nothing appears under the final name).
    """
    try:
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise output_error(exc, path) from None
    _sync_folder(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: to a temporary file in the same folder,
    flushed to disk, then renamed. Either the complete file appears under
    its final name or nothing does.

    Raises
    ------
    OutputWriteError
        When the disk is full or the folder is read-only or not writable.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_bytes(target, b"complete")
    >>> target.read_bytes(), [p.name for p in target.parent.iterdir()]
    (b'complete', ['a.txt'])
    """
    path = Path(path)
    temporary = partial_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as f:
            f.write(data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise output_error(exc, path) from None
    publish(temporary, path)


def write_csv(frame, path: Path, index: bool = True) -> Path:
    """Write a table as UTF-8 CSV for a spreadsheet: text cells that a
    spreadsheet would run as a formula (``= + - @``) are neutralised
    (:func:`analysis_lib.intake.identifiers.formula_safe`), and the file is
    written atomically.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> path = write_csv(pd.DataFrame({"name": ["=1+1", "ok"], "x": [-1.5, 2]}), Path(tempfile.mkdtemp()) / "t.csv", index=False)
    >>> print(path.read_text(encoding="utf-8").strip())
    name,x
    '=1+1,-1.5
    ok,2.0
    """
    safe = frame.map(formula_safe)
    if index:
        safe.index = safe.index.map(formula_safe)
    atomic_write_bytes(Path(path), safe.to_csv(index=index, lineterminator="\n").encode("utf-8"))
    return Path(path)


def papermill_path(path: str | Path) -> str:
    """A path as papermill must be given it: papermill fills ``{name}`` in
    paths from the parameters, so literal braces are doubled.

    Examples
    --------
    >>> papermill_path("/out/{ACME}/a.ipynb")
    '/out/{{ACME}}/a.ipynb'
    """
    return str(path).replace("{", "{{").replace("}", "}}")


KEEP_ON_ERROR_ENGINE = "crm-keep-on-error"


@lru_cache(maxsize=1)
def _register_keep_on_error_engine() -> str:
    """Register a papermill engine (nbclient's) that also saves the partly
    executed notebook when execution stops with a timeout or a dead kernel
    (papermill itself saves only on a cell error, unless it saves after
    every cell, which costs a full write per cell)."""
    from papermill.engines import NBClientEngine, papermill_engines

    class KeepOnErrorEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, keep_on_error=None, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except BaseException:
                if keep_on_error:
                    nb_man.output_path = keep_on_error  # the engine's final save then writes it there
                raise

    papermill_engines.register(KEEP_ON_ERROR_ENGINE, KeepOnErrorEngine)
    return KEEP_ON_ERROR_ENGINE


def run_notebook(notebook: str | Path, output: Path, **options: Any) -> None:
    """Execute ``notebook`` with papermill into ``output`` (a temporary
    name): paths passed literally (braces are not parameters), and the
    partly executed notebook written also when a cell times out or the
    kernel dies. ``options`` are ``papermill.execute_notebook``'s."""
    import papermill as pm

    pm.execute_notebook(papermill_path(notebook), papermill_path(output), engine_name=_register_keep_on_error_engine(),
                        keep_on_error=str(output), **options)


def publish_notebook(temporary: Path, output: Path):
    """Give an executed notebook written by papermill its final name, if it
    was written completely (it parses as a notebook); a truncated one (disk
    full mid-write) is removed instead. Returns the notebook read back (an
    ``nbformat.NotebookNode``) when it was published, else None."""
    import nbformat

    if not temporary.exists():
        return None
    try:
        executed = nbformat.read(str(temporary), as_version=4)
    except Exception:  # truncated or empty: never under a final name
        with contextlib.suppress(OSError):
            temporary.unlink()
        return None
    publish(temporary, output)
    return executed


def execute_notebook(params: dict[str, Any], output: Path, *, timeout: int | None = 900, kernel_name: str = "python3",
                     log_output: bool = False) -> Path:
    """Run the diagnostic notebook with papermill (parameters validated first).

    The executed notebook is an internal artefact: it keeps papermill's
    metadata and is never sent to the client. On failure it is kept under
    its final name (for diagnosis) and :class:`NotebookExecutionError` names
    the failing cell and exception.
    """
    from papermill.exceptions import PapermillExecutionError

    params = validate_parameters(params)
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, output.parent) from None
    temporary = partial_path(output)
    try:
        run_notebook(NOTEBOOK, temporary, parameters=params, kernel_name=kernel_name, cwd=str(ROOT), progress_bar=False,
                     log_output=log_output, request_save_on_cell_execute=False, execution_timeout=timeout,
                     extra_arguments=KERNEL_ARGUMENTS, shutdown_kernel="immediate")
    except PapermillExecutionError as exc:
        publish_notebook(temporary, output)
        raise NotebookExecutionError(f"notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}") from None
    except OSError as exc:
        publish_notebook(temporary, output)
        if is_output_error(exc):
            raise output_error(exc, output) from None
        raise
    if publish_notebook(temporary, output) is None:
        raise output_error(OSError(errno.EIO, "the executed notebook was not written completely"), output)
    return output


def client_preprocessors() -> list:
    """What the client HTML leaves out of an executed notebook: cells tagged
    internal (and the injected parameters), and stderr streams and warnings
    (the client sees results only)."""
    from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

    class RemoveStderr(Preprocessor):
        """Drop stderr streams and warnings."""

        def preprocess_cell(self, cell, resources, index):
            if cell.get("cell_type") == "code":
                cell.outputs = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            return cell, resources

    return [TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS, enabled=True), RemoveStderr(enabled=True)]


@lru_cache(maxsize=1)
def client_html_exporter():
    """The client-HTML exporter (built once per process: loading the
    template is not free)."""
    from nbconvert import HTMLExporter

    class ClientHTMLExporter(HTMLExporter):
        """nbconvert's HTML exporter without its pass over the finished page
        with BeautifulSoup, which adds alternative text to images without
        any and keyboard stops (``tabindex``) to code cells and outputs.
        The report's images all carry their alternative text, it has no
        code cells, and a printed report needs no keyboard stops: the pass
        would change nothing a reader sees, for a tenth of a second of
        parsing and re-serialising the whole report."""

        def from_notebook_node(self, nb, resources=None, **kw):
            from nbconvert.exporters.templateexporter import TemplateExporter
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            language = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(
                pygments_lexer=language.get("pygments_lexer", language.get("name")), parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                                            resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = ClientHTMLExporter(template_name="crm_report", extra_template_basedirs=[str(TEMPLATE_DIR)], exclude_input=True,
                                  exclude_input_prompt=True, exclude_output_prompt=True)
    for preprocessor in client_preprocessors():
        exporter.register_preprocessor(preprocessor, enabled=True)
    return exporter


def notebook_to_html(notebook, output: Path, report_title: str, language: str = "en") -> Path:
    """Client HTML of an executed notebook (a path, or a notebook already
    read), self-contained and without code."""
    import copy

    import nbformat

    nb = copy.deepcopy(notebook) if hasattr(notebook, "cells") else nbformat.read(str(notebook), as_version=4)
    nb.metadata["title"] = report_title
    body, _ = client_html_exporter().from_notebook_node(nb, resources={"metadata": {"name": report_title}})
    body = body.replace('<html lang="en">', f'<html lang="{"zh-CN" if language == "zh" else "en"}">', 1)
    atomic_write_bytes(Path(output), body.encode("utf-8"))
    return Path(output)


def find_browser() -> str | None:
    """A Chromium to print with: ``$CRM_DIAG_CHROMIUM``, then a system
    Chromium or Chrome, then Playwright's managed browser."""
    override = os.environ.get(BROWSER_ENV)
    if override:
        return override if Path(override).is_file() else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
            return path if Path(path).is_file() else None
    except Exception:  # playwright missing or without a managed browser
        return None


def _header_footer(institution: str, language: str) -> tuple[str, str]:
    confidential = "保密" if language == "zh" else "Confidential"
    date = dt.date.today().isoformat()
    # Chinese in a TrueType-outline font first: Chromium embeds CFF fonts (Noto Sans CJK) as Type 3.
    fonts = ("'Liberation Sans', Arial, " + ", ".join(f"'{f}'" for f in PDF_FAMILIES) + ", 'Noto Sans CJK SC', sans-serif; font-synthesis: none"
             if language == "zh" else "'Noto Sans', 'Liberation Sans', Arial, sans-serif")
    style = f"font-family: {fonts}; font-size: 8px; color: #5B6673; width: 100%; padding: 0 14mm;"
    header = (f'<div style="{style} display: flex; justify-content: space-between;"><span>{html.escape(institution)}</span>'
              f"<span>{confidential}</span></div>")
    pages = ('第 <span class="pageNumber"></span> 页，共 <span class="totalPages"></span> 页' if language == "zh" else
             'Page <span class="pageNumber"></span> of <span class="totalPages"></span>')
    footer = f'<div style="{style} display: flex; justify-content: space-between;"><span>{date}</span><span>{pages}</span></div>'
    return header, footer


class PdfPrinter:
    """One headless Chromium and one tab, reused for every PDF: starting a
    browser, or even a tab (a renderer process), costs more than printing.
    Each report is a new navigation of the tab, so nothing carries over
    between reports (the reports are static HTML without scripts). Use as a
    context manager."""

    def __init__(self, browser_path: str | None = None) -> None:
        self.browser_path = browser_path or find_browser()
        self._playwright = None
        self._browser = None
        self._page = None

    def __enter__(self) -> PdfPrinter:
        if self.browser_path is None:
            return self
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=self.browser_path, args=CHROMIUM_ARGS, headless=True)
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    @property
    def available(self) -> bool:
        return self._browser is not None

    def warm_up(self) -> None:
        """Open the tab and lay out a line in the report's fonts (Latin and
        Chinese), so that the first real report prints as fast as the rest."""
        if self._browser is None:
            return
        self._open_tab()
        css = (TEMPLATE_DIR / "crm_report" / "report.css").read_text(encoding="utf-8")
        chinese = ", ".join(f"'{f}'" for f in PDF_FAMILIES)
        self._page.set_content(f"<html><head><style>{css}</style></head><body><p>CRM diagnostic 0123456789</p>"
                               f'<p lang="zh-CN" style="font-family: {chinese}, sans-serif">客户关系管理诊断</p></body></html>')
        self._page.pdf(format="A4")

    def _open_tab(self) -> None:
        """The tab, opened if need be, laying pages out for print from the
        start: a report is then laid out once rather than for the screen
        on loading and again for print (the PDF is the same)."""
        if self._page is None or self._page.is_closed():
            self._page = self._browser.new_page()
            self._page.emulate_media(media="print")

    def print(self, html_path: Path, pdf_path: Path, institution: str, language: str = "en") -> Path:
        """Print one HTML file to PDF (atomically)."""
        if self._browser is None:
            raise WorkbookError(NO_BROWSER_HELP)
        header, footer = _header_footer(institution, language)
        self._open_tab()
        try:
            self._page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            pdf = self._page.pdf(format="A4", print_background=True, display_header_footer=True, header_template=header,
                                 footer_template=footer, margin={"top": "18mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
        except Exception:
            with contextlib.suppress(Exception):  # a fresh tab for the next report
                self._page.close()
            raise
        atomic_write_bytes(Path(pdf_path), pdf)
        return Path(pdf_path)


def render_report(out_dir: str | Path, formats: tuple[str, ...] = ("html", "pdf"), printer: PdfPrinter | None = None,
                  timeout: int | None = 900, deck_template: str | None = None, **params: Any) -> ReportFiles:
    """Execute, convert and print one institution's report into ``out_dir``.

    Returns the files written; without a browser the PDF is skipped and the
    message says how to get one.

    Examples
    --------
    >>> import tempfile
    >>> files = render_report(tempfile.mkdtemp(), formats=("html",), institution_id="CITY-01", mc_draws=2000)  # doctest: +SKIP
    """
    from analysis_lib.report.deck import check_template
    from analysis_lib.report.deliverables import exports_of, write_deliverables

    params = validate_parameters({**params, "exports": exports_of(formats)})
    deck_template = check_template(deck_template) if "pptx" in formats else ""
    out = Path(out_dir)
    stem = folder_name(params["institution_id"])
    notebook = execute_notebook(params, out / INTERNAL_DIR / f"{stem}.ipynb", timeout=timeout)
    summary_path = write_summary(notebook, out / f"{stem}.summary.json")
    deliverables = write_deliverables(notebook, out, stem, formats, deck_template)
    title = f"{params['institution_id']} — CRM diagnostic" if params["language"] == "en" else f"{params['institution_id']} — CRM诊断报告"
    html_path = notebook_to_html(notebook, out / f"{stem}.html", title, params["language"]) if {"html", "pdf"} & set(formats) else None
    pdf_path, message = None, ""
    if "pdf" in formats and html_path is not None:
        pdf_path, message = print_pdf(html_path, out / f"{stem}.pdf", params["institution_id"], params["language"], printer)
    if "html" not in formats and html_path is not None:
        html_path.unlink()
        html_path = None
    return ReportFiles(notebook, html_path, pdf_path, message, summary_path, deliverables.pptx, deliverables.xlsx)


def write_summary(notebook: Path, path: Path) -> Path | None:
    """Write the key results recorded in an executed notebook as JSON (the
    ``summary.json`` of a batch run), atomically; None when the notebook
    recorded none."""
    from analysis_lib.report.summary import read_summary

    summary = read_summary(notebook)
    if summary is None:
        return None
    atomic_write_bytes(Path(path), json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
    return Path(path)


def print_pdf(html_path: Path, pdf_path: Path, institution_id: str, language: str,
              printer: PdfPrinter | None = None) -> tuple[Path | None, str]:
    """Print one report's HTML to PDF with the given printer, or with a
    browser of its own; ``(None, help message)`` when no browser exists."""
    if printer is not None and printer.available:
        return printer.print(html_path, pdf_path, institution_id, language), ""
    with PdfPrinter() as own:
        if own.available:
            return own.print(html_path, pdf_path, institution_id, language), ""
    return None, NO_BROWSER_HELP
