"""The agent: a background process that holds one vault's key-encryption key
in memory after `vault unlock`, so that later commands need no passphrase.

This module is the client side, kept light (standard library only: every
command that unlocks imports it). The wire protocol and the socket's place
are in protocol.py; the server is server.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .protocol import PROTOCOL, AgentError, address, receive, send, socket_path

TIMEOUT_S = 2.0
START_TIMEOUT_S = 10.0


# -- asking the agent ------------------------------------------------------------

def request(vault: Path, op: str) -> dict[str, Any] | None:
    """The agent's reply, or None when no agent runs for this vault."""
    if os.environ.get("VAULT_NO_AGENT"):
        return None
    try:
        path = socket_path(vault)
    except AgentError:
        return None
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT_S)
    try:
        with address(path) as where:
            sock.connect(where)
        send(sock, {"v": PROTOCOL, "op": op, "vault": str(vault.absolute())})
        return receive(sock)
    except (OSError, ValueError):
        return None  # a dead agent's socket, or a confused one: act as if none
    finally:
        sock.close()


def key(vault: Path) -> bytes | None:
    reply = request(vault, "key")
    if not reply or not reply.get("ok") or not isinstance(reply.get("key"), str):
        return None
    try:
        kek = bytes.fromhex(reply["key"])
    except ValueError:
        return None
    return kek if len(kek) == 32 else None


def status(vault: Path) -> str | None:
    """Until when the agent holds the key (ISO UTC), or None when locked."""
    reply = request(vault, "status")
    if not reply or not reply.get("ok") or not isinstance(reply.get("until"), str):
        return None
    return reply["until"]


def lock(vault: Path) -> bool:
    """Ask the agent to forget the key and exit. True if one was running."""
    reply = request(vault, "lock")
    return bool(reply and reply.get("ok"))


def start(vault: Path, kek: bytes, timeout_s: int) -> None:
    """Start a detached agent holding `kek` and wait until it answers. The key
    goes through a pipe, never argv or the environment."""
    lock(vault)  # one agent per vault: replace an older one
    child = subprocess.Popen(
        [sys.executable, "-m", "vault.agent.server", str(vault.absolute()),
         str(timeout_s)],
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
