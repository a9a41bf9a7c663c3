"""The agent's wire protocol and where its socket lives. Standard library
only: the client side of every command imports it.

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
from pathlib import Path
from typing import Any, Iterator

from ..errors import VaultError

PROTOCOL = 1
MAX_MESSAGE = 4096


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
