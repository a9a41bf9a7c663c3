"""The agent's search index: every note's text, folded as search folds it
(validate.fold: any case, any accent), in the agent's memory only.

It narrows `vault search TERM` to the clients whose notes contain the folded
term; the command then decrypts and matches only those clients' notes, with
the same code as without the agent, so the hits are the same. A regular
expression, a tag-only search and `--client` are not narrowed.

Built on the first search, a step of STEP_CLIENTS clients at a time
between the agent's requests (a search before it is complete is not
narrowed). Kept current per client: before each search the agent compares every client
row (its sealed record and wrapped key, which change whenever a note is
added, imported, filed, redacted or re-keyed, and when the client is renamed,
closed or shredded) with what it indexed, and re-reads only the clients that
changed, whichever process wrote them. The vault file replaced, or its
passphrase changed, locks the agent instead (server.py).

Never written anywhere. The texts are UTF-8 in anonymous memory mapped
shared (mmap(-1, n)): fork() copies no page table entry of a shared
mapping, so the index costs a worker's fork nothing (about 2.5 ms at
100,000 notes when they were str objects on the agent's heap), and a
searching worker reads them in place. UTF-8 is self-synchronising: a
folded term found among the bytes is found among the characters.
"""

from __future__ import annotations

import hashlib
import mmap
from array import array
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from ..validate import fold
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault

SEPARATOR = "\x00"   # between notes and clients: no folded term of a search spans two
_SEP = SEPARATOR.encode()
STEP_CLIENTS = 100   # clients decrypted per step: tens of milliseconds
CHUNK_IDS = 256      # clients (by id) whose texts are joined into one string


def _signature(row: Any) -> bytes:
    return hashlib.blake2b(row.meta + b"|" + row.wrapped_key, digest_size=16).digest()


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _read(session: UnlockedVault, row: Any, sig: bytes) -> tuple[Any, bytes]:
    """One client's entry and folded text (UTF-8; the entry's starts are
    byte offsets)."""
    notes = session.notes(session.open_client(row))
    folded = [_utf8(fold(n.text)[0]) for n in notes]
    starts, at = [], 0
    for t in folded:
        starts.append(at)
        at += len(t) + len(_SEP)
    return (sig, array("q", [n.id for n in notes]), array("q", starts)), _SEP.join(folded)


class _Chunk(NamedTuple):
    """The folded texts of the clients of one id range, joined: a search
    is one find per hit over a few large buffers, not a Python loop over
    every client."""
    text: mmap.mmap | bytes   # shared memory (_shared); b"" when empty
    starts: array[int]        # where each client's text starts in `text`
    ids: array[int]           # those clients, ascending

    def text_of(self, client_id: int) -> bytes:
        j = bisect_right(self.ids, client_id) - 1
        end = self.starts[j + 1] - len(_SEP) if j + 1 < len(self.ids) else len(self.text)
        return self.text[self.starts[j]:end]


def _shared(data: bytes) -> mmap.mmap | bytes:
    """`data` copied into anonymous memory mapped shared, which fork() does
    not copy (see above). An empty text stays b"" (a mapping cannot be)."""
    if not data:
        return b""
    buffer = mmap.mmap(-1, len(data))   # MAP_SHARED | MAP_ANONYMOUS
    buffer.write(data)
    return buffer


def _chunk(texts: list[tuple[int, bytes]]) -> _Chunk:
    starts, at = [], 0
    for _, t in texts:
        starts.append(at)
        at += len(t) + len(_SEP)
    return _Chunk(_shared(_SEP.join(t for _, t in texts)), array("q", starts),
                  array("q", [cid for cid, _ in texts]))


class SearchIndex:
    def __init__(self, vault: Path, kek: Callable[[], bytes | None]) -> None:
        self.vault, self._kek = vault, kek
        # id -> (signature, the note ids, where each note starts in the
        # client's text); the texts themselves are in the chunks. Arrays, not
        # tuples of ints: two objects a client instead of one per note on the
        # agent's heap, which every worker's fork maps and writes into.
        self._clients: dict[int, tuple[bytes, array[int], array[int]]] = {}
        self._chunks: dict[int, _Chunk] = {}   # id // CHUNK_IDS -> chunk
        self.built = False     # every client read, none changed since: searches narrow
        self.wanted = False    # a search asked for it: keep building until built
        self.refreshed = 0     # clients re-read by the last step
        self.head: bytes | None = None   # the sealed head when it was last complete

    @property
    def pending(self) -> bool:
        return self.wanted and not self.built

    def refresh(self) -> bool:
        """Bring the index wholly up to date now; False if it cannot be."""
        return self.step(budget=None)

    def step(self, budget: int | None = STEP_CLIENTS) -> bool:
        """Re-read at most `budget` of the clients that changed (or are new),
        so that the agent keeps answering while a large index builds. True
        once the index is up to date. On any failure it is dropped and not
        wanted again until the next search (then searches are not narrowed)."""
        def work(store: Store, session: UnlockedVault) -> bool:
            head = store.head()   # before the rows: a write after it moves the head
            if self.built and head is not None and head == self.head:
                self.refreshed = 0
                return True       # complete, and nothing written since
            seen: dict[int, tuple[bytes, array[int], array[int]]] = {}
            texts: dict[int, bytes] = {}
            changed, complete = 0, True
            for row in list(store.clients()):
                sig = _signature(row)
                old = self._clients.get(row.id)
                if old is not None and old[0] == sig:
                    seen[row.id] = old
                elif budget is not None and changed >= budget:
                    complete = False       # the next step reads it
                else:
                    seen[row.id], texts[row.id] = _read(session, row, sig)
                    changed += 1
            self._rechunk(seen, texts)
            self._clients, self.built, self.refreshed = seen, complete, changed
            self.head = head if complete else None
            return complete
        return self._with_session(work)

    def follow(self, moves: list[tuple[bytes, bytes, frozenset[int]]]) -> None:
        """Workers' reports, taken by the agent (state.py): the head moved
        from A to B and only these clients' rows changed. An index complete
        at A is then complete at B once those clients are read again,
        without reading every row (a search, a view: none at all)."""
        for old, new, touched in moves:
            if not self.built or self.head != old:
                return   # the next step reads what changed
            if touched and not self._with_session(lambda store, session, t=touched:
                                                  self._reread(store, session, t)):
                return
            self.head = new

    def _reread(self, store: Store, session: UnlockedVault, touched: frozenset[int]) -> bool:
        seen, texts = dict(self._clients), {}
        for cid in touched:
            row = store.client_by_id(cid)
            seen.pop(cid, None)
            if row is not None:
                seen[cid], texts[cid] = _read(session, row, _signature(row))
        seen = dict(sorted(seen.items()))
        self._rechunk(seen, texts)
        self._clients = seen
        return True

    def _with_session(self, work: Callable[[Store, UnlockedVault], bool]) -> bool:
        """work(store, session) on the vault opened read-only with the agent's
        key; on any failure the index is dropped (_give_up) and False."""
        kek = self._kek()
        try:
            store = Store.open(self.vault, read_only=True)
        except Exception:  # noqa: BLE001 - no index is better than a dead agent
            return self._give_up()
        try:
            session = None if kek is None else UnlockedVault.from_agent(store, kek)
            if session is None:
                return self._give_up()
            return work(store, session)
        except Exception:  # noqa: BLE001 - e.g. a damaged row: searches then decrypt all
            return self._give_up()
        finally:
            store.close()

    def _rechunk(self, seen: dict[int, Any], texts: dict[int, bytes]) -> None:
        """Join again the chunks with a client read anew, gone, or new."""
        dirty = {cid // CHUNK_IDS for cid in texts}
        dirty.update(cid // CHUNK_IDS for cid in self._clients.keys() - seen.keys())
        if not dirty:
            return
        members: dict[int, list[int]] = {n: [] for n in dirty}
        for cid in seen:
            if cid // CHUNK_IDS in members:
                members[cid // CHUNK_IDS].append(cid)
        for n, ids in members.items():
            old = self._chunks.get(n)
            ids.sort()
            parts = [(cid, texts[cid] if cid in texts else old.text_of(cid))  # type: ignore[union-attr]
                     for cid in ids]
            if parts:
                self._chunks[n] = _chunk(parts)
            else:
                self._chunks.pop(n, None)

    def _give_up(self) -> bool:
        self._clients, self._chunks = {}, {}
        self.built, self.wanted, self.head = False, False, None
        return False

    def current_at(self, head: bytes | None) -> bool:
        """Whether the index is complete and no write was committed since it
        was (the sealed head, which every write moves, is `head`)."""
        return self.built and head is not None and self.head == head

    def clients_containing(self, folded_term: str) -> list[int] | None:
        """Ids (ascending, as Store.clients lists them) of the clients with a
        note whose folded text contains `folded_term`; None if not built."""
        found = self.notes_containing(folded_term)
        return None if found is None else list(found)

    def narrow(self, folded_term: str, head: bytes | None) -> dict[int, frozenset[int]] | None:
        """notes_containing, for a command whose transaction sees the vault
        head `head`: None (do not narrow) unless the index is complete at
        that very head, so that a write it has not read (made without the
        agent, or by this command before it searched) is never missed."""
        if head is None or head != self.head:
            return None
        return self.notes_containing(folded_term)

    def notes_containing(self, folded_term: str) -> dict[int, frozenset[int]] | None:
        """For each client with a note whose folded text contains
        `folded_term` (ascending ids), the ids of those notes; None if not
        built (or for a term no note text can hold)."""
        if not self.built or not folded_term or SEPARATOR in folded_term:
            return None
        term = _utf8(folded_term)
        found: dict[int, set[int]] = {}
        for n in sorted(self._chunks):
            chunk = self._chunks[n]
            text, cstarts, cids = chunk.text, chunk.starts, chunk.ids
            at = text.find(term, 0)   # (an mmap's find starts at its position by default)
            while at >= 0:
                j = bisect_right(cstarts, at) - 1
                cid, base = cids[j], cstarts[j]
                _, ids, starts = self._clients[cid]
                k = bisect_right(starts, at - base) - 1
                found.setdefault(cid, set()).add(ids[k])
                if k + 1 < len(starts):
                    at = text.find(term, base + starts[k + 1])
                elif j + 1 < len(cids):
                    at = text.find(term, cstarts[j + 1])
                else:
                    break
        return {cid: frozenset(hits) for cid, hits in found.items()}

    def size(self) -> dict[str, Any]:
        """For `vault status --json`: what the index holds, never its text."""
        return {"built": self.built, "clients": len(self._clients),
                "notes": sum(len(ids) for _, ids, _ in self._clients.values()),
                "bytes": sum(len(c.text) for c in self._chunks.values())}
