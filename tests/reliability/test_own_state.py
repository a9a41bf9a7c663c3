"""A process that runs several commands on one unlocked vault (a script using
the library, or the benchmark) counts every client row once, then
adopts the state its own last command left, as long as no other connection
has committed since (SQLite's data_version; docs/format.md section 14,
"Several commands in one process").

What must hold: the count is skipped only then; any write by another
connection (a second vault process, or an attacker with write access to the
file) brings it back, so the attacks of issue 12 fail the next command with
IntegrityError exactly as in a fresh process; and a command that fails and
rolls back leaves nothing in memory that the next one trusts.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from vault.commands import maintenance
from vault.commands import notes as core
from vault.commands.transaction import command
from vault.errors import IntegrityError, VaultError
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..conftest import PASSPHRASE
from .test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
    BOB,
    ok,
    put_record,
    record,
    sql,
    template,
    vault,
)


class Counted:
    """The session, with the number of full counts of client rows it made."""

    def __init__(self, path: Path) -> None:
        self.session = UnlockedVault.unlock(Store.open(path), PASSPHRASE.encode())
        self.counts = 0
        state = self.session.state
        real = state.count_rows

        def counting(joined: bool = False) -> int:
            self.counts += 1
            return real(joined)
        state.count_rows = counting   # type: ignore[method-assign]

    def add(self, name: str, text: str) -> None:
        core.add(self.session, name, text)

    def texts(self, name: str) -> list[str]:
        return [n.text for n in core.view(self.session, name)[1]]

    def close(self) -> None:
        self.session.store.close()


@pytest.fixture
def own(vault):
    s = Counted(vault.path)
    yield s
    s.close()


def test_later_commands_of_one_process_do_not_count_every_row(own, vault):
    for i in range(5):
        own.add(ALICE, f"session note {i}")
    assert own.texts(ALICE)[-1] == "session note 4"
    # The first command counts (as every fresh process does), the second
    # counts again keeping each row's version; from the third on, none.
    assert own.counts == 2
    report = maintenance.check(own.session)
    assert report.ok, report.problems
    ok(vault.run("check"))   # and a fresh process agrees with every row


def test_a_record_put_back_between_two_commands_fails_the_next_one(own, vault):
    before = record(vault, 2)
    own.add(ALICE, "one")
    own.add(BOB, "two")       # Bob's record is re-sealed
    own.add(ALICE, "three")   # adopted
    put_record(vault, 2, before)   # Bob's older record, as an attacker puts it back
    with pytest.raises(IntegrityError):
        own.add(ALICE, "four")   # even a command on another client: counted again
    with pytest.raises(IntegrityError):
        own.texts(BOB)
    assert sql(vault, "SELECT count(*) FROM notes WHERE client_id = 1")[0][0] == 4   # no "four"


def test_a_deleted_client_between_two_commands_fails_the_next_one(own, vault):
    for text in ("one", "two", "three"):
        own.add(ALICE, text)
    sql(vault, "DELETE FROM notes WHERE client_id = 2")
    sql(vault, "DELETE FROM records WHERE id = 2")
    sql(vault, "DELETE FROM clients WHERE id = 2")
    with pytest.raises(IntegrityError, match="tampering"):
        own.add(ALICE, "four")


def test_another_process_writing_between_commands_is_no_false_alarm(own, vault):
    for text in ("one", "two", "three"):
        own.add(ALICE, text)
    ok(vault.run("add", BOB, "-m", "from another process"))
    own.add(ALICE, "four")   # counted again: no exit 5, nothing lost
    assert own.texts(BOB)[-1] == "from another process"
    assert own.texts(ALICE)[-2:] == ["three", "four"]
    ok(vault.run("check"))


def test_a_command_that_rolls_back_leaves_nothing_trusted(own, vault):
    for text in ("one", "two", "three"):
        own.add(ALICE, text)
    with pytest.raises(RuntimeError):
        with command(own.session):   # a client and a note made, then rolled back
            client = own.session.create_client("Carol Crane", datetime.now(timezone.utc))
            own.session.add_note(client, "never kept", (), datetime.now(timezone.utc))
            raise RuntimeError("interrupted")
    with pytest.raises(VaultError):
        core.view(own.session, "Carol Crane")
    own.add(ALICE, "four")
    own.add(BOB, "five")
    report = maintenance.check(own.session)
    assert report.ok, report.problems
    ok(vault.run("check"))
    assert own.texts(ALICE)[-1] == "four"
