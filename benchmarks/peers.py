"""Side-by-side benchmark: vault against jrnl and pass, the tools a
professional would use instead.

    python benchmarks/peers.py [--sizes 1000 10000] [--repeat 5] [--no-install]
                               [--jrnl-venv DIR]

It installs the peers where it can: jrnl into a throwaway virtualenv, pass
(and gnupg) with apt-get when running as root; a peer that cannot be
installed is skipped with a message. For each size it builds the same notes
in each tool (N notes over N/10 clients, fixed seed): in vault, one client
per client; in jrnl, one encrypted journal with the client as a tag; in pass,
one gpg-encrypted file per note under a folder per client.

Then it times whole processes, the tools interleaved in each round: add one
note, view one client, search one word, list clients; and the peak RSS of
each process. How the passphrase cost is handled:
  - vault: `vault unlock` has started its agent (no KDF per command);
  - pass: the gpg key has no passphrase (the same as a warm gpg-agent);
  - jrnl: has no agent; its passphrase is piped in and its key derivation
    (PBKDF2, inside jrnl) is part of every command. jrnl is also timed with
    an unencrypted journal (`jrnl-plain`), which needs no passphrase at all.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_core import compile_package, installed, start_agent  # noqa: E402
from vault.agent import client as agent  # noqa: E402
from vault.commands import notes as core
from vault.models import KdfParams  # noqa: E402
from vault.vaultfile.unlocked import UnlockedVault  # noqa: E402
from vault.vaultfile.store import Store  # noqa: E402

PW = "peer benchmark passphrase"
# `python -m vault` of this interpreter (--editable), or by default the
# `vault` script of a copy installed with `pip install .`, as users run it.
VAULT = [sys.executable, "-m", "vault"]
PYTHON = sys.executable
JRNL = "jrnl==4.6"   # the version issue 13's targets name
WORDS = ("sleep work stress plan family anxiety boundaries progress session budget "
         "review contract estate invoice mediation goals diary exercise").split()


def notes_for(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(client, text) pairs: n notes over n/10 clients, the same in every tool."""
    rng = random.Random(seed)
    clients = [f"Client{c:05d}" for c in range(max(1, n // 10))]
    return [(clients[i % len(clients)],
             " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".")
            for i in range(n)]


def measure(cmd: list[str] | str, env: dict[str, str], stdin: bytes | None = None,
            shell: bool = False) -> tuple[float, int]:
    """Wall seconds and peak RSS in KiB of one process (with its children).

    The RSS comes from /usr/bin/time: wait4's ru_maxrss would include this
    benchmark's own memory, copied into the child by fork before exec."""
    if shutil.which("/usr/bin/time"):
        report = tempfile.NamedTemporaryFile(prefix="peers-rss-", delete=False)
        report.close()
        prefix = ["/usr/bin/time", "-f", "%M", "-o", report.name]
        cmd = prefix + (["sh", "-c", cmd] if shell else list(cmd))
        shell = False
    else:
        report = None
    t = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, shell=shell, stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
    assert child.stdin is not None and child.stderr is not None
    try:
        child.stdin.write(stdin or b"")
        child.stdin.close()
    except BrokenPipeError:
        pass
    err = child.stderr.read()
    # wait4: this process's own usage, its waited-for children included.
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - t
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{cmd!r} failed ({child.returncode}): {err.decode()[-300:]}")
    if report is None:
        return elapsed, usage.ru_maxrss
    with open(report.name) as f:
        peak = int(f.read().split()[-1])
    os.unlink(report.name)
    return elapsed, peak


# -- the tools ---------------------------------------------------------------

class Vault:
    name = "vault"

    def __init__(self, folder: Path, notes: list[tuple[str, str]]) -> None:
        self.path = folder / "vault.sqlite"
        runtime = folder / "run"
        runtime.mkdir(mode=0o700)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
        self.env.update(VAULT_PATH=str(self.path), XDG_RUNTIME_DIR=str(runtime))
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
        core.init(self.path, PW.encode(), KdfParams(65536, 3, 1))
        session = UnlockedVault.unlock(Store.open(self.path), PW.encode())
        with session.store.write():
            for client, text in notes:
                core.add(session, client, text, create=True)
        start_agent(PYTHON, self.path, session.kek)
        session.store.close()
        self.cmd = VAULT

    def add(self, client): return measure(self.cmd + ["add", client, "-m", "New note."], self.env)
    def view(self, client): return measure(self.cmd + ["view", client], self.env)
    def search(self, word): return measure(self.cmd + ["search", word], self.env)
    def list(self): return measure(self.cmd + ["list"], self.env)

    def close(self) -> None:
        agent.lock(self.path)


class Jrnl:
    def __init__(self, folder: Path, notes: list[tuple[str, str]], venv: Path,
                 encrypted: bool) -> None:
        self.name = "jrnl" if encrypted else "jrnl-plain"
        self.encrypted = encrypted
        home = folder / "home"
        (home / ".config" / "jrnl").mkdir(parents=True)
        journal = folder / "journal.txt"
        self.env = {"HOME": str(home), "PATH": os.environ["PATH"], "LANG": "C.UTF-8",
                    "XDG_CONFIG_HOME": str(home / ".config")}
        (home / ".config" / "jrnl" / "jrnl.yaml").write_text(
            "colors: {body: none, date: none, tags: none, title: none}\n"
            "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\n"
            "highlight: false\nindent_character: '|'\n"
            f"journals: {{default: {{journal: {journal}}}}}\n"
            "linewrap: 79\ntagsymbols: '@'\ntemplate: false\ntimeformat: '%Y-%m-%d %H:%M'\n"
            "version: v4.1\n")
        with open(journal, "w", encoding="utf-8") as f:
            for i, (client, text) in enumerate(notes):
                day = f"2024-{1 + i // 28 % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}"
                f.write(f"[{day}] @{client} {text}\n\n")
        self.jrnl = str(venv / "bin" / "jrnl")
        if encrypted:  # jrnl asks twice, then whether to keep it in a keyring: no
            measure([self.jrnl, "--encrypt"], self.env, f"{PW}\n{PW}\nn\n".encode())
        self.pw = f"{PW}\n".encode() if encrypted else None

    def add(self, client): return measure([self.jrnl, f"@{client}", "New note."], self.env, self.pw)
    def view(self, client): return measure([self.jrnl, f"@{client}"], self.env, self.pw)
    def search(self, word): return measure([self.jrnl, "-contains", word], self.env, self.pw)
    def list(self): return measure([self.jrnl, "--tags"], self.env, self.pw)

    def close(self) -> None:
        pass


class Pass:
    name = "pass"

    def __init__(self, folder: Path, notes: list[tuple[str, str]]) -> None:
        gnupg, store = folder / "gnupg", folder / "store"
        gnupg.mkdir(mode=0o700)
        self.env = {"HOME": str(folder), "PATH": os.environ["PATH"], "GNUPGHOME": str(gnupg),
                    "PASSWORD_STORE_DIR": str(store), "LANG": "C.UTF-8"}
        subprocess.run(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key",
                        "bench@example.org", "default", "default", "never"],
                       env=self.env, check=True, capture_output=True)
        subprocess.run(["pass", "init", "bench@example.org"], env=self.env, check=True,
                       capture_output=True)
        counts: dict[str, int] = {}
        jobs = []
        for client, text in notes:
            counts[client] = counts.get(client, 0) + 1
            jobs.append((f"{client}/{counts[client]:05d}", text))
        # One gpg process per note, as `pass insert` does; two at a time.
        def insert(job):
            subprocess.run(["pass", "insert", "-m", job[0]], input=job[1].encode(),
                           env=self.env, check=True, capture_output=True)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(insert, jobs))
        self.counts = counts

    def add(self, client):
        self.counts[client] += 1
        return measure(["pass", "insert", "-m", f"{client}/{self.counts[client]:05d}"],
                       self.env, b"New note.")

    def view(self, client):
        # pass shows one entry per process; a client's file is all of them.
        return measure(f'for f in "$PASSWORD_STORE_DIR/{client}"/*.gpg; do '
                       f'n=${{f#$PASSWORD_STORE_DIR/}}; pass show "${{n%.gpg}}"; done',
                       self.env, shell=True)

    def search(self, word): return measure(["pass", "grep", word], self.env)
    def list(self): return measure(["pass", "ls"], self.env)

    def close(self) -> None:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=self.env, capture_output=True)


# -- installing the peers ------------------------------------------------------------

def install_jrnl(folder: Path) -> Path | None:
    venv = folder / "jrnl-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                       capture_output=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", JRNL], check=True,
                       capture_output=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        print(f"skipping jrnl: could not install it ({e})")
        return None
    return venv


def install_pass() -> bool:
    if shutil.which("pass") and shutil.which("gpg"):
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("skipping pass: not installed, and apt-get needs root")
        return False
    done = subprocess.run(["apt-get", "install", "-y", "-q", "pass", "gnupg"],
                          capture_output=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True)
        done = subprocess.run(["apt-get", "install", "-y", "-q", "pass", "gnupg"],
                              capture_output=True,
                              env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if done.returncode != 0 or not shutil.which("pass"):
        print("skipping pass: apt-get could not install it")
        return False
    return True


# -- the run -------------------------------------------------------------------------

OPS = ("add", "view", "search", "list")


def bench(size: int, repeat: int, jrnl_venv: Path | None, with_pass: bool,
          pass_ops: tuple[str, ...] = OPS) -> dict:
    notes = notes_for(size)
    folder = Path(tempfile.mkdtemp(prefix=f"peers-{size}-"))
    tools = []
    t = time.perf_counter()
    (folder / "vault").mkdir()
    tools.append(Vault(folder / "vault", notes))
    if jrnl_venv:
        for encrypted in (True, False):
            sub = folder / ("jrnl" if encrypted else "jrnl-plain")
            sub.mkdir()
            try:
                tools.append(Jrnl(sub, notes, jrnl_venv, encrypted))
            except RuntimeError as e:
                print(f"skipping {'jrnl' if encrypted else 'jrnl-plain'}: {e}")
    if with_pass:
        (folder / "pass").mkdir()
        tools.append(Pass(folder / "pass", notes))
    print(f"built {size} notes in {len(tools)} tools in {time.perf_counter() - t:.0f} s")
    client = notes[len(notes) // 2][0]
    times: dict[tuple[str, str], list[float]] = {}
    rss: dict[str, int] = {}
    try:
        for _ in range(repeat):  # interleaved: each round runs every tool once per op
            for op in OPS:
                for tool in tools:
                    if tool.name == "pass" and op not in pass_ops:
                        continue
                    args = {"add": (client,), "view": (client,), "search": ("mediation",),
                            "list": ()}[op]
                    elapsed, peak = getattr(tool, op)(*args)
                    times.setdefault((tool.name, op), []).append(elapsed)
                    rss[tool.name] = max(rss.get(tool.name, 0), peak)
    finally:
        for tool in tools:
            tool.close()
    return {"times": {k: statistics.median(v) for k, v in times.items()},
            "tools": [t.name for t in tools], "rss": rss}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--jrnl-venv", type=Path, help="a virtualenv with jrnl 4.6 installed")
    ap.add_argument("--pass-ops", nargs="+", choices=OPS, default=list(OPS),
                    help="the operations timed for pass (`pass grep` decrypts every note: "
                         "minutes at 10,000)")
    ap.add_argument("--editable", action="store_true",
                    help="time `python -m vault` of this interpreter instead of the `vault` "
                         "script of a copy installed with `pip install .`")
    args = ap.parse_args()
    compile_package()
    scratch = Path(tempfile.mkdtemp(prefix="peers-tools-"))
    global VAULT, PYTHON
    if not args.editable:
        VAULT, PYTHON = installed(scratch)
    jrnl_venv = args.jrnl_venv or (None if args.no_install else install_jrnl(scratch))
    with_pass = install_pass() if not args.no_install else bool(shutil.which("pass"))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; median of {args.repeat} interleaved runs")
    for size in args.sizes:
        result = bench(size, args.repeat, jrnl_venv, with_pass, tuple(args.pass_ops))
        tools = result["tools"]
        print(f"\n{size} notes, {size // 10} clients (seconds per whole process; "
              "ratio = peer / vault)")
        print("| operation | " + " | ".join(tools) + " |")
        print("|---" * (len(tools) + 1) + "|")
        for op in OPS:
            base = result["times"][("vault", op)]
            cells = [f"{base:.3f}"] + [
                f"{result['times'][(t, op)]:.3f} ({result['times'][(t, op)] / base:.1f}x)"
                if (t, op) in result["times"] else "not timed" for t in tools[1:]]
            print(f"| {op} | " + " | ".join(cells) + " |")
        print("| peak RSS (MiB, any op) | " + " | ".join(
            f"{result['rss'][t] / 1024:.0f}" for t in tools) + " |")


if __name__ == "__main__":
    main()
