"""Format version 3: each client's sealed record lives in `records`, and its
client row keeps only the record's nonce, so the read of every client row
at each unlock stays narrow (docs/format.md sections 1 and 2). Older files
are upgraded on open; every way of pulling the record and its row apart is
refused with exit 5."""

from __future__ import annotations

import json

import pytest

from vault.vaultfile.schema import SCHEMA_VERSION

from ..checks import db, ok

ALICE, BOB = "Alice Avery", "Bob Brook"


@pytest.fixture
def two(vault_env):
    ok(vault_env.run("add", ALICE, "-m", "alice one", "--new"))
    ok(vault_env.run("add", ALICE, "-m", "alice two"))
    ok(vault_env.run("add", BOB, "-m", "bob one", "--new"))
    ok(vault_env.run("alias", "add", BOB, "Bobby", "--relation", "nickname"))
    ok(vault_env.run("hold", BOB, "--reason", "subpoena"))
    return vault_env


def as_version(venv, version: int) -> None:
    """Rewrite the file in an older layout, exactly as that version wrote it:
    the whole record back in `clients.meta`, `records` (and for version 1
    the inbox) gone."""
    with db(venv) as conn:
        conn.execute("BEGIN")
        conn.execute("UPDATE clients SET meta = (SELECT sealed FROM records "
                     "WHERE records.id = clients.id)")
        conn.execute("DROP TABLE records")
        if version == 1:
            conn.execute("DROP TABLE inbox")
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")


def layout(venv) -> tuple[int, set[int], int | None]:
    """(user_version, the sizes of clients.meta, the rows of records or None)."""
    with db(venv) as conn:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        return (conn.execute("PRAGMA user_version").fetchone()[0],
                {n for (n,) in conn.execute("SELECT length(meta) FROM clients")},
                conn.execute("SELECT count(*) FROM records").fetchone()[0]
                if "records" in tables else None)


def listing(venv) -> list:
    return json.loads(ok(venv.run("list", "--json")).stdout)


def test_a_new_vault_keeps_only_the_nonce_in_each_client_row(two):
    ok(two.run("rename", ALICE, "Alice Avery-Stone"))
    ok(two.run("close", BOB, "--retain-until", "2040-01-01"))
    assert layout(two) == (SCHEMA_VERSION, {24}, 2)
    with db(two) as conn:
        pairs = conn.execute("SELECT c.meta, r.sealed FROM clients c JOIN records r "
                             "USING (id)").fetchall()
    assert all(sealed[:24] == nonce and len(sealed) > 1000 for nonce, sealed in pairs)


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_vault_is_upgraded_on_open_and_keeps_everything(two, version):
    before = listing(two)
    notes = json.loads(ok(two.run("view", ALICE, "--json")).stdout)["notes"]
    as_version(two, version)
    assert layout(two)[0::2] == (version, None)
    first = ok(two.run("list", "--json"))   # upgrades, and the state still matches
    assert json.loads(first.stdout) == before
    assert f"vault: the vault file was upgraded from format version {version} to {SCHEMA_VERSION}; vault " \
        "programs older than this one cannot open it any more\n" in first.stderr
    assert "upgraded" not in ok(two.run("list")).stderr   # said once
    assert layout(two) == (SCHEMA_VERSION, {24}, 2)
    assert json.loads(ok(two.run("view", ALICE, "--json")).stdout)["notes"] == notes
    ok(two.run("add", BOB, "-m", "bob two"))
    check = json.loads(ok(two.run("check", "--json")).stdout)
    assert check["ok"] and check["clients"] == 2


def test_an_older_vault_is_read_as_it_is_by_a_read_only_reader(two):
    as_version(two, 2)
    ok(two.run("log", "verify"))
    assert layout(two)[0] == 2   # log verify reads; it does not upgrade


def refused(result, *words: str):
    assert result.exit_code == 5, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    for w in words:
        assert w in result.stderr, (w, result.stderr)


def test_a_records_row_deleted_is_refused(two):
    with db(two) as conn:
        conn.execute("DELETE FROM records WHERE id = 2")
    for argv in (["view", BOB], ["list"], ["export-anonymized", BOB]):
        refused(two.run(*argv), "client 2: its record is missing")
    refused(two.run("check"))
    ok(two.run("view", ALICE))   # the other client is not touched


def test_only_the_record_put_back_is_refused(two):
    """The record from before the hold, without its nonce in the client
    row: the row still matches the sealed state, the record does not match
    the row."""
    with db(two) as conn:
        before = conn.execute("SELECT sealed FROM records WHERE id = 2").fetchone()[0]
    ok(two.run("release", BOB))
    ok(two.run("hold", BOB, "--reason", "second subpoena"))
    with db(two) as conn:
        conn.execute("UPDATE records SET sealed = ? WHERE id = 2", (before,))
    for argv in (["view", BOB], ["list"], ["shred", "--expired", "--yes"]):
        refused(two.run(*argv), "client 2: its record is not the one its row names")
    result = two.run("check", "--json")
    assert result.exit_code == 5
    assert any("its record is not the one its row names" in p
               for p in json.loads(result.stdout)["problems"])


def test_the_record_and_its_nonce_put_back_together_are_refused(two):
    """The whole record of before the hold, the nonce in the row too: the
    row is then an older version than the sealed state holds."""
    with db(two) as conn:
        before = conn.execute("SELECT sealed FROM records WHERE id = 2").fetchone()[0]
    ok(two.run("release", BOB))
    with db(two) as conn:
        conn.execute("UPDATE records SET sealed = ? WHERE id = 2", (before,))
        conn.execute("UPDATE clients SET meta = ? WHERE id = 2", (before[:24],))
    for argv in (["list"], ["view", ALICE], ["shred", "--expired", "--yes"]):
        refused(two.run(*argv))
    refused(two.run("check"))


def test_a_planted_record_without_a_client_is_reported_by_check(two):
    with db(two) as conn:
        sealed = conn.execute("SELECT sealed FROM records WHERE id = 1").fetchone()[0]
        conn.execute("INSERT INTO records VALUES (9, ?)", (sealed,))
    assert listing(two)[0]["client"] == ALICE   # never read: every client as before
    result = two.run("check", "--json")
    assert result.exit_code == 5
    assert "1 client record(s) belong to no client" in json.loads(result.stdout)["problems"]


def test_a_shred_deletes_the_record_and_its_row(two):
    ok(two.run("close", ALICE, "--retain-until", "2000-01-01"))
    with db(two) as conn:
        sealed = conn.execute("SELECT sealed FROM records WHERE id = 1").fetchone()[0]
    ok(two.run("shred", ALICE, "--yes"))
    with db(two) as conn:
        assert conn.execute("SELECT count(*) FROM records WHERE id = 1").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM clients WHERE id = 1").fetchone()[0] == 0
    data = b"".join(p.read_bytes() for p in two.path.parent.iterdir() if p.is_file())
    assert sealed[24:64] not in data


def test_a_backup_written_in_version_2_restores_and_is_upgraded(two, tmp_path):
    """A backup from before version 3 (its image rewritten in version 2's
    layout and repacked, as that version wrote it) restores every client."""
    from .test_backup_restore import PREFIX, repack
    before = listing(two)
    made = tmp_path / "old.vaultbackup"
    ok(two.run("backup", str(made)))
    scratch = tmp_path / "scratch.sqlite"
    scratch.write_bytes(made.read_bytes()[PREFIX:])

    class Image:
        path = scratch
    as_version(Image, 2)
    made.write_bytes(repack(scratch.read_bytes()))
    ok(two.run("add", ALICE, "-m", "alice after the backup"))
    ok(two.run("restore", str(made), "--yes"))
    assert listing(two) == before
    assert layout(two) == (SCHEMA_VERSION, {24}, 2)
    assert json.loads(ok(two.run("check", "--json")).stdout)["ok"]
