"""The WAL kept between commands while an agent serves the vault
(vaultfile/walhold.py): a small process of the agent's holds one idle
connection, so that a command's close is not the last one.

Covers, through the real CLI: the -wal file stays between commands and the
holder is the agent's child, with no environment and nothing in its argv
but the file; `vault lock` ends it before answering, and the last close
then folds the WAL into the file and removes -wal and -shm; an agent killed
with SIGKILL takes the holder with it (end of file on its stdin); a shred
and a redact through the agent still empty the WAL, so no old ciphertext or
wrapped key stays in -wal beside the file; `vault restore` while unlocked
locks the agent and swaps the file (it was refused while the holder kept
-shm). And `walhold.start` itself: never creates a file, refuses a file that
is not the one the agent verified, or not in WAL mode.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path

from vault.vaultfile import walhold

from ..checks import ok
from ..conftest import FAST_KDF
from .test_agent import agent_pids, kill_agents, unlock, wait_for
from .test_agent import ok as sok
from .test_shred import NOTE_WORDS, VICTIM, on_disk, secrets_of

NAME = "Imogen Vale"


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def _holders(venv) -> list[int]:
    """The holder processes of this vault: children of its agent that run
    `python -I -S -c` with the vault's path as their last argument."""
    found = []
    for agent in agent_pids(venv):
        for child in _children(agent):
            try:
                argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[:-1]
            except OSError:
                continue
            if argv[1:4] == [b"-I", b"-S", b"-c"] and argv[-1] == os.fsencode(venv.path):
                found.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def _companions(venv) -> list[str]:
    return sorted(p.name for p in venv.path.parent.iterdir()
                  if p.name in (venv.path.name + "-wal", venv.path.name + "-shm"))


def test_the_wal_stays_between_commands_and_goes_with_vault_lock(vault_env):
    ok(vault_env.run("add", NAME, "--new", "-m", "before the agent"))
    unlock(vault_env)
    try:
        (holder,) = _holders(vault_env)
        assert Path(f"/proc/{holder}/environ").read_bytes() == b""
        argv = Path(f"/proc/{holder}/cmdline").read_bytes().split(b"\0")[:-1]
        st = vault_env.path.stat()
        assert argv[-3:] == [str(st.st_dev).encode(), str(st.st_ino).encode(),
                             os.fsencode(vault_env.path)]
        for i in range(3):
            sok(vault_env.subprocess("add", NAME, "-m", f"through the agent {i}"))
            assert _companions(vault_env) == ["vault.sqlite-shm", "vault.sqlite-wal"]
        assert _holders(vault_env) == [holder]
        sok(vault_env.subprocess("lock"))
        # `lock` answers once the holder has closed: nothing is left beside the file
        assert not _alive(holder)
        assert _companions(vault_env) == []
    finally:
        kill_agents(vault_env)
    notes = json.loads(ok(vault_env.run("view", NAME, "--json")).stdout)["notes"]
    assert len(notes) == 4
    ok(vault_env.run("check"))


def test_a_killed_agent_takes_its_holder_with_it(vault_env):
    ok(vault_env.run("add", NAME, "--new", "-m", "one"))
    unlock(vault_env)
    (holder,) = _holders(vault_env)
    sok(vault_env.subprocess("add", NAME, "-m", "two"))
    kill_agents(vault_env)
    assert wait_for(lambda: not _alive(holder), 10)
    assert _companions(vault_env) == []   # its close was the last: folded and removed
    assert len(json.loads(ok(vault_env.run("view", NAME, "--json")).stdout)["notes"]) == 2


def test_shred_and_redact_through_the_agent_leave_no_old_ciphertext_beside_the_file(vault_env):
    for i, words in enumerate(NOTE_WORDS):   # secrets_of: the client with 3 notes
        ok(vault_env.run("add", VICTIM, "-m", f"{words} about {VICTIM}",
                         *(["--new"] if i == 0 else [])))
    ok(vault_env.run("add", NAME, "--new", "-m", "Marmalade-orbit 77, to be redacted"))
    victim = secrets_of(vault_env)
    with sqlite3.connect(vault_env.path) as conn:
        (struck,) = conn.execute("SELECT body FROM notes ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    unlock(vault_env)
    try:
        holder = _holders(vault_env)
        sok(vault_env.subprocess("view", VICTIM))       # frames in the held WAL
        sok(vault_env.subprocess("shred", VICTIM, "--yes"))
        note = json.loads(sok(vault_env.subprocess("view", NAME, "--json")).stdout)["notes"][0]
        sok(vault_env.subprocess("redact", NAME, "--note", str(note["id"]),
                                "--text", "Marmalade-orbit 77", "--yes"))
        assert "[REDACTED]" in json.loads(sok(vault_env.subprocess(
            "view", NAME, "--json")).stdout)["notes"][0]["text"]
        assert _holders(vault_env) == holder and holder   # held all along
        raw = on_disk(vault_env)
        for secret in (victim["wrapped"], victim["meta"], *victim["bodies"], struck):
            assert secret not in raw
    finally:
        kill_agents(vault_env)


def test_restore_while_unlocked_locks_the_agent_and_swaps_the_file(vault_env, tmp_path):
    ok(vault_env.run("add", NAME, "--new", "-m", "in the backup"))
    backup = tmp_path / "b.vaultbackup"
    ok(vault_env.run("backup", str(backup)))
    ok(vault_env.run("add", NAME, "-m", "after the backup"))
    unlock(vault_env)
    assert _holders(vault_env)
    try:
        done = sok(vault_env.subprocess("restore", str(backup), "--yes"))
        assert b"restored 1 client(s), 1 note(s)" in done.stderr
        assert agent_pids(vault_env) == []
    finally:
        kill_agents(vault_env)
    notes = json.loads(ok(vault_env.run("view", NAME, "--json")).stdout)["notes"]
    assert [n["text"] for n in notes] == ["in the backup"]


def test_the_holder_never_creates_a_file_and_holds_only_the_verified_one(tmp_path, blank_env):
    missing = tmp_path / "nothing.sqlite"
    assert walhold.start(missing, 0, 0) is None
    assert not missing.exists()
    ok(blank_env.run("init", *FAST_KDF))
    st = blank_env.path.stat()
    assert walhold.start(blank_env.path, st.st_dev, st.st_ino + 1) is None   # another file
    hold = walhold.start(blank_env.path, st.st_dev, st.st_ino)
    assert hold is not None and hold.alive()
    hold.close()
    assert not hold.alive()
    legacy = tmp_path / "rollback.sqlite"            # a SQLite file not in WAL mode
    sqlite3.connect(legacy).execute("CREATE TABLE t (x)").connection.close()
    lst = legacy.stat()
    assert walhold.start(legacy, lst.st_dev, lst.st_ino) is None


def test_the_holder_survives_the_signals_of_a_terminal(blank_env):
    """Ctrl-C or a hang-up in the agent's old terminal must not end it: only
    the end of its stdin does."""
    ok(blank_env.run("init", *FAST_KDF))
    st = blank_env.path.stat()
    hold = walhold.start(blank_env.path, st.st_dev, st.st_ino)
    assert hold is not None
    try:
        for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGPIPE):
            os.kill(hold.process.pid, sig)
        ok(blank_env.run("add", NAME, "--new", "-m", "while held"))
    finally:
        hold.close()
    assert hold.process.returncode == 0   # ended by its stdin, not by a signal (-2, -1, -13)
    assert _companions(blank_env) == []


def test_a_wal_deleted_while_held_is_a_rollback_the_next_command_reports(vault_env):
    """An attacker (or a cleanup script) deletes -wal and -shm while the
    agent holds them: the commits only the WAL held are gone from what a new
    connection sees, and the next command says so (exit 5: the witness file
    names a newer head) instead of showing the older vault."""
    ok(vault_env.run("add", NAME, "--new", "-m", "in the main file"))
    unlock(vault_env)
    (holder,) = _holders(vault_env)
    try:
        sok(vault_env.subprocess("add", NAME, "-m", "only in the WAL"))
        for companion in ("-wal", "-shm"):
            Path(f"{vault_env.path}{companion}").unlink()
        for argv in (("view", NAME), ("list",)):
            done = vault_env.subprocess(*argv)
            assert done.returncode == 5, done.stderr
            assert done.stdout == b"" and b"in the main file" not in done.stderr
    finally:
        kill_agents(vault_env)
    # The holder still had the deleted WAL open: its close, the last, folded it
    # back into the file. Nothing acknowledged was lost after all.
    assert wait_for(lambda: not _alive(holder), 10)
    notes = json.loads(ok(vault_env.run("view", NAME, "--json")).stdout)["notes"]
    assert [n["text"] for n in notes] == ["in the main file", "only in the WAL"]
    ok(vault_env.run("check"))
