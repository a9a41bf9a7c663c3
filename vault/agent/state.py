"""The vault's state as the agent last verified it in full, handed to the
workers it forks (docs/format.md section 14,
"Through the agent").

Every command checks the state commitment: every client row and tombstone,
O(clients), about 20 ms at 10,000 clients, which would be most of a
command's time through the agent. Instead, after each command ends (and at
start) the agent reads every row once, checks it against the sealed head,
and keeps the result (vaultfile.state.Verified: the head's bytes, the sum,
each client's uid, blind index and record nonce). A worker that finds the
head unchanged adopts it and checks only the client rows it uses against
it; a head that moved (a write made without the agent, another worker's)
means a full count, as without the agent.

A worker carries it forward (`report`, `LastVerified.take`): a command that
succeeded hands back, through a pipe only it holds, the head it wrote, the
sum, and the version of each client row it changed. Its state is the one it
adopted plus its own sealed changes, so the agent's next worker adopts that
without a count; a full count follows RECHECK_AFTER_S after the first report
taken since the last one. A report that is missing, malformed, or does not
start from the state the agent holds (another worker wrote in between, or
the worker had to count every row) means a full count before the next
command, as before.

Never written anywhere; workers see it through the memory fork() shares.
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ..models import Client
from ..vaultfile.state import DIGEST_BYTES, Verified, to_bytes
from ..vaultfile.versions import flat
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from .client import UNTRUSTED

# The CLI's `list` lines of these clients, and the zone they were written in.
Render = Callable[[Sequence[Client]], tuple[object, str]]
REPORT = b"vault-state-1"
UNTOUCHED, CHANGED = 0, 1
MAX_REPORT = 60_000      # one write into an empty pipe (64 KiB); more: the agent counts
_SIZES = (16, 32, 24)    # uid, blind index, record nonce
_ENTRY = struct.Struct(">QB")


def _blob(data: bytes) -> bytes:
    return len(data).to_bytes(2, "big") + data


def report(handed: tuple[Verified, frozenset[int], bool] | str | None,
           base: Verified | None) -> bytes | None:
    """In a worker whose command succeeded: what the agent needs to carry
    `base` (the state it handed this worker) forward. `handed` is the state
    the command's last transaction committed (client.handed()). None: the
    agent must count."""
    if base is None or handed == UNTRUSTED:   # a session not opened from `base`
        return None
    if handed is None:   # nothing committed: nothing changed
        return REPORT + bytes([UNTOUCHED]) + _blob(base.head)
    after, touched, counted = handed
    if counted:   # its state does not follow from base alone
        return None
    parts = [REPORT, bytes([CHANGED]), _blob(base.head), _blob(after.head),
             to_bytes(after.rows), len(touched).to_bytes(4, "big")]
    for client_id in sorted(touched):
        version = after.clients.get(client_id)
        if version is None:
            parts.append(_ENTRY.pack(client_id, 0))
        elif tuple(map(len, version)) != _SIZES:
            return None
        else:
            parts.append(_ENTRY.pack(client_id, 1) + b"".join(version))
    data = b"".join(parts)
    return data if len(data) <= MAX_REPORT else None


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.at + n > len(self.data):
            raise ValueError("short report")
        self.at += n
        return self.data[self.at - n:self.at]

    def blob(self) -> bytes:
        return self.take(int.from_bytes(self.take(2), "big"))


# The full count that workers' reports defer is due this long after the
# first report taken since the last one, whether or not commands still run:
# commands in a row wait for it at most once in that time.
RECHECK_AFTER_S = 2.0


class LastVerified:
    def __init__(self, vault: Path, kek: Callable[[], bytes | None],
                 clock: Callable[[], float] = time.monotonic,
                 render: Render | None = None) -> None:
        self.vault, self._kek, self.clock, self.render = vault, kek, clock, render
        self.current: Verified | None = None
        self.stale = True    # a command ended since: refresh() before the next
        # Carried forward by workers' reports since the last full count,
        # which is due again at recheck_at.
        self.unchecked = False
        self.recheck_at = 0.0
        # worker pid -> (the pipe its report comes through, what came so far)
        self._pipes: dict[int, tuple[int, bytearray]] = {}
        self._taken: set[int] = set()   # reports taken before their worker was reaped
        # (head before, head after, clients changed) of each report taken,
        # for the search index to follow (index.py), until it takes them
        self.moves: list[tuple[bytes, bytes, frozenset[int]]] = []
        # Also keep every client record opened (for `list`): asked for by
        # the first `list`, as the search index is by the first search.
        self.records_wanted = False

    # -- the pipes workers report through ------------------------------------

    def listen(self, pid: int, fd: int) -> None:
        os.set_blocking(fd, False)
        self._pipes[pid] = (fd, bytearray())

    def heard(self, pid: int, ended: bool = False) -> bool:
        """Read what worker `pid` reported; once whole, take() it. True if it
        was taken (now or earlier). An ended worker's pipe is closed."""
        if pid not in self._pipes:
            taken = pid in self._taken
            self._taken.discard(pid)
            return taken
        fd, got = self._pipes[pid]
        with contextlib.suppress(OSError):   # BlockingIOError: nothing more yet
            while chunk := os.read(fd, 65536):
                got += chunk
                if len(got) > 4 + MAX_REPORT:
                    break
        size = int.from_bytes(got[:4], "big") if len(got) >= 4 else -1
        if len(got) != 4 + size and not ended:
            return False   # not whole yet
        del self._pipes[pid]
        os.close(fd)
        taken = len(got) == 4 + size and self.take(bytes(got[4:]))
        if taken and not ended:
            self._taken.add(pid)
        return taken

    def hear_all(self) -> None:
        for pid in list(self._pipes):
            self.heard(pid)

    def close_reports(self) -> None:
        """In a new worker: other workers' pipes are not its own."""
        for fd, _ in self._pipes.values():
            with contextlib.suppress(OSError):
                os.close(fd)

    @property
    def due(self) -> bool:
        """A full count is due before the next command: one ended without a
        report taken, or `list` asked for records no count has opened yet."""
        return self.stale or self.records_wanted and self.current is not None \
            and not self.current.opened

    @property
    def fresh(self) -> Verified | None:
        """The last count, if no command ended since it was made."""
        return None if self.stale else self.current

    def take(self, data: bytes) -> bool:
        """A worker's report (see report()): True if the kept state now
        follows from it; False (nothing changed here) if it is malformed or
        does not start from the state kept."""
        current = self.current
        if current is None or self.stale:
            return False
        try:
            r = _Reader(data)
            if r.take(len(REPORT)) != REPORT:
                return False
            kind = r.take(1)[0]
            if r.blob() != current.head:
                return False
            if kind == UNTOUCHED and r.at == len(data):
                return True
            if kind != CHANGED:
                return False
            head, rows = r.blob(), int.from_bytes(r.take(DIGEST_BYTES), "big")
            clients, opened = flat(current.clients), dict(current.opened)
            touched = []
            for _ in range(int.from_bytes(r.take(4), "big")):
                client_id, present = _ENTRY.unpack(r.take(_ENTRY.size))
                touched.append(client_id)
                opened.pop(client_id, None)
                if present == 1:
                    uid, blind, nonce = (r.take(n) for n in _SIZES)
                    clients[client_id] = (uid, blind, nonce)
                elif present == 0:
                    clients.pop(client_id, None)
                else:
                    return False
            if r.at != len(data) or not head:
                return False
        except (ValueError, IndexError, struct.error):
            return False
        # No client row changed: `list`'s listing still holds (State.listed).
        self.current = Verified(head, rows, clients, opened,
                                None if touched else current.listing)
        if not self.unchecked:
            self.unchecked, self.recheck_at = True, self.clock() + RECHECK_AFTER_S
        self.moves.append((current.head, head, frozenset(touched)))
        return True

    def refresh(self) -> Verified | None:
        """Check every row now. On any failure, nothing is kept: the next
        worker counts for itself and reports what is wrong."""
        previous, self.current, self.stale = self.current, None, False
        self.unchecked = False
        kek = self._kek()
        if kek is None:
            return None
        try:
            store = Store.open(self.vault)
        except Exception:  # noqa: BLE001 - the worker will say why
            return None
        try:
            session = UnlockedVault.from_agent(store, kek)
            if session is not None:
                before = None
                if self.records_wanted:
                    before = {} if previous is None else dict(previous.opened)
                self.current = session.verify_now(before)
        except Exception:  # noqa: BLE001 - e.g. tampering: the worker reports it
            self.current = None
        finally:
            store.close()   # the last connection: SQLite folds the WAL into the file
        self._render()
        return self.current

    def _render(self) -> None:
        """Have the CLI write `list`'s lines of the clients just counted, in
        the agent's zone (Listing.shown): a `list` through the agent prints
        them if its zone is the same and no client row changed since."""
        current = self.current
        if self.render is None or current is None or current.listing is None:
            return
        try:
            shown = self.render(current.listing.clients)
        except Exception:  # noqa: BLE001 - the worker writes them itself
            return
        self.current = replace(current, listing=replace(current.listing, shown=shown))
