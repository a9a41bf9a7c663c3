"""The agent under misuse (issue 13): no key material for any request a
same-user process can form, and it keeps serving whatever its clients do.

Covers: a fuzzed request space (ops, versions, fields, descriptors) whose
replies never hold the KEK, the wrapped master key or the signing key; 8
concurrent clients x 50 `add` through one agent give exactly 400 notes; a
client killed mid-command (its worker gets SIGHUP, the vault stays whole);
a worker killed by a signal (its client hears 128 + N, the agent lives on);
the agent killed while a worker runs (the worker finishes and reports
itself); an agent that goes away before the command starts, a stale socket,
and an agent of protocol 1 (all: the command runs in-process); two vaults
with two agents; a `run` request from another uid (root only) runs nothing.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from vault.agent import protocol

from .test_agent import (
    JANE,
    NO_SOURCE,
    _as_other_user,
    agent_pids,
    frame,
    kill_agents,
    ok,
    reply_of,
    runtime_folder,
    secret_office,  # noqa: F401 - a fixture
    talk,
    the_kek,
    the_socket,
    unlock,
    wait_for,
)
from .test_agent import office  # noqa: F401 - a fixture
from .test_agent_paths import _workers, fresh


def _env(venv, extra=None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in {**venv.env, **(extra or {})}.items() if v is not None})
    return env


def notes_of(venv, client=JANE) -> list[str]:
    done = ok(venv.subprocess("view", client, "--json", env={"VAULT_NO_AGENT": "1"}))
    return [n["text"] for n in json.loads(done.stdout)["notes"]]


def waiting_add(venv, text_env=None) -> subprocess.Popen:
    """`vault add JANE` through the agent, its worker waiting for stdin."""
    return subprocess.Popen([sys.executable, "-m", "vault", "add", JANE], env=_env(venv, text_env),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# -- no key material -----------------------------------------------------------------

def _secrets(venv, passphrase: str) -> dict[str, bytes]:
    kek = the_kek(venv, passphrase)
    conn = sqlite3.connect(f"file:{venv.path}?mode=ro", uri=True)
    try:
        blobs = [b for row in conn.execute("SELECT * FROM header") for b in row
                 if isinstance(b, bytes) and len(b) >= 24]
    finally:
        conn.close()
    found = {"kek": kek, "kek hex": kek.hex().encode(), "kek b64": base64.b64encode(kek)}
    for i, blob in enumerate(blobs):   # salt, wrapped master key, public keys...
        found[f"header blob {i}"] = blob
        found[f"header blob {i} hex"] = blob.hex().encode()
    return found


def test_no_request_a_same_uid_process_can_form_gets_key_material(secret_office):  # noqa: F811
    venv, passphrase = secret_office
    unlock(venv)
    sock = the_socket(venv)
    needles = _secrets(venv, passphrase)
    rng = random.Random(13)
    vault = str(venv.path)
    ops = ["key", "status", "lock-not", "run", "kek", "seed", "sign", "wrapped", "export",
           "dump", "index", "", None, 1, ["key"], {"op": "key"}]
    values = [None, True, 0, -1, 2 ** 70, "", "x" * 300, vault, [vault], {"vault": vault},
              "../" * 20, "\u0000", "é" * 50]
    replies = []
    for _ in range(400):
        message = {"v": rng.choice([1, 2, 2, 2, 3, "2", True]), "op": rng.choice(ops),
                   "vault": rng.choice([vault, vault, vault + "x", None, 7])}
        for _ in range(rng.randrange(4)):
            message[rng.choice(["argv", "env", "cwd", "streams", "size", "key", "pad"])] = \
                rng.choice(values)
        message = {k: v for k, v in message.items() if v is not None or rng.random() < .3}
        replies.append(talk(sock, frame(message)))
    # `run` with descriptors: well-formed and not, from this process
    r, w = os.pipe()
    try:
        for argv in (["status"], ["view", JANE], ["--help"], ["bogus"], 7, ["view", 3]):
            for streams in ([["utf-8", "strict", False]] * 3, [["nope", "strict", False]] * 3,
                            None):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(20)
                with s, protocol.address(sock) as where:
                    s.connect(where)
                    protocol.send(s, {"v": 2, "op": "run", "vault": vault, "argv": argv,
                                      "cwd": "/", "env": {"NO_COLOR": "1"}, "size": None,
                                      "streams": streams}, fds=[r, w, w], limit=protocol.MAX_RUN)
                    data = b""
                    while chunk := s.recv(65536):
                        data += chunk
                    replies.append(data)
    finally:
        os.close(r)
        os.close(w)
    assert any(reply_of(x) and reply_of(x).get("until") for x in replies)   # some were valid
    assert any(b'"exit":0' in x for x in replies)                           # some ran
    for data in replies:
        for what, needle in needles.items():
            assert needle not in data, what
    assert agent_pids(venv)
    ok(venv.subprocess("view", JANE, env=NO_SOURCE))


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="needs root to act as a second user")
def test_another_uid_can_run_nothing(office):  # noqa: F811
    unlock(office)
    folder, sock = runtime_folder(office), the_socket(office)
    before = len(notes_of(office))
    os.chmod(folder, 0o711)
    os.chmod(sock, 0o777)
    try:
        got = _as_other_user(folder, sock.name, frame(
            {"v": 2, "op": "run", "vault": str(office.path), "argv": ["add", JANE, "-m", "x"],
             "cwd": "/", "env": {}, "size": None, "streams": [["utf-8", "strict", False]] * 3}))
    finally:
        os.chmod(sock, 0o600)
        os.chmod(folder, 0o700)
    assert got == b"C:", got
    assert len(notes_of(office)) == before


# -- many clients ---------------------------------------------------------------------

CLIENT_LOOP = """
import sys
from vault.agent.client import through_agent
for i in range(50):
    code = through_agent(["add", sys.argv[1], "-m", f"note {sys.argv[2]}-{i}"])
    assert code == 0, code
"""


def test_eight_concurrent_clients_times_50_adds_give_400_notes(office):  # noqa: F811
    unlock(office)
    ok(office.subprocess("add", "Many Hands", "--new", "-m", "start"))
    procs = [subprocess.Popen([sys.executable, "-c", CLIENT_LOOP, "Many Hands", str(n)],
                              env=_env(office, NO_SOURCE), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for n in range(8)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    texts = notes_of(office, "Many Hands")
    assert len(texts) == 401
    assert sorted(texts[1:]) == sorted(f"note {n}-{i}" for n in range(8) for i in range(50))
    entries = json.loads(ok(office.subprocess("log", "--json")).stdout)
    assert sum(1 for e in entries if e["action"] == "add" and e["via"] == "agent") == 401
    ok(office.subprocess("log", "verify"))
    assert len(agent_pids(office)) == 1


# -- clients, workers and agents that go away -------------------------------------------

def test_a_client_killed_mid_command(office):  # noqa: F811
    unlock(office)
    (agent,) = agent_pids(office)
    proc = waiting_add(office)
    assert wait_for(lambda: _workers(agent), 20)
    proc.kill()
    proc.wait()
    assert wait_for(lambda: not _workers(agent), 20)   # the worker got SIGHUP
    assert agent_pids(office) == [agent]
    ok(office.subprocess("check"))
    ok(office.subprocess("log", "verify"))
    assert notes_of(office) == ["first visit"]


def test_a_crashed_worker_is_reported_and_the_agent_lives_on(office, tmp_path):  # noqa: F811
    """The worker crashes mid-command (its $EDITOR sends it SIGSEGV): the
    client hears 128 + 11, nothing is added, the agent serves on."""
    from .test_tty_prompt import run_on_tty
    unlock(office)
    (agent,) = agent_pids(office)
    editor = tmp_path / "crash.sh"
    editor.write_text("#!/bin/sh\nkill -SEGV $PPID\nsleep 5\n")
    editor.chmod(0o700)
    code, shown = run_on_tty({**office.env, **NO_SOURCE, "EDITOR": str(editor),
                              "VISUAL": None}, ["add", JANE])
    assert code == 128 + signal.SIGSEGV, shown
    assert agent_pids(office) == [agent]
    ok(office.subprocess("add", JANE, "-m", "after the crash", env=NO_SOURCE))
    assert notes_of(office) == ["first visit", "after the crash"]


def test_the_agent_killed_while_a_worker_runs(office):  # noqa: F811
    """The worker holds its own end of the connection: it finishes the
    command and reports the exit code itself."""
    unlock(office)
    (agent,) = agent_pids(office)
    proc = waiting_add(office)
    assert wait_for(lambda: _workers(agent), 20)
    os.kill(agent, signal.SIGKILL)
    assert wait_for(lambda: not agent_pids(office), 10)
    out, err = proc.communicate(b"written after the agent died", timeout=30)
    assert proc.returncode == 0, err
    assert notes_of(office) == ["first visit", "written after the agent died"]
    entries = json.loads(ok(office.subprocess("log", "--json")).stdout)
    assert entries[-2]["action"] == "add" and entries[-2]["via"] == "agent"


def _fake_agent(path: Path, answer) -> tuple[threading.Thread, list[bytes]]:
    """A listener at the agent's socket that reads one request and answers
    it with `answer(request bytes)` (None: hang up)."""
    heard: list[bytes] = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    with protocol.address(path) as where:
        listener.bind(where)
    listener.listen(4)
    listener.settimeout(60)

    def serve() -> None:
        with listener:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    heard.append(conn.recv(1 << 20))
                    reply = answer(heard[-1])
                    if reply is not None:
                        conn.sendall(reply)
                except OSError:
                    pass
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread, heard


@pytest.mark.parametrize("answer", [
    lambda req: None,                                                     # gone before start
    lambda req: frame({"v": 1, "ok": False, "error": "malformed request"}),  # protocol 1
    lambda req: frame({"v": 2, "ok": False, "error": "locked"}),
    lambda req: b"\x00\x00",                                              # half a reply
], ids=["hangs-up", "protocol-1", "locked", "garbage"])
def test_an_agent_that_does_not_start_the_command_means_in_process(vault_env, answer,
                                                                   monkeypatch):
    ok(vault_env.subprocess("add", JANE, "--new", "-m", "first visit"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", vault_env.env["XDG_RUNTIME_DIR"])
    path = protocol.socket_path(vault_env.path)
    thread, heard = _fake_agent(path, answer)
    ok(vault_env.subprocess("add", JANE, "-m", "in-process after all"))
    thread.join(10)
    assert heard and b'"op":"run"' in heard[0]
    entries = json.loads(ok(vault_env.subprocess("log", "--json",
                                                 env={"VAULT_NO_AGENT": "1"})).stdout)
    assert entries[-2]["action"] == "add" and entries[-2]["via"] == "passphrase"
    assert notes_of(vault_env)[-1] == "in-process after all"


def test_a_stale_socket_means_in_process(office):  # noqa: F811
    unlock(office)
    (agent,) = agent_pids(office)
    os.kill(agent, signal.SIGKILL)
    assert wait_for(lambda: not agent_pids(office), 10)
    assert the_socket(office).exists()     # left behind
    ok(office.subprocess("add", JANE, "-m", "with the passphrase"))
    assert notes_of(office)[-1] == "with the passphrase"
    unlock(office)                          # and a new agent takes its place
    ok(office.subprocess("view", JANE, env=NO_SOURCE))


def test_two_vaults_two_agents(office, tmp_path):  # noqa: F811
    other = fresh(tmp_path / "other")
    other.env["XDG_RUNTIME_DIR"] = office.env["XDG_RUNTIME_DIR"]    # one user, one folder
    ok(other.subprocess("init", "--kdf-memory", "8", "--kdf-iterations", "1"))
    ok(other.subprocess("add", "Other Client", "--new", "-m", "in the other vault"))
    try:
        unlock(office)
        unlock(other)
        assert len(list(runtime_folder(office).glob("agent-*.sock"))) == 2
        assert b"first visit" in ok(office.subprocess("view", JANE, env=NO_SOURCE)).stdout
        assert b"in the other vault" in ok(other.subprocess("view", "Other Client",
                                                            env=NO_SOURCE)).stdout
        ok(office.subprocess("lock", env=NO_SOURCE))
        assert wait_for(lambda: not agent_pids(office), 10)
        assert json.loads(ok(other.subprocess("status", "--json")).stdout)["unlocked"]
        ok(other.subprocess("view", "Other Client", env=NO_SOURCE))
    finally:
        kill_agents(other)


# -- a request sent is never run twice ---------------------------------------------------

def test_a_client_that_gives_up_waiting_does_not_run_the_command_itself(vault_env, monkeypatch,
                                                                         capfd):
    """Once the `run` request is sent, the agent may start it: a client that
    hears nothing reports an error instead of running it in-process too."""
    from vault.agent import client, thin
    monkeypatch.setenv("XDG_RUNTIME_DIR", vault_env.env["XDG_RUNTIME_DIR"])
    monkeypatch.setenv("VAULT_PATH", str(vault_env.path))
    monkeypatch.delenv("VAULT_NO_AGENT", raising=False)
    monkeypatch.setattr(thin, "ANSWER_TIMEOUT_S", 0.05)
    path = protocol.socket_path(vault_env.path)
    silent = threading.Event()
    thread, heard = _fake_agent(path, lambda req: silent.wait(30) and None)
    try:
        assert client.through_agent(["add", JANE, "-m", "twice?"]) == 1
    finally:
        silent.set()
        thread.join(10)
    assert b'"op":"run"' in heard[0]
    err = capfd.readouterr().err
    assert "vault: error: the agent did not answer in time" in err


def test_the_agent_does_not_start_a_command_whose_client_hung_up(vault_env):
    from vault.agent.server import Agent
    ran = []
    agent = Agent(vault_env.path, bytes(32), 60, runner=lambda argv: ran.append(argv) or 0)
    conn, peer = socket.socketpair()
    peer.close()
    r, w = os.pipe()
    try:
        message = {"v": 2, "op": "run", "vault": str(vault_env.path), "argv": ["list"],
                   "cwd": "/", "env": {}, "size": None,
                   "streams": [["utf-8", "strict", False]] * 3}
        assert agent.start(conn, message, [r, w, w]) is False
        assert agent.running == {} and ran == []
    finally:
        conn.close()
        os.close(r)
        os.close(w)
