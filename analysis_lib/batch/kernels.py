"""Warm kernels for batch runs: a fresh kernel process per report, without
paying for Python start-up and imports each time.

Starting a Python kernel and importing the analysis stack (pandas, SciPy,
statsmodels, matplotlib, ``analysis_lib``) costs a few seconds of CPU per
report — more than the analysis itself. A batch therefore starts a *warm
kernel server* (one for a local batch, one per Dask worker): a process that
imports all of this once, loads the chart fonts, runs no analysis, holds no
institution's data, and then forks a brand-new kernel process for every
report. Each kernel is still its own
process, used for one institution only and discarded at the end: kernels are
never shared and never reused.

The Jupyter side is unchanged: papermill and nbclient drive a normal kernel
manager (:class:`WarmKernelManager`) whose kernel command is a tiny
stand-in process (``kernel_launcher.py``). The stand-in hands its working
directory, environment and standard streams to the server, forwards
interrupts and terminations to the forked kernel, and exits with the
kernel's status; if it is killed, the server kills the kernel.

The server listens on a Unix socket in a private temporary folder (mode
0700), so only the user running the batch can ask it for kernels. It stops
when its parent process goes away, killing any kernel still running.

POSIX only (it relies on ``fork``); elsewhere :func:`available` is False and
batches start ordinary kernels.

Examples
--------
>>> from analysis_lib.batch.kernels import WarmKernelServer
>>> with WarmKernelServer() as server:  # doctest: +SKIP
...     manager_class = server.kernel_manager_class()
...     # papermill.execute_notebook(..., kernel_manager_class=manager_class)
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from traitlets import DottedObjectName, Type

LAUNCHER = Path(__file__).with_name("kernel_launcher.py")
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.completer",
    "IPython.core.completerlib", "IPython.core.debugger", "IPython.extensions.storemagic", "tornado.platform.asyncio", "psutil",
    "numpy", "pandas", "scipy.optimize", "scipy.stats", "matplotlib.pyplot", "PIL.PngImagePlugin",
    "statsmodels.api", "statsmodels.duration.survfunc", "statsmodels.stats.proportion", "pyarrow.parquet",
    "analysis_lib.report.diagnostic", "analysis_lib.report.rendering", "analysis_lib.customers.extract",
    "analysis_lib.customers.retention", "analysis_lib.customers.churn_model", "analysis_lib.customers.value",
    "analysis_lib.customers.mapping", "analysis_lib.customers.book", "yaml", "scipy.linalg",
    "analysis_lib.report.programme_sections", "analysis_lib.report.action_titles", "analysis_lib.plan.change",
    "analysis_lib.plan.data_protection", "analysis_lib.plan.scorecard", "analysis_lib.plan.fit", "analysis_lib.plan.moves",
    "analysis_lib.roi.sourcing", "analysis_lib.report.sustain",
    "matplotlib.backends.backend_svg", "pyarrow.dataset", "pandas.core.reshape.reshape",
    "analysis_lib.report.deliverables", "analysis_lib.report.deck", "analysis_lib.report.commentary", "html.parser",
    "pandas.core.methods.to_dict", "pandas.core.arrays.arrow.extension_types", "IPython.core.oinspect", "IPython.utils.wildcard",
)
"""Modules the server imports before forking kernels: the kernel itself and
everything the diagnostic notebook uses. Imports only — no analysis runs."""
LISTENING = b"listening\n"
READY = b"ready\n"
START_TIMEOUT = 180.0
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
KILL_POLL = 0.005
"""Seconds between checks that a killed kernel has ended (jupyter_client: 0.1)."""
RECONNECT_MS = 5
"""Milliseconds before a client retries a kernel that is not listening yet (zmq: 100)."""
MALLOC_TUNING = {"MALLOC_MMAP_THRESHOLD_": str(64 << 20), "MALLOC_TRIM_THRESHOLD_": str(256 << 20), "MALLOC_TOP_PAD_": str(64 << 20)}
"""glibc allocator settings of the server, inherited by every kernel it
forks: large arrays (a Monte Carlo's draws) come from the heap rather than
fresh zeroed pages of their own, and freed memory stays for the next one
instead of going back to the system and being faulted in again. A kernel
lives for one report, so keeping its memory costs nothing. Settings already
in the environment win."""


def available() -> bool:
    """Whether warm kernels can be used on this platform."""
    return hasattr(os, "fork") and hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")


# ---------------------------------------------------------------- client side


class WarmKernelServer:
    """One warm kernel server process (a context manager).

    Parameters
    ----------
    preload : tuple of str
        Modules imported before any kernel is forked.
    start_timeout : float
        Seconds to wait for the server to finish its imports.
    panels : tuple of str
        Panel files whose shared results (:mod:`analysis_lib.report.panel_results`:
        validation, positioning, frontier, expectation fits, data quality)
        the server computes before forking, so that every report's kernel
        starts with them.

    Examples
    --------
    >>> with WarmKernelServer() as server:
    ...     manager_class = server.kernel_manager_class()  # for papermill.execute_notebook(kernel_manager_class=...)
    ...     server.alive, manager_class.server_address == server.address
    (True, True)
    """

    def __init__(self, preload: tuple[str, ...] = PRELOAD, start_timeout: float = START_TIMEOUT, panels: tuple[str, ...] = ()) -> None:
        self.preload, self.start_timeout, self.panels = preload, start_timeout, tuple(str(p) for p in panels)
        self._folder: str | None = None
        self._process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        """Path of the server's Unix socket."""
        if self._folder is None:
            raise RuntimeError("warm kernel server not started")
        return os.path.join(self._folder, "kernels.sock")

    def start(self, wait: bool = True) -> WarmKernelServer:
        """Start the server.

        The server listens at once and imports afterwards; kernels asked for
        meanwhile wait in its queue. With ``wait`` this returns when the
        imports are done.

        Raises
        ------
        RuntimeError
            If the server exits or does not listen (or, with ``wait``,
            become ready) in time.
        """
        # a Unix socket path must stay short (about 100 bytes): fall back to /tmp under a long $TMPDIR
        self._folder = tempfile.mkdtemp(prefix="crm-kernels-", dir=None if len(tempfile.gettempdir()) < 60 else "/tmp")
        command = [sys.executable, "-m", "analysis_lib.batch.kernels", self.address, *self.preload,
                   *(item for panel in self.panels for item in ("--panel", panel))]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**MALLOC_TUNING, **os.environ})
        atexit.register(self.close)
        self._expect(LISTENING)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        """Wait until the server's imports are done."""
        self._expect(READY)

    def _expect(self, line: bytes) -> None:
        assert self._process is not None and self._process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self._process.stdout, selectors.EVENT_READ)
        arrived = selector.select(self.start_timeout) and self._process.stdout.readline() == line
        selector.close()
        if not arrived:
            self.close()
            raise RuntimeError("warm kernel server did not start (see the messages above)")

    @property
    def pid(self) -> int | None:
        """The server's process id (None before it starts); its finished
        kernels count in the CPU time it reports for its children."""
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def close(self) -> None:
        """Stop the server; it kills any kernel still running."""
        atexit.unregister(self.close)
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()
            self._process = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> WarmKernelServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def kernel_manager_class(self) -> type:
        """A kernel manager class whose kernels this server forks (pass it to
        ``papermill.execute_notebook(kernel_manager_class=...)``)."""
        return manager_class(self.address)


def manager_class(address: str) -> type:
    """A :class:`WarmKernelManager` class bound to the server at ``address``
    (a server started by another process of the same machine works too)."""
    return type("BoundWarmKernelManager", (WarmKernelManager,), {"server_address": address})


def _manager_base() -> type:
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager


def _client_base() -> type:
    from jupyter_client.asynchronous import AsyncKernelClient

    return AsyncKernelClient


class WarmKernelClient(_client_base()):  # type: ignore[misc]
    """An ``AsyncKernelClient`` that knows when a new kernel is ready without
    waiting for IOPub to stay silent.

    ``jupyter_client`` calls a kernel ready once it answers ``kernel_info``
    and then drains IOPub until no message has come for 0.2 s: a fixed wait
    for every report. Here the drain ends as soon as the kernel's ``idle``
    status for the answered request has arrived (the last message that
    request causes); messages queued by then are discarded as before. Until
    IOPub carries a message the kernel is not taken as ready, as in
    ``jupyter_client``.
    """

    async def _ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                request = reply["parent_header"].get("msg_id")
                try:
                    first = await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected
                except Empty:
                    first = None
                if first is not None:
                    self._handle_kernel_info_reply(reply)
                    await self._drain_iopub(first, request)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _drain_iopub(self, message: dict, request: str | None) -> None:
        from queue import Empty

        while not (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                   and message["parent_header"].get("msg_id") == request):
            try:
                message = await self.iopub_channel.get_msg(timeout=0.2)
            except Empty:
                return
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                return

    wait_for_ready = _ready

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        # The client connects while the kernel is being forked, before it
        # listens: zmq retries a refused connection after its reconnect
        # interval, 100 ms by default, a wait for every report. (A context
        # option: the default of the sockets it creates from now on.)
        import zmq

        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        super().start_channels(*args, **kwargs)


class WarmKernelManager(_manager_base()):  # type: ignore[misc]
    """An ``AsyncKernelManager`` that gets its IPython kernels from a
    :class:`WarmKernelServer` (bound through ``server_address``); any other
    kernel is started as usual. Its clients are :class:`WarmKernelClient`."""

    server_address = ""
    client_class = DottedObjectName("analysis_lib.batch.kernels.WarmKernelClient")
    client_factory = Type(WarmKernelClient, klass="jupyter_client.asynchronous.AsyncKernelClient")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        if not self.server_address or "ipykernel_launcher" not in command:
            return command
        kernel_args = command[command.index("ipykernel_launcher") + 1:]
        return [sys.executable, "-I", "-S", str(LAUNCHER), self.server_address, *kernel_args]

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before every shutdown; relayed through the
        # launcher, that signal can land while the kernel is already shutting
        # down. A kernel being shut down is interrupted by the shutdown itself.
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel

    async def _async_wait(self, pollinterval: float = KILL_POLL) -> None:
        # jupyter_client polls a killed kernel every 0.1 s until it is gone;
        # a killed launcher is gone within milliseconds, and every report
        # waits for its kernel to end.
        await super()._async_wait(pollinterval)


# ---------------------------------------------------------------- server side


def warm_up(preload: list[str] | tuple[str, ...] = PRELOAD, panels: list[str] | tuple[str, ...] = ()) -> None:
    """Import ``preload``, load the chart fonts (Latin regular and bold,
    Chinese regular, as the charts use them) and compute the shared results
    of ``panels`` (:func:`analysis_lib.report.panel_results.prime`) so that
    forked kernels find them in memory."""
    import importlib

    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # as ipykernel sets it before any user import
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # as jupyter_client sets it for kernels
    for name in preload:
        importlib.import_module(name)
    from matplotlib import font_manager

    from analysis_lib.report.fonts import MissingFontError, chart_cjk_font

    faces = [("DejaVu Sans", "normal"), ("DejaVu Sans", "bold")]
    with contextlib.suppress(MissingFontError):  # an English-only machine: its Chinese reports say what to install
        faces.append((chart_cjk_font(), "normal"))
    for family, weight in faces:
        font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=family, weight=weight)))
    if panels:
        from analysis_lib.report.panel_results import prime

        prime(panels)
    # Everything loaded so far lives as long as the kernel: keep it out of
    # the garbage collector's scans (cheaper collections, and fewer pages
    # copied into each forked kernel).
    gc.collect()
    gc.freeze()


def _receive_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    import json

    conn.settimeout(10)
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    if len(data) < 4:
        raise ValueError("truncated request")
    size = struct.unpack("!I", data[:4])[0]
    body = bytearray(data[4:])
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            raise ValueError("truncated request")
        body.extend(chunk)
    conn.settimeout(None)
    if len(fds) != 3:
        raise ValueError("the launcher must pass its three standard streams")
    return json.loads(body), fds


def _become_kernel(request: dict[str, Any], fds: list[int], inherited: list[int]) -> None:
    """In the forked child: take over the launcher's streams, folder and
    environment, then run an IPython kernel until it shuts down. Never
    returns."""
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd in inherited:
            os.close(fd)
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = request["cwd"]
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = [sys.executable, *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class _Server:
    """The server loop: accept launchers, fork kernels, report exits, kill
    kernels whose launcher went away, stop when the parent goes away."""

    def __init__(self, address: str) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(address)
        self.listener.listen(64)
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the batch; the server follows when its parent goes
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
        self.selector.register(self.wake_read, selectors.EVENT_READ)
        self.kernels: dict[int, socket.socket | None] = {}

    @staticmethod
    def _stop(*_: Any) -> None:
        raise SystemExit(0)

    def serve(self) -> None:
        _announce(READY)
        try:
            while True:
                for key, _ in self.selector.select():
                    if key.fileobj is self.listener:
                        self._accept()
                    elif key.fileobj == sys.stdin.fileno():
                        if not os.read(sys.stdin.fileno(), 4096):
                            return  # the batch worker is gone
                    elif key.fileobj == self.wake_read:
                        self._drain_wakeups()
                        self._reap()
                    else:
                        self._launcher_closed(key.fileobj)
        finally:
            self._kill_all()

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        fds: list[int] = []
        inherited = [self.listener.fileno(), self.selector.fileno(), self.wake_read, self.wake_write, conn.fileno()]
        inherited += [c.fileno() for c in self.kernels.values() if c is not None]
        try:
            request, fds = _receive_request(conn)
            pid = os.fork()
        except (OSError, ValueError) as exc:  # a launcher that went away, a bad request, no memory to fork
            _close_all(fds)
            _refuse(conn, exc)
            return
        if pid == 0:
            _become_kernel(request, fds, inherited)  # never returns
        _close_all(fds)
        self.kernels[pid] = conn
        self.selector.register(conn, selectors.EVENT_READ)
        try:
            conn.sendall(f"pid {pid}\n".encode())
        except OSError:
            self._launcher_closed(conn)

    def _drain_wakeups(self) -> None:
        try:
            while os.read(self.wake_read, 512):
                pass
        except BlockingIOError:
            pass

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.kernels.pop(pid, None)
            if conn is not None:
                self.selector.unregister(conn)
                try:
                    conn.sendall(f"exit {status}\n".encode())
                except OSError:
                    pass
                conn.close()

    def _launcher_closed(self, conn: socket.socket) -> None:
        """The launcher sent nothing more than EOF: it died, so its kernel goes."""
        self.selector.unregister(conn)
        conn.close()
        for pid, owner in list(self.kernels.items()):
            if owner is conn:
                self.kernels[pid] = None
                _kill(pid)

    def _kill_all(self) -> None:
        for pid in list(self.kernels):
            _kill(pid)
        for pid in list(self.kernels):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


def _refuse(conn: socket.socket, reason: Exception) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(f"error {reason}\n".encode())
    conn.close()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main(argv: list[str]) -> None:
    """``python -m analysis_lib.batch.kernels SOCKET [MODULE ...] [--panel FILE ...]``:
    warm up, then serve."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis_lib.batch.kernels")
    parser.add_argument("address")
    parser.add_argument("preload", nargs="*")
    parser.add_argument("--panel", action="append", default=[])
    args = parser.parse_args(argv)
    server = _Server(args.address)
    _announce(LISTENING)
    warm_up(args.preload, args.panel)
    try:
        server.serve()
    finally:  # its parent may be gone (killed) without removing the socket's folder
        shutil.rmtree(os.path.dirname(args.address), ignore_errors=True)


def _announce(line: bytes) -> None:
    sys.stdout.buffer.write(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
