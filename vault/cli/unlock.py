"""`vault unlock`, `vault lock` and `vault status`: unlock once, work for a while."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import validate
from . import ui
from ..errors import VaultError
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _state, _unlocked, app

MAX_TIMEOUT_S = 24 * 3600


def parse_duration(text: str) -> int:
    """`15m`, `90s`, `2h`, `1h30m` to seconds (validate's duration grammar)."""
    return validate.clock_seconds(text, "--timeout", 1, MAX_TIMEOUT_S)


@app.command()
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
    from ..commands import transaction as core
    seconds = parse_duration(timeout)
    path = _state(ctx).path
    agent.lock(path)  # a fresh unlock asks for the passphrase, not an old agent
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        agent.start(path, session.kek, seconds)
        try:
            core.log_event(session, "unlock", {"timeout_s": seconds})
        except BaseException:
            agent.lock(path)
            raise
        until = agent.status(path)
    ui.info(f"unlocked until {until or '?'} (idle timeout {timeout}); `vault lock` to end")


@app.command()
def lock(ctx: typer.Context, passphrase_file: PassphraseFile = None,
         keyfile: KeyFile = None) -> None:
    """Forget the key now: the next command asks for the passphrase again."""
    from ..agent import client as agent
    path = _state(ctx).path
    if agent.status(path) is None:
        ui.info("the vault was not unlocked")
        return
    # Lock whatever happens to the log entry: a lock that fails to log must
    # not leave the key in memory (fail closed). The error still reaches the user.
    unlogged: VaultError | None = None
    try:
        if path.exists():
            unlogged = _log_lock(path)
    finally:
        agent.lock(path)
    ui.info("locked")
    if unlogged is not None:
        ui.warn("the lock was not written to the log")
        raise unlogged


def _log_lock(path: Path) -> VaultError | None:
    """Log `lock` through the agent's own key (never a prompt: it may have
    timed out meanwhile, and then there is nothing to log)."""
    from ..agent import client as agent
    from ..commands import transaction as core
    from ..vaultfile.unlocked import Session
    from ..vaultfile.store import Store
    try:
        store = Store.open(path)
        try:
            kek = agent.key(path)
            session = None if kek is None else Session.from_agent(store, kek)
            if session is not None:
                core.log_event(session, "lock", {})
        finally:
            store.close()
    except VaultError as e:
        return e
    return None


@app.command()
def status(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Whether a vault exists, where, and whether it is unlocked; no passphrase.

    Shows no client data.
    """
    from ..agent import client as agent
    path = _state(ctx).path
    exists = path.is_file()
    until = agent.status(path) if exists else None
    if json_out:
        _json({"vault": str(path), "exists": exists, "unlocked": until is not None,
               "until": until})
        return
    ui.out(f"vault: {path}{'' if exists else ' (none yet: `vault init` creates it)'}\n")
    if exists:
        ui.out(f"unlocked until {until}\n" if until else "locked\n")
