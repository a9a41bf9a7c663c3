"""The inbox: notes added with `vault add --sealed` while the vault was locked
that could not be filed at the next unlock (their name matches no client, or
they cannot be read). Never imports typer or rich."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import NotFound
from ..models import Note
from ..validate import check_name
from ..vaultfile.inbox import InboxItem, seal_to_inbox
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from .transaction import CommitThenRaise, command, missing, now_utc


@dataclass(frozen=True)
class Waiting:
    id: int
    item: InboxItem | None      # None: the sealed note cannot be read


def seal(store: Store, name: str, text: str, tags: tuple[str, ...],
         now: datetime | None = None) -> int:
    """`vault add --sealed`: no passphrase, no KDF; filed at the next unlock.
    Returns the inbox id."""
    return seal_to_inbox(store, name, text, tags, now_utc(now).replace(microsecond=0))


def file_pending(session: UnlockedVault) -> None:
    """Open the vault's transaction once: `begin()` files what it can."""
    if session.store.inbox_count():
        with command(session):
            pass


def not_authentic(session: UnlockedVault) -> int:
    """Inbox rows that will never be filed: not sealed by `add --sealed` with
    this vault's capture key (planted with only the public box key), or
    damaged. Read-only, for `vault check` (inside its read transaction)."""
    return session.inbox.not_authentic()


def check_problems(session: UnlockedVault) -> list[str]:
    """What `vault check` reports about the inbox (exit 5 if anything)."""
    n = not_authentic(session)
    return [f"{n} note(s) in the inbox failed authentication (not sealed with this "
            "vault's capture key, or damaged); they are never filed"] if n else []


def waiting(session: UnlockedVault, now: datetime | None = None) -> list[Waiting]:
    with command(session):
        found = [Waiting(i, session.open_inbox(i, sealed))
                 for i, sealed in session.store.inbox()]
        session.log("inbox", now=now_utc(now), detail={"waiting": len(found)})
    return found


def _find(session: UnlockedVault, item_id: int) -> tuple[int, InboxItem | None]:
    for i, sealed in session.store.inbox():
        if i == item_id:
            return i, session.open_inbox(i, sealed)
    raise CommitThenRaise(NotFound(f"no inbox note {item_id}",
                                   hint="see `vault inbox` for the waiting notes"))


def file_item(session: UnlockedVault, item_id: int, name: str, create: bool = False,
              now: datetime | None = None) -> Note:
    """File a waiting note under CLIENT (created with `create`)."""
    name, now = check_name(name), now_utc(now)
    with command(session):
        _, item = _find(session, item_id)
        if item is None:
            raise CommitThenRaise(NotFound(f"inbox note {item_id} cannot be read; "
                                           "it can only be dropped"))
        client = session.find_client(name)
        if client is None:
            if not create:
                raise CommitThenRaise(missing(session, name, now))
            client = session.create_client(name, now.replace(microsecond=0))
        note = session.file_inbox_item(item, client)
    return note


def drop(session: UnlockedVault, item_id: int, now: datetime | None = None) -> None:
    with command(session):
        _find(session, item_id)
        session.store.delete_inbox(item_id)
        session.log("inbox-drop", now=now_utc(now), detail={"item": item_id})
