"""`vault tags`: the tags in use, with how many notes and clients carry each.
Tags compare in validate's folded form ("Sleep", "sleep" and "SLEEP" are one
tag, shown as first written). Never imports typer or rich.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..validate import normalise_name
from ..vaultfile.unlocked import UnlockedVault
from .transaction import command, now_utc, require


@dataclass(frozen=True)
class TagCount:
    tag: str
    notes: int
    clients: int


def tags(session: UnlockedVault, client: str | None = None,
         now: datetime | None = None) -> list[TagCount]:
    """Every tag of the vault (or of one client), by name."""
    now = now_utc(now)
    shown: dict[str, str] = {}
    notes: dict[str, int] = {}
    clients: dict[str, set[int]] = {}
    with command(session):
        chosen = [require(session, client, now)] if client else session.clients()
        for c in chosen:
            for note in session.notes(c):
                for t in note.tags:
                    key = normalise_name(t)
                    shown.setdefault(key, t)
                    notes[key] = notes.get(key, 0) + 1
                    clients.setdefault(key, set()).add(c.id)
        # Like `list`: a listing that concerns every client alike names none;
        # with a client, the entry is about that client.
        session.log("tags", clients=(chosen[0].uid,) if client else (), now=now,
                    detail={"tags": len(shown)})
    return [TagCount(shown[k], notes[k], len(clients[k])) for k in sorted(shown)]
