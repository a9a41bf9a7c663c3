"""Core benchmark: a vault of 10,000 clients and 100,000 notes.

Prints add, view, list, log-verify and check times (the first check and
the following one, which uses the verified-through record) and peak memory. The KDF is
excluded from store figures (the vault is unlocked once, with small Argon2
settings); `vault --help` start-up is timed as a real process.

    python benchmarks/bench_core.py [--clients 10000] [--notes-per-client 10]

Targets (issue 2): add and view O(1) in vault size (add at 100,000 notes
within 1.2x of add at 1,000); `vault --help` under 0.3 s; log verify at least
10,000 entries/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_ROOT))

from vault.commands import log as log_commands, notes as core, files as lifecycle  # noqa: E402
from vault.commands import maintenance  # noqa: E402
from vault.models import KdfParams  # noqa: E402
from vault.vaultfile.unlocked import UnlockedVault  # noqa: E402
from vault.vaultfile.store import Store  # noqa: E402

PW = b"benchmark passphrase"
TEXT = ("Session notes. Discussed sleep, work stress and the plan for next week. " * 6)


def compile_package() -> None:
    """Byte-compile vault/ as `pip install .` does: a checkout run with
    PYTHONDONTWRITEBYTECODE (set on some machines) or with edited sources
    would otherwise recompile every module in every timed process."""
    import compileall
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "vault"), quiet=1)


def installed(folder: Path) -> tuple[list[str], str]:
    """A venv under FOLDER with this tree installed as README.md installs it
    (`pip install .`, not editable: an editable install's import hook costs
    every process about 15 ms here). Reinstalled at each run."""
    venv = folder / "venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--force-reinstall",
                    "--no-deps", str(_ROOT)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(_ROOT)], check=True)
    return [str(venv / "bin" / "vault")], str(venv / "bin" / "python")


def start_agent(python: str, path: Path, kek: bytes) -> None:
    """`vault unlock`'s agent for `path`, run by `python` (that of the copy
    the commands run, so that its workers run the same code)."""
    subprocess.run([python, "-c", "import sys; from pathlib import Path; "
                    "from vault.agent import client; client.start(Path(sys.argv[1]), "
                    "bytes.fromhex(sys.stdin.read()), 3600, 'vault.serve')", str(path)],
                   input=kek.hex(), text=True, check=True, env=dict(os.environ, PYTHONPATH=""))


def timed(fn, repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def fill(session: UnlockedVault, first: int, last: int, per_client: int) -> None:
    """Clients first..last-1 with per_client notes each, 2,000 notes per
    transaction (nested core.add calls join the outer transaction)."""
    batch = 0
    store = session.store
    store_ctx = store.write()
    store_ctx.__enter__()
    for c in range(first, last):
        for n in range(per_client):
            core.add(session, f"Client {c:06d}", f"{TEXT} #{n}", ["bench"], create=True)
            batch += 1
            if batch == 2000:
                store_ctx.__exit__(None, None, None)
                store_ctx = store.write()
                store_ctx.__enter__()
                batch = 0
    store_ctx.__exit__(None, None, None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=10_000)
    ap.add_argument("--notes-per-client", type=int, default=10)
    args = ap.parse_args()
    per = args.notes_per_client
    small_clients = max(1, 1000 // per)

    folder = Path(tempfile.mkdtemp(prefix="vault-bench-"))
    # The witness and check's verified-through record go to a state folder
    # of the benchmark's own, never the user's.
    os.environ["XDG_STATE_HOME"] = str(folder / "state")
    path = folder / "vault.sqlite"
    core.init(path, PW, KdfParams(8192, 1, 1))
    session = UnlockedVault.unlock(Store.open(path), PW)
    probe = 0

    def one_add():
        nonlocal probe
        probe += 1
        core.add(session, "Client 000000", f"{TEXT} probe {probe}")

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}")
    t = time.perf_counter()
    fill(session, 0, small_clients, per)
    print(f"built {small_clients * per:,} notes in {time.perf_counter() - t:.1f} s")
    add_small = timed(one_add, 200)
    view_small = timed(lambda: core.view(session, "Client 000007"), 50)
    t = time.perf_counter()
    lifecycle.shred(session, "Client 000003")
    shred_small = time.perf_counter() - t

    t = time.perf_counter()
    fill(session, small_clients, args.clients, per)
    built = time.perf_counter() - t
    total = args.clients * per + probe
    print(f"built {total:,} notes for {args.clients:,} clients in {built:.1f} s "
          f"({path.stat().st_size / 1e6:.0f} MB)")
    add_big = timed(one_add, 200)
    view_big = timed(lambda: core.view(session, "Client 000007"), 50)
    list_big = timed(lambda: core.list_clients(session), 3)

    def first_miss():
        # As in a new process: the folded-name index is built on the first
        # lookup that misses the blind index ("Cliënt" for "Client").
        session.records._folded = None
        with session.store.read():
            assert session.find_client("Cliënt 000007") is not None

    def later_miss():
        with session.store.read():
            assert session.find_client("Cliënt 000008") is not None
    miss_first = timed(first_miss, 5)
    miss_later = timed(later_miss, 50)
    t = time.perf_counter()
    lifecycle.shred(session, "Client 000005")
    shred_big = time.perf_counter() - t
    t = time.perf_counter()
    report = log_commands.verify_log(session.store)
    verify_s = time.perf_counter() - t
    assert report.ok, report.problems
    # The first check verifies every signature and leaves this machine's
    # verified-through record (docs/format.md section 16, in the state folder
    # of a temporary XDG_STATE_HOME); the second verifies only the signatures
    # added since (none), as a nightly check would after the first.
    t = time.perf_counter()
    checked = maintenance.check(session)
    check_s = time.perf_counter() - t
    assert checked.ok, checked.problems
    t = time.perf_counter()
    again = maintenance.check(session)
    check2_s = time.perf_counter() - t
    assert again.ok and again.signatures_verified == 0, (again.problems,
                                                         again.signatures_verified)

    # What every command made without the agent does first (issue 12): the
    # state commitment recomputed over every client row and compared with
    # the head. A fresh UnlockedVault on the same keys is a process's first
    # command (each bucket hashed as SQLite joins it); `session`, which has
    # run many commands, also reads every row's version as values, as the
    # agent does between commands.
    fresh = UnlockedVault(session.keyring)

    def state_check():
        with fresh.store.read():
            fresh.verify_state()
    state_s = timed(state_check, 20)

    def state_count():
        with session.store.read():
            session.verify_state()
    count_s = timed(state_count, 20)

    help_s = timed(lambda: subprocess.run([sys.executable, "-m", "vault", "--help"],
                                          capture_output=True, check=True), 10)
    print()
    print(f"add  at {small_clients * per:>7,} notes: {add_small * 1000:7.2f} ms (median of 200)")
    print(f"add  at {total:>7,} notes: {add_big * 1000:7.2f} ms  ratio {add_big / add_small:.2f}"
          " (target <= 1.2)")
    print(f"view at {small_clients * per:>7,} notes: {view_small * 1000:7.2f} ms (client with "
          f"{per} notes)")
    print(f"view at {total:>7,} notes: {view_big * 1000:7.2f} ms  ratio {view_big / view_small:.2f}")
    print(f"list of {args.clients:,} clients: {list_big * 1000:7.0f} ms")
    print(f"lookup by an accent variant at {args.clients:,} clients: first in a command "
          f"{miss_first * 1000:.0f} ms (median of 5), later {miss_later * 1000:.2f} ms")
    print(f"shred (incl. master-key rotation) at {small_clients:,} clients: "
          f"{shred_small * 1000:.0f} ms; at {args.clients:,} clients: {shred_big * 1000:.0f} ms")
    print(f"log verify: {report.entries:,} entries in {verify_s:.2f} s = "
          f"{report.entries / verify_s:,.0f} entries/s (target >= 10,000)")
    print(f"vault check, first (every signature): {checked.notes:,} notes, "
          f"{checked.log_entries:,} log entries, {checked.signatures_verified:,} signatures "
          f"verified in {check_s:.2f} s")
    print(f"vault check, second (verified-through record): {again.signatures_verified:,} "
          f"signatures verified, {again.signatures_known:,} known, in {check2_s:.2f} s "
          "(target < 2 s)")
    print(f"state commitment check at {args.clients:,} clients (every command): "
          f"{state_s * 1000:.2f} ms (median of 20); keeping each client's version as "
          f"well (the agent's count): {count_s * 1000:.2f} ms")
    print(f"vault --help: {help_s * 1000:.0f} ms (median of 10, target < 300)")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    session.store.close()
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
