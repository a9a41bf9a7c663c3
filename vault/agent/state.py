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

Never written anywhere; workers see it through the memory fork() shares.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..vaultfile.state import Verified
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault


class LastVerified:
    def __init__(self, vault: Path, kek: Callable[[], bytes | None]) -> None:
        self.vault, self._kek = vault, kek
        self.current: Verified | None = None
        self.stale = True    # a command ended since: refresh() before the next
        # Also keep every client record opened (for `list`): asked for by
        # the first `list`, as the search index is by the first search.
        self.records_wanted = False

    @property
    def fresh(self) -> Verified | None:
        """The last count, if no command ended since it was made."""
        return None if self.stale else self.current

    def refresh(self) -> Verified | None:
        """Check every row now. On any failure, nothing is kept: the next
        worker counts for itself and reports what is wrong."""
        previous, self.current, self.stale = self.current, None, False
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
        return self.current
