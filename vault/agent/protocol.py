"""The agent's wire protocol and where its socket lives. Standard library
only: the thin client of every `vault` command imports it.

Protocol, version 2, over a Unix stream socket: each message is a u32
big-endian length and that many bytes of UTF-8 JSON, at most 4096 bytes for
`status` and `lock`, at most MAX_RUN bytes for `run`. Nothing any reply
carries is a key, a wrapped key, the KEK or a signing seed: version 1's `key`
request is gone, and a version 1 client or agent is treated as no agent.

    request  {"v": 2, "op": "status" | "lock", "vault": ABSOLUTE PATH}
    reply    {"v": 2, "ok": true, "until": ISO, "dumpable": BOOL, "index": {...}}  (status)
             {"v": 2, "ok": true}                                                  (lock)
             {"v": 2, "ok": false, "error": TEXT}

    request  {"v": 2, "op": "run", "vault": ABSOLUTE PATH, "argv": [ARG, ...],
              "cwd": PATH, "env": {NAME: VALUE}, "size": [COLUMNS, LINES],
              "streams": [[ENCODING, ERRORS, LINE_BUFFERED] x 3]}
             sent with the client's stdin, stdout and stderr attached
             (SCM_RIGHTS, in that order, in the same sendmsg as the message),
             and its controlling terminal (/dev/tty) fourth when it has one
    reply    {"v": 2, "ok": true, "pid": WORKER PID}   the command has started
             {"v": 2, "exit": CODE}                    ... and ended
             {"v": 2, "ok": false, "error": TEXT}       not started: run it in-process

Once a client has sent `run`, only an answer or the agent closing its end
decides: it never runs the command itself after a timeout (the agent could
still start it), and the agent does not start a `run` whose client has
already hung up.

The worker runs the ordinary CLI with those descriptors as its own 0, 1 and
2, in `cwd`, with exactly `env` as its environment. The client forwards
SIGINT, SIGTERM, SIGHUP and SIGWINCH to the worker's pid (same user, so
kill(2) is allowed). A client that hangs up before the exit reply makes the
agent send the worker SIGHUP. A worker killed by a signal N is reported as
exit 128 + N.

The socket lives in a private 0700 folder and the server answers only
processes of its own user id (SO_PEERCRED).
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

# The thin client imports this module: `typing` (3 ms a process) only for
# the type checker.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:   # hashlib's BLAKE2b itself, without hashlib loading OpenSSL (3 ms a process)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b

from ..errors import VaultError

# thin.py, which every command imports, has the same three (a test checks).
PROTOCOL = 2
MAX_MESSAGE = 4096
MAX_RUN = 1024 * 1024     # argv may carry a note (-m TEXT); env is a few KiB
MAX_FDS = 4


class AgentError(VaultError):
    pass


# -- where the socket lives ------------------------------------------------------

def runtime_dir(create: bool = True) -> Path:
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
        if create:
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


def socket_path(vault: Path, create: bool = True) -> Path:
    """One agent per vault file: the socket is named by a hash of its path."""
    digest = blake2b(os.fsencode(vault.absolute()), digest_size=12).hexdigest()
    return runtime_dir(create) / f"agent-{digest}.sock"


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

def encode(message: dict[str, Any], limit: int = MAX_MESSAGE) -> bytes:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(data) > limit:
        raise ValueError("message too large")
    return struct.pack(">I", len(data)) + data


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None,
         limit: int = MAX_MESSAGE) -> None:
    data = encode(message, limit)
    if fds:
        sent = socket.send_fds(sock, [data], fds)
        data = data[sent:]
    if data:
        sock.sendall(data)


def receive(sock: socket.socket, limit: int = MAX_MESSAGE) -> dict[str, Any]:
    """One message; ValueError for anything malformed or oversized."""
    return receive_with_fds(sock, limit, want_fds=False)[0]


def receive_with_fds(sock: socket.socket, limit: int = MAX_RUN,
                     want_fds: bool = True) -> tuple[dict[str, Any], list[int]]:
    """One message and the descriptors that came with it (at most MAX_FDS;
    any more, or any with a malformed message, are closed and refused)."""
    fds: list[int] = []
    try:
        header = _exactly(sock, 4, fds if want_fds else None)
        (length,) = struct.unpack(">I", header)
        if not 0 < length <= limit:
            raise ValueError("bad length")
        try:
            message = json.loads(_exactly(sock, length, None).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise ValueError("not JSON") from None
        # `type(...) is int`: JSON true would otherwise equal 1
        if not isinstance(message, dict) or type(message.get("v")) is not int \
                or message["v"] != PROTOCOL:
            raise ValueError("unknown protocol version")
        if len(fds) > MAX_FDS:
            raise ValueError("too many descriptors")
        return message, fds
    except BaseException:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        raise


def _exactly(sock: socket.socket, n: int, fds: list[int] | None) -> bytes:
    data = b""
    while len(data) < n:
        if fds is not None:
            chunk, ancillary = _recvmsg(sock, n - len(data))
            fds.extend(ancillary)
        else:
            chunk = sock.recv(n - len(data))
        if not chunk:
            raise ValueError("short message")
        data += chunk
    return data


def _recvmsg(sock: socket.socket, n: int) -> tuple[bytes, list[int]]:
    """recv with room for descriptors; every descriptor that arrives is kept
    (to be closed) even when the control data was truncated."""
    room = socket.CMSG_SPACE((MAX_FDS + 1) * array.array("i").itemsize)
    data, ancillary, flags, _ = sock.recvmsg(n, room, getattr(socket, "MSG_CMSG_CLOEXEC", 0))
    fds: list[int] = []
    for level, kind, blob in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            got = array.array("i")
            got.frombytes(blob[:len(blob) - len(blob) % got.itemsize])
            fds.extend(got)
    if flags & socket.MSG_CTRUNC:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        raise ValueError("too many descriptors")
    return data, fds
