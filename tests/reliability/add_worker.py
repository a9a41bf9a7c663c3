"""Run by test_concurrency.py as a child process: COUNT `vault add` commands,
one after another, each through the real command-line entry point
(`vault.cli.main`, which `python -m vault` calls), in this one process.

    python add_worker.py WORKER COUNT GO_FILE

Waits for GO_FILE to appear, so that all workers start adding at the same
moment. Each command's own output goes to this process's stderr, as it would
to the user's; the exit codes are checked here and summed up on stdout as
one line: `WORKER ok FAILED`.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import typer.main

from vault.cli import main as vault_main


def main() -> int:
    worker, count, go = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    for module in ("vault.commands.notes", "vault.vaultfile.unlocked", "vault.vaultfile.store"):
        importlib.import_module(module)   # loaded before the start, not during it
    # A real `vault` builds its command tree from the Typer app once per
    # process (about 0.15 s); build it once here too, not once per add.
    build, built = typer.main.get_command, {}
    typer.main.get_command = lambda app: built.get(id(app)) or built.setdefault(
        id(app), build(app))
    go.with_name(f"ready-{worker}").touch()
    while not go.exists():
        time.sleep(0.001)
    ok = failed = 0
    for i in range(count):
        code = vault_main(["add", "Shared Client", "--new",
                           "-m", f"worker {worker} note {i}", "--tag", f"w{worker}"])
        if code == 0:
            ok += 1
        else:
            failed += 1
    print(worker, ok, failed)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
