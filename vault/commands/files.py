"""Closing, retention, legal hold, redaction and shredding of client files.

Destroying here means destroying: redacted text is re-encrypted under a new
client key and the old key dropped; a shredded client's key, record and
notes are deleted. Either way secure_delete zeroes the freed bytes, the
master key is rotated so no stale copy of a page can be unwrapped even with
the passphrase, and the WAL is checkpointed and truncated. Each command and
its log entries are one transaction.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..errors import NotFound, Refused, UsageError, VaultError
from ..models import Client, Note
from ..text import redact as spanlib
from ..text.span import Span
from ..validate import check_name, normalise_name
from ..vaultfile.unlocked import UnlockedVault
from .transaction import CommitThenRaise, command, now_utc, require


def _refuse_if_held(session: UnlockedVault, clients: list[Client], action: str,
                    now: datetime) -> None:
    """Inside `command()`. The refusal is logged and committed: finding out that
    a held client's notes match is itself an access to them."""
    held = [c for c in clients if c.hold is not None]
    if not held:
        return
    session.log(f"{action}-refused", clients=tuple(c.uid for c in held), now=now,
                detail={"held": len(held)})
    if len(held) == 1:
        raise CommitThenRaise(Refused(
            f"the client is under legal hold ({held[0].hold}); nothing was changed",
            hint="release it first with `vault release CLIENT`"))
    raise CommitThenRaise(Refused(
        f"{len(held)} of the clients concerned are under legal hold; nothing was changed",
        hint="release them first with `vault release`"))


def _require_exclusive(session: UnlockedVault) -> None:
    """Old pages can only be overwritten when no other connection keeps a
    snapshot of them. Refuse to destroy anything rather than report an erase
    that did not happen."""
    if not session.store.erase_freed(attempts=10):
        raise VaultError("another program has the vault open (a reader keeps its old pages "
                         "alive); nothing was destroyed",
                         hint="close it (another vault command, a backup, a database "
                              "browser) and try again")


def erase_failed_error() -> VaultError:
    return VaultError("the change is committed, but another program opened the vault "
                      "meanwhile and keeps its old pages alive",
                      hint="close that program, then run any vault command: the last one "
                           "to close the vault overwrites them")


# -- close, reopen, hold, release ---------------------------------------------

def _change(session: UnlockedVault, name: str, action: str, now: datetime | None,
            detail: dict[str, Any], **changes: Any) -> Client:
    now = now_utc(now)
    with command(session):
        client = require(session, name, now)
        updated = dataclasses.replace(client, **changes)
        session.update_client(updated)
        session.log(action, clients=(client.uid,), detail=detail, now=now)
    return updated


def close(session: UnlockedVault, name: str, retain_until: date | None = None,
          now: datetime | None = None) -> Client:
    return _change(session, name, "close", now,
                   {"retain_until": None if retain_until is None else retain_until.isoformat()},
                   status="closed", retain_until=retain_until)


def reopen(session: UnlockedVault, name: str, now: datetime | None = None) -> Client:
    return _change(session, name, "reopen", now, {}, status="open", retain_until=None)


def hold(session: UnlockedVault, name: str, reason: str, now: datetime | None = None) -> Client:
    reason = " ".join(reason.split())
    if not reason:
        raise UsageError("--reason is empty")
    # The reason lives in the client's sealed record, destroyed with it by a
    # shred; the log keeps only its length (it may well name the client).
    return _change(session, name, "hold", now, {"reason_chars": len(reason)}, hold=reason)


def release(session: UnlockedVault, name: str, now: datetime | None = None) -> Client:
    return _change(session, name, "release", now, {}, hold=None)


# -- redact -------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    client: Client
    note: Note
    spans: list[Span]


@dataclass(frozen=True)
class TagMatch:
    """A tag that matches what redact strikes: reported, never changed."""
    client: Client
    note: int
    tag: str


@dataclass(frozen=True)
class Found:
    """What one redact search found: note spans to strike, aliases to strike
    (`--text` without `--note`), tags that match (reported only)."""
    hits: list[Hit]
    aliases: dict[int, tuple[Client, tuple[str, ...]]]   # client id -> (client, aliases)
    tags: list[TagMatch]

    @property
    def aliases_struck(self) -> int:
        return sum(len(a) for _, a in self.aliases.values())


@dataclass(frozen=True)
class Redacted:
    hits: list[Hit]
    erased: bool
    aliases: int = 0                      # aliases struck from client records
    tags: tuple[TagMatch, ...] = ()       # tags that match: not changed

    @property
    def spans(self) -> int:
        return sum(len(h.spans) for h in self.hits)

    @property
    def characters(self) -> int:
        return sum(s.end - s.start for h in self.hits for s in h.spans)

    @property
    def clients(self) -> int:
        return len({h.client.id for h in self.hits})


def make_finder(text: str | None, pattern: str | None, use_pii: bool) -> spanlib.Finder:
    """What `redact` strikes: exactly one of --text, --pattern or --pii."""
    return spanlib.make_finder(text, pattern, use_pii)


def _search(session: UnlockedVault, name: str | None, finder: spanlib.Finder,
            note_ids: tuple[int, ...], now: datetime, aliases: bool = False) -> Found:
    """Inside `command()`: every note with something to remove, from one
    client or (name None) all; with `aliases` (and no note ids), the
    aliases it matches too; and the tags that match. Refused, and logged, if
    a held client is concerned: the one named, or with --everywhere any with
    a match in its notes or aliases."""
    clients = session.clients() if name is None else [require(session, name, now)]
    hits, struck, tags = [], {}, []
    for client in clients:
        if aliases and not note_ids:
            gone = tuple(a.name for a in client.aliases if finder(a.name))
            if gone:
                struck[client.id] = (client, gone)
        notes = session.notes(client)
        if note_ids:
            unknown = set(note_ids) - {n.id for n in notes}
            if unknown:
                raise NotFound(f"note {min(unknown)} is not one of this client's notes")
            notes = [n for n in notes if n.id in note_ids]
        for note in notes:
            found = spanlib.merge(finder(note.text))
            if found:
                hits.append(Hit(client, note, found))
            tags += [TagMatch(client, note.id, t) for t in note.tags if finder(t)]
    concerned = [h.client for h in hits] + [c for c, _ in struck.values()]
    _refuse_if_held(session, clients if name is not None else
                    list({c.id: c for c in concerned}.values()), "redact", now)
    return Found(hits, struck, tags)


def check_target(name: str | None, everywhere: bool, note_ids: tuple[int, ...]) -> None:
    if (name is None) == (not everywhere):
        raise UsageError("give a CLIENT or --everywhere, not both")
    if everywhere and note_ids:
        raise UsageError("--note works with one CLIENT, not with --everywhere")


def redact_preview(session: UnlockedVault, name: str | None, finder: spanlib.Finder,
                   note_ids: tuple[int, ...] = (), everywhere: bool = False,
                   now: datetime | None = None, aliases: bool = False) -> Found:
    """What redact would remove. Showing it shows note text: logged first."""
    check_target(name, everywhere, note_ids)
    now = now_utc(now)
    with command(session):
        found = _search(session, name, finder, note_ids, now, aliases)
        # Logged even without a match: the search read every note it covered.
        session.log("redact-preview", clients=_uids(found), now=now,
                    detail={"notes": [h.note.id for h in found.hits]})
    return found


def redact(session: UnlockedVault, name: str | None, finder: spanlib.Finder,
           note_ids: tuple[int, ...] = (), everywhere: bool = False,
           reason: str | None = None, now: datetime | None = None,
           aliases: bool = False) -> Redacted:
    """Strike what `finder` finds from the notes; with `aliases` (`--text`),
    also strike the aliases it matches from the client records. Tags that
    match are reported (Redacted.tags), not changed."""
    check_target(name, everywhere, note_ids)
    now = now_utc(now)
    _require_exclusive(session)
    with command(session):
        session.verify_all()   # a destructive command checks the whole vault first
        found = _search(session, name, finder, note_ids, now, aliases)
        hits = found.hits
        result = Redacted(hits, erased=False)
        new_texts: dict[int, dict[int, str]] = {}
        for h in hits:
            new_texts.setdefault(h.client.id, {})[h.note.id] = spanlib.apply(h.note.text, h.spans)
        changed = {h.client.id: h.client for h in hits}
        changed.update({i: c for i, (c, _) in found.aliases.items()})
        for client in changed.values():
            if client.id in found.aliases:   # a struck alias goes with the old key
                client = dataclasses.replace(client, aliases=tuple(
                    a for a in client.aliases if a.name not in found.aliases[client.id][1]))
            session.rekey_client(client, new_texts.get(client.id, {}))
        # Logged even without a match. Never the removed text, nor a hash of
        # it: only where and how much. The reason is sealed under the changed
        # clients' log keys (vaultfile/private.py): a shred erases it.
        session.log("redact", clients=_uids(found), now=now, detail={
            "notes": [h.note.id for h in hits], "spans": result.spans,
            "characters": result.characters, "reason": reason,
            "span_lengths": [[s.end - s.start for s in h.spans] for h in hits],
            "aliases": found.aliases_struck, "tags_matched": len(found.tags)})
        if changed:
            session.rotate_master()
    done = Redacted(hits, erased=False, aliases=found.aliases_struck, tags=tuple(found.tags))
    if not changed:
        return dataclasses.replace(done, erased=True)
    return dataclasses.replace(done, erased=session.store.erase_freed())


def _uids(found: Found) -> tuple[bytes, ...]:
    """The clients a redaction concerns: a note or an alias changed."""
    return tuple({**{h.client.uid: None for h in found.hits},
                  **{c.uid: None for c, _ in found.aliases.values()}})


# -- shred ----------------------------------------------------------------------

@dataclass(frozen=True)
class Shredded:
    clients: int
    notes: int
    held: int
    erased: bool
    # Backups made while a shredded client existed, whose files are still
    # where they were written: they still hold the client's notes.
    backups: tuple[str, ...] = ()


def _destroy(session: UnlockedVault, clients: list[Client],
             now: datetime) -> tuple[int, tuple[str, ...]]:
    """Inside `command()`: crypto-erase and delete, one log entry each, then a
    fresh master key. Returns the notes destroyed and the backups that still
    hold them."""
    notes, remaining = 0, {}
    backups = session.backups() if clients else []
    for c in clients:
        n = session.destroy_client(c, now.date().isoformat())
        notes += n
        holding = [path for path, when in backups if when >= c.created]
        remaining.update((p, None) for p in holding if os.path.exists(p))
        session.log("shred", clients=(c.uid,), now=now,
                    detail={"client": c.uid.hex(), "notes": n, "backups": holding})
    if clients:
        session.rotate_master()
    return notes, tuple(remaining)


def shred(session: UnlockedVault, name: str, now: datetime | None = None) -> Shredded:
    now = now_utc(now)
    _require_exclusive(session)
    with command(session):
        session.verify_all()
        client = require(session, name, now)
        _refuse_if_held(session, [client], "shred", now)
        notes, backups = _destroy(session, [client], now)
    return Shredded(1, notes, 0, session.store.erase_freed(), backups)


def is_due(client: Client, today: date) -> bool:
    return (client.status == "closed" and client.retain_until is not None
            and client.retain_until <= today)


def expired(session: UnlockedVault, today: date,
            now: datetime | None = None) -> tuple[list[Client], list[Client]]:
    """(due and not held, due but held), for a dry run. Shows names: logged."""
    now = now_utc(now)
    with command(session):
        due = [c for c in session.clients() if is_due(c, today)]
        session.log("shred-preview", clients=tuple(c.uid for c in due), now=now,
                    detail={"due": sum(c.hold is None for c in due),
                            "held": sum(c.hold is not None for c in due)})
    return [c for c in due if c.hold is None], [c for c in due if c.hold is not None]


def shred_expired(session: UnlockedVault, today: date, now: datetime | None = None) -> Shredded:
    now = now_utc(now)
    _require_exclusive(session)
    with command(session):
        session.verify_all()
        due = [c for c in session.clients() if is_due(c, today)]
        free = [c for c in due if c.hold is None]
        notes, backups = _destroy(session, free, now)
    erased = session.store.erase_freed() if free else True
    return Shredded(len(free), notes, len(due) - len(free), erased, backups)


def confirm_name_matches(typed: str, client_name: str) -> bool:
    return normalise_name(typed) == normalise_name(check_name(client_name))


def check_shreddable(session: UnlockedVault, name: str, now: datetime | None = None) -> None:
    """Before asking to confirm: the client exists and is not held."""
    now = now_utc(now)
    with command(session):
        _refuse_if_held(session, [require(session, name, now)], "shred", now)
