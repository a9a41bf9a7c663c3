"""`vault shred`: destroying a client's file for good, one by name or every
expired one.

Covers, for `shred CLIENT`: refusal without a terminal and without --yes, and
under legal hold (exit 6, nothing changed); an unknown client (exit 4); after
--yes the name behaves exactly like one that never existed (view, add without
--new, log --client: same exit code, same stderr), `list` no longer shows it,
`log --json` never names it, and the vault file and its -wal/-shm hold neither
the name, nor its notes' text, nor their old ciphertexts, nor the client's old
wrapped key; a tombstone keeps only the opaque uid; other clients stay intact
and the log verifies; the same name can be added again and starts empty, with
none of the old log entries. For `shred --expired`: which clients are due
(closed, retention date today or earlier, not held), the dry run and its JSON,
refusal without --yes, the JSON after shredding, every other client readable
byte for byte, and CLIENT with --expired being a usage error.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from ..checks import code, db, ok

ALICE = "Alice Smith"
VICTIM = "Bartholomew Q"
NEVER = "Kasimir Z"
NOTE_WORDS = ["Xylophone-rhubarb 991", "Zanzibar-quokka 772", "Mulberry-tantrum 553"]


def snapshot(venv):
    with db(venv) as conn:
        return (conn.execute("SELECT * FROM clients ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM notes ORDER BY id").fetchall())


def view_json(venv, name):
    return json.loads(ok(venv.run("view", name, "--json")).stdout)


def names(venv):
    return [c["client"] for c in json.loads(ok(venv.run("list", "--json")).stdout)]


def on_disk(venv) -> bytes:
    return b"".join(p.read_bytes() for p in (venv.path, Path(f"{venv.path}-wal"),
                                             Path(f"{venv.path}-shm"),
                                             Path(f"{venv.path}-journal")) if p.exists())


@pytest.fixture
def office(vault_env):
    """Alice (2 notes) stays; Bartholomew Q (3 notes) is to be shredded."""
    ok(vault_env.run("add", ALICE, "-m", "alice first", "--new", "--tag", "intake"))
    for i, words in enumerate(NOTE_WORDS):
        ok(vault_env.run("add", VICTIM, "-m", f"{words} about {VICTIM}",
                         *(["--new"] if i == 0 else [])))
    ok(vault_env.run("add", ALICE, "-m", "alice second"))
    ok(vault_env.run("view", VICTIM))
    return vault_env


def secrets_of(venv):
    """The victim's uid, wrapped key, meta and note ciphertexts, read before shredding."""
    with db(venv) as conn:
        rows = conn.execute("SELECT c.id, c.uid, c.wrapped_key, r.sealed, c.blind "
                            "FROM clients c JOIN records r USING (id)").fetchall()
        bodies = {cid: [b for (b,) in conn.execute(
            "SELECT body FROM notes WHERE client_id = ?", (cid,))] for cid, *_ in rows}
    victim = [r for r in rows if len(bodies[r[0]]) == 3]
    assert len(victim) == 1
    cid, uid, wrapped, meta, blind = victim[0]
    return {"uid": uid, "wrapped": wrapped, "meta": meta, "blind": blind,
            "bodies": bodies[cid]}


# -- refusals --------------------------------------------------------------------------

def test_refused_without_a_terminal_and_without_yes(office):
    before = snapshot(office)
    result = code(office.run("shred", VICTIM), 6)
    assert result.stdout == ""
    assert snapshot(office) == before
    assert len(view_json(office, VICTIM)["notes"]) == 3


def test_refused_under_legal_hold(office):
    ok(office.run("hold", VICTIM, "--reason", "Case 4411"))
    before = snapshot(office)
    result = code(office.run("shred", VICTIM, "--yes"), 6)
    assert "legal hold" in result.stderr
    assert VICTIM not in result.stderr
    assert snapshot(office) == before
    ok(office.run("release", VICTIM))
    ok(office.run("shred", VICTIM, "--yes"))
    code(office.run("view", VICTIM), 4)


def test_an_unknown_client_is_not_found(office):
    before = snapshot(office)
    code(office.run("shred", NEVER, "--yes"), 4)
    assert snapshot(office) == before


# -- shredding one client ------------------------------------------------------------

def test_a_shredded_client_is_indistinguishable_from_one_that_never_existed(office):
    hinted = code(office.run("view", "Bartholomew"), 4)
    assert "similar" in hinted.stderr  # before: the typo points at the client
    ok(office.run("shred", VICTIM, "--yes"))
    assert code(office.run("view", "Bartholomew"), 4).stderr == \
        code(office.run("view", "Kasimir"), 4).stderr  # after: no trace in the hints
    for cmd in (["view", "{}"], ["view", "{}", "--json"], ["add", "{}", "-m", "x"],
                ["log", "--client", "{}"], ["shred", "{}", "--yes"], ["close", "{}"],
                ["redact", "{}", "--text", "x", "--yes"]):
        gone = office.run(*[a.format(VICTIM) for a in cmd])
        never = office.run(*[a.format(NEVER) for a in cmd])
        assert gone.exit_code == never.exit_code == 4, (cmd, gone.stderr, never.stderr)
        assert gone.stdout == never.stdout == ""
        assert gone.stderr == never.stderr, cmd
    assert names(office) == [ALICE]


def test_shred_removes_every_trace_from_the_vault_file(office):
    old = secrets_of(office)
    raw = on_disk(office)
    assert old["wrapped"] in raw and all(b in raw for b in old["bodies"])  # visible before
    alice = view_json(office, ALICE)

    result = ok(office.run("shred", VICTIM, "--yes", "--json"))
    assert len(result.stdout.splitlines()) == 1
    json.loads(result.stdout)
    assert VICTIM not in result.stderr

    raw = on_disk(office)
    # The blind index would let someone with the passphrase test a guessed name.
    needles = {"old wrapped key": old["wrapped"], "old meta": old["meta"],
               "old blind index": old["blind"]}
    needles.update({f"note ciphertext {i}": b for i, b in enumerate(old["bodies"])})
    for text in [VICTIM, *NOTE_WORDS]:
        needles[text] = text.encode()
        needles[text + " (utf-16-le)"] = text.encode("utf-16-le")
    for what, needle in needles.items():
        assert needle not in raw, what

    assert view_json(office, ALICE) == alice
    log = ok(office.run("log", "--json")).stdout
    assert VICTIM not in log and not any(w in log for w in NOTE_WORDS)
    assert "shred" in [e["action"] for e in json.loads(log)]
    ok(office.run("log", "verify"))

    with db(office) as conn:
        tombstones = conn.execute("SELECT uid, shredded FROM tombstones").fetchall()
        assert [uid for uid, _ in tombstones] == [old["uid"]]
        assert conn.execute("SELECT count(*) FROM clients WHERE uid = ?",
                            (old["uid"],)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 2


def test_the_same_name_can_be_added_again_and_starts_empty(office):
    ok(office.run("shred", VICTIM, "--yes"))
    ok(office.run("add", VICTIM, "-m", "a new beginning", "--new"))
    data = view_json(office, VICTIM)
    assert [n["text"] for n in data["notes"]] == ["a new beginning"]
    listed = {c["client"]: c for c in json.loads(ok(office.run("list", "--json")).stdout)}
    assert listed[VICTIM]["notes"] == 1 and listed[VICTIM]["status"] == "open"
    # none of the old client's log entries are attributed to the new one
    mine = json.loads(ok(office.run("log", "--client", VICTIM, "--json")).stdout)
    assert [e["action"] for e in mine] == ["add", "view"]
    ok(office.run("log", "verify"))


def test_the_real_entry_point_shreds_too(office):
    old = secrets_of(office)
    result = office.subprocess("shred", VICTIM, "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    raw = on_disk(office)
    assert old["wrapped"] not in raw and not any(b in raw for b in old["bodies"])
    assert VICTIM.encode() not in raw
    code(office.run("view", VICTIM), 4)


# -- shred --expired -------------------------------------------------------------------

PAST, FUTURE = "2001-01-01", (date.today() + timedelta(days=400)).isoformat()
TODAY = date.today().isoformat()


@pytest.fixture
def retention(vault_env):
    """Open, due (past, today), undated, future, held-and-due."""
    plan = {"Open Olga": None, "Past Pavel": ["--retain-until", PAST],
            "Today Tamsin": ["--retain-until", TODAY], "Undated Uma": [],
            "Future Fiona": ["--retain-until", FUTURE],
            "Held Hector": ["--retain-until", PAST]}
    for name, close in plan.items():
        ok(vault_env.run("add", name, "-m", f"first note of {name}", "--new"))
        ok(vault_env.run("add", name, "-m", f"second note of {name}", "--tag", "t"))
        if close is not None:
            ok(vault_env.run("close", name, *close))
    ok(vault_env.run("hold", "Held Hector", "--reason", "Case 9"))
    return vault_env


DUE = ["Past Pavel", "Today Tamsin"]
KEPT = ["Open Olga", "Undated Uma", "Future Fiona", "Held Hector"]


def test_expired_dry_run_names_what_is_due_and_changes_nothing(retention):
    before = snapshot(retention)
    result = ok(retention.run("shred", "--expired", "--dry-run", "--json"))
    assert len(result.stdout.splitlines()) == 1
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    assert sorted(data["due"]) == DUE
    assert data["held"] == ["Held Hector"]
    assert snapshot(retention) == before
    plain = ok(retention.run("shred", "--expired", "--dry-run"))
    assert all(n in plain.stdout for n in DUE + ["Held Hector"])  # names are data: stdout
    assert not any(n in plain.stdout for n in KEPT[:3])
    assert not any(n in plain.stderr for n in DUE + KEPT)
    assert snapshot(retention) == before


def test_expired_without_yes_is_refused(retention):
    before = snapshot(retention)
    result = code(retention.run("shred", "--expired"), 6)
    assert result.stdout == ""
    assert snapshot(retention) == before


def test_expired_shreds_exactly_the_due_clients(retention):
    views = {n: ok(retention.run("view", n)).stdout for n in KEPT}
    views_json = {n: view_json(retention, n) for n in KEPT}
    result = ok(retention.run("shred", "--expired", "--yes", "--json"))
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout) == {"dry_run": False, "shredded": 2, "notes": 4,
                                         "held": 1, "backups": []}
    assert not any(n in result.stderr for n in DUE + KEPT)  # cron logs stay clean
    for name in DUE:
        code(retention.run("view", name), 4)
    for name in KEPT:
        assert ok(retention.run("view", name)).stdout == views[name]
        assert view_json(retention, name) == views_json[name]
    assert sorted(names(retention)) == sorted(KEPT)
    raw = on_disk(retention)
    for name in DUE:
        assert f"note of {name}".encode() not in raw
    ok(retention.run("log", "verify"))
    # a second run finds nothing more to do
    assert json.loads(ok(retention.run("shred", "--expired", "--yes", "--json")).stdout) == \
        {"dry_run": False, "shredded": 0, "notes": 0, "held": 1, "backups": []}


def test_a_reopened_client_is_never_due(retention):
    ok(retention.run("reopen", "Past Pavel"))
    data = json.loads(ok(retention.run("shred", "--expired", "--dry-run", "--json")).stdout)
    assert data["due"] == ["Today Tamsin"]


@pytest.mark.parametrize("args", [["Past Pavel", "--expired", "--yes"],
                                  ["Past Pavel", "--expired", "--dry-run"]])
def test_a_name_with_expired_is_a_usage_error(retention, args):
    before = snapshot(retention)
    result = code(retention.run("shred", *args), 2)
    assert result.stdout == ""
    assert snapshot(retention) == before
