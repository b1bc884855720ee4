"""Stand-in kernel process for :mod:`analysis_lib.batch.kernels`.

Run by the Jupyter kernel manager in place of ``python -m ipykernel_launcher``
(standard library only, started with ``python -I -S``, so it starts in a few
milliseconds)::

    python -I -S kernel_launcher.py SOCKET -f CONNECTION_FILE [kernel args...]

It asks the warm-kernel server listening on ``SOCKET`` for a new kernel
process, handing over its working directory, environment and standard
streams, then stands for that kernel towards the kernel manager: signals it
receives (interrupt, terminate) are forwarded to the kernel, and it exits
with the kernel's exit status. When the launcher is killed, the server sees
its connection close and kills the kernel, so the kernel manager's
``kill`` works as usual.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def _read_line(sock: socket.socket, buffer: bytearray) -> bytes:
    """One ``\\n``-terminated message from the server (empty at EOF)."""
    while b"\n" not in buffer:
        chunk = sock.recv(4096)
        if not chunk:
            return b""
        buffer.extend(chunk)
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


def _exit_like(status: int) -> None:
    """Leave with the kernel's wait status: its exit code, or the signal
    that killed it (re-raised on this process)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number not in (signal.SIGKILL, signal.SIGSTOP):  # these two cannot be handled, hence need no reset
            signal.signal(number, signal.SIG_DFL)
        sys.stdout.flush()
        os.kill(os.getpid(), number)
        sys.exit(128 + number)  # a signal this process ignores: the shell's convention
    sys.exit(os.WEXITSTATUS(status))


def main(argv: list[str]) -> None:
    address, kernel_args = argv[0], argv[1:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(address)
    except OSError as exc:
        sys.stderr.write(f"warm kernel server not reachable at {address}: {exc}\n")
        sys.exit(1)
    request = json.dumps({"argv": kernel_args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode("utf-8")
    socket.send_fds(sock, [struct.pack("!I", len(request)) + request], [0, 1, 2])
    buffer = bytearray()
    reply = _read_line(sock, buffer).decode()
    if not reply.startswith("pid "):
        sys.stderr.write(f"warm kernel server refused the kernel: {reply or 'connection closed'}\n")
        sys.exit(1)
    pid = int(reply.split()[1])

    def forward(number, _frame):
        try:
            os.kill(pid, number)
        except ProcessLookupError:
            pass

    for number in FORWARDED:
        signal.signal(number, forward)
    reply = _read_line(sock, buffer).decode()
    if not reply.startswith("exit "):  # the server went away: take the kernel with it
        forward(signal.SIGKILL, None)
        sys.exit(1)
    _exit_like(int(reply.split()[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
