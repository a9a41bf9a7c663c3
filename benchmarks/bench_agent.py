"""Agent benchmark: whole-process times with `vault unlock`'s agent running,
on a vault of 100,000 notes (10,000 clients by default).

    python benchmarks/bench_agent.py [--clients 10000] [--notes-per-client 10]

Targets (issue 6): `vault add CLIENT -m TEXT` and `vault view CLIENT` under
0.25 s each; `vault --help` under 0.15 s; `vault search` over 100,000 notes
(about 40 MB of text) under 2 s with peak memory under 150 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import PW, compile_package, fill  # noqa: E402
from vault.agent import client as agent  # noqa: E402
from vault.commands import notes as core
from vault.models import KdfParams  # noqa: E402
from vault.vaultfile.unlocked import UnlockedVault  # noqa: E402
from vault.vaultfile.store import Store  # noqa: E402


def run(env: dict[str, str], *args: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one `python -m vault` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "vault", *args], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"vault {' '.join(args)} failed: {done.stderr.decode()}")
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def median(env: dict[str, str], repeat: int, *args: str) -> float:
    return statistics.median(run(env, *args)[0] for _ in range(repeat))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=10_000)
    ap.add_argument("--notes-per-client", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    compile_package()
    folder = Path(tempfile.mkdtemp(prefix="vault-bench-"))
    runtime = folder / "run"
    runtime.mkdir(mode=0o700)
    path = folder / "vault.sqlite"
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    # A calibrated-size KDF (64 MiB) as a real vault has: the agent is what
    # takes it off every command.
    core.init(path, PW, KdfParams(65536, 3, 1))
    session = UnlockedVault.unlock(Store.open(path), PW)
    t = time.perf_counter()
    fill(session, 0, args.clients, args.notes_per_client)
    notes = args.clients * args.notes_per_client
    print(f"built {args.clients} clients / {notes} notes in {time.perf_counter() - t:.0f} s; "
          f"file {path.stat().st_size / 1e6:.0f} MB")
    agent.start(path, session.kek, 3600)
    session.store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update(VAULT_PATH=str(path), XDG_RUNTIME_DIR=str(runtime))
    try:
        name = f"Client {args.clients // 2:06d}"
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}")
        print(f"vault --help:            {median(env, args.repeat, '--help'):.3f} s "
              "(target < 0.15)")
        print(f"vault status:            {median(env, args.repeat, 'status'):.3f} s")
        print(f"vault add (agent):       "
              f"{median(env, args.repeat, 'add', name, '-m', 'A short note.'):.3f} s "
              "(target < 0.25)")
        print(f"vault view (agent):      {median(env, args.repeat, 'view', name):.3f} s "
              "(target < 0.25)")
        env_pw = dict(env, VAULT_NO_AGENT="1", VAULT_PASSPHRASE_COMMAND=f"printf '{PW.decode()}'")
        print(f"vault view (passphrase): {median(env_pw, 3, 'view', name):.3f} s "
              "(64 MiB, 3 passes)")
        elapsed, rss = run(env, "search", "plan")
        print(f"vault search over {notes} notes: {elapsed:.2f} s, peak RSS {rss / 1024:.0f} MiB "
              "(targets < 2 s, < 150 MB)")
    finally:
        agent.lock(path)


if __name__ == "__main__":
    main()
