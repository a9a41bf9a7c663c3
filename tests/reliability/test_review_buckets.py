"""Review of ba18f96 (state scheme 2: client rows summed by bucket of 64 ids),
as an attacker with write access to the file and without the passphrase,
and for false exit 5s.

Template (test_tamper_matrix): Alice is client 1, Bob client 2, both in
bucket 0. Each test is one attack or one legitimate sequence; the ones
marked DEFECT fail on ba18f96.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from tests.reliability.test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
    BOB,
    ok,
    put_record,
    record,
    refused,
    sql,
    template,
    vault,
)
from vault.vaultfile.elements import SCHEME_BUCKETS, SCHEME_ROWS
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..conftest import PASSPHRASE, VaultEnv
from .test_agent_verified_state import Worker, older_record
from .test_faults import quick
from .test_state_buckets import _to_scheme_1 as _scheme_1_file

CAROL = "Carol Cole"


def _session(venv: VaultEnv) -> UnlockedVault:
    return UnlockedVault.unlock(Store.open(venv.path), PASSPHRASE.encode())


def _to_scheme_1(venv: VaultEnv) -> None:
    """A 72-byte head, as a version before scheme 2 left the vault."""
    _scheme_1_file(venv)


def _scheme(venv: VaultEnv) -> int:
    s = _session(venv)
    try:
        with s.store.read():
            found = s.ledger.sealed_state()
    finally:
        s.store.close()
    assert found is not None
    return found[1]


def _rows(venv: VaultEnv) -> list[tuple]:
    return sql(venv, "SELECT id, uid, blind, meta FROM clients ORDER BY id")


def _edit(venv: VaultEnv, *statements: tuple) -> None:
    """Several statements in one transaction, as plain sqlite3 would."""
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        with conn:
            for st in statements:
                conn.execute(st[0], st[1:])
    finally:
        conn.close()


def _full_check_refuses(venv: VaultEnv) -> None:
    refused(quick(venv, "check"), 5)
    refused(quick(venv, "list"), 5)


# -- 1. attacks on the rows of one bucket -------------------------------------------

def test_swapping_two_rows_within_a_bucket_is_refused(vault):
    (a, b) = _rows(vault)
    _edit(vault, ("UPDATE clients SET uid = x'00', blind = x'00' WHERE id = 1",),
          ("UPDATE clients SET uid = ?, blind = ?, meta = ?, wrapped_key = "
           "(SELECT wrapped_key FROM clients WHERE id = 1) WHERE id = 2", *a[1:]),
          ("UPDATE clients SET uid = ?, blind = ?, meta = ? WHERE id = 1", *b[1:]))
    for argv in (["view", ALICE], ["view", BOB], ["add", CAROL, "-m", "c", "--new"]):
        refused(quick(vault, *argv), 5)


def test_a_row_moved_to_another_bucket_is_refused(vault):
    _edit(vault, ("UPDATE records SET id = 64 WHERE id = 2",),
          ("UPDATE notes SET client_id = 64 WHERE client_id = 2",),
          ("UPDATE clients SET id = 64 WHERE id = 2",))
    for argv in (["view", ALICE], ["list"], ["add", CAROL, "-m", "c", "--new"]):
        refused(quick(vault, *argv), 5)


@pytest.mark.parametrize("bad_id", [0, -1, -64, 2**62, 2**63 - 1])
def test_a_planted_row_with_an_odd_id_is_refused(vault, bad_id):
    (a, b) = _rows(vault)
    _edit(vault, ("INSERT INTO clients VALUES (?, ?, ?, x'00', ?)", bad_id,
                  b"\x01" * 16, b"\x02" * 32, b"\x03" * 24))
    refused(quick(vault, "view", ALICE), 5)


def test_a_row_deleted_is_refused_and_its_name_is_not_reported_missing(vault):
    _edit(vault, ("DELETE FROM clients WHERE id = 2",), ("DELETE FROM records WHERE id = 2",),
          ("DELETE FROM notes WHERE client_id = 2",))
    refused(quick(vault, "view", BOB), 5)
    refused(quick(vault, "view", ALICE), 5)


def _shift(venv: VaultEnv) -> None:
    """The last byte of Alice's row (meta) moved to the front of Bob's (uid):
    the bucket's bytes, ids and all, are exactly as before."""
    (a, b, *_rest) = _rows(venv)
    _edit(venv, ("UPDATE clients SET meta = ? WHERE id = 1", a[3][:-1]),
          ("UPDATE clients SET uid = ? WHERE id = 2", a[3][-1:] + b[1]))


def test_bytes_shifted_between_two_rows_are_refused_where_either_row_is_used(vault):
    _shift(vault)
    for argv in (["view", ALICE], ["view", BOB], ["add", BOB, "-m", "x"], ["list"],
                 ["check"], ["search", "one"], ["shred", "--expired", "--yes"]):
        refused(quick(vault, *argv), 5)


def test_bytes_shifted_between_two_rows_fail_a_command_about_neither(vault):
    """FINDING (documented weakening, not a pass/fail defect of the doc): the
    bucket's bytes are unchanged, so the sum matches and a command that
    reads neither row exits 0; under scheme 1 (or with the rows' sizes
    checked in the count) every command exited 5. Here `add Carol --new`
    even re-hashes bucket 0 over the shifted rows and seals it."""
    ok(quick(vault, "add", CAROL, "-m", "carol one", "--new"))   # client 3, bucket 0
    _shift(vault)
    refused(quick(vault, "view", CAROL), 5)   # DEFECT (weakening): exit 0 on ba18f96


def test_a_miss_by_name_beside_shifted_rows_reads_every_row(vault):
    _shift(vault)
    refused(quick(vault, "add", CAROL, "-m", "carol one", "--new"), 5)
    refused(quick(vault, "view", "Nobody Here"), 5)


def test_a_blind_index_split_from_its_uid_does_not_hide_the_client(vault):
    """Bob's blind loses its first byte to his uid (17 + 31 bytes): the
    bucket's bytes are unchanged, the lookup by name misses; the miss must
    read every row before saying "no such client"."""
    (a, b) = _rows(vault)
    _edit(vault, ("UPDATE clients SET uid = ?, blind = ? WHERE id = 2",
                  b[1] + b[2][:1], b[2][1:]))
    refused(quick(vault, "view", BOB), 5)
    refused(quick(vault, "add", BOB, "-m", "x"), 5)
    refused(quick(vault, "add", BOB, "-m", "x", "--new"), 5)


@pytest.mark.parametrize("column", ["uid", "blind", "meta"])
def test_a_field_turned_to_text_with_the_same_bytes_is_refused_where_used(vault, column):
    """SQLite's `||` joins TEXT as the same bytes, so the fast path's sum
    matches; a lookup by the blind (a BLOB parameter) misses a TEXT value."""
    _edit(vault, (f"UPDATE clients SET {column} = CAST({column} AS TEXT) WHERE id = 2",))
    assert sql(vault, f"SELECT typeof({column}) FROM clients WHERE id = 2") == [("text",)]
    for argv in (["view", BOB], ["add", BOB, "-m", "x"], ["list"], ["check"]):
        refused(quick(vault, *argv), 5)


@pytest.mark.parametrize("column", ["uid", "blind", "meta"])
def test_a_field_turned_to_text_fails_a_command_about_another_client(vault, column):
    """FINDING (same class): a TEXT value where a BLOB must be is accepted
    by the fast path's count (the row-by-row count raises "damaged")."""
    _edit(vault, (f"UPDATE clients SET {column} = CAST({column} AS TEXT) WHERE id = 2",))
    refused(quick(vault, "view", ALICE), 5)


def test_a_row_emptied_into_its_neighbour_is_refused_where_used(vault):
    """Alice's 72 bytes moved into the end of... nothing: Alice's fields
    emptied, Bob's uid carries them in front. One string, same bytes."""
    (a, b) = _rows(vault)
    _edit(vault, ("UPDATE clients SET uid = x'', blind = x'', meta = x'' WHERE id = 1",),
          ("UPDATE clients SET uid = ? WHERE id = 2", a[1] + a[2] + a[3] + b[1]))
    for argv in (["view", ALICE], ["view", BOB], ["list"], ["check"]):
        refused(quick(vault, *argv), 5)


def test_a_write_in_the_bucket_of_shifted_rows_takes_nothing_in(vault):
    """A write beside shifted rows re-hashes the bucket over the same bytes:
    once the shift is undone the rows are the honest ones again, and they
    must still check (no false 5), and stay honest."""
    ok(quick(vault, "add", CAROL, "-m", "carol one", "--new"))
    _shift(vault)
    quick(vault, "add", CAROL, "-m", "carol two")   # re-hashes bucket 0 (exit 0 on ba18f96)
    (a, b, *_rest) = _rows(vault)
    _edit(vault, ("UPDATE clients SET meta = ? WHERE id = 1", a[3] + b[1][:1]),
          ("UPDATE clients SET uid = ? WHERE id = 2", b[1][1:]))
    ok(quick(vault, "check"))


# -- 2. the upgrade from scheme 1 ---------------------------------------------------

def test_an_old_record_put_back_under_scheme_1_is_not_upgraded_over(vault):
    old = older_record(vault)
    _to_scheme_1(vault)
    put_record(vault, 2, old)
    refused(quick(vault, "add", ALICE, "-m", "a"), 5, "tampering")
    assert _scheme(vault) == SCHEME_ROWS


def test_bytes_scheme_1_never_covered_are_not_laundered_by_the_upgrade(vault):
    """Scheme 1 hashes only the first 24 bytes of clients.meta; scheme 2
    hashes all of it. A tail appended to Bob's meta under scheme 1 passes
    the scheme-1 check and is then sealed into the scheme-2 sum by the
    upgrade. It must still be refused by any check (Bob's row is 25 bytes),
    and the upgrade must not make the honest row (tail removed) fail."""
    _to_scheme_1(vault)
    (a, b) = _rows(vault)
    _edit(vault, ("UPDATE clients SET meta = ? WHERE id = 2", b[3] + b"\x00"))
    quick(vault, "view", ALICE)            # the upgrade (exit 0 on ba18f96)
    refused(quick(vault, "view", BOB), 5)
    refused(quick(vault, "check"), 5)
    _edit(vault, ("UPDATE clients SET meta = ? WHERE id = 2", b[3]))   # honest again
    ok(quick(vault, "check"))             # DEFECT: the tail is in the sealed sum now


def test_a_uid_blind_boundary_moved_under_scheme_1_is_refused_after_the_upgrade(vault):
    _to_scheme_1(vault)
    (a, b) = _rows(vault)
    _edit(vault, ("UPDATE clients SET uid = ?, blind = ? WHERE id = 2",
                  b[1] + b[2][:1], b[2][1:]))
    refused(quick(vault, "view", BOB), 5)
    refused(quick(vault, "check"), 5)


def test_an_upgrade_whose_command_fails_is_rolled_back_whole(vault):
    _to_scheme_1(vault)
    done = quick(vault, "view", "Nobody Here")
    assert done.exit_code not in (0, 5), (done.exit_code, done.stderr)
    ok(quick(vault, "check"))
    ok(quick(vault, "view", ALICE))
    assert _scheme(vault) == SCHEME_BUCKETS
    ok(quick(vault, "check"))


CRASH = r"""
import os, sys
from pathlib import Path
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault
s = UnlockedVault.unlock(Store.open(Path(sys.argv[1])), sys.argv[2].encode())
with s.store.write():
    s.begin()
    s.settle()                 # the upgrade: a 73-byte head written in this transaction
    if sys.argv[3] == "crash":
        os._exit(9)            # killed before COMMIT
print("committed", flush=True)
os._exit(0)                    # no close: the WAL is left as a crash leaves it
"""


@pytest.mark.parametrize("when", ["crash", "commit"])
def test_a_crash_around_the_upgrade_leaves_a_consistent_vault(vault, when):
    _to_scheme_1(vault)
    done = subprocess.run([sys.executable, "-c", CRASH, str(vault.path), PASSPHRASE, when],
                          capture_output=True, timeout=60)
    assert done.returncode == (9 if when == "crash" else 0), done.stderr
    assert _scheme(vault) == (SCHEME_ROWS if when == "crash" else SCHEME_BUCKETS)
    ok(quick(vault, "check"))
    ok(quick(vault, "add", BOB, "-m", "after"))
    ok(quick(vault, "check"))


def test_a_scheme_1_backup_restored_over_a_scheme_2_vault(vault):
    _to_scheme_1(vault)
    backup = vault.root / "scheme1.vaultbackup"
    ok(quick(vault, "backup", str(backup), env={"VAULT_PASSPHRASE_FILE": None}))   # locked
    assert _scheme(vault) == SCHEME_ROWS
    ok(quick(vault, "add", ALICE, "-m", "after the backup"))
    assert _scheme(vault) == SCHEME_BUCKETS
    ok(quick(vault, "restore", str(backup), "--yes"))
    ok(quick(vault, "check"))
    ok(quick(vault, "add", CAROL, "-m", "carol", "--new"))
    ok(quick(vault, "shred", BOB, "--yes"))
    ok(quick(vault, "check"))


def test_the_old_scheme_1_head_put_back_after_the_upgrade_is_refused(vault):
    """Downgrade: the 72-byte head sealed before the upgrade put back."""
    _to_scheme_1(vault)
    old_head = sql(vault, "SELECT sealed FROM head")[0][0]
    ok(quick(vault, "add", BOB, "-m", "bob after"))
    _edit(vault, ("UPDATE head SET sealed = ?", old_head))
    refused(quick(vault, "view", ALICE), 5)


# -- 3. a write beside a row tampered with, through the agent's adopted check ---------

def test_a_row_shifted_after_the_agents_check_then_a_write_beside_it(vault):
    w = Worker(vault, "add", ALICE, "-m", "alice three")
    assert w.checked
    _shift(vault)
    code, _, err = w.run()
    assert code in (0, 5), err
    for argv in (["view", BOB], ["check"]):
        refused(quick(vault, *argv), 5)


def test_many_writes_across_buckets_keep_the_sum(vault):
    """Clients 3..70 (buckets 0 and 1), notes, a rename, a shred in each
    bucket, a redact: every step checks (no false 5)."""
    for i in range(3, 71):
        ok(quick(vault, "add", f"Client {i:03d}", "-m", f"note {i}", "--new"))
    ok(quick(vault, "check"))
    ok(quick(vault, "rename", "Client 064", "Client Sixty-Four"))
    ok(quick(vault, "shred", "Client 005", "--yes"))
    ok(quick(vault, "shred", "Client 065", "--yes"))
    ok(quick(vault, "add", "Client 066", "-m", "more"))
    ok(quick(vault, "check"))


@pytest.mark.parametrize("column", ["uid", "blind", "meta"])
def test_a_write_beside_a_text_field_is_refused(vault, column):
    _edit(vault, (f"UPDATE clients SET {column} = CAST({column} AS TEXT) WHERE id = 2",))
    refused(quick(vault, "add", ALICE, "-m", "beside"), 5)
    refused(quick(vault, "check"), 5)


# -- 4. several commands in one process, on a scheme-1 vault -----------------------

def test_one_process_many_commands_across_the_upgrade(vault):
    from vault.commands import notes as core
    _to_scheme_1(vault)
    s = _session(vault)
    try:
        for i in range(5):
            core.add(s, ALICE if i % 2 else BOB, f"in process {i}")
    finally:
        s.store.close()
    assert _scheme(vault) == SCHEME_BUCKETS
    ok(quick(vault, "check"))


def test_one_process_whose_first_command_fails_after_the_upgrade(vault):
    """The upgrade is rolled back with the failed command, but the State
    object keeps scheme 2 and its sum in memory: the next command must count
    again under the head's scheme."""
    from vault.commands import notes as core
    from vault.errors import VaultError
    _to_scheme_1(vault)
    s = _session(vault)
    try:
        with pytest.raises(VaultError):
            core.add(s, "Nobody Here", "x")
        for i in range(4):
            core.add(s, ALICE, f"after {i}")
    finally:
        s.store.close()
    ok(quick(vault, "check"))


# -- 5. the agent on a scheme-1 vault ------------------------------------------------

@pytest.fixture
def agent_on_scheme_1(vault):
    from ..cli.test_agent import kill_agents
    _to_scheme_1(vault)
    done = vault.subprocess("unlock", "--passphrase-file", str(vault.passphrase_file),
                            env={"VAULT_PASSPHRASE_FILE": None}, timeout=30)
    assert done.returncode == 0, done.stderr
    yield vault
    kill_agents(vault)


def test_commands_through_the_agent_across_the_upgrade(agent_on_scheme_1):
    v = agent_on_scheme_1
    through = {"VAULT_PASSPHRASE_FILE": None}
    steps = [("add", ALICE, "-m", "via agent 1"), ("list",), ("view", BOB),
             ("add", BOB, "-m", "via agent 2"), ("add", CAROL, "-m", "c", "--new"),
             ("list",), ("search", "agent")]
    for argv in steps:
        done = v.subprocess(*argv, env=through)
        assert done.returncode == 0, (argv, done.stderr)
    for argv in (("view", ALICE), ("list",), ("check",)):
        done = v.subprocess(*argv, env=through)
        assert done.returncode == 0, (argv, done.stderr)
    assert _scheme(v) == SCHEME_BUCKETS
    ok(quick(v, "check"))


def test_a_row_tampered_after_the_agents_scheme_1_count_is_refused(agent_on_scheme_1):
    v = agent_on_scheme_1
    old = record(v, 2)
    through = {"VAULT_PASSPHRASE_FILE": None}
    done = v.subprocess("hold", BOB, "--reason", "subpoena", env=through)
    assert done.returncode == 0, done.stderr
    put_record(v, 2, old)
    done = v.subprocess("add", ALICE, "-m", "x", env=through)   # about another client:
    assert done.returncode in (0, 5), done.stderr                # 0 if adopted (documented)
    for argv in (("view", BOB), ("check",), ("add", ALICE, "-m", "y")):
        done = v.subprocess(*argv, env=through)
        assert done.returncode == 5, (argv, done.returncode, done.stderr)


# -- 6. other legitimate sequences ----------------------------------------------------

def test_a_scheme_1_backup_restored_drops_a_client_shredded_since(vault):
    _to_scheme_1(vault)
    backup = vault.root / "scheme1.vaultbackup"
    ok(quick(vault, "backup", str(backup), env={"VAULT_PASSPHRASE_FILE": None}))
    ok(quick(vault, "shred", BOB, "--yes"))
    ok(quick(vault, "restore", str(backup), "--yes"))
    ok(quick(vault, "check"))
    ok(quick(vault, "add", ALICE, "-m", "after restore"))
    ok(quick(vault, "check"))


def test_a_40_byte_head_gets_a_scheme_2_state(vault):
    import struct as _struct

    from vault import crypto
    s = _session(vault)
    with s.store.write():
        seq, entry_hash = s.ledger.head()
        s.store.put_head(crypto.seal(s.keyring.head_key,
                                     _struct.pack(">Q", seq) + entry_hash,
                                     crypto.aad("head", s.vault_id)))
    s.store.close()
    ok(quick(vault, "view", ALICE))
    assert _scheme(vault) == SCHEME_BUCKETS
    ok(quick(vault, "add", CAROL, "-m", "c", "--new"))
    ok(quick(vault, "check"))



# -- 7. the program before ba18f96 on a vault this one upgraded ---------------------

def _older_program(tmp_path):
    """The `vault` package as of ba18f96^ (scheme 1 only), to run beside this one."""
    import os
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    dest = tmp_path / "older"
    dest.mkdir()
    found = subprocess.run(["git", "-C", str(root), "archive", "ba18f96^", "vault"],
                           capture_output=True)
    if found.returncode != 0:   # a checkout without that history
        pytest.skip("the program before ba18f96 is not in this checkout's history")
    archive = found.stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return {**os.environ, "PYTHONPATH": str(dest)}


def test_an_older_program_on_an_upgraded_vault_says_upgrade_not_tampering(vault, tmp_path):
    """DEFECT: the on-disk change (73-byte head) bumps no format version, so a
    program from before it (another machine sharing the vault, or going back
    to the previous release) reports "log head is malformed", exit 5, as for
    tampering, where a newer format is exit 1 "upgrade client-vault"
    (docs/cli.md "Exit codes", docs/format.md section 1 user_version)."""
    env = _older_program(tmp_path)
    for k, v in vault.env.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    _to_scheme_1(vault)
    before = subprocess.run([sys.executable, "-m", "vault", "view", ALICE],
                            capture_output=True, env=env, timeout=60, cwd=tmp_path)
    assert before.returncode == 0, before.stderr   # the older program reads it today
    ok(quick(vault, "view", ALICE))                # this program upgrades it
    after = subprocess.run([sys.executable, "-m", "vault", "view", ALICE],
                           capture_output=True, env=env, timeout=60, cwd=tmp_path)
    assert after.returncode == 1, (after.returncode, after.stderr)
    assert b"upgrade" in after.stderr, after.stderr


# -- 8. more shapes of the same bytes -------------------------------------------------

def test_a_row_moved_to_another_id_in_its_bucket_is_refused(vault):
    _edit(vault, ("PRAGMA defer_foreign_keys = ON",),
          ("UPDATE clients SET id = 3 WHERE id = 2",),
          ("UPDATE records SET id = 3 WHERE id = 2",),
          ("UPDATE notes SET client_id = 3 WHERE client_id = 2",))
    for argv in (["view", ALICE], ["view", BOB], ["list"]):
        refused(quick(vault, *argv), 5)


def _null_uid_of_alice(venv: VaultEnv) -> None:
    """NOT NULL lifted through writable_schema, Alice's uid set to NULL (her
    row then drops out of the joined bytes), her 72 bytes put in front of
    Bob's uid, and the schema text put back exactly as it was."""
    (a, b, *_rest) = _rows(venv)
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        (schema,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'clients'"
                                 ).fetchone()
        loose = schema.replace("uid         BLOB NOT NULL UNIQUE", "uid         BLOB UNIQUE")
        assert loose != schema
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'clients'", (loose,))
    finally:
        conn.close()
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        with conn:
            conn.execute("UPDATE clients SET uid = NULL WHERE id = 1")
            conn.execute("UPDATE clients SET uid = ? WHERE id = 2", (a[1] + a[2] + a[3] + b[1],))
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'clients'", (schema,))
    finally:
        conn.close()


def test_a_null_uid_with_its_bytes_moved_is_refused_where_used(vault):
    _null_uid_of_alice(vault)
    for argv in (["view", ALICE], ["view", BOB], ["list"], ["check"]):
        refused(quick(vault, *argv), 5)


def test_a_null_uid_with_its_bytes_moved_fails_a_command_about_another_client(vault):
    """FINDING (same class as the shifted bytes)."""
    ok(quick(vault, "add", CAROL, "-m", "carol one", "--new"))
    _null_uid_of_alice(vault)
    refused(quick(vault, "view", CAROL), 5)
