"""Tampering with the vault file is detected through the CLI.

The vault file is edited with sqlite3 directly, as an attacker with write
access to it would. Covers: flipped bytes in a note, a client's meta or
wrapped key, and a key row; notes swapped between clients, moved to another
client, replayed over another note, deleted or copied in; a client's uid,
blind index or key swapped with another client's (all exit 5, error on
stderr, nothing on stdout); log entries edited, deleted, reordered, cut off at the tail, or
re-keyed by replacing the header's public key (`vault log verify` exits 5 and
names the problem); fail-closed commands after a cut-off tail; and
checkpoints (`vault log checkpoint` / `verify --checkpoint`) catching a
rollback of the whole file, a malformed line and another vault's line.
"""

from __future__ import annotations

import json
import re
import shutil

import nacl.signing
import pytest

from ..checks import assert_one_error_line, db, ok
from ..conftest import FAST_KDF

CHECKPOINT = re.compile(r"^cv1:[0-9a-f]{32}:[1-9][0-9]*:[0-9a-f]{64}(:[0-9a-f]{32})?\n$")


def integrity_failure(result):
    assert result.exit_code == 5, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    return result


def flip(blob: bytes, index: int | None = None) -> bytes:
    b = bytearray(blob)
    b[len(b) // 2 if index is None else index] ^= 0x01
    return bytes(b)


@pytest.fixture
def populated(vault_env):
    """Alice has notes 1 and 2, Bob has note 3."""
    ok(vault_env.run("add", "Alice", "-m", "alice one", "--new"))
    ok(vault_env.run("add", "Alice", "-m", "alice two"))
    ok(vault_env.run("add", "Bob", "-m", "bob one", "--new"))
    ok(vault_env.run("view", "Alice"))
    ok(vault_env.run("list"))
    return vault_env


def client_id(conn, note_id):
    return conn.execute("SELECT client_id FROM notes WHERE id = ?", (note_id,)).fetchone()[0]


# -- rows ----------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_flipped_byte_in_a_note_body(populated, where):
    with db(populated) as conn:
        body = conn.execute("SELECT body FROM notes WHERE id = 2").fetchone()[0]
        index = {"start": 0, "middle": None, "end": -1}[where]
        conn.execute("UPDATE notes SET body = ? WHERE id = 2", (flip(body, index),))
    result = integrity_failure(populated.run("view", "Alice"))
    assert "note 2" in result.stderr
    assert "alice one" not in result.stderr
    ok(populated.run("view", "Bob"))  # the damage is confined to that note's client


def test_flipped_byte_in_a_clients_meta(populated):
    with db(populated) as conn:
        meta = conn.execute("SELECT sealed FROM records WHERE id = 1").fetchone()[0]
        conn.execute("UPDATE records SET sealed = ? WHERE id = 1", (flip(meta),))
    integrity_failure(populated.run("list"))
    integrity_failure(populated.run("list", "--json"))
    integrity_failure(populated.run("view", "Alice"))


def test_flipped_byte_in_a_clients_wrapped_key(populated):
    with db(populated) as conn:
        key = conn.execute("SELECT wrapped_key FROM clients WHERE id = 2").fetchone()[0]
        conn.execute("UPDATE clients SET wrapped_key = ? WHERE id = 2", (flip(key),))
    integrity_failure(populated.run("view", "Bob"))
    integrity_failure(populated.run("list"))


@pytest.mark.parametrize("name", ["sign", "log", "index"])
def test_flipped_byte_in_a_key_row_stops_every_command(populated, name):
    with db(populated) as conn:
        wrapped = conn.execute("SELECT wrapped FROM keys WHERE name = ?", (name,)).fetchone()[0]
        conn.execute("UPDATE keys SET wrapped = ? WHERE name = ?", (flip(wrapped), name))
    for cmd in (["view", "Alice"], ["list"], ["log"], ["add", "Alice", "-m", "x"],
                ["add", "Carol", "-m", "x", "--new"]):
        integrity_failure(populated.run(*cmd))


def test_note_bodies_swapped_between_two_clients(populated):
    with db(populated) as conn:
        b1 = conn.execute("SELECT body FROM notes WHERE id = 1").fetchone()[0]
        b3 = conn.execute("SELECT body FROM notes WHERE id = 3").fetchone()[0]
        conn.execute("UPDATE notes SET body = ? WHERE id = 1", (b3,))
        conn.execute("UPDATE notes SET body = ? WHERE id = 3", (b1,))
    integrity_failure(populated.run("view", "Alice"))
    integrity_failure(populated.run("view", "Bob"))


def test_note_moved_to_another_client(populated):
    with db(populated) as conn:
        bob = client_id(conn, 3)
        conn.execute("UPDATE notes SET client_id = ? WHERE id = 2", (bob,))
    result = integrity_failure(populated.run("view", "Bob"))
    assert "alice two" not in result.stderr


def test_note_body_replayed_over_another_note_of_the_same_client(populated):
    with db(populated) as conn:
        b1 = conn.execute("SELECT body FROM notes WHERE id = 1").fetchone()[0]
        conn.execute("UPDATE notes SET body = ? WHERE id = 2", (b1,))
    integrity_failure(populated.run("view", "Alice"))
    integrity_failure(populated.run("view", "Alice", "--last", "1"))


def test_deleted_note_row(populated):
    with db(populated) as conn:
        conn.execute("DELETE FROM notes WHERE id = 2")
    result = integrity_failure(populated.run("view", "Alice"))
    assert "alice one" not in result.stderr
    integrity_failure(populated.run("list"))


def test_note_row_copied_in_as_an_extra_note(populated):
    with db(populated) as conn:
        conn.execute("INSERT INTO notes SELECT 99, client_id, body FROM notes WHERE id = 1")
    integrity_failure(populated.run("view", "Alice"))
    integrity_failure(populated.run("list"))


@pytest.mark.parametrize("column", ["uid", "blind", "wrapped_key"])
def test_client_column_swapped_between_two_clients(populated, column):
    with db(populated) as conn:
        a = conn.execute(f"SELECT {column} FROM clients WHERE id = 1").fetchone()[0]
        b = conn.execute(f"SELECT {column} FROM clients WHERE id = 2").fetchone()[0]
        temp = bytes(len(a)) if column != "wrapped_key" else b"x"
        conn.execute(f"UPDATE clients SET {column} = ? WHERE id = 1", (temp,))
        conn.execute(f"UPDATE clients SET {column} = ? WHERE id = 2", (a,))
        conn.execute(f"UPDATE clients SET {column} = ? WHERE id = 1", (b,))
    for name in ("Alice", "Bob"):
        result = integrity_failure(populated.run("view", name))
        assert "alice" not in result.stderr and "bob one" not in result.stderr
    integrity_failure(populated.run("list"))


def test_client_rows_with_swapped_metas(populated):
    with db(populated) as conn:
        for table, column in (("records", "sealed"), ("clients", "meta")):
            m1 = conn.execute(f"SELECT {column} FROM {table} WHERE id = 1").fetchone()[0]
            m2 = conn.execute(f"SELECT {column} FROM {table} WHERE id = 2").fetchone()[0]
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = 1", (m2,))
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = 2", (m1,))
    integrity_failure(populated.run("list"))


# -- the access log ---------------------------------------------------------------------

def verify_fails(venv, *extra):
    result = integrity_failure(venv.run("log", "verify", *extra))
    assert "does not verify" in result.stderr
    return result.stderr


def log_count(venv):
    with db(venv) as conn:
        return conn.execute("SELECT count(*) FROM log").fetchone()[0]


def test_untouched_log_verifies(populated):
    result = ok(populated.run("log", "verify"))
    assert result.stdout.startswith("log ok: ")
    assert "problem" not in result.stderr and "not checked" not in result.stderr
    data = json.loads(ok(populated.run("log", "verify", "--json")).stdout)
    assert data["ok"] is True and data["head_checked"] is True and data["problems"] == []


@pytest.mark.parametrize("column,value", [("action", "list"),
                                          ("time", "2020-01-01T00:00:00.000000Z"),
                                          ("via", "none")])
def test_edited_log_entry_fails_its_signature(populated, column, value):
    with db(populated) as conn:
        conn.execute(f"UPDATE log SET {column} = ? WHERE seq = 3", (value,))
    err = verify_fails(populated)
    assert "entry 3: signature does not verify" in err
    err = verify_fails(populated, "--no-unlock")
    assert "entry 3: signature does not verify" in err


def test_deleted_middle_entry_is_reported_missing(populated):
    with db(populated) as conn:
        conn.execute("DELETE FROM log WHERE seq = 3")
    assert "entry 3 is missing" in verify_fails(populated)
    assert "entry 3 is missing" in verify_fails(populated, "--no-unlock")


@pytest.mark.parametrize("how", ["swap-columns", "swap-seq"])
def test_reordered_entries_are_detected(populated, how):
    cols = ["time", "action", "via", "refs", "detail", "prev_hash", "signature"]
    with db(populated) as conn:
        if how == "swap-columns":
            r2 = conn.execute(f"SELECT {', '.join(cols)} FROM log WHERE seq = 2").fetchone()
            r3 = conn.execute(f"SELECT {', '.join(cols)} FROM log WHERE seq = 3").fetchone()
            sets = ", ".join(f"{c} = ?" for c in cols)
            conn.execute(f"UPDATE log SET {sets} WHERE seq = 2", (*r3,))
            conn.execute(f"UPDATE log SET {sets} WHERE seq = 3", (*r2,))
        else:
            conn.execute("UPDATE log SET seq = -3 WHERE seq = 3")
            conn.execute("UPDATE log SET seq = 3 WHERE seq = 2")
            conn.execute("UPDATE log SET seq = 2 WHERE seq = -3")
        actions = [r[0] for r in conn.execute("SELECT action FROM log ORDER BY seq")]
    assert actions[1:3] == ["add", "add"]  # same actions, different entries
    for extra in ((), ("--no-unlock",)):
        err = verify_fails(populated, *extra)
        assert "entry 2: signature does not verify" in err
        assert "entry 3: signature does not verify" in err


def test_cut_off_tail_is_caught_with_the_passphrase(populated):
    n = log_count(populated)
    with db(populated) as conn:
        conn.execute("DELETE FROM log WHERE seq > ?", (n - 2,))
    err = verify_fails(populated)
    assert "cut off" in err


def test_cut_off_tail_goes_unnoticed_without_unlocking_but_warns(populated, tmp_path):
    """An auditor without the passphrase, on a machine that never saw the
    vault (no rollback witness: the owner's machine would catch it, see
    tests/cli/test_rollback_witness.py)."""
    n = log_count(populated)
    with db(populated) as conn:
        conn.execute("DELETE FROM log WHERE seq > ?", (n - 2,))
    result = ok(populated.run("log", "verify", "--no-unlock",
                              env={"XDG_STATE_HOME": str(tmp_path / "auditor")}))
    assert result.stdout.startswith(f"log ok: {n - 2} entries")
    assert "cut-off tail would go unnoticed" in result.stderr


@pytest.mark.parametrize("cmd", [["view", "Alice"], ["list"], ["log"],
                                 ["add", "Alice", "-m", "more"]])
def test_commands_fail_closed_after_the_tail_was_cut_off(populated, cmd):
    n = log_count(populated)
    with db(populated) as conn:
        conn.execute("DELETE FROM log WHERE seq > ?", (n - 2,))
    result = integrity_failure(populated.run(*cmd))
    assert "cut off" in result.stderr
    assert log_count(populated) == n - 2  # nothing was appended to the cut log


def test_replaced_public_key_in_the_header(populated):
    other = bytes(nacl.signing.SigningKey.generate().verify_key)
    with db(populated) as conn:
        conn.execute("UPDATE header SET sign_public = ? WHERE id = 1", (other,))
    err = verify_fails(populated, "--no-unlock")
    assert "no signature verifies" in err
    err = integrity_failure(populated.run("log", "verify")).stderr
    assert "public key" in err
    integrity_failure(populated.run("view", "Alice"))


# -- checkpoints -------------------------------------------------------------------------

def test_checkpoint_proves_the_log_still_extends_it_and_catches_a_rollback(populated,
                                                                           tmp_path):
    old_copy = tmp_path / "old-vault.sqlite"
    shutil.copy2(populated.path, old_copy)
    ok(populated.run("add", "Alice", "-m", "after the copy"))

    result = ok(populated.run("log", "checkpoint"))
    assert CHECKPOINT.match(result.stdout), result.stdout
    line = result.stdout.strip()

    ok(populated.run("add", "Bob", "-m", "after the checkpoint"))
    ok(populated.run("view", "Bob"))
    good = ok(populated.run("log", "verify", "--checkpoint", line))
    assert "matches the checkpoint" in good.stdout
    ok(populated.run("log", "verify", "--checkpoint", line, "--no-unlock"))

    assert not [p for p in populated.path.parent.iterdir() if p.name.endswith("-wal")]
    shutil.copy2(old_copy, populated.path)
    # This machine's rollback witness catches it at once (tests/cli/test_rollback_witness.py);
    # the checkpoint proves it anywhere, read-only, witness or not.
    refused = populated.run("view", "Alice")
    assert refused.exit_code == 5 and "older than this machine last saw it" in refused.stderr
    assert "after the copy" not in ok(populated.run("view", "Alice", "--accept-rollback")).stdout
    for extra in ((), ("--no-unlock",)):
        err = verify_fails(populated, "--checkpoint", line, *extra)
        assert "rolled back" in err


def test_a_fresh_checkpoint_verifies_without_unlocking(populated):
    line = ok(populated.run("log", "checkpoint")).stdout.strip()
    result = ok(populated.run("log", "verify", "--checkpoint", line, "--no-unlock"))
    assert "matches the checkpoint" in result.stdout


def test_a_fresh_checkpoint_verifies_with_the_passphrase(populated):
    # The checkpoint and the sealed head name the same entry here; both must be checked.
    line = ok(populated.run("log", "checkpoint")).stdout.strip()
    result = populated.run("log", "verify", "--checkpoint", line)
    assert result.exit_code == 0, result.stderr
    assert "matches the checkpoint" in result.stdout


def test_checkpoint_catches_a_rewritten_entry_at_its_seq(populated):
    line = ok(populated.run("log", "checkpoint")).stdout.strip()
    seq = int(line.split(":")[2])
    with db(populated) as conn:
        conn.execute("UPDATE log SET time = '2020-01-01T00:00:00.000000Z' WHERE seq = ?",
                     (seq,))
    err = verify_fails(populated, "--checkpoint", line, "--no-unlock")
    assert "differs from the one the checkpoint records" in err


ZEROS = "0" * 32


@pytest.mark.parametrize("line", [
    "", "garbage", "cv1:zz:1:00", "cv2:" + ZEROS + ":1:" + ZEROS * 2,
    "cv1:" + ZEROS + ":x:" + ZEROS * 2, "cv1:" + ZEROS + ":-1:" + ZEROS * 2,
    "cv1:" + ZEROS[2:] + ":1:" + ZEROS * 2, "REAL[:-1]", "REAL:ff"])
def test_malformed_checkpoint_is_a_usage_error(populated, line):
    real = ok(populated.run("log", "checkpoint")).stdout.strip()
    line = {"REAL[:-1]": real[:-1], "REAL:ff": real + ":ff"}.get(line, line)
    result = populated.run("log", "verify", "--checkpoint", line)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "checkpoint" in result.stderr


def test_checkpoint_of_another_vault_is_an_integrity_failure(populated, tmp_path):
    other = str(tmp_path / "other" / "vault.sqlite")
    ok(populated.run("init", *FAST_KDF, env={"VAULT_PATH": other}))
    line = ok(populated.run("log", "checkpoint", env={"VAULT_PATH": other})).stdout.strip()
    result = integrity_failure(populated.run("log", "verify", "--checkpoint", line))
    assert "another vault" in result.stderr


def test_verify_and_checkpoint_write_nothing(populated):
    before = populated.path.read_bytes()
    ok(populated.run("log", "verify"))
    ok(populated.run("log", "verify", "--no-unlock", "--json"))
    line = ok(populated.run("log", "checkpoint")).stdout.strip()
    ok(populated.run("log", "verify", "--checkpoint", line))
    assert populated.path.read_bytes() == before
    assert sorted(p.name for p in populated.path.parent.iterdir()) == [populated.path.name]


def test_checkpoint_refuses_a_log_that_does_not_verify(populated):
    with db(populated) as conn:
        conn.execute("UPDATE log SET action = 'list' WHERE seq = 2")
    integrity_failure(populated.run("log", "checkpoint"))
