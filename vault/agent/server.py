"""The agent process started by `vault unlock`: the command server (see
protocol.py for the protocol, worker.py for what a forked worker does).

Holds the key in memory only, answers processes of its own user id only,
forks a worker for each `run` request, and exits, forgetting the key, when
idle for its timeout, when told to lock, when the vault file is replaced
(restore) or its passphrase changes (the salt in the header changes), or on
SIGTERM/SIGHUP/SIGINT. It never writes the key anywhere, never sends it,
and is made non-dumpable: no core file, no ptrace or /proc/PID/mem from
other processes of the user. Its workers inherit all of that.

Time comes from `clock` (seconds, monotonic), a seam the tests drive.
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
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..vaultfile.store import vault_identity
from . import client, protocol, worker
from .index import SearchIndex
from .state import LastVerified, Render, report

CHECK_EVERY_S = 2.0
PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3
Runner = Callable[[list[str]], int]


def harden() -> bool:
    """No core dumps; not dumpable. True if the process is now non-dumpable.
    Also the CLI's (cli/base.py `main`), before it reads a passphrase, a key
    or plaintext: one definition, in the process that holds a key longest."""
    import resource
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        libc = worker.libc()
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


def _hung_up(conn: socket.socket) -> bool:
    """Whether the client closed its end (it sends nothing after `run`)."""
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return bool(readable) and conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _reply(**fields: Any) -> dict[str, Any]:
    return {"v": protocol.PROTOCOL, **fields}


class Agent:
    def __init__(self, vault: Path, kek: bytes, timeout_s: int,
                 runner: Runner | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 render: Render | None = None) -> None:
        self.vault, self.timeout_s, self.runner, self.clock = vault, timeout_s, runner, clock
        self._kek: bytearray | None = bytearray(kek)
        self.last_used = clock()
        self.identity = identity(vault)
        self.dumpable = True
        self.running: dict[int, socket.socket] = {}   # worker pid -> its client
        self.gone: set[int] = set()                    # workers whose client hung up
        self._next_check = clock() + CHECK_EVERY_S
        self._listener: socket.socket | None = None
        self.index = SearchIndex(vault, lambda: None if self._kek is None else bytes(self._kek))
        self.verified = LastVerified(vault, lambda: None if self._kek is None else bytes(self._kek),
                                     clock, render)
        self._wake: tuple[int, ...] = ()

    def until(self) -> str:
        left = self.last_used + self.timeout_s - self.clock()
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

    def used(self) -> None:
        self.last_used = self.clock()

    def still_valid(self) -> bool:
        if self.locked or self.clock() - self.last_used > self.timeout_s:
            return False
        return self.identity is not None and identity(self.vault) == self.identity

    def tick(self) -> None:
        """The idle timeout (a running command counts as use) and, every few
        seconds, the vault file's identity."""
        if self.running:
            self.used()
        if self.clock() - self.last_used > self.timeout_s:
            self.forget()
        elif self.clock() >= self._next_check:
            self._next_check = self.clock() + CHECK_EVERY_S
            if not self.still_valid():
                self.forget()

    def answer(self, message: dict) -> dict:
        """The reply to `status` or `lock` (`run` is `start`'s)."""
        if message.get("vault") != str(self.vault):
            return _reply(ok=False, error="another vault")
        op = message.get("op")
        if op == "lock":
            self.forget()
            return _reply(ok=True)
        if not self.still_valid():
            self.forget()
            return _reply(ok=False, error="locked")
        if op == "status":
            return _reply(ok=True, until=self.until(), dumpable=self.dumpable,
                          running=len(self.running), index=self.index.size())
        return _reply(ok=False, error="unknown request")

    # -- serving -------------------------------------------------------------

    def serve(self, listener: socket.socket) -> None:
        wake_r, wake_w = self._wake = os.pipe()
        self._listener = listener
        for fd in (wake_r, wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(wake_w)
        chld = signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select through the pipe
        try:
            while not self.locked:
                watched = [c for pid, c in self.running.items() if pid not in self.gone]
                wait = 0.0 if self.index.pending or self.verified.moves \
                    else min(0.5, max(0.0, self._left()))
                if self.verified.unchecked and not self.locked:
                    wait = min(wait, max(0.0, self.verified.recheck_at - self.clock()))
                ready, _, _ = select.select([listener, wake_r, *watched], [], [], wait)
                if wake_r in ready:
                    with contextlib.suppress(OSError):
                        os.read(wake_r, 512)
                for conn in ready:
                    if conn not in (listener, wake_r):
                        self._client_spoke(conn)
                self.reap()
                if self.verified.due and not self.running and not self.locked:
                    self.verified.refresh()   # between commands, off their time
                elif self.verified.unchecked and not self.locked \
                        and self.clock() >= self.verified.recheck_at:
                    self.verified.refresh()   # the full count reports deferred, due now
                if listener in ready:
                    self.one(listener)
                elif self.verified.moves and not self.locked:
                    self.follow()       # between commands: not on the next one's time
                elif self.index.pending and not self.locked:
                    self.index.step()   # the index builds while nobody asks
                    if self.index.built:
                        _trim()         # built: what the steps let go of goes back
                self.tick()
        finally:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, chld)
            os.close(wake_r)
            os.close(wake_w)
            for conn in self.running.values():
                conn.close()  # each worker still holds its own copy and reports itself

    def follow(self) -> None:
        """The search index follows what the workers' reports taken since say
        they changed (index.follow): one client's notes read again after an
        `add`. Done between commands; a search does it first if it comes
        before. Other commands do not wait for it: only `search` reads the
        index, and only at the head it was brought to (narrow)."""
        moves, self.verified.moves = self.verified.moves, []
        self.index.follow(moves)

    def _leave_to_worker(self, conn: socket.socket) -> None:
        """In a new worker: close what only the agent uses (its listener, its
        wake-up pipe, other workers' clients), so that the socket dies with
        the agent and no worker holds another's connection."""
        signal.set_wakeup_fd(-1)
        for other in (self._listener, *self.running.values()):
            if other is not None and other is not conn:
                other.close()
        self.verified.close_reports()
        for fd in self._wake:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _left(self) -> float:
        return self.last_used + self.timeout_s - self.clock() + 0.01

    def _client_spoke(self, conn: socket.socket) -> None:
        """A client says nothing after `run`; readable means it hung up: the
        worker gets SIGHUP (it finishes or rolls back, as on a closed terminal)."""
        pid = next(p for p, c in self.running.items() if c is conn)
        try:
            data = conn.recv(64)
        except OSError:
            data = b""
        if not data:
            self.gone.add(pid)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGHUP)

    def reap(self) -> None:
        """Collect ended workers. One killed by a signal could not report its
        exit itself: tell its client, as a shell would, 128 + the signal."""
        while self.running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.running.pop(pid, None)
            self.gone.discard(pid)
            if not self.verified.heard(pid, ended=True):
                self.verified.stale = True
            if conn is None:
                continue
            with conn:
                if os.WIFSIGNALED(status):
                    with contextlib.suppress(OSError, ValueError):
                        conn.settimeout(1.0)
                        protocol.send(conn, _reply(exit=128 + os.WTERMSIG(status)))
            self.used()

    def one(self, listener: socket.socket) -> None:
        """Accept one connection and answer it, or start its command."""
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        keep = False
        try:
            conn.settimeout(1.0)
            if peer_uid(conn) != os.getuid():
                return  # another user, or unknown: not a word
            try:
                message, fds = protocol.receive_with_fds(conn)
            except (OSError, ValueError):
                with contextlib.suppress(OSError, ValueError):
                    protocol.send(conn, _reply(ok=False, error="malformed request"))
                return
            try:
                if message.get("op") == "run":
                    keep = self.start(conn, message, fds)
                else:
                    with contextlib.suppress(OSError, ValueError):
                        protocol.send(conn, self.answer(message))
            finally:
                for fd in fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
        except Exception:  # noqa: BLE001 - the agent must outlive any request
            return
        finally:
            if not keep:
                conn.close()

    def start(self, conn: socket.socket, message: dict, fds: list[int]) -> bool:
        """Fork a worker for a valid `run` request. True if one started (the
        connection is then kept, to report a worker that dies by a signal)."""
        problem = worker.check(message, fds)
        if problem is None and message.get("vault") != str(self.vault):
            problem = "another vault"
        if problem is None and not self.still_valid():
            self.forget()
            problem = "locked"
        if problem is None and self.runner is None:
            problem = "no commands here"
        if problem is None and _hung_up(conn):
            return False   # it gave up waiting: it must not run after all
        if problem is not None:
            with contextlib.suppress(OSError, ValueError):
                protocol.send(conn, _reply(ok=False, error=problem))
            return False
        assert self._kek is not None and self.runner is not None
        self.used()
        command = client.command_and_vault(message["argv"])[0]
        if command == "list":
            self.verified.records_wanted = True   # kept from the next count on
        self.verified.hear_all()   # workers that reported and are not reaped yet
        fresh = self.verified.fresh
        if command == "search":
            self.follow()      # what workers changed, if not followed yet between commands
            self.index.wanted = True
            self.index.step()  # what changed since, if little (nothing: one read); else later
        # Signals wait until the worker has its own handlers (worker.run).
        reports, hand_back = os.pipe()   # not inherited by what the worker runs
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, worker.DEFERRED)
        try:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the worker; never returns
                try:
                    os.close(reports)
                    self._leave_to_worker(conn)
                    worker.run(conn, message, fds, self.vault, bytes(self._kek), self.runner,
                               mask, self.index.narrow, fresh,
                               lambda: report(client.handed(), fresh), hand_back)
                finally:
                    os._exit(1)   # never back into the agent's loop
        except BaseException:
            os.close(reports)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(hand_back)
        self.verified.listen(pid, reports)
        self.running[pid] = conn
        return True


def _trim() -> None:
    """Give the memory the C library holds freed back to the system: the
    index's build frees about 20 MB of step-sized pieces, and every page
    the agent keeps is a page table entry more for each worker's fork()."""
    with contextlib.suppress(Exception):
        worker.libc().malloc_trim(0)


def main(argv: list[str], runner: Runner | None = None, render: Render | None = None) -> int:
    """`python -m vault.serve VAULT TIMEOUT` (key on stdin), with the CLI as
    runner and as writer of `list`'s lines (state.Render)."""
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
    state = Agent(vault, kek, timeout_s, runner, render=render)
    state.dumpable = dumpable
    path = protocol.socket_path(vault)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()   # a stale socket: its agent is gone (a live one was told to lock)
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
