"""The agent as command server (issue 13): the same command, the same bytes.

Two copies of one vault: `agent` with `vault unlock`'s agent running (every
command goes through the thin client to a worker), `alone` with
VAULT_NO_AGENT=1 (every command in-process, with the passphrase). Each
representative command runs on both; stdout, stderr (with the vault's path
written <VAULT>) and exit code must be identical.

Also: `| head -1` through the agent; Ctrl-C (SIGINT to the client) reaches
the worker and ends in exit 130 with nothing written; the log says `via
agent` for a worker's entries; `vault --help`, `vault status` and a usage
error through the agent.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from ..conftest import FAST_KDF, VaultEnv, copy_vault, private_env
from .test_agent import JANE, NO_SOURCE, agent_pids, kill_agents, ok, unlock, wait_for

ALONE = {"VAULT_NO_AGENT": "1"}
# The two copies' commands run seconds apart: times are not compared.
TIME = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?Z?)?")
LONG = "\n".join(f"line {i} of a long note" for i in range(20_000))


def fresh(root):
    root.mkdir(parents=True)
    return private_env(root)


@pytest.fixture
def pair(tmp_path):
    """(agent, alone): the same vault twice, the first unlocked."""
    template = fresh(tmp_path / "template")
    template.passphrase_file.chmod(0o600)
    assert template.run("init", *FAST_KDF).exit_code == 0
    for args in (("add", JANE, "--new", "-m", "first visit #intake"),
                 ("add", JANE, "-m", "Phone 555-0100, seen 2026-03-01 #followup"),
                 ("add", "Anna Lind", "--new", "-m", "second client, a short note"),
                 ("add", "Mira Ösel", "--new", "-m", "unicode: café, ß, 東京")):
        assert template.run(*args).exit_code == 0
    venvs = []
    for name in ("agent", "alone"):
        venv = copy_vault(template, fresh(tmp_path / name))
        venv.passphrase_file.chmod(0o600)
        venvs.append(venv)
    agent, alone = venvs
    unlock(alone)          # the same log entries in both; then `alone` has none
    kill_agents(alone)
    unlock(agent)
    yield agent, alone
    kill_agents(agent)


def both(pair, *args: str, input: bytes | None = None):
    agent, alone = pair
    a = agent.subprocess(*args, input=input)
    b = alone.subprocess(*args, input=input, env=ALONE)

    def shown(done, venv: VaultEnv):
        return [TIME.sub(b"<TIME>", s.replace(os.fsencode(venv.path), b"<VAULT>")
                         .replace(os.fsencode(venv.root), b"<ROOT>"))
                for s in (done.stdout, done.stderr)]
    assert (a.returncode, *shown(a, agent)) == (b.returncode, *shown(b, alone)), args
    return a


REPRESENTATIVE = [
    ("list",), ("list", "--json"), ("view", JANE), ("view", JANE, "--json"),
    ("view", "Mira Ösel"), ("view", "jane doe-agentov"), ("view", "Nobody At All"),
    ("search", "visit"), ("search", "nothing-matches-this"), ("tags",),
    ("add", JANE, "-m", "a third note #followup"), ("add", "New Person", "--new", "-m", "hi"),
    ("add", "Unknown Person", "-m", "no such client"), ("add", JANE),
    ("close", "Anna Lind"), ("hold", JANE, "--reason", "audit"),
    ("log", "verify"), ("check",), ("inbox",),
    ("--help",), ("view", "--help"), ("help", "add"), ("bogus",), ("view",), ("--version",),
    ("view", JANE, "--vault"),
]


@pytest.mark.parametrize("args", REPRESENTATIVE, ids=lambda a: " ".join(a))
def test_the_same_bytes_and_exit_code_with_and_without_the_agent(pair, args):
    both(pair, *args)


def test_a_sequence_of_writes_leaves_the_same_vault(pair):
    for args in (("add", JANE, "-m", "one"), ("rename", "Anna Lind", "Anna Lindqvist"),
                 ("alias", "add", JANE, "JD"), ("view", "JD"), ("release", JANE),
                 ("list", "--json"), ("view", JANE, "--json")):
        both(pair, *args)
    agent, _ = pair
    entries = json.loads(ok(agent.subprocess("log", "--json")).stdout)
    after_unlock = [e for e in entries if e["seq"] > 5]
    assert after_unlock[0]["action"] == "unlock"
    assert {e["via"] for e in after_unlock[1:]} == {"agent"}


def test_stdin_text_goes_through_the_agent(pair):
    both(pair, "add", JANE, input=b"piped text, through the worker's stdin\n")
    agent, _ = pair
    notes = json.loads(ok(agent.subprocess("view", JANE, "--json")).stdout)["notes"]
    assert notes[-1]["text"] == "piped text, through the worker's stdin\n"


def test_head_1_through_the_agent(pair):
    agent, alone = pair
    ok(agent.subprocess("add", JANE, input=LONG.encode()))
    ok(alone.subprocess("add", JANE, input=LONG.encode(), env=ALONE))
    script = ('"$0" -m vault view "$1" | head -1; echo "status ${PIPESTATUS[0]}" >&2')
    results = []
    for venv, extra in ((agent, {}), (alone, ALONE)):
        env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
        env.update({k: v for k, v in {**venv.env, **extra}.items() if v is not None})
        done = subprocess.run(["bash", "-c", script, sys.executable, JANE], env=env,
                              capture_output=True, timeout=60)
        results.append((done.stdout, done.stderr.replace(os.fsencode(venv.path), b"<VAULT>")))
    # stdout and stderr alike; the exit status may be 0 or 141 (PIPE_CLOSED),
    # by when the writer sees the reader gone, with or without the agent
    assert [r[0] for r in results] == [r[0] for r in results[:1]] * 2
    assert results[0][0] == f"client: {JANE}\n".encode()
    for _, err in results:
        assert err in (b"status 0\n", b"status 141\n"), err


def test_ctrl_c_reaches_the_worker(pair):
    """SIGINT to the client (what Ctrl-C sends its process group) is forwarded:
    the worker, waiting for the note on stdin, ends as `vault` does on
    Ctrl-C, exit 130, one line, nothing added."""
    agent, _ = pair
    (pid,) = agent_pids(agent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in agent.env.items() if v is not None})
    proc = subprocess.Popen([sys.executable, "-m", "vault", "add", JANE], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: _workers(pid), 20)   # the command is in the worker
        proc.send_signal(signal.SIGINT)
        # stdin stays open: the worker waits on it until the SIGINT arrives
        # (through the client, once it knows the worker's pid)
        proc.wait(timeout=20)
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        proc.kill()
        proc.stdin.close()
    assert proc.returncode == 130, err
    assert err == b"vault: error: interrupted\n" and out == b""
    assert len(json.loads(ok(agent.subprocess("view", JANE, "--json")).stdout)["notes"]) == 2
    assert agent_pids(agent) == [pid]


def _workers(agent_pid: int) -> list[int]:
    """The agent's live workers. A worker that has ended but is not reaped
    yet (a zombie, say of the previous command) is not one: counting it let
    a test signal a client still starting, before it handles Ctrl-C."""
    try:
        children = open(f"/proc/{agent_pid}/task/{agent_pid}/children").read().split()
    except OSError:
        return []
    return [int(c) for c in children if _alive(int(c))]


def _alive(pid: int) -> bool:
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"   # the state, after "(comm) "


def test_status_and_help_through_the_agent(pair):
    agent, _ = pair
    data = json.loads(ok(agent.subprocess("status", "--json", env=NO_SOURCE)).stdout)
    assert data["unlocked"] is True
    assert b"Usage: vault" in ok(agent.subprocess("--help", env=NO_SOURCE)).stdout


# -- the thin client itself ----------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")
@pytest.mark.parametrize("xdg", [None, "/somewhere/data", "relative/data", ""])
def test_the_default_vault_folder_is_the_one_platformdirs_names(monkeypatch, xdg):
    from platformdirs import user_data_dir

    from vault import paths
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    assert str(paths.default_folder()) == user_data_dir("client-vault", appauthor=False)


def test_the_thin_client_loads_the_standard_library_only():
    code = ("import sys; import vault.entry; from vault.agent import client; "
            "client.through_agent(['view', 'x']); "
            "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, env=env).stdout.split())
    assert not loaded & {"typer", "rich", "click", "nacl", "argon2", "sqlite3", "_sqlite3",
                         "platformdirs", "phonenumbers"}, loaded


@pytest.mark.parametrize("argv, expected", [
    (["view", "X"], ("view", None)),
    (["--vault", "/a", "view", "X"], ("view", "/a")),
    (["view", "X", "--vault=/b"], ("view", "/b")),
    (["--vault", "/a", "view", "--vault", "/c"], ("view", "/c")),
    (["--debug", "unlock"], ("unlock", None)),
    ([], (None, None)),
])
def test_the_thin_client_reads_the_command_and_vault_as_the_cli_does(argv, expected):
    from vault.agent.client import command_and_vault
    assert command_and_vault(argv) == expected


# -- terminals, prompts and the editor through the agent ----------------------------------

def _texts(venv, client: str) -> list[str]:
    done = ok(venv.subprocess("view", client, "--json", env=ALONE))
    return [n["text"] for n in json.loads(done.stdout)["notes"]]


def test_a_question_on_the_terminal_through_the_agent(pair):
    from .test_tty_prompt import run_on_tty
    agent, _ = pair
    code, shown = run_on_tty({**agent.env, **NO_SOURCE}, ["add", "Brand New", "-m", "hello"],
                             [(b"Create it? [y/N] ", b"y\n")])
    assert code == 0, shown
    assert 'No client named "Brand New". Create it? [y/N]' in shown
    assert _texts(agent, "Brand New") == ["hello"]
    entries = json.loads(ok(agent.subprocess("log", "--json")).stdout)
    assert entries[-2]["action"] == "add" and entries[-2]["via"] == "agent"


def test_a_question_on_dev_tty_while_stdin_is_a_pipe_through_the_agent(pair):
    """`echo TEXT | vault add NAME`: the question goes to the controlling
    terminal, which the client passed to the worker."""
    from .test_tty_prompt import run_on_tty
    agent, _ = pair
    code, shown = run_on_tty({**agent.env, **NO_SOURCE}, ["add", "Piped Person"],
                             [(b"Create it? [y/N] ", b"y\n")], stdin=b"piped in\n")
    assert code == 0, shown
    assert _texts(agent, "Piped Person") == ["piped in\n"]


def test_the_editor_through_the_agent(pair, tmp_path):
    from .test_tty_prompt import run_on_tty
    agent, _ = pair
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nfor last; do :; done\n'
                      'test -t 0 && test -t 1 && printf "written in the editor\\n" > "$last"\n')
    editor.chmod(0o700)
    code, shown = run_on_tty({**agent.env, **NO_SOURCE, "EDITOR": str(editor),
                              "VISUAL": None}, ["add", JANE])
    assert code == 0, shown
    assert _texts(agent, JANE)[-1] == "written in the editor\n"
