"""A review, with fresh eyes, of three speed-ups of the state commitment
(issues 12 and 13): a process's later commands adopting the state its own
last command sealed (docs/format.md section 14, "Several commands in one
process"), `list` through the agent from the listing its full count keeps
("`list` through the agent"), and the per-transaction memo of the header's
and keys' sum.

Each test is one attack or one legitimate sequence, on a real vault file,
through the real CLI or the functions beneath it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vault.agent.state import LastVerified
from vault.commands import aliases, files, maintenance
from vault.commands import notes as core
from vault.errors import IntegrityError
from vault.models import KdfParams
from vault.vaultfile import state as state_module
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..cli.test_agent import kill_agents
from ..conftest import PASSPHRASE
from .test_agent_verified_state import Worker
from .test_faults import quick
from .test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
    BOB,
    ok,
    sql,
    template,
    vault,
)


def _delete_bob(path: Path) -> None:
    """Bob's client removed whole, in one transaction of another connection,
    as someone with write access to the file (and no passphrase) would."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        with conn:
            conn.execute("DELETE FROM notes WHERE client_id = 2")
            conn.execute("DELETE FROM records WHERE id = 2")
            conn.execute("DELETE FROM clients WHERE id = 2")
    finally:
        conn.close()


@pytest.fixture
def session(vault) -> Iterator[UnlockedVault]:
    s = UnlockedVault.unlock(Store.open(vault.path), PASSPHRASE.encode())
    yield s
    s.store.close()


# -- several commands in one process (8aec7b0) ------------------------------------

def test_a_commit_by_another_connection_just_after_the_own_commit_is_not_adopted(
        session, vault):
    """Another connection that commits between this process's COMMIT and the
    moment it reads data_version: the value read already includes that
    commit, so the next command adopted the state as if nobody else had
    written, and a client deleted there went unnoticed by it (a fresh
    process, and this one before 8aec7b0, exit 5). The other commit is
    made deterministically, from the store's own write() as it returns."""
    core.add(session, ALICE, "one")
    core.add(session, ALICE, "two")   # counted, versions kept: the next one adopts
    real_write = session.store.write
    armed = [True]

    @contextlib.contextmanager
    def write_then_another_commit() -> Iterator[None]:
        with real_write():
            yield
        if armed[0]:   # right after COMMIT, before anything else of this process
            armed[0] = False
            _delete_bob(vault.path)

    session.store.write = write_then_another_commit   # type: ignore[method-assign]
    core.add(session, ALICE, "three")
    with pytest.raises(IntegrityError, match="tampering"):
        core.add(session, ALICE, "four")   # another connection wrote: counted again


# -- `list` through the agent (1191fd8, 84b377c) ----------------------------------

@pytest.fixture
def office(vault_env) -> Iterator:
    """A real agent (`vault unlock`, `python -m vault.serve`) started in UTC."""
    for name, text in ((ALICE, "alice one"), (BOB, "bob one")):
        done = vault_env.subprocess("add", name, "-m", text, "--new")
        assert done.returncode == 0, done.stderr
    done = vault_env.subprocess("unlock", "--passphrase-file", str(vault_env.passphrase_file),
                                env={"VAULT_PASSPHRASE_FILE": None, "TZ": "UTC"}, timeout=20)
    assert done.returncode == 0, done.stderr
    yield vault_env
    kill_agents(vault_env)


@pytest.mark.parametrize("argv", [("list",), ("view", ALICE)])
def test_list_through_the_agent_shows_times_in_the_callers_zone(office, argv):
    """The worker takes the caller's environment, TZ included, but the C
    library reads TZ once: without time.tzset() every time is shown in the
    zone the agent was started in, not the caller's (`TZ=... vault list`)."""
    zone = {"TZ": "XST-5:30"}   # POSIX rule, no tzdata needed: UTC+5:30
    through = office.subprocess(*argv, env=zone)
    alone = office.subprocess(*argv, env={**zone, "VAULT_NO_AGENT": "1"})
    assert through.returncode == alone.returncode == 0, (through.stderr, alone.stderr)
    assert through.stdout == alone.stdout


def _checked(vault) -> LastVerified:
    """The agent's LastVerified, as after a first `list` (records kept)."""
    store = Store.open(vault.path)
    kek = UnlockedVault.unlock(store, PASSPHRASE.encode()).kek
    store.close()
    checked = LastVerified(Path(vault.path), lambda: kek)
    checked.records_wanted = True
    return checked


def test_a_shredded_clients_name_does_not_outlive_the_shred_in_the_agents_memory(vault):
    """by_name keeps every folded name it ever sorted in a module-wide dict:
    in the agent, which sorts at each full count and lives for hours, the
    name of a client shredded (or renamed) since stayed there for good."""
    checked = _checked(vault)
    assert checked.refresh() is not None
    ok(quick(vault, "shred", BOB, "--yes"))
    after = checked.refresh()
    assert after is not None and after.listing is not None
    assert [c.name for c in after.listing.clients] == [ALICE]
    assert BOB not in state_module._FOLDED
    assert all(BOB.lower() not in folded for folded in state_module._FOLDED.values())


def test_a_client_shredded_after_the_count_is_not_listed_by_the_worker(vault):
    w = Worker(vault, "list", "--json", records=True)
    assert w.checked
    ok(quick(vault, "shred", BOB, "--yes"))
    code, out, err = w.run()
    assert code == 0, err
    assert [c["client"] for c in json.loads(out)] == [ALICE]
    assert out == ok(quick(vault, "list", "--json")).stdout


ODD = ("Zoë Ünal-Øst", "李 小龙", "O'Brien, Seán", "émile  zola", "Ａｎｎ Ｗｉｄｅ", "🙂 Smiley")


def test_list_through_the_worker_is_list_without_it_for_odd_names_holds_and_closed(vault):
    for name in ODD:
        ok(quick(vault, "add", name, "--new", "-m", "note of " + name))
    ok(quick(vault, "hold", ODD[0], "--reason", "subpoena"))
    ok(quick(vault, "close", ODD[1], "--retain", "7y"))
    ok(quick(vault, "close", BOB))
    for argv in (("list",), ("list", "--json")):
        w = Worker(vault, *argv, records=True)
        assert w.checked
        code, out, err = w.run()
        assert code == 0, err
        assert out == ok(quick(vault, *argv)).stdout


# -- several commands in one process: legitimate sequences ------------------------

def test_a_long_session_through_passwd_rename_shred_and_another_writer_never_fails(
        session, vault):
    """Another process writing, keys re-wrapped (passwd: the header's and
    keys' sum changes, its memo forgotten), a rename and a shred, each
    between commands of one long-lived session: no false exit 5, and the
    commands after each see what it did."""
    for text in ("one", "two", "three"):
        core.add(session, ALICE, text)
    ok(quick(vault, "add", "Carol Crane", "--new", "-m", "from another process"))
    core.add(session, ALICE, "after the other process")
    core.add(session, "Carol Crane", "carol two")
    maintenance.passwd(session, b"a new passphrase", None, KdfParams(8, 1, 1))
    core.add(session, ALICE, "after passwd")
    core.add(session, BOB, "bob after passwd")
    aliases.rename(session, BOB, "Robert Brook")
    core.add(session, "Robert Brook", "renamed")
    files.shred(session, "Robert Brook")
    core.add(session, ALICE, "after shred")
    assert [c.name for c in core.list_clients(session)] == [ALICE, "Carol Crane"]
    assert [n.text for n in core.view(session, "Carol Crane")[1]] == [
        "from another process", "carol two"]
    report = maintenance.check(session)
    assert report.ok, report.problems


@pytest.mark.parametrize("column", ["kdf_iterations", "wrapped_master"])
def test_a_header_field_changed_between_two_commands_of_one_session_fails_the_next(
        session, vault, column):
    """The header's and keys' sum is memoised for one transaction only: a
    header field changed between two commands of a long-lived session is
    read again (and another connection's commit means a full count)."""
    for text in ("one", "two", "three"):
        core.add(session, ALICE, text)
    if column == "kdf_iterations":
        sql(vault, "UPDATE header SET kdf_iterations = kdf_iterations + 1")
    else:
        sql(vault, "UPDATE header SET wrapped_master = wrapped_master || x'00'")
    with pytest.raises(IntegrityError):
        core.add(session, ALICE, "four")
    assert sql(vault, "SELECT count(*) FROM notes WHERE client_id = 1")[0][0] == 5


def test_a_renamed_clients_old_name_does_not_outlive_the_rename_in_the_agents_memory(vault):
    checked = _checked(vault)
    assert checked.refresh() is not None
    ok(quick(vault, "rename", BOB, "Robert Brook"))
    after = checked.refresh()
    assert after is not None and after.listing is not None
    assert [c.name for c in after.listing.clients] == [ALICE, "Robert Brook"]
    assert BOB not in state_module._FOLDED


def test_imports_in_a_long_session_never_fail_the_next_command(session, vault):
    from vault.commands.import_common import Incoming
    from vault.commands.imports import import_notes
    when = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    for text in ("one", "two", "three"):
        core.add(session, ALICE, text)
    notes = [Incoming("Dora Dane", "imported one", ("intake",), when),
             Incoming(ALICE, "alice imported", (), when)]
    assert import_notes(session, notes, "jsonl", dry_run=True).notes == 2
    assert import_notes(session, notes, "jsonl").new_clients == 1
    assert import_notes(session, notes, "jsonl").skipped == 2   # the same again: nothing
    core.add(session, "Dora Dane", "after import")
    assert [c.name for c in core.list_clients(session)] == [ALICE, BOB, "Dora Dane"]
    report = maintenance.check(session)
    assert report.ok, report.problems
    ok(quick(vault, "check"))


def test_list_through_the_worker_of_a_vault_with_no_client_left(vault):
    ok(quick(vault, "shred", ALICE, "--yes"))
    ok(quick(vault, "shred", BOB, "--yes"))
    checked = _checked(vault)
    first = checked.refresh()
    assert first is not None and first.listing is not None and first.listing.clients == ()
    for argv in (("list",), ("list", "--json")):
        w = Worker(vault, *argv, records=True)
        assert w.checked
        code, out, err = w.run()
        alone = quick(vault, *argv)
        assert (code, out, err) == (0, alone.stdout, alone.stderr)


def test_a_shredded_client_put_back_into_an_empty_vault_after_the_count_fails_list(vault):
    rows = {table: sql(vault, f"SELECT * FROM {table} WHERE {key} = 2")
            for table, key in (("clients", "id"), ("records", "id"), ("notes", "client_id"))}
    ok(quick(vault, "shred", ALICE, "--yes"))
    ok(quick(vault, "shred", BOB, "--yes"))
    w = Worker(vault, "list", "--json", records=True)
    assert w.checked
    conn = sqlite3.connect(vault.path, isolation_level=None)
    try:
        with conn:
            for table, found in rows.items():
                for row in found:
                    conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    finally:
        conn.close()
    code, out, err = w.run()
    assert code == 5 and out == "", (code, out, err)


def test_list_through_the_worker_files_notes_sealed_after_the_count_as_without_it(vault):
    w = Worker(vault, "list", "--json", records=True)
    assert w.checked
    ok(quick(vault, "add", "--sealed", BOB, "-m", "captured while the agent counted"))
    code, out, err = w.run()
    assert code == 0, err
    counts = {c["client"]: c["notes"] for c in json.loads(out)}
    assert counts == {ALICE: 2, BOB: 2}
    assert out == ok(quick(vault, "list", "--json")).stdout


def test_list_through_the_real_agent_is_list_without_it_before_and_after_changes(office):
    """The real agent (its listing made at the first `list`'s count, then
    carried or dropped by workers' reports): the same bytes and exit code
    as without it, for odd names, a hold, a closed file, a rename, a shred."""
    office.passphrase_file.chmod(0o600)   # else only the run without the agent warns

    def same(*argv: str) -> None:
        through = office.subprocess(*argv)
        alone = office.subprocess(*argv, env={"VAULT_NO_AGENT": "1"})
        assert (through.returncode, through.stdout, through.stderr) == \
            (alone.returncode, alone.stdout, alone.stderr)

    for name in ODD[:3]:
        assert office.subprocess("add", name, "--new", "-m", "n").returncode == 0
    for argv in (("hold", ODD[0], "--reason", "subpoena"), ("close", ODD[1], "--retain", "1y")):
        assert office.subprocess(*argv).returncode == 0
    for _ in range(2):   # the first asks for records; the second lists from the listing
        same("list")
        same("list", "--json")
    assert office.subprocess("rename", ODD[2], "Patrick Quinn").returncode == 0
    same("list", "--json")
    assert office.subprocess("shred", BOB, "--yes").returncode == 0
    same("list")
    same("list", "--json")
