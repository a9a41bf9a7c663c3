"""The agent's client side, kept light (standard library only): every `vault`
command starts here, before typer, rich or PyNaCl load (vault/entry.py).

`through_agent(argv)` is the thin client, as Mercurial's chg is to hg: when
an agent runs for the vault the command names, it hands the agent the whole
command (argv, working folder, environment, and its stdin, stdout and
stderr as descriptors), forwards signals to the worker the agent forks, and
returns the worker's exit code. None means "run it in-process": no agent,
VAULT_NO_AGENT, an agent of another protocol version, a locked one, or one
that went away before the command started.

No key ever comes over the socket. Inside a worker, the unlock policy gets
the key from `key()`, which answers from the memory the worker shares with
the agent that forked it (`hold`), and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import sys
from pathlib import Path

# The thin client imports this module: `typing` (3 ms a process) only for
# the type checker.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from .. import paths
from ..errors import VaultError
from .protocol import MAX_RUN, PROTOCOL, AgentError, address, receive, send, socket_path

TIMEOUT_S = 2.0
ANSWER_TIMEOUT_S = 60.0   # a `run` request sent: see _start
START_TIMEOUT_S = 20.0
# Run in the calling process, never by the agent: `unlock` asks for the
# passphrase to start an agent (replacing this one); `passwd` and `restore`
# must prove the passphrase and the key file, and change what the agent's
# key opens; `init` has no agent to ask.
IN_PROCESS = frozenset({"unlock", "passwd", "restore", "init"})
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGWINCH)

_held: tuple[str, bytes] | None = None
_narrow: Any = None
_verified: Any = None
_terminal: int | None = None


# -- inside a worker ---------------------------------------------------------------

def hold(vault: Path, kek: bytes, narrow: Any = None, verified: Any = None) -> None:
    """Called by the agent's worker after fork: the key it already holds,
    its search index's `notes_containing` (index.py), and the vault's
    state as the agent last verified it in full (state.py)."""
    global _held, _narrow, _verified
    _held = (str(vault.absolute()), kek)
    _narrow, _verified = narrow, verified


def verified(vault: Path) -> Any:
    """In a worker of this vault's agent, the state the agent verified after
    the last command (a vaultfile.state.Verified), or None."""
    return None if key(vault) is None else _verified


def search_index(vault: Path) -> Any:
    """In a worker of this vault's agent, a function from a folded search
    term to the ids of the clients whose notes contain it (None when it
    cannot tell); None everywhere else."""
    return None if key(vault) is None else _narrow


def hold_terminal(fd: int) -> None:
    """In a worker: the client's controlling terminal, which it passed."""
    global _terminal
    _terminal = fd


def terminal() -> int | None:
    """The descriptor of the controlling terminal passed by the client, in a
    worker (which has no controlling terminal of its own); None elsewhere."""
    return _terminal


def key(vault: Path) -> bytes | None:
    """The key, in a worker of this vault's agent; None everywhere else."""
    if _held is None or _held[0] != str(vault.absolute()):
        return None
    return _held[1]


# -- the thin client ---------------------------------------------------------------

def command_and_vault(argv: list[str]) -> tuple[str | None, str | None]:
    """The command word and the last `--vault` value, as the CLI reads them
    (global options may come before or after the command)."""
    command = vault = None
    it = iter(argv)
    for a in it:
        if a == "--vault":
            vault = next(it, None)
        elif a.startswith("--vault="):
            vault = a[len("--vault="):]
        elif command is None and not a.startswith("-"):
            command = a
    return command, vault


def through_agent(argv: list[str]) -> int | None:
    """The command's exit code, run by the agent; None to run it here."""
    if os.environ.get("VAULT_NO_AGENT"):
        return None
    command, option = command_and_vault(argv)
    if command in IN_PROCESS:
        return None
    try:
        vault = paths.resolve(option)
        path = socket_path(vault, create=False)
        for fd in (0, 1, 2):
            os.fstat(fd)   # a closed standard stream: let the CLI deal with it
    except (VaultError, OSError):
        return None
    if not path.exists():
        return None
    forwarder = _Forwarder()
    try:
        sock = _connect(path)
        if sock is None:
            return None
        with sock:
            try:
                forwarder.pid = _start(sock, vault, argv)
            except AgentError as e:
                forwarder.pending.clear()
                _say(e)
                return 1
            if forwarder.pid is None:
                return None
            return _wait(sock, forwarder)
    finally:
        forwarder.close()


def _say(e: VaultError) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"vault: error: {e.message}\n"
                         + (f"vault: hint: {e.hint}\n" if e.hint else ""))
        sys.stderr.flush()


class _Forwarder:
    """Installed before the agent is asked, so that no signal falls between
    two stools: one that comes before the worker's pid is known waits for
    it; if the command then runs here after all, it is raised here."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.pending: list[int] = []
        self.done = False
        self.previous = {sig: signal.signal(sig, self) for sig in FORWARDED}

    def __call__(self, signum: int, frame: object) -> None:
        if self.done:
            return
        if self.pid is None:
            self.pending.append(signum)
            return
        with contextlib.suppress(OSError):
            os.kill(self.pid, signum)

    def started(self) -> None:
        for signum in self.pending:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signum)   # type: ignore[arg-type]
        self.pending = []

    def close(self) -> None:
        self.done = True
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        if self.pid is None:   # runs in-process: the signals are its own
            for signum in self.pending:
                if signum == signal.SIGINT:
                    raise KeyboardInterrupt
                if signum != signal.SIGWINCH:
                    os.kill(os.getpid(), signum)


def _connect(path: Path) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT_S)
    try:
        with address(path) as where:
            sock.connect(where)
    except OSError:
        sock.close()
        return None   # a stale socket: its agent is gone
    return sock


def _start(sock: socket.socket, vault: Path, argv: list[str]) -> int | None:
    streams = [[s.encoding, s.errors, bool(s.line_buffering)] if s is not None else None
               for s in (sys.stdin, sys.stdout, sys.stderr)]
    try:
        size = list(os.get_terminal_size(2))
    except OSError:
        size = None
    request = {"v": PROTOCOL, "op": "run", "vault": str(vault.absolute()), "argv": argv,
               "cwd": os.getcwd(), "env": dict(os.environ), "size": size,
               "streams": streams}
    fds = [0, 1, 2]
    try:   # prompts on /dev/tty while stdin is a pipe (`echo TEXT | vault add`)
        fds.append(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC))
    except OSError:
        pass
    try:
        send(sock, request, fds=fds, limit=MAX_RUN)
    except (OSError, ValueError):
        return None   # gone, or too large: a partial request is refused, never run
    finally:
        for fd in fds[3:]:
            os.close(fd)
    # Sent: from now on the agent may start it. Falling back to running it
    # here after a mere timeout could run it twice, so only an answer (or the
    # agent's end of the connection closing) decides; a busy agent is waited for.
    sock.settimeout(ANSWER_TIMEOUT_S)
    try:
        reply = receive(sock)
    except TimeoutError:
        raise AgentError("the agent did not answer in time; the command may still run "
                         "there", hint="see `vault status`, or `vault lock` to stop it")
    except (OSError, ValueError):
        return None   # gone before it started, or another protocol version
    pid = reply.get("pid")
    if reply.get("ok") is not True or type(pid) is not int or pid <= 1:
        return None   # locked, another vault: the CLI asks for the passphrase
    return pid


def _wait(sock: socket.socket, forwarder: _Forwarder) -> int:
    """Forward signals to the worker until its exit code arrives."""
    forwarder.started()
    sock.settimeout(None)
    while True:
        try:
            message = receive(sock)
        except (OSError, ValueError):
            break
        if type(message.get("exit")) is int:
            return message["exit"]
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("vault: error: the agent went away before the command ended\n")
        sys.stderr.flush()
    return 1


# -- asking the agent ----------------------------------------------------------------

def request(vault: Path, op: str) -> dict[str, Any] | None:
    """The agent's reply to `status` or `lock`, or None when no agent runs."""
    if os.environ.get("VAULT_NO_AGENT"):
        return None
    try:
        path = socket_path(vault, create=False)
    except AgentError:
        return None
    if not path.exists():
        return None
    sock = _connect(path)
    if sock is None:
        return None
    with sock:
        try:
            send(sock, {"v": PROTOCOL, "op": op, "vault": str(vault.absolute())})
            return receive(sock)
        except (OSError, ValueError):
            return None   # a confused agent, or one of another version: as if none


def status(vault: Path) -> str | None:
    """Until when the agent holds the key (ISO UTC), or None when locked."""
    info = details(vault)
    return None if info is None else info["until"]


def details(vault: Path) -> dict[str, Any] | None:
    """The agent's status reply (until, dumpable, index), None when locked."""
    reply = request(vault, "status")
    if not reply or not reply.get("ok") or not isinstance(reply.get("until"), str):
        return None
    return reply


def lock(vault: Path) -> bool:
    """Ask the agent to forget the key and exit. True if one was running. An
    agent of protocol 1 is asked in its own words, so that `vault unlock`
    after an upgrade does not leave the old one holding its key."""
    reply = request(vault, "lock")
    if reply is None:
        _lock_v1(vault)
    return bool(reply and reply.get("ok"))


def _lock_v1(vault: Path) -> None:
    try:
        path = socket_path(vault, create=False)
    except AgentError:
        return
    sock = _connect(path) if path.exists() else None
    if sock is None:
        return
    with sock, contextlib.suppress(OSError):
        data = json.dumps({"v": 1, "op": "lock", "vault": str(vault.absolute())}).encode()
        sock.sendall(struct.pack(">I", len(data)) + data)
        sock.recv(4096)


def start(vault: Path, kek: bytes, timeout_s: int, module: str) -> None:
    """Start a detached agent (`python -m MODULE VAULT TIMEOUT`) holding `kek`
    and wait until it answers. The key goes through a pipe, never argv or
    the environment."""
    import subprocess
    import time
    lock(vault)  # one agent per vault: replace an older one
    child = subprocess.Popen(
        [sys.executable, "-m", module, str(vault.absolute()), str(timeout_s)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True, cwd="/",
        env={k: v for k, v in os.environ.items()
             if k in ("PATH", "HOME", "XDG_RUNTIME_DIR", "TMPDIR", "LANG", "PYTHONPATH")})
    assert child.stdin is not None and child.stdout is not None
    try:
        child.stdin.write(kek.hex().encode("ascii") + b"\n")
        child.stdin.close()
    except OSError:
        pass
    deadline = time.monotonic() + START_TIMEOUT_S
    ready = child.stdout.readline()
    child.stdout.close()
    if ready.strip() != b"ready":
        child.kill()
        raise AgentError("the agent did not start")
    while time.monotonic() < deadline:
        if status(vault) is not None:
            return
        time.sleep(0.02)
    raise AgentError("the agent started but does not answer")
