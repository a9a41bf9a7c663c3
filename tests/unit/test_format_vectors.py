"""The byte layouts in docs/format.md stay what the document says.

Hashes are also recomputed with hashlib's BLAKE2b, an implementation
independent of libsodium, so the vectors do not merely echo our code."""

import hashlib
import json
import struct
from pathlib import Path

import nacl.signing

from vault.vaultfile import audit
from vault import codec, crypto
from vault.models import LogEntry

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
