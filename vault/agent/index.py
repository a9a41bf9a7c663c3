"""The agent's search index: every note's text, folded as search folds it
(validate.fold: any case, any accent), in the agent's memory only.

It narrows `vault search TERM` to the clients whose notes contain the folded
term; the command then decrypts and matches only those clients' notes, with
the same code as without the agent, so the hits are the same. A regular
expression, a tag-only search and `--client` are not narrowed.

Kept current per client: before each search the agent compares every client
row (its sealed record and wrapped key, which change whenever a note is
added, imported, filed, redacted or re-keyed, and when the client is renamed,
closed or shredded) with what it indexed, and re-reads only the clients that
changed, whichever process wrote them. The vault file replaced, or its
passphrase changed, locks the agent instead (server.py).

Never written anywhere; forked workers see it through shared memory.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..validate import fold
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault

SEPARATOR = "\x00"   # between notes: no folded term of a search spans two


def _signature(row: Any) -> bytes:
    return hashlib.blake2b(row.meta + b"|" + row.wrapped_key, digest_size=16).digest()


class SearchIndex:
    def __init__(self, vault: Path, kek: Callable[[], bytes | None]) -> None:
        self.vault, self._kek = vault, kek
        self._clients: dict[int, tuple[bytes, str, int]] = {}   # id -> (signature, text, notes)
        self.built = False
        self.refreshed = 0     # clients re-read by the last refresh

    def refresh(self) -> bool:
        """Bring the index up to date; False if it cannot be (then searches
        are not narrowed). Reads only the clients that changed."""
        kek = self._kek()
        if kek is None:
            return False
        try:
            store = Store.open(self.vault, read_only=True)
        except Exception:  # noqa: BLE001 - no index is better than a dead agent
            return False
        try:
            session = UnlockedVault.from_agent(store, kek)
            if session is None:
                return False
            seen: dict[int, tuple[bytes, str, int]] = {}
            changed = 0
            for row in store.clients():
                sig = _signature(row)
                old = self._clients.get(row.id)
                if old is not None and old[0] == sig:
                    seen[row.id] = old
                    continue
                notes = session.notes(session.open_client(row))
                seen[row.id] = (sig, SEPARATOR.join(fold(n.text)[0] for n in notes),
                                len(notes))
                changed += 1
            self._clients, self.built, self.refreshed = seen, True, changed
            return True
        except Exception:  # noqa: BLE001 - e.g. a damaged row: searches then decrypt all
            self._clients, self.built = {}, False
            return False
        finally:
            store.close()

    def clients_containing(self, folded_term: str) -> list[int] | None:
        """Ids (ascending, as Store.clients lists them) of the clients with a
        note whose folded text contains `folded_term`; None if not built."""
        if not self.built:
            return None
        return [cid for cid, (_, text, _) in self._clients.items() if folded_term in text]

    def size(self) -> dict[str, Any]:
        """For `vault status --json`: what the index holds, never its text."""
        return {"built": self.built, "clients": len(self._clients),
                "notes": sum(n for _, _, n in self._clients.values()),
                "bytes": sum(sys.getsizeof(t) for _, t, _ in self._clients.values())}
