"""Workers hand the agent's verified state forward (docs/format.md section
14, "Through the agent"; vault/agent/state.py): a command that succeeded
reports the head it wrote, the sum and the version of each client row it
changed, and the agent's next worker adopts that instead of a full count.

What must hold: the state carried forward is exactly what a full count of
the rows finds, after every kind of write, command after command; a report
that does not follow from the kept state is never taken; and an attack made
after a carried-forward state still fails the command that depends on it.

The agent and its workers are played by a child process that runs the code
they run: LastVerified.refresh (the agent's count), then for each command a
fork that holds the key and the kept state (client.hold), runs the ordinary
CLI (entry.in_process) and writes its report (agent.state.report) to a
pipe, as agent/worker.py does; the parent takes it (LastVerified.take) and
compares it with a fresh full count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.test_tamper_matrix import (  # noqa: F401 - fixtures
    ALICE,
    BOB,
    ok,
    refused,
    sql,
    template,
    vault,
)
from vault.agent.state import MAX_REPORT, LastVerified, report
from vault.vaultfile.state import Verified

from ..conftest import PASSPHRASE, VaultEnv
from .test_faults import quick

CHAIN = r"""
import json, os, sys
from pathlib import Path
from vault import entry
from vault.agent import client
from vault.agent.state import LastVerified, report
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

path, passphrase, steps = Path(sys.argv[1]), sys.argv[2].encode(), json.loads(sys.argv[3])
store = Store.open(path)
kek = UnlockedVault.unlock(store, passphrase).kek
store.close()
kept = LastVerified(path, lambda: kek)
kept.refresh()
out = []
for argv in steps:
    if argv == ["<attack>"]:
        print("attack", flush=True)
        sys.stdin.readline()
        continue
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        client.hold(path, kek, None, kept.current)
        code = entry.in_process(argv)
        data = report(client.handed(), kept.current) if code == 0 else None
        os.write(w, json.dumps([code, None if data is None else data.hex()]).encode())
        os._exit(0)
    os.close(w)
    got = b""
    while chunk := os.read(r, 1 << 20):
        got += chunk
    os.close(r)
    os.waitpid(pid, 0)
    code, data = json.loads(got)
    taken = data is not None and kept.take(bytes.fromhex(data))
    if not taken:
        kept.refresh()
    full = LastVerified(path, lambda: kek).refresh()
    c = kept.current
    same = full is not None and c is not None and (c.head, c.rows, dict(c.clients)) == \
        (full.head, full.rows, dict(full.clients))
    out.append({"argv": argv, "code": code, "reported": data is not None, "taken": taken,
                "same": same})
print("result " + json.dumps(out), flush=True)
"""


def chain(venv: VaultEnv, *steps: tuple[str, ...], attack=None) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in venv.env.items() if v is not None})
    env["VAULT_NO_AGENT"] = "1"
    proc = subprocess.Popen([sys.executable, "-c", CHAIN, str(venv.path), PASSPHRASE,
                             json.dumps([list(s) for s in steps])],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    for line in proc.stdout:
        if line.startswith("attack"):
            attack()
            proc.stdin.write("go\n")
            proc.stdin.flush()
        elif line.startswith("result "):
            proc.wait(timeout=120)
            return json.loads(line[len("result "):])
    raise AssertionError(proc.stderr.read() if proc.stderr else "no result")


# -- carried forward, the state is what a full count finds ------------------------------

WRITES = [
    ("add", BOB, "-m", "bob two"),
    ("add", "Carol Crane", "--new", "-m", "carol one"),
    ("view", ALICE),
    ("list",),
    ("alias", "add", BOB, "Bobby"),
    ("hold", BOB, "--reason", "subpoena"),
    ("release", BOB),
    ("rename", "Carol Crane", "Carol Cole"),
    ("tags",),
    ("redact", ALICE, "--text", "one", "--yes"),
    ("export-anonymized", BOB),
    ("close", ALICE),
    ("reopen", ALICE),
    ("shred", "Carol Cole", "--yes"),
    ("search", "bob"),
    ("status",),
]


def test_each_write_carries_the_state_forward_exactly(vault):
    steps = chain(vault, *WRITES)
    for step in steps:
        assert step["code"] == 0, step
        assert step["same"], step   # the kept state is what a full count finds
    # Nothing here should need the agent's full count: each report was taken.
    assert [s["argv"] for s in steps if not s["taken"]] == []
    assert ok(quick(vault, "check")).exit_code == 0


def test_a_destructive_command_counts_every_row_and_still_carries_the_state(vault):
    """redact and shred check everything first (a count of every row); when
    the count finds the rows the worker knew, its state still follows from
    the agent's, and the report is taken."""
    steps = chain(vault, ("redact", ALICE, "--text", "one", "--yes"), ("shred", BOB, "--yes"))
    assert [(s["code"], s["taken"], s["same"]) for s in steps] == [(0, True, True)] * 2


def test_a_failed_command_reports_nothing_and_the_agent_counts(vault):
    steps = chain(vault, ("view", "Nobody Here"), ("add", BOB, "-m", "after"))
    assert steps[0]["code"] != 0 and not steps[0]["reported"]
    assert steps[1]["code"] == 0 and steps[1]["taken"] and steps[1]["same"]


def test_a_write_made_without_the_agent_is_counted_not_carried(vault):
    """A head that moved under the worker (another process wrote) means a
    full count in the worker; its report would not follow from the state
    the agent kept, so it sends none."""
    steps = chain(vault, ("<attack>",), ("add", BOB, "-m", "two"), ("view", BOB),
                  attack=lambda: ok(quick(vault, "add", ALICE, "-m", "elsewhere")))
    assert steps[0]["code"] == 0 and not steps[0]["reported"] and steps[0]["same"]
    assert steps[1]["taken"] and steps[1]["same"]


def test_an_older_record_put_back_after_a_carried_state_is_refused(vault):
    """Bob's record from before `hold`, put back after the hold's state was
    carried forward: the next command on Bob refuses (exit 5), and the one
    after it too (the failed command reports nothing; the agent counts)."""
    old = sql(vault, "SELECT sealed FROM records WHERE id = 2")[0][0]
    steps = chain(vault, ("hold", BOB, "--reason", "subpoena"), ("<attack>",),
                  ("shred", "--expired", "--yes"), ("release", BOB), ("view", BOB),
                  attack=lambda: (sql(vault, "UPDATE records SET sealed = ? WHERE id = 2", old),
                                  sql(vault, "UPDATE clients SET meta = ? WHERE id = 2",
                                      old[:24])))
    assert steps[0]["taken"]
    assert [s["code"] for s in steps[1:]] == [5, 5, 5]
    refused(quick(vault, "check"), 5)   # and in-process, every row counted


# -- the report itself ----------------------------------------------------------------

def _version(i: int) -> tuple[bytes, bytes, bytes]:
    return bytes([i % 256]) * 16, bytes([(i * 7) % 256]) * 32, bytes([(i * 13) % 256]) * 24


VERSIONS = st.dictionaries(st.integers(1, 2**40), st.integers(0, 1000).map(_version),
                           max_size=30)


def _kept(base: Verified) -> LastVerified:
    kept = LastVerified(None, lambda: None)  # type: ignore[arg-type]
    kept.current, kept.stale = base, False
    return kept


@given(VERSIONS, VERSIONS, st.sets(st.integers(1, 2**40), max_size=10),
       st.integers(0, 2**256 - 1), st.binary(min_size=1, max_size=200))
def test_a_report_round_trips_into_the_state_it_describes(before, changed, removed, rows, head):
    base = Verified(b"head-0", 1, before)
    after = {k: v for k, v in {**before, **changed}.items() if k not in removed}
    touched = frozenset(changed) | frozenset(removed)
    data = report((Verified(head, rows, after), touched, False), base)
    kept = _kept(base)
    assert data is not None and kept.take(data)
    assert (kept.current.head, kept.current.rows, dict(kept.current.clients)) == \
        (head, rows, after)
    assert kept.unchecked


def test_what_does_not_follow_from_the_kept_state_is_not_taken():
    base = Verified(b"head-0", 1, {1: _version(1)})
    after = Verified(b"head-1", 2, {1: _version(2)})
    kept = _kept(base)
    assert report((after, frozenset({1}), True), base) is None   # it counted every row
    assert report(None, None) is None                             # it had no kept state
    other = report((after, frozenset({1}), False), Verified(b"head-x", 1, {}))
    assert other is not None and not kept.take(other)             # another base
    kept.stale = True
    assert not kept.take(report((after, frozenset({1}), False), base))   # a count is due
    kept.stale = False
    untouched = report(None, base)
    assert kept.take(untouched) and kept.current is base and not kept.unchecked
    big = {i: _version(i) for i in range(1000)}
    assert report((Verified(b"h", 1, big), frozenset(big), False), base) is None \
        or len(report((Verified(b"h", 1, big), frozenset(big), False), base)) <= MAX_REPORT


@given(st.binary(max_size=300))
def test_garbage_is_never_taken_and_never_raises(data):
    base = Verified(b"head-0", 1, {1: _version(1)})
    kept = _kept(base)
    assert not kept.take(data) or data.startswith(b"vault-state-1")
    assert kept.current is base or data.startswith(b"vault-state-1")


@pytest.mark.parametrize("cut", [1, 10, 20, 60])
def test_a_cut_report_is_not_taken(cut):
    base = Verified(b"head-0", 1, {1: _version(1)})
    data = report((Verified(b"head-1", 2, {1: _version(2), 2: _version(3)}),
                   frozenset({1, 2}), False), base)
    kept = _kept(base)
    assert not kept.take(data[:-cut]) and kept.current is base


def test_a_head_moved_by_another_process_is_never_carried_as_a_delta(vault):
    """Every client shredded without the agent, then a client added through
    it: the worker had to count every row (the head had moved), so its state
    does not follow from the one it was given, even when the count finds
    the same (empty) set of versions it started from; the next `list` must
    not refuse a vault nobody tampered with."""
    def shred_all():
        for name in (ALICE, BOB):
            ok(quick(vault, "shred", name, "--yes"))
    steps = chain(vault, ("<attack>",), ("add", "Carol Crane", "--new", "-m", "c"), ("list",),
                  attack=shred_all)
    assert steps[0]["code"] == 0 and not steps[0]["reported"]
    assert steps[1]["code"] == 0 and steps[1]["same"]


def test_a_session_unlocked_by_passphrase_in_a_worker_reports_nothing(vault, tmp_path):
    """--passphrase-file makes the command unlock with the passphrase, not
    from the agent's state: what it writes is not carried, so the worker
    reports nothing (not "nothing changed") and the agent counts."""
    secret = tmp_path / "pw"
    secret.write_text(PASSPHRASE)
    steps = chain(vault, ("add", BOB, "-m", "by passphrase", "--passphrase-file", str(secret)),
                  ("list",), ("view", BOB))
    assert steps[0]["code"] == 0 and not steps[0]["reported"]
    assert [(s["code"], s["same"]) for s in steps[1:]] == [(0, True), (0, True)]
