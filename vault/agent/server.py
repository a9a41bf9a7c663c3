"""The agent process started by `vault unlock` (see protocol.py for the protocol).

    python -m vault.agent.server VAULT_PATH TIMEOUT_SECONDS   (key on stdin)

Holds the key in memory only, answers processes of its own user id only,
and exits, forgetting the key, when idle for TIMEOUT_SECONDS, when told to
lock, when the vault file is replaced (restore) or its passphrase changes
(the salt in the header changes), or on SIGTERM/SIGHUP/SIGINT. It never
writes the key anywhere and is made non-dumpable: no core file, no ptrace or
/proc/PID/mem from other processes of the user.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import struct
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..vaultfile.store import vault_identity
from . import protocol

CHECK_EVERY_S = 2.0
PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def harden() -> bool:
    """No core dumps; not dumpable. True if the process is now non-dumpable.
    Also the CLI's (cli/base.py `main`), before it reads a passphrase, a key
    or plaintext: one definition, in the process that holds a key longest."""
    import resource
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        return libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False  # not Linux: the rlimit still stops core files


def identity(vault: Path) -> tuple[int, int, bytes] | None:
    """(device, inode, salt): what must not change while the key is held."""
    return vault_identity(vault)


def peer_uid(conn: socket.socket) -> int | None:
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return None
    return struct.unpack("3i", creds)[1]


class Agent:
    def __init__(self, vault: Path, kek: bytes, timeout_s: int) -> None:
        self.vault, self.timeout_s = vault, timeout_s
        self._kek: bytearray | None = bytearray(kek)
        self.last_used = time.monotonic()
        self.identity = identity(vault)
        self.dumpable = True

    def until(self) -> str:
        left = self.last_used + self.timeout_s - time.monotonic()
        return datetime.fromtimestamp(time.time() + left, timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ")

    def forget(self) -> None:
        if self._kek is not None:
            for i in range(len(self._kek)):
                self._kek[i] = 0
        self._kek = None

    @property
    def locked(self) -> bool:
        return self._kek is None

    def still_valid(self) -> bool:
        if self.locked or time.monotonic() - self.last_used > self.timeout_s:
            return False
        return self.identity is not None and identity(self.vault) == self.identity

    def answer(self, message: dict) -> dict:
        if message.get("vault") != str(self.vault):
            return {"v": protocol.PROTOCOL, "ok": False, "error": "another vault"}
        op = message.get("op")
        if op == "lock":
            self.forget()
            return {"v": protocol.PROTOCOL, "ok": True}
        if not self.still_valid():
            self.forget()
            return {"v": protocol.PROTOCOL, "ok": False, "error": "locked"}
        if op == "status":
            return {"v": protocol.PROTOCOL, "ok": True, "until": self.until(),
                    "dumpable": self.dumpable}
        if op == "key":
            self.last_used = time.monotonic()
            assert self._kek is not None
            return {"v": protocol.PROTOCOL, "ok": True, "key": bytes(self._kek).hex(),
                    "until": self.until()}
        return {"v": protocol.PROTOCOL, "ok": False, "error": "unknown request"}

    def serve(self, listener: socket.socket) -> None:
        next_check = time.monotonic() + CHECK_EVERY_S
        while not self.locked:
            ready, _, _ = select.select([listener], [], [], 0.5)
            if ready:
                self._one(listener)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + CHECK_EVERY_S
                if not self.still_valid():
                    self.forget()

    def _one(self, listener: socket.socket) -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            try:
                conn.settimeout(1.0)
                if peer_uid(conn) != os.getuid():
                    return  # another user, or unknown: not a word
                reply = self.answer(protocol.receive(conn))
            except (OSError, ValueError):
                with contextlib.suppress(OSError, ValueError):
                    protocol.send(conn, {"v": protocol.PROTOCOL, "ok": False,
                                      "error": "malformed request"})
                return
            except Exception:  # noqa: BLE001 - the agent must outlive any request
                return
            with contextlib.suppress(OSError, ValueError):
                protocol.send(conn, reply)


def main(argv: list[str]) -> int:
    os.umask(0o077)
    dumpable = not harden()
    vault, timeout_s = Path(argv[1]), int(argv[2])
    line = sys.stdin.readline().strip()
    try:
        kek = bytes.fromhex(line)
    except ValueError:
        return 2
    if len(kek) != 32:
        return 2
    state = Agent(vault, kek, timeout_s)
    state.dumpable = dumpable
    path = protocol.socket_path(vault)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    with protocol.address(path) as where:
        listener.bind(where)
    os.chmod(path, 0o600)
    bound = os.stat(path).st_ino
    listener.listen(128)  # a burst of clients waits, not refused
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda *_: state.forget())
    # Detach from the caller's streams: it waits for this line, then returns.
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        state.serve(listener)
    finally:
        state.forget()
        listener.close()
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == bound:
                path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
