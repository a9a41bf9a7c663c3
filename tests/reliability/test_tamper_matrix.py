"""The tamper matrix (issue 7; the table in docs/threat-model.md section 6).

One test per attack that tests/cli/test_tamper.py and the unit tests do not
already prove, each on a copy of one template vault edited with sqlite3, as
someone with write access to the file and without the passphrase would:
a flipped byte in every header field, in the `box` keys, in the sealed head,
in each column of a signed log entry, in the sealed detail of an entry
written while locked and in a sealed inbox note; a renumbered note; an older
note (and a whole older client) put back after a redaction; an older client
record put back; an inserted log entry; a signature removed; a lowered row
counter; the public key replaced and every entry re-signed; the signed tail
cut with an older head put back, and the whole file rolled back, each
against a checkpoint.

A detected attack exits 5 (3 where a damaged header cannot be told from a
wrong passphrase, 1 for a newer format), with one error line and nothing on
stdout: no wrong data is shown as right. The attacks once NOT detected
(issue 12) are detected now; the one that cannot be (fake failed unlocks
dated now) is a test of what is done instead.
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import nacl.signing
import pytest

from vault.vaultfile import audit

from ..checks import assert_one_error_line, code
from ..conftest import FAST_KDF, VaultEnv
from .harness import copy_vault, make_env
from .test_faults import quick

ALICE, BOB = "Alice Archer", "Bob Brook"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> VaultEnv:
    """Alice: notes 1 and 2; Bob: note 3; a backup recorded while locked and
    signed at the next unlock; a view and a list."""
    venv = make_env(tmp_path_factory.mktemp("tamper"))
    ok(quick(venv, "init", *FAST_KDF))
    ok(quick(venv, "add", ALICE, "-m", "alice one", "--new"))
    ok(quick(venv, "add", ALICE, "-m", "alice two"))
    ok(quick(venv, "add", BOB, "-m", "bob one", "--new"))
    ok(quick(venv, "backup", str(venv.root / "first.vaultbackup")))
    ok(quick(venv, "view", ALICE))
    ok(quick(venv, "list"))
    return venv


@pytest.fixture
def vault(template, tmp_path) -> VaultEnv:
    venv = make_env(tmp_path / "v")
    copy_vault(template.path, venv.path.parent)
    return venv


def ok(result):
    return code(result, 0)   # exit 0, and never a traceback


def refused(result, code: int, *fragments: str):
    """Detected: the documented code, one error line, nothing on stdout."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert_one_error_line(result.stderr)
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result


def sql(venv: VaultEnv, statement: str, *args):
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        return conn.execute(statement, args).fetchall()
    finally:
        conn.close()


def record(venv: VaultEnv, client_id: int) -> bytes:
    """A client's sealed record as stored (docs/format.md section 2, records)."""
    return sql(venv, "SELECT sealed FROM records WHERE id = ?", client_id)[0][0]


def put_record(venv: VaultEnv, client_id: int, sealed: bytes) -> None:
    """A record put back whole, as someone who knows the format would: the
    record and the nonce its client row names, in one transaction."""
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        with conn:
            conn.execute("UPDATE records SET sealed = ? WHERE id = ?", (sealed, client_id))
            conn.execute("UPDATE clients SET meta = ? WHERE id = ?", (sealed[:24], client_id))
    finally:
        conn.close()


def flip(blob: bytes, index: int | None = None) -> bytes:
    b = bytearray(blob)
    b[len(b) // 2 if index is None else index] ^= 0x01
    return bytes(b)


def texts(venv: VaultEnv, name: str) -> list[str]:
    return [n["text"] for n in json.loads(ok(quick(venv, "view", name, "--json")).stdout)["notes"]]


def last_seq(venv: VaultEnv) -> int:
    return sql(venv, "SELECT max(seq) FROM log")[0][0]


# -- the header ----------------------------------------------------------------------

# column -> (exit of `view`, exit of `log verify --no-unlock`, words in view's error)
HEADER = {
    "magic": (5, 5, "not a vault"),
    "format_version": (1, 1, "upgrade client-vault"),
    "vault_id": (3, 5, "wrong passphrase"),   # bound into the master AAD and every entry hash
    "kdf": (5, 5, "not a vault"),
    "kdf_memory_kib": (3, 0, "wrong passphrase"),
    "kdf_iterations": (3, 0, "wrong passphrase"),
    "kdf_parallelism": (3, 0, "wrong passphrase"),
    "salt": (3, 0, "wrong passphrase"),
    "wrapped_master": (3, 0, "wrong passphrase"),
    "sign_public": (5, 5, "the header was replaced"),
}


@pytest.mark.parametrize("column", list(HEADER))
def test_a_changed_header_field(vault, column):
    view_code, verify_code, words = HEADER[column]
    value = sql(vault, f"SELECT {column} FROM header")[0][0]
    changed = (flip(value) if isinstance(value, bytes) else value + 1 if isinstance(value, int)
               else value + "x")
    sql(vault, f"UPDATE header SET {column} = ?", changed)
    before = last_seq(vault)
    refused(quick(vault, "view", ALICE), view_code, words)
    refused(quick(vault, "list"), view_code)
    verify = quick(vault, "log", "verify", "--no-unlock")
    assert verify.exit_code == verify_code, (verify.exit_code, verify.stderr)
    if view_code == 3:   # cannot be told from a wrong passphrase, and recorded as one
        assert last_seq(vault) == before + 2


# -- keys and the sealed head ------------------------------------------------------------

@pytest.mark.parametrize("name,words", [("box", "keys failed authentication"),
                                        ("box-public", "public box key was replaced")])
def test_a_flipped_byte_in_the_box_keys(vault, name, words):
    wrapped = sql(vault, "SELECT wrapped FROM keys WHERE name = ?", name)[0][0]
    sql(vault, "UPDATE keys SET wrapped = ? WHERE name = ?", flip(wrapped), name)
    for argv in (["view", ALICE], ["list"], ["add", ALICE, "-m", "x"], ["check"]):
        refused(quick(vault, *argv), 5, words)


def test_a_flipped_byte_in_the_sealed_head(vault):
    head = sql(vault, "SELECT sealed FROM head")[0][0]
    sql(vault, "UPDATE head SET sealed = ?", flip(head))
    for argv in (["view", ALICE], ["list"], ["add", ALICE, "-m", "x"], ["log", "verify"],
                 ["check"]):
        refused(quick(vault, *argv), 5, "log head failed authentication")
    ok(quick(vault, "log", "verify", "--no-unlock"))   # documented: needs the passphrase


def test_a_deleted_head_record(vault):
    sql(vault, "DELETE FROM head")
    for argv in (["view", ALICE], ["list"], ["log", "verify"]):
        refused(quick(vault, *argv), 5, "log head is missing")


# -- the access log ----------------------------------------------------------------------

@pytest.mark.parametrize("column", ["refs", "detail", "prev_hash", "signature"])
def test_a_flipped_byte_in_a_signed_log_entry(vault, column):
    """Entry 3 (an `add`): covered by its signature and the next entry's hash."""
    value = sql(vault, f"SELECT {column} FROM log WHERE seq = 3")[0][0]
    sql(vault, f"UPDATE log SET {column} = ? WHERE seq = 3", flip(value))
    for extra in ((), ("--no-unlock",)):
        result = refused(quick(vault, "log", "verify", *extra), 5, "does not verify")
        assert "entry 3" in result.stderr
    refused(quick(vault, "check"), 5)
    if column == "detail":   # its sealed detail no longer opens either
        refused(quick(vault, "log", "--json"), 5, "log entry 3: detail failed authentication")


def test_a_flipped_byte_in_the_sealed_detail_of_an_entry_written_while_locked(vault, tmp_path):
    """The detail of a `backup` entry is sealed to the box key. The backup
    moved this machine's witness to that entry, so the edited entry is a
    different history at the next command; elsewhere (no witness) the
    unlock signs it, but every reader of the detail refuses."""
    ok(quick(vault, "list"))   # this machine has seen the vault
    ok(quick(vault, "backup", str(tmp_path / "second.vaultbackup")))
    seq = last_seq(vault)
    detail = sql(vault, "SELECT detail FROM log WHERE seq = ?", seq)[0][0]
    sql(vault, "UPDATE log SET detail = ? WHERE seq = ?", flip(detail), seq)
    refused(quick(vault, "view", ALICE), 5, f"log entry {seq} is missing or different")
    elsewhere = {"XDG_STATE_HOME": str(tmp_path / "another-machine")}
    ok(quick(vault, "view", ALICE, env=elsewhere))   # signs it, as any unlock does
    for argv in (["log", "--json"], ["check"], ["shred", BOB, "--yes"]):
        refused(quick(vault, *argv, env=elsewhere), 5,
                f"log entry {seq}: detail failed authentication")
    assert sql(vault, "SELECT count(*) FROM notes WHERE client_id = 2") == [(1,)]


def test_an_inserted_log_entry(vault):
    """A copy of entry 3 slipped in after it, the rest renumbered."""
    rows = sql(vault, "SELECT * FROM log ORDER BY seq")
    sql(vault, "DELETE FROM log")
    forged = rows[:3] + [(4,) + rows[2][1:]] + [(r[0] + 1,) + r[1:] for r in rows[3:]]
    for row in forged:
        sql(vault, "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", *row)
    for extra in ((), ("--no-unlock",)):
        result = refused(quick(vault, "log", "verify", *extra), 5)
        assert "entry 4 does not follow entry 3" in result.stderr
    refused(quick(vault, "view", ALICE), 5, "cut off or altered")


def test_the_signature_of_a_signed_entry_removed(vault):
    sql(vault, "UPDATE log SET signature = NULL WHERE seq = 3")
    for extra in ((), ("--no-unlock",)):
        refused(quick(vault, "log", "verify", *extra), 5)
    refused(quick(vault, "view", ALICE), 5, "log entry 3 was not written by this vault")


def test_the_signature_of_an_entry_written_while_locked_removed(vault):
    """Entry 5, the template's `backup`, in the middle of the log. Reported
    until the next unlock, which signs it again like any entry written while
    locked: its content is the vault's own (the chain still holds), so only
    the evidence of the removal goes. Changing its content as well breaks the
    chain for good (the next entry no longer follows it)."""
    assert sql(vault, "SELECT action, via FROM log WHERE seq = 5") == [("backup", "none")]
    sql(vault, "UPDATE log SET signature = NULL WHERE seq = 5")
    for extra in ((), ("--no-unlock",)):
        refused(quick(vault, "log", "verify", *extra), 5, "unsigned")
    refused(quick(vault, "check"), 5)
    ok(quick(vault, "view", ALICE))   # the unlock signs entry 5 again
    ok(quick(vault, "log", "verify"))
    sql(vault, "UPDATE log SET signature = NULL, time = '2020-01-01T00:00:00.000000Z' "
               "WHERE seq = 5")
    ok(quick(vault, "view", ALICE))
    refused(quick(vault, "log", "verify"), 5, "entry 6 does not follow entry 5")


def test_vault_log_never_shows_an_edited_entry_as_signed(vault):
    sql(vault, "UPDATE log SET action = 'list' WHERE seq = 3")
    result = quick(vault, "log", "--json")
    if result.exit_code == 0:
        entry = [e for e in json.loads(result.stdout) if e["seq"] == 3][0]
        assert entry["action"] == "add" or entry["signed"] is False
    else:
        refused(result, 5)


def test_fake_failed_unlocks_dated_now_are_reported_not_hidden(vault):
    """Bare unsigned `unlock-failed` entries dated now are exactly what a
    wrong passphrase writes, and anyone who can write the file can also run
    `vault` with a wrong passphrase: they cannot be told apart, and they hide
    nothing. The next unlock signs them and warns, as for real attempts
    (threat model, section 7); fakes dated back are never signed
    (test_fake_entries_dated_back_are_never_signed)."""
    vault_id = sql(vault, "SELECT vault_id FROM header")[0][0]
    for _ in range(3):
        last = audit.from_row(sql(vault, "SELECT * FROM log ORDER BY seq DESC LIMIT 1")[0])
        fake = audit.make_entry(seq=last.seq + 1, prev_hash=audit.entry_hash(last, vault_id),
                                action="unlock-failed", via="none", detail=b"")
        sql(vault, "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", *audit.to_row(fake))
    result = ok(quick(vault, "view", ALICE))
    assert "3 failed unlock attempt(s) since the last unlock" in result.stderr
    ok(quick(vault, "log", "verify"))


def test_a_cut_unsigned_tail_is_detected(vault, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    wrong.chmod(0o600)
    assert quick(vault, "view", ALICE, "--passphrase-file", str(wrong)).exit_code == 3
    assert sql(vault, "SELECT count(*) FROM log WHERE signature IS NULL") == [(1,)]
    sql(vault, "DELETE FROM log WHERE signature IS NULL")
    refused(quick(vault, "log", "verify"), 5)


def _cut_back_to(vault: VaultEnv, seq: int, head: bytes) -> None:
    sql(vault, "DELETE FROM log WHERE seq > ?", seq)
    sql(vault, "UPDATE head SET sealed = ?", head)


def test_a_cut_signed_tail_with_an_older_head_put_back_fails_a_later_checkpoint(vault):
    seq, head = last_seq(vault), sql(vault, "SELECT sealed FROM head")[0][0]
    ok(quick(vault, "view", BOB))
    line = ok(quick(vault, "log", "checkpoint")).stdout.strip()
    _cut_back_to(vault, seq, head)
    for extra in ((), ("--no-unlock",)):
        refused(quick(vault, "log", "verify", "--checkpoint", line, *extra), 5,
                "does not verify")


def test_a_cut_signed_tail_with_an_older_head_put_back_is_detected(vault):
    """Issue 12: this machine's rollback witness names the cut entry."""
    seq, head = last_seq(vault), sql(vault, "SELECT sealed FROM head")[0][0]
    ok(quick(vault, "view", BOB))
    _cut_back_to(vault, seq, head)
    refused(quick(vault, "log", "verify"), 5)


def test_the_whole_file_rolled_back_is_detected_without_a_checkpoint(vault, tmp_path):
    """Issue 12: `log verify` reads this machine's rollback witness."""
    old = tmp_path / "old.sqlite"
    shutil.copyfile(vault.path, old)
    ok(quick(vault, "add", ALICE, "-m", "after the copy"))
    shutil.copyfile(old, vault.path)
    refused(quick(vault, "log", "verify"), 5)


def re_sign_log_with_a_new_key(vault: VaultEnv) -> None:
    """The header's public key replaced, and every log entry signed again
    with the new secret key: a log that verifies against the file alone."""
    key = nacl.signing.SigningKey.generate()
    vault_id = sql(vault, "SELECT vault_id FROM header")[0][0]
    sql(vault, "UPDATE header SET sign_public = ?", bytes(key.verify_key))
    for row in sql(vault, "SELECT * FROM log"):
        entry = audit.from_row(row)
        sql(vault, "UPDATE log SET signature = ? WHERE seq = ?",
            audit.sign(entry, vault_id, bytes(key)), entry.seq)


def test_a_replaced_public_key_with_every_entry_re_signed(vault):
    line = ok(quick(vault, "log", "checkpoint")).stdout.strip()
    re_sign_log_with_a_new_key(vault)
    refused(quick(vault, "view", ALICE), 5, "the header was replaced")
    refused(quick(vault, "log", "verify"), 5, "the header was replaced")
    refused(quick(vault, "log", "verify", "--checkpoint", line), 5, "the header was replaced")
    refused(quick(vault, "log", "verify", "--checkpoint", line, "--no-unlock"), 5,
            "re-signed with another key")


def test_a_re_signed_log_is_detected_by_an_auditor_without_a_checkpoint(vault):
    """On a machine that has seen the vault: its witness holds the key's
    fingerprint. (An auditor who never saw the vault needs a checkpoint.)"""
    ok(quick(vault, "list"))
    re_sign_log_with_a_new_key(vault)
    refused(quick(vault, "log", "verify", "--no-unlock"), 5)


# -- notes and clients --------------------------------------------------------------------

def test_a_renumbered_note(vault):
    sql(vault, "UPDATE notes SET id = 99 WHERE id = 2")
    refused(quick(vault, "view", ALICE), 5, "note 99: failed authentication")
    refused(quick(vault, "check"), 5)


@pytest.mark.parametrize("what", ["the note", "the whole client"])
def test_an_older_version_put_back_after_a_redaction(vault, what):
    """Save the ciphertext, redact, put the old one back: the redaction gave
    the client a new data key and the vault a new master key, so the old
    ciphertext (and the old wrapped key) no longer open."""
    notes = sql(vault, "SELECT id, body FROM notes WHERE client_id = 1")
    wrapped, meta = sql(vault, "SELECT wrapped_key, sealed FROM clients JOIN records "
                             "USING (id) WHERE id = 1")[0]
    ok(quick(vault, "redact", ALICE, "--text", "two", "--yes"))
    assert texts(vault, ALICE) == ["alice one", "alice [REDACTED]"]
    if what == "the note":
        sql(vault, "UPDATE notes SET body = ? WHERE id = ?", notes[1][1], notes[1][0])
        words = "note 2: failed authentication"
    else:
        for note_id, body in notes:
            sql(vault, "UPDATE notes SET body = ? WHERE id = ?", body, note_id)
        sql(vault, "UPDATE clients SET wrapped_key = ? WHERE id = 1", wrapped)
        put_record(vault, 1, meta)
        words = "client 1: key failed authentication"
    result = refused(quick(vault, "view", ALICE), 5, words)
    assert "two" not in result.stderr
    refused(quick(vault, "check"), 5)


def test_an_older_client_record_put_back(vault):
    meta = record(vault, 1)
    ok(quick(vault, "add", ALICE, "-m", "alice three"))
    put_record(vault, 1, meta)
    refused(quick(vault, "view", ALICE), 5, "holds 3 notes but its sealed record counts 2")
    refused(quick(vault, "list"), 5)


def test_an_older_client_record_with_the_later_notes_deleted_is_detected(vault):
    meta = record(vault, 1)
    ok(quick(vault, "add", ALICE, "-m", "alice three"))
    sql(vault, "DELETE FROM notes WHERE id = (SELECT max(id) FROM notes)")
    put_record(vault, 1, meta)
    refused(quick(vault, "check"), 5)


def test_a_whole_client_deleted_is_detected(vault):
    sql(vault, "DELETE FROM notes WHERE client_id = 2")
    sql(vault, "DELETE FROM clients WHERE id = 2")
    refused(quick(vault, "check"), 5)


def test_a_flipped_byte_in_a_sealed_inbox_note(vault):
    """A note added with `add --sealed` waits in the inbox, sealed to the box
    key; with a byte flipped it is never filed, only listed as unreadable."""
    ok(quick(vault, "add", "--sealed", ALICE, "-m", "sealed while locked"))
    sealed = sql(vault, "SELECT sealed FROM inbox")[0][0]
    sql(vault, "UPDATE inbox SET sealed = ?", flip(sealed))
    view = ok(quick(vault, "view", ALICE))
    assert "sealed while locked" not in view.stdout
    assert "1 note(s) added while locked wait in the inbox" in view.stderr
    waiting = json.loads(ok(quick(vault, "inbox", "--json")).stdout)
    assert [(w["readable"], w["client"]) for w in waiting] == [(False, None)]
    assert texts(vault, ALICE) == ["alice one", "alice two"]


def test_a_lowered_row_counter_is_refused(vault):
    """ids are never reused: a counter set back makes the next insert collide."""
    sql(vault, "UPDATE sqlite_sequence SET seq = 1 WHERE name = 'notes'")
    refused(quick(vault, "add", ALICE, "-m", "would reuse note id 2"), 5, "damaged")
    assert texts(vault, ALICE) == ["alice one", "alice two"]


def test_a_deleted_tombstone_cannot_bring_a_shredded_client_back(vault, tmp_path):
    backup = tmp_path / "before.vaultbackup"
    ok(quick(vault, "backup", str(backup)))
    ok(quick(vault, "shred", BOB, "--yes"))
    sql(vault, "DELETE FROM tombstones")
    ok(quick(vault, "restore", str(backup), "--yes"))
    refused(quick(vault, "view", BOB), 4)


# -- entries recorded while locked, dated back (issue 12) ----------------------------

def _plant_locked(vault: VaultEnv, action: str, time: str) -> int:
    from vault.models import LogEntry
    vault_id = sql(vault, "SELECT vault_id FROM header")[0][0]
    last = audit.from_row(sql(vault, "SELECT * FROM log ORDER BY seq DESC LIMIT 1")[0])
    fake = LogEntry(last.seq + 1, time, action, "none", (), b"",
                          audit.entry_hash(last, vault_id), None)
    sql(vault, "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", *audit.to_row(fake))
    return fake.seq


def test_fake_entries_dated_back_are_never_signed(vault, tmp_path):
    """Two `unlock-failed` entries dated years back, appended after the last
    entry: the next unlocks leave them unsigned (no "failed unlock" warning),
    every command keeps working, and verify, `check` and `vault log` report
    them for good. A real failed unlock afterwards is signed as before."""
    planted = [_plant_locked(vault, "unlock-failed", "2019-03-01T10:00:00.000000Z"),
               _plant_locked(vault, "unlock-failed", "2019-03-02T10:00:00.000000Z")]
    for extra in ((), ("--no-unlock",)):
        result = refused(quick(vault, "log", "verify", *extra), 5)
        assert f"entry {planted[0]} (unlock-failed, recorded while locked) is dated before" \
            in result.stderr
        assert f"entry {planted[1]} (unlock-failed" in result.stderr
    for _ in range(2):
        result = ok(quick(vault, "view", ALICE))
        assert "failed unlock" not in result.stderr
    assert sql(vault, "SELECT seq FROM log WHERE signature IS NULL") == [(s,) for s in planted]
    refused(quick(vault, "log", "verify"), 5, "does not verify")
    refused(quick(vault, "log", "--json"), 5, f"entry {planted[0]} (unlock-failed")
    refused(quick(vault, "check"), 5)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    wrong.chmod(0o600)
    assert quick(vault, "view", ALICE, "--passphrase-file", str(wrong)).exit_code == 3
    assert "1 failed unlock attempt" in ok(quick(vault, "view", ALICE)).stderr
    assert sql(vault, "SELECT seq FROM log WHERE signature IS NULL") == [(s,) for s in planted]


def test_a_fake_entry_with_a_time_this_program_never_writes_is_never_signed(vault):
    seq = _plant_locked(vault, "backup", "9999-99-99 later")
    ok(quick(vault, "list"))
    assert sql(vault, "SELECT signature FROM log WHERE seq = ?", seq) == [(None,)]
    refused(quick(vault, "log", "verify"), 5, f"entry {seq} (backup")


def test_vault_log_lists_only_a_log_that_verifies(vault):
    """Fail closed: a chain broken anywhere, not only in the rows asked for,
    shows nothing; `vault log --client` included."""
    sql(vault, "UPDATE log SET time = '2026-01-01T00:00:00.000000Z' WHERE seq = 1")
    for extra in ((), ("--client", BOB)):
        refused(quick(vault, "log", *extra), 5, "entry 1: signature does not verify")


# -- rollback: the witness this machine keeps (docs/format.md, "Witness file") ------------
# `vault log verify` and `vault check` only read, and do not consult the witness: the
# two xfails above stay. Any command that writes (every unlocked command but those
# two) catches both rollbacks below.

def test_the_whole_file_rolled_back_is_caught_by_the_next_command_without_a_checkpoint(
        vault, tmp_path):
    old = tmp_path / "old.sqlite"
    shutil.copyfile(vault.path, old)
    ok(quick(vault, "add", ALICE, "-m", "after the copy"))
    shutil.copyfile(old, vault.path)
    refused(quick(vault, "view", ALICE), 5, "older than this machine last saw it",
            "--accept-rollback")


def test_a_cut_signed_tail_with_an_older_head_put_back_is_caught_by_the_next_command(vault):
    seq, head = last_seq(vault), sql(vault, "SELECT sealed FROM head")[0][0]
    ok(quick(vault, "view", BOB))
    _cut_back_to(vault, seq, head)
    # The file alone verifies, sealed head included; this machine's witness
    # names the cut entry, for `log verify` as for every other command.
    refused(quick(vault, "log", "verify"), 5, f"log entry {seq + 1} is missing or different")
    refused(quick(vault, "list"), 5, f"log entry {seq + 1} is missing or different")
