"""Behaviour that only happens on a real terminal, driven through a pty:
prompts, confirmation, the editor, and "did you mean" with names."""

from __future__ import annotations

import fcntl
import os
import pty
import subprocess
import sys
import termios

import pytest

from ..checks import converse
from ..conftest import PASSPHRASE


def run_on_tty(env_vars: dict, args: list[str], answers: list[tuple[bytes, bytes]] = (),
               timeout: float = 30) -> tuple[int, str]:
    """Run `python -m vault ARGS` with a pty as its controlling terminal.
    `answers` are (prompt fragment, reply) pairs sent when the prompt appears."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in env_vars.items() if v is not None})

    def make_controlling():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([sys.executable, "-m", "vault", *args], stdin=slave, stdout=slave,
                            stderr=slave, env=env, preexec_fn=make_controlling, close_fds=True)
    os.close(slave)
    return converse(master, proc, answers, timeout)


@pytest.fixture
def tty_env(vault_env):
    assert vault_env.run("add", "Jane Doe", "-m", "first note", "--new").exit_code == 0
    return vault_env


def test_a_typo_on_a_terminal_names_the_close_match(tty_env):
    code, shown = run_on_tty(tty_env.env, ["view", "Jane Do"])
    assert code == 4
    assert 'did you mean "Jane Doe"?' in shown


def test_a_new_client_is_created_after_a_yes(tty_env):
    code, shown = run_on_tty(tty_env.env, ["add", "Sam Roe", "-m", "hello"],
                             answers=[(b"Create it?", b"y\n")])
    assert code == 0, shown
    assert tty_env.run("view", "Sam Roe", "--json").exit_code == 0


def test_a_new_client_is_not_created_after_a_no(tty_env):
    code, _ = run_on_tty(tty_env.env, ["add", "Sam Roe", "-m", "hello"],
                         answers=[(b"Create it?", b"n\n")])
    assert code == 4
    assert tty_env.run("view", "Sam Roe").exit_code == 4


def test_the_editor_composes_a_note_and_leaves_no_draft(tty_env, tmp_path):
    record = tmp_path / "draft-path.txt"
    script = tmp_path / "fake-editor.sh"
    script.write_text("#!/bin/sh\nprintf 'written in the editor SENTINEL-ED-5521' >> \"$1\"\n"
                      f"echo \"$1\" > {record}\n")
    script.chmod(0o755)
    code, shown = run_on_tty({**tty_env.env, "VISUAL": str(script)}, ["add", "Jane Doe"])
    assert code == 0, shown
    draft = record.read_text().strip()
    assert not os.path.exists(draft) and not os.path.exists(os.path.dirname(draft))
    view = tty_env.run("view", "Jane Doe", "--json")
    assert "written in the editor SENTINEL-ED-5521" in view.stdout


def test_a_failing_editor_adds_nothing(tty_env, tmp_path):
    script = tmp_path / "bad-editor.sh"
    script.write_text("#!/bin/sh\nprintf 'half written' >> \"$1\"\nexit 3\n")
    script.chmod(0o755)
    code, shown = run_on_tty({**tty_env.env, "VISUAL": str(script)}, ["add", "Jane Doe"])
    assert code == 1 and "editor exited with code 3" in shown
    assert "half written" not in tty_env.run("view", "Jane Doe", "--json").stdout


def test_init_asks_twice_and_refuses_a_mismatch(blank_env):
    env = {**blank_env.env, "VAULT_PASSPHRASE_FILE": None}
    code, shown = run_on_tty(env, ["init", "--kdf-memory", "8", "--kdf-iterations", "1"],
                             answers=[(b"New passphrase", b"one long passphrase\n"),
                                      (b"Repeat", b"another passphrase\n")])
    assert code == 3 and "differ" in shown
    assert not blank_env.path.exists()


def test_init_on_a_terminal_then_unlock_with_the_typed_passphrase(blank_env):
    env = {**blank_env.env, "VAULT_PASSPHRASE_FILE": None}
    code, shown = run_on_tty(env, ["init", "--kdf-memory", "8", "--kdf-iterations", "1"],
                             answers=[(b"New passphrase", PASSPHRASE.encode() + b"\n"),
                                      (b"Repeat", PASSPHRASE.encode() + b"\n")])
    assert code == 0, shown
    assert PASSPHRASE not in shown  # no echo
    assert blank_env.run("list", "--json").exit_code == 0


# -- issue 3: destructive actions confirm on a terminal ------------------------

def test_shred_on_a_terminal_needs_the_name_typed(tty_env):
    code, shown = run_on_tty(tty_env.env, ["shred", "Jane Doe"],
                             answers=[(b"Type the client's name", b"Jane Dough\n")])
    assert code == 6 and "does not match" in shown
    assert tty_env.run("view", "Jane Doe").exit_code == 0
    code, shown = run_on_tty(tty_env.env, ["shred", "Jane Doe"],
                             answers=[(b"Type the client's name", b"  jane   DOE\n")])
    assert code == 0, shown
    assert tty_env.run("view", "Jane Doe").exit_code == 4


def test_redact_on_a_terminal_previews_then_asks(tty_env):
    assert tty_env.run("add", "Jane Doe", "-m", "call 415-555-2671 SECRETWORD").exit_code == 0
    code, shown = run_on_tty(tty_env.env, ["redact", "Jane Doe", "--text", "secretword"],
                             answers=[(b"cannot be undone", b"n\n")])
    assert code == 6 and "SECRETWORD" in shown  # the preview showed it, nothing changed
    assert "SECRETWORD" in tty_env.run("view", "Jane Doe", "--json").stdout
    code, shown = run_on_tty(tty_env.env, ["redact", "Jane Doe", "--text", "secretword"],
                             answers=[(b"cannot be undone", b"y\n")])
    assert code == 0, shown
    text = tty_env.run("view", "Jane Doe", "--json").stdout
    assert "SECRETWORD" not in text and "[REDACTED]" in text
