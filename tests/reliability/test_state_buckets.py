"""State scheme 2 (docs/format.md section 14, "Two schemes for the client
rows"): the client rows are summed by bucket of 64 ids, each bucket hashed
over the bytes SQLite joins, so the check every command makes without the
agent does not fetch every row as a Python value. What must hold:

- SQLite's join and the row-by-row computation give the same elements, and
  when SQLite's order is not the id order the row-by-row count decides;
- a vault whose head is scheme 1 is checked under scheme 1 and upgraded by
  its first command, and one tampered with before that is refused, never
  upgraded over the tampering;
- a write beside a row tampered with (same bucket) after the check does not
  take that row in: the next full check still exits 5.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reliability.test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
    BOB,
    ok,
    put_record,
    record,
    refused,
    template,
    vault,
)
from vault.vaultfile.elements import BUCKET_BITS, SCHEME_BUCKETS, SCHEME_ROWS, Elements, total
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault
from vault.vaultfile.versionreads import BUCKETS_SQL

from ..conftest import PASSPHRASE, VaultEnv
from .test_agent_verified_state import Worker, older_record
from .test_faults import quick

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "format.json").read_text())


# -- the element, and SQLite's join against the rows ---------------------------------

def test_a_bucket_element_is_the_documented_keyed_hash():
    s = VECTORS["state"]
    key, b = bytes.fromhex(s["state_key"]), s["bucket"]
    rows = [(r["id"], bytes.fromhex(r["uid"]), bytes.fromhex(r["blind"]),
             bytes.fromhex(r["meta_nonce"])) for r in b["rows"]]
    x = (b"clients\x00" + struct.pack(">Q", b["k"])
         + ",".join(str(r[0]) for r in rows).encode() + b";"
         + b"".join(u + bl + m for _, u, bl, m in rows))
    assert hashlib.blake2b(x, key=key, digest_size=32).hexdigest() == b["element"]
    e = Elements(key)
    assert [d.hex() for d in e.bucket_digests(reversed(rows))] == [b["element"]]
    assert e.bucket(b["k"], rows) == int.from_bytes(bytes.fromhex(b["element"]), "little")


ROWS = st.dictionaries(
    st.integers(1, 5000),
    st.tuples(st.binary(min_size=16, max_size=16), st.binary(min_size=32, max_size=32),
              st.binary(min_size=24, max_size=24)),
    max_size=150)


@settings(max_examples=60, deadline=None)
@given(ROWS, st.randoms(use_true_random=False), st.binary(min_size=32, max_size=32))
def test_sqlite_join_gives_the_elements_of_the_rows(rows, rng, key):
    """Whatever the ids and the order rows were written in: one element per
    bucket, equal to the row-by-row one."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, uid BLOB, blind BLOB, meta BLOB)")
    items = list(rows.items())
    rng.shuffle(items)
    db.executemany("INSERT INTO clients VALUES (?, ?, ?, ?)", [(i, *r) for i, r in items])
    db.text_factory = bytes
    joined = db.execute(BUCKETS_SQL).fetchall()
    e = Elements(key)
    as_rows = [(i, *r) for i, r in items]
    assert sorted(e.joined_digests(joined)) == sorted(e.bucket_digests(as_rows))
    assert len(joined) == len({i >> BUCKET_BITS for i in rows})
    assert total(e.joined_digests(joined)) == sum(
        e.bucket(k, sorted(r for r in as_rows if r[0] >> BUCKET_BITS == k))
        for k in {i >> BUCKET_BITS for i in rows}) % 2**256


def _session(venv: VaultEnv) -> UnlockedVault:
    return UnlockedVault.unlock(Store.open(venv.path), PASSPHRASE.encode())


def test_rows_joined_out_of_order_are_counted_again_row_by_row(vault):
    """SQL does not promise the order of a group's rows: a join in another
    order gives another sum, and the row-by-row count decides (no exit 5)."""
    s = _session(vault)
    real, calls = s.store.client_buckets, []

    def reversed_buckets():
        out = []
        for k, ids, joined in real():
            n = ids.count(b",") + 1
            parts = [joined[72 * i:72 * (i + 1)] for i in range(n)]
            out.append((k, b",".join(reversed(ids.split(b","))), b"".join(reversed(parts))))
        return out

    def counting(joined=False):
        calls.append(joined)
        return count(joined)
    s.store.client_buckets = reversed_buckets
    count, s.state.count_rows = s.state.count_rows, counting
    with s.store.read():
        s.verify_state()   # Alice (1) and Bob (2) share bucket 0: the join differs
    assert calls == [True, False]
    with s.store.read():
        s.store.client_buckets = real
        s.verify_state()
    assert calls == [True, False, True]   # in order: the join alone suffices


# -- scheme 1 heads: checked, then upgraded -----------------------------------------

def _to_scheme_1(venv: VaultEnv) -> None:
    """The vault as a version before scheme 2 left it: a 72-byte head, and
    SQLite's user_version 3 (docs/format.md section 1)."""
    s = _session(venv)
    with s.store.write():
        s.state.scheme = SCHEME_ROWS
        s.state.recount()
        s.ledger.seal_state()
    s.store.close()
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        conn.execute("PRAGMA user_version = 3")
    finally:
        conn.close()


def _scheme(venv: VaultEnv) -> int:
    """The head's scheme, read as `log verify` reads: without upgrading the file."""
    s = UnlockedVault.unlock(Store.open(venv.path, read_only=True), PASSPHRASE.encode())
    with s.store.read():
        found = s.ledger.sealed_state()
    s.store.close()
    assert found is not None
    return found[1]


def test_a_scheme_1_vault_is_upgraded_by_its_first_command(vault):
    _to_scheme_1(vault)
    assert _scheme(vault) == SCHEME_ROWS
    ok(quick(vault, "log", "verify"))   # read only: nothing written
    assert _scheme(vault) == SCHEME_ROWS
    view = ok(quick(vault, "view", ALICE))
    assert "alice one" in view.stdout
    assert "upgraded from format version 3 to 4" in view.stderr   # older programs: "upgrade"
    assert _scheme(vault) == SCHEME_BUCKETS
    conn = sqlite3.connect(vault.path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    finally:
        conn.close()
    ok(quick(vault, "add", BOB, "-m", "bob after the upgrade"))
    ok(quick(vault, "check"))


def test_a_scheme_1_vault_tampered_with_is_refused_not_upgraded(vault):
    old = older_record(vault)   # Bob's record from before a hold
    _to_scheme_1(vault)
    put_record(vault, 2, old)
    for argv in (["list"], ["view", ALICE], ["shred", "--expired", "--yes"]):
        refused(quick(vault, *argv), 5, "tampering")
    assert _scheme(vault) == SCHEME_ROWS   # nothing committed over it
    assert record(vault, 2) == old


# -- a write beside a tampered row ---------------------------------------------------

def test_a_write_beside_a_tampered_row_does_not_take_it_in(vault):
    """Alice (1) and Bob (2) share bucket 0. A worker adopts the agent's
    check; Bob's older record is put back; the worker adds to Alice, which
    re-hashes bucket 0 with Bob's row as it now is. The sum it seals then
    matches no rows: every later full check refuses, whatever is written."""
    old = older_record(vault)
    w = Worker(vault, "add", ALICE, "-m", "alice three")
    assert w.checked
    put_record(vault, 2, old)
    code, _, err = w.run()
    assert code in (0, 5), err
    for argv in (["check"], ["view", ALICE], ["list"], ["add", ALICE, "-m", "x"],
                 ["shred", "--expired", "--yes"]):
        refused(quick(vault, *argv), 5, "tampering")
    assert _scheme(vault) == SCHEME_BUCKETS
