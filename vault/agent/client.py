"""The agent's client side, standard library only: asking an agent for its
status, telling it to lock, starting one; and, inside a worker, what the
worker shares with the agent that forked it. The thin client every command
starts with is thin.py (`through_agent`, re-exported here), lighter still.

No key ever comes over the socket. Inside a worker, the unlock policy gets
the key from `key()`, which answers from the memory the worker shares with
the agent that forked it (`hold`), and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import sys
from pathlib import Path

# The thin client imports this module: `typing` (3 ms a process) only for
# the type checker.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from . import thin
from .protocol import PROTOCOL, AgentError, address, receive, send, socket_path

TIMEOUT_S = thin.TIMEOUT_S
START_TIMEOUT_S = 20.0

_held: tuple[str, bytes] | None = None
_narrow: Any = None
_verified: Any = None
_handed: Any = None
UNTRUSTED = "untrusted"
_terminal: int | None = None


# -- inside a worker ---------------------------------------------------------------

def hold(vault: Path, kek: bytes, narrow: Any = None, verified: Any = None) -> None:
    """Called by the agent's worker after fork: the key it already holds,
    its search index's `narrow` (index.py), and the vault's
    state as the agent last verified it in full (state.py)."""
    global _held, _narrow, _verified, _handed
    _held = (str(vault.absolute()), kek)
    _narrow, _verified, _handed = narrow, verified, None


def verified(vault: Path) -> Any:
    """In a worker of this vault's agent, the state the agent verified after
    the last command (a vaultfile.state.Verified), or None."""
    return None if key(vault) is None else _verified


def handback(vault: Path, after: Any, touched: frozenset[int], counted: bool) -> None:
    """In a worker of this vault's agent: the state its last committed
    transaction left (UnlockedVault.committed), for the agent (handed())."""
    global _handed
    if key(vault) is not None and _handed is not UNTRUSTED:
        _handed = (after, touched, counted)


def untrusted(vault: Path) -> None:
    """In a worker of this vault's agent: a session was unlocked by the
    passphrase (--passphrase-file), not from the agent's state: whatever it
    writes is not handed back, so the worker reports nothing."""
    global _handed
    if key(vault) is not None:
        _handed = UNTRUSTED


def handed() -> Any:
    """In a worker: (state, ids changed, counted every row) as this command
    last committed it; None if it committed nothing; UNTRUSTED if a session
    of it was not opened from the agent's state."""
    return _handed


def search_index(vault: Path) -> Any:
    """In a worker of this vault's agent, its search index's `narrow`: (a
    folded search term, the vault head the command sees) to the notes that
    can contain it (None when it cannot tell); None everywhere else."""
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


# -- the thin client (thin.py): what every command starts with ---------------------

through_agent = thin.through_agent
command_and_vault = thin.command_and_vault
IN_PROCESS = thin.IN_PROCESS


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
