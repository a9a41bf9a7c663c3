"""Issue 12: `vault backup` checks everything first where it can. Through
the agent (`vault unlock`), whose worker holds the key, a backup of a vault
whose rows do not match its sealed state is refused with exit 5 and writes
no file; without the agent (cron, no passphrase) nothing can be checked and
the file is copied as it is (docs/threat-model.md section 7)."""

from __future__ import annotations

import json
import sqlite3

from tests.reliability.test_tamper_matrix import (  # noqa: F401 - fixtures
    ok,
    put_record,
    template,
    vault,
)

from ..cli.test_agent import NO_SOURCE, kill_agents, unlock
from .test_agent_verified_state import Worker, older_record, refused_5
from .test_faults import quick


def test_a_backup_through_the_agent_of_an_untouched_vault_is_written(vault, tmp_path):
    dest = tmp_path / "nightly.vaultbackup"
    w = Worker(vault, "backup", str(dest), "--json")
    code, out, err = w.run()
    assert code == 0, err
    assert json.loads(out)["path"] == str(dest) and dest.stat().st_size > 0


def test_a_backup_through_the_agent_of_a_tampered_vault_is_refused(vault, tmp_path):
    """Bob's record from before his hold put back (the hold lifted): the
    worker's backup checks every row first, exits 5 and writes nothing."""
    old = older_record(vault)
    dest = tmp_path / "nightly.vaultbackup"
    w = Worker(vault, "backup", str(dest))
    put_record(vault, 2, old)
    refused_5(w.run())
    assert not dest.exists()
    assert list(tmp_path.glob("*.vaultbackup")) == []


def test_a_spoiled_note_fails_a_backup_through_the_agent(vault, tmp_path):
    """A note row swapped for another client's (its sum no longer matches
    its client's sealed record): not a client row, so only the full note
    check that backup now makes finds it."""
    conn = sqlite3.connect(vault.path, isolation_level=None)
    try:
        conn.execute("UPDATE notes SET body = (SELECT body FROM notes WHERE id = 1) WHERE id = 2")
    finally:
        conn.close()
    dest = tmp_path / "nightly.vaultbackup"
    code, out, err = Worker(vault, "backup", str(dest)).run()
    assert code == 5, (code, out, err)
    assert not dest.exists()


def test_without_the_agent_a_backup_copies_the_file_as_it_is(vault, tmp_path):
    """The documented limit: cron has no passphrase, so nothing is checked;
    `restore` checks every row of the backup before using it."""
    old = older_record(vault)
    put_record(vault, 2, old)
    dest = tmp_path / "nightly.vaultbackup"
    ok(quick(vault, "backup", str(dest)))
    assert dest.exists()
    restored = quick(vault, "restore", str(dest), "--yes")
    assert restored.exit_code == 5 and "tampering" in restored.stderr, restored.stderr
    assert "the vault was left as it was" in restored.stderr


def test_a_real_agent_refuses_the_backup_of_a_tampered_vault(vault, tmp_path):
    """End to end: `vault unlock`, the tampering, then `vault backup` through
    the agent, with no passphrase source."""
    old = older_record(vault)
    unlock(vault, "--timeout", "5m")
    try:
        put_record(vault, 2, old)
        dest = tmp_path / "nightly.vaultbackup"
        done = vault.subprocess("backup", str(dest), env=NO_SOURCE)
        assert done.returncode == 5, (done.stdout, done.stderr)
        assert b"tampering" in done.stderr and not dest.exists()
    finally:
        kill_agents(vault)


def test_a_rolled_back_vault_is_refused_by_a_backup_through_the_agent(vault, tmp_path):
    """An older copy of the whole file put back (consistent in itself): the
    witness names an entry the log lacks, so the backup says so (exit 5)."""
    older = vault.path.read_bytes()
    ok(quick(vault, "add", "Alice Archer", "-m", "written after the copy"))
    for companion in ("-wal", "-shm"):
        vault.path.with_name(vault.path.name + companion).unlink(missing_ok=True)
    vault.path.write_bytes(older)
    dest = tmp_path / "nightly.vaultbackup"
    code, out, err = Worker(vault, "backup", str(dest)).run()
    assert code == 5, (code, out, err)
    assert "rolled back" in err and "--accept-rollback" in err
    assert not dest.exists()
