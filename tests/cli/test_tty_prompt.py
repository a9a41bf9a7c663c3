"""Issue 15, item 3: `echo TEXT | vault add NAME` at a terminal.

When stdin is a pipe but the process has a controlling terminal, the
passphrase is asked there (/dev/tty), without echo, as gpg, ssh and sudo
do; also when stderr goes to a file, or the text comes from a file
(`< note.txt`). Not when stdin is /dev/null: that says no one will answer,
so exit 3 at once. A wrong, empty or missing (Ctrl-D) answer there is exit
3 with nothing added; `vault init` and `vault passwd` ask twice there too
(and `passwd` no longer takes the "new" passphrase from the current one's
file). Without any controlling terminal (cron, `setsid`) the command still
exits 3 at once with the hint naming the passphrase sources.

`run_on_tty` here is the one terminal runner of the issue-15 tests: a
pseudo-terminal as the controlling terminal, with stdin that terminal, a
pipe or a file.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..checks import assert_one_error_line, converse, ok
from ..conftest import FAST_KDF, PASSPHRASE

NO_SOURCE = {"VAULT_PASSPHRASE_FILE": None, "VAULT_PASSPHRASE_COMMAND": None}


def _env(env_vars: dict) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    for key, value in env_vars.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_on_tty(env_vars: dict, args: list[str], answers=(), stdin: bytes | Path | None = None,
               stderr: Path | None = None, timeout: float = 30) -> tuple[int, str]:
    """`python -m vault ARGS` with a pty as its controlling terminal and as
    stdout and stderr (stderr: a file instead, if given). stdin is the
    terminal, a pipe carrying `stdin` (bytes) or the file `stdin` (a Path,
    e.g. /dev/null). `answers` are (prompt fragment, reply) pairs, each sent
    once its prompt has appeared on the terminal. An env value of None
    removes the variable."""
    master, slave = pty.openpty()
    name = os.ttyname(slave)

    def controlling() -> None:
        os.setsid()
        # A session leader's first terminal opened becomes its controlling one.
        os.close(os.open(name, os.O_RDWR))

    err = open(stderr, "wb") if stderr is not None else slave
    source = open(stdin, "rb") if isinstance(stdin, Path) else None
    try:
        proc = subprocess.Popen([sys.executable, "-m", "vault", *args],
                                stdin=source or (slave if stdin is None else subprocess.PIPE),
                                stdout=slave, stderr=err, env=_env(env_vars),
                                preexec_fn=controlling, close_fds=True)
    finally:
        os.close(slave)
        for f in (err if stderr is not None else None, source):
            if f is not None:
                f.close()
    if isinstance(stdin, bytes):
        proc.stdin.write(stdin)
        proc.stdin.close()
    return converse(master, proc, answers, timeout)


def detached(venv, args: list[str], stdin: bytes, env: dict | None = None):
    """The command in a session of its own: no controlling terminal at all."""
    return subprocess.run([sys.executable, "-m", "vault", *args], input=stdin,
                          capture_output=True, env=_env({**venv.env, **(env or {})}),
                          start_new_session=True, timeout=60, check=False)


@pytest.fixture
def jane(vault_env):
    ok(vault_env.run("add", "Jane Doe", "-m", "first note", "--new"))
    return vault_env


def texts(venv, client="Jane Doe") -> list[str]:
    return [n["text"] for n in json.loads(ok(venv.run("view", client, "--json")).stdout)["notes"]]


ANSWER = [(b"Passphrase: ", PASSPHRASE.encode() + b"\n")]


def test_the_readme_pipe_asks_the_passphrase_on_the_terminal(jane):
    code, shown = run_on_tty({**jane.env, **NO_SOURCE}, ["add", "jane doe"], ANSWER,
                             stdin=b"Follow-up: sleep better.\n")
    assert code == 0, shown
    assert "Passphrase: " in shown
    assert PASSPHRASE not in shown  # typed without echo
    assert "vault: added note 2" in shown
    assert texts(jane) == ["first note", "Follow-up: sleep better.\n"]


def test_the_prompt_is_on_the_terminal_when_stderr_is_a_file(jane, tmp_path):
    log = tmp_path / "stderr.txt"
    code, shown = run_on_tty({**jane.env, **NO_SOURCE}, ["add", "Jane Doe"], ANSWER,
                             stdin=b"piped, stderr to a file", stderr=log)
    assert code == 0, shown + log.read_text()
    assert "Passphrase: " in shown
    assert log.read_text() == "vault: added note 2\n"
    assert texts(jane)[-1] == "piped, stderr to a file"


def test_text_redirected_from_a_file_asks_on_the_terminal(jane, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("from a file, out of shell history\n")
    code, shown = run_on_tty({**jane.env, **NO_SOURCE}, ["add", "Jane Doe"], ANSWER,
                             stdin=note)
    assert code == 0, shown
    assert texts(jane)[-1] == "from a file, out of shell history\n"


def test_stdin_from_dev_null_means_no_one_answers_exit_3_at_once(jane):
    """`< /dev/null` (and nohup) says no one will answer: not asked on the
    terminal either, so a script run from a terminal cannot hang."""
    started = time.monotonic()
    code, shown = run_on_tty({**jane.env, **NO_SOURCE}, ["list"], stdin=Path(os.devnull))
    assert time.monotonic() - started < 20
    assert code == 3, shown
    assert "Passphrase" not in shown
    assert "vault: error: a passphrase is needed and there is no terminal to ask on" in shown


def test_other_commands_ask_on_the_terminal_when_stdin_is_a_pipe(jane):
    code, shown = run_on_tty({**jane.env, **NO_SOURCE}, ["view", "Jane Doe"], ANSWER,
                             stdin=b"")
    assert code == 0, shown
    assert "first note" in shown


@pytest.mark.parametrize("reply, message", [
    (b"a wrong passphrase\n", "vault: error: wrong passphrase"),
    (b"\n", "vault: error: the passphrase is empty"),
    (b"\x04", "vault: error: no passphrase was given"),  # Ctrl-D
])
def test_a_bad_answer_on_the_terminal_is_exit_3_and_adds_nothing(jane, reply, message):
    code, shown = run_on_tty({**jane.env, **NO_SOURCE}, ["add", "Jane Doe"],
                             [(b"Passphrase: ", reply)], stdin=b"never stored")
    assert code == 3, shown
    assert message in shown
    assert texts(jane) == ["first note"]


def test_without_a_controlling_terminal_a_pipe_still_exits_3_at_once(jane):
    started = time.monotonic()
    done = detached(jane, ["add", "jane doe"], b"Follow-up", env=NO_SOURCE)
    assert time.monotonic() - started < 20
    assert done.returncode == 3, done.stderr
    assert done.stdout == b""
    err = done.stderr.decode()
    assert_one_error_line(err)
    assert ("vault: error: a passphrase is needed and there is no terminal to ask on\n"
            "vault: hint: give the passphrase with --passphrase-file PATH, "
            "VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND\n") == err
    assert texts(jane) == ["first note"]


def test_without_a_controlling_terminal_a_pipe_with_a_source_works(jane):
    done = detached(jane, ["add", "jane doe"], b"from cron")
    assert done.returncode == 0, done.stderr
    assert texts(jane)[-1] == "from cron"


def test_init_asks_twice_on_the_terminal_when_stdin_is_a_pipe(blank_env):
    code, shown = run_on_tty({**blank_env.env, **NO_SOURCE}, ["init", *FAST_KDF],
                             [(b"New passphrase: ", PASSPHRASE.encode() + b"\n"),
                              (b"Repeat the passphrase: ", PASSPHRASE.encode() + b"\n")],
                             stdin=b"")
    assert code == 0, shown
    assert PASSPHRASE not in shown
    ok(blank_env.run("list"))


def test_passwd_asks_the_new_passphrase_on_the_terminal(jane):
    new = "a brand new passphrase for the tty test"
    code, shown = run_on_tty(jane.env, ["passwd", "--kdf-memory", "8", "--kdf-iterations", "1"],
                             [(b"New passphrase: ", new.encode() + b"\n"),
                              (b"Repeat the new passphrase: ", new.encode() + b"\n")],
                             stdin=b"")
    assert code == 0, shown
    assert new not in shown
    jane.passphrase_file.write_text(new + "\n")
    assert texts(jane) == ["first note"]


def test_passwd_without_a_controlling_terminal_exits_3(jane):
    done = detached(jane, ["passwd"], b"")
    assert done.returncode == 3, done.stderr
    assert b"a new passphrase is needed and there is no terminal to ask on" in done.stderr
