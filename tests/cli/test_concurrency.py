"""Several processes writing one vault at once wait for each other: no note is
lost, the log stays contiguous, and "database is locked" never reaches the user."""

import json
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from vault import core
from vault.session import Session
from vault.store import Store

from ..conftest import PASSPHRASE


def _worker(path: str, worker: int, count: int) -> None:
    session = Session.unlock(Store.open(__import__("pathlib").Path(path)), PASSPHRASE.encode())
    for i in range(count):
        core.add(session, "Shared Client", f"worker {worker} note {i}", create=True)
    session.store.close()


def _check(vault_env, expected_notes):
    shown = vault_env.run("view", "Shared Client", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert len(json.loads(shown.stdout)["notes"]) == expected_notes
    log = json.loads(vault_env.run("log", "--json").stdout)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    assert vault_env.run("log", "verify").exit_code == 0


def test_four_processes_adding_at_once_lose_nothing(vault_env):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(str(vault_env.path), w, 50)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    _check(vault_env, 200)


def test_concurrent_cli_processes_wait_instead_of_failing(vault_env):
    assert vault_env.run("add", "Shared Client", "-m", "first", "--new").exit_code == 0

    def one(i):
        return vault_env.subprocess("add", "Shared Client", "-m", f"note {i}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, range(12)))
    for r in results:
        assert r.returncode == 0, r.stderr
        assert b"locked" not in r.stderr
    _check(vault_env, 13)
