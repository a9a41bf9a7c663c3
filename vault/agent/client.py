"""The agent: a background process that holds one vault's key-encryption key
in memory after `vault unlock`, so that later commands need no passphrase.

This module is the client side and the wire protocol, kept light (it is
imported by every command that unlocks). The server is `agent_server.py`.

Protocol, version 1, over a Unix stream socket: one request and one reply
per connection, each a u32 big-endian length and that many bytes of UTF-8
JSON, at most 4096 bytes.
    request  {"v": 1, "op": "key" | "status" | "lock", "vault": ABSOLUTE PATH}
    reply    {"v": 1, "ok": true, "key": HEX (op key), "until": ISO (key, status)}
             {"v": 1, "ok": false, "error": TEXT}
The socket lives in a private 0700 folder and the server answers only
processes of its own user id (SO_PEERCRED).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

from ..errors import VaultError

PROTOCOL = 1
MAX_MESSAGE = 4096
TIMEOUT_S = 2.0
START_TIMEOUT_S = 10.0


class AgentError(VaultError):
    pass


# -- where the socket lives ------------------------------------------------------

def runtime_dir() -> Path:
    """$XDG_RUNTIME_DIR/client-vault (a per-user tmpfs) where it exists, else a
    folder of our own under the temp dir. Created 0700 and checked: a folder
    another user owns or can enter is refused, never used."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        folder = Path(base) / "client-vault"
    else:
        import tempfile
        folder = Path(tempfile.gettempdir()) / f"client-vault-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except OSError as e:
        raise AgentError(f"cannot create the agent folder: {(e.strerror or 'error').lower()}") \
            from None
    import stat
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise AgentError(f"the agent folder {folder} is not private to this user; "
                         "it was not used")
    return folder


def socket_path(vault: Path) -> Path:
    """One agent per vault file: the socket is named by a hash of its path."""
    digest = hashlib.blake2b(os.fsencode(vault.absolute()), digest_size=12).hexdigest()
    return runtime_dir() / f"agent-{digest}.sock"


@contextlib.contextmanager
def address(path: Path) -> Iterator[str]:
    """An address for bind() or connect(). A Unix socket address holds at most
    107 bytes; a longer path (a deep $XDG_RUNTIME_DIR or temp folder) is
    reached through /proc/self/fd/N of its folder, which Linux resolves."""
    if len(os.fsencode(path)) < 100:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


# -- the wire --------------------------------------------------------------------

def send(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_MESSAGE:
        raise ValueError("message too large")
    sock.sendall(struct.pack(">I", len(data)) + data)


def receive(sock: socket.socket) -> dict[str, Any]:
    """One message; ValueError for anything malformed or oversized."""
    header = _exactly(sock, 4)
    (length,) = struct.unpack(">I", header)
    if not 0 < length <= MAX_MESSAGE:
        raise ValueError("bad length")
    try:
        message = json.loads(_exactly(sock, length).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValueError("not JSON") from None
    # `type(...) is int`: JSON true would otherwise equal 1
    if not isinstance(message, dict) or type(message.get("v")) is not int \
            or message["v"] != PROTOCOL:
        raise ValueError("unknown protocol version")
    return message


def _exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ValueError("short message")
        data += chunk
    return data


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
