"""An independent reader of the vault file, written from docs/format.md alone.

The reader below (everything between "INDEPENDENT READER" and "THE TEST")
imports nothing of the `vault` package: only the standard library, PyNaCl's
bindings (XChaCha20-Poly1305 IETF, Ed25519, X25519, sealed boxes) and
argon2-cffi's low-level Argon2id. The test makes a real vault through the
real CLI (clients spanning two buckets of 64 ids, a legal hold, an alias, a
shredded client, a backup recorded while locked), then with the passphrase
the reader

1. derives the passphrase key and opens the master key and every named key
   (sections 4, 5, 9.1);
2. opens every client's key, record and note with the documented associated
   data, and compares names, notes, holds and aliases with `list --json`,
   `view --json` and `alias list --json` (sections 2, 4, 6, 7, 9.2);
3. verifies the log's hash chain, every signature, every detail, every
   client reference, and the sealed head (section 8);
4. recomputes the state commitment S (scheme 2) and each client's note sum D
   (section 14);
5. checks the known-answer values of sections 10, 14 and 16;

and also: the private fields of an `export` entry (8.9), an inbox row and its
capture MAC (2, 13), the capture key file (13), the checkpoint line (8.8), the
witness file (12), the backup container and the vault inside it (11), a vault
with a key file (5), and the log details' keys per action (6). The places
where docs/format.md disagreed with what the program writes (the `init`
detail's keys, `_state` in entries written while locked, the size of a
sealed record) were corrected in the document; the tests hold it to them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import sqlite3
import struct
import unicodedata
from pathlib import Path
from unittest import mock

import argon2.low_level
import nacl.bindings as sodium
import pytest
import typer.main
import typer.testing

# ============================================================================
# INDEPENDENT READER (docs/format.md only; no `vault` import)
# ============================================================================

FORMAT_VERSION = 1
KEY_NAMES = ("sign", "log", "index", "box", "capture")          # sealed rows, section 2
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")  # section 2, log.time


class FormatError(Exception):
    pass


def u16(n: int) -> bytes:
    return struct.pack(">H", n)


def u32(n: int) -> bytes:
    return struct.pack(">I", n)


def u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def b2b(msg: bytes, *, key: bytes = b"", size: int = 32) -> bytes:
    """BLAKE2b with outlen = size (not a truncation), section 'Conventions'."""
    return hashlib.blake2b(msg, digest_size=size, key=key).digest()


def derive(parent: bytes, label: bytes) -> bytes:                 # section 5, Subkeys
    return b2b(label, key=parent)


def aad(label: str, vault_id: bytes, row: int = 0, client: int = 0) -> bytes:
    """Section 4, Associated data: 47 + len(label) bytes."""
    lab = label.encode("ascii")
    out = b"client-vault" + u16(FORMAT_VERSION) + bytes([len(lab)]) + lab + vault_id \
        + u64(row) + u64(client)
    assert len(out) == 47 + len(lab)
    return out


def seal_with_nonce(key: bytes, plaintext: bytes, ad: bytes, nonce: bytes) -> bytes:
    return nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key)


def open_sealed(key: bytes, blob: bytes, ad: bytes) -> bytes:      # section 4
    if not isinstance(blob, bytes) or len(blob) < 40:
        raise FormatError("sealed blob too short")
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(blob[24:], ad, blob[:24], key)


def padded_size(length: int) -> int:                               # section 6, Padmé
    if length <= 256:
        return 256
    e = length.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def pack(obj: dict) -> bytes:                                      # section 6 (writer side)
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      allow_nan=False).encode("utf-8")
    body = u32(len(text)) + text
    return body + bytes(padded_size(len(body)) - len(body))


def _no_constants(name: str):
    raise FormatError(f"{name} in record")


def unpack(data: bytes) -> dict:                                   # section 6, codec.unpack
    if len(data) < 4:
        raise FormatError("malformed record")
    (length,) = struct.unpack(">I", data[:4])
    if 4 + length > len(data):
        raise FormatError("malformed record")
    if any(data[4 + length:]):
        raise FormatError("malformed record: non-zero padding")
    obj = json.loads(data[4:4 + length].decode("utf-8"), parse_constant=_no_constants)
    if not isinstance(obj, dict):
        raise FormatError("malformed record")
    return obj


def blind_form(name: str) -> str:                                  # section 7
    s = unicodedata.normalize("NFKC", name)
    s = s.casefold()
    s = unicodedata.normalize("NFKC", s)
    return " ".join(s.split())


def blind(index_key: bytes, name: str) -> bytes:
    return b2b(b"client-vault/v1/name\x00" + blind_form(name).encode("utf-8"), key=index_key)


def kdf(passphrase: bytes, salt: bytes, m: int, t: int, p: int) -> bytes:
    return argon2.low_level.hash_secret_raw(
        secret=passphrase, salt=salt, time_cost=t, memory_cost=m, parallelism=p,
        hash_len=32, type=argon2.low_level.Type.ID, version=0x13)


def master_aad(vault_id: bytes, m: int, t: int, p: int, salt: bytes, keyfile: bool) -> bytes:
    out = aad("master", vault_id) + u32(m) + u32(t) + u32(p) + salt
    return out + (b"keyfile" if keyfile else b"")


# -- log (section 8) ---------------------------------------------------------

def encode_entry(row: dict, vault_id: bytes) -> bytes:             # section 8.2
    refs = row["refs"]
    assert len(refs) % 16 == 0
    out = b"client-vault/log/v1" + vault_id + u64(row["seq"])
    for col in ("time", "action", "via"):
        b = row[col].encode("ascii")
        out += u16(len(b)) + b
    out += u32(len(refs) // 16) + refs
    out += u32(len(row["detail"])) + row["detail"]
    out += row["prev_hash"]
    return out


def entry_hash(row: dict, vault_id: bytes) -> bytes:
    return b2b(encode_entry(row, vault_id))


def client_ref(log_ref_key: bytes, uid: bytes, seq: int) -> bytes:  # section 8.3
    return b2b(uid + u64(seq), key=log_ref_key, size=16)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        return sodium.crypto_sign_open(signature + message, public) == message
    except Exception:
        return False


def key_fingerprint(sign_public: bytes) -> bytes:                 # section 8.8
    return b2b(sign_public, key=b"client-vault/v1/key-fingerprint", size=16)


# -- state commitment (section 14) -------------------------------------------

MOD = 1 << 256


def state_key(log_key: bytes) -> bytes:
    return derive(log_key, b"client-vault/v1/state")


def element(skey: bytes, x: bytes) -> int:
    return int.from_bytes(b2b(x, key=skey), "little")


def header_x(header: dict) -> bytes:
    x = b"header\x00"
    for col in ("magic", "format_version", "vault_id", "kdf", "kdf_memory_kib",
                "kdf_iterations", "kdf_parallelism", "salt", "wrapped_master", "sign_public"):
        v = header[col]
        if isinstance(v, bytes):
            b = v
        elif isinstance(v, int):
            b = str(v).encode("ascii")
        else:
            b = v.encode("utf-8")
        x += u32(len(b)) + b
    return x


def key_row_x(name: str, wrapped: bytes) -> bytes:
    n = name.encode("utf-8")
    return b"key\x00" + u16(len(n)) + n + wrapped


def bucket_x(k: int, rows: list[tuple[int, bytes, bytes, bytes]]) -> bytes:
    rows = sorted(rows)
    return (b"clients\x00" + u64(k) + ",".join(str(r[0]) for r in rows).encode("ascii")
            + b";" + b"".join(uid + bl + meta for _, uid, bl, meta in rows))


def client_x_scheme1(cid: int, uid: bytes, bl: bytes, meta: bytes) -> bytes:
    return b"client\x00" + u64(cid) + uid + bl + meta[:24]


def tombstone_x(uid: bytes, shredded: str) -> bytes:
    return b"tombstone\x00" + uid + shredded.encode("utf-8")


def note_x(note_id: int, client_id: int, body: bytes) -> bytes:
    return b"note\x00" + u64(note_id) + u64(client_id) + body[:24]


def verified_key(skey: bytes) -> bytes:                             # section 16
    return derive(skey, b"client-vault/v1/verified")


# -- the whole read ----------------------------------------------------------

def keyfile_kek(argon_out: bytes, keyfile: bytes) -> bytes:          # section 5, Key file
    return b2b(b"client-vault/v1/keyfile\x00" + b2b(keyfile), key=argon_out)


def open_private(private: dict, log_keys: dict[int, bytes], vault_id: bytes, seq: int) -> dict:
    """Section 8.9: the sealed private fields of a log detail."""
    ids = private["clients"]
    assert ids == sorted(ids)
    k = b2b(b"client-vault/v1/log-private" + b"".join(log_keys[c] for c in ids[1:]),
            key=log_keys[ids[0]])
    a = aad("log-private", vault_id, seq, 0) + u32(len(ids)) + b"".join(u64(c) for c in ids)

    fields = unpack(open_sealed(k, base64.b64decode(private["sealed"], validate=True), a))
    assert list(fields) == sorted(fields) and set(fields) == set(private["fields"])
    return fields


def capture_mac(capture_key: bytes, vault_id: bytes, rec: dict) -> bytes:   # section 13
    def lp(b: bytes) -> bytes:
        return u32(len(b)) + b
    x = (b"client-vault/v1/capture\x00" + vault_id + u64(rec["seq"])
         + lp(rec["client"].encode("utf-8")) + lp(rec["created"].encode("ascii"))
         + u32(len(rec["tags"])) + b"".join(lp(t.encode("utf-8")) for t in rec["tags"])
         + lp(rec["text"].encode("utf-8")))
    return b2b(x, key=capture_key)


def read_backup(data: bytes) -> tuple[int, bytes, bytes]:            # section 11
    assert data[:20] == b"client-vault-backup\n"
    (version,) = struct.unpack(">H", data[20:22])
    digest = data[22:54]
    (n,) = struct.unpack(">Q", data[54:62])
    assert len(data) == 62 + n
    assert version == 2
    person = b"cv-backup-v2"
    h = hashlib.blake2b(digest_size=32, person=person)
    h.update(data[:22] + data[54:])
    assert hashlib.blake2b(data[:22] + data[54:], digest_size=32,
                           person=person + bytes(16 - len(person))).digest() == h.digest()
    assert h.digest() == digest, "the backup is damaged"
    return version, digest, data[62:]


def checkpoint_line(vault_id: bytes, seq: int, h: bytes, sign_public: bytes) -> str:
    return f"cv1:{vault_id.hex()}:{seq}:{h.hex()}:{key_fingerprint(sign_public).hex()}"


def witness_name(vault_id: bytes, path: Path) -> str:                 # section 12
    tag = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]
    return f"{vault_id.hex()}-{tag}"


def read_vault(path: Path, passphrase: bytes, keyfile: bytes | None = None) -> dict:
    """Everything of section 9.1, 9.2, 9.4 and 14 a read-only reader does."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)   # with its -wal (section 1)
    try:
        return _read(conn, passphrase, keyfile)
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, passphrase: bytes, keyfile: bytes | None) -> dict:
    out: dict = {"problems": []}
    (uv,) = conn.execute("PRAGMA user_version").fetchone()
    out["user_version"] = uv
    assert 1 <= uv <= 4

    # 9.1 steps 2-5: header, caps, KDF, master key
    cols = ("magic", "format_version", "vault_id", "kdf", "kdf_memory_kib", "kdf_iterations",
            "kdf_parallelism", "salt", "wrapped_master", "sign_public")
    r = conn.execute(f"SELECT {', '.join(cols)} FROM header WHERE id = 1").fetchone()
    header = dict(zip(cols, r))
    out["header"] = header
    assert header["magic"] == "client-vault"
    assert header["format_version"] == 1
    assert header["kdf"] in ("argon2id", "argon2id+keyfile")
    vid, salt = header["vault_id"], header["salt"]
    assert isinstance(vid, bytes) and len(vid) == 16
    assert isinstance(salt, bytes) and len(salt) == 16
    assert len(header["sign_public"]) == 32 and len(header["wrapped_master"]) == 72
    m, t, p = header["kdf_memory_kib"], header["kdf_iterations"], header["kdf_parallelism"]
    assert 1 <= p <= 16 and 1 <= t <= 64 and 8 * p <= m <= 4194304
    with_keyfile = header["kdf"] == "argon2id+keyfile"
    assert with_keyfile == (keyfile is not None)
    kek = kdf(passphrase, salt, m, t, p)
    if with_keyfile:
        kek = keyfile_kek(kek, keyfile)
    master = open_sealed(kek, header["wrapped_master"],
                         master_aad(vid, m, t, p, salt, keyfile=with_keyfile))
    assert len(master) == 32
    wrap = derive(master, b"client-vault/v1/wrap")
    head_key = derive(master, b"client-vault/v1/head")

    # 9.1 step 7, section 2 keys
    key_rows = dict(conn.execute("SELECT name, wrapped FROM keys").fetchall())
    out["key_rows"] = key_rows
    keys = {}
    for name in KEY_NAMES:
        assert len(key_rows[name]) == 72, name
        keys[name] = open_sealed(wrap, key_rows[name], aad("key:" + name, vid))
        assert len(keys[name]) == 32, name
    box_public = key_rows["box-public"]
    assert len(box_public) == 32
    assert sodium.crypto_scalarmult_base(keys["box"]) == box_public
    sign_pk, _ = sodium.crypto_sign_seed_keypair(keys["sign"])
    assert sign_pk == header["sign_public"]                    # 9.1 step 9
    log_detail = derive(keys["log"], b"client-vault/v1/log-detail")
    log_ref = derive(keys["log"], b"client-vault/v1/log-ref")
    out["keys"] = keys

    # 9.2: every client, its record and notes
    clients = {}
    rows = conn.execute(
        "SELECT c.id, c.uid, c.blind, c.wrapped_key, c.meta, r.sealed "
        "FROM clients c LEFT JOIN records r ON r.id = c.id ORDER BY c.id").fetchall()
    for cid, uid, bl, wrapped_key, meta_nonce, sealed in rows:
        assert len(uid) == 16 and len(bl) == 32 and len(wrapped_key) == 72
        assert sealed is not None and len(meta_nonce) == 24 and sealed[:24] == meta_nonce
        ckey = open_sealed(wrap, wrapped_key, aad("client-key", vid, cid, cid) + uid + bl)
        rec_plain = open_sealed(ckey, sealed, aad("client-meta", vid, cid, cid))
        assert len(rec_plain) >= 1792                              # section 6, META_PADDED
        rec = unpack(rec_plain)
        assert isinstance(rec["name"], str) and isinstance(rec["notes"], int)
        assert blind(keys["index"], rec["name"]) == bl            # section 7
        notes = []
        for nid, body in conn.execute(
                "SELECT id, body FROM notes WHERE client_id = ? ORDER BY id", (cid,)):
            note = unpack(open_sealed(ckey, body, aad("note", vid, nid, cid)))
            assert isinstance(note["text"], str) and isinstance(note["tags"], list)
            notes.append({"id": nid, **note, "_body": body})
        assert len(notes) == rec["notes"]
        clients[cid] = {"uid": uid, "blind": bl, "meta": meta_nonce, "key": ckey,
                        "record": rec, "notes": notes}
    out["clients"] = clients
    # no note whose client is missing
    (orphans,) = conn.execute(
        "SELECT count(*) FROM notes WHERE client_id NOT IN (SELECT id FROM clients)").fetchone()
    assert orphans == 0

    # 8: the log
    log = []
    prev = bytes(32)
    expected = 1
    for seq, time, action, via, refs, detail, prev_hash, sig in conn.execute(
            "SELECT seq, time, action, via, refs, detail, prev_hash, signature "
            "FROM log ORDER BY seq"):
        row = dict(seq=seq, time=time, action=action, via=via, refs=refs, detail=detail,
                   prev_hash=prev_hash, signature=sig)
        assert seq == expected, (seq, expected)
        assert TIME_RE.match(time), time
        assert isinstance(refs, bytes) and isinstance(detail, bytes)
        assert prev_hash == prev, f"entry {seq} does not follow its predecessor"
        h = entry_hash(row, vid)
        row["hash"] = h
        if sig is None:
            out["problems"].append(f"entry {seq} unsigned")
        elif not ed25519_verify(header["sign_public"], h, sig):
            out["problems"].append(f"entry {seq}: signature does not verify")
        # details
        if via == "none":
            row["detail_obj"] = (unpack(sodium.crypto_box_seal_open(detail, box_public,
                                                                     keys["box"]))
                                 if detail else None)
            if row["detail_obj"] is not None:
                assert row["detail_obj"]["vault_id"] == vid.hex()
                assert row["detail_obj"]["seq"] == seq
        else:
            row["detail_obj"] = (unpack(open_sealed(log_detail, detail,
                                                    aad("log-detail", vid, seq, 0)))
                                 if detail else None)
        log.append(row)
        prev, expected = h, seq + 1
    out["log"] = log

    # client references (8.3): which client (by uid) each ref names
    known_uids = {c["uid"]: cid for cid, c in clients.items()}
    for uid_bytes, _ in conn.execute("SELECT uid, shredded FROM tombstones"):
        known_uids.setdefault(uid_bytes, None)
    for row in log:
        names = []
        for i in range(0, len(row["refs"]), 16):
            ref = row["refs"][i:i + 16]
            hits = [u for u in known_uids if client_ref(log_ref, u, row["seq"]) == ref]
            assert len(hits) == 1, (row["seq"], row["action"])
            names.append(hits[0])
        row["ref_uids"] = names

    # 8.9: private fields, opened while every client concerned exists
    log_keys = {cid: bytes.fromhex(c["record"]["log_key"]) for cid, c in clients.items()}
    for row in log:
        d = row["detail_obj"]
        if d and "private" in d:
            assert sorted(known_uids[u] for u in row["ref_uids"]) == d["private"]["clients"]
            row["private"] = open_private(d["private"], log_keys, vid, row["seq"])

    # 2 / 13: the inbox, opened with the box key, every MAC checked
    out["inbox"] = []
    add_sealed = {r["seq"] for r in log if r["action"] == "add-sealed"}
    for iid, sealed in conn.execute("SELECT id, sealed FROM inbox ORDER BY id"):
        rec = unpack(sodium.crypto_box_seal_open(sealed, box_public, keys["box"]))
        assert rec["vault_id"] == vid.hex() and rec["seq"] in add_sealed
        assert bytes.fromhex(rec["mac"]) == capture_mac(keys["capture"], vid, rec)
        out["inbox"].append(rec)

    # 8.6: sealed head
    (head_sealed,) = conn.execute("SELECT sealed FROM head WHERE id = 1").fetchone()
    assert len(head_sealed) == 113
    head = open_sealed(head_key, head_sealed, aad("head", vid))
    assert len(head) == 73 and head[72] == 2
    head_seq = struct.unpack(">Q", head[:8])[0]
    out["head"] = {"seq": head_seq, "hash": head[8:40], "S": head[40:72]}
    signed = [r for r in log if r["signature"] is not None]
    assert head_seq == signed[-1]["seq"]
    assert log[head_seq - 1]["hash"] == head[8:40]
    assert all(r["signature"] is None for r in log if r["seq"] > head_seq)

    # 14: state commitment, scheme 2
    skey = state_key(keys["log"])
    out["state_key"] = skey
    total = element(skey, header_x(header))
    for name, wrapped in key_rows.items():
        total += element(skey, key_row_x(name, wrapped))
    buckets: dict[int, list] = {}
    for cid, uid, bl, meta in conn.execute("SELECT id, uid, blind, meta FROM clients"):
        buckets.setdefault(cid >> 6, []).append((cid, uid, bl, meta))
    out["buckets"] = sorted(buckets)
    for k, brow in buckets.items():
        total += element(skey, bucket_x(k, brow))
    tombstones = conn.execute("SELECT uid, shredded FROM tombstones").fetchall()
    out["tombstones"] = tombstones
    for uid, shredded in tombstones:
        total += element(skey, tombstone_x(uid, shredded))
    out["S"] = (total % MOD).to_bytes(32, "big")

    # 14: each client's D
    for cid, c in clients.items():
        d = sum(element(skey, note_x(n["id"], cid, n["_body"])) for n in c["notes"]) % MOD
        c["D"] = d.to_bytes(32, "big").hex()
    return out


# ============================================================================
# THE TEST (drives the real CLI; the reader above never sees `vault`)
# ============================================================================

from vault.cli import app  # noqa: E402  (the CLI only, to make the vault)

from ..conftest import FAST_KDF, PASSPHRASE, private_env  # noqa: E402

ANN, BOB, CY = "Ann Lee", "Bob Brook", "Cy Young"
N_IMPORTED = 66          # ids up to 69: buckets 0 and 1


@functools.cache
def _command():
    return typer.main.get_command(app)


def quick(venv, *args, input=None):
    """As tests/reliability/test_faults.py: the CLI in process, click built once."""
    with mock.patch.object(typer.testing, "_get_command", lambda _app: _command()):
        result = venv.run(*args, input=input)
    assert result.exit_code == 0, (args, result.exit_code, result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("independent")
    venv = private_env(root)
    quick(venv, "init", *FAST_KDF)
    quick(venv, "add", ANN, "-m", "Ann's first note", "--new", "--tag", "intake",
          "--tag", "sleep")
    quick(venv, "add", ANN, "-m", "second note, non-ASCII: Zoë café ✓")
    quick(venv, "add", BOB, "-m", "bob one", "--new")
    quick(venv, "add", CY, "-m", "cy one", "--new")
    quick(venv, "hold", ANN, "--reason", "court order 12")
    quick(venv, "alias", "add", ANN, "Annie")
    quick(venv, "alias", "add", ANN, "Mr Lee", "--relation", "husband")
    quick(venv, "export", ANN, "--format", "json", "-o", str(root / "ann.json"), "--yes",
          "--recipient", "Dr Who", "--purpose", "transfer of care")
    imp = root / "import"
    for i in range(N_IMPORTED):
        folder = imp / f"Imported Client {i:03d}"
        folder.mkdir(parents=True)
        (folder / "note.md").write_text(f"imported note of client {i}\n")
    quick(venv, "import", "dir", str(imp))
    quick(venv, "add", "Imported Client 065", "-m", "a later note")
    quick(venv, "shred", BOB, "--yes")
    quick(venv, "backup", str(root / "b.vaultbackup"))      # an entry written while locked
    listing = json.loads(quick(venv, "list", "--json").stdout)
    views = {c["client"]: json.loads(quick(venv, "view", c["client"], "--json").stdout)
             for c in listing}
    aliases = json.loads(quick(venv, "alias", "list", ANN, "--json").stdout)
    quick(venv, "add", "--sealed", "Nobody Here", "-m", "sealed while locked",
          "--tag", "t1")                                      # waits in the inbox
    quick(venv, "list")                                       # the last entry: nothing changed
    checkpoint = quick(venv, "log", "checkpoint").stdout.strip()
    return venv, listing, views, aliases, checkpoint


@pytest.fixture(scope="module")
def read(made):
    venv, *_ = made
    return read_vault(venv.path, PASSPHRASE.encode("utf-8"))


def test_keys_open(read):
    keys = read["keys"]
    assert set(keys) == set(KEY_NAMES)
    assert set(read["key_rows"]) == set(KEY_NAMES) | {"box-public"}    # six rows
    assert read["user_version"] == 4


def test_records_and_notes_match_the_cli(made, read):
    _venv, listing, views, aliases, _ = made
    clients = read["clients"]
    by_name = {c["record"]["name"]: c for c in clients.values()}
    assert sorted(by_name) == sorted(c["client"] for c in listing)
    assert len(by_name) == N_IMPORTED + 2
    assert BOB not in by_name
    for entry in listing:
        rec = by_name[entry["client"]]["record"]
        assert rec["notes"] == entry["notes"]
        assert rec["last"] == entry["last"]
        assert rec["status"] == entry["status"]
        assert rec["retain_until"] == entry["retain_until"]
        assert (rec["hold"] is not None) == entry["hold"]
        shown = views[entry["client"]]["notes"]
        mine = by_name[entry["client"]]["notes"]
        assert sorted(n["id"] for n in shown) == [n["id"] for n in mine]
        for n in mine:
            s = next(x for x in shown if x["id"] == n["id"])
            assert (n["text"], n["tags"], n["created"]) == (s["text"], s["tags"], s["created"])
    ann = by_name[ANN]["record"]
    assert ann["hold"] == "court order 12"
    assert [a["name"] for a in ann["aliases"]] == ["Annie", "Mr Lee"]
    assert {a["name"]: a["relation"] for a in ann["aliases"]} == {"Annie": None,
                                                                  "Mr Lee": "husband"}
    assert "Annie" in json.dumps(aliases) and "Mr Lee" in json.dumps(aliases)
    assert by_name[ANN]["notes"][1]["text"] == "second note, non-ASCII: Zoë café ✓"
    for c in clients.values():
        assert re.fullmatch(r"[0-9a-f]{64}", c["record"]["log_key"])


def test_log_chain_signatures_details_and_refs(read):
    log, problems = read["log"], read["problems"]
    assert problems == []                                     # every entry signed and valid
    actions = [r["action"] for r in log]
    assert actions[0] == "init" and "shred" in actions and "backup" in actions
    for r in log:
        locked = r["action"] in ("unlock-failed", "backup", "add-sealed")
        assert r["via"] == ("none" if locked else "passphrase"), r["seq"]
    backup = next(r for r in log if r["action"] == "backup")
    assert backup["via"] == "none" and backup["detail_obj"]["path"].endswith("b.vaultbackup")
    for r in log:
        if r["signature"] is not None and r["via"] != "none":
            assert re.fullmatch(r"[0-9a-f]{64}", r["detail_obj"]["_state"]), r["seq"]
    shred = next(r for r in log if r["action"] == "shred")
    (tomb_uid, _), = read["tombstones"]
    assert shred["detail_obj"]["client"] == tomb_uid.hex()
    assert shred["ref_uids"] == [tomb_uid]
    ann = next(c for c in read["clients"].values() if c["record"]["name"] == ANN)
    adds = [r for r in log if r["action"] == "add" and r["ref_uids"] == [ann["uid"]]]
    assert [a["detail_obj"]["note"] for a in adds] == [n["id"] for n in ann["notes"]]
    imp = next(r for r in log if r["action"] == "import")
    assert len(imp["ref_uids"]) == N_IMPORTED


def test_state_commitment_and_note_sums(read):
    assert read["buckets"] == [0, 1]
    assert read["S"] == read["head"]["S"]
    # the last entry (a `list`, which changes nothing) recorded the same S
    assert read["log"][-1]["detail_obj"]["_state"] == read["S"].hex()
    for cid, c in read["clients"].items():
        assert c["record"]["digest"] == c["D"], cid


# Section 6, "Log detail", per action, as the table has it (export: the three
# private fields replaced by `private`, section 8.9); `_state` added to every
# entry signed when written (section 14).
DOC_DETAIL_KEYS = {
    "init": {"kdf_memory_kib", "kdf_iterations", "keyfile"},
    "add": {"note", "new_client", "tags", "bytes"},
    "view": {"notes"},
    "list": {"clients"},
    "hold": {"reason_chars"},
    "alias-add": {"aliases", "other_person"},
    "alias-list": {"aliases"},
    "export": {"notes", "format", "disclosure", "private"},
    "import": {"format", "notes", "clients", "new_clients", "skipped"},
    "shred": {"client", "notes", "backups"},
}
LOCKED_DETAIL_KEYS = {"backup": {"vault_id", "seq", "path", "time", "bytes", "digest"},
                      "add-sealed": None}


def test_log_details_have_the_documented_keys(read):
    seen = set()
    for r in read["log"]:
        seen.add(r["action"])
        if r["via"] == "none":
            keys = LOCKED_DETAIL_KEYS[r["action"]]
            assert (set(r["detail_obj"]) if r["detail_obj"] is not None else None) == keys
        else:
            assert set(r["detail_obj"]) == DOC_DETAIL_KEYS[r["action"]] | {"_state"}, r
    assert seen == set(DOC_DETAIL_KEYS) | set(LOCKED_DETAIL_KEYS)


def test_every_entry_of_an_unlocked_vault_has_a_state_and_locked_ones_none(read):
    """Section 14, "Where it is kept": `_state` in every entry appended by an
    unlocked vault; none in those written while locked and signed later."""
    for r in read["log"]:
        if r["via"] != "none":
            assert "_state" in r["detail_obj"], r["seq"]
        elif r["detail_obj"] is not None:
            assert "_state" not in r["detail_obj"], r["seq"]


def test_records_blob_size_as_in_section_6(made):
    venv, *_ = made
    conn = sqlite3.connect(f"file:{venv.path}?mode=ro", uri=True)
    try:
        sizes = {n for (n,) in conn.execute("SELECT length(sealed) FROM records")}
    finally:
        conn.close()
    assert sizes == {1832}


def test_private_fields_of_an_export(read):
    export = next(r for r in read["log"] if r["action"] == "export")
    d = export["detail_obj"]
    assert "recipient" not in d and "purpose" not in d and "destination" not in d
    assert d["private"]["fields"] == ["destination", "recipient", "purpose"]
    assert export["private"]["recipient"] == "Dr Who"
    assert export["private"]["purpose"] == "transfer of care"
    assert export["private"]["destination"].endswith("ann.json")


def test_inbox_row_and_capture_mac(read):
    (rec,) = read["inbox"]
    assert (rec["client"], rec["text"], rec["tags"]) == ("Nobody Here", "sealed while locked",
                                                          ["t1"])


def test_capture_key_file(made, read):

    vid = read["header"]["vault_id"]
    f = Path(os.environ["XDG_CONFIG_HOME"]) / "client-vault" / "capture" / vid.hex()
    assert f.read_text() == f"cvk1:{vid.hex()}:{read['keys']['capture'].hex()}\n"


def test_checkpoint_and_witness(made, read):

    venv, *_, checkpoint = made
    last = read["log"][-1]
    h = read["header"]
    assert checkpoint == checkpoint_line(h["vault_id"], last["seq"], last["hash"],
                                         h["sign_public"])
    w = (Path(os.environ["XDG_STATE_HOME"]) / "client-vault" / "witness"
         / witness_name(h["vault_id"], venv.path))
    assert w.read_text() == (f"cvw2:{h['vault_id'].hex()}:{last['seq']}:{last['hash'].hex()}:"
                             f"{key_fingerprint(h['sign_public']).hex()}\n")


def test_backup_container_read_independently(made, read, tmp_path):
    venv, *_ = made
    data = (venv.root / "b.vaultbackup").read_bytes()
    _version, digest, image = read_backup(data)
    entry = next(r for r in read["log"] if r["action"] == "backup")
    assert entry["detail_obj"]["digest"] == digest.hex()
    assert entry["detail_obj"]["bytes"] == len(data)
    (tmp_path / "image.sqlite").write_bytes(image)
    old = read_vault(tmp_path / "image.sqlite", PASSPHRASE.encode())
    assert old["problems"] == [] and old["S"] == old["head"]["S"]
    names = {c["record"]["name"] for c in old["clients"].values()}
    assert ANN in names and BOB not in names and len(names) == N_IMPORTED + 2


def test_vault_with_a_key_file(tmp_path):
    venv = private_env(tmp_path)
    kf = tmp_path / "key.txt"
    quick(venv, "keyfile", "new", str(kf))
    quick(venv, "init", *FAST_KDF, "--keyfile", str(kf))
    venv.env["VAULT_KEYFILE"] = str(kf)
    quick(venv, "add", ANN, "-m", "with a key file", "--new")
    got = read_vault(venv.path, PASSPHRASE.encode(), keyfile=kf.read_bytes())
    assert got["header"]["kdf"] == "argon2id+keyfile"
    (c,) = got["clients"].values()
    assert c["notes"][0]["text"] == "with a key file"
    assert got["S"] == got["head"]["S"] and got["problems"] == []
    assert re.fullmatch(r"[0-9a-f]{64}\n", kf.read_text())


def test_the_reader_imports_nothing_of_vault():
    src = Path(__file__).read_text(encoding="utf-8")
    reader = src[src.index("# INDEPENDENT READER"):src.index("# THE TEST")]
    assert not re.search(r"^\s*(from|import)\s+vault\b", reader, re.M)
    assert "from vault" not in src[:src.index("# INDEPENDENT READER")]


# -- known-answer values -------------------------------------------------------

VID = bytes(range(16))
KEY = bytes(range(32))


def test_section_10_known_answers():
    assert aad("note", VID, 7, 3).hex() == (
        "636c69656e742d7661756c740001046e6f7465000102030405060708090a0b0c0d0e0f"
        "00000000000000070000000000000003")
    row = dict(seq=1, time="2026-01-02T03:04:05.000006Z", action="view", via="passphrase",
               refs=bytes([0xAA]) * 16, detail=b"\x01\x02\x03", prev_hash=bytes(32))
    enc = encode_entry(row, VID)
    assert len(enc) == 149
    assert enc.hex() == (
        "636c69656e742d7661756c742f6c6f672f7631000102030405060708090a0b0c0d0e0f"
        "0000000000000001001b323032362d30312d30325430333a30343a30352e3030303030365a"
        "000476696577000a7061737370687261736500000001aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "000000030102030000000000000000000000000000000000000000000000000000000000000000")
    h = entry_hash(row, VID)
    assert h.hex() == "c50cb632e5840ff909d44efe8d8d7be74d2dd2da1ba964e6023ffd590368fc2e"
    _pk, sk = sodium.crypto_sign_seed_keypair(bytes(32))
    sig = sodium.crypto_sign(h, sk)[:64]
    assert sig.hex() == (
        "35690d0d61a1befdb24689ac2ab068171c9ea7b52cc6317be4e85b131fbc1f37"
        "19f0253981ea8078b1733481983e2e44d9693f2abb9cb09692fc4b1e62ba1a05")
    assert ed25519_verify(_pk, h, sig)
    assert derive(KEY, b"client-vault/v1/wrap").hex() == (
        "16112855a6c128c66dfa72b745e4e537f210a775a23716e40a1c3236519a840b")
    assert client_ref(KEY, bytes(16), 5).hex() == "015c02c6ebf5c64fa02cdb7e28effd85"
    assert blind_form("  Jane\u00a0DOE ") == "jane doe"
    assert blind(KEY, "  Jane\u00a0DOE ").hex() == (
        "a821a149ed71ee64474496b6c15ffd7eefe4db2f3be3869fdbcc492e78c87c1f")
    assert master_aad(VID, 65536, 3, 1, bytes(range(16, 32)), False).hex() == (
        "636c69656e742d7661756c740001066d6173746572000102030405060708090a0b0c0d0e0f"
        "00000000000000000000000000000000000100000000000300000001"
        "101112131415161718191a1b1c1d1e1f")
    assert len(master_aad(VID, 1, 1, 1, bytes(16), False)) == 81
    sealed = seal_with_nonce(KEY, b"hello", aad("head", VID), bytes(24))
    assert sealed.hex() == ("000000000000000000000000000000000000000000000000"
                            "fd63e0ab83b2ef1689077a3b7f6e22509d22f9d5c2")
    assert open_sealed(KEY, sealed, aad("head", VID)) == b"hello"
    assert kdf(b"passphrase", bytes(16), 8, 1, 1).hex() == (
        "c02cde1aba2183bb1279237c29a52958ce5e2940957ab1f387fcc5918ce836bd")
    rec = pack({"created": "2026-01-02T03:04:05Z", "tags": ["a"], "text": "hi"})
    assert len(rec) == 256
    assert rec[:63].hex() == (
        "0000003b7b2263726561746564223a22323032362d30312d30325430333a30343a30355a22"
        "2c2274616773223a5b2261225d2c2274657874223a226869227d")
    assert unpack(rec) == {"created": "2026-01-02T03:04:05Z", "tags": ["a"], "text": "hi"}
    assert {n: padded_size(n) for n in (1, 256, 257, 300, 1000, 1025, 5000, 100000)} == {
        1: 256, 256: 256, 257: 272, 300: 304, 1000: 1024, 1025: 1088, 5000: 5120,
        100000: 100352}
    # the AAD length table of section 4
    for label, length in (("master", 53), ("key:sign", 55), ("key:log", 54),
                          ("key:index", 56), ("client-key", 57), ("client-meta", 58),
                          ("note", 51), ("log-detail", 57), ("head", 51)):
        assert len(aad(label, VID)) == length, label
    # labels in use that the table leaves out (sections 4, 8.9, 13): 47 + len(label)
    for label, length in (("key:box", 54), ("key:capture", 58), ("log-private", 58)):
        assert len(aad(label, VID)) == length, label


def test_section_14_known_answers():
    skey = state_key(KEY)
    assert skey.hex() == "2a9fbede807efa4f0fff7c9cacd563a621da53cc11fe9d0ebaf6d81037adf00b"

    def e_hex(x):
        return b2b(x, key=skey).hex()

    client = client_x_scheme1(7, b"\x11" * 16, b"\x22" * 32, b"\x33" * 24)
    note = note_x(42, 7, b"\x44" * 24)
    tomb = tombstone_x(b"\x11" * 16, "2026-01-02")
    keyrow = key_row_x("sign", b"\x55" * 72)
    assert e_hex(client) == "7d67275d42f6ea21c7b541c399287352a8c699ea49de48ea1441722cb851884c"
    assert e_hex(note) == "75ffa2a9de08cef975ff12bec096d04164d3894615955e46a0f997415a44ab56"
    assert e_hex(tomb) == "94d872d09a2df4cb681182822be205542b4ee8b32f8a72a6259bb36cf40ff04b"
    assert e_hex(keyrow) == "a2db44e6bfd60d926065e49309173052db5d1d24fd5431135e69a9b7b3ec1183"
    s = sum(element(skey, x) for x in (client, tomb, keyrow)) % MOD
    assert s.to_bytes(32, "big").hex() == (
        "1b8a4e6050cf4598a3ecbd76c29f72aef8a921ced9a82c907fecfa9d13df1bb3")
    d = element(skey, note) % MOD
    assert d.to_bytes(32, "big").hex() == (
        "56ab445a4197f9a0465e95154689d36441d096c0be12ff75f9ce08dea9a2ff75")
    bucket = bucket_x(0, [(9, b"\x44" * 16, b"\x55" * 32, b"\x66" * 24),
                          (7, b"\x11" * 16, b"\x22" * 32, b"\x33" * 24)])
    assert bucket[:20] == b"clients\x00" + bytes(8) + b"7,9;"
    assert e_hex(bucket) == "411ecd3cadf3fbfb79d5b283ec378bc9ce5b00d4f38d7fb3c2b81a0980baf511"


def test_section_16_known_answers():
    skey = state_key(KEY)
    vkey = verified_key(skey)
    assert vkey.hex() == "201dfda2caca1f59c498ed411eb891d5694fe0ee0135434800e234bb3c31a513"
    sigs = b2b(b"\x66" * 64 * 3)
    assert sigs.hex() == "96d6b3df0adf3ba4a5f7b760aab868c0cdc5bebd9f871ea0de03cc348906b758"
    mac = b2b(b"client-vault/v1/verified\x00" + b"\x11" * 16 + b"\x22" * 16 + u64(3)
              + b"\x33" * 32 + sigs, key=vkey)
    assert mac.hex() == "4cc2c3414e9daa36015b09707b82b30f2acc5c5beb593c9b6185dab4fb28ca9a"
