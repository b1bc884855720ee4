"""Batch runs: the diagnostic for many institutions, in parallel local
processes or on a Dask cluster, fault-isolated and resumable.

Layout of a run, ``<out>/<run-id>/``:

- ``<folder>/`` per institution (a safe folder name, see
  :func:`analysis_lib.intake.identifiers.folder_name`): the HTML and PDF reports,
  ``summary.json`` (key results recorded by the notebook) and
  ``internal/<folder>.ipynb`` (the executed notebook, kept also on failure);
- ``manifest.csv``: institution, status, start, duration, error excerpt
  (failing cell and exception), input hash, parameters, files;
- ``index.html``: every report with its status.

Every institution runs in its own kernel, never shared or reused; kernels
are forked from a warm kernel server (:mod:`analysis_lib.batch.kernels`: one per
local batch, one per Dask worker) so that none pays for Python start-up and
imports. A local batch's driver prints the PDFs (one Chromium tab per four
workers, :class:`Printers`) while its workers go on with the next
notebooks; a Dask worker prints its own in one tab. A failure, a
kernel that dies or a timeout is recorded and the batch goes on. Files appear under
their final names only when complete (written to a temporary name, flushed
to disk, renamed); the manifest is rewritten after every institution, so a
batch killed midway resumes cleanly (``resume=True`` re-runs only failed or
missing institutions).

A run folder also holds ``run.json`` (the parameters, the panel's SHA-256
and the code version the run was started with), which a resume must match,
and ``.lock``, held by the batch driver while it runs, so that two drivers
never work in one folder. Local workers die with their driver (Linux:
parent-death signal) and take their kernels and browser with them. A disk
that fills up or an output folder that cannot be written stops the batch
cleanly (:class:`analysis_lib.errors.OutputWriteError`): the manifest keeps
what was complete.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from analysis_lib.errors import InputDataError, OutputWriteError, ParameterError, UnreadableFileError
from analysis_lib.intake.identifiers import ID_RULE, folder_name, formula_safe, id_problem, normalise_id

MANIFEST_COLUMNS = ("institution_id", "folder", "status", "started", "duration_s", "error", "input_sha256", "parameters", "html", "pdf",
                    "warnings", "pptx", "xlsx")
STATUSES = ("ok", "failed", "timeout", "kernel_died")
KERNEL_START_RETRIES = 3
RUN_RECORD = "run.json"
LOCK_FILE = ".lock"
COLD_KERNELS_ENV = "CRM_DIAG_COLD_KERNELS"
"""Set (to anything) to start every kernel the ordinary way instead of
forking it from a warm kernel server (see :mod:`analysis_lib.batch.kernels`)."""


@dataclass(frozen=True)
class Task:
    """One institution's work order (plain data: picklable for processes
    and Dask)."""

    institution_id: str
    folder: str
    run_dir: str
    params: dict[str, Any]
    formats: tuple[str, ...]
    timeout: int | None
    notebook: str | None = None
    kernel_server: str | None = None
    """Address of a warm kernel server on the worker's machine (local runs
    share one; Dask workers start their own)."""
    driver: int | None = None
    """Process id of the local batch driver: a worker writes under final
    names only while it is still that driver's child (its lease)."""
    deck_template: str = ""
    """The firm's PowerPoint master for the deck ("" for the house look)."""
    print_pdf: bool = True
    """The worker prints the PDF itself (Dask workers). A local batch's
    driver prints them (:class:`Printers`) while the worker runs the next
    notebook: the worker then leaves the HTML for it."""


class LeaseLost(Exception):
    """The driver of a local worker is gone: nothing more is written."""


def _check_lease(task: Task) -> None:
    if task.driver is not None and os.getppid() != task.driver:
        raise LeaseLost(f"the batch driver (process {task.driver}) is gone; {task.institution_id} not written")


@dataclass
class Outcome:
    """What happened to one institution."""

    institution_id: str
    folder: str
    status: str
    started: str
    duration_s: float
    error: str = ""
    input_sha256: str = ""
    parameters: str = ""
    html: str = ""
    pdf: str = ""
    warnings: str = ""
    pptx: str = ""
    xlsx: str = ""
    summary: dict[str, Any] | None = field(default=None, repr=False)
    output_error: bool = field(default=False, repr=False)
    """The output location cannot be written (disk full, read-only): the
    batch stops rather than fail every report the same way."""

    def row(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k in MANIFEST_COLUMNS}


# ------------------------------------------------------------------ worker side

_PRINTER = None
_PRINTS = 0
BROWSER_RECYCLE = 25
"""PDFs printed by one browser before it is replaced (keeps the memory of a
long batch's printers flat; a worker process itself is never recycled, which
``ProcessPoolExecutor(max_tasks_per_child=...)`` can deadlock on)."""


def _close_printer() -> None:
    global _PRINTER
    if _PRINTER is not None:
        _PRINTER.__exit__(None, None, None)
        _PRINTER = None


def _printer(count: bool = True):
    """One Chromium per worker process, started on first use, reused, and
    replaced every :data:`BROWSER_RECYCLE` reports."""
    global _PRINTER, _PRINTS
    if _PRINTER is not None and _PRINTS >= BROWSER_RECYCLE:
        _close_printer()
    if _PRINTER is None:
        import atexit

        from analysis_lib.report.export import PdfPrinter

        _PRINTER = PdfPrinter().__enter__()
        _PRINTER.warm_up()
        _PRINTS = 0
        atexit.register(_close_printer)
    _PRINTS += int(count)
    return _PRINTER


PR_SET_PDEATHSIG = 1


def _descendants(root: int) -> list[int]:
    """Every live descendant of process ``root`` (Linux: from /proc; empty
    elsewhere), children first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [root]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


_WORKER_TMP: str | None = None


def _remove_worker_tmp() -> None:
    import shutil

    if _WORKER_TMP is not None:
        shutil.rmtree(_WORKER_TMP, ignore_errors=True)


def _end_worker(number: int, _frame: Any) -> None:
    """SIGTERM of a local worker (its driver died, or stopped the batch):
    end its kernel, browser and any other child process, remove its
    temporary folder, then end itself, at once."""
    import signal

    for pid in _descendants(os.getpid()):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _remove_worker_tmp()
    os._exit(128 + number)


def _die_with(driver: int) -> None:
    """Make this worker receive SIGTERM when its driver process dies
    (Linux ``PR_SET_PDEATHSIG``), and leave at once if the driver is
    already gone. The worker and its kernels keep their temporary files
    (kernel connection files) in a folder of its own, removed when it ends."""
    import atexit
    import signal
    import tempfile

    global _WORKER_TMP
    _WORKER_TMP = tempfile.mkdtemp(prefix="crm-worker-")
    tempfile.tempdir = os.environ["TMPDIR"] = _WORKER_TMP
    atexit.register(_remove_worker_tmp)
    signal.signal(signal.SIGTERM, _end_worker)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != driver:
        _end_worker(signal.SIGTERM, None)


def _prepare_worker(formats: tuple[str, ...], driver: int | None = None) -> None:
    """Start-up work of a local worker, done while the warm kernel server
    is still importing: the HTML exporter and, for PDFs, the browser.
    Workers ignore Ctrl-C (the batch driver decides what stops) and die
    with their driver."""
    import signal

    from analysis_lib.report.export import client_html_exporter

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if driver is not None:
        _die_with(driver)
    try:
        import papermill  # noqa: F401  (imported once here rather than with the first report)

        client_html_exporter()
        if "pdf" in formats:
            _printer(count=False)
    except Exception as exc:  # the first task meets the same problem and records it
        print(f"worker start-up: {_error_excerpt(exc)}", file=sys.stderr)


_KERNELS = None
_KERNELS_FAILED = False
_KERNELS_LOCK = threading.Lock()


def _close_kernels() -> None:
    global _KERNELS
    if _KERNELS is not None:
        _KERNELS.close()
        _KERNELS = None


def warm_kernels_wanted() -> bool:
    """Whether reports get warm kernels (see :mod:`analysis_lib.batch.kernels`):
    on POSIX unless ``$CRM_DIAG_COLD_KERNELS`` is set."""
    from analysis_lib.batch import kernels

    return kernels.available() and not os.environ.get(COLD_KERNELS_ENV)


def _own_kernel_server(panel: str | None = None) -> str | None:
    """This process's warm kernel server (started on first use, restarted
    if it died, with the shared results of ``panel``, the panel of the
    report that starts it), for workers not given one (Dask workers). A
    server that cannot start is not tried again by this process."""
    global _KERNELS, _KERNELS_FAILED
    from analysis_lib.batch import kernels

    with _KERNELS_LOCK:
        if _KERNELS_FAILED:
            return None
        if _KERNELS is not None and not _KERNELS.alive:
            _close_kernels()
        if _KERNELS is None:
            try:
                _KERNELS = kernels.WarmKernelServer(panels=(panel,) if panel else ()).start()
            except (OSError, RuntimeError) as exc:
                _KERNELS_FAILED = True
                print(f"warm kernels unavailable, starting kernels the ordinary way: {exc}", file=sys.stderr)
                return None
        return _KERNELS.address


def _kernel_options(task: Task, attempt: int) -> dict[str, Any]:
    """Papermill options for one attempt: a warm kernel forked for this
    report (from the batch's server, or this worker's own), killed as soon
    as the notebook is done (it is never used again). A retry starts its
    kernel the ordinary way, so a broken warm server cannot fail a report."""
    from analysis_lib.batch import kernels

    if attempt > 1 or not warm_kernels_wanted():
        return {}
    address = task.kernel_server or _own_kernel_server(task.params.get("panel_path"))
    return {"kernel_manager_class": kernels.manager_class(address), "shutdown_kernel": "immediate"} if address else {}


def _error_excerpt(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:500]


def _classify(exc: BaseException) -> str:
    name = type(exc).__name__
    if name in ("CellTimeoutError", "TimeoutError") or "Cell execution timed out" in str(exc):
        return "timeout"
    if name == "DeadKernelError" or "Kernel died" in str(exc):
        return "kernel_died"
    return "failed"


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = str(exc)
    return ("Kernel didn't respond" in text or "Address already in use" in text or "kernel_info" in text) and "timed out" not in text


def _execute(task: Task, output: Path):
    """Execute the notebook into ``output`` (through a temporary name).
    Returns the executed notebook (as read back) on success, else
    ``(status, error)``; the executed notebook
    is kept on failure, timeout and kernel death, if it was written
    completely. Raises :class:`OutputWriteError` when it cannot be written."""
    from papermill.exceptions import PapermillExecutionError

    from analysis_lib.report.export import (
        KERNEL_ARGUMENTS,
        NOTEBOOK,
        is_output_error,
        output_error,
        partial_path,
        publish_notebook,
        run_notebook,
    )

    temporary = partial_path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, output.parent) from None
    for attempt in range(1, KERNEL_START_RETRIES + 1):
        try:
            run_notebook(task.notebook or NOTEBOOK, temporary, parameters=task.params, kernel_name="python3", cwd=str(output.parent),
                         progress_bar=False, log_output=False, request_save_on_cell_execute=False, execution_timeout=task.timeout,
                         extra_arguments=KERNEL_ARGUMENTS, **_kernel_options(task, attempt))
            _check_lease(task)
            executed = publish_notebook(temporary, output)
            if executed is None:
                raise output_error(OSError(errno.EIO, "the executed notebook was not written completely"), output)
            return executed
        except PapermillExecutionError as exc:
            _check_lease(task)
            publish_notebook(temporary, output)
            return "failed", f"cell {exc.exec_count}: {exc.ename}: {' '.join(str(exc.evalue).split())[:400]}"
        except (OutputWriteError, LeaseLost):
            raise
        except Exception as exc:  # kernel start, death and timeouts come as various types
            _check_lease(task)
            publish_notebook(temporary, output)
            if is_output_error(exc):
                raise output_error(exc, output) from None
            if _is_kernel_start_failure(exc) and attempt < KERNEL_START_RETRIES:
                time.sleep(0.5 * attempt)
                continue
            return _classify(exc), _error_excerpt(exc)
    return "failed", "kernel could not be started"


def run_task(task: Task) -> Outcome:
    """Run one institution: execute, record the summary, export HTML/PDF.

    Never raises for a failure of the institution: the outcome records it
    (``output_error`` when the output location itself cannot be written).
    """
    from analysis_lib.report.export import INTERNAL_DIR, atomic_write_bytes, is_output_error, notebook_to_html
    from analysis_lib.report.summary import read_summary

    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    folder = Path(task.run_dir) / task.folder
    notebook = folder / INTERNAL_DIR / f"{task.folder}.ipynb"
    outcome = Outcome(task.institution_id, task.folder, "ok", started.strftime("%Y-%m-%dT%H:%M:%SZ"), 0.0,
                      parameters=json.dumps(task.params, ensure_ascii=False, sort_keys=True))
    try:
        executed = _execute(task, notebook)
        if isinstance(executed, tuple):
            outcome.status, outcome.error = executed
        else:
            _check_lease(task)
            summary = read_summary(executed) or {}
            outcome.summary = summary
            outcome.input_sha256 = str(summary.get("input_sha256", ""))
            outcome.warnings = " | ".join([*summary.get("plausibility_warnings", []),
                                           *(f"consistency rule broken: {r}" for r in summary.get("consistency_breaks", []))])
            atomic_write_bytes(folder / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
            if {"pptx", "xlsx"} & set(task.formats):
                from analysis_lib.report.deliverables import write_deliverables

                written = write_deliverables(executed, folder, task.folder, task.formats, task.deck_template or None)
                outcome.pptx, outcome.xlsx = (written.pptx.name if written.pptx else ""), (written.xlsx.name if written.xlsx else "")
            title = f"{task.institution_id} — " + ("CRM programme progress review" if task.notebook and
                                                    Path(task.notebook).name == "progress_review.ipynb" else "CRM diagnostic")
            html_path = notebook_to_html(executed, folder / f"{task.folder}.html", title, task.params.get("language", "en")) \
                if {"html", "pdf"} & set(task.formats) else None
            outcome.html = html_path.name if html_path else ""
            if "pdf" in task.formats and task.print_pdf:
                _check_lease(task)
                print_pdf(outcome, task, _printer())
            if "html" not in task.formats and html_path is not None and task.print_pdf:
                html_path.unlink()
                outcome.html = ""
    except LeaseLost as exc:
        outcome.status, outcome.error = "failed", str(exc)
    except Exception as exc:  # an export failure must not stop the batch either
        if is_output_error(exc):
            outcome.status, outcome.error, outcome.output_error = "failed", str(exc) if isinstance(exc, OutputWriteError) \
                else _error_excerpt(exc), True
        else:
            outcome.status, outcome.error = "failed", _error_excerpt(exc) + " | " + traceback.format_exc(limit=1).splitlines()[-1][:200]
    outcome.duration_s = round(time.perf_counter() - clock, 2)
    return outcome


def print_pdf(outcome: Outcome, task: Task, printer) -> None:
    """Print the report's HTML (``outcome.html``) to its PDF with ``printer``
    (a :class:`~analysis_lib.report.export.PdfPrinter`), recording the PDF,
    or why there is none (no browser), in ``outcome``."""
    from analysis_lib.report.export import NO_BROWSER_HELP

    folder = Path(task.run_dir) / task.folder
    if printer.available:
        outcome.pdf = printer.print(folder / outcome.html, folder / f"{task.folder}.pdf", task.institution_id,
                                    task.params.get("language", "en")).name
    else:
        outcome.error = NO_BROWSER_HELP


class Printers:
    """The PDFs of a local batch, printed by its driver while the workers run
    the next notebooks.

    A worker that printed its own PDFs would leave a core idle while its
    browser prints and its kernel waits, and the other way round; with the
    printing here, the workers go straight on to the next report and the
    cores stay busy. ``count`` threads each own one Chromium and tab
    (started at once, while the workers and the warm kernel server start),
    replaced every :data:`BROWSER_RECYCLE` reports and after any failure. A
    report that cannot be printed fails alone; its HTML stays.

    Examples
    --------
    >>> with Printers(1) as printers:  # doctest: +SKIP
    ...     finished = printers.submit(outcome, task).result()
    """

    def __init__(self, count: int = 1) -> None:
        import queue

        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._serve, name=f"pdf-printer-{n}", daemon=True) for n in range(max(1, count))]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> Printers:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(wait=exc[0] is None)

    def submit(self, outcome: Outcome, task: Task):
        """Print ``outcome``'s report; a future of the finished outcome
        (the PDF, or the reason it failed, recorded in it)."""
        from concurrent.futures import Future

        future: Future = Future()
        self._jobs.put((future, outcome, task))
        return future

    def close(self, wait: bool = True) -> None:
        """End the threads and their browsers (after the queued reports when
        ``wait``; at once, leaving queued reports unprinted, otherwise)."""
        if not wait:
            while not self._jobs.empty():
                job = self._jobs.get_nowait()
                if job is not None:
                    job[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def _serve(self) -> None:
        from analysis_lib.report.export import PdfPrinter

        printer, prints, problem = None, 0, ""
        try:
            while True:
                if printer is None:
                    try:
                        printer, prints, problem = PdfPrinter().__enter__(), 0, ""
                        printer.warm_up()
                    except Exception as exc:  # the browser did not start: the next report says why, and tries again
                        if printer is not None:
                            _quietly_close(printer)
                        printer, problem = None, f"PDF: the browser did not start: {_error_excerpt(exc)}"
                job = self._jobs.get()
                if job is None:
                    return
                future, outcome, task = job
                if not future.set_running_or_notify_cancel():
                    continue
                if printer is None:
                    future.set_result(replace(outcome, status="failed", error=problem))
                    continue
                finished, failed = self._print(outcome, task, printer)
                future.set_result(finished)
                prints += 1
                if failed or prints >= BROWSER_RECYCLE:
                    _quietly_close(printer)
                    printer = None
        finally:
            if printer is not None:
                _quietly_close(printer)

    @staticmethod
    def _print(outcome: Outcome, task: Task, printer) -> tuple[Outcome, bool]:
        """The outcome with its PDF, and whether printing failed."""
        from analysis_lib.report.export import is_output_error

        clock, failed = time.perf_counter(), False
        finished = replace(outcome)
        try:
            print_pdf(finished, task, printer)
        except Exception as exc:  # this report fails, the batch goes on with a fresh browser
            failed = True
            finished.status, finished.error = "failed", f"PDF: {_error_excerpt(exc)}"
            finished.output_error = is_output_error(exc)
        if "html" not in task.formats and finished.html:
            with contextlib.suppress(OSError):
                (Path(task.run_dir) / task.folder / finished.html).unlink()
            finished.html = ""
        finished.duration_s = round(finished.duration_s + time.perf_counter() - clock, 2)
        return finished, failed


def _quietly_close(printer) -> None:
    with contextlib.suppress(Exception):  # a browser that crashed cannot be closed cleanly
        printer.__exit__(None, None, None)


def printers_for(workers: int) -> int:
    """Printer threads for ``workers`` workers: one prints a report in a
    fraction of the time a worker takes to run one, so one per four workers.

    Examples
    --------
    >>> printers_for(2), printers_for(8), printers_for(9)
    (1, 2, 3)
    """
    return max(1, -(-workers // 4))


# ------------------------------------------------------------------ driver side


class BatchInterrupted(Exception):
    """The batch was stopped (Ctrl-C): the manifest lists what finished;
    the rest is pending and ``resume=True`` runs it."""

    def __init__(self, run_dir: Path, finished: int, total: int) -> None:
        super().__init__(f"interrupted after {finished} of {total} institutions; run folder {run_dir}")
        self.run_dir, self.finished, self.total = run_dir, finished, total


@dataclass(frozen=True)
class BatchResult:
    """Outcome of a batch: the run folder and one outcome per institution."""

    run_dir: Path
    outcomes: tuple[Outcome, ...]
    pdf_missing: bool = False
    """PDFs were asked for but no browser was found (HTML only)."""

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def exit_code(self) -> int:
        """0 when every report is complete in every format asked for, else 1."""
        return 0 if not self.failed and not self.pdf_missing else 1


ID_CODES = ("unsafe_id", "duplicate_id", "missing_id")


def select_institutions(panel_path: str | Path, institutions: Iterable[str] | None = None, peer_group: str | None = None) -> list[str]:
    """Institution ids of a panel file to run.

    A panel whose ids are not all usable (an empty, invalid or duplicated
    id, see :func:`analysis_lib.intake.identifiers.id_problem`) is refused
    as a whole before any kernel starts: which row is which institution
    would otherwise be ambiguous. Other data errors fail only the
    institution they belong to, when its report runs.

    Raises
    ------
    InputDataError
        Naming the first rows with id problems.
    ParameterError
        For an unknown or invalid id in ``institutions`` or an empty peer group.
    """
    from analysis_lib.intake.panel import validate_panel_file

    report = validate_panel_file(panel_path)
    assert report.panel is not None
    id_errors = [p for p in report.errors if p.code in ID_CODES]
    if id_errors:
        shown = "; ".join(f"row {p.row}: {p.message}" + (f" ({p.value!r})" if p.value else "") for p in id_errors[:3])
        more = f" and {len(id_errors) - 3} more" if len(id_errors) > 3 else ""
        raise InputDataError(f"{report.file}: {len(id_errors)} institution id problem(s), fix them before a batch: {shown}{more} "
                             f"(ids must be unique and {ID_RULE})")
    data = report.panel.data
    ids = [str(i) for i in dict.fromkeys(data["institution_id"].dropna())]
    if institutions:
        wanted = list(dict.fromkeys(normalise_id(i) for i in institutions))
        for institution_id in wanted:
            reason = id_problem(institution_id)
            if reason:
                raise ParameterError(f"institution {institution_id!r} {reason}; ids are {ID_RULE}")
        unknown = [i for i in wanted if i not in ids]
        if unknown:
            raise ParameterError(f"institutions not in {Path(panel_path).name}: {', '.join(unknown)}")
        return wanted
    if peer_group:
        chosen = [str(i) for i in dict.fromkeys(data.loc[data["peer_group"] == peer_group, "institution_id"].dropna())]
        if not chosen:
            raise ParameterError(f"no institution of peer group {peer_group!r} in {Path(panel_path).name}")
        return chosen
    return ids


def plan_folders(ids: list[str]) -> dict[str, str]:
    """Safe folder per institution; collisions (including case-insensitive
    ones) are refused."""
    folders = {i: folder_name(i) for i in ids}
    seen: dict[str, str] = {}
    for institution_id, folder in folders.items():
        key = folder.lower()
        if key in seen:
            raise InputDataError(f"institutions {seen[key]!r} and {institution_id!r} map to the same folder {folder!r}")
        seen[key] = institution_id
    return folders


def read_manifest(run_dir: Path) -> dict[str, dict[str, str]]:
    path = run_dir / "manifest.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {row["institution_id"]: row for row in csv.DictReader(f)}


def write_manifest(run_dir: Path, rows: dict[str, dict[str, Any]]) -> Path:
    import io

    from analysis_lib.report.export import atomic_write_bytes

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(MANIFEST_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows.values():
        writer.writerow({k: formula_safe(str(row.get(k, ""))) for k in MANIFEST_COLUMNS})
    atomic_write_bytes(run_dir / "manifest.csv", buffer.getvalue().encode("utf-8"))
    return run_dir / "manifest.csv"


def write_index(run_dir: Path, rows: dict[str, dict[str, Any]], title: str | None = None) -> Path:
    """``index.html``: every institution with its key results, status and
    links, sortable and filterable offline (:mod:`analysis_lib.batch.index_page`)."""
    import pandas as pd

    from analysis_lib.batch.index_page import write_index_page

    manifest = pd.DataFrame([{k: str(r.get(k, "")) for k in MANIFEST_COLUMNS} for r in rows.values()], columns=list(MANIFEST_COLUMNS))
    return write_index_page(run_dir, manifest, title)


class Progress:
    """A one-line progress display: done / failed / running, ETA."""

    def __init__(self, total: int, stream=sys.stderr, enabled: bool = True) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled
        self.done = self.failed = 0
        self.start = time.perf_counter()

    def update(self, outcome: Outcome, running: int) -> None:
        if outcome.status == "ok":
            self.done += 1
        else:
            self.failed += 1
        if not self.enabled:
            return
        finished = self.done + self.failed
        elapsed = time.perf_counter() - self.start
        eta = elapsed / finished * (self.total - finished) if finished else 0.0
        bar = "#" * int(30 * finished / max(self.total, 1))
        self.stream.write(f"\r[{bar:<30}] {finished}/{self.total} done {self.done} failed {self.failed} running {running} "
                          f"ETA {eta:5.0f}s  {outcome.institution_id}: {outcome.status}   ")
        if finished == self.total:
            self.stream.write("\n")
        self.stream.flush()


def _default_run_id() -> str:
    return dt.datetime.now().strftime("run-%Y%m%d-%H%M%S-") + os.urandom(2).hex()


def check_run_id(run_id: str) -> str:
    """A run id is a folder name under ``--out``: the id rule applies (no
    path separators, no ``..``, no braces, not absolute).

    Examples
    --------
    >>> check_run_id("run-20261128")
    'run-20261128'
    >>> check_run_id("../elsewhere")
    Traceback (most recent call last):
    ...
    analysis_lib.errors.ParameterError: run id '../elsewhere' contains "/"; a run id is a folder name of 1-64 characters: ...
    """
    text = normalise_id(run_id)
    reason = id_problem(text)
    if reason:
        raise ParameterError(f"run id {text!r} {reason}; a run id is a folder name of {ID_RULE}")
    return text


def code_version() -> str:
    """The workbook's version and, in a git checkout, its commit.

    Examples
    --------
    >>> code_version().startswith(("0", "1"))
    True
    """
    import subprocess

    from analysis_lib import __version__

    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return __version__
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def run_record(panel: Path, parameters: dict[str, Any], notebook: str | None) -> dict[str, Any]:
    """What a run is made of: parameters, the panel's hash, the code version."""
    from analysis_lib.intake.panel import file_sha256

    return {"panel": str(panel), "input_sha256": file_sha256(panel), "parameters": json.loads(json.dumps(parameters, sort_keys=True)),
            "code_version": code_version(), "notebook": notebook or "", "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def check_resume(run_dir: Path, record: dict[str, Any]) -> None:
    """Refuse to resume a run with other parameters or another panel (one
    run folder never mixes reports made differently); warn when the code
    changed since.

    Raises
    ------
    ParameterError
        Naming each parameter that differs, with both values.
    InputDataError
        When the panel file's contents changed.
    """
    path = run_dir / RUN_RECORD
    if not path.is_file():
        return  # a run from before run records: nothing to compare
    try:
        before = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputDataError(f"{path}: the run record cannot be read; start a new run id") from None
    old, new = before.get("parameters", {}), record["parameters"]
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if changed:
        listing = ", ".join(f"{k}: run {old.get(k)!r}, now {new.get(k)!r}" for k in changed)
        raise ParameterError(f"cannot resume {run_dir.name} with other parameters ({listing}); "
                             "resume with the run's parameters or start a new run id")
    if before.get("input_sha256") != record["input_sha256"]:
        raise InputDataError(f"cannot resume {run_dir.name}: the panel {Path(record['panel']).name} changed since the run started "
                             f"(SHA-256 {str(before.get('input_sha256'))[:12]}…, now {record['input_sha256'][:12]}…); start a new run id")
    if before.get("code_version") != record["code_version"]:
        print(f"crm-diag: warning: {run_dir.name} was started with workbook {before.get('code_version')}, this is "
              f"{record['code_version']}; reports made by both are mixed in this run", file=sys.stderr)


class RunLock:
    """The lock of a run folder (``.lock``, an exclusive ``flock``), held by
    the driver from start to end; released by the kernel if the driver dies.

    Raises
    ------
    ParameterError
        When another batch holds it.
    """

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK_FILE
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            from analysis_lib.report.export import output_error

            raise output_error(exc, self.path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise ParameterError(f"run folder {self.path.parent} is in use by another batch (process {holder}); "
                                 "wait for it to finish or stop it, then resume") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _remove_stale_partials(run_dir: Path) -> None:
    """Temporary files of a driver that was killed (under the lock, nothing
    else writes them)."""
    for path in run_dir.rglob(".*.partial*"):
        with contextlib.suppress(OSError):
            path.unlink()


def _browser_missing(formats: tuple[str, ...], scheduler: str | None) -> bool:
    if "pdf" not in formats or scheduler not in (None, "local"):
        return False
    from analysis_lib.report.export import find_browser

    return find_browser() is None


def run_batch(panel: str | Path, *, institutions: Iterable[str] | None = None, peer_group: str | None = None,
              formats: tuple[str, ...] = ("html", "pdf"), workers: int | None = None, timeout: int | None = 900,
              out: str | Path = "outputs", run_id: str | None = None, resume: bool = False, params: dict[str, Any] | None = None,
              scheduler: str | None = None, notebook: str | None = None, progress: bool = True,
              on_outcome: Callable[[Outcome], None] | None = None, kind: str = "diagnostic", deck_template: str = "") -> BatchResult:
    """Run the diagnostic for many institutions.

    Parameters
    ----------
    panel : path
        The panel file (validated first; a file that cannot be read at all
        raises :class:`UnreadableFileError`, one whose ids are not all
        usable :class:`InputDataError`).
    institutions, peer_group : optional
        Which institutions (default: all in the panel).
    formats : tuple
        A subset of ``("html", "pdf", "pptx", "xlsx")`` (the deck and the
        data pack: diagnostics only). Without a browser PDFs are skipped
        with a warning and the result's ``exit_code`` is 1.
    workers : int, optional
        Local worker processes (default: the CPU count).
    timeout : int, optional
        Seconds a notebook cell may run.
    out, run_id, resume
        ``<out>/<run_id>/``; with ``resume`` the run folder is reused and only
        institutions not ``ok`` in its manifest are run again, provided the
        parameters and the panel are those of the run (``run.json``) and no
        other batch is working in it.
    params : dict
        Report parameters for every institution (validated before any
        kernel starts); ``commentary`` is a folder of
        ``<institution id>.md`` files (:func:`analysis_lib.report.commentary.batch_commentary`).
    deck_template : str
        The firm's PowerPoint master for the decks ("" for the house look).
    scheduler : str, optional
        A Dask scheduler address, or ``"local"`` for a ``LocalCluster``.
    notebook : str, optional
        Another parameterised notebook with the same parameters.
    kind : {"diagnostic", "review"}
        The diagnostic, or the progress review (``notebooks/progress_review.ipynb``;
        ``params`` as for :func:`analysis_lib.report.review_export.review_batch_parameters`,
        whose ``{institution_id}`` placeholders are filled per institution).

    Returns
    -------
    BatchResult

    Raises
    ------
    OutputWriteError
        When the output cannot be written (disk full, read-only): the batch
        stops, the manifest keeps what was complete.
    BatchInterrupted
        On Ctrl-C.
    """
    from analysis_lib.report.parameters import validate_parameters

    panel = Path(panel).resolve()
    if not panel.is_file():
        raise UnreadableFileError(f"{panel}: file not found")
    if resume and not run_id:
        raise ParameterError("--resume needs the run id of the batch to resume")
    run_id = check_run_id(run_id) if run_id is not None else _default_run_id()
    base = {k: v for k, v in (params or {}).items() if k not in ("institution_id", "panel_path")}
    ids = select_institutions(panel, institutions, peer_group)
    if kind == "review":
        from analysis_lib.report.review_export import REVIEW_NOTEBOOK, review_batch_parameters

        per_institution = review_batch_parameters(base, ids, panel)
        notebook = notebook or str(REVIEW_NOTEBOOK)
        checked = {k: v for k, v in base.items()}
    elif kind == "diagnostic":
        from analysis_lib.report.deliverables import exports_of

        commentary = base.pop("commentary", "")
        checked = validate_parameters({**base, "institution_id": ids[0] if ids else "x", "panel_path": str(panel),
                                       "exports": exports_of(formats)})
        checked.pop("institution_id")
        per_institution = {i: {**checked, "institution_id": i} for i in ids}
        if commentary:
            from analysis_lib.report.commentary import batch_commentary

            for i, path in batch_commentary(commentary, ids, checked["language"]).items():
                per_institution[i]["commentary"] = path
            checked["commentary"] = str(Path(commentary).resolve())
    else:
        raise ParameterError(f"batch kind {kind!r} is not one of diagnostic, review")
    folders = plan_folders(ids)
    record = run_record(panel, {**checked, "kind": kind} if kind != "diagnostic" else checked, notebook)
    run_dir = Path(out).resolve() / run_id
    if run_dir.exists() and not resume and any(run_dir.iterdir()):
        raise ParameterError(f"run folder {run_dir} already exists; use --resume or another run id")
    if resume and not run_dir.is_dir():
        raise ParameterError(f"nothing to resume: no run folder {run_dir}; check --out and --run-id, or start the run without --resume")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from analysis_lib.report.export import output_error

        raise output_error(exc, run_dir) from None
    with RunLock(run_dir):
        if not resume and any(p.name != LOCK_FILE for p in run_dir.iterdir()):  # another batch started it meanwhile
            raise ParameterError(f"run folder {run_dir} already exists; use --resume or another run id")
        return _run_locked(run_dir, record, ids, folders, per_institution, resume=resume, formats=tuple(formats), workers=workers,
                           deck_template=deck_template,
                           timeout=timeout, scheduler=scheduler, notebook=notebook, progress=progress, on_outcome=on_outcome)


def _run_locked(run_dir: Path, record: dict[str, Any], ids: list[str], folders: dict[str, str], per_institution: dict[str, dict[str, Any]], *,
                resume: bool, formats: tuple[str, ...], workers: int | None, timeout: int | None, scheduler: str | None, deck_template: str = "",
                notebook: str | None, progress: bool, on_outcome: Callable[[Outcome], None] | None) -> BatchResult:
    from analysis_lib.report.export import NO_BROWSER_HELP, atomic_write_bytes

    if resume:
        check_resume(run_dir, record)
        _remove_stale_partials(run_dir)
    if not (run_dir / RUN_RECORD).is_file():
        atomic_write_bytes(run_dir / RUN_RECORD, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    no_browser = _browser_missing(formats, scheduler)
    if no_browser:
        print(f"crm-diag: warning: {NO_BROWSER_HELP}", file=sys.stderr)
    previous = read_manifest(run_dir) if resume else {}
    rows: dict[str, dict[str, Any]] = {i: previous.get(i, {"institution_id": i, "folder": folders[i], "status": "pending"}) for i in ids}
    todo = [i for i in ids if not (resume and previous.get(i, {}).get("status") == "ok")]
    tasks = [Task(i, folders[i], str(run_dir), per_institution[i], formats, timeout, notebook, deck_template=deck_template) for i in todo]
    write_manifest(run_dir, rows)
    tracker = Progress(len(tasks), enabled=progress)
    outcomes: list[Outcome] = []

    def record_outcome(outcome: Outcome, running: int) -> None:
        if outcome.output_error:
            raise OutputWriteError(outcome.error)
        rows[outcome.institution_id] = outcome.row()
        write_manifest(run_dir, rows)
        outcomes.append(outcome)
        tracker.update(outcome, running)
        if on_outcome:
            on_outcome(outcome)

    try:
        if scheduler:
            _run_on_dask(tasks, scheduler, workers, record_outcome)
        else:
            driver_prints = "pdf" in formats and not no_browser
            with _local_kernel_server(bool(tasks), record["panel"]) as address:
                _run_local([replace(t, kernel_server=address, driver=os.getpid(), print_pdf=not driver_prints) for t in tasks], workers,
                           record_outcome)
    except KeyboardInterrupt:
        with contextlib.suppress(OutputWriteError):
            write_index(run_dir, rows)
        raise BatchInterrupted(run_dir, len(outcomes), len(tasks)) from None
    except OutputWriteError as exc:
        with contextlib.suppress(OutputWriteError):
            write_index(run_dir, rows)
        raise OutputWriteError(f"{exc}; batch stopped after {len(outcomes)} of {len(tasks)} institutions, the manifest keeps them "
                               f"(resume with --run-id {run_dir.name} --resume)") from None
    write_index(run_dir, rows)
    kept = [Outcome(**{k: r.get(k, "") for k in MANIFEST_COLUMNS if k != "duration_s"}, duration_s=float(r.get("duration_s") or 0))
            for i, r in rows.items() if i not in {o.institution_id for o in outcomes}]
    return BatchResult(run_dir, tuple(outcomes + kept), pdf_missing=no_browser)


@contextlib.contextmanager
def _local_kernel_server(needed: bool, panel: str):
    """One warm kernel server shared by the local workers, with the panel's
    shared results computed (its address, or None when kernels start the
    ordinary way)."""
    from analysis_lib.batch import kernels

    if not (needed and warm_kernels_wanted()):
        yield None
        return
    try:
        server = kernels.WarmKernelServer(panels=(panel,)).start(wait=False)  # its imports overlap the workers' start-up
    except (OSError, RuntimeError) as exc:
        print(f"warm kernels unavailable, starting kernels the ordinary way: {exc}", file=sys.stderr)
        yield None
        return
    try:
        yield server.address
    finally:
        server.close()


def _run_local(tasks: list[Task], workers: int | None, record: Callable[[Outcome, int], None]) -> None:
    """Run ``tasks`` in ``workers`` processes; the PDFs of tasks that leave
    them to the driver are printed here (:class:`Printers`) before the
    tasks are recorded."""
    import multiprocessing

    if not tasks:
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    driver_prints = "pdf" in tasks[0].formats and not tasks[0].print_pdf
    context = multiprocessing.get_context("spawn")
    worker_formats = tuple(f for f in tasks[0].formats if f != "pdf" or not driver_prints)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_prepare_worker,
                               initargs=(worker_formats, os.getpid()))
    with Printers(printers_for(workers)) if driver_prints else contextlib.nullcontext() as printers:
        _collect(pool, tasks, workers, record, printers)


def _collect(pool: ProcessPoolExecutor, tasks: list[Task], workers: int, record: Callable[[Outcome, int], None],
             printers: Printers | None) -> None:
    """Submit ``tasks`` to ``pool`` and record each outcome as it finishes
    (after ``printers`` have printed its PDF, when it leaves that to them)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    try:
        running = {pool.submit(run_task, task): task for task in tasks}
        printing: dict[Any, Task] = {}
        while running or printing:
            done, _ = wait([*running, *printing], return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future, None) or printing.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker process itself died
                    outcome = Outcome(task.institution_id, task.folder, "failed", "", 0.0, error=_error_excerpt(exc))
                if printers is not None and _left_to_print(outcome, task):
                    printing[printers.submit(outcome, task)] = task
                else:
                    record(outcome, min(len(running), workers) + len(printing))
    except BaseException:  # Ctrl-C: stop now rather than finish the queue
        _stop_workers(pool)
        raise
    pool.shutdown()


def _left_to_print(outcome: Outcome, task: Task) -> bool:
    """Whether a worker's report waits for the driver to print its PDF."""
    return not task.print_pdf and "pdf" in task.formats and outcome.status == "ok" and bool(outcome.html) and not outcome.pdf


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers at once (reports in
    progress stay unrecorded, hence pending, and only ever exist under
    temporary names)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public way to stop running tasks
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(10)


def _run_on_dask(tasks: list[Task], scheduler: str, workers: int | None, record: Callable[[Outcome, int], None]) -> None:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {client.submit(run_task, task, key=f"crm-diag-{task.folder}-{os.urandom(3).hex()}", pure=False): task for task in tasks}
        pending = len(futures)
        for future in dask_completed(list(futures)):
            pending -= 1
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # a worker lost mid-task
                outcome = Outcome(task.institution_id, task.folder, "failed", "", 0.0, error=_error_excerpt(exc))
            record(outcome, pending)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
