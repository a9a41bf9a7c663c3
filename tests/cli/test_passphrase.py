"""Where the passphrase comes from, and what happens when it is wrong or missing.

Covers: a wrong passphrase (exit 3, nothing on stdout, an `unlock-failed`
entry that the next successful unlock reports and signs, the log still
verifying); no terminal and no source (exit 3 at once, no hang, a hint naming
--passphrase-file); `--passphrase-file` after the command name and its
precedence; VAULT_PASSPHRASE_COMMAND (working, failing, empty); empty,
missing and extra-newline passphrase files; `init` refusing an existing file.
"""

from __future__ import annotations

import json
import shlex
import time

import pytest

from ..checks import assert_one_error_line, ok
from ..conftest import FAST_KDF, PASSPHRASE


def auth_failed(result):
    assert result.exit_code == 3, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    return result


def actions(venv):
    return [e["action"] for e in json.loads(ok(venv.run("log", "--json")).stdout)]


@pytest.fixture
def wrong_file(tmp_path):
    path = tmp_path / "wrong.txt"
    path.write_text("not the right passphrase at all\n")
    return path


@pytest.fixture
def with_note(vault_env):
    ok(vault_env.run("add", "Jane Doe", "-m", "secret note", "--new"))
    return vault_env


# -- wrong passphrase ------------------------------------------------------------

def test_wrong_passphrase_exits_3_and_shows_nothing(with_note, wrong_file):
    result = auth_failed(with_note.run("view", "Jane Doe",
                                       env={"VAULT_PASSPHRASE_FILE": str(wrong_file)}))
    assert "wrong passphrase" in result.stderr
    assert "secret note" not in result.stderr


def test_failed_unlock_is_reported_signed_and_the_log_still_verifies(with_note, wrong_file):
    before = with_note.run("log", "verify", "--json")
    before_entries = json.loads(ok(before).stdout)["entries"]
    auth_failed(with_note.run("view", "Jane Doe",
                              env={"VAULT_PASSPHRASE_FILE": str(wrong_file)}))

    # Recorded while locked: an auditor sees it as an unsigned tail entry.
    unsigned = json.loads(ok(with_note.run("log", "verify", "--no-unlock", "--json")).stdout)
    assert unsigned["entries"] == before_entries + 1
    assert unsigned["unsigned_tail"] == 1

    nxt = ok(with_note.run("list"))
    assert "1 failed unlock attempt(s) since the last unlock" in nxt.stderr
    again = ok(with_note.run("list"))
    assert "failed unlock" not in again.stderr  # reported once

    entries = json.loads(ok(with_note.run("log", "--json")).stdout)
    failed = [e for e in entries if e["action"] == "unlock-failed"]
    assert len(failed) == 1
    assert failed[0]["signed"] is True
    assert failed[0]["via"] == "none"
    assert all(e["signed"] for e in entries)

    verified = ok(with_note.run("log", "verify"))
    assert verified.stdout.startswith("log ok:")
    assert "unsigned" not in verified.stdout


def test_several_failed_unlocks_are_counted(with_note, wrong_file):
    for _ in range(3):
        auth_failed(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(wrong_file)}))
    nxt = ok(with_note.run("view", "Jane Doe"))
    assert "3 failed unlock attempt(s)" in nxt.stderr
    assert "secret note" in nxt.stdout


# -- no source, no terminal ------------------------------------------------------

@pytest.mark.parametrize("cmd", [["view", "Jane Doe"], ["list"], ["log"],
                                 ["add", "Jane Doe", "-m", "x"]])
def test_no_source_and_no_terminal_exits_3_at_once_with_a_hint(with_note, cmd):
    started = time.monotonic()
    done = with_note.subprocess(*cmd, env={"VAULT_PASSPHRASE_FILE": None}, timeout=20)
    assert time.monotonic() - started < 20
    assert done.returncode == 3, done.stderr
    assert done.stdout == b""
    err = done.stderr.decode()
    assert_one_error_line(err)
    assert "no terminal" in err
    assert "--passphrase-file" in err


def test_no_source_init_exits_3_and_creates_nothing(blank_env):
    done = blank_env.subprocess("init", *FAST_KDF, env={"VAULT_PASSPHRASE_FILE": None},
                   timeout=20)
    assert done.returncode == 3, done.stderr
    assert b"--passphrase-file" in done.stderr
    assert not blank_env.path.exists()


def test_verify_without_source_checks_signatures_and_warns(with_note):
    done = with_note.subprocess("log", "verify", env={"VAULT_PASSPHRASE_FILE": None},
                   timeout=20)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"log ok:")
    assert b"cut-off tail would go unnoticed" in done.stderr


# -- sources -----------------------------------------------------------------------

def test_passphrase_file_option_after_the_command_name(with_note):
    env = {"VAULT_PASSPHRASE_FILE": None}
    result = ok(with_note.run("view", "Jane Doe", "--passphrase-file",
                              str(with_note.passphrase_file), env=env))
    assert "secret note" in result.stdout
    ok(with_note.run("list", "--passphrase-file", str(with_note.passphrase_file), env=env))
    ok(with_note.run("log", "verify", "--passphrase-file", str(with_note.passphrase_file),
                     env=env))


def test_passphrase_file_option_wins_over_the_environment(with_note, wrong_file):
    result = ok(with_note.run("view", "Jane Doe", "--passphrase-file",
                              str(with_note.passphrase_file),
                              env={"VAULT_PASSPHRASE_FILE": str(wrong_file)}))
    assert "secret note" in result.stdout
    assert "unlock-failed" not in actions(with_note)


def test_wrong_passphrase_file_option_fails_even_with_a_good_environment(with_note,
                                                                         wrong_file):
    auth_failed(with_note.run("list", "--passphrase-file", str(wrong_file)))


@pytest.mark.parametrize("command", [
    "printf '%s' " + shlex.quote(PASSPHRASE),
    "printf '%s\\n' " + shlex.quote(PASSPHRASE),
    "cat {file}",
])
def test_passphrase_command(with_note, command):
    command = command.format(file=shlex.quote(str(with_note.passphrase_file)))
    result = ok(with_note.run("view", "Jane Doe", env={
        "VAULT_PASSPHRASE_FILE": None, "VAULT_PASSPHRASE_COMMAND": command}))
    assert "secret note" in result.stdout


@pytest.mark.parametrize("command,says", [
    ("exit 7", "failed with exit code 7"),
    ("false", "failed with exit code 1"),
    ("definitely-not-a-command-8812", "failed with exit code 127"),
    # the right passphrase from a command that then fails is not trusted
    ("printf '%s' " + shlex.quote(PASSPHRASE) + "; exit 1", "failed with exit code 1"),
    ("printf ''", "is empty"),
])
def test_failing_or_empty_passphrase_command_exits_3(with_note, command, says):
    result = auth_failed(with_note.run("list", env={
        "VAULT_PASSPHRASE_FILE": None, "VAULT_PASSPHRASE_COMMAND": command}))
    assert "VAULT_PASSPHRASE_COMMAND" in result.stderr
    assert says in result.stderr


def test_passphrase_command_cannot_read_the_vaults_stdin(with_note):
    # `cat` would print the passphrase piped to vault if it inherited vault's stdin
    done = with_note.subprocess("list", input=(PASSPHRASE + "\n").encode(), timeout=20,
                                env={"VAULT_PASSPHRASE_FILE": None,
                                     "VAULT_PASSPHRASE_COMMAND": "cat"})
    assert done.returncode == 3, done.stderr
    assert done.stdout == b""
    assert b"VAULT_PASSPHRASE_COMMAND is empty" in done.stderr


def test_passphrase_command_with_the_wrong_output_is_a_wrong_passphrase(with_note):
    auth_failed(with_note.run("list", env={
        "VAULT_PASSPHRASE_FILE": None, "VAULT_PASSPHRASE_COMMAND": "printf nope-nope-nope"}))
    assert "unlock-failed" in actions(with_note)


def test_empty_passphrase_file_exits_3(with_note, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = auth_failed(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(empty)}))
    assert "empty" in result.stderr
    only_newline = tmp_path / "newline.txt"
    only_newline.write_bytes(b"\n")
    auth_failed(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(only_newline)}))
    auth_failed(with_note.run("list", "--passphrase-file", str(empty)))


def test_missing_passphrase_file_exits_3(with_note, tmp_path):
    missing = tmp_path / "does-not-exist.txt"
    result = auth_failed(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(missing)}))
    assert "cannot read the passphrase file" in result.stderr
    auth_failed(with_note.run("list", "--passphrase-file", str(missing)))
    auth_failed(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(tmp_path)}))


def test_only_one_trailing_newline_is_ignored(with_note, tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(PASSPHRASE.encode() + b"\r\n")
    ok(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(crlf)}))
    bare = tmp_path / "bare.txt"
    bare.write_bytes(PASSPHRASE.encode())
    ok(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(bare)}))
    two = tmp_path / "two.txt"
    two.write_bytes(PASSPHRASE.encode() + b"\n\n")
    auth_failed(with_note.run("list", env={"VAULT_PASSPHRASE_FILE": str(two)}))


def test_a_passphrase_file_others_can_read_draws_a_warning(with_note):
    with_note.passphrase_file.chmod(0o644)
    result = ok(with_note.run("list"))
    assert "can be read by other users" in result.stderr
    with_note.passphrase_file.chmod(0o600)
    assert "can be read by other users" not in ok(with_note.run("list")).stderr


# -- init ----------------------------------------------------------------------------

def test_init_refuses_an_existing_vault_and_leaves_it_byte_identical(with_note):
    before = with_note.path.read_bytes()
    result = with_note.run("init", *FAST_KDF)
    assert result.exit_code == 6, result.stderr
    assert result.stdout == ""
    assert "already exists" in result.stderr
    assert with_note.path.read_bytes() == before
    assert "secret note" in ok(with_note.run("view", "Jane Doe")).stdout


def test_init_with_passphrase_file_option_then_unlock_with_it(blank_env, tmp_path):
    pw = tmp_path / "init-pw.txt"
    pw.write_text("a different, long passphrase 7\n")
    pw.chmod(0o600)
    env = {"VAULT_PASSPHRASE_FILE": None}
    ok(blank_env.run("init", *FAST_KDF, "--passphrase-file", str(pw), env=env))
    ok(blank_env.run("add", "Jane Doe", "-m", "x", "--new", "--passphrase-file", str(pw),
                     env=env))
    auth_failed(blank_env.run("list"))  # the fixture's passphrase is not this vault's


def test_init_warns_about_a_short_passphrase_but_creates_the_vault(blank_env, tmp_path):
    pw = tmp_path / "short.txt"
    pw.write_text("short\n")
    pw.chmod(0o600)
    result = ok(blank_env.run("init", *FAST_KDF, env={"VAULT_PASSPHRASE_FILE": str(pw)}))
    assert "shorter than 12 characters" in result.stderr
    assert blank_env.path.is_file()


def test_init_refuses_any_existing_file(blank_env):
    blank_env.path.parent.mkdir()
    blank_env.path.write_bytes(b"my precious data")
    result = blank_env.run("init", *FAST_KDF)
    assert result.exit_code == 6
    assert blank_env.path.read_bytes() == b"my precious data"
