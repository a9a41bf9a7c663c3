"""Agent benchmark (issue 13): whole-process times with `vault unlock`'s
agent running as command server, on a vault of 100,000 notes of ~440 bytes
(10,000 clients by default), and the agent's memory.

    python benchmarks/bench_agent.py [--clients 10000] [--notes-per-client 10]
                                     [--repeat 11] [--folder DIR]

--folder keeps the vault there and reuses it on the next run (building
100,000 notes takes minutes). 200 notes (one each of 200 clients) carry the
word "zebrafinch", so that `vault search zebrafinch` has 200 hits.

Targets (issue 13), whole process, medians: add, view, list, status under
40 ms; search with 200 hits under 150 ms; --help under 60 ms; the thin
client's own cost (connect, send, exit code of a no-op) under 25 ms; the
agent at most 150 MB with its index built.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import PW, TEXT, compile_package, fill, installed, start_agent  # noqa: E402
from vault.agent import client as agent  # noqa: E402
from vault.commands import notes as core  # noqa: E402
from vault.models import KdfParams  # noqa: E402
from vault.vaultfile.store import Store  # noqa: E402
from vault.vaultfile.unlocked import UnlockedVault  # noqa: E402

WORD = "zebrafinch"
NOOP = ("import time, sys; from vault.agent.client import through_agent\n"
        "samples = []\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    t = time.perf_counter(); code = through_agent(['--version'])\n"
        "    samples.append(time.perf_counter() - t); assert code == 0, code\n"
        "samples.sort(); print(samples[len(samples) // 2])\n")


# What a worker spends on one command, without the thin client and the
# socket: the agent's modules preloaded, then fork + the ordinary CLI code,
# as agent/server.py runs it; the agent's count of every client row made
# between commands (agent/state.py) and adopted, or not (counted).
WORKER = r"""
import os, statistics, sys, time
from pathlib import Path
from vault import entry, serve
serve.preload()
from vault.agent import client
from vault.agent.state import LastVerified
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault
path, repeat, argv = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
store = Store.open(path)
kek = UnlockedVault.unlock(store, os.environb[b"BENCH_PW"]).kek
store.close()
from vault.cli.notes import listing_lines
last = LastVerified(path, lambda: kek, render=listing_lines)   # as serve.py makes it
last.records_wanted = True   # as after the first `list`
for adopted in (True, False):
    samples = []
    for _ in range(repeat + 1):
        last.refresh()
        client.hold(path, kek, None, last.current if adopted else None)
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1); os.dup2(fd, 2)
            os._exit(entry.in_process(list(argv)))
        _, status = os.waitpid(pid, 0)
        samples.append(time.perf_counter() - t)
        assert status == 0, status
    print(statistics.median(samples[1:]))
"""


def worker_times(env: dict[str, str], repeat: int, path: Path, *args: str) -> tuple[float, float]:
    """(adopted, counted): median seconds of one worker running ARGS."""
    out = subprocess.run([sys.executable, "-c", WORKER, str(path), str(repeat), *args],
                         env=dict(env, VAULT_NO_AGENT="1", BENCH_PW=PW.decode()), check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


# How a command is started: `python -m vault` of this interpreter, or the
# `vault` script of an installed (not editable) copy, as a user types it.
VAULT = [sys.executable, "-m", "vault"]
PYTHON = sys.executable


def run(env: dict[str, str], *args: str) -> float:
    """Wall seconds of one `vault ARGS` process."""
    t = time.perf_counter()
    done = subprocess.run([*VAULT, *args], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"vault {' '.join(args)} failed: {done.stderr.decode()}")
    return elapsed


def median(env: dict[str, str], repeat: int, *args: str) -> float:
    run(env, *args)   # warm the page cache
    return statistics.median(run(env, *args) for _ in range(repeat))


def agent_memory(path: Path) -> tuple[int, int]:
    """(VmRSS, VmHWM) of the agent serving `path`, in KiB."""
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if b"vault.serve" in argv and os.fsencode(path) in argv and comm != "vault-worker":
            fields = dict(line.split(":", 1) for line in
                          (entry / "status").read_text().splitlines() if ":" in line)
            return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    raise SystemExit("no agent found")


def build(path: Path, clients: int, per_client: int) -> UnlockedVault:
    if path.exists():
        print(f"reusing {path}")
        return UnlockedVault.from_agent(Store.open(path), _kek(path))
    # A calibrated-size KDF (64 MiB) as a real vault has: the agent is what
    # takes it off every command.
    core.init(path, PW, KdfParams(65536, 3, 1))
    session = UnlockedVault.unlock(Store.open(path), PW)
    t = time.perf_counter()
    fill(session, 0, clients, per_client)
    with session.store.write():
        for c in range(0, clients, max(1, clients // 200)):
            core.add(session, f"Client {c:06d}", f"Saw a {WORD} today. " + TEXT[:380], [])
    print(f"built {clients} clients / {clients * per_client} notes in "
          f"{time.perf_counter() - t:.0f} s; file {path.stat().st_size / 1e6:.0f} MB")
    return session


def _kek(path: Path) -> bytes:
    """The key, with the store closed again: a connection left open here
    keeps the vault's WAL between the commands timed, which users' commands
    do not have (about 0.5 ms of an `add`, docs/performance.md)."""
    store = Store.open(path)
    try:
        return UnlockedVault.unlock(store, PW).kek
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=10_000)
    ap.add_argument("--notes-per-client", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--folder", type=Path)
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--editable", action="store_true",
                    help="run `python -m vault` of this interpreter instead of the `vault` "
                         "script of a copy installed with `pip install .` under FOLDER/venv")
    args = ap.parse_args()
    global VAULT, PYTHON
    compile_package()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="vault-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    runtime = folder / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    path = folder / "vault.sqlite"
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    session = build(path, args.clients, args.notes_per_client)
    if not args.editable and not args.build_only:
        VAULT, PYTHON = installed(folder)
    notes = session.store.counts()["notes"]
    if args.build_only:
        return
    start_agent(PYTHON, path, session.kek)
    session.store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update(VAULT_PATH=str(path), XDG_RUNTIME_DIR=str(runtime))
    r = args.repeat
    try:
        # `add` goes to one client and `view` reads another, so that repeated
        # runs on one --folder do not grow the file `view` shows.
        name = f"Client {args.clients // 2:06d}"
        other = f"Client {args.clients // 2 - 1:06d}"
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}; {notes} notes; median of {r} processes "
              f"of {' '.join(VAULT)}")
        rss0, _ = agent_memory(path)
        figures = [
            ("vault --help", median(env, r, "--help"), 0.060),
            ("vault status", median(env, r, "status"), 0.040),
            ("vault add", median(env, r, "add", name, "-m", "A short note."), 0.040),
            ("vault view", median(env, r, "view", other), 0.040),
            ("vault list", median(env, r, "list"), 0.040),
        ]
        t = time.perf_counter()
        run(env, "search", WORD)   # not narrowed yet: starts the index
        first = time.perf_counter() - t
        while not agent.details(path)["index"]["built"]:
            time.sleep(0.2)
        built = time.perf_counter() - t
        figures.append((f"vault search {WORD} (200 hits)", median(env, r, "search", WORD), 0.150))
        # `list` again: the `add`s above dropped the agent's listing (a
        # record changed) until its recount, due at most 2 s after their
        # first report and long done while the index was built.
        figures.append(("vault list, listing kept (after the recount)",
                        median(env, r, "list"), 0.040))
        noop = subprocess.run([PYTHON, "-c", NOOP, str(r * 3)], env=env, check=True,
                              capture_output=True, text=True).stdout
        figures.append(("thin client: no-op round trip", float(noop.split()[-1]), 0.025))
        figures.append(("python -c pass (for scale)",
                        statistics.median(_python_pass() for _ in range(r)), None))
        rss, hwm = agent_memory(path)
        for label, seconds, target in figures:
            goal = "" if target is None else f" (target < {target * 1000:.0f} ms: " \
                f"{'met' if seconds < target else 'missed'})"
            print(f"{label:40s} {seconds * 1000:7.1f} ms{goal}")
        print(f"first search (not narrowed; starts the index): {first * 1000:7.1f} ms")
        print(f"index built, in steps between requests, after {built:.1f} s")
        print(f"agent memory: {rss0 / 1024:.0f} MiB before the index, {rss / 1024:.0f} MiB "
              f"after (peak {hwm / 1024:.0f} MiB; target <= 150 MB)")
        env_pw = dict(env, VAULT_NO_AGENT="1", VAULT_PASSPHRASE_COMMAND=f"printf '{PW.decode()}'")
        print(f"in-process search, passphrase:           "
              f"{run(env_pw, 'search', WORD) * 1000:7.0f} ms")
    finally:
        agent.lock(path)
    print("one worker, fork + command, without client and socket (median of "
          f"{r}): the agent's count adopted / every client row counted")
    for label, argv in (("add", ("add", name, "-m", "A short note.")), ("view", ("view", other)),
                        ("status", ("status",)), ("list", ("list",))):
        adopted, counted = worker_times(env, r, path, *argv)
        print(f"  worker {label:34s} {adopted * 1000:7.1f} ms / {counted * 1000:7.1f} ms")


def _python_pass() -> float:
    t = time.perf_counter()
    subprocess.run([PYTHON, "-c", "pass"], check=True)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
