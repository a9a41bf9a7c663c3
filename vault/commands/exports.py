"""`vault export-anonymized`, for supervisors and researchers, and `vault
export`, the complete export a client may ask for (their right of access).

Each function is one transaction with its log entry, committed before the
caller writes a byte of output. Never imports typer or rich.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .. import crypto
from ..models import Client, Note
from ..text.anonymize import DATE_MODES  # noqa: F401 - the CLI checks --dates against it
from ..validate import check_disclosure
from ..vaultfile.unlocked import UnlockedVault
from .transaction import command, now_utc, require

MAX_SHIFT_DAYS = 180


# -- export-anonymized -----------------------------------------------------------

@dataclass(frozen=True)
class Record:
    client: str          # the pseudonym
    note: int            # renumbered from 1 per client, never the vault's id
    date: str
    tags: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Disclosure:
    """Whom an export is for and why (HIPAA 45 CFR 164.528, GDPR Art. 15):
    free text, each None when not given. Sealed in the export's log entry."""
    recipient: str | None = None
    purpose: str | None = None

    def checked(self) -> Disclosure:
        """Checked like a name (UsageError, exit 2); blank text is None."""
        return Disclosure(check_disclosure(self.recipient, "the recipient"),
                          check_disclosure(self.purpose, "the purpose"))

    def detail(self) -> dict[str, str]:
        """The log detail's keys: only those given, so an export without
        them is logged exactly as before."""
        return {k: v for k, v in (("recipient", self.recipient), ("purpose", self.purpose))
                if v is not None}


@dataclass(frozen=True)
class Candidate:
    """A word left in the export that may still identify someone: where it
    is (the record's pseudonym, note number, field, offsets in that field of
    the anonymized text), what it is and why it is listed."""
    client: str
    note: int
    field: str       # "text" or "tags"
    start: int
    end: int
    text: str
    why: str


@dataclass(frozen=True)
class Anonymized:
    records: list[Record]
    counts: dict[str, int]
    suspects: list[tuple[str, int]]
    clients: int
    candidates: list[Candidate] = field(default_factory=list)


def pseudonyms(key: bytes, clients: list[Client]) -> dict[bytes, str]:
    """`Client-7F3A` from a keyed hash of each client's opaque id: the same
    within one export, different in the next unless the key is the vault's.
    Four hex digits, more for everyone if two clients would collide."""
    digests = {c.uid: crypto.keyed_hash(key, b"pseudonym\x00" + c.uid).hex().upper()
               for c in clients}
    for width in (4, 6, 8, 12, 16, 32, 64):
        names = {uid: f"Client-{d[:width]}" for uid, d in digests.items()}
        if len(set(names.values())) == len(names):
            return names
    raise AssertionError("BLAKE2b collided")  # pragma: no cover


def day_offset(key: bytes, client: Client) -> int:
    """A per-client shift of 1..180 days back, from the same key as the
    pseudonyms. Always back (issue 14): a past date shifted forward could
    land in the future, which tells a reader it was shifted and by at least
    how much."""
    n = int.from_bytes(crypto.keyed_hash(key, b"days\x00" + client.uid, 8), "big")
    return -(n % MAX_SHIFT_DAYS + 1)


def people(clients: list[Client], names: dict[bytes, str]) -> list[Any]:
    """Everyone whose name must leave the export: each client under their
    pseudonym (with their own aliases), people around them as [PERSON]."""
    from ..text.anonymize import Person
    found = []
    for c in clients:
        found.append(own_person(c, names))
        found += [Person(names=(a.name,), replacement="[PERSON]")
                  for a in c.aliases if a.relation is not None]
    return found


def own_person(client: Client, names: dict[bytes, str]) -> Any:
    """The client as the anonymizer knows them: name, own aliases, pseudonym
    (passed with each of their notes: their initial alone is their name there)."""
    from ..text.anonymize import Person
    own = tuple(a.name for a in client.aliases if a.relation is None)
    return Person(names=(client.name, *own), replacement=names[client.uid])


def export_anonymized(session: UnlockedVault, names: list[str], *, dates: str = "shift",
                      stable: bool = False, region: str = "US", destination: str = "-",
                      progress: Callable[[int, int], None] | None = None,
                      disclosure: Disclosure | None = None,
                      strict: bool = False, keep: Sequence[str] = (),
                      also: Sequence[str] = (),
                      now: datetime | None = None) -> Anonymized:
    """The chosen clients' notes (all clients for none), with every known
    name of every client replaced, whoever's note it is, and personal data
    replaced by typed placeholders. `strict`, `keep` and `also` are the
    reviewer's levers (see text.residual)."""
    from ..text.anonymize import Anonymizer
    disclosure = (disclosure or Disclosure()).checked()
    now = now_utc(now)
    key = session.pseudonym_key() if stable else crypto.random_key()
    with command(session):
        everyone = session.clients()
        chosen = list({c.id: c for c in (require(session, n, now) for n in names)}.values()) \
            if names else everyone
        pseudonym = pseudonyms(key, everyone)
        anonymizer = Anonymizer(people(everyone, pseudonym), dates=dates, region=region,
                                strict=strict, keep=keep, also=also)
        notes_of = [(c, session.notes(c)) for c in chosen]
        total, done, records = sum(len(n) for _, n in notes_of), 0, []
        candidates: list[Candidate] = []
        for client, notes in notes_of:
            shift = day_offset(key, client)
            whose = own_person(client, pseudonym)
            for number, note in enumerate(notes, 1):
                where = (pseudonym[client.uid], number)
                tags = []
                for t in note.tags:
                    tags.append(anonymizer.text(t, day_offset=shift, client=whose))
                    candidates += [Candidate(*where, "tags", c.start, c.end, c.word, c.why)
                                   for c in anonymizer.last_candidates]
                text = anonymizer.text(note.text, day_offset=shift, client=whose)
                candidates += [Candidate(*where, "text", c.start, c.end, c.word, c.why)
                               for c in anonymizer.last_candidates]
                records.append(Record(
                    client=pseudonym[client.uid], note=number,
                    date=anonymizer.date(note.created, day_offset=shift),
                    tags=tuple(tags), text=text))
                done += 1
                if progress and done % 50 == 0:
                    progress(done, total)
        counts = {k: v for k, v in sorted(anonymizer.counts.items()) if v}
        session.log("export-anonymized", clients=tuple(c.uid for c in chosen), now=now,
                    detail={"notes": len(records), "replaced": counts, "dates": dates,
                            "stable_pseudonyms": stable, "destination": destination,
                            **({"strict": True} if strict else {}),
                            # How many words were released or forced, not
                            # which: they may be names.
                            **({"kept_words": len(set(keep))} if keep else {}),
                            **({"also_words": len(set(also))} if also else {}),
                            **disclosure.detail()})
    return Anonymized(records, counts, anonymizer.suspects(), len(chosen), candidates)


# -- export (the client's own records) ---------------------------------------------

def export_client(session: UnlockedVault, name: str, fmt: str, destination: str,
                  disclosure: Disclosure | None = None,
                  now: datetime | None = None) -> tuple[Client, list[Note]]:
    """Everything the vault holds about one client, logged as a disclosure
    (with its recipient and purpose when given)."""
    disclosure = (disclosure or Disclosure()).checked()
    now = now_utc(now)
    with command(session):
        client = require(session, name, now)
        notes = session.notes(client)
        session.log("export", clients=(client.uid,), now=now, detail={
            "notes": [n.id for n in notes], "format": fmt, "destination": destination,
            "disclosure": True, **disclosure.detail()})
    return client, notes

