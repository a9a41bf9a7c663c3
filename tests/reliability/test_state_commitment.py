"""Issue 12's attacks on which rows exist and how fresh they are, each
performed on a real vault file through the real CLI by someone who can
write the file but does not know the passphrase. The state commitment
(docs/format.md section 14) must catch every one with exit 5 before
anything is shown or destroyed; a restore must trust only signed entries.
"""

from __future__ import annotations

import json

from tests.reliability.test_faults import quick
from tests.reliability.test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
    BOB,
    flip,
    ok,
    put_record,
    record,
    refused,
    sql,
    template,
    texts,
    vault,
)

STATE = "do not match its sealed state"


def counts(venv) -> tuple[int, int]:
    return sql(venv, "SELECT count(*) FROM clients")[0][0], \
        sql(venv, "SELECT count(*) FROM notes")[0][0]


# -- planted and deleted tombstones at restore -------------------------------------------

def test_planted_tombstones_never_make_a_restore_drop_a_live_client(vault, tmp_path):
    """Attack 1 of the issue: tombstones planted for every client, then one
    note spoiled so that the owner restores last night's backup."""
    backup = tmp_path / "night.vaultbackup"
    ok(quick(vault, "backup", str(backup)))
    sql(vault, "INSERT INTO tombstones SELECT uid, '2026-01-01' FROM clients")
    body = sql(vault, "SELECT body FROM notes WHERE id = 3")[0][0]
    sql(vault, "UPDATE notes SET body = ? WHERE id = 3", flip(body))
    refused(quick(vault, "view", BOB), 5)
    for attempt in (1, 2):   # and the planted rows are not carried into the restored vault
        done = json.loads(ok(quick(vault, "restore", str(backup), "--yes", "--json")).stdout)
        assert done["dropped_shredded"] == 0, attempt
        assert done["tombstones_ignored"] == (2 if attempt == 1 else 0), attempt
        assert texts(vault, ALICE) == ["alice one", "alice two"]
        assert texts(vault, BOB) == ["bob one"]
        assert sql(vault, "SELECT count(*) FROM tombstones") == [(0,)]


def test_planted_tombstones_are_reported_by_the_restore(vault, tmp_path):
    backup = tmp_path / "night.vaultbackup"
    ok(quick(vault, "backup", str(backup)))
    sql(vault, "INSERT INTO tombstones SELECT uid, '2026-01-01' FROM clients WHERE id = 2")
    result = ok(quick(vault, "restore", str(backup), "--yes"))
    assert "1 tombstone(s) of the replaced vault are backed by no signed `shred` entry" \
        in result.stderr


def test_a_shred_survives_its_tombstones_being_deleted_and_a_second_restore(vault, tmp_path):
    """The signed `restore` entry names what it dropped, so a later restore of
    the same old backup drops it again even with every tombstone gone."""
    backup = tmp_path / "before.vaultbackup"
    ok(quick(vault, "backup", str(backup)))
    ok(quick(vault, "shred", BOB, "--yes"))
    ok(quick(vault, "restore", str(backup), "--yes"))
    sql(vault, "DELETE FROM tombstones")
    done = json.loads(ok(quick(vault, "restore", str(backup), "--yes", "--json")).stdout)
    assert done["dropped_shredded"] == 1
    refused(quick(vault, "view", BOB), 4)


# -- an older copy of one client's record -----------------------------------------------

def test_an_older_record_put_back_lifts_no_hold(vault):
    """Attack 2: the record from before `vault hold` put back. `list`,
    `shred --expired --yes` and `export-anonymized` refuse; nothing is
    destroyed."""
    ok(quick(vault, "close", ALICE, "--retain-until", "2000-01-01"))
    before_hold = record(vault, 1)
    ok(quick(vault, "hold", ALICE, "--reason", "subpoena 2026-114"))
    put_record(vault, 1, before_hold)
    refused(quick(vault, "list"), 5, STATE)
    refused(quick(vault, "shred", "--expired", "--yes"), 5, STATE)
    refused(quick(vault, "export-anonymized"), 5, STATE)
    assert counts(vault) == (2, 3)


def test_an_older_record_put_back_cannot_hide_an_alias(vault):
    before = record(vault, 2)
    ok(quick(vault, "alias", "add", BOB, "Bobby Brook"))
    put_record(vault, 2, before)
    refused(quick(vault, "export-anonymized", BOB), 5)


def test_a_whole_client_deleted_is_caught_by_the_next_command_of_any_kind(vault):
    sql(vault, "DELETE FROM notes WHERE client_id = 2")
    sql(vault, "DELETE FROM clients WHERE id = 2")
    refused(quick(vault, "view", ALICE), 5, STATE)
    refused(quick(vault, "add", BOB, "-m", "a new file under the old name", "--new"), 5)
    assert counts(vault) == (1, 2)


def test_a_client_row_moved_to_another_id_is_caught(vault):
    """Bob's row deleted and put back under another id: one client gone, one
    that was never written appears; the next command of any client refuses."""
    sql(vault, "DELETE FROM notes WHERE client_id = 2")
    row = sql(vault, "SELECT uid, blind, wrapped_key, meta FROM clients WHERE id = 2")[0]
    sealed = record(vault, 2)
    sql(vault, "DELETE FROM records WHERE id = 2")
    sql(vault, "DELETE FROM clients WHERE id = 2")
    sql(vault, "INSERT INTO clients VALUES (7, ?, ?, ?, ?)", *row)
    sql(vault, "INSERT INTO records VALUES (7, ?)", sealed)
    refused(quick(vault, "view", ALICE), 5)


def test_the_notes_added_since_deleted_with_the_record_left_is_caught(vault):
    ok(quick(vault, "add", ALICE, "-m", "alice three"))
    sql(vault, "DELETE FROM notes WHERE id = (SELECT max(id) FROM notes)")
    refused(quick(vault, "view", ALICE), 5)
    refused(quick(vault, "check"), 5)


# -- the unlock check costs no false alarm ------------------------------------------------

def test_every_kind_of_write_leaves_a_state_that_the_next_command_accepts(vault, tmp_path):
    for args in (("add", ALICE, "-m", "three"), ("add", "Carol Crane", "-m", "c", "--new"),
                 ("alias", "add", ALICE, "Ally"), ("rename", "Carol Crane", "Carol Cole"),
                 ("close", BOB, "--retain-until", "2000-01-01"),
                 ("hold", ALICE, "--reason", "r"), ("release", ALICE),
                 ("redact", ALICE, "--text", "three", "--yes"),
                 ("shred", "--expired", "--yes"), ("passwd",)):
        if args == ("passwd",):
            continue   # needs a new passphrase on a terminal: test_passwd_check covers it
        ok(quick(vault, *args))
        ok(quick(vault, "check"))
    assert counts(vault)[0] == 2
    ok(quick(vault, "backup", str(tmp_path / "b.vaultbackup")))
    ok(quick(vault, "restore", str(tmp_path / "b.vaultbackup"), "--yes"))
    ok(quick(vault, "check"))


def test_note_ids_are_never_reused_after_a_restore(vault, tmp_path):
    backup = tmp_path / "b.vaultbackup"
    ok(quick(vault, "backup", str(backup)))
    ok(quick(vault, "add", ALICE, "-m", "note 4, lost with the restore"))
    ok(quick(vault, "restore", str(backup), "--yes"))
    ok(quick(vault, "add", ALICE, "-m", "written after the restore"))
    assert sql(vault, "SELECT max(id) FROM notes") == [(5,)]


def test_a_planted_note_counter_cannot_exhaust_note_ids_after_a_restore(vault, tmp_path):
    """The replaced vault's row counter is plaintext: one pushed to the top of
    the id range is not carried over, so notes can still be added."""
    backup = tmp_path / "b.vaultbackup"
    ok(quick(vault, "backup", str(backup)))
    sql(vault, "UPDATE sqlite_sequence SET seq = ? WHERE name = 'notes'", 2**62 - 1)
    ok(quick(vault, "restore", str(backup), "--yes"))
    ok(quick(vault, "add", ALICE, "-m", "still possible"))
    assert sql(vault, "SELECT max(id) FROM notes") == [(4,)]


def test_check_reads_every_note_in_one_scan_and_still_reports_a_damaged_row(vault):
    """`check` reads the notes in one scan; a row of the wrong type there
    makes it fall back to reading client by client, and the damage is
    reported (exit 5) with every other client still checked."""
    sql(vault, "UPDATE notes SET body = 'not a blob' WHERE id = 1")
    result = quick(vault, "check", "--json")
    assert result.exit_code == 5, result.stderr
    report = json.loads(result.stdout)
    assert report["clients"] == 2 and report["notes"] == 1, report
    assert any("wrong type" in p or "damaged" in p for p in report["problems"]), report
