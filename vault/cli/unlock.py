"""`vault unlock`, `vault lock` and `vault status`: unlock once, work for a while."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import validate
from . import ui
from .base import (
    JsonFlag,
    KeyFile,
    PassphraseFile,
    _agent,
    _factors,
    _failed_attempts,
    _inbox_waiting,
    _json,
    _prompts,
    _state,
    app,
    policy,
)

MAX_TIMEOUT_S = 24 * 3600


def parse_duration(text: str) -> int:
    """`15m`, `90s`, `2h`, `1h30m` to seconds (validate's duration grammar)."""
    return validate.clock_seconds(text, "--timeout", 1, MAX_TIMEOUT_S)


@app.command(short_help="Unlock for a while: no passphrase until then.")
def unlock(ctx: typer.Context,
           timeout: Annotated[str, typer.Option(
               "--timeout", metavar="DURATION", help="Lock again after this long without "
               "use: 15m (default), 1h, 90s; at most 24h.")] = "15m",
           passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Unlock the vault for a while: later commands need no passphrase.

    Starts a background agent for this user and vault that holds the key in
    memory only, and returns at once. It locks itself after the idle timeout,
    when the vault is restored or its passphrase changes, and on `vault lock`.
    """
    from ..agent import client as agent
    seconds = parse_duration(timeout)
    path = _state(ctx).path
    report = policy.Unlocked()
    try:
        policy.start_agent(path, _factors(passphrase_file, keyfile), _agent(path), seconds,
                           _prompts(), report)
        _inbox_waiting(report)
    finally:
        _failed_attempts(report)
    until = agent.status(path)
    ui.info(f"unlocked until {until or '?'} (idle timeout {timeout}); `vault lock` to end")


@app.command(short_help="Forget the key now.")
def lock(ctx: typer.Context, passphrase_file: PassphraseFile = None,
         keyfile: KeyFile = None) -> None:
    """Forget the key now: the next command asks for the passphrase again."""
    path = _state(ctx).path
    running, unlogged = policy.lock(path, _agent(path))
    if not running:
        ui.info("the vault was not unlocked")
        return
    ui.info("locked")
    if unlogged is not None:
        ui.warn("the lock was not written to the log")
        raise unlogged


@app.command(short_help="Where the vault is and whether it is unlocked.")
def status(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Whether a vault exists, where, and whether it is unlocked; no passphrase.

    Shows no client data.
    """
    from ..agent import client as agent
    path = _state(ctx).path
    exists = path.is_file()
    info = agent.details(path) if exists else None
    until = None if info is None else info["until"]
    if json_out:
        index = None if info is None or not isinstance(info.get("index"), dict) else {
            k: v for k, v in info["index"].items() if k in ("built", "clients", "notes", "bytes")}
        _json({"vault": str(path), "exists": exists, "unlocked": until is not None,
               "until": until, "index": index})
        return
    ui.out(f"vault: {path}{'' if exists else ' (none yet: `vault init` creates it)'}\n")
    if exists:
        ui.out(f"unlocked until {until}\n" if until else "locked\n")
