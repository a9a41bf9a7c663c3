"""Every command's transaction, and the checks every command makes first.

`command()` opens the write transaction in which a command's change and its
log entry are committed together, before the caller shows any plaintext;
`require()` finds the named client or fails with close matches, logging
that other clients' names were shown; `close_matches()` and `lookalikes()`
give those names, logged the same way, to a caller that asks a person
first. Never imports typer or rich.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import IntegrityError, NotFound, VaultError
from ..models import Client
from ..validate import check_name, normalise_name, skeleton
from ..vaultfile import witness
from ..vaultfile.unlocked import UnlockedVault


def now_utc(now: datetime | None = None) -> datetime:
    """The command's time: `now` (a seam for tests), else the clock, in UTC."""
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


# -- clients ---------------------------------------------------------------

def client_exists(session: UnlockedVault, name: str) -> bool:
    with session.store.read():
        return session.find_client(check_name(name)) is not None


def require_client(session: UnlockedVault, name: str, now: datetime | None = None) -> None:
    """Raise NotFound, with close matches, unless the client exists."""
    with command(session):
        require(session, name, now_utc(now))


def _similar(session: UnlockedVault, name: str) -> tuple[Client, ...]:
    """Up to three clients whose names look like `name`: the same look
    (`skeleton`) first, then close spellings and names one of whose words
    starts with it."""
    wanted, shape = normalise_name(name), skeleton(name)
    by_norm = {normalise_name(c.name): c for c in session.clients()}
    close = [n for n, c in by_norm.items() if n != wanted and skeleton(c.name) == shape][:3]
    close += [n for n in difflib.get_close_matches(wanted, list(by_norm), n=3, cutoff=0.6)
              if n not in close]
    for norm in by_norm:
        if len(close) < 3 and norm not in close and any(
                part.startswith(wanted) for part in norm.split()):
            close.append(norm)
    return tuple(by_norm[n] for n in close[:3])


def _shown(session: UnlockedVault, matches: tuple[Client, ...], now: datetime) -> None:
    """Other clients' names about to be shown: an access, logged."""
    if matches:
        session.log("suggest", clients=tuple(c.uid for c in matches),
                    detail={"suggested": len(matches)}, now=now)


def close_matches(session: UnlockedVault, name: str,
                  now: datetime | None = None) -> tuple[Client, ...]:
    """The clients a name that is no client may have meant, for a person to
    choose from before a new client is made; logged as `suggest`."""
    now = now_utc(now)
    with command(session):
        matches = _similar(session, name)
        _shown(session, matches, now)
    return matches


def lookalikes(session: UnlockedVault, name: str,
               now: datetime | None = None) -> tuple[Client, ...]:
    """Existing clients whose names look the same as `name` but are spelled
    with other characters ("Jаne Doe" with a Cyrillic "а"); logged as
    `suggest` when there are any, since the caller may show them."""
    now, wanted, shape = now_utc(now), normalise_name(name), skeleton(name)
    with command(session):
        found = tuple(c for c in session.clients() if skeleton(c.name) == shape
                      and normalise_name(c.name) != wanted)[:3]
        _shown(session, found, now)
    return found


def missing(session: UnlockedVault, name: str, now: datetime) -> NotFound:
    """Close matches for a name that is not a client. Showing them shows other
    clients' names, so the access is logged (inside the caller's transaction)."""
    matches = _similar(session, name)
    _shown(session, matches, now)
    return NotFound("no such client", suggestions=tuple(c.name for c in matches),
                    hint="see `vault list` for client names, or add with --new "
                         "to create a new client")


# -- every command's transaction ------------------------------------------

class CommitThenRaise(Exception):
    """Raised inside `command()`: commit what was logged, then raise `error`."""

    def __init__(self, error: VaultError) -> None:
        super().__init__(error.message)
        self.error = error


@contextlib.contextmanager
def command(session: UnlockedVault) -> Iterator[None]:
    """One command's write transaction, started by the checks every command
    makes (the sealed head, then the witness: an older copy of the whole file
    put back fails here). A CommitThenRaise keeps the log entries written so
    far (such as the `suggest` entry of a missing client) and then fails.
    After the commit, the witness moves to the new head."""
    pending: VaultError | None = None
    after = None
    # Only the outermost transaction commits, so only it checks and moves
    # the witness: a nested one (another command(), or a caller's own
    # store.write()) must not name an entry that is not committed yet.
    outer = not session.store.in_transaction
    with session.store.write():
        session.begin()
        file, repin = _check_witness(session) if outer else (None, None)
        session.settle(outer)
        if repin is not None:
            session.log("accept-rollback", detail=repin)
        try:
            yield
        except CommitThenRaise as e:
            pending = e.error
        if outer:
            session.end()
            after = session.sealed_as()
        mark = None if file is None else witness.head(session.store, session.vault_id)
    session.committed(after)
    if file is not None and mark is not None:
        witness.write(file, session.vault_id, mark)   # only ever a committed entry
    if pending is not None:
        raise pending


# --accept-rollback for this run (set by the CLI through commands.unlock).
_accepting = False


def accept_rollback(on: bool) -> None:
    global _accepting
    _accepting = on


def rolling_back_accepted() -> bool:
    return _accepting


def refuse_rollback(session: UnlockedVault) -> None:
    """For a command that checks without writing (`backup` through the
    agent): fail as every command does if the vault is older than its
    witness, unless --accept-rollback (which only a writing command re-pins)."""
    _check_witness(session)


def _check_witness(session: UnlockedVault) -> tuple[Path | None, dict[str, Any] | None]:
    """Inside the transaction: fail if the vault is older than its witness
    (the entry it names is not in the log), unless --accept-rollback. No
    witness: trusted on first use. Returns where the witness goes after the
    commit, and the detail of the `accept-rollback` entry to log (after the
    state is checked) when it is re-pinned."""
    if not session.store.witnessed:   # a scratch copy
        return None, None
    file = witness.location(session.store, session.vault_id)
    damaged = False
    try:
        marks = witness.read(file, session.vault_id)
    except IntegrityError:
        if not _accepting:
            raise
        marks, damaged = None, True
    last = witness.behind(session.store, session.vault_id, marks)
    if last is None and not damaged:
        return file, None
    if last is not None and not _accepting:
        raise IntegrityError(
            witness.ROLLED_BACK.format(seq=last.seq),
            hint="if you put an older copy back on purpose, run the command once with "
                 "--accept-rollback, or restore a backup with "
                 "`vault restore FILE --accept-rollback`")
    now = witness.head(session.store, session.vault_id)
    return file, {"witness_seq": None if last is None else last.seq,
                  "seq": None if now is None else now.seq}


def require(session: UnlockedVault, name: str, now: datetime) -> Client:
    """The named client, inside `command()`; NotFound with close matches otherwise."""
    client = session.find_client(check_name(name))
    if client is None:
        raise CommitThenRaise(missing(session, name, now))
    return client


def log_event(session: UnlockedVault, action: str, detail: dict[str, Any],
              now: datetime | None = None) -> None:
    """A command that touches no client (unlock, lock): just its log entry."""
    with command(session):
        session.log(action, detail=detail, now=now_utc(now))
