"""Maintenance benchmark: import throughput, passwd, backup, check and restore
on a vault of 10,000 notes over 1,000 clients (by default).

    python benchmarks/bench_maintenance.py [--notes 10000] [--clients 1000]

Targets (issue 5): import at least 5,000 notes/s; passwd costs the KDF and
nothing that grows with the vault. The KDF is fixed small (8 MiB, 1 pass) so
the figures show the vault's own work; add one calibrated Argon2 run (about
0.5 s) to passwd for a real vault.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vault.commands import backup as backups, imports as importing, maintenance, notes as core
from vault.commands import restore as restores  # noqa: E402
from vault.models import KdfParams  # noqa: E402
from vault.vaultfile.unlocked import UnlockedVault  # noqa: E402
from vault.vaultfile.store import Store  # noqa: E402

PW = b"benchmark passphrase"
KDF = KdfParams(8192, 1, 1)
TEXT = "Session notes. Discussed sleep, work stress and the plan for next week. " * 6


def jsonl(path: Path, notes: int, clients: int) -> None:
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    per = notes // clients
    with open(path, "w", encoding="utf-8") as f:
        for c in range(clients):
            f.write(json.dumps({"client": f"Client {c:05d}", "notes": [
                {"id": i, "created": (start + timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "tags": ["imported"], "text": f"{TEXT} #{i}"} for i in range(per)]}) + "\n")


def clock(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=1_000)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="vault-bench-"))
    path, source = folder / "vault.sqlite", folder / "in.jsonl"
    jsonl(source, args.notes, args.clients)
    core.init(path, PW, KDF)
    session = UnlockedVault.unlock(Store.open(path), PW)

    read_s, notes = clock(lambda: importing.read_jsonl(source))
    store_s, result = clock(lambda: importing.import_notes(session, notes, "jsonl"))
    total = read_s + store_s
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"import {result.notes} notes / {result.clients} clients: read+check {read_s:.2f} s, "
          f"store {store_s:.2f} s -> {result.notes / total:,.0f} notes/s (target >= 5,000)")

    passwd_s, _ = clock(lambda: maintenance.passwd(session, b"another passphrase", None, KDF))
    print(f"passwd (8 MiB/1-pass KDF): {passwd_s * 1000:.0f} ms")
    check_s, report = clock(lambda: maintenance.check(session))
    print(f"check: {check_s:.2f} s ({report.notes} notes, {report.log_entries} log entries, "
          f"ok={report.ok})")
    session.store.close()

    store = Store.open(path)
    backup_s, info = clock(lambda: backups.backup(store, folder / "b.vaultbackup"))
    store.close()
    print(f"backup: {backup_s:.2f} s ({info.size / 1e6:.1f} MB)")

    target = folder / "restored.sqlite"

    def restore() -> None:
        temp = folder / ".restore"
        backups.unpack_backup(info.path, temp)
        s = Store.open(temp)
        try:
            restores.prepare_restore(UnlockedVault.unlock(s, b"another passphrase"), [], False)
        finally:
            s.close()
        restores.swap_in(temp, target)
    restore_s, _ = clock(restore)
    print(f"restore (digest, full check, swap): {restore_s:.2f} s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
