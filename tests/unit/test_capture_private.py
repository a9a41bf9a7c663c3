"""Issue 12, below the CLI: the capture MAC (vaultfile/capture.py) and the
private part of log details (vaultfile/private.py).

Covers: the MAC verifies for the record it was made for and fails for any
changed field, another vault id, another key, a missing or malformed `mac`,
or fields of the wrong type (never raising); fields are length-prefixed, so
moving a byte between client and text changes the MAC; the key file is
written 0600 in a 0700 folder and read back, and a file for another vault
id or with garbage reads as none; a private part opens only with every
client's log key and only for its own entry (seq) and clients, and reads as
erased once one key is gone; an entry with no client keeps no free text.
"""

from __future__ import annotations

import stat

from vault import crypto
from vault.vaultfile import capture, private

VAULT_ID = bytes(range(16))
KEY = bytes(range(32))


def record(**changes) -> dict:
    rec = {"vault_id": VAULT_ID.hex(), "seq": 7, "client": "Jane Doe", "text": "hello",
           "tags": ["a", "b"], "created": "2026-01-02T03:04:05Z"}
    rec.update(changes)
    return rec


def with_mac(rec: dict, key: bytes = KEY) -> dict:
    return {**rec, "mac": capture.mac(key, VAULT_ID, rec).hex()}


def test_the_mac_covers_every_field():
    good = with_mac(record())
    assert capture.authentic(KEY, VAULT_ID, good)
    for field, value in (("seq", 8), ("client", "Jane Do"), ("text", "hello!"),
                         ("tags", ["a"]), ("tags", ["b", "a"]),
                         ("created", "2020-01-02T03:04:05Z")):
        assert not capture.authentic(KEY, VAULT_ID, {**good, field: value}), field
    assert not capture.authentic(KEY, bytes(16), good)
    assert not capture.authentic(bytes(32), VAULT_ID, good)
    assert not capture.authentic(None, VAULT_ID, good)


def test_fields_are_length_prefixed():
    a = capture.mac(KEY, VAULT_ID, record(client="ab", text="c"))
    b = capture.mac(KEY, VAULT_ID, record(client="a", text="bc"))
    assert a != b


def test_a_missing_or_malformed_mac_or_record_is_not_authentic():
    rec = record()
    for bad in ({**rec}, {**rec, "mac": "zz" * 32}, {**rec, "mac": 5},
                {**rec, "mac": "AB" * 32}, with_mac(rec) | {"seq": "7"},
                with_mac(rec) | {"tags": "a"}, with_mac(rec) | {"text": None},
                with_mac(rec) | {"client": "\ud800"}):
        assert not capture.authentic(KEY, VAULT_ID, bad)
    no_text = {k: v for k, v in with_mac(rec).items() if k != "text"}
    assert not capture.authentic(KEY, VAULT_ID, no_text)


def test_the_key_file_round_trip_and_modes(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert capture.load(VAULT_ID) is None
    assert capture.save(VAULT_ID, KEY)
    file = capture.location(VAULT_ID)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert capture.load(VAULT_ID) == KEY
    assert capture.load(bytes(16)) is None
    file.write_text(f"cvk1:{bytes(16).hex()}:{KEY.hex()}\n")   # another vault's line
    assert capture.load(VAULT_ID) is None
    file.write_bytes(b"\xff\xfe garbage")
    assert capture.load(VAULT_ID) is None
    capture.sync(VAULT_ID, KEY)
    assert capture.load(VAULT_ID) == KEY


def test_a_private_part_opens_only_with_every_key_for_its_own_entry():
    k1, k2 = crypto.random_key(), crypto.random_key()
    detail = {"notes": 2, "destination": "/tmp/Carol Crane.md", "purpose": "x"}
    sealed = private.seal("export-anonymized", detail, VAULT_ID, 9, [(4, k2), (1, k1)])
    assert "destination" not in sealed and "purpose" not in sealed
    assert sealed["private"]["clients"] == [1, 4]
    assert "Carol" not in repr(sealed)
    keys = {1: k1, 4: k2}
    assert private.reveal(sealed, VAULT_ID, 9, keys.get) == detail
    erased = {"notes": 2, "destination": private.ERASED, "purpose": private.ERASED}
    assert private.reveal(sealed, VAULT_ID, 9, {1: k1}.get) == erased
    assert private.reveal(sealed, VAULT_ID, 10, keys.get) == erased     # another entry
    assert private.reveal(sealed, bytes(16), 9, keys.get) == erased     # another vault
    assert private.reveal(sealed, VAULT_ID, 9, {1: k1, 4: k1}.get) == erased


def test_free_text_about_no_client_is_not_kept():
    detail = {"notes": [], "reason": "Bob asked"}
    assert private.seal("redact", detail, VAULT_ID, 3, []) == {"notes": [], "reason": None}
    plain = {"notes": [1], "reason": None}
    assert private.seal("redact", plain, VAULT_ID, 3, [(1, KEY)]) == plain
    assert private.seal("view", {"notes": [1]}, VAULT_ID, 3, [(1, KEY)]) == {"notes": [1]}


def test_the_mac_is_the_layout_format_md_gives():
    """Recomputed with hashlib's BLAKE2b from docs/format.md section 13."""
    import hashlib
    import struct

    def field(s: str) -> bytes:
        return struct.pack(">I", len(s.encode())) + s.encode()

    rec = record(client="José Ñ", tags=["ä", "b c"])
    message = (b"client-vault/v1/capture\x00" + VAULT_ID + struct.pack(">Q", 7)
               + field("José Ñ") + field("2026-01-02T03:04:05Z") + struct.pack(">I", 2)
               + field("ä") + field("b c") + field("hello"))
    assert capture.mac(KEY, VAULT_ID, rec) == hashlib.blake2b(message, key=KEY,
                                                              digest_size=32).digest()


def test_the_private_part_is_the_layout_format_md_gives():
    """Key and associated data recomputed from docs/format.md section 8.9."""
    import base64
    import hashlib
    import struct

    from vault import codec
    k1, k4 = bytes([1]) * 32, bytes([4]) * 32
    sealed = private.seal("export", {"destination": "/x", "notes": [3]}, VAULT_ID, 9,
                          [(4, k4), (1, k1)])
    key = hashlib.blake2b(b"client-vault/v1/log-private" + k4, key=k1, digest_size=32).digest()
    aad = (crypto.aad("log-private", VAULT_ID, 9) + struct.pack(">I", 2)
           + struct.pack(">QQ", 1, 4))
    blob = base64.b64decode(sealed["private"]["sealed"])
    assert codec.unpack(crypto.unseal(key, blob, aad)) == {"destination": "/x"}
    assert sealed["private"]["fields"] == ["destination"]
