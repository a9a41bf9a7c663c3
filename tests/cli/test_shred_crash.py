"""`vault shred` killed at a random moment (SIGKILL) leaves a consistent vault.

One template vault with three clients is made once; each trial copies it,
starts `python -m vault shred "Victim Name" --yes` on the copy, kills it after
a random 0-300 ms and then checks that the log verifies, `list` works, the
victim is either fully intact (every note with its original text, date and
tags) or fully gone (exit 4, and none of its old ciphertext left in the files
once the vault has been opened again), and the other two clients are always
intact. 50 trials; VAULT_LONG_TESTS=1 runs 500. VAULT_CRASH_SEED=N replays a run.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from ..checks import ok

VICTIM = "Victim Name"
OTHERS = ["Alice Smith", "Bob Jones"]
TRIALS = 500 if os.environ.get("VAULT_LONG_TESTS") == "1" else 50


def companions(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"),
                        Path(f"{path}-journal")) if p.exists()]


def child_env(venv, path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in venv.env.items() if v is not None})
    env["VAULT_PATH"] = str(path)
    return env


def test_shred_killed_at_any_moment_leaves_the_victim_intact_or_gone(vault_env, tmp_path):
    # -- the template ------------------------------------------------------------
    for name in [VICTIM, *OTHERS]:
        for i in range(3):
            ok(vault_env.run("add", name, "-m", f"note {i} of {name}: private words {i}",
                             "--tag", f"t{i}", *(["--new"] if i == 0 else [])))
    original = {n: json.loads(ok(vault_env.run("view", n, "--json")).stdout)
                for n in [VICTIM, *OTHERS]}
    conn = sqlite3.connect(vault_env.path)
    victim_id = conn.execute("SELECT client_id FROM notes WHERE id = ?",
                             (original[VICTIM]["notes"][0]["id"],)).fetchone()[0]
    old_bodies = [b for (b,) in conn.execute("SELECT body FROM notes WHERE client_id = ?",
                                             (victim_id,))]
    old_key = conn.execute("SELECT wrapped_key FROM clients WHERE id = ?",
                           (victim_id,)).fetchone()[0]
    conn.close()
    template = [p for p in companions(vault_env.path)]

    seed = int(os.environ.get("VAULT_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    counts = {"intact": 0, "gone": 0}
    finished_by_itself = 0

    for trial in range(TRIALS):
        where = f"trial {trial} (VAULT_CRASH_SEED={seed})"
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        path = folder / "vault.sqlite"
        for p in template:
            shutil.copy2(p, folder / p.name.replace(vault_env.path.name, path.name))
        env = {"VAULT_PATH": str(path)}

        delay = rng.uniform(0, 0.3)
        with open(folder / "stderr", "wb") as err:
            proc = subprocess.Popen([sys.executable, "-m", "vault", "shred", VICTIM, "--yes"],
                                    env=child_env(vault_env, path), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        if proc.returncode != -signal.SIGKILL:
            finished_by_itself += 1
            assert proc.returncode == 0, (where, (folder / "stderr").read_text())

        # -- the vault after the crash ------------------------------------------------
        verify = vault_env.run("log", "verify", env=env)
        assert verify.exit_code == 0, (where, verify.stdout, verify.stderr)
        listed = vault_env.run("list", "--json", env=env)
        assert listed.exit_code == 0, (where, listed.stderr)
        listed_names = [c["client"] for c in json.loads(listed.stdout)]

        victim = vault_env.run("view", VICTIM, "--json", env=env)
        if victim.exit_code == 0:
            assert json.loads(victim.stdout) == original[VICTIM], where
            assert VICTIM in listed_names, where
            counts["intact"] += 1
        else:
            assert victim.exit_code == 4, (where, victim.exit_code, victim.stderr)
            assert VICTIM not in listed_names, where
            raw = b"".join(p.read_bytes() for p in companions(path))
            assert old_key not in raw, where
            assert not any(b in raw for b in old_bodies), where
            counts["gone"] += 1
        for name in OTHERS:
            other = vault_env.run("view", name, "--json", env=env)
            assert other.exit_code == 0, (where, name, other.stderr)
            assert json.loads(other.stdout) == original[name], (where, name)
        ok(vault_env.run("log", "verify", env=env))
        shutil.rmtree(folder)

    print(f"\nshred crash test, {TRIALS} trials (VAULT_CRASH_SEED={seed}): "
          f"victim intact {counts['intact']}, gone {counts['gone']}, "
          f"{finished_by_itself} finished before the kill")
    assert counts["intact"] + counts["gone"] == TRIALS
