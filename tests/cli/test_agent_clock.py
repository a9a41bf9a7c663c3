"""The agent's idle timeout, on a clock the test drives (issue 13): no test
sleeps for a timer. The Agent object is the one `vault unlock` runs; here it
serves a socket in the test's own process, with no runner (so `run`
requests are refused) and a fake monotonic clock.

Covers: use keeps it unlocked past the timeout, idleness ends it; a running
command counts as use; `status` answers `locked` once idle; the serve loop
itself returns when the clock passes the timeout (the clock advances on
every reading, so the loop never waits); the vault file being replaced
locks it at the next check.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from vault.agent import protocol
from vault.agent.server import CHECK_EVERY_S, Agent

KEK = bytes(range(32))


class Clock:
    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def status(agent: Agent, vault: Path) -> dict:
    return agent.answer({"v": protocol.PROTOCOL, "op": "status", "vault": str(vault)})


def test_use_keeps_it_unlocked_and_idleness_ends_it(vault_env):
    clock = Clock()
    agent = Agent(vault_env.path, KEK, 60, clock=clock)
    for _ in range(3):          # 3 x 50 s, each after a use: past 60 s in all
        clock.now += 50
        agent.tick()
        assert status(agent, vault_env.path)["ok"] is True
        agent.used()
    clock.now += 61
    agent.tick()
    assert agent.locked
    assert status(agent, vault_env.path) == {"v": 2, "ok": False, "error": "locked"}


def test_a_running_command_counts_as_use(vault_env):
    clock = Clock()
    agent = Agent(vault_env.path, KEK, 60, clock=clock)
    agent.running[999_999] = socket.socket(socket.AF_UNIX)   # a worker at work
    try:
        clock.now += 3600
        agent.tick()
        assert not agent.locked
    finally:
        agent.running.pop(999_999).close()
    clock.now += 61
    agent.tick()
    assert agent.locked


def test_the_serve_loop_ends_when_the_clock_passes_the_timeout(vault_env, tmp_path):
    clock = Clock(step=5.0)     # every reading is 5 s later: the loop never waits
    agent = Agent(vault_env.path, KEK, 60, clock=clock)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with protocol.address(tmp_path / "agent.sock") as where:
        listener.bind(where)
    listener.listen(8)
    with listener:
        agent.serve(listener)
    assert agent.locked


def test_a_replaced_vault_file_locks_it_at_the_next_check(vault_env):
    clock = Clock()
    agent = Agent(vault_env.path, KEK, 600, clock=clock)
    copy = vault_env.path.with_name("copy.sqlite")
    copy.write_bytes(vault_env.path.read_bytes())
    os.replace(copy, vault_env.path)            # what `vault restore` does
    clock.now += CHECK_EVERY_S + 1
    agent.tick()
    assert agent.locked
