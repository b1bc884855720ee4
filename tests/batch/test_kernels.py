"""Warm kernels: every report still gets a fresh kernel process of its own,
behaving exactly like an ordinary kernel (same report, signals, exit status,
clean-up when anything on the way dies)."""

import asyncio
import os
import signal
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from analysis_lib.batch import kernels
from analysis_lib.intake.panel import file_sha256
from analysis_lib.report.export import KERNEL_ARGUMENTS, NOTEBOOK, ROOT

from conftest import SAMPLE_PANEL

pytestmark = pytest.mark.skipif(not kernels.available(), reason="warm kernels need fork and Unix sockets")


@pytest.fixture(scope="module")
def server():
    with kernels.WarmKernelServer() as running:
        yield running


def _notebook(tmp_path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, str(path))
    return path


def _run(server, notebook: Path, output: Path, **kwargs) -> nbformat.NotebookNode:
    pm.execute_notebook(str(notebook), str(output), kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False,
                        extra_arguments=KERNEL_ARGUMENTS, kernel_manager_class=server.kernel_manager_class(), **kwargs)
    return nbformat.read(str(output), as_version=4)


def _text(nb, index: int) -> str:
    return "".join(o.get("text", "") for o in nb.cells[index].outputs if o.output_type == "stream")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead, just not reaped yet
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _wait_dead(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_every_report_gets_a_new_process_with_nothing_left_from_the_last(server, tmp_path):
    probe = _notebook(tmp_path, "import os, analysis_lib\nprint(os.getpid(), getattr(analysis_lib, 'left_behind', 'clean'))\n"
                                "analysis_lib.left_behind = 'dirty'")
    first = _text(_run(server, probe, tmp_path / "a.ipynb"), 0).split()
    second = _text(_run(server, probe, tmp_path / "b.ipynb"), 0).split()
    assert first[1] == second[1] == "clean"
    assert first[0] != second[0]
    assert server._process.pid not in (int(first[0]), int(second[0]))


def test_the_kernel_takes_the_working_folder_and_environment_of_its_launch(server, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DIAG_PROBE", "seen")
    folder = tmp_path / "work"
    folder.mkdir()
    probe = _notebook(tmp_path, "import os, sys\nprint(os.getcwd()); print(os.environ.get('CRM_DIAG_PROBE')); print(sys.path[0])")
    lines = _text(_run(server, probe, tmp_path / "out.ipynb", cwd=str(folder)), 0).split()
    assert lines == [str(folder), "seen", str(folder)]


def test_a_warm_kernel_writes_the_same_report_as_an_ordinary_one(server, tmp_path):
    params = {"institution_id": "CITY-02", "panel_path": str(SAMPLE_PANEL), "mc_draws": 2000}
    common = {"parameters": params, "kernel_name": "python3", "cwd": str(ROOT), "progress_bar": False, "extra_arguments": KERNEL_ARGUMENTS}
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "cold.ipynb"), **common)
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "warm.ipynb"), kernel_manager_class=server.kernel_manager_class(), **common)
    cold, warm = (nbformat.read(str(tmp_path / f"{n}.ipynb"), as_version=4) for n in ("cold", "warm"))
    outputs = [[[o.get("data", o.get("text")) for o in c.get("outputs", [])] for c in nb.cells] for nb in (cold, warm)]
    reproducibility = next(i for i, c in enumerate(cold.cells) if '"reproducibility"' in c.source)
    for index, (a, b) in enumerate(zip(*outputs, strict=True)):
        if index != reproducibility:  # the stamp carries the run time
            assert a == b, f"cell {index} differs"
    assert "data:image/svg+xml;base64" in str(outputs[1])  # the charts were drawn


def test_a_kernel_that_kills_itself_is_reported_dead_and_the_server_carries_on(server, tmp_path):
    from nbclient.exceptions import DeadKernelError

    killer = _notebook(tmp_path, "import os\nos.kill(os.getpid(), 9)")
    with pytest.raises(DeadKernelError):
        _run(server, killer, tmp_path / "killed.ipynb")
    assert server.alive
    ok = _notebook(tmp_path, "print(6 * 7)")
    assert _text(_run(server, ok, tmp_path / "ok.ipynb"), 0).strip() == "42"


async def _started(server, **launch):
    manager = server.kernel_manager_class()(kernel_name="python3")
    await manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, **launch)
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    reply = await client.execute_interactive("import os; print(os.getpid(), flush=True)", output_hook=lambda m: None, timeout=30)
    assert reply["content"]["status"] == "ok"
    return manager, client


async def _kernel_pid(client) -> int:
    seen = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            seen.append(msg["content"]["text"])

    await client.execute_interactive("print(os.getpid(), flush=True)", output_hook=hook, timeout=30)
    return int("".join(seen).split()[0])


def test_interrupts_reach_the_kernel(server):
    async def scenario():
        manager, client = await _started(server)
        try:
            msg_id = client.execute("import time; time.sleep(60)")
            await asyncio.sleep(1.0)
            await manager.interrupt_kernel()
            reply = await client.get_shell_msg(timeout=20)
            assert reply["parent_header"]["msg_id"] == msg_id
            assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
            assert await manager.is_alive()
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    asyncio.run(scenario())


def test_killing_the_launcher_kills_its_kernel(server):
    async def scenario():
        manager, client = await _started(server)
        pid = await _kernel_pid(client)
        client.stop_channels()
        await manager.shutdown_kernel(now=True)  # SIGKILL to the launcher's process group
        return pid

    pid = asyncio.run(scenario())
    assert _wait_dead(pid)
    assert server.alive


def test_closing_the_server_kills_its_kernels():
    with kernels.WarmKernelServer() as own:
        async def scenario():
            manager, client = await _started(own)
            pid = await _kernel_pid(client)
            client.stop_channels()
            return manager, pid

        manager, pid = asyncio.run(scenario())
        assert _alive(pid)
    assert _wait_dead(pid)
    assert _wait_dead(manager.provisioner.process.pid)  # the launcher follows its kernel
    asyncio.run(manager.shutdown_kernel(now=True))


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_the_launcher_exits_like_its_kernel(server, tmp_path, number):
    stderr = (tmp_path / "stderr.txt").open("w")

    async def scenario():
        manager, client = await _started(server, stderr=stderr)
        pid = await _kernel_pid(client)
        client.stop_channels()
        os.kill(pid, number)
        for _ in range(100):
            if not await manager.is_alive():
                break
            await asyncio.sleep(0.1)
        code = manager.provisioner.process.poll()
        await manager.shutdown_kernel(now=True)
        return code

    assert asyncio.run(scenario()) == -number
    stderr.close()
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text()


def test_only_ipython_kernels_are_forked():
    manager_class = kernels.manager_class("/nonexistent.sock")
    manager = manager_class(kernel_name="python3")
    manager.kernel_spec.argv = ["some-other-kernel", "-f", "{connection_file}"]
    manager._launch_args = {}
    assert manager.format_kernel_cmd()[0] == "some-other-kernel"
    manager.kernel_spec.argv = ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    command = manager.format_kernel_cmd(["--IPKernelApp.log_level=ERROR"])
    assert command[3:5] == [str(kernels.LAUNCHER), "/nonexistent.sock"]
    assert command[5] == "-f" and command[-1] == "--IPKernelApp.log_level=ERROR"


def test_a_server_that_cannot_start_says_so(tmp_path):
    broken = kernels.WarmKernelServer(preload=("analysis_lib.no_such_module",), start_timeout=60)
    with pytest.raises(RuntimeError, match="did not start"):
        broken.start()
    assert not broken.alive


def test_a_bad_request_is_refused_and_the_server_carries_on(server, tmp_path):
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.connect(server.address)
        probe.sendall(b"\x00\x00\x00\x02{}")  # no standard streams passed
        assert probe.recv(200).startswith(b"error ")
    assert server.alive
    ok = _notebook(tmp_path, "print('still serving')")
    assert _text(_run(server, ok, tmp_path / "ok.ipynb"), 0).strip() == "still serving"


def test_a_report_falls_back_to_an_ordinary_kernel_when_the_warm_server_is_gone(tmp_path):
    from analysis_lib.batch.runner import Task, run_task
    from analysis_lib.report.parameters import validate_parameters

    params = validate_parameters({"institution_id": "CITY-01", "panel_path": str(SAMPLE_PANEL), "mc_draws": 1000})
    task = Task("CITY-01", "CITY-01", str(tmp_path), params, ("html",), 600, kernel_server=str(tmp_path / "gone.sock"))
    outcome = run_task(task)
    assert outcome.status == "ok", outcome.error
    assert (tmp_path / "CITY-01" / "CITY-01.html").is_file()


def test_which_kernel_each_attempt_gets(monkeypatch, tmp_path):
    from analysis_lib.batch.runner import COLD_KERNELS_ENV, Task, _kernel_options

    task = Task("CITY-01", "CITY-01", str(tmp_path), {}, ("html",), 60, kernel_server="/run/kernels.sock")
    first = _kernel_options(task, attempt=1)
    assert first["kernel_manager_class"].server_address == "/run/kernels.sock" and first["shutdown_kernel"] == "immediate"
    assert _kernel_options(task, attempt=2) == {}  # a retry never depends on the warm server
    monkeypatch.setenv(COLD_KERNELS_ENV, "1")
    assert _kernel_options(task, attempt=1) == {}


def test_the_server_has_loaded_every_module_a_report_imports(tmp_path):
    """A module first imported inside a forked kernel is imported again for
    every report: the preload must cover the whole diagnostic notebook."""
    import subprocess
    import sys

    probe = f"""
import sys
from analysis_lib.batch.kernels import warm_up
warm_up()
before = set(sys.modules)
from analysis_lib.report.diagnostic import record_summary, run_diagnostic
from analysis_lib.report.deliverables import record_exports
from analysis_lib.report.rendering import SECTION_ORDER, section_html
diag = run_diagnostic(institution_id="CITY-02", panel_path={str(SAMPLE_PANEL)!r}, language="zh")
html = [section_html(diag, key) for key in SECTION_ORDER]
record_summary(diag), record_exports(diag)
print(sorted(set(sys.modules) - before))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=300, check=True)
    assert done.stdout.strip() == "[]", done.stdout


async def _with_ready_client(server, probe):
    """``await probe(client)`` with the client of a new warm kernel that is
    ready; the kernel is shut down afterwards."""
    manager = server.kernel_manager_class()(kernel_name="python3")
    await manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS)
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        return await probe(client)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def test_a_warm_kernel_is_ready_as_soon_as_it_has_answered(server):
    """The client takes the kernel as ready once IOPub has brought the idle
    status of the answered ``kernel_info`` request, and leaves nothing of the
    start-up on IOPub for the notebook's first cell."""
    from queue import Empty

    async def probe(client):
        leftovers = []
        try:
            while True:
                leftovers.append(await client.get_iopub_msg(timeout=0.3))
        except Empty:
            pass
        reply = await client.execute("21 * 2", reply=True, timeout=60)
        return type(client), leftovers, reply["content"]["status"]

    client_type, leftovers, status = asyncio.run(_with_ready_client(server, probe))
    assert client_type is kernels.WarmKernelClient
    assert [m["msg_type"] for m in leftovers] == [] and status == "ok"


def test_a_server_given_the_panel_forks_kernels_that_find_its_results_ready(tmp_path):
    probe = _notebook(tmp_path, "from analysis_lib.report import panel_results as shared\n"
                                "(results,) = shared._RESULTS.values()\n"
                                "print(results.panel.sha256, *sorted(vars(results)))")
    with kernels.WarmKernelServer(panels=(str(SAMPLE_PANEL),)) as primed:
        words = _text(_run(primed, probe, tmp_path / "out.ipynb"), 0).split()
    assert words[0] == file_sha256(SAMPLE_PANEL)  # computed by the server, before the fork
    assert {"latest", "positioning", "frontier", "expectations", "quality"} <= set(words[1:])


def test_a_warm_kernel_client_retries_a_kernel_not_yet_listening_within_milliseconds(server):
    """The client connects while the kernel is still being forked; zmq's
    default 100 ms before retrying would be a wait for every report."""
    import zmq

    async def reconnect_intervals(client):
        return {name: getattr(client, f"{name}_channel").socket.getsockopt(zmq.RECONNECT_IVL) for name in ("shell", "iopub", "control")}

    assert asyncio.run(_with_ready_client(server, reconnect_intervals)) == dict.fromkeys(("shell", "iopub", "control"), kernels.RECONNECT_MS)


def test_kernels_reuse_freed_memory_instead_of_faulting_in_fresh_pages(server, tmp_path):
    """The server's allocator settings (:data:`kernels.MALLOC_TUNING`) reach
    the kernels it forks: a 16 MB array allocated again after being freed
    reuses the same memory (no page faults; without the settings, hundreds
    for fresh pages)."""
    environment = dict(item.split(b"=", 1) for item in Path(f"/proc/{server.pid}/environ").read_bytes().split(b"\0") if b"=" in item)
    assert {key: environment[key.encode()].decode() for key in kernels.MALLOC_TUNING} == kernels.MALLOC_TUNING
    probe = _notebook(tmp_path, "import resource\nimport numpy as np\n"
                                "np.ones(2_000_000).sum()\n"
                                "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
                                "np.ones(2_000_000).sum()\n"
                                "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)")
    faults = int(_text(_run(server, probe, tmp_path / "out.ipynb"), 0))
    assert faults <= 20
