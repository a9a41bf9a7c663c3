"""The agent process of `vault unlock`: `python -m vault.serve VAULT TIMEOUT`
(the key on stdin). Loads the CLI and every module a command may need once,
then serves (agent/server.py); each command it is handed runs in a forked
worker through `entry.in_process`, the same code as without the agent.

It sits above entry.py because it ties the agent (which may not import the
CLI) to the CLI it runs.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import pkgutil
import sys

from . import entry
from .agent import server


def preload() -> None:
    """Every vault module, so that a worker imports nothing; then freeze the
    heap, so that forked workers share its pages instead of copying them."""
    import vault
    import vault.cli.base
    for info in pkgutil.walk_packages(vault.__path__, "vault."):
        if info.name not in ("vault.__main__", "vault.serve"):
            importlib.import_module(info.name)
    app = vault.cli.base.click_app()   # Typer's slowest step, once
    # Click tries each short option as a long one first and builds the error
    # it then drops (difflib's close matches, a regex compiled for the
    # message): `add -m` paid that in every worker. Once here, parsing only.
    with contextlib.suppress(Exception):
        ctx = app.make_context("vault", ["add", "x", "-m", "y"], resilient_parsing=True)
        command = app.get_command(ctx, "add")
        if command is not None:
            command.make_context("add", ["x", "-m", "y"], parent=ctx, resilient_parsing=True)
    # What commands import lazily (a worker would pay for it every time):
    # ctypes for prctl, platformdirs for the witness and config folders,
    # resource, and click's decorators and text wrapper (--help).
    for name in ("ctypes", "platformdirs", "platformdirs.unix", "resource",
                 "typer._click.decorators", "typer._click._textwrap"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from .agent import worker
    worker.libc()
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    preload()
    from .cli.notes import listing_lines
    raise SystemExit(server.main(sys.argv, runner=entry.in_process, render=listing_lines))
