"""`list` through the agent from the listing its full count keeps
(docs/format.md section 14, "`list` through the agent"): every client
opened and sorted once, reused by a worker only when one read of every
client row (Store.client_rows_blob) gives back, byte for byte, the rows it
was made from. Any change to any client row since, by anyone, must fall
back to reading every row, so that the attacks of issue 12 still end in
exit 5; and the output must be the one `list` prints without the agent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vault.agent.state import LastVerified, report
from vault.vaultfile.state import Listing, Verified
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..conftest import PASSPHRASE
from .test_agent_verified_state import Worker, older_record, put_back, refused_5
from .test_faults import quick
from .test_tamper_matrix import ALICE, BOB, ok, sql, template, vault  # noqa: F401


def test_the_listing_lists_what_list_lists_without_the_agent(vault):
    plain = ok(quick(vault, "list")).stdout
    as_json = ok(quick(vault, "list", "--json")).stdout
    for argv, expected in ((("list",), plain), (("list", "--json"), as_json)):
        code, out, err = Worker(vault, *argv, records=True).run()
        assert code == 0, err
        assert out == expected


def test_an_older_record_put_back_after_the_count_fails_list(vault):
    old = older_record(vault)
    w = Worker(vault, "list", records=True)
    assert w.checked
    put_back(vault, old)
    refused_5(w.run())


@pytest.mark.parametrize("attack", ["planted", "deleted", "retyped", "bytes moved"])
def test_a_client_row_changed_after_the_count_fails_list(vault, attack):
    """Each leaves rows that a read of every row sees as other than the
    ones the agent counted: a row more, a row fewer, the same bytes as TEXT
    instead of BLOB, one byte moved from the opaque id into the blind index
    (the same concatenation of bytes, rows of other sizes)."""
    w = Worker(vault, "list", records=True)
    assert w.checked
    if attack == "planted":
        sql(vault, "INSERT INTO clients SELECT 9, randomblob(16), randomblob(32), wrapped_key, "
                   "meta FROM clients WHERE id = 1")
        sql(vault, "INSERT INTO records SELECT 9, sealed FROM records WHERE id = 1")
    elif attack == "deleted":
        sql(vault, "DELETE FROM notes WHERE client_id = 2")
        sql(vault, "DELETE FROM records WHERE id = 2")
        sql(vault, "DELETE FROM clients WHERE id = 2")
    elif attack == "retyped":
        sql(vault, "UPDATE clients SET uid = CAST(uid AS TEXT) WHERE id = 2")
        assert sql(vault, "SELECT typeof(uid) FROM clients WHERE id = 2") == [("text",)]
    else:
        uid, blind = sql(vault, "SELECT uid, blind FROM clients WHERE id = 2")[0]
        sql(vault, "UPDATE clients SET uid = ?, blind = ? WHERE id = 2", uid[:15], uid[15:] + blind)
    code, out, err = w.run()
    assert code == 5 and out == "", (code, out, err)


def test_the_listing_is_carried_past_a_list_and_dropped_by_a_change(vault):
    """A worker's report that changed no client row (a `list`: a log entry)
    keeps the listing for the next worker; one that changed a row drops it."""
    store = Store.open(vault.path)
    kek = UnlockedVault.unlock(store, PASSPHRASE.encode()).kek
    store.close()
    checked = LastVerified(Path(vault.path), lambda: kek)
    checked.records_wanted = True
    first = checked.refresh()
    assert first is not None and isinstance(first.listing, Listing)
    assert [c.name for c in first.listing.clients] == [ALICE, BOB]
    assert first.listing.notes == sum(c.notes for c in first.listing.clients)

    def take(touched: frozenset[int], head: bytes) -> bool:
        base = checked.current
        assert base is not None
        handed = (Verified(head, base.rows, base.clients, base.opened), touched, False)
        return checked.take(report(handed, base))

    assert take(frozenset(), b"\x01" * 40)
    assert checked.current is not None and checked.current.listing is first.listing
    assert take(frozenset({2}), b"\x02" * 40)
    assert checked.current is not None and checked.current.listing is None
