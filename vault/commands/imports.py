"""`vault import`: a way in from the tools people use today: jrnl's JSON
export, a folder of text files per client, and `vault view --json` documents.

The readers (import_jrnl.py, import_dir.py, import_jsonl.py, on the shared
parts in import_common.py) turn a file into a list of `Incoming` notes,
checking every field as hostile input and naming where a problem is;
`import_notes` stores them all in one transaction, or nothing, skipping the
notes the vault already holds. Never imports typer or rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from ..models import Client
from ..validate import normalise_name
from ..vaultfile.unlocked import UnlockedVault
from .import_common import MAX_IMPORT_BYTES, ImportFailed, Incoming
from .import_dir import NOTE_SUFFIXES, read_dir
from .import_jrnl import (
    JrnlRead,
    parse_client_map,
    plain_tag,
    read_client_map,
    read_jrnl,
    read_jrnl_export,
    tag_client,
)
from .import_jsonl import read_jsonl
from .transaction import command, now_utc

__all__ = [
    "MAX_IMPORT_BYTES",
    "NOTE_SUFFIXES",
    "ImportFailed",
    "Imported",
    "Incoming",
    "JrnlRead",
    "by_client",
    "import_notes",
    "parse_client_map",
    "plain_tag",
    "read_client_map",
    "read_dir",
    "read_jrnl",
    "read_jrnl_export",
    "read_jsonl",
    "tag_client",
]


def by_client(notes: Iterable[Incoming]) -> list[list[Incoming]]:
    """The notes of each client, as the import files them: names that match
    as the vault matches them (any case, spacing, NFKC) are one client."""
    groups: dict[str, list[Incoming]] = {}
    for n in notes:
        groups.setdefault(normalise_name(n.client), []).append(n)
    return list(groups.values())


@dataclass(frozen=True)
class Imported:
    notes: int        # stored (or, in a dry run, that would be)
    clients: int      # clients that received notes
    new_clients: int  # of them, created by the import
    skipped: int      # already in the vault, or earlier in the same import
    dry_run: bool = False


def _new_notes(session: UnlockedVault, client: Client | None,
               items: list[Incoming]) -> tuple[list[Incoming], int]:
    """The notes not yet in the client's file, in date order, and how many
    were skipped: a note is there if one of the same date (to the second,
    as stored) and text is. Reads only this client's notes."""
    seen = set() if client is None else {(n.created, n.text) for n in session.notes(client)}
    fresh = []
    for n in sorted(items, key=lambda n: n.created):
        if (n.created, n.text) not in seen:
            seen.add((n.created, n.text))
            fresh.append(n)
    return fresh, len(items) - len(fresh)


def import_notes(session: UnlockedVault, notes: Iterable[Incoming], source: str,
                 progress: Callable[[int, int], None] | None = None,
                 now: datetime | None = None, dry_run: bool = False) -> Imported:
    """Every new note in one transaction with one log entry: all or nothing.
    Clients are created as needed; each client's notes go in date order; a
    note the client's file already holds (same date and text) is skipped.

    A dry run does the same reading and counting, stores nothing, and logs
    `import-preview`: finding duplicates opens the clients' notes."""
    now = now_utc(now)
    groups = by_client(notes)
    total, done, stored, skipped, receiving, new = sum(map(len, groups)), 0, 0, 0, 0, 0
    uids = []  # every client concerned: its notes were compared, or it got new ones
    with command(session):
        for items in groups:
            name = items[0].client  # the first spelling names a new client
            client = session.find_client(name)
            fresh, dropped = _new_notes(session, client, items)
            stored, skipped, receiving = stored + len(fresh), skipped + dropped, \
                receiving + (1 if fresh else 0)
            if client is None:
                new += 1  # a new client's notes are all fresh: it gets them
                if not dry_run:
                    client = session.create_client(name, now.replace(microsecond=0))
            if client is not None:
                uids.append(client.uid)
                if fresh and not dry_run:
                    session.add_notes(client, [(n.text, n.tags, n.created) for n in fresh])
            done += len(items)
            if progress:
                progress(done, total)
        session.log("import-preview" if dry_run else "import", clients=tuple(uids), now=now,
                    detail={"format": source, "notes": stored, "clients": receiving,
                            "new_clients": new, "skipped": skipped})
    return Imported(stored, receiving, new, skipped, dry_run)
