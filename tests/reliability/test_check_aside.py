"""`vault check` walks a long log in a child process while it decrypts the
notes (vault/vaultfile/aside.py). Whatever the child does, the report is the
walk of check's own snapshot: the same findings as the walk in process, and
the walk in process whenever the child cannot answer for that snapshot."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from vault.commands import maintenance, notes as core
from vault.commands.transaction import command
from vault.vaultfile import aside, verified
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..unit.test_vaultfile import FAST, PW

ENTRIES = 60   # aside.MIN_ENTRIES is lowered to this in the tests below


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "v" / "vault.sqlite"
    core.init(path, PW, FAST)
    s = UnlockedVault.unlock(Store.open(path), PW)
    core.add(s, "Ann Ames", "first", create=True)
    core.add(s, "Bo Bell", "second", create=True)
    while s.store.last_log_row()[0] < ENTRIES:
        core.list_clients(s)
    yield s
    s.store.close()


def sql(session, statement: str, *args) -> None:
    db = sqlite3.connect(session.store.path)
    with db:
        db.execute(statement, args)
    db.close()


def flip(b: bytes) -> bytes:
    return b[:-1] + bytes([b[-1] ^ 1])


def findings(session, *, aside_walk: bool, answers: list | None = None,
             monkeypatch=None, first: bool = True) -> tuple:
    """check's report in the fields a user sees; `first`: as the first check
    on this machine (no record of how far the log was verified)."""
    if first:
        verified.Record(session.store, session.keyring).file.unlink(missing_ok=True)
    monkeypatch.setattr(aside, "MIN_ENTRIES", ENTRIES if aside_walk else 10**9)
    real = aside._verification

    def spy(d):
        if answers is not None:
            answers.append(d)
        return real(d)
    monkeypatch.setattr(aside, "_verification", spy)
    r = maintenance.check(session)
    return (r.ok, r.problems, r.clients, r.notes, r.log_entries, r.signatures_verified,
            r.signatures_known)


TAMPERING = {
    "none": None,
    "an entry's detail edited": ("UPDATE log SET detail = ? WHERE seq = 20", b"\x00" * 8),
    "an entry deleted": ("DELETE FROM log WHERE seq = 30",),
    "a signature flipped": "flip",
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_the_walk_aside_finds_what_the_walk_in_process_finds(session, monkeypatch, what):
    attack = TAMPERING[what]
    if attack == "flip":
        sig = sqlite3.connect(session.store.path).execute(
            "SELECT signature FROM log WHERE seq = 40").fetchone()[0]
        sql(session, "UPDATE log SET signature = ? WHERE seq = 40", flip(sig))
    elif attack is not None:
        sql(session, *attack)
    answers: list = []
    aside_found = findings(session, aside_walk=True, answers=answers, monkeypatch=monkeypatch)
    assert len(answers) == 1 and "report" in answers[0]   # the child walked, and answered
    in_process = findings(session, aside_walk=False, monkeypatch=monkeypatch)
    assert aside_found == in_process
    assert aside_found[0] == (what == "none")


def test_a_second_check_takes_the_signatures_verified_before_through_the_child(
        session, monkeypatch):
    first = findings(session, aside_walk=True, monkeypatch=monkeypatch)
    again = findings(session, aside_walk=True, monkeypatch=monkeypatch, first=False)
    assert first[0] and again[0]
    assert first[5] > 0 and again[5] == 0 and again[6] == first[5] + first[6]


def test_a_write_between_the_two_snapshots_makes_check_walk_its_own(session, monkeypatch):
    """The child compares the log's tail with the one check saw; here check is
    told another tail, as if a note had been added in between: the child
    answers "moved" and check walks its own snapshot."""
    real_tail = aside.tail
    monkeypatch.setattr(aside, "tail", lambda store: [None, -1])
    answers: list = []
    moved = findings(session, aside_walk=True, answers=answers, monkeypatch=monkeypatch)
    assert answers == [{"moved": True}]
    monkeypatch.setattr(aside, "tail", real_tail)
    assert moved == findings(session, aside_walk=False, monkeypatch=monkeypatch)
    assert moved[0]


@pytest.mark.parametrize("python", ["/bin/false", "/nonexistent/python"])
def test_a_child_that_dies_or_cannot_start_leaves_check_to_walk(session, monkeypatch, python):
    monkeypatch.setattr(aside, "PYTHON", python)
    answers: list = []
    found = findings(session, aside_walk=True, answers=answers, monkeypatch=monkeypatch)
    assert answers == []
    assert found[0] and found[4] >= ENTRIES


def test_vault_check_through_the_cli_walks_a_long_log_aside(tmp_path):
    """The real command on a log past aside.MIN_ENTRIES: the same report as
    the function's walk in process, and the verified-through record moves."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update(XDG_STATE_HOME=str(tmp_path / "state"), VAULT_NO_AGENT="1")
    path = tmp_path / "v" / "vault.sqlite"
    core.init(path, PW, FAST)
    s = UnlockedVault.unlock(Store.open(path), PW)
    core.add(s, "Ann Ames", "first", create=True)
    with command(s):   # one transaction: 5,000 commits would take half a minute
        while s.store.last_log_row()[0] < aside.MIN_ENTRIES:
            s.log("list", detail={"clients": 1})
    s.store.close()
    pw = tmp_path / "pw"
    pw.write_bytes(PW)
    pw.chmod(0o600)
    env.update(VAULT_PATH=str(path), VAULT_PASSPHRASE_FILE=str(pw))
    done = subprocess.run([sys.executable, "-m", "vault", "check", "--json"], env=env,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["log_entries"] >= aside.MIN_ENTRIES


def test_the_child_gets_none_of_the_settings_vault_reads(session, monkeypatch, tmp_path):
    """A passphrase file or command named in the environment stays with
    `vault`: the child is told on stdin all it needs."""
    seen = tmp_path / "env.txt"
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\nenv > {seen}\nexit 1\n")
    fake.chmod(0o700)
    monkeypatch.setenv("VAULT_PASSPHRASE_FILE", "/somewhere/pw")
    monkeypatch.setenv("VAULT_PASSPHRASE_COMMAND", "pass show vault")
    monkeypatch.setattr(aside, "PYTHON", str(fake))
    found = findings(session, aside_walk=True, monkeypatch=monkeypatch)
    assert found[0]   # the child failed: check walked itself
    env = seen.read_text()
    assert "PATH=" in env and "VAULT_" not in env
