"""Fault injection: real batch processes meet what real runs throw at them —
the driver killed with SIGKILL, a disk that fills up, a read-only output
folder, two resumes at once, a resume with other parameters, a batch where
every report fails, hostile and duplicated ids, no browser. Each ends with a
one-line message, the documented exit code and nothing lost.

Reports here run a light notebook with the diagnostic's parameters (the
batch machinery is under test, not the analysis), one to three institutions,
HTML only unless the case is about PDF.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis_lib.batch.runner import read_manifest, write_manifest

from conftest import REPO, SAMPLE_PANEL

IDS = ["CITY-01", "CITY-02", "JSB-01"]
LINUX = sys.platform.startswith("linux") and Path("/proc").is_dir()


def _light_notebook(folder: Path, body: str = "") -> Path:
    """The diagnostic's parameters cell, then ``body``, then a line of
    output: a report in well under a second."""
    from analysis_lib.report.parameters import parameters_cell_source

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(parameters_cell_source())
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body or "pass"), nbformat.v4.new_code_cell("print('report of', institution_id)")]
    path = folder / f"light-{uuid.uuid4().hex[:6]}.ipynb"
    nbformat.write(nb, str(path))
    return path


def _batch_args(out: Path, run_id: str, notebook: Path | None, *extra: str, ids: list[str] | None = None,
                panel: Path = SAMPLE_PANEL) -> list[str]:
    ids = ids or IDS
    selection = [f"--institutions={ids[0]}"] if len(ids) == 1 else ["--institutions", *ids]  # "=": an id may look like an option
    args = ["batch", "--panel", str(panel), *selection, "--formats", "html", "--workers", "1",
            "--out", str(out), "--run-id", run_id, "--quiet"]
    if notebook is not None:
        args += ["--notebook", str(notebook)]
    return args + list(extra)


def _crm_diag(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis_lib.cli", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, cwd=REPO)


def _one_line_error(done: subprocess.CompletedProcess, code: int) -> str:
    """The command exited with ``code`` and said why in one line (no traceback)."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("crm-diag:")]
    assert lines, done.stderr
    return lines[-1]


def _final_files_parse(run_dir: Path) -> None:
    """Every file under a final name is complete: notebooks and JSON parse,
    HTML ends with its closing tag, no temporary file is left."""
    for path in run_dir.rglob("*"):
        if not path.is_file() or path.name == ".lock":
            continue
        assert ".partial" not in path.name, path
        if path.suffix == ".ipynb":
            nbformat.read(str(path), as_version=4)
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
    read_manifest(run_dir)


def _marked_processes(mark: str) -> list[str]:
    """Live processes (not zombies) whose environment carries ``mark``."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark.encode() not in environ.read_bytes():
                continue
            stat = (environ.parent / "stat").read_text()
        except OSError:
            continue
        if stat.rsplit(") ", 1)[1].split()[0] != "Z":
            found.append(f"{environ.parent.name} {(environ.parent / 'cmdline').read_bytes()[:120]!r}")
    return found


@pytest.fixture(scope="module")
def light(tmp_path_factory):
    return _light_notebook(tmp_path_factory.mktemp("nb"))


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    return _light_notebook(tmp_path_factory.mktemp("nb"), "import time\ntime.sleep(4)")


# ------------------------------------------------------------------ the driver dies


@pytest.mark.skipif(not LINUX, reason="reads the process table in /proc")
@pytest.mark.parametrize("kernels", ["warm", "ordinary"])
def test_kill_9_of_the_driver_leaves_no_process_and_the_run_resumes(tmp_path, slow, light, kernels):
    mark = f"CRM_FAULT_TEST_{uuid.uuid4().hex}"
    temporary = Path(tempfile.mkdtemp(prefix="k", dir="/tmp"))  # short: the warm kernel server's socket lives here
    env = {mark: "1", "TMPDIR": str(temporary), **({"CRM_DIAG_COLD_KERNELS": "1"} if kernels == "ordinary" else {})}
    driver = subprocess.Popen([sys.executable, "-m", "analysis_lib.cli", *_batch_args(tmp_path, "r", slow, "--no-summary")], cwd=REPO,
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_dir = tmp_path / "r"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(r["status"] == "ok" for r in read_manifest(run_dir).values()):
        time.sleep(0.1)
    time.sleep(1.5)  # the second report is being executed
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _marked_processes(mark):
        time.sleep(0.2)
    assert _marked_processes(mark) == []  # workers, kernels, kernel server: all gone with their driver
    assert list(temporary.iterdir()) == []  # and their temporary folders
    time.sleep(5)  # longer than a report: nothing goes on writing into the run folder
    before = read_manifest(run_dir)
    assert {r["status"] for r in before.values()} <= {"pending", "ok"} and before[IDS[-1]]["status"] == "pending"
    assert not (run_dir / IDS[-1]).exists()
    for path in run_dir.rglob("*"):  # only temporary names may be incomplete
        if path.is_file() and path.suffix == ".ipynb" and ".partial" not in path.name:
            nbformat.read(str(path), as_version=4)
    done = _crm_diag(_batch_args(tmp_path, "r", slow, "--resume", "--no-summary"), env)
    assert done.returncode == 0, done.stderr
    after = read_manifest(run_dir)
    assert {r["status"] for r in after.values()} == {"ok"}
    _final_files_parse(run_dir)


# ------------------------------------------------------------------ the output location


def _namespace_works() -> bool:
    if not LINUX or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


NAMESPACE = pytest.mark.skipif(not _namespace_works(), reason="needs unprivileged user and mount namespaces (unshare)")


def _in_tmpfs(mount: Path, script: str, size: str = "64m", read_only: bool = False,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) in a private mount namespace where ``mount`` is a
    fresh tmpfs of ``size`` (read-only if asked). ``$PY`` is this Python."""
    mount.mkdir(parents=True, exist_ok=True)
    remount = f" && mount -o remount,ro {mount}" if read_only else ""
    wrapped = f"mount -t tmpfs -o size={size} tmpfs {mount}{remount} && cd {REPO} && {script}"
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", wrapped], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PY": sys.executable, **(env or {})})


@NAMESPACE
def test_disk_full_stops_the_batch_cleanly_keeping_the_manifest(tmp_path):
    """The second report fills the disk; its notebook, HTML or the manifest
    then cannot be written: the batch stops with exit code 2 and one line,
    the first report stays recorded, nothing truncated appears under a final
    name; with space freed, the resume finishes the rest."""
    filler = ("import os\nif os.environ.get('FILL_DISK') and institution_id == 'CITY-02':\n"
              "    try:\n        with open(os.environ['FILL_DISK'], 'wb') as f:\n            while True:\n"
              "                f.write(b'0' * 65536)\n    except OSError:\n        pass")
    notebook = _light_notebook(tmp_path, filler)
    mount, copy = tmp_path / "disk", tmp_path / "copy"
    args = " ".join(f"'{a}'" for a in _batch_args(mount, "r", notebook, "--no-summary"))
    script = (f'FILL_DISK={mount}/ballast "$PY" -m analysis_lib.cli {args} > {tmp_path}/first.out 2> {tmp_path}/first.err; '
              f"echo $? > {tmp_path}/first.code; cp -a {mount}/r {tmp_path}/stopped; rm -f {mount}/ballast; "
              f'"$PY" -m analysis_lib.cli {args} --resume > {tmp_path}/second.out 2> {tmp_path}/second.err; '
              f"echo $? > {tmp_path}/second.code; cp -a {mount}/r {copy}")
    done = _in_tmpfs(mount, script)
    assert done.returncode == 0, done.stderr
    first = subprocess.CompletedProcess([], int((tmp_path / "first.code").read_text()), (tmp_path / "first.out").read_text(),
                                        (tmp_path / "first.err").read_text())
    line = _one_line_error(first, 2)
    assert "No space left on device" in line and "--resume" in line
    stopped = read_manifest(tmp_path / "stopped")
    assert stopped["CITY-01"]["status"] == "ok" and stopped["CITY-02"]["status"] == "pending"
    _final_files_parse(tmp_path / "stopped")
    assert (tmp_path / "second.code").read_text().strip() == "0", (tmp_path / "second.err").read_text()
    assert {r["status"] for r in read_manifest(copy).values()} == {"ok"}
    assert read_manifest(copy)["CITY-01"]["started"] == stopped["CITY-01"]["started"]  # not run again
    _final_files_parse(copy)


@NAMESPACE
def test_a_read_only_output_folder_is_one_line_and_exit_code_2(tmp_path, light):
    mount = tmp_path / "ro"
    args = " ".join(f"'{a}'" for a in _batch_args(mount, "r", light))
    done = _in_tmpfs(mount, f'"$PY" -m analysis_lib.cli {args}', read_only=True)
    line = _one_line_error(done, 2)
    assert "Read-only file system" in line and str(mount / "r") in line


# ------------------------------------------------------------------ resumes


def test_a_second_driver_is_refused_while_the_first_runs(tmp_path, slow):
    first = subprocess.Popen([sys.executable, "-m", "analysis_lib.cli", *_batch_args(tmp_path, "r", slow, "--no-summary", ids=IDS[:2])],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (tmp_path / "r" / "manifest.csv").is_file():
        time.sleep(0.1)
    second = _crm_diag(_batch_args(tmp_path, "r", slow, "--resume", "--no-summary", ids=IDS[:2]))
    line = _one_line_error(second, 2)
    assert "in use by another batch" in line and f"process {first.pid}" in line
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert {r["status"] for r in read_manifest(tmp_path / "r").values()} == {"ok"}


def test_a_resume_with_other_parameters_or_another_panel_is_refused(tmp_path, light):
    assert _crm_diag(_batch_args(tmp_path, "r", light, "--no-summary", "-p", "target_set", "top_quartile", ids=IDS[:1])).returncode == 0
    other = _crm_diag(_batch_args(tmp_path, "r", light, "--resume", "--no-summary", "-p", "target_set", "template", "-p", "language", "zh",
                                  ids=IDS[:2]))
    line = _one_line_error(other, 2)
    assert "language: run 'en', now 'zh'" in line and "target_set: run 'top_quartile', now 'template'" in line
    assert list(read_manifest(tmp_path / "r")) == IDS[:1]  # nothing was run into the mixed folder
    same = _crm_diag(_batch_args(tmp_path, "r", light, "--resume", "--no-summary", "-p", "target_set", "top_quartile", ids=IDS[:2]))
    assert same.returncode == 0, same.stderr
    record = json.loads((tmp_path / "r" / "run.json").read_text())
    assert record["parameters"]["target_set"] == "top_quartile" and len(record["input_sha256"]) == 64 and record["code_version"]


def test_a_changed_panel_is_refused_on_resume(tmp_path, light):
    panel = tmp_path / "panel.csv"
    shutil.copy(SAMPLE_PANEL, panel)
    assert _crm_diag(_batch_args(tmp_path, "r", light, "--no-summary", ids=IDS[:1], panel=panel)).returncode == 0
    frame = pd.read_csv(panel, dtype=str, keep_default_na=False)
    frame.loc[frame["institution_id"] == "CITY-02", "employees"] = "5000"
    frame.to_csv(panel, index=False)
    done = _crm_diag(_batch_args(tmp_path, "r", light, "--resume", "--no-summary", ids=IDS[:2], panel=panel))
    assert "changed since the run started" in _one_line_error(done, 2)


# ------------------------------------------------------------------ reports that fail


def test_a_batch_where_every_report_fails_still_gets_its_portfolio_summary(tmp_path):
    failing = _light_notebook(tmp_path, "raise ValueError('no data for ' + institution_id)")
    done = _crm_diag(_batch_args(tmp_path, "r", failing, ids=IDS[:2]))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "0 of 2 institutions complete" in done.stdout
    run_dir = tmp_path / "r"
    summary = (run_dir / "portfolio_summary.html").read_text(encoding="utf-8")
    assert "0 of 2 institutions complete, 2 failed" in summary and "no data for CITY-01" in summary
    for institution_id in IDS[:2]:  # the failed notebooks are kept, with the error in them
        executed = nbformat.read(str(run_dir / institution_id / "internal" / f"{institution_id}.ipynb"), as_version=4)
        assert any(o.get("ename") == "ValueError" for c in executed.cells for o in c.get("outputs", []))
    _final_files_parse(run_dir)


# ------------------------------------------------------------------ ids


HOSTILE = {
    "formula": ('=HYPERLINK("http://evil.example","x")', 'contains "="'),
    "braces": ("A{B}", 'contains "{"'),
    "bidi": ("CITY\u202e10-", "contains U+202E RIGHT-TO-LEFT OVERRIDE"),
    "zero-width": ("CITY\u200b-01", "contains U+200B ZERO WIDTH SPACE"),
    "leading dash": ("-CITY-01", 'starts with "-"'),
    "path": ("..\\x", 'contains "\\"'),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_panel_with_a_hostile_id_is_refused_before_any_report(tmp_path, light, case):
    hostile, reason = HOSTILE[case]
    frame = pd.read_csv(SAMPLE_PANEL, dtype=str, keep_default_na=False)
    frame.loc[3, "institution_id"] = hostile
    panel = tmp_path / "panel.csv"
    frame.to_csv(panel, index=False, encoding="utf-8")
    done = _crm_diag(_batch_args(tmp_path, "r", light, panel=panel, ids=IDS[:1]))
    line = _one_line_error(done, 2)
    assert "row 5" in line and reason in line and "ids must be unique and 1-64 characters" in line
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_id_on_the_command_line_is_refused(tmp_path, light, case):
    hostile, reason = HOSTILE[case]
    done = _crm_diag(_batch_args(tmp_path, "r", light, ids=[hostile]))
    line = _one_line_error(done, 2)
    assert reason in line and "ids are 1-64 characters" in line


def test_an_argument_that_is_not_utf8_is_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "analysis_lib.cli", "batch", "--panel", str(SAMPLE_PANEL), "--institutions", b"CITY-\xff",
                           "--out", str(tmp_path)], capture_output=True, cwd=REPO)
    err = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in err and "is not valid UTF-8" in err, err


@pytest.mark.parametrize("second", ["CITY-01", "ＣＩＴＹ－０１", "Cafe\u0301-01"], ids=["same", "full-width", "decomposed"])
def test_duplicate_ids_are_refused_at_intake(tmp_path, light, second):
    first = "Café-01" if second.startswith("Cafe") else "CITY-01"
    frame = pd.read_csv(SAMPLE_PANEL, dtype=str, keep_default_na=False)
    frame.loc[0, "institution_id"], frame.loc[7, "institution_id"] = first, second
    panel = tmp_path / "panel.csv"
    frame.to_csv(panel, index=False, encoding="utf-8")
    done = _crm_diag(_batch_args(tmp_path, "r", light, panel=panel, ids=["JSB-01"]))
    line = _one_line_error(done, 2)
    assert "row 9: duplicate institution id (first seen in row 2)" in line


def test_run_ids_and_output_paths(tmp_path, light):
    for run_id in ("../escape", "/abs", "run{1}"):
        assert "run id" in _one_line_error(_crm_diag(_batch_args(tmp_path, run_id, light, ids=IDS[:1])), 2)
    assert not (tmp_path.parent / "escape").exists()
    braces = tmp_path / "{ACME}" / "{institution_id}"
    done = _crm_diag(_batch_args(braces, "r", light, "--no-summary", ids=IDS[:1]))
    assert done.returncode == 0, done.stderr
    assert (braces / "r" / "CITY-01" / "internal" / "CITY-01.ipynb").is_file()
    assert (braces / "r" / "CITY-01" / "CITY-01.html").is_file()


def test_manifest_cells_cannot_run_as_spreadsheet_formulas(tmp_path):
    rows = {"X": {"institution_id": "X", "folder": "X", "status": "failed", "error": '=HYPERLINK("http://evil.example")',
                  "duration_s": "-1.5"}}
    text = write_manifest(tmp_path, rows).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",-1.5," in text


# ------------------------------------------------------------------ no browser


def test_pdf_asked_for_without_a_browser_warns_and_exits_1(tmp_path, light):
    done = _crm_diag(_batch_args(tmp_path, "r", light, "--formats", "html,pdf", "--no-summary", ids=IDS[:1]),
                     env={"CRM_DIAG_CHROMIUM": "/nonexistent"})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("no Chromium browser found") == 2  # at the start and in the end summary
    assert (tmp_path / "r" / "CITY-01" / "CITY-01.html").is_file()
    assert not list((tmp_path / "r").rglob("*.pdf"))


def test_html_only_batch_writes_no_pdf_at_all(tmp_path, light):
    done = _crm_diag(_batch_args(tmp_path, "r", light, ids=IDS[:1]))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r" / "portfolio_summary.html").is_file()
    assert not list((tmp_path / "r").rglob("*.pdf"))


def test_a_worker_whose_driver_is_gone_writes_nothing_under_a_final_name(tmp_path, light):
    """The lease: a worker publishes only while its driver is its parent
    (here the driver is another process than this one's parent)."""
    from analysis_lib.batch.runner import Task, run_task
    from analysis_lib.report.parameters import validate_parameters

    params = validate_parameters({"institution_id": "CITY-01", "panel_path": str(SAMPLE_PANEL)})
    outcome = run_task(Task("CITY-01", "CITY-01", str(tmp_path), params, ("html",), 60, str(light), driver=os.getppid() + 100000))
    assert outcome.status == "failed" and "driver" in outcome.error and "is gone" in outcome.error
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and ".partial" not in p.name]


def test_disk_full_when_the_manifest_is_written_keeps_the_last_complete_one(tmp_path, light, monkeypatch):
    """The driver's own write fails (a patched ``open`` raises ENOSPC for
    the manifest once the first report is recorded): the batch stops with
    OutputWriteError, workers are ended, the manifest on disk is the last
    complete one."""
    import builtins
    import errno

    from analysis_lib.batch.runner import run_batch
    from analysis_lib.errors import OutputWriteError

    real_open, full = builtins.open, []

    def open_on_a_full_disk(file, mode="r", *args, **kwargs):
        if full and "w" in mode and ".manifest" in str(file):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_on_a_full_disk)
    with pytest.raises(OutputWriteError, match=r"No space left on device; .* batch stopped after 1 of 3 institutions"):
        run_batch(SAMPLE_PANEL, institutions=IDS, formats=("html",), workers=1, out=tmp_path, run_id="r", notebook=str(light),
                  progress=False, on_outcome=full.append)
    monkeypatch.undo()
    assert {i: r["status"] for i, r in read_manifest(tmp_path / "r").items()} == {"CITY-01": "ok", "CITY-02": "pending", "JSB-01": "pending"}
    for path in (tmp_path / "r").rglob("*.ipynb"):  # a worker stopped mid-report leaves at most a temporary name
        assert ".partial" in path.name or nbformat.read(str(path), as_version=4).cells


# ------------------------------------------------------------------ PDFs printed by the driver


def _light_batch(tmp_path, notebook, formats, ids=IDS):
    from analysis_lib.batch.runner import run_batch

    return run_batch(SAMPLE_PANEL, institutions=ids, formats=formats, workers=2, out=tmp_path, run_id="p", notebook=str(notebook),
                     progress=False)


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_a_local_batch_prints_its_pdfs_in_the_driver_and_keeps_only_what_was_asked(tmp_path, light, monkeypatch):
    from analysis_lib.batch import runner

    printed = []
    original = runner.Printers._print
    monkeypatch.setattr(runner.Printers, "_print", staticmethod(lambda outcome, task, printer: (printed.append(outcome.institution_id),
                                                                                                 original(outcome, task, printer))[1]))
    result = _light_batch(tmp_path, light, ("pdf",))
    assert result.exit_code == 0 and sorted(printed) == sorted(IDS)  # printed here, in the driver's threads
    for outcome in result.outcomes:
        folder = tmp_path / "p" / outcome.folder
        assert outcome.pdf == f"{outcome.folder}.pdf" and (folder / outcome.pdf).read_bytes().startswith(b"%PDF")
        assert outcome.html == "" and not list(folder.glob("*.html"))  # PDF only: the HTML it was printed from is gone
    manifest = read_manifest(tmp_path / "p")
    assert {row["pdf"] for row in manifest.values()} == {f"{i}.pdf" for i in IDS}
    _final_files_parse(tmp_path / "p")


def test_a_report_that_cannot_be_printed_fails_alone_and_keeps_its_html(tmp_path, light, monkeypatch):
    from analysis_lib.report.export import PdfPrinter

    original = PdfPrinter.print

    def print_or_fail(self, html_path, pdf_path, institution, language="en"):
        if institution == "CITY-02":
            raise RuntimeError("Target page, context or browser has been closed")
        return original(self, html_path, pdf_path, institution, language)

    monkeypatch.setattr(PdfPrinter, "print", print_or_fail)
    result = _light_batch(tmp_path, light, ("html", "pdf"))
    status = {o.institution_id: o for o in result.outcomes}
    assert status["CITY-02"].status == "failed" and status["CITY-02"].error.startswith("PDF: RuntimeError: Target page")
    assert (tmp_path / "p" / "CITY-02" / "CITY-02.html").is_file() and not (tmp_path / "p" / "CITY-02" / "CITY-02.pdf").exists()
    for other in ("CITY-01", "JSB-01"):  # printed, by a fresh browser where the failure came first
        assert status[other].status == "ok" and (tmp_path / "p" / other / f"{other}.pdf").is_file()
    assert read_manifest(tmp_path / "p")["CITY-02"]["status"] == "failed" and result.exit_code == 1


def test_a_browser_that_does_not_start_fails_the_report_with_the_reason_and_is_tried_again(tmp_path, monkeypatch):
    from analysis_lib.batch.runner import Outcome, Printers, Task
    from analysis_lib.report.export import PdfPrinter

    starts = []
    original = PdfPrinter.__enter__

    def start_second_time(self):
        starts.append(1)
        if len(starts) == 1:
            raise RuntimeError("Executable doesn't exist at /opt/chrome")
        return original(self)

    monkeypatch.setattr(PdfPrinter, "__enter__", start_second_time)
    folder = tmp_path / "A"
    folder.mkdir()
    (folder / "A.html").write_text("<html><body><p>report</p></body></html>", encoding="utf-8")
    task = Task("A", "A", str(tmp_path), {"language": "en"}, ("pdf",), None, print_pdf=False)
    with Printers(1) as printers:
        first = printers.submit(Outcome("A", "A", "ok", "", 1.0, html="A.html"), task).result(timeout=60)
        second = printers.submit(Outcome("A", "A", "ok", "", 1.0, html="A.html"), task).result(timeout=60)
    assert first.status == "failed" and first.error == "PDF: the browser did not start: RuntimeError: Executable doesn't exist at /opt/chrome"
    assert second.status == "ok" and (folder / "A.pdf").read_bytes().startswith(b"%PDF") and second.html == ""
