"""The agent's verified state (docs/format.md section 14.4): a worker whose
vault head is the one the agent checked in full after the last command
adopts that check instead of reading every client row, and checks each
client row it uses against it. Issue 12's attacks, made after that check,
must still fail the command that depends on the tampered row with exit 5.

The worker is played by a child process that runs exactly what an agent's
worker runs (agent.client.hold with the key and the agent's LastVerified,
then the ordinary CLI through entry.in_process) and waits on its stdin
between the agent's check and the command: the attack happens in between,
deterministically, with no timer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.reliability.test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
    BOB,
    flip,
    ok,
    refused,
    sql,
    template,
    vault,
)

from ..conftest import PASSPHRASE, VaultEnv
from .test_faults import quick

TAMPERED = "(tampering)"

WORKER = r"""
import sys
from pathlib import Path
from vault import entry
from vault.agent import client
from vault.agent.state import LastVerified
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

path, passphrase, records, argv = (Path(sys.argv[1]), sys.argv[2].encode(),
                                   sys.argv[3] == "records", sys.argv[4:])
store = Store.open(path)
kek = UnlockedVault.unlock(store, passphrase).kek
store.close()
checked = LastVerified(path, lambda: kek)
checked.records_wanted = records           # as after a first `list`
print("checked" if checked.refresh() is not None else "not checked", flush=True)
client.hold(path, kek, None, checked.current)
sys.stdin.readline()                      # the attack happens now
raise SystemExit(entry.in_process(argv))
"""


class Worker:
    """A worker forked after the agent's check; run() sends it its command."""

    def __init__(self, venv: VaultEnv, *argv: str, records: bool = False) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
        env.update({k: v for k, v in venv.env.items() if v is not None})
        env["VAULT_NO_AGENT"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(venv.path), PASSPHRASE,
             "records" if records else "-", *argv],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert self.proc.stdout is not None
        self.checked = self.proc.stdout.readline().decode().strip() == "checked"

    def run(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(b"go\n", timeout=60)
        return self.proc.returncode, out.decode(), err.decode()


def older_record(venv: VaultEnv, name: str = BOB) -> None:
    """The record of Bob from before a `hold`: valid, sealed, and stale."""
    old = sql(venv, "SELECT sealed FROM records WHERE id = 2")[0][0]
    ok(quick(venv, "hold", name, "--reason", "subpoena"))
    return old


def put_back(venv: VaultEnv, meta: bytes) -> None:
    put_record(venv, 2, meta)


def put_record(venv, client_id: int, sealed: bytes) -> None:
    """A client's sealed record put back whole, as someone who knows the
    format would: the record and the nonce its client row names
    (docs/format.md section 2, records)."""
    sql(venv, "UPDATE records SET sealed = ? WHERE id = ?", sealed, client_id)
    sql(venv, "UPDATE clients SET meta = ? WHERE id = ?", sealed[:24], client_id)


def refused_5(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 5, (code, out, err)
    assert out == "" and "Traceback" not in err
    assert TAMPERED in err, err
    return err


# -- with nothing tampered, the adopted check is used and everything works -------

@pytest.mark.parametrize("records", [False, True], ids=["counted", "records-kept"])
@pytest.mark.parametrize("argv", [("view", BOB), ("add", BOB, "-m", "bob two"), ("list",),
                                  ("list", "--json"), ("search", "one"), ("status",)])
def test_a_worker_that_adopts_the_agents_check_works_as_without_it(vault, argv, records):
    w = Worker(vault, *argv, records=records)
    assert w.checked
    code, out, err = w.run()
    assert code == 0, err
    alone = quick(vault, *argv)
    if argv[0] in ("list", "view"):   # the same bytes as in-process (times aside)
        assert out == alone.stdout
    assert ok(quick(vault, "check")).exit_code == 0
    assert "bob one" in ok(quick(vault, "view", BOB)).stdout


def test_the_adopted_check_is_what_the_worker_uses(vault):
    """Alice's command does not read Bob's row: with the check adopted, Bob's
    stale record is not noticed there (without it, every command reads every
    row and refuses). This is the documented limit of the adoption; the
    tests below show each command that uses Bob's row refusing."""
    old = older_record(vault)
    w = Worker(vault, "view", ALICE)
    assert w.checked
    put_back(vault, old)
    code, out, err = w.run()
    assert code == 0, err
    assert "alice one" in out
    refused(quick(vault, "view", ALICE), 5)   # in-process: every row counted


# -- each attack of issue 12, made after the agent's check ------------------------

@pytest.mark.parametrize("records", [False, True], ids=["counted", "records-kept"])
@pytest.mark.parametrize("argv", [
    ("view", BOB), ("add", BOB, "-m", "bob two"), ("list",), ("list", "--json"),
    ("export-anonymized", BOB), ("shred", "--expired", "--yes"),
    ("release", BOB)])
def test_an_older_record_put_back_after_the_check_is_refused(vault, argv, records):
    """Also with the agent keeping every record it opened (for `list`): a
    record whose version is not the counted one is never taken from it."""
    old = older_record(vault)
    w = Worker(vault, *argv, records=records)
    assert w.checked
    put_back(vault, old)
    refused_5(w.run())
    assert sql(vault, "SELECT count(*) FROM clients") == [(2,)]


@pytest.mark.parametrize("records", [False, True], ids=["counted", "records-kept"])
@pytest.mark.parametrize("argv", [("view", BOB), ("add", BOB, "-m", "bob two"), ("list",),
                                  ("search", "bob")])
def test_a_client_row_deleted_after_the_check_is_refused_not_reported_missing(vault, argv,
                                                                               records):
    w = Worker(vault, *argv, records=records)
    assert w.checked
    sql(vault, "DELETE FROM notes WHERE client_id = 2")
    sql(vault, "DELETE FROM clients WHERE id = 2")
    refused_5(w.run())


@pytest.mark.parametrize("records", [False, True], ids=["counted", "records-kept"])
def test_a_client_row_planted_after_the_check_is_refused_by_list(vault, records):
    w = Worker(vault, "list", records=records)
    assert w.checked
    _, blind, wrapped, meta = sql(vault, "SELECT uid, blind, wrapped_key, meta FROM clients "
                                  "WHERE id = 2")[0]
    sql(vault, "INSERT INTO clients VALUES (7, ?, ?, ?, ?)", os.urandom(16),
        os.urandom(len(blind)), wrapped, meta)
    sql(vault, "INSERT INTO records SELECT 7, sealed FROM records WHERE id = 2")
    refused_5(w.run())


def test_a_client_row_moved_to_another_id_after_the_check_is_refused(vault):
    w = Worker(vault, "view", BOB)
    assert w.checked
    row = sql(vault, "SELECT uid, blind, wrapped_key, meta FROM clients WHERE id = 2")[0]
    sealed = sql(vault, "SELECT sealed FROM records WHERE id = 2")[0][0]
    sql(vault, "DELETE FROM notes WHERE client_id = 2")
    sql(vault, "DELETE FROM records WHERE id = 2")
    sql(vault, "DELETE FROM clients WHERE id = 2")
    sql(vault, "INSERT INTO clients VALUES (7, ?, ?, ?, ?)", *row)
    sql(vault, "INSERT INTO records VALUES (7, ?)", sealed)
    refused_5(w.run())


def test_a_head_put_back_after_the_check_is_not_adopted(vault):
    """An older sealed head (with the rows of its time) is another head: the
    worker counts every row, as without the agent, and the cut log fails."""
    head = sql(vault, "SELECT sealed FROM head")[0][0]
    ok(quick(vault, "add", ALICE, "-m", "alice three"))
    w = Worker(vault, "view", ALICE)
    assert w.checked
    sql(vault, "UPDATE head SET sealed = ?", head)
    code, _, err = w.run()
    assert code == 5, err


def test_kept_records_are_not_used_for_a_record_with_another_version(vault):
    """The agent opened Bob's record at its count; Bob's own hold, made by
    another process since, moves the head: the worker counts and opens
    every row itself, and `list --json` shows the hold."""
    w = Worker(vault, "list", "--json", records=True)
    assert w.checked
    ok(quick(vault, "hold", BOB, "--reason", "subpoena"))
    code, out, err = w.run()
    assert code == 0, err
    assert [c["hold"] for c in json.loads(out)] == [False, True]


def test_a_record_spoiled_after_the_check_is_caught_by_the_first_command_that_reads_it(vault):
    """A flipped byte past the nonce keeps the record's version: `list` with
    the records the agent opened shows what the agent opened (authentic, and
    the documented limit), and `view` of that client, which reads the record
    whole, refuses."""
    listing = Worker(vault, "list", records=True)
    viewing = Worker(vault, "view", BOB, records=True)
    assert listing.checked and viewing.checked
    meta = sql(vault, "SELECT sealed FROM records WHERE id = 2")[0][0]
    sql(vault, "UPDATE records SET sealed = ? WHERE id = 2", flip(meta, 100))
    code, out, err = listing.run()
    assert code == 0, err
    assert BOB in out
    code, out, err = viewing.run()
    assert code == 5 and out == "" and "record failed authentication" in err, (code, err)
