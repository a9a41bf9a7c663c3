"""One command run by the agent: what a forked worker does before and after
the ordinary CLI code runs (protocol.py, `run`).

The worker takes the client's stdin, stdout and stderr as its own 0, 1 and
2 (and Python streams over them with the client's encodings and buffering),
its working folder and its environment, restores the signal handlers a
fresh `vault` process has, and tells the client its pid. Then the runner
(the CLI, exactly as in-process) runs the argv; the unlock policy finds the
key in this process's memory (client.hold), never on the socket. The exit
code goes back on the connection and the worker ends with it.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO

from . import client, protocol

PR_SET_NAME = 15
DEFERRED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def check(message: dict[str, Any], fds: list[int]) -> str | None:
    """What is wrong with a `run` request, or None."""
    argv, env, streams = message.get("argv"), message.get("env"), message.get("streams")
    if len(fds) not in (3, 4):
        return "run needs stdin, stdout and stderr (and at most the terminal)"
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
        return "malformed request"
    if not isinstance(message.get("cwd"), str):
        return "malformed request"
    if not (isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str)
                                          and k and "=" not in k and "\0" not in k + v
                                          for k, v in env.items())):
        return "malformed request"
    if not (isinstance(streams, list) and len(streams) == 3 and all(
            isinstance(s, list) and len(s) == 3 and isinstance(s[0], str)
            and isinstance(s[1], str) and isinstance(s[2], bool) for s in streams)):
        return "malformed request"
    for encoding, errors, _ in streams:
        import codecs
        try:
            codecs.lookup(encoding)
            codecs.lookup_error(errors)
        except LookupError:
            return "malformed request"
    return None


def run(conn: socket.socket, message: dict[str, Any], fds: list[int], vault: Path,
        kek: bytes, runner: Callable[[list[str]], int], mask: set[int],
        narrow: Callable[[str, bytes | None], dict[int, frozenset[int]] | None] | None = None,
        verified: Any = None, report: Callable[[], bytes | None] | None = None,
        report_fd: int | None = None) -> NoReturn:
    """In the forked worker, DEFERRED signals blocked until `mask` is put
    back: a signal the client forwards as soon as it knows the pid arrives
    once the handlers of a fresh `vault` process are in place. Never returns."""
    from ..vaultfile import sqlfile   # preloaded by the agent (serve.py)
    code = 1
    try:
        _become_the_client(message, fds)
        client.hold(vault, kek, narrow, verified)
        sqlfile.defer_closing()
        conn.settimeout(None)
        protocol.send(conn, {"v": protocol.PROTOCOL, "ok": True, "pid": os.getpid()})
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        code = runner(list(message["argv"]))
    except KeyboardInterrupt:   # before the runner's own handler (entry.in_process)
        with contextlib.suppress(BaseException):
            sys.stderr.write("vault: error: interrupted\n")
        code = 130
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - a worker reports, it never raises into the agent
        code = 1
    finally:
        _flush()
        if report_fd is not None:   # before the exit code: the next command may follow at once
            with contextlib.suppress(BaseException):
                _hand_back(report_fd, report() if code == 0 and report is not None else None)
        with contextlib.suppress(BaseException):
            protocol.send(conn, {"v": protocol.PROTOCOL, "exit": int(code) & 0xFF})
        with contextlib.suppress(BaseException):
            sqlfile.close_deferred()   # after the client has its exit code
        os._exit(int(code) & 0xFF)


def _hand_back(fd: int, data: bytes | None) -> None:
    """The state this command left, to the agent (agent/state.py: report),
    in one write into the empty pipe only this worker holds; nothing for a
    command that failed."""
    try:
        if data is not None:
            os.set_blocking(fd, False)
            os.write(fd, len(data).to_bytes(4, "big") + data)
    finally:
        os.close(fd)


_libc: Any = None


def libc() -> Any:
    """The C library through ctypes, loaded once (milliseconds each time):
    the agent loads it to harden itself, and its workers inherit it."""
    global _libc
    if _libc is None:
        import ctypes
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _name(name: bytes) -> None:
    """The process name `ps -o comm` and /proc/PID/comm show (Linux): a
    worker is told from the agent it was forked from, whose argv it shares."""
    try:
        libc().prctl(PR_SET_NAME, name, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _become_the_client(message: dict[str, Any], fds: list[int]) -> None:
    _name(b"vault-worker")
    # What the worker inherits (the agent's modules, index and count) is
    # never garbage here: the collector leaves it alone instead of walking
    # it, tens of milliseconds, and writing to its pages.
    gc.freeze()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGWINCH):
        signal.signal(sig, signal.SIG_DFL)
    terminal = os.dup(fds[3]) if len(fds) == 4 else None
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    if terminal is not None:
        client.hold_terminal(terminal)
    (ienc, ierr, _), (oenc, oerr, olb), (eenc, eerr, elb) = message["streams"]
    sys.stdin = sys.__stdin__ = _text(0, "rb", ienc, ierr, False)
    sys.stdout = sys.__stdout__ = _text(1, "wb", oenc, oerr, olb)
    sys.stderr = sys.__stderr__ = _text(2, "wb", eenc, eerr, elb)
    os.environ.clear()
    os.environ.update(message["env"])
    if hasattr(time, "tzset"):   # the C library read TZ once, in the agent: times in
        time.tzset()             # the caller's zone, as without the agent
    with contextlib.suppress(OSError):
        os.chdir(message["cwd"])
    sys.argv = ["vault", *message["argv"]]


def _text(fd: int, mode: str, encoding: str, errors: str, line_buffering: bool) -> TextIO:
    """A standard stream over `fd`, as the client's Python made its own."""
    return io.TextIOWrapper(open(fd, mode, closefd=False), encoding=encoding, errors=errors,
                            line_buffering=line_buffering)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
