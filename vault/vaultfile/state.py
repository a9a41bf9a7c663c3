"""The state commitment: one 32-byte value, sealed in the head, that binds
which rows a vault holds and the version of each (docs/format.md section 14).

It is a keyed multiset hash (MSet-Add-Hash): the sum, modulo 2**256, of a
keyed BLAKE2b of every element. The key is the vault's state key, derived
from the log key, so nobody without the passphrase can compute an element,
and the sum itself is only ever stored sealed. Adding, removing or changing
a row is one subtraction and one addition: O(1) per write.

Elements (elements.py): the header; every row of `keys`; the client rows
(id, opaque id, blind index, and the nonce of the sealed record: a fresh
nonce per seal, so an older copy of a record is another element), by
bucket of 64 ids (scheme 2; one element per row under scheme 1, a 72-byte
head, checked and then upgraded); and every tombstone. Notes are summed
per client the same way, and that sum is sealed inside the client's
record, so a client's element binds its notes.
The log is not an element (it is its own chain, bound by the head), nor is
the inbox (written while locked, without the key).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field

from .. import crypto
from ..errors import IntegrityError
from ..models import Client, ClientRow
from ..validate import normalise_name
from .elements import (
    DIGEST_BYTES,
    MODULUS,
    SCHEME_BUCKETS,
    SCHEME_ROWS,
    Elements,
    bucket_of,
    to_bytes,
    total,
)
from .store import Store
from .versionreads import Row
from .versions import Version, Versions, flat

__all__ = ["DIGEST_BYTES", "MODULUS", "Elements", "State", "Verified", "to_bytes", "total"]
_N = crypto.NONCE_BYTES


def fingerprint(meta: bytes) -> bytes:
    """What the agent keeps of a record it opened, to know the very same bytes
    again: their nonce, then a hash of them. Not the record itself: a worker
    reading 10,000 records' bytes, each on a page of its own in the agent's
    memory, would copy every page (about 20 ms at each `list`)."""
    return meta[:_N] + crypto.hash(meta)[:16]


def by_name(client: Client) -> tuple[str, int]:
    """`list`'s order: folded name, then id. Folded names are kept (the
    agent sorts its 10,000 clients again at each full count; the names are
    in its memory anyway, in their records); listing() drops those of
    clients shredded or renamed since."""
    folded = _FOLDED.get(client.name)
    if folded is None:
        folded = _FOLDED[client.name] = normalise_name(client.name)
    return folded, client.id


_FOLDED: dict[str, str] = {}


def listing(store: Store, opened: Mapping[int, tuple[bytes, Client]]) -> Listing | None:
    """In the agent's full count of records, in its transaction: every client
    in `list`'s order and the rows as client_rows_blob() reads them; None
    unless every row is well-formed (each row's bytes then unambiguous)."""
    rows = store.client_rows_blob()
    if len(rows) != sum(len(str(client_id)) + 73 for client_id in opened):
        return None
    clients = tuple(sorted((hit[1] for hit in opened.values()), key=by_name))
    # No two clients share a name (the blind index is unique): a name more
    # is one of a client shredded or renamed since.
    if len(_FOLDED) > len(clients):
        live = {c.name for c in clients}
        for name in [k for k in _FOLDED if k not in live]:
            del _FOLDED[name]
    return Listing(rows, clients, sum(c.notes for c in clients))


@dataclass(frozen=True)
class Verified:
    """The rows as one full check found them to match the sealed head:
    `head` is the sealed head (its bytes as stored), `rows` the sum over
    client rows and tombstones, `clients` each client's element inputs.

    The agent keeps one between the commands it runs (docs/format.md
    section 14, "Through the agent"): a worker that finds the head
    byte-identical adopts it instead of reading every client row, and then
    checks each client row it uses against `clients` (State.expect), so a
    row swapped, planted or deleted since the check still fails the command
    that depends on it."""
    head: bytes
    rows: int
    clients: Mapping[int, Version]
    # Client records opened at that count, by id: (the sealed record's
    # fingerprint, what it opened to). A row whose record has the same
    # fingerprint needs no opening.
    opened: Mapping[int, tuple[bytes, Client]] = field(default_factory=dict)
    # Every client, in `list`'s order, with the rows they were opened from
    # as Store.client_rows_blob() read them: kept by the agent's full count
    # of records, carried while no client row changes.
    listing: Listing | None = None


@dataclass(frozen=True)
class Listing:
    rows: bytes                    # Store.client_rows_blob() at the count
    clients: tuple[Client, ...]    # sorted by folded name, then id
    notes: int                     # the sum of their sealed note counts
    shown: tuple[object, str] | None = None   # models.Roster.shown, set by the agent


class State:
    """The commitment of one unlocked vault. `rows` (clients and tombstones)
    is counted once per transaction by verify() and kept current by every
    write; the header and keys, a handful of rows, are summed afresh each
    time the value is taken."""

    def __init__(self, store: Store, state_key: bytes) -> None:
        self.store = store
        self.elements = Elements(state_key)
        self.rows: int | None = None
        # Each client's element inputs, kept only when asked (track()): what
        # a Verified is made of, and what rows are checked against on use.
        self.versions: MutableMapping[int, Version] | None = None
        self.opened: Mapping[int, tuple[bytes, Client]] = {}
        # Since track(): the client ids whose rows this process changed, and
        # whether a count of every row found others than it knew (then its
        # state does not follow from the one it adopted alone).
        self.touched: set[int] = set()
        self.counted = False
        self.listing: Listing | None = None   # the adopted state's, while no row changes
        self.scheme = SCHEME_BUCKETS   # the head's, once verify() has read one

    # -- whole sums ----------------------------------------------------

    def fixed(self) -> int:
        """The header's and the key rows' elements: read once a transaction."""
        return self.store.memo("state-fixed", self._fixed)   # type: ignore[return-value]

    def _fixed(self) -> int:
        e = self.elements
        total = e.header(self.store.header_bytes())
        for name, wrapped in self.store.key_rows():
            total += e.key_row(name, wrapped)
        return total

    def count_rows(self, joined: bool = False) -> int:
        """O(clients + tombstones). `joined` (scheme 2): hash each bucket as
        SQLite joins it, without hashing the rows one by one in Python; its
        sum is only ever compared (verify), since SQL does not promise the
        order of a bucket's rows. Kept versions are read as values either way."""
        e = self.elements
        try:
            found = None if joined and self.versions is None else self.store.client_versions()
            if joined:
                rows = total(e.joined_digests(self.store.client_buckets()))
            else:
                assert found is not None
                rows = total(e.client_digests(found) if self.scheme == SCHEME_ROWS
                             else e.bucket_digests(found))
            if found is not None and self.versions is not None:
                versions = {r[0]: (r[1], r[2], r[3]) for r in found}
                self.counted |= versions != flat(self.versions)   # not only what it knew
                self.versions = versions
        except (TypeError, struct.error):   # a value of another type or range in a row
            raise _damaged() from None
        return (rows + sum(e.tombstone(uid, day) for uid, day in self.store.tombstones())) \
            % MODULUS

    def value(self) -> bytes:
        if self.rows is None:
            self.rows = self.count_rows()
        return to_bytes(self.fixed() + self.rows)

    def recount(self) -> None:
        self.rows = self.count_rows()

    def verify(self, sealed: bytes, scheme: int = SCHEME_BUCKETS) -> None:
        """The rows as they are against the value sealed in the head, by the
        head's scheme."""
        self.scheme = scheme
        joined = scheme == SCHEME_BUCKETS
        self.rows = self.count_rows(joined)
        if joined and not crypto.equal(self.value(), sealed):
            self.rows = self.count_rows()   # row by row, in id order: this one decides
        if not crypto.equal(self.value(), sealed):
            self.rows = None
            raise IntegrityError(
                "the vault's rows do not match its sealed state: a client, note or "
                "tombstone was deleted, planted, or put back from an older copy (tampering)",
                hint="run `vault log verify`; restore a backup with `vault restore`")

    def upgrade(self) -> None:
        """Scheme 1 verified: from now on by bucket (the caller re-seals the head)."""
        self.scheme = SCHEME_BUCKETS
        self.recount()

    # -- what each write changes ---------------------------------------

    def change(self, removed: int = 0, added: int = 0) -> None:
        if self.rows is not None:
            self.rows = (self.rows - removed + added) % MODULUS

    # -- a verified state kept between commands (the agent's) --------------

    def track(self) -> None:
        """Keep each client's element inputs from the next count on."""
        if self.versions is None:
            self.versions = Versions()
            self.rows = None   # the next value() counts, and fills versions
        self.touched, self.counted = set(), False

    def adopt(self, verified: Verified, sealed: bytes) -> bool:
        """Take the rows of a state verified earlier, if the head is the one
        it was verified at and the header and keys still sum to the sealed
        value. False (nothing adopted) otherwise: the caller counts."""
        if not crypto.equal(self.store.head() or b"", verified.head):
            return False
        if not crypto.equal(to_bytes(self.fixed() + verified.rows), sealed):
            return False
        self.rows, self.versions = verified.rows, Versions(verified.clients)
        self.opened, self.listing = verified.opened, verified.listing
        return True

    def verified(self, opened: Mapping[int, tuple[bytes, Client]] | None = None,
                 listed: Listing | None = None) -> Verified | None:
        """What this state now is, for the agent to hand its next workers;
        None unless tracked and counted."""
        head = self.store.head()
        if self.versions is None or self.rows is None or head is None:
            return None
        kept = self.versions
        self.versions = Versions(kept)   # later changes go on top: `kept` is never written
        return Verified(head, self.rows, kept, {} if opened is None else opened, listed)

    def all_opened(self, reopen: Callable[[int], Client]) -> list[Client] | None:
        """Every client, without reading or opening every record: the version
        of every client row (id, uid, blind, record nonce; one narrow read)
        must be the one the verified state holds; the records the agent
        opened at those versions are taken as opened, the others (changed
        since) opened by `reopen(id)`. None when the agent opened none (then
        the caller reads and opens the rows); IntegrityError when a row differs."""
        if not self.opened or self.versions is None or self.rows is None:
            return None
        found = sorted(self.store.client_versions())
        if {r[0]: r[1:] for r in found} != flat(self.versions):   # one C comparison
            for r in found:
                self._expect_version(r[0], r[1:])   # names the first row that differs
            self.expect_all(r[0] for r in found)
        opened = self.opened
        return [hit[1] if (hit := opened.get(r[0])) is not None and hit[0][:_N] == r[3]
                else reopen(r[0]) for r in found]

    def listed(self) -> Listing | None:
        """The adopted state's listing, if no client row changed since and
        the rows are, byte for byte, the ones it was made from (one read)."""
        if self.listing is None or self.store.client_rows_blob() != self.listing.rows:
            return None
        return self.listing

    def already_opened(self, row: ClientRow) -> Client | None:
        """The client a row opens to, if the agent opened these very bytes
        (call after expect())."""
        hit = self.opened.get(row.id)
        return hit[1] if hit is not None and hit[0] == fingerprint(row.meta) else None

    def moved(self, old: ClientRow | None, new: ClientRow | None) -> None:
        """A client row replaced (`old` -> `new`), created (`old` None) or
        deleted (`new` None), after the write: its element (scheme 1) or its
        bucket's (scheme 2) leaves and enters the sum."""
        self.listing = None
        if self.rows is not None:
            self.change(*(self._rows_moved if self.scheme == SCHEME_ROWS
                          else self._bucket_moved)(old, new))
        if self.versions is not None:
            if old is not None:
                self.versions.pop(old.id, None)
                self.touched.add(old.id)
            if new is not None:
                self.versions[new.id] = (new.uid, new.blind, new.meta[:_N])
                self.touched.add(new.id)

    def _rows_moved(self, old: ClientRow | None, new: ClientRow | None) -> tuple[int, int]:
        e = self.elements
        return (0 if old is None else e.client(old.id, old.uid, old.blind, old.meta),
                0 if new is None else e.client(new.id, new.uid, new.blind, new.meta))

    def _bucket_moved(self, old: ClientRow | None, new: ClientRow | None) -> tuple[int, int]:
        """The bucket's element before and after, from its other rows as they
        are now. Had one of those been tampered with since the count, the sum
        no longer matches any rows, and the next count fails: a tampered row
        is never taken in."""
        ids = {r.id for r in (old, new) if r is not None}
        removed = added = 0
        try:
            for k in {bucket_of(i) for i in ids}:
                others = [r for r in self.store.bucket_rows(k) if r[0] not in ids]
                removed += self.elements.bucket(k, _with(others, old, k))
                added += self.elements.bucket(k, _with(others, new, k))
        except (TypeError, struct.error):
            raise _damaged() from None
        return removed, added

    def expect(self, row: ClientRow) -> None:
        """A client row about to be used is the one the verified state holds
        (always true when every row was just counted)."""
        if self.versions is None or not self.versions and self.rows is None:
            return
        self._expect_version(row.id, (row.uid, row.blind, row.meta[:_N]))

    def _expect_version(self, client_id: int, version: Version) -> None:
        assert self.versions is not None
        if self.versions.get(client_id) != version:
            raise _tampered(f"client {client_id}: its record is not the one the vault's "
                            "sealed state holds")

    def expect_missing(self, blind: bytes | None = None, client_id: int | None = None) -> None:
        """No row was found for this name or id: neither may be one the
        verified state holds (a deleted row)."""
        if not self.versions:
            return
        if client_id is not None and client_id in self.versions or \
                blind is not None and any(crypto.equal(v[1], blind)
                                          for v in self.versions.values()):
            raise _tampered("a client's row is missing from the vault")

    def expect_all(self, ids: Iterable[int]) -> None:
        """Every client row was read: the same set as the verified state's."""
        if self.versions is not None and set(ids) != self.versions.keys():
            raise _tampered("the vault's client rows are not the ones its sealed state holds")


def _with(others: list[Row], row: ClientRow | None, k: int) -> list[Row]:
    if row is None or bucket_of(row.id) != k:
        return others
    return sorted([*others, (row.id, row.uid, row.blind, row.meta[:_N])])


def _damaged() -> IntegrityError:
    return IntegrityError("the vault file is damaged: a field has the wrong type")


def _tampered(what: str) -> IntegrityError:
    return IntegrityError(f"{what}: deleted, planted or put back from an older copy "
                          "(tampering)",
                          hint="run `vault check`; restore a backup with `vault restore`")
