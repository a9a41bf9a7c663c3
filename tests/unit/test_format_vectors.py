"""The byte layouts in docs/format.md stay what the document says.

Hashes are also recomputed with hashlib's BLAKE2b, an implementation
independent of libsodium, so the vectors do not merely echo our code."""

import hashlib
import json
import struct
from pathlib import Path

import nacl.signing
from hypothesis import given
from hypothesis import strategies as st

from vault import codec, crypto
from vault.models import LogEntry
from vault.vaultfile import audit

V = json.loads((Path(__file__).parent.parent / "vectors" / "format.json").read_text())
VID = bytes.fromhex(V["vault_id"])


def entry() -> LogEntry:
    e = V["entry"]
    return LogEntry(seq=e["seq"], time=e["time"], action=e["action"], via=e["via"],
                    refs=tuple(bytes.fromhex(r) for r in e["refs"]),
                    detail=bytes.fromhex(e["detail"]),
                    prev_hash=bytes.fromhex(e["prev_hash"]), signature=None)


def test_associated_data_layout():
    expected = (b"client-vault" + struct.pack(">HB", 1, 4) + b"note" + VID
                + struct.pack(">QQ", 7, 3))
    assert crypto.aad("note", VID, 7, 3) == expected == bytes.fromhex(V["aad_note_row7_client3"])


def test_log_entry_encoding_hash_and_signature():
    encoded = audit.encode(entry(), VID)
    assert encoded.hex() == V["entry_encoding"]
    assert audit.entry_hash(entry(), VID).hex() == V["entry_hash"]
    assert hashlib.blake2b(encoded, digest_size=32).hexdigest() == V["entry_hash"]
    assert audit.sign(entry(), VID, bytes(32)).hex() == V["signature_seed_zero"]
    nacl.signing.SigningKey(bytes(32)).verify_key.verify(
        bytes.fromhex(V["entry_hash"]), bytes.fromhex(V["signature_seed_zero"]))


def test_keyed_hashes_match_hashlib():
    key, uid = bytes(range(32)), bytes(16)
    assert audit.client_ref(key, uid, 5) == hashlib.blake2b(
        uid + struct.pack(">Q", 5), digest_size=16, key=key).digest()
    assert crypto.derive_key(key, b"client-vault/v1/wrap") == hashlib.blake2b(
        b"client-vault/v1/wrap", digest_size=32, key=key).digest()


def test_padded_sizes():
    assert {str(n): codec.padded_size(n) for n in map(int, V["padded_size"])} == V["padded_size"]


def test_state_commitment_elements_and_sums():
    """docs/format.md section 14: each element is BLAKE2b-256 keyed with the
    state key, read little-endian; S and D are their sums mod 2**256, written
    big-endian. Recomputed here with hashlib, and by the code."""
    from vault.vaultfile.state import Elements, to_bytes, total
    s = V["state"]
    log_key = bytes.fromhex(s["log_key"])
    state_key = crypto.derive_key(log_key, b"client-vault/v1/state")
    assert state_key.hex() == s["state_key"] == hashlib.blake2b(
        b"client-vault/v1/state", key=log_key, digest_size=32).hexdigest()

    def element(x: bytes) -> str:
        return hashlib.blake2b(x, key=state_key, digest_size=32).hexdigest()
    c, n, t, k = s["client"], s["note"], s["tombstone"], s["key_row"]
    uid, blind, nonce = (bytes.fromhex(c[f]) for f in ("uid", "blind", "meta_nonce"))
    assert element(b"client\x00" + struct.pack(">Q", c["id"]) + uid + blind + nonce) \
        == c["element"]
    assert element(b"note\x00" + struct.pack(">QQ", n["id"], n["client_id"])
                   + bytes.fromhex(n["body_nonce"])) == n["element"]
    assert element(b"tombstone\x00" + bytes.fromhex(t["uid"]) + t["shredded"].encode()) \
        == t["element"]
    assert element(b"key\x00" + struct.pack(">H", len(k["name"])) + k["name"].encode()
                   + bytes.fromhex(k["wrapped"])) == k["element"]

    def number(h: str) -> int:
        return int.from_bytes(bytes.fromhex(h), "little")
    total_s = (number(c["element"]) + number(t["element"]) + number(k["element"])) % 2**256
    assert total_s.to_bytes(32, "big").hex() == s["S_of_client_tombstone_key_row"]
    assert number(n["element"]).to_bytes(32, "big").hex() == s["D_of_one_note"]

    e = Elements(state_key)   # the code: only the nonce of a sealed value counts
    assert e.client_digest(c["id"], uid, blind, nonce + b"the rest of the record").hex() \
        == c["element"]
    # The loop every command runs over every client row gives the same digest.
    assert [d.hex() for d in e.client_digests([(c["id"], uid, blind, nonce)])] \
        == [c["element"]]
    assert to_bytes(total([e.client_digest(c["id"], uid, blind, nonce)])
                    + e.tombstone(bytes.fromhex(t["uid"]), t["shredded"])
                    + e.key_row(k["name"], bytes.fromhex(k["wrapped"]))).hex() \
        == s["S_of_client_tombstone_key_row"]
    assert to_bytes(e.notes(n["client_id"], [(n["id"], bytes.fromhex(n["body_nonce"]))])).hex() \
        == s["D_of_one_note"]


@given(st.lists(st.tuples(st.integers(0, 2**63 - 1), st.binary(min_size=16, max_size=16),
                          st.binary(min_size=32, max_size=32),
                          st.binary(min_size=24, max_size=64)), max_size=20),
       st.binary(min_size=32, max_size=32))
def test_the_fast_client_loop_agrees_with_one_digest_at_a_time(rows, key):
    from vault.vaultfile.state import Elements
    e = Elements(key)
    assert e.client_digests(rows) == [e.client_digest(*r) for r in rows]
