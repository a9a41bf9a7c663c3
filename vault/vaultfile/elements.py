"""The elements of the state commitment and their sums (docs/format.md
section 14): each a keyed BLAKE2b-256 of one row, or of one bucket of client
rows, read as a little-endian number; sums are modulo 2**256.

Two schemes for the client rows. Scheme 1 (a 72-byte head) hashes each
client row on its own; scheme 2 (a 73-byte head, what this version writes)
hashes the rows whose ids share `id >> BUCKET_BITS` together, in one call
over the bytes SQLite can join itself, so the check every command makes
without the agent does not fetch 10,000 rows as Python values.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import TYPE_CHECKING

from .. import crypto
from ..models import STATE_BUCKET_BITS as BUCKET_BITS

if TYPE_CHECKING:
    from .versionreads import Row   # (id, uid, blind, clients.meta)

MODULUS = 1 << 256
DIGEST_BYTES = 32
SCHEME_BUCKETS, SCHEME_ROWS = 2, 1
_N = crypto.NONCE_BYTES
_U64 = struct.Struct(">Q").pack

def _number(digest: bytes) -> int:
    return int.from_bytes(digest, "little")


def total(digests: Iterable[bytes]) -> int:
    """The sum of many element digests, each read as a little-endian
    integer: four sums of 64-bit words, so that the only work per element
    is its hash."""
    words = array("Q", b"".join(digests))
    if sys.byteorder == "big":
        words.byteswap()
    return sum(sum(words[k::4]) << (64 * k) for k in range(4)) % MODULUS


def to_bytes(value: int) -> bytes:
    return (value % MODULUS).to_bytes(DIGEST_BYTES, "big")


def bucket_of(client_id: int) -> int:
    return client_id >> BUCKET_BITS


class Elements:
    """The keyed hash of each kind of element, as a number to sum."""

    def __init__(self, state_key: bytes) -> None:
        self._prf = crypto.Prf(state_key)

    # -- scheme 1: one element per client row --------------------------

    def client(self, client_id: int, uid: bytes, blind: bytes, meta: bytes) -> int:
        return _number(self.client_digest(client_id, uid, blind, meta))

    def client_digest(self, client_id: int, uid: bytes, blind: bytes, meta: bytes) -> bytes:
        return self._prf(b"client\x00" + _U64(client_id) + uid + blind + meta[:_N])

    def client_digests(self, rows: Iterable[Row]) -> list[bytes]:
        """client_digest of every row, written for speed (half the time of
        calling client_digest)."""
        start, out = self._prf.after(b"client\x00"), []
        append = out.append
        for client_id, uid, blind, meta in rows:
            h = start()
            h.update(_U64(client_id) + uid + blind + meta[:_N])
            append(h.digest())
        return out

    # -- scheme 2: one element per bucket of client rows -----------------

    def bucket(self, k: int, rows: Sequence[Row]) -> int:
        """The element of bucket `k` holding `rows` (sorted by id); 0 when
        empty (an empty bucket is no element)."""
        if not rows:
            return 0
        return _number(self.joined_digests([(k, *_joined(rows))])[0])

    def bucket_digests(self, rows: Iterable[Row]) -> list[bytes]:
        """The element of every bucket the rows (in any order) fill."""
        return self.joined_digests(
            (k, *_joined(list(group)))
            for k, group in groupby(sorted(rows), key=lambda r: bucket_of(r[0])))

    def joined_digests(self, buckets: Iterable[tuple[int, bytes, bytes]]) -> list[bytes]:
        """The element of each bucket `k`: BLAKE2b("clients\\0" ‖ u64 k ‖ ids ‖
        ";" ‖ joined), `ids` its rows' ids in ascending order, decimal, joined
        by ","; `joined` their uid ‖ blind ‖ meta in that order: as SQLite
        joins them (Store.client_buckets), or _joined() does."""
        start, out = self._prf.after(b"clients\x00"), []
        for k, ids, joined in buckets:
            h = start()
            h.update(_U64(k) + ids + b";")
            h.update(joined)
            out.append(h.digest())
        return out

    # -- the other rows (both schemes) ---------------------------------

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


def _joined(rows: Sequence[Row]) -> tuple[bytes, bytes]:
    """A bucket's rows (sorted by id) as SQLite's group_concat joins them. A
    field that is not bytes of its size (uid 16, blind 32, meta 24) raises
    TypeError: then no other rows join to the same bytes."""
    for r in rows:
        if len(r[1]) != 16 or len(r[2]) != 32 or len(r[3]) != 24:
            raise TypeError("a client row's field has the wrong size")
    ids = ",".join([str(r[0]) for r in rows]).encode("ascii")
    return ids, b"".join([r[1] + r[2] + r[3] for r in rows])
