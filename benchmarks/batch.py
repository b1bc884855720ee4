"""Batch throughput: the same institutions (HTML + PDF) through

(a) a naive serial loop of command-line calls — ``papermill``, then
    ``jupyter nbconvert --to html --no-input``, then ``jupyter nbconvert
    --to webpdf --no-input`` (Playwright driving the system Chromium; where
    that cannot run, headless Chromium ``--print-to-pdf``, and the output
    says so) — and
(b) ``crm-diag batch`` (parallel workers, each report in a fresh kernel
    forked from a warm kernel server, the PDFs printed by the driver in one
    browser tab while the workers run the next notebooks, a shared frontier
    cache),

side by side in one run. Prints both times, the ratio, the marginal time per
report of the batch, the peak memory of each worker process (sampled from
/proc while the batch runs) with its memory at the first and the last
report, and where the time of one report goes (kernel start-up ordinary and
warm, imports, analyses, charts, parameters and messaging, HTML, PDF).

Every time is given as wall time and as CPU time: the CPU seconds of all the
processes involved (papermill, kernels, the warm kernel server, workers,
Chromium), counted when they exit. On a machine shared with other work, wall
time depends on the others' load (printed at the start and the end) while CPU
time hardly does; on an idle 2-core machine a 2-worker batch's wall time is
about half its CPU time.

Targets on a 2-core machine: ratio >= 8x, marginal <= 1.2 s per report,
memory flat over 200 reports (``--memory-reports 200``; not run by default).

Run: .venv/bin/python benchmarks/batch.py [--reports 20] [--workers 2] [--memory-reports 0] [--naive-pdf webpdf|chromium] [--steps-only]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from analysis_lib.batch.kernels import WarmKernelServer, warm_up
from analysis_lib.report.export import KERNEL_ARGUMENTS, PdfPrinter, notebook_to_html

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PANEL = ROOT / "data" / "sample" / "institutions.csv"
NOTEBOOK = ROOT / "notebooks" / "institution_diagnostic.ipynb"
TARGET_RATIO, TARGET_MARGINAL = 8.0, 1.2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds of this process's finished (waited-for) descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reaped_cpu(pid: int) -> float:
    """CPU seconds of the finished children of process ``pid`` (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / CLOCK_TICKS


def settled_reaped_cpu(pid: int, timeout: float = 10.0) -> float:
    """:func:`reaped_cpu` once process ``pid`` has no child left (its
    kernels end asynchronously after papermill returns)."""
    deadline = time.monotonic() + timeout
    while _children(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return reaped_cpu(pid)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def panel_for(count: int, work: Path) -> tuple[Path, list[str]]:
    """The sample panel, or for more reports than it has institutions a copy
    with each row repeated under new ids (``CITY-01-r2`` …)."""
    import pandas as pd

    frame = pd.read_csv(PANEL, dtype=str, keep_default_na=False)
    if count <= len(frame):
        return PANEL, list(frame["institution_id"][:count])
    copies = [frame.assign(institution_id=frame["institution_id"] + ("" if r == 0 else f"-r{r + 1}")) for r in range(-(-count // len(frame)))]
    bigger = pd.concat(copies, ignore_index=True).head(count)
    path = work / f"panel-{count}.csv"
    bigger.to_csv(path, index=False)
    return path, list(bigger["institution_id"])


def webpdf_environment(work: Path, browser: str) -> dict[str, str]:
    """Environment in which Playwright — hence ``jupyter nbconvert --to
    webpdf`` — finds the system Chromium: where Playwright cannot download its
    own browser, its browser folder is laid out with links to this one."""
    env = {**os.environ, "PLAYWRIGHT_BROWSERS_PATH": str(work / "ms-playwright")}
    listing = subprocess.run([sys.executable, "-m", "playwright", "install", "--dry-run", "chromium"], env=env, capture_output=True,
                             text=True).stdout
    executables = {"chrome-linux64": "chrome", "chrome-linux": "chrome", "chrome-headless-shell-linux64": "chrome-headless-shell"}
    for block in listing.split("\n\n"):
        location = re.search(r"Install location:\s+(\S+)", block)
        url = re.search(r"Download url:\s+(\S+)", block)
        if location and url and (folder := Path(url.group(1)).name.removesuffix(".zip")) in executables:
            target = Path(location.group(1)) / folder / executables[folder]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(browser)
    return env


def naive(panel: Path, ids: list[str], out: Path, browser: str, work: Path, pdf: str = "webpdf") -> tuple[float, float, str]:
    """The serial loop; returns its wall and CPU time and how it made PDFs
    (``jupyter nbconvert --to webpdf``, or the Chromium command line when
    asked or when webpdf cannot run here)."""
    env = webpdf_environment(work, browser)
    route = "jupyter nbconvert --to webpdf" if pdf == "webpdf" else "headless Chromium --print-to-pdf"
    start, cpu = time.perf_counter(), children_cpu()
    for institution_id in ids:
        executed = out / f"{institution_id}.ipynb"
        command = [str(VENV_BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "institution_id", institution_id,
                   "-p", "panel_path", str(panel), "--cwd", str(ROOT)]
        subprocess.run(command, check=True, capture_output=True)
        subprocess.run([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], check=True, capture_output=True)
        if route.startswith("jupyter"):
            pdf = subprocess.run([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "webpdf", "--no-input",
                                  "--WebPDFExporter.disable_sandbox=True", str(executed)], env=env, capture_output=True)
            if pdf.returncode == 0:
                continue
            route = "headless Chromium --print-to-pdf (webpdf failed: " + pdf.stderr.decode(errors="replace").strip().splitlines()[-1][:120] + ")"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={out / (institution_id + '.pdf')}", (out / f"{institution_id}.html").as_uri()], check=True,
                       capture_output=True)
    return time.perf_counter() - start, children_cpu() - cpu, route


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Child processes of ``pid``, started by any of its threads (the
    driver's PDF browsers are started by its printer threads)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


class WorkerMemory(threading.Thread):
    """Samples the RSS of every direct child of the batch driver: its worker
    processes (excluding kernels, which exit after each report), the warm
    kernel server and the driver's PDF browsers (Playwright's driver with
    its Chromium processes)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peaks, self.series, self.running = pid, {}, {}, True
        self.server: int | None = None
        self.browsers: set[int] = set()

    def run(self) -> None:
        while self.running:
            for child in _children(self.pid):
                command = _cmdline(child)
                if "resource_tracker" in command:
                    continue
                if "analysis_lib.batch.kernels" in command:
                    self.server = child
                tree = [child]
                if "node" in _comm(child) or "playwright" in command:
                    self.browsers.add(child)
                    tree += _tree(child)
                rss = sum(_rss_kb(p) for p in tree)
                self.peaks[child] = max(self.peaks.get(child, 0), rss)
                self.series.setdefault(child, []).append(rss)
            time.sleep(0.2)

    def what(self, pid: int) -> str:
        return ("warm kernel server" if pid == self.server else "driver's PDF browser (Playwright and Chromium)" if pid in self.browsers
                else "worker")


def _tree(pid: int) -> list[int]:
    """Every descendant of ``pid``."""
    found, queue = [], [pid]
    while queue:
        for child in _children(queue.pop()):
            found.append(child)
            queue.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def batch(panel: Path, ids: list[str], out: Path, workers: int) -> tuple[float, float, WorkerMemory]:
    """``crm-diag batch``: its wall time, the CPU time of all its processes, their memory."""
    start, cpu = time.perf_counter(), children_cpu()
    process = subprocess.Popen([str(VENV_BIN / "crm-diag"), "batch", "--panel", str(panel), "--institutions", *ids,
                                "--workers", str(workers), "--out", str(out), "--run-id", "bench", "--no-summary", "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    monitor = WorkerMemory(process.pid)
    monitor.start()
    code = process.wait()
    monitor.running = False
    if code != 0:
        raise SystemExit(f"crm-diag batch failed with exit code {code}")
    return time.perf_counter() - start, children_cpu() - cpu, monitor


def _process_cpu(pid: int) -> float:
    """CPU seconds of process ``pid`` and its finished children (0 once gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / CLOCK_TICKS


def _browser_cpu() -> float:
    """CPU seconds so far of the Chromium processes under this process."""
    total, todo = 0.0, _children(os.getpid())
    while todo:
        pid = todo.pop()
        todo += _children(pid)
        if "chrom" in _comm(pid):
            total += _process_cpu(pid)
    return total


def _in_a_fresh_process(analyses, sections, panel: Path) -> tuple[float, float, int]:
    """CPU seconds of ``analyses()`` and ``sections(result)`` run once in a
    process forked from this one, as a kernel is forked from the warm
    server (imports loaded, the panel's shared results computed, all frozen
    out of the garbage collector's scans; nothing of the institution
    computed yet); and what ``sections`` returned."""
    import json

    warm_up(panels=(str(panel),))  # the server's imports, fonts and panel results, then its garbage-collector freeze
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        clock = time.process_time()
        result = analyses()
        middle = time.process_time()
        count = sections(result)
        os.write(write, json.dumps([middle - clock, time.process_time() - middle, count]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as stream:
        answer = json.loads(stream.read())
    os.waitpid(pid, 0)
    return answer[0], answer[1], answer[2]


def where_the_time_goes(panel: Path, institution_id: str, work: Path) -> list[tuple[str, float, float | None]]:
    """One report, step by step, as a batch worker runs it: kernel start-up
    (ordinary and warm), the notebook's analyses and sections, parameters
    and messaging, the HTML export and the PDF; (step, wall, CPU) each.

    The kernel's CPU is read from the warm server's account of its finished
    kernels; the analyses' and sections' CPU from running them in this
    process (warmed up, as in a kernel forked from the warm server); the rest
    of the notebook's CPU is the parameters and messaging."""
    import asyncio

    import nbformat
    import papermill as pm
    from jupyter_client.manager import AsyncKernelManager

    from analysis_lib.report.diagnostic import run_diagnostic
    from analysis_lib.report.rendering import SECTION_ORDER, section_html

    async def start_and_import(manager_class: type) -> tuple[float, float]:
        manager = manager_class(kernel_name="python3")
        clock = time.perf_counter()
        await manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS)
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=120)
        ready = time.perf_counter() - clock
        clock = time.perf_counter()
        await client.execute_interactive("import analysis_lib.report.diagnostic, analysis_lib.report.rendering", timeout=120, output_hook=lambda m: None)
        imports = time.perf_counter() - clock
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
        return ready, imports

    steps: list[tuple[str, float, float | None]] = []
    cpu = children_cpu() + time.process_time()
    ready, imports = asyncio.run(start_and_import(AsyncKernelManager))
    steps += [("ordinary kernel: start until ready", ready, None),
              ("ordinary kernel: import the analysis stack (CPU: with start)", imports, children_cpu() + time.process_time() - cpu)]
    executed = work / "steps.ipynb"
    with WarmKernelServer(panels=(str(panel),)) as server:
        server_pid = server.pid
        cpu = settled_reaped_cpu(server_pid) + time.process_time()
        ready, imports = asyncio.run(start_and_import(server.kernel_manager_class()))
        steps += [("warm kernel: fork until ready", ready, None),
                  ("warm kernel: import the analysis stack (already loaded; CPU: with fork)", imports,
                   settled_reaped_cpu(server_pid) + time.process_time() - cpu)]
        options = {"kernel_name": "python3", "cwd": str(ROOT), "progress_bar": False, "log_output": False, "request_save_on_cell_execute": False,
                   "extra_arguments": KERNEL_ARGUMENTS, "kernel_manager_class": server.kernel_manager_class(), "shutdown_kernel": "immediate",
                   "parameters": {"institution_id": institution_id, "panel_path": str(panel)}}  # as a batch worker runs it
        pm.execute_notebook(str(NOTEBOOK), str(work / "first.ipynb"), **options)
        clock, cpu = time.perf_counter(), settled_reaped_cpu(server_pid) + time.process_time()
        pm.execute_notebook(str(NOTEBOOK), str(executed), **options)
        total = time.perf_counter() - clock
        total_cpu = settled_reaped_cpu(server_pid) + time.process_time() - cpu
    nb = nbformat.read(str(executed), as_version=4)

    def seconds(marker: str) -> float:
        return sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells if c.cell_type == "code" and marker in c.source)

    analyses_cpu, sections_cpu, charts = _in_a_fresh_process(lambda: run_diagnostic(institution_id=institution_id, panel_path=str(panel)),
                                                            lambda diag: sum(section_html(diag, key).count("<figure") for key in SECTION_ORDER),
                                                            panel)
    analyses, sections = seconds("run_diagnostic("), seconds("show(diag")  # one cell per part of the report
    steps += [("notebook: the analyses (run_diagnostic)", analyses, analyses_cpu),
              (f"notebook: the report sections ({charts} charts)", sections, sections_cpu),
              ("notebook: warm kernel, parameters and messaging", total - analyses - sections, total_cpu - analyses_cpu - sections_cpu)]
    notebook_to_html(nb, work / "steps.html", "steps")
    clock, cpu = time.perf_counter(), time.process_time()
    notebook_to_html(nb, work / "steps.html", "steps")
    steps.append(("HTML export", time.perf_counter() - clock, time.process_time() - cpu))
    with PdfPrinter() as printer:
        if printer.available:
            printer.warm_up()
            printer.print(work / "steps.html", work / "first.pdf", institution_id)
            clock, cpu = time.perf_counter(), _browser_cpu() + time.process_time()
            printer.print(work / "steps.html", work / "steps.pdf", institution_id)
            steps.append(("PDF (the driver's browser tab; CPU: Chromium and the driver)", time.perf_counter() - clock,
                          _browser_cpu() + time.process_time() - cpu))
    return steps


def main() -> None:
    from analysis_lib.report.export import find_browser

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-reports", type=int, default=0, help="also run a long batch to check memory stays flat")
    parser.add_argument("--steps-only", action="store_true", help="only where the time of one report goes (no naive loop, no batch)")
    parser.add_argument("--naive-pdf", choices=("webpdf", "chromium"), default="webpdf",
                        help="PDF step of the naive loop: jupyter nbconvert --to webpdf, or the lighter Chromium command line")
    args = parser.parse_args()
    browser = find_browser()
    if browser is None:
        raise SystemExit("no Chromium found: apt-get install chromium")
    work = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    panel, ids = panel_for(args.reports, work)
    if args.steps_only:
        print(f"where the time of one report goes (seconds; load average {load()}):{'wall':>14}{'CPU':>7}")
        for step, seconds, cpu in where_the_time_goes(panel, ids[0], work):
            print(f"  {step:<76} {seconds:5.2f}  " + (f"{cpu:5.2f}" if cpu is not None else "    –"))
        shutil.rmtree(work, ignore_errors=True)
        return
    try:
        (work / "naive").mkdir()
        load_before = load()
        t_naive, c_naive, route = naive(panel, ids, work / "naive", browser, work, args.naive_pdf)
        t_small, c_small, _ = batch(panel, ids[:2], work / "small", args.workers)
        t_batch, c_batch, memory = batch(panel, ids, work / "batch", args.workers)
        n = len(ids)
        marginal, marginal_cpu = (t_batch - t_small) / max(n - 2, 1), (c_batch - c_small) / max(n - 2, 1)
        print(f"{n} reports (HTML + PDF), {args.workers} workers on {os.cpu_count()} cores; load average {load_before} at the start, "
              f"{load()} at the end")
        print(f"{'':52}{'wall':>9}{'CPU':>9}   (seconds)")
        print(f"  naive serial loop of papermill + nbconvert calls: {t_naive:9.1f}{c_naive:9.1f}   ({t_naive / n:.2f} wall, "
              f"{c_naive / n:.2f} CPU per report)")
        print(f"    (PDF by {route})")
        print(f"  crm-diag batch:                                   {t_batch:9.1f}{c_batch:9.1f}   ({t_batch / n:.2f} wall, {c_batch / n:.2f} CPU per report)")
        print(f"  speed ratio (naive / batch):                      {t_naive / t_batch:8.1f}x{c_naive / c_batch:8.1f}x   (target >= {TARGET_RATIO:g}x)")
        print(f"  marginal per report (batch of {n} vs 2):          {marginal:9.2f}{marginal_cpu:9.2f}   (target <= {TARGET_MARGINAL:g} s; "
              f"CPU / {args.workers} workers = {marginal_cpu / args.workers:.2f} s)")
        for worker, peak in memory.peaks.items():
            series = memory.series[worker]
            what = memory.what(worker)
            print(f"  {what} {worker}: peak {peak / 1024:4.0f} MiB; first {series[0] / 1024:.0f} MiB, last {series[-1] / 1024:.0f} MiB")
        print(f"  where the time of one report goes (seconds; load average {load()}):{'wall':>14}{'CPU':>7}")
        for step, seconds, cpu in where_the_time_goes(panel, ids[0], work):
            print(f"    {step:<76} {seconds:5.2f}  " + (f"{cpu:5.2f}" if cpu is not None else "    –"))
        if args.memory_reports:
            long_panel, long_ids = panel_for(args.memory_reports, work)
            t_long, _, long_memory = batch(long_panel, long_ids, work / "long", args.workers)
            print(f"  {args.memory_reports} reports: {t_long:.0f} s")
            for worker, peak in long_memory.peaks.items():
                series = long_memory.series[worker]
                quarter = max(len(series) // 4, 1)
                what = long_memory.what(worker)
                print(f"  {what} {worker}: peak {peak / 1024:.0f} MiB; mean first quarter {sum(series[:quarter]) / quarter / 1024:.0f} MiB, "
                      f"last quarter {sum(series[-quarter:]) / quarter / 1024:.0f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
