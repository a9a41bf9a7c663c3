"""`list` through the agent from the listing its full count keeps
(docs/format.md section 14, "`list` through the agent"): every client
opened and sorted once, reused by a worker only when one read of every
client row (Store.client_rows_blob) gives back, byte for byte, the rows it
was made from. Any change to any client row since, by anyone, must fall
back to reading every row, so that the attacks of issue 12 still end in
exit 5; and the output must be the one `list` prints without the agent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


# -- the lines the agent writes after its count (Listing.shown) --------------------

# A worker as the agent forks it, but for the zone: the agent's count (and
# the lines its renderer writes, in the zone this process starts in), then
# the caller's environment as worker._become_the_client sets it, then `list`.
SHOWN_WORKER = r"""
import os, sys, time
from pathlib import Path
from vault import entry
from vault.agent import client
from vault.agent.state import LastVerified
from vault.cli import notes, ui
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

path, passphrase, renderer, zone = Path(sys.argv[1]), sys.argv[2].encode(), sys.argv[3], sys.argv[4]
store = Store.open(path)
kek = UnlockedVault.unlock(store, passphrase).kek
store.close()
render = notes.listing_lines if renderer == "cli" else \
    (lambda clients: (ui.zone_key(), "the agent's lines\n"))
checked = LastVerified(path, lambda: kek, render=render)
checked.records_wanted = True
assert checked.refresh() is not None and checked.current.listing.shown is not None
client.hold(path, kek, None, checked.current)
os.environ["TZ"] = zone
time.tzset()
raise SystemExit(entry.in_process(sys.argv[5:]))
"""


def _shown_worker(venv, renderer: str, agent_zone: str, caller_zone: str, *argv: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in venv.env.items() if v is not None})
    env.update(VAULT_NO_AGENT="1", TZ=agent_zone)
    return subprocess.run([sys.executable, "-c", SHOWN_WORKER, str(venv.path), PASSPHRASE,
                           renderer, caller_zone, *argv],
                          capture_output=True, text=True, env=env, timeout=60)


def _alone(venv, zone: str) -> str:
    """`list` without the agent, in its own process (the zone read at start)."""
    done = venv.subprocess("list", env={"TZ": zone, "VAULT_NO_AGENT": "1"})
    assert done.returncode == 0, done.stderr
    return done.stdout.decode() if isinstance(done.stdout, bytes) else done.stdout


def test_list_prints_the_agents_lines_only_in_the_zone_they_were_written_in(vault):
    """The lines kept are printed as they are when the caller's zone is the
    agent's, and never in another zone: there `list` writes its own."""
    same = _shown_worker(vault, "marker", "UTC0", "UTC0", "list")
    assert (same.returncode, same.stdout) == (0, "the agent's lines\n"), same.stderr
    other = _shown_worker(vault, "marker", "UTC0", "XST-5:30", "list")
    assert other.returncode == 0, other.stderr
    assert other.stdout == _alone(vault, "XST-5:30")
    assert ALICE in other.stdout and "the agent's lines" not in other.stdout
    # --json is not the lines: written afresh.
    as_json = _shown_worker(vault, "marker", "UTC0", "UTC0", "list", "--json")
    assert json.loads(as_json.stdout)[0]["client"] == ALICE


@pytest.mark.parametrize("zones", [("UTC0", "UTC0"), ("XST-5:30", "XST-5:30"),
                                   ("UTC0", "XST-5:30"), ("XST-5:30", "UTC0")])
def test_list_through_the_agents_lines_is_list_without_the_agent(vault, zones):
    """With the CLI's own renderer, in the agent's zone or another, the bytes
    are those of `list` without the agent, in the caller's zone; the two
    zones' outputs differ, so a line kept for the wrong zone would show."""
    agent_zone, caller_zone = zones
    done = _shown_worker(vault, "cli", agent_zone, caller_zone, "list")
    assert done.returncode == 0, done.stderr
    alone = _alone(vault, caller_zone)
    assert done.stdout == alone
    assert alone != _alone(vault, "XST-5:30" if caller_zone == "UTC0" else "UTC0")


def test_a_row_changed_after_the_agent_wrote_its_lines_fails_list(vault):
    """The kept lines do not skip the read of every client row: a row
    retyped after the count still ends `list` with exit 5, nothing shown."""
    Worker(vault, "status").run()   # a log entry more: the head moves past the count
    sql(vault, "UPDATE clients SET uid = CAST(uid AS TEXT) WHERE id = 2")
    done = _shown_worker(vault, "marker", "UTC0", "UTC0", "list")
    assert done.returncode != 0 and "the agent's lines" not in done.stdout
