"""Regressions for defects found in the issue 2 security review. Each test
names the finding it pins down."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from vault.commands import notes as core
from vault.cli import editor, passphrase
from vault.errors import AuthenticationFailed, VaultError
from vault.models import KdfParams

from ..conftest import FAST_KDF


def test_planted_triggers_are_refused_before_anything_is_shown(vault_env):
    """Review #1: a trigger deleting each new log row made every access silent."""
    assert vault_env.run("add", "Jane Doe", "-m", "TRIGGERSENTINEL", "--new").exit_code == 0
    db = sqlite3.connect(vault_env.path)
    db.executescript("CREATE TRIGGER t1 AFTER INSERT ON log BEGIN "
                     "DELETE FROM log WHERE seq = NEW.seq; END;")
    db.close()
    for args in (["view", "Jane Doe"], ["list"], ["add", "Jane Doe", "-m", "x"],
                 ["log", "verify"]):
        result = vault_env.run(*args)
        assert result.exit_code == 5, (args, result.stderr)
        assert "TRIGGERSENTINEL" not in result.stdout and "Jane" not in result.stdout


@pytest.mark.parametrize("args", [["log", "--client", "Jane", "Doe"], ["Jane Doe"],
                                  ["view", "--Jane Doe"], ["view", "X", "--last", "Jane"]])
def test_parser_errors_never_repeat_what_was_typed(vault_env, args):
    """Review #3: 'no such command 'Doe'' put half a name into cron logs."""
    result = vault_env.subprocess(*args)
    assert result.returncode == 2
    assert b"Jane" not in result.stderr and b"Doe" not in result.stderr
    assert result.stderr.startswith(b"vault: error: ")


def test_a_passphrase_fifo_without_writer_times_out(tmp_path, monkeypatch):
    """Review #5: a FIFO with no writer hung the command for ever."""
    fifo = tmp_path / "pw.fifo"
    os.mkfifo(fifo)
    monkeypatch.setattr(passphrase, "FILE_TIMEOUT_S", 0.5)
    started = time.monotonic()
    with pytest.raises(AuthenticationFailed, match="no passphrase within"):
        passphrase.get(str(fifo))
    assert time.monotonic() - started < 5


def test_a_passphrase_pipe_with_a_writer_still_works(tmp_path):
    """Process substitution, `--passphrase-file <(pass show vault)`, is a pipe."""
    fifo = tmp_path / "pw.fifo"
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "wb") as f:
            time.sleep(0.2)
            f.write(b"from a pipe\n")

    thread = threading.Thread(target=writer)
    thread.start()
    assert passphrase.get(str(fifo)) == b"from a pipe"
    thread.join()


def test_a_failed_init_leaves_nothing_behind(tmp_path):
    """Review #6: a failed init left a half-made file that blocked the next try."""
    path = tmp_path / "v" / "vault.sqlite"
    with pytest.raises(Exception):
        core.init(path, b"passphrase", KdfParams(memory_kib=1 << 40, iterations=1,
                                                 parallelism=1))
    assert list(path.parent.iterdir()) == []
    core.init(path, b"passphrase", KdfParams(8192, 1, 1))
    assert path.is_file()


def test_a_vault_path_that_is_not_utf8_works(blank_env, tmp_path):
    """Review #7: a non-UTF-8 path was an internal error and left a 0-byte file."""
    folder = os.fsencode(tmp_path) + b"/caf\xe9"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env["VAULT_PASSPHRASE_FILE"] = str(blank_env.passphrase_file)
    cmd = [sys.executable.encode(), b"-m", b"vault", b"--vault", folder + b"/vault.sqlite"]
    done = subprocess.run(cmd + [b"init", *(a.encode() for a in FAST_KDF)], env=env,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(cmd + [b"add", b"X", b"-m", b"y", b"--new"], env=env,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr


def test_ctrl_c_while_waiting_for_a_busy_vault_exits_130_promptly(vault_env):
    """Review #8: SIGINT was ignored for up to 30 s inside SQLite's busy wait."""
    holder = sqlite3.connect(vault_env.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in vault_env.env.items() if v is not None})
    # If the command ever does not end after Ctrl-C, SIGABRT below makes it
    # print where it was.
    env["PYTHONFAULTHANDLER"] = "1"
    # As a shell starts a foreground command: SIGINT at its default and not
    # blocked. pytest started as a background job (`cmd &` in a script) has
    # SIGINT ignored, and an ignored or blocked SIGINT is inherited through
    # exec: the command then rightly ignores Ctrl-C, as its parent asked.
    inherited = (signal.getsignal(signal.SIGINT), signal.pthread_sigmask(signal.SIG_BLOCK, []))

    def as_from_a_shell() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    proc = subprocess.Popen([sys.executable, "-m", "vault", "list"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=as_from_a_shell)
    # The command says when it starts waiting: Ctrl-C then, not after a guess.
    assert proc.stderr is not None
    said = []
    while b"vault: waiting for another vault command to finish (Ctrl-C stops this one)\n" \
            not in said:
        ready, _, _ = select.select([proc.stderr], [], [], 60)
        assert ready and proc.poll() is None, ("no word of waiting", said)
        said.append(proc.stderr.readline())
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        _, err = proc.communicate(timeout=30)
        raise AssertionError(f"no end 10 s after SIGINT (this process's SIGINT handler "
                             f"and blocked signals: {inherited}); where it was: {err!r}") from None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 130 and b"interrupted" in err
    assert b"Traceback" not in err
    assert time.monotonic() - started < 5


def test_plain_vault_prints_help_and_succeeds(blank_env):
    """Review #15: plain `vault` printed the help as an error, exit 2."""
    done = blank_env.subprocess()
    assert done.returncode == 0 and b"Commands" in done.stdout


def test_options_before_a_log_subcommand_are_refused(vault_env):
    """Review #13: `vault log --json verify` silently ignored --json."""
    result = vault_env.run("log", "--json", "verify")
    assert result.exit_code == 2 and "after `verify`" in result.stderr


def test_an_unparsable_editor_setting_is_a_clear_error(monkeypatch):
    """Review #15: EDITOR with an unbalanced quote was an internal error."""
    monkeypatch.setenv("VISUAL", "vi 'unbalanced")
    with pytest.raises(VaultError, match="cannot parse"):
        editor.compose()


def test_a_closed_stderr_does_not_turn_success_into_failure(vault_env):
    """Review #15: `add ... 2>&-` stored the note but exited 1, inviting a retry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in vault_env.env.items() if v is not None})
    done = subprocess.run(["sh", "-c", f'"{sys.executable}" -m vault add X -m y --new 2>&-'],
                          env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0
    assert vault_env.run("view", "X", "--json").stdout.count('"id"') == 1


# -- issue 3 review ------------------------------------------------------------

def _log(env):
    import json
    return json.loads(env.run("log", "--json").stdout)


def test_a_held_client_found_by_an_everywhere_search_is_logged(vault_env):
    """Issue 3 review #2: the refusal rolled back, leaving a trace-free oracle."""
    assert vault_env.run("add", "Ann", "-m", "met Mallory", "--new").exit_code == 0
    assert vault_env.run("add", "Bob", "-m", "Mallory called", "--new").exit_code == 0
    assert vault_env.run("hold", "Bob", "--reason", "case 12").exit_code == 0
    result = vault_env.run("redact", "--everywhere", "--text", "called", "--dry-run")
    assert result.exit_code == 6
    assert _log(vault_env)[-1]["action"] == "redact-refused"
    assert vault_env.run("redact", "--everywhere", "--text", "zebra", "--dry-run").exit_code == 0
    assert _log(vault_env)[-1]["action"] == "redact-preview"


def test_a_hold_reason_is_not_kept_in_the_log(vault_env):
    """Issue 3 review #3: the reason often names the client and outlived a shred."""
    assert vault_env.run("add", "Ann Smith", "-m", "x", "--new").exit_code == 0
    assert vault_env.run("hold", "Ann Smith", "--reason", "Subpoena Ann Smith v Acme").exit_code == 0
    assert vault_env.run("release", "Ann Smith").exit_code == 0
    assert vault_env.run("shred", "Ann Smith", "--yes").exit_code == 0
    assert "Smith" not in vault_env.run("log", "--json").stdout


def test_shred_never_reports_an_erase_a_reader_prevented(vault_env):
    """Issue 3 review #1: a reader's snapshot kept every old page, yet shred said
    done. Now it either refuses up front or says the erase is pending (exit 1),
    and the pages go as soon as the reader closes and a vault command runs."""
    assert vault_env.run("add", "Ann", "-m", "SHREDSENTINEL " * 500, "--new").exit_code == 0
    reader = sqlite3.connect(vault_env.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM notes").fetchone()
    try:
        result = vault_env.run("shred", "Ann", "--yes")
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert result.exit_code == 1
    assert "nothing was destroyed" in result.stderr or "keeps its old pages" in result.stderr
    if "nothing was destroyed" in result.stderr:
        assert vault_env.run("shred", "Ann", "--yes").exit_code == 0
    assert vault_env.run("list").exit_code == 0
    for p in vault_env.path.parent.iterdir():
        assert b"SHREDSENTINEL" not in p.read_bytes(), p


@pytest.mark.parametrize("start,spec,due", [("2024-02-29", "1y", "2025-03-01"),
                                            ("2025-01-31", "1m", "2025-03-01"),
                                            ("2025-12-31", "1m", "2026-01-31")])
def test_retention_rounds_up_at_the_end_of_a_month(start, spec, due):
    """Issue 3 review #9: clamping to 28 February cut a legal minimum short."""
    from datetime import date
    from vault.validate import calendar_date
    assert calendar_date(spec, "--retain", date.fromisoformat(start)) == date.fromisoformat(due)


@pytest.mark.parametrize("spec", ["²y", "٧y", "99999999d"])
def test_odd_retention_values_are_usage_errors(vault_env, spec):
    """Issue 3 review #8: a superscript digit was an internal error."""
    assert vault_env.run("add", "Ann", "-m", "x", "--new").exit_code == 0
    assert vault_env.run("close", "Ann", "--retain", spec).exit_code == 2


def test_pii_detection_stays_linear_on_long_runs():
    """Issue 3 review #4: the email pattern was quadratic (11 minutes for 1 MB)."""
    from vault.text import detect
    started = time.monotonic()
    detect.find("1" * 300_000)
    detect.find("a." * 150_000 + "@")
    assert time.monotonic() - started < 20  # was minutes; seconds even on a loaded CI
