"""The state commitment: one 32-byte value, sealed in the head, that binds
which rows a vault holds and the version of each (docs/format.md section 14).

It is a keyed multiset hash (MSet-Add-Hash): the sum, modulo 2**256, of a
keyed BLAKE2b of every element. The key is the vault's state key, derived
from the log key, so nobody without the passphrase can compute an element,
and the sum itself is only ever stored sealed. Adding, removing or changing
a row is one subtraction and one addition: O(1) per write.

Elements: the header; every row of `keys`; every client row (its id, opaque
id, blind index, and the nonce of its sealed record: a fresh nonce per
seal, so an older copy of a record is another element); and
every tombstone. Notes are summed per client the same way, and that sum is
sealed inside the client's record, so a client's element binds its notes.
The log is not an element (it is its own chain, bound by the head), nor is
the inbox (written while locked, without the key).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterable, Iterator

from .. import crypto
from ..errors import IntegrityError
from .store import Store

MODULUS = 1 << 256
DIGEST_BYTES = 32
_N = crypto.NONCE_BYTES
_U64 = struct.Struct(">Q").pack


def _number(digest: bytes) -> int:
    return int.from_bytes(digest, "little")


def total(digests: Iterable[bytes]) -> int:
    """The sum of many element digests, each read as a little-endian
    integer: four sums of 64-bit words, so that the only work per element
    is its hash (this runs over every client at each command)."""
    words = array("Q", b"".join(digests))
    if sys.byteorder == "big":
        words.byteswap()
    return sum(sum(words[k::4]) << (64 * k) for k in range(4)) % MODULUS


def to_bytes(value: int) -> bytes:
    return (value % MODULUS).to_bytes(DIGEST_BYTES, "big")


class Elements:
    """The keyed hash of each kind of element, as a number to sum."""

    def __init__(self, state_key: bytes) -> None:
        self._prf = crypto.Prf(state_key)

    def client(self, client_id: int, uid: bytes, blind: bytes, meta: bytes) -> int:
        return _number(self.client_digest(client_id, uid, blind, meta))

    def client_digest(self, client_id: int, uid: bytes, blind: bytes, meta: bytes) -> bytes:
        return self._prf(b"client\x00" + _U64(client_id) + uid + blind + meta[:_N])

    def client_digests(self, rows: Iterable[tuple[int, bytes, bytes, bytes]]) -> Iterator[bytes]:
        prf = self._prf
        for client_id, uid, blind, meta in rows:
            yield prf(b"client\x00" + _U64(client_id) + uid + blind + meta[:_N])

    def note(self, note_id: int, client_id: int, body: bytes) -> int:
        return _number(self._prf(b"note\x00" + struct.pack(">QQ", note_id, client_id)
                                 + body[:_N]))

    def tombstone(self, uid: bytes, day: str) -> int:
        return _number(self._prf(b"tombstone\x00" + uid + day.encode("utf-8")))

    def key_row(self, name: str, wrapped: bytes) -> int:
        label = name.encode("utf-8")
        return _number(self._prf(b"key\x00" + struct.pack(">H", len(label)) + label + wrapped))

    def header(self, raw: bytes) -> int:
        return _number(self._prf(b"header\x00" + raw))

    def notes(self, client_id: int, rows: Iterable[tuple[int, bytes]]) -> int:
        """The sum over one client's notes (id, sealed body)."""
        return sum(self.note(note_id, client_id, body) for note_id, body in rows) % MODULUS


class State:
    """The commitment of one unlocked vault. `rows` (clients and tombstones)
    is counted once per transaction by verify() and kept current by every
    write; the header and keys, a handful of rows, are summed afresh each
    time the value is taken."""

    def __init__(self, store: Store, state_key: bytes) -> None:
        self.store = store
        self.elements = Elements(state_key)
        self.rows: int | None = None

    # -- whole sums ----------------------------------------------------

    def fixed(self) -> int:
        e = self.elements
        total = e.header(self.store.header_bytes())
        for name, wrapped in self.store.key_rows():
            total += e.key_row(name, wrapped)
        return total

    def count_rows(self) -> int:
        """O(clients + tombstones): one keyed hash of a few dozen bytes each."""
        e = self.elements
        try:
            rows = total(e.client_digests(self.store.client_versions()))
        except (TypeError, struct.error):   # a value of another type or range in a row
            raise IntegrityError("the vault file is damaged: a field has the wrong "
                                 "type") from None
        return (rows + sum(e.tombstone(uid, day) for uid, day in self.store.tombstones())) \
            % MODULUS

    def value(self) -> bytes:
        if self.rows is None:
            self.rows = self.count_rows()
        return to_bytes(self.fixed() + self.rows)

    def recount(self) -> None:
        self.rows = self.count_rows()

    def verify(self, sealed: bytes) -> None:
        """The rows as they are against the value sealed in the head."""
        self.recount()
        if not crypto.equal(self.value(), sealed):
            self.rows = None
            raise IntegrityError(
                "the vault's rows do not match its sealed state: a client, note or "
                "tombstone was deleted, planted, or put back from an older copy (tampering)",
                hint="run `vault log verify`; restore a backup with `vault restore`")

    # -- what each write changes ---------------------------------------

    def change(self, removed: int = 0, added: int = 0) -> None:
        if self.rows is not None:
            self.rows = (self.rows - removed + added) % MODULUS
