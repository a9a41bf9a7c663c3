"""Shared pieces of the reliability suites (issue 7).

- `SUMMARY`: what the suites found, printed at the end of the run by
  conftest.py's terminal-summary hook, so the counts appear in normal output.
- `long_run()`, `crash_seed()`: VAULT_LONG_TESTS=1 and VAULT_CRASH_SEED=N.
- `make_env()`: a VaultEnv like the `blank_env` fixture, for templates built
  once per module; `child_env()`: the environment of a real child process.
- `copy_vault()`, `files_bytes()`: trial copies and their raw bytes.
- `run_killed()`: a real `python -m vault` killed with SIGKILL after a delay.
- `opened()`, `snapshot()`, `assert_sound()`: the checks after a crash, run
  in this process through the functions the CLI itself calls, so that only the
  command under test pays for a process start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault.commands import log as log_commands, notes as core, maintenance
from vault.models import iso
from vault.vaultfile.unlocked import UnlockedVault
from vault.vaultfile.store import Store

from ..conftest import PASSPHRASE, VaultEnv

VAULT_FILES = ("vault.sqlite", "vault.sqlite-wal", "vault.sqlite-shm", "vault.sqlite-journal")


def long_run() -> bool:
    return os.environ.get("VAULT_LONG_TESTS") == "1"


_seed_lock = threading.Lock()
_seed: int | None = None


def crash_seed() -> int:
    """VAULT_CRASH_SEED, or one random seed for the whole run (printed)."""
    global _seed
    with _seed_lock:
        if _seed is None:
            given = os.environ.get("VAULT_CRASH_SEED")
            _seed = int(given) if given else random.SystemRandom().randrange(1 << 31)
        return _seed


# -- the summary printed at the end ----------------------------------------------

@dataclass
class CrashCounts:
    trials: int = 0
    completed: int = 0
    not_happened: int = 0
    exited: int = 0          # the command finished before the kill came
    open_at_kill: int = 0    # killed while it had the vault open (its WAL was left)
    run_seconds: float = 0.0  # one un-killed run, measured first
    open_seconds: float = 0.0  # when, in that run, it opened the vault
    wall_seconds: float = 0.0  # all trials of this operation
    seed: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class Summary:
    """Counts from every suite, thread-safe (crash trials run in lanes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.crash: dict[str, CrashCounts] = {}
        self._lines: list[str] = []

    def counts(self, op: str) -> CrashCounts:
        with self._lock:
            return self.crash.setdefault(op, CrashCounts())

    def record(self, op: str, outcome: str, exited: bool, open_at_kill: bool) -> None:
        with self._lock:
            c = self.crash.setdefault(op, CrashCounts())
            c.seed = crash_seed()
            c.trials += 1
            c.completed += outcome == "completed"
            c.not_happened += outcome == "not happened"
            c.exited += exited
            c.open_at_kill += open_at_kill

    def note(self, op: str, key: str, n: int = 1) -> None:
        with self._lock:
            extra = self.crash.setdefault(op, CrashCounts()).extra
            extra[key] = extra.get(key, 0) + n

    def line(self, text: str) -> None:
        with self._lock:
            self._lines.append(text)

    def dump(self) -> dict[str, Any]:
        """Plain data, for an xdist worker to hand to the controller."""
        with self._lock:
            return {"crash": {op: dataclasses.asdict(c) for op, c in self.crash.items()},
                    "lines": list(self._lines)}

    def merge(self, data: dict[str, Any]) -> None:
        with self._lock:
            for op, counts in data.get("crash", {}).items():
                c = self.crash.setdefault(op, CrashCounts())
                for key, value in counts.items():
                    if key == "extra":
                        for k, n in value.items():
                            c.extra[k] = c.extra.get(k, 0) + n
                    elif key in ("seed", "run_seconds", "open_seconds"):
                        setattr(c, key, value)
                    else:
                        setattr(c, key, getattr(c, key) + value)
            self._lines += data.get("lines", [])

    def lines(self) -> list[str]:
        with self._lock:
            out = []
            if self.crash:
                out += self._crash_table()
            return out + self._lines

    def _crash_table(self) -> list[str]:
        rows = list(self.crash.items())
        total = CrashCounts()
        for _, c in rows:
            for f in ("trials", "completed", "not_happened", "exited", "open_at_kill",
                      "wall_seconds"):
                setattr(total, f, getattr(total, f) + getattr(c, f))
        mode = "long form" if long_run() else "CI form; VAULT_LONG_TESTS=1 for the long one"
        seeds = ", ".join(str(n) for n in sorted({c.seed for _, c in rows}))
        out = [f"crash consistency: {total.trials} SIGKILL trials, VAULT_CRASH_SEED={seeds} "
               f"({mode})",
               f"  {'operation':<10}{'trials':>7}{'completed':>11}{'not happened':>14}"
               f"{'exited first':>14}{'killed, vault open':>20}{'one run (opened at)':>21}"
               f"{'wall':>7}"]
        for name, c in rows + [("total", total)]:
            run = (f"{c.run_seconds:.2f}s ({c.open_seconds:.2f}s)" if name != "total"
                   else "")
            out.append(f"  {name:<10}{c.trials:>7}{c.completed:>11}{c.not_happened:>14}"
                       f"{c.exited:>14}{c.open_at_kill:>20}{run:>21}{c.wall_seconds:>6.0f}s")
        for name, c in rows:
            for key, n in c.extra.items():
                out.append(f"  {name}: {key}: {n}")
        return out


SUMMARY = Summary()


# -- environments and files ---------------------------------------------------------

def make_env(root: Path) -> VaultEnv:
    """What the `blank_env` fixture makes, under any folder (and with a
    passphrase file only its owner can read, so no warning is printed)."""
    root.mkdir(parents=True, exist_ok=True)
    pw = root / "passphrase.txt"
    pw.write_text(PASSPHRASE + "\n")
    pw.chmod(0o600)
    runtime = root / "run"
    runtime.mkdir(mode=0o700)
    path = root / "vaultdir" / "vault.sqlite"
    env = {"VAULT_PATH": str(path), "VAULT_PASSPHRASE_FILE": str(pw),
           "VAULT_PASSPHRASE_COMMAND": None, "VAULT_KEYFILE": None,
           "VAULT_NEW_PASSPHRASE_FILE": None, "VAULT_NO_AGENT": None,
           "XDG_RUNTIME_DIR": str(runtime), "NO_COLOR": "1"}
    return VaultEnv(root=root, path=path, passphrase_file=pw, env=env)


# Set once per session by conftest.py: compiled modules for child processes,
# so that each `python -m vault` does not compile the package again where
# PYTHONDONTWRITEBYTECODE is set (and never writes into the source tree).
PYCACHE: Path | None = None


def warm_pycache() -> None:
    """Compile every module a command may import, once, before anything is
    timed: the first `python -m vault` would otherwise take seconds longer
    than the rest."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if PYCACHE is not None:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    subprocess.run([sys.executable, "-c", "import importlib, pkgutil, vault\n"
                    "for m in pkgutil.walk_packages(vault.__path__, 'vault.'):\n"
                    "    if m.name != 'vault.__main__':\n"
                    "        importlib.import_module(m.name)"],
                   env=env, check=True, timeout=300, stdin=subprocess.DEVNULL)


def child_env(venv: VaultEnv, path: Path | None = None) -> dict[str, str]:
    """The environment of a real `python -m vault`: ours without VAULT_*,
    plus the test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in venv.env.items() if v is not None})
    if PYCACHE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    if path is not None:
        env["VAULT_PATH"] = str(path)
    return env


def copy_vault(src: Path, folder: Path) -> Path:
    """A copy of a closed vault (and any companion files) in a new 0700 folder."""
    folder.mkdir(mode=0o700, parents=True)
    for name in VAULT_FILES:
        p = src.with_name(name)
        if p.exists():
            shutil.copyfile(p, folder / name)
            (folder / name).chmod(0o600)
    return folder / "vault.sqlite"


def files_bytes(folder: Path) -> bytes:
    """Every byte of every file in the folder: what a thief of the disk gets."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def strays(folder: Path) -> list[str]:
    """Files beside the vault that are not the vault or SQLite's own."""
    return sorted(p.name for p in folder.iterdir() if p.name not in VAULT_FILES)


# -- a real process, killed ----------------------------------------------------------

@dataclass(frozen=True)
class Run:
    killed: bool
    returncode: int
    stderr: str
    seconds: float
    opened_at: float | None = None   # when the vault's WAL appeared (watched runs)


def run_killed(argv: list[str], env: dict[str, str], delay: float | None,
               watch: Path | None = None, from_open: bool = False) -> Run:
    """`python -m vault ARGV`, killed with SIGKILL `delay` seconds after it was
    started unless it finished first; delay None lets it finish. With `watch`
    (the vault's path), also notes when the command opened the vault (SQLite
    creates the WAL file then); with `from_open` too, the delay counts from
    that moment, so start-up time, which varies most on a loaded machine,
    does not move the kill point."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "vault", *argv], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    opened_at = None
    if watch is not None:
        wal = watch.with_name(watch.name + "-wal")
        while proc.poll() is None:
            if wal.exists():
                opened_at = time.monotonic()
                break
            time.sleep(0.0005)
    if delay is not None:
        base = opened_at if from_open and opened_at is not None else started
        try:
            proc.wait(timeout=max(0.0, base + delay - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    return Run(proc.returncode == -signal.SIGKILL, proc.returncode,
               err.decode("utf-8", "replace"), time.monotonic() - started,
               None if opened_at is None else opened_at - started)


# -- checks after a crash, in process ---------------------------------------------------

@contextlib.contextmanager
def opened(path: Path, passphrase: str = PASSPHRASE) -> Iterator[UnlockedVault]:
    """The vault unlocked as any command unlocks it; on exit the connection
    closes, and being the last one, folds the WAL into the file."""
    store = Store.open(path)
    try:
        yield UnlockedVault.unlock(store, passphrase.encode())
    finally:
        store.close()


def snapshot(session: UnlockedVault) -> dict[str, Any]:
    """Everything a user can see of the vault's content: each client's name,
    status and hold, each note's id, date, tags and text, and the number of
    tombstones."""
    with session.store.read():
        clients = {c.name: (c.status, c.hold, tuple(
            (n.id, iso(n.created), n.tags, n.text) for n in session.notes(c)))
            for c in session.clients()}
        return {"clients": clients, "tombstones": len(session.store.tombstones())}


def assert_sound(session: UnlockedVault, where: str) -> None:
    """`vault check` passes, a command can still run (it checks the sealed
    head and signs what was recorded while locked), and `vault log verify`
    passes, head included."""
    report = maintenance.check(session)
    assert report.ok, (where, "vault check", report.problems)
    core.list_clients(session)
    verified = log_commands.verify_log(session.store, session)
    assert verified.ok, (where, "log verify", verified.problems)


def describe_difference(state: dict[str, Any], *expected: dict[str, Any]) -> str:
    """Which clients differ from each expected state: for a failure message
    (test data only, never real notes)."""
    parts = []
    for i, exp in enumerate(expected):
        names = set(state["clients"]) | set(exp["clients"])
        differ = sorted(n for n in names if state["clients"].get(n) != exp["clients"].get(n))
        parts.append(f"vs expected #{i}: clients differing {differ}, tombstones "
                     f"{state['tombstones']} vs {exp['tombstones']}")
    return "; ".join(parts)
