"""Crash consistency (issue 7): a real `vault` process killed with SIGKILL at a
random moment leaves a vault that opens, passes `vault check` and `vault log
verify`, still holds every note whose `add` was acknowledged, and shows the
killed operation either complete or not begun.

Six operations: add, redact, shred, passwd, restore and import (jsonl). A
template vault is built once per module. Each trial copies it (add trials
instead keep adding to one vault per lane, so that every note acknowledged so
far must survive each later crash), starts `python -m vault ...` on the copy
and kills it. Even trials: after a delay drawn uniformly from [0, 1.2 x the
length of an un-killed run of the same command, measured first (median of
four)], so kill points fall on start-up, unlocking, the write transaction, the
erasing afterwards and exit in proportion to how long each really takes. Most
of a run is Python starting, so odd trials draw their moment only from the part
of the run after the command opened the vault (again stretched by 1.2) and
count it from the moment that trial's process opens the vault (SQLite's WAL
file appears).

Only the killed command is a real process. The checks after each crash run in
this process, through the functions the CLI itself calls (Store, UnlockedVault,
maintenance.check, core.list_clients, log.verify_log), and trials run in two
lanes at once, which keeps the CI form within its time budget.

CI: 34 trials per operation (204 in all); VAULT_LONG_TESTS=1: 334 each (2,004).
VAULT_CRASH_SEED=N replays the same trials and kill points (kept as fractions
of the measured run, so the moments are the same up to the machine's speed).
The counts are printed in pytest's terminal summary ("reliability evidence").
Replaces tests/cli/test_shred_crash.py.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from vault.commands import transaction
from vault import crypto
from vault.vaultfile import keyring
from vault.errors import CryptoError
from vault.vaultfile.store import Store

from ..checks import ok
from ..conftest import FAST_KDF, PASSPHRASE
from .harness import (SUMMARY, assert_sound, child_env, copy_vault, crash_seed,
                      describe_difference, files_bytes, long_run, make_env, opened,
                      run_killed, snapshot, strays)

TRIALS = 334 if long_run() else 34
LANES = max(1, min(2, os.cpu_count() or 1))
MEASURED_RUNS = 2   # per lane
NEW_PASSPHRASE = "a new passphrase for the crash trials 7"

ALICE, BOB, VICTIM, REDACTEE = "Alice Smith", "Bob Jones", "Victim Name", "Rhea Redact"
GONE, CAROL = "Gone Later", "Carol After"
WORD = "Kestrelwood"   # what `redact --text` strikes
FILLER_CLIENTS, FILLER_NOTES = 8, 10


# -- the template, built once ------------------------------------------------------

@dataclass
class Template:
    env: Any
    path: Path
    before: dict[str, Any]          # what every copy holds
    at_backup: dict[str, Any]       # what the backup holds
    backup: Path
    jsonl: Path
    imported: list[dict[str, Any]]  # the documents in `jsonl`
    new_passphrase: Path
    victim_secrets: list[bytes]     # the victim's wrapped key and note ciphertexts
    redactee_secrets: list[bytes]   # the redacted client's note ciphertexts


def _note_text(name: str, i: int) -> str:
    return f"note {i} of {name}: private words {i * 7919 % 1000}\nsecond line, é ü"


def _secrets(path: Path, client_id: int, with_key: bool) -> list[bytes]:
    conn = sqlite3.connect(path)
    try:
        found = [b for (b,) in conn.execute("SELECT body FROM notes WHERE client_id = ?",
                                            (client_id,))]
        if with_key:
            found += [k for (k,) in conn.execute("SELECT wrapped_key FROM clients "
                                                 "WHERE id = ?", (client_id,))]
    finally:
        conn.close()
    assert found
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    root = tmp_path_factory.mktemp("crash-template")
    env = make_env(root)
    ok(env.run("init", *FAST_KDF))
    for name, count in ((ALICE, 3), (BOB, 3), (VICTIM, 4), (GONE, 2)):
        for i in range(count):
            ok(env.run("add", name, "-m", _note_text(name, i), "--tag", f"t{i}",
                       *(["--new"] if i == 0 else [])))
    for i, text in enumerate([f"Met Mr {WORD} at the clinic.",
                              f"{WORD} called twice. Spoke about {WORD}'s letter.",
                              "Nothing about him today.",
                              f"Last line names {WORD.upper()} in capitals"]):
        ok(env.run("add", REDACTEE, "-m", text, *(["--new"] if i == 0 else [])))
    fillers = root / "fillers.jsonl"
    fillers.write_text("".join(json.dumps({"client": f"Filler Client {c}", "notes": [
        {"created": f"2024-0{1 + n % 9}-1{n % 10}T10:00:00Z", "tags": ["filler"],
         "text": _note_text(f"Filler {c}", n) * 8} for n in range(FILLER_NOTES)]}) + "\n"
        for c in range(FILLER_CLIENTS)))
    ok(env.run("import", "jsonl", str(fillers)))
    with opened(env.path) as s:
        at_backup = snapshot(s)
    backup = root / "backup.vaultbackup"
    ok(env.run("backup", str(backup)))
    for i in range(2):
        ok(env.run("add", ALICE, "-m", _note_text(ALICE, 10 + i)))
        ok(env.run("add", CAROL, "-m", _note_text(CAROL, i), "--new"))
    ok(env.run("shred", GONE, "--yes"))
    with opened(env.path) as s:
        before = snapshot(s)
        victim_id = s.find_client(VICTIM).id
        redactee_id = s.find_client(REDACTEE).id
    assert not (env.path.with_name("vault.sqlite-wal")).exists()

    imported = [{"client": ALICE, "notes": [
                    {"created": "2025-03-01T09:00:00Z", "tags": ["imported"],
                     "text": "imported into an existing client"},
                    {"created": "2025-03-02T09:00:00Z", "tags": [], "text": "second import"}]},
                {"client": "Imported Newcomer", "notes": [
                    {"created": f"2025-04-0{d}T09:00:00Z", "tags": ["imported", "new"],
                     "text": f"imported note {d} of a new client"} for d in range(1, 6)]},
                {"client": "Imported Second", "notes": [
                    {"created": "2025-05-01T09:00:00Z", "tags": [], "text": "one more"}]}]
    jsonl = root / "import.jsonl"
    jsonl.write_text("".join(json.dumps(d) + "\n" for d in imported))
    new_pw = root / "new-passphrase.txt"
    new_pw.write_text(NEW_PASSPHRASE + "\n")
    new_pw.chmod(0o600)
    return Template(env=env, path=env.path, before=before, at_backup=at_backup, backup=backup,
                    jsonl=jsonl, imported=imported, new_passphrase=new_pw,
                    victim_secrets=_secrets(env.path, victim_id, with_key=True),
                    redactee_secrets=_secrets(env.path, redactee_id, with_key=False))


# -- trials ------------------------------------------------------------------------

@dataclass
class Trial:
    op: str
    index: int
    lane: int
    folder: Path
    path: Path
    argv: list[str] = field(default_factory=list)
    opened_with: str = PASSPHRASE   # the passphrase that opened it after the crash

    @property
    def where(self) -> str:
        return (f"{self.op} trial {self.index} (lane {self.lane}; replay with "
                f"VAULT_CRASH_SEED={crash_seed()})")


@dataclass
class Lane:
    index: int
    root: Path
    path: Path | None = None                 # add: the vault this lane keeps adding to
    expected: dict[str, Any] | None = None    # add: what it must hold now
    after: dict[str, Any] | None = None       # the state its un-killed run ended in


class Operation:
    """One command under test. Subclasses say how to run it, and what its
    complete and not-begun states are."""

    name = ""

    def __init__(self, t: Template) -> None:
        self.t = t
        self.after: dict[str, Any] | None = None
        self.lanes: list[Lane] = []

    # -- set-up -----------------------------------------------------------

    def trial(self, lane: Lane, index: int) -> Trial:
        folder = lane.root / f"t{index}"
        return Trial(self.name, index, lane.index, folder,
                     copy_vault(self.t.path, folder), self.argv(index))

    def argv(self, index: int) -> list[str]:
        raise NotImplementedError

    def finished(self, trial: Trial) -> None:
        shutil.rmtree(trial.folder)

    # -- after the crash ----------------------------------------------------

    def passphrase(self, trial: Trial) -> str:
        return PASSPHRASE

    def inspect(self, trial: Trial) -> dict[str, Any]:
        trial.opened_with = self.passphrase(trial)
        with opened(trial.path, trial.opened_with) as session:
            assert_sound(session, trial.where)
            return snapshot(session)

    def outcome(self, trial: Trial, state: dict[str, Any]) -> str:
        """'completed' or 'not happened'; anything else fails."""
        assert self.after is not None
        if state == self.after:
            return "completed"
        if state == self.t.before:
            return "not happened"
        raise AssertionError(f"{trial.where}: the vault is neither as before nor as after "
                             f"the command: {describe_difference(state, self.t.before, self.after)}")

    def after_close(self, trial: Trial, outcome: str) -> None:
        """Checks on the files once the vault has been opened and closed again:
        nothing but the vault and SQLite's own files beside it."""
        assert not strays(trial.folder), (trial.where, strays(trial.folder))

    def check_after(self, state: dict[str, Any]) -> None:
        """What a complete run must have done, checked on the un-killed runs."""


class Add(Operation):
    """Each lane keeps one vault and adds to it trial after trial: every note
    acknowledged (by an exit 0, or found after a crash) must survive every
    later crash, byte for byte. Every third add creates a client with --new:
    the client and its first note appear together or not at all."""

    name = "add"

    def lane_vault(self, lane: Lane) -> None:
        lane.path = copy_vault(self.t.path, lane.root / "chain")
        lane.expected = self.t.before

    def _client(self, lane: int, index: int) -> tuple[str, bool]:
        return (f"Crash Client {lane}-{index}", True) if index % 3 == 0 else (ALICE, False)

    def trial(self, lane: Lane, index: int) -> Trial:
        if lane.path is None:
            self.lane_vault(lane)
        client, new = self._client(lane.index, index)
        argv = ["add", client, "-m", self._text(lane.index, index), "--tag", f"crash-{index}"]
        return Trial(self.name, index, lane.index, lane.path.parent, lane.path,
                     argv + (["--new"] if new else []))

    @staticmethod
    def _text(lane: int, index: int) -> str:
        return f"crash note {lane}-{index}: kept whole or not at all\nline two {index}"

    def outcome(self, trial: Trial, state: dict[str, Any]) -> str:
        lane_expected = self.lanes[trial.lane].expected
        assert lane_expected is not None
        if state == lane_expected:
            return "not happened"
        client, new = self._client(trial.lane, trial.index)
        have = {(n, note) for n, (_, _, notes) in state["clients"].items() for note in notes}
        want = {(n, note) for n, (_, _, notes) in lane_expected["clients"].items()
                for note in notes}
        lost = want - have
        assert not lost, (trial.where, "acknowledged notes lost or changed",
                          sorted(note[0] for _, note in lost))
        extra = have - want
        assert len(extra) == 1, (trial.where, "unexpected notes", len(extra))
        (name, (_, _, tags, text)), = extra
        assert (name, tags, text) == (client, (f"crash-{trial.index}",),
                                      self._text(trial.lane, trial.index)), trial.where
        names = set(lane_expected["clients"]) | ({client} if new else set())
        assert set(state["clients"]) == names, (trial.where, "clients")
        assert state["tombstones"] == lane_expected["tombstones"], trial.where
        self.lanes[trial.lane].expected = state   # acknowledged from now on
        return "completed"

    def finished(self, trial: Trial) -> None:
        pass  # the lane's vault carries on


class Redact(Operation):
    name = "redact"

    def argv(self, index: int) -> list[str]:
        return ["redact", REDACTEE, "--text", WORD, "--yes"]

    @staticmethod
    def redacted(before: dict[str, Any]) -> dict[str, Any]:
        """`before` with WORD struck from the client's notes, in any case."""
        status, hold, notes = before["clients"][REDACTEE]
        notes = tuple((i, created, tags, re.sub(WORD, "[REDACTED]", text, flags=re.I))
                      for i, created, tags, text in notes)
        return {**before, "clients": {**before["clients"], REDACTEE: (status, hold, notes)}}

    def check_after(self, state: dict[str, Any]) -> None:
        assert state == self.redacted(self.t.before)

    def after_close(self, trial: Trial, outcome: str) -> None:
        super().after_close(trial, outcome)
        if outcome == "completed":   # the old ciphertexts are overwritten in every file
            raw = files_bytes(trial.folder)
            assert not any(s in raw for s in self.t.redactee_secrets), trial.where


class Shred(Operation):
    name = "shred"

    def argv(self, index: int) -> list[str]:
        return ["shred", VICTIM, "--yes"]

    def check_after(self, state: dict[str, Any]) -> None:
        expected = {n: v for n, v in self.t.before["clients"].items() if n != VICTIM}
        assert state == {"clients": expected, "tombstones": self.t.before["tombstones"] + 1}

    def after_close(self, trial: Trial, outcome: str) -> None:
        super().after_close(trial, outcome)
        if outcome == "completed":   # key and notes gone from every file, not only hidden
            raw = files_bytes(trial.folder)
            assert not any(s in raw for s in self.t.victim_secrets), trial.where


class Passwd(Operation):
    """Exactly one of the old and the new passphrase opens the vault."""

    name = "passwd"

    def argv(self, index: int) -> list[str]:
        return ["passwd", "--new-passphrase-file", str(self.t.new_passphrase)]

    @staticmethod
    def opens_with(path: Path, passphrase: str) -> bool:
        """Whether the passphrase unwraps the master key; unlike a real unlock,
        a wrong one leaves no `unlock-failed` entry behind."""
        store = Store.open(path)
        try:
            header = store.header()
            kek = keyring._kek(passphrase.encode(), None, header)
            crypto.unseal(kek, header.wrapped_master, keyring._master_aad(header))
            return True
        except CryptoError:
            return False
        finally:
            store.close()

    def passphrase(self, trial: Trial) -> str:
        old = self.opens_with(trial.path, PASSPHRASE)
        new = self.opens_with(trial.path, NEW_PASSPHRASE)
        assert old != new, (trial.where, "old passphrase opens", old, "new opens", new)
        return NEW_PASSPHRASE if new else PASSPHRASE

    def outcome(self, trial: Trial, state: dict[str, Any]) -> str:
        assert state == self.t.before, (trial.where, describe_difference(state, self.t.before))
        return "completed" if trial.opened_with == NEW_PASSPHRASE else "not happened"


class Restore(Operation):
    name = "restore"

    def argv(self, index: int) -> list[str]:
        return ["restore", str(self.t.backup), "--yes"]

    def check_after(self, state: dict[str, Any]) -> None:
        # The backup's content, without the client shredded after it was made.
        expected = {n: v for n, v in self.t.at_backup["clients"].items() if n != GONE}
        assert state == {"clients": expected, "tombstones": self.t.before["tombstones"]}

    def after_close(self, trial: Trial, outcome: str) -> None:
        left = strays(trial.folder)
        if left:
            SUMMARY.note(self.name, "trials leaving the unpacked backup beside the vault")
            assert all(".vault.sqlite.restore-" in name for name in left), (trial.where, left)


class Import(Operation):
    name = "import"

    def argv(self, index: int) -> list[str]:
        return ["import", "jsonl", str(self.t.jsonl)]

    def check_after(self, state: dict[str, Any]) -> None:
        before = self.t.before["clients"]
        for doc in self.t.imported:
            old = before.get(doc["client"], (None, None, ()))[2]
            got = state["clients"][doc["client"]][2]
            # Notes come back by date (issue 15), so the imported ones take
            # their places among the old: every old note is there unchanged,
            # and the rest are exactly the imported ones.
            old_ids = {n[0] for n in old}
            assert [n for n in got if n[0] in old_ids] == list(old)
            assert sorted((n[1], list(n[2]), n[3]) for n in got if n[0] not in old_ids) == \
                sorted((n["created"], n["tags"], n["text"]) for n in doc["notes"])
        assert set(state["clients"]) == set(before) | {d["client"] for d in self.t.imported}


OPERATIONS = [Add, Redact, Shred, Passwd, Restore, Import]


# -- the harness -------------------------------------------------------------------

def _run_trial(op: Operation, t: Template, lane: Lane, index: int,
               delay: float | None, from_open: bool = False) -> tuple[float, float | None]:
    """One run of the command on its trial vault, killed `delay` seconds after
    it started, or after it opened the vault (`from_open`), then every check.
    delay None: the un-killed run that measures the command. Returns how long
    the process ran, and when it opened the vault."""
    trial = op.trial(lane, index)
    run = run_killed(trial.argv, child_env(t.env, trial.path), delay,
                     watch=trial.path if delay is None or from_open else None,
                     from_open=from_open)
    assert "Traceback" not in run.stderr, (trial.where, run.stderr)
    if not run.killed:
        assert run.returncode == 0, (trial.where, run.returncode, run.stderr)
    open_at_kill = run.killed and trial.path.with_name("vault.sqlite-wal").exists()
    state = op.inspect(trial)
    if delay is None:
        op.check_after(state)
        lane.after = state
        outcome = "completed" if op.name != "add" else op.outcome(trial, state)
    else:
        outcome = op.outcome(trial, state)
        SUMMARY.record(op.name, outcome, exited=not run.killed, open_at_kill=open_at_kill)
    if not run.killed:   # it said it was done: it must be
        assert outcome == "completed", (trial.where, "exited 0 but did not happen")
    op.after_close(trial, outcome)
    op.finished(trial)
    return run.seconds, run.opened_at


def kill_delays(name: str, duration: float, opened_at: float) -> list[tuple[float, bool]]:
    """(delay, from_open) per trial. Even trials: uniform over [0, 1.2 x the
    run], counted from the start, start-up included. Odd trials: uniform over
    [0, 1.2 x the part of the run after it opened the vault], counted from the
    moment this run opens it: that is where a crash can do harm, and most of a
    run is Python starting. Drawn from VAULT_CRASH_SEED and the operation's
    name, as fractions, so a replay kills at the same points of the run."""
    rng = random.Random(f"{crash_seed()}/{name}")
    delays = []
    for index in range(TRIALS):
        fraction = rng.uniform(0.0, 1.2)
        if index % 2 == 0:
            delays.append((fraction * duration, False))
        else:
            delays.append((fraction * (duration - opened_at), True))
    return delays


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_killed_command_leaves_a_sound_vault_and_all_or_nothing(operation, template,
                                                                 tmp_path):
    op = operation(template)
    lanes = [Lane(i, tmp_path / f"lane{i}") for i in range(LANES)]
    op.lanes = lanes
    started = time.monotonic()

    # Un-killed, watched runs, two per lane, with the lanes at once as the
    # trials will run: how long the command takes here and now, when it opens
    # the vault (medians, so one slow moment of a busy machine does not
    # stretch every kill delay), and the state it ends in.
    def measure(lane: Lane) -> list[tuple[float, float | None]]:
        return [_run_trial(op, template, lane, -1 - lane.index - LANES * k, None)
                for k in range(MEASURED_RUNS)]

    with ThreadPoolExecutor(LANES) as pool:
        runs = [r for batch in pool.map(measure, lanes) for r in batch]
    duration = statistics.median(r[0] for r in runs)
    opened = [r[1] for r in runs if r[1] is not None]
    opened_at = min(statistics.median(opened), duration) if opened else 0.0
    delays = kill_delays(op.name, duration, opened_at)
    if op.name != "add":
        assert all(lane.after == lanes[0].after for lane in lanes)
        op.after = lanes[0].after
        if op.name != "passwd":
            assert op.after != template.before

    stop = threading.Event()

    def work(lane: Lane) -> None:
        for index in range(lane.index, TRIALS, LANES):
            if stop.is_set():
                return
            try:
                _run_trial(op, template, lane, index, *delays[index])
            except BaseException:
                stop.set()
                raise

    with ThreadPoolExecutor(LANES) as pool:
        for future in [pool.submit(work, lane) for lane in lanes]:
            future.result()

    counts = SUMMARY.counts(op.name)
    counts.run_seconds = duration
    counts.open_seconds = opened_at
    counts.wall_seconds = time.monotonic() - started
    assert counts.trials == TRIALS
    assert counts.completed + counts.not_happened == TRIALS


def test_the_checks_catch_half_a_command_and_a_lost_note(template, tmp_path):
    """The harness is not vacuous: a redaction applied to one note of three
    is neither state, and a note deleted behind the vault's back fails the
    check."""
    path = copy_vault(template.path, tmp_path / "half")
    with opened(path) as session:
        with transaction.command(session):
            client = session.find_client(REDACTEE)
            first = session.notes(client)[0]
            session.rekey_client(client, {first.id: first.text.replace(WORD, "[REDACTED]")})
    op = Redact(template)
    op.after = op.redacted(template.before)
    trial = Trial(op.name, 0, 0, path.parent, path)
    state = op.inspect(trial)    # a sound vault...
    with pytest.raises(AssertionError, match="neither as before nor as after"):
        op.outcome(trial, state)  # ...but half redacted
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM notes WHERE id = (SELECT max(id) FROM notes)")
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError, match="vault check"):
        op.inspect(trial)
