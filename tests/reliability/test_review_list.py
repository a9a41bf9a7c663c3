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
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from vault.commands import notes as core
from vault.errors import IntegrityError
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..conftest import PASSPHRASE
from .test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
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
