"""The real entry point, `python -m vault`, in child processes.

Covers: every command (init, add, view, list, log, log verify, log
checkpoint, --help) run for real with its exit code; a note piped on stdin;
parser usage errors (exit 2); the documented exit codes of the common
failures; an unexpected internal error (shown as "internal error", a
traceback only with --debug); a folder, a random file, an empty file or a
foreign SQLite database at the vault path; a missing vault (hint naming
`vault init`); and vault files truncated at every 4096-byte boundary (exit
1 or 5, never a traceback). In every error case stdout is empty and stderr
has no traceback.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from ..checks import assert_one_error_line, foreign_sqlite
from ..conftest import FAST_KDF

COMMANDS = ["init", "add", "view", "list", "log"]


def ok(done, stdout_empty=False):
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert b"Traceback" not in done.stderr
    if stdout_empty:
        assert done.stdout == b""
    return done


def error(done, code):
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == code, (done.returncode, done.stdout, err)
    assert done.stdout == b""
    assert_one_error_line(err)
    return err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("vault: error: ")]


# -- help ------------------------------------------------------------------------------

def test_top_level_help_lists_every_command(blank_env):
    done = ok(blank_env.subprocess("--help"))
    out = done.stdout.decode()
    assert out.startswith("Usage: vault")
    commands = out.split("Commands:", 1)[1]
    for name in COMMANDS:
        assert f"  {name} " in commands, name
    assert done.stderr == b""


@pytest.mark.parametrize("cmd", [["init"], ["add"], ["view"], ["list"], ["log"],
                                 ["log", "verify"], ["log", "checkpoint"]])
def test_every_command_has_help(blank_env, cmd):
    done = ok(blank_env.subprocess(*cmd, "--help"))
    out = done.stdout.decode()
    assert out.startswith("Usage: vault " + " ".join(cmd))
    assert not blank_env.path.exists()  # --help touches nothing


def test_no_arguments_shows_help(blank_env):
    done = blank_env.subprocess()
    assert done.returncode in (0, 2)
    assert b"Commands:" in done.stdout + done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["frobnicate"], ["view"], ["list", "--bogus"],
                                  ["view", "X", "--last", "many"], ["log", "nope"]])
def test_usage_errors_exit_2(vault_env, args):
    done = vault_env.subprocess(*args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == b""
    assert b"Traceback" not in done.stderr


# Regression (issue 2): errors are documented as one `vault: error:  ...` line, but parser usage errors are printed by typer in its own  format: 'Usage: vault view [OPTIONS] CLIENT' / \"Try 'vault view  --help' for help.\" / blank / \"Error: No such option: --bogus\"  (cli.VaultGroup.invoke re-raises typer's exceptions)
@pytest.mark.parametrize("args", [["list", "--bogus"], ["view"],
                                  ["view", "X", "--last", "many"]])
def test_usage_errors_are_one_vault_error_line(vault_env, args):
    done = vault_env.subprocess(*args)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[0].startswith("vault: error: ")
    assert_one_error_line(done.stderr.decode())


# -- every command, for real ---------------------------------------------------------

def test_every_command_in_a_real_process(blank_env):
    run = blank_env.subprocess
    init = ok(run("init", *FAST_KDF), stdout_empty=True)
    assert b"created a vault" in init.stderr
    assert blank_env.path.is_file()

    ok(run("add", "Jane Doe", "-m", "by option", "--new", "--tag", "t"), stdout_empty=True)
    piped = "by stdin\nünïcødé 😀\n"
    ok(run("add", "Jane Doe", input=piped.encode()), stdout_empty=True)
    added = json.loads(ok(run("add", "Bob", "-m", "bob", "--new", "--json")).stdout)
    assert added["new_client"] is True

    view = ok(run("view", "Jane Doe")).stdout.decode("utf-8")
    assert "by option" in view and piped in view
    notes = json.loads(ok(run("view", "Jane Doe", "--json")).stdout)["notes"]
    assert [n["text"] for n in notes] == ["by option", piped]

    assert ok(run("list")).stdout.decode().splitlines()[0].startswith("Bob\t1\t")
    assert [c["client"] for c in json.loads(ok(run("list", "--json")).stdout)] == [
        "Bob", "Jane Doe"]
    log = json.loads(ok(run("log", "--json")).stdout)
    assert [e["action"] for e in log][:4] == ["init", "add", "add", "add"]
    # the human log shows one line per entry, including the `log --json` just run
    assert ok(run("log")).stdout.count(b"\n") == len(log) + 1

    verify = ok(run("log", "verify"))
    assert verify.stdout.startswith(b"log ok: ")
    line = ok(run("log", "checkpoint")).stdout.decode()
    assert line.startswith("cv1:") and line.count("\n") == 1
    ok(run("view", "Bob"))  # see test_tamper: a checkpoint at the head itself fails
    ok(run("log", "verify", "--checkpoint", line.strip()))
    report = json.loads(ok(run("log", "verify", "--json")).stdout)
    assert report["ok"] is True and report["entries"] == len(log) + 3


def test_documented_exit_codes_in_a_real_process(vault_env, tmp_path):
    run = vault_env.subprocess
    ok(run("add", "Jane Doe", "-m", "x", "--new"))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("wrong wrong wrong\n")
    error(run("view", "Nobody"), 4)
    error(run("view", "Jane Doe", env={"VAULT_PASSPHRASE_FILE": str(wrong)}), 3)
    error(run("init", *FAST_KDF), 6)
    error(run("add", "Jane Doe", "-m", " "), 2)
    error(run("add", "Jane Doe", input=b"\xff\xfe"), 2)
    error(run("log", "verify", "--checkpoint", "nonsense"), 2)
    error(run("view", "Jane Doe", env={"VAULT_PATH": str(tmp_path / "none.sqlite")}), 1)
    with sqlite3.connect(vault_env.path) as conn:
        conn.execute("UPDATE log SET action = 'list' WHERE seq = 1")
    conn.close()
    error(run("log", "verify"), 5)


# -- internal errors -------------------------------------------------------------------

# A bug injected into the real entry point: the log append fails with an
# exception the program does not expect, after the note was written.
BUGGY_MAIN = ("import sys, vault.vaultfile.unlocked\n"
              "def broken(*args, **kwargs): raise ZeroDivisionError('injected bug')\n"
              "vault.vaultfile.unlocked.UnlockedVault.log = broken\n"
              "from vault.cli import main\n"
              "raise SystemExit(main(sys.argv[1:]))\n")


def run_buggy(env, *args):
    full = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    full.update({k: v for k, v in env.env.items() if v is not None})
    return subprocess.run([sys.executable, "-c", BUGGY_MAIN, *args], capture_output=True,
                          env=full, stdin=subprocess.DEVNULL, timeout=60)


@pytest.fixture
def buggy(vault_env):
    ok(vault_env.subprocess("add", "Jane Doe", "-m", "x", "--new"))
    return vault_env


def test_unexpected_error_says_internal_error_without_a_traceback(buggy):
    err = error(run_buggy(buggy, "add", "Jane Doe", "-m", "y"), 1)
    assert error_lines(err) == ["vault: error: internal error"]
    assert "--debug" in err
    # nothing was half-written
    notes = json.loads(ok(buggy.subprocess("view", "Jane Doe", "--json")).stdout)
    assert len(notes["notes"]) == 1
    ok(buggy.subprocess("log", "verify"))


def test_debug_shows_the_traceback_of_an_internal_error(buggy):
    done = run_buggy(buggy, "--debug", "add", "Jane Doe", "-m", "y")
    assert done.returncode == 1
    assert done.stdout == b""
    assert b"Traceback" in done.stderr and b"injected bug" in done.stderr
    assert b"vault: error: internal error" in done.stderr


def test_a_damaged_row_counter_is_an_integrity_error(vault_env):
    ok(vault_env.subprocess("add", "Jane Doe", "-m", "x", "--new"))
    conn = sqlite3.connect(vault_env.path, isolation_level=None)
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'notes'", (2**63 - 1,))
    conn.close()
    err = error(vault_env.subprocess("add", "Jane Doe", "-m", "y"), 5)
    assert "row counter" in err


def test_vault_path_that_is_a_folder_is_a_clean_error(vault_env, tmp_path):
    for cmd in (["view", "X"], ["list"], ["init", *FAST_KDF], ["log", "verify"]):
        done = vault_env.subprocess(*cmd, env={"VAULT_PATH": str(tmp_path)})
        assert done.returncode in (1, 2), done.stderr
        err = error(done, done.returncode)
        assert "internal error" not in err
        assert len(error_lines(err)) == 1


def test_vault_path_under_a_file_is_a_clean_error(blank_env):
    blocker = blank_env.root / "not-a-folder"
    blocker.write_text("x")
    done = blank_env.subprocess("init", *FAST_KDF,
                                env={"VAULT_PATH": str(blocker / "vault.sqlite")})
    err = error(done, done.returncode)
    assert done.returncode in (1, 2)
    assert "internal error" not in err
    assert blocker.read_text() == "x"


# -- not a vault -----------------------------------------------------------------------

def _random_file(path):
    path.write_bytes(random.Random(5).randbytes(64 * 1024))


def _empty_file(path):
    path.write_bytes(b"")


@pytest.mark.parametrize("make", [_random_file, _empty_file, foreign_sqlite,
                                  lambda p: foreign_sqlite(p, 1)],
                         ids=["random", "empty", "sqlite", "sqlite-version-1"])
@pytest.mark.parametrize("cmd", [["view", "Jane Doe"], ["list"], ["log"],
                                 ["log", "verify"], ["log", "checkpoint"],
                                 ["add", "Jane Doe", "-m", "x", "--new"]])
def test_a_file_that_is_not_a_vault_is_exit_5_in_one_line(blank_env, make, cmd):
    folder = blank_env.path.parent
    folder.mkdir(mode=0o700)
    blank_env.passphrase_file.chmod(0o600)  # no warning about it: only the error
    make(blank_env.path)
    os.chmod(blank_env.path, 0o600)
    before = blank_env.path.read_bytes()
    err = error(blank_env.subprocess(*cmd), 5)
    assert len(err.splitlines()) == 1, err
    assert "not a vault" in err
    assert blank_env.path.read_bytes() == before


def test_missing_vault_is_exit_1_with_a_hint_to_init(blank_env):
    for cmd in (["view", "Jane Doe"], ["list"], ["log"], ["log", "verify"],
                ["log", "checkpoint"], ["add", "Jane Doe", "-m", "x", "--new"]):
        err = error(blank_env.subprocess(*cmd), 1)
        assert "no vault" in err
        assert "vault init" in err
    assert not blank_env.path.exists()


# -- truncated files -------------------------------------------------------------------

def test_truncated_vault_files_never_give_a_traceback(vault_env, tmp_path):
    for i in range(3):
        ok(vault_env.subprocess("add", f"Client {i}", "-m", f"note {i} " * 500, "--new"))
    data = vault_env.path.read_bytes()
    assert len(data) > 8 * 4096
    cases = []
    for size in [*range(0, len(data), 4096), 100, 4096 + 17]:
        folder = tmp_path / f"cut-{size}"
        folder.mkdir(mode=0o700)
        (folder / "vault.sqlite").write_bytes(data[:size])
        os.chmod(folder / "vault.sqlite", 0o600)
        for cmd in (["view", "Client 1"], ["log", "verify", "--no-unlock"]):
            cases.append((size, cmd, folder / "vault.sqlite"))

    def run(case):
        size, cmd, path = case
        return case, vault_env.subprocess(*cmd, env={"VAULT_PATH": str(path)})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, cases))
    for (size, cmd, _), done in results:
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode in (1, 5), (size, cmd, done.returncode, err)
        assert done.stdout == b"", (size, cmd)
        assert_one_error_line(err)
