"""Review fixes for the workers' reports (agent/state.py, format.md section
14 "Reports"): the full count they defer comes within RECHECK_AFTER_S even
while a command stays open; a failure to make a worker's pipe leaves the
agent's signals as they were; a thin client in a deleted folder runs the
command in-process instead of failing with a traceback. Time comes from the
agent's clock seam: nothing here sleeps."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest

from vault.agent import protocol, server
from vault.agent.server import Agent
from vault.agent.state import RECHECK_AFTER_S, LastVerified, report
from vault.vaultfile.state import Verified
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..conftest import PASSPHRASE
from ..unit.test_thin_client import private_runtime_env
from .test_agent_clock import Clock


def _kek(path) -> bytes:
    store = Store.open(path)
    try:
        return UnlockedVault.unlock(store, PASSPHRASE.encode()).kek
    finally:
        store.close()


def _carried(kept: LastVerified) -> Verified:
    """A report taken, as after a worker's `add`: the state is carried."""
    base = kept.current
    assert base is not None
    after = Verified(b"the head the worker wrote", base.rows, base.clients)
    assert kept.take(report((after, frozenset(), False), base))
    return base


def test_the_deferred_full_count_comes_due_on_the_clock(vault_env):
    clock = Clock()
    kept = LastVerified(vault_env.path, lambda: _kek(vault_env.path), clock)
    kept.refresh()
    _carried(kept)
    assert kept.unchecked and kept.recheck_at == clock.now + RECHECK_AFTER_S
    clock.now += 1
    assert kept.take(report((Verified(b"later", 1, {}), frozenset(), False), kept.current))
    assert kept.recheck_at == clock.now - 1 + RECHECK_AFTER_S   # from the first report
    kept.refresh()
    assert not kept.unchecked


def test_a_command_left_open_does_not_put_off_the_full_count(vault_env, tmp_path):
    """A worker still running (say `vault add` waiting in the editor) must not
    stop the agent from counting every row once the carried state is due:
    commands in other terminals would adopt it, unchecked, for as long."""
    clock = Clock(step=1.0)     # every reading a second later: the loop hardly waits
    agent = Agent(vault_env.path, _kek(vault_env.path), 60, clock=clock)
    end = clock.now + 2 * RECHECK_AFTER_S

    def reading() -> float:     # a running command keeps it unlocked: lock it at `end`
        now = Clock.__call__(clock)
        if now > end:
            agent.forget()
        return now
    agent.clock = agent.verified.clock = reading
    real = agent.verified.refresh()
    assert real is not None
    _carried(agent.verified)
    agent.running[999_999] = socket.socket(socket.AF_UNIX)   # a worker at work
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with protocol.address(tmp_path / "agent.sock") as where:
        listener.bind(where)
    listener.listen(8)
    try:
        with listener:
            agent.serve(listener)     # until `end` (fake time)
    finally:
        agent.running.pop(999_999).close()
    assert not agent.verified.unchecked
    assert agent.verified.current is not None and agent.verified.current.head == real.head


def test_a_pipe_that_cannot_be_made_leaves_the_agents_signals_as_they_were(vault_env,
                                                                          monkeypatch):
    agent = Agent(vault_env.path, bytes(32), 60, runner=lambda argv: 0)
    monkeypatch.setattr(agent, "still_valid", lambda: True)
    monkeypatch.setattr(server, "_hung_up", lambda conn: False)

    def no_descriptors():
        raise OSError(24, "Too many open files")
    monkeypatch.setattr(server.os, "pipe", no_descriptors)
    a, b = socket.socketpair()
    message = {"v": 2, "op": "run", "vault": str(agent.vault), "argv": ["list"], "cwd": "/",
               "env": {}, "streams": [["utf-8", "strict", False]] * 3}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    try:
        with pytest.raises(OSError):
            agent.start(a, message, [0, 1, 2])
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
        a.close()
        b.close()


def test_a_client_in_a_deleted_folder_runs_the_command_itself(tmp_path):
    """The working folder is gone: the thin client cannot say where the
    command runs, so it leaves it to the in-process CLI (no traceback)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    code = ("import os, sys; from vault.agent import thin; os.chdir(sys.argv[1]); "
            "os.rmdir(sys.argv[1]); a, b = __import__('socket').socketpair(); "
            "print(thin._start(a, '/v/vault.sqlite', ['list']))")
    done = subprocess.run([sys.executable, "-c", code, str(gone)], capture_output=True,
                          text=True, env=private_runtime_env(tmp_path), timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr
