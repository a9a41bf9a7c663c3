"""The console script. Tiny on purpose, and standard library only until it
knows where the command runs: first the agent's thin client (agent/client.py,
as chg is to hg), which hands the whole command to the agent of `vault
unlock` when one runs for this vault; else the full CLI, in this process.
Ctrl-C while the heavier modules are still importing must end in one line
and exit 130, not a traceback."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from .agent.thin import through_agent
        code = through_agent(sys.argv[1:])
        if code is not None:
            _leave(code)
    except KeyboardInterrupt:
        return _interrupted()
    return in_process()


def in_process(argv: list[str] | None = None) -> int:
    """The command in this process: the CLI. Also what an agent's worker runs."""
    try:
        from .cli import main as cli_main
        return cli_main(argv)
    except KeyboardInterrupt:
        return _interrupted()


def _leave(code: int) -> None:
    """The agent ran the command: exit now, without the interpreter's
    teardown (a few ms of every command); this process wrote nothing but
    perhaps a line on stderr, flushed here."""
    import os
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code & 0xFF)


def _interrupted() -> int:
    try:
        sys.stderr.write("vault: error: interrupted\n")
    except (OSError, ValueError):
        pass
    return 130
