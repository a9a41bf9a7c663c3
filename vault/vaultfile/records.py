"""Sealed clients and notes: their associated data, the blind index of names,
and the sealed count that catches a note deleted or slipped in outside.

Each client has its own data key (wrapped by the keyring); its record and
every note are sealed under it, bound by AD to their row and client, so no
ciphertext can be moved to another row unnoticed.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from .. import codec, crypto
from ..codec import parse_iso
from ..errors import CryptoError, IntegrityError
from ..models import Alias, Client, ClientRow, Note, Roster, iso
from ..validate import normalise_name
from .keyring import Keyring
from .state import DIGEST_BYTES, State, by_name, to_bytes
from .store import Store

# Client records are padded to at least this size, so that a record with up
# to 20 aliases of ordinary length fits the same size as one with none.
META_PADDED = 1792


def blind_form(name: str) -> str:
    """The form a name takes in its blind index, fixed by the format: NFKC,
    case-folded, spaces collapsed. Lookup also tries validate.normalise_name,
    which folds accents as well."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def _number(digest: bytes | None) -> int:
    if digest is None or len(digest) != DIGEST_BYTES:
        raise IntegrityError("a client record from before the state commitment was "
                             "written to (internal error)")
    return int.from_bytes(digest, "big")


def _aliases(value: Any, client_id: int) -> tuple[Alias, ...]:
    if not isinstance(value, list):
        raise IntegrityError(f"client {client_id}: malformed record")
    found = []
    for a in value:
        if not (isinstance(a, dict) and isinstance(a.get("name"), str)
                and (a.get("relation") is None or isinstance(a.get("relation"), str))):
            raise IntegrityError(f"client {client_id}: malformed record")
        found.append(Alias(a["name"], a.get("relation")))
    return tuple(found)


def check_notes(client: Client, stored: int, digest: int) -> None:
    """The sealed count and the notes' sum: a note deleted, planted or older."""
    check_count(client, stored)
    if client.digest is None or not crypto.equal(client.digest, to_bytes(digest)):
        raise IntegrityError(f"client {client.id}: its notes do not match its sealed record "
                             "(a note was deleted, planted or put back from an older copy)")


_HEX64 = re.compile(r"[0-9a-f]{64}")   # a 32-byte value as lowercase hex


def _log_key(value: Any, client_id: int) -> bytes | None:
    """The client's log key (vaultfile/private.py): 64 hex digits, or absent."""
    if value is None:
        return None
    if not (isinstance(value, str) and _HEX64.fullmatch(value)):
        raise IntegrityError(f"client {client_id}: malformed record")
    return bytes.fromhex(value)


def _captured(captured: bool) -> dict[str, bool]:
    """The note body's mark of a note sealed while locked (absent otherwise,
    so other notes' bodies are as before)."""
    return {"captured": True} if captured else {}


def check_count(client: Client, stored: int) -> None:
    """The sealed count catches a note deleted, or slipped in, outside the vault."""
    if stored != client.notes:
        raise IntegrityError(f"client {client.id}: holds {stored} notes but its sealed "
                             f"record counts {client.notes}")


class Records:
    """The clients and notes of one unlocked vault."""

    def __init__(self, store: Store, keys: Keyring, state: State) -> None:
        self.store = store
        self.keys = keys
        self.state = state
        self.vault_id = keys.vault_id
        # Folded name -> client ids, for lookups that miss the blind index;
        # built on the first miss, kept current by this object's own writes,
        # rebuilt when another process has committed since.
        self._folded: dict[str, set[int]] | None = None
        self._last_key: tuple[tuple[int, bytes, bytes, bytes, bytes], bytes] | None = None
        self._folded_at = -1

    # -- finding clients -----------------------------------------------

    def blind(self, name: str) -> bytes:
        return self.keys.blind(blind_form(name))

    def find_client(self, name: str) -> Client | None:
        """The client of this name: the blind index's exact form first; else
        the one client whose name differs only in case, accents or width
        ("Jose" finds José). The first such miss of a command opens every
        client record once; later misses cost a dict lookup."""
        blind = self.blind(name)
        row = self.store.client_by_blind(blind)
        if row is None:
            self.state.expect_missing(blind=blind)
            return self._find_folded(normalise_name(name))
        client = self.open_client(row)
        if blind_form(client.name) != blind_form(name):
            raise IntegrityError(f"client {row.id}: the name index does not match the record")
        return client

    def _find_folded(self, wanted: str) -> Client | None:
        ids = self._folded_index().get(wanted, set())
        if len(ids) != 1:
            return None   # none, or two that differ only by accents: never guessed
        row = self.store.client_by_id(next(iter(ids)))
        # The index may name a client created in a transaction that was then
        # rolled back: what counts is the row and its sealed name.
        client = None if row is None else self.open_client(row)
        return client if client is not None and normalise_name(client.name) == wanted else None

    def _folded_index(self) -> dict[str, set[int]]:
        version = self.store.data_version()
        if self._folded is None or version != self._folded_at:
            index: dict[str, set[int]] = {}
            for row in self.store.clients():
                index.setdefault(normalise_name(self.open_client(row).name), set()).add(row.id)
            self._folded, self._folded_at = index, version
        return self._folded

    def _fold_in(self, client: Client, present: bool) -> None:
        if self._folded is not None:
            ids = self._folded.setdefault(normalise_name(client.name), set())
            (ids.add if present else ids.discard)(client.id)

    def clients(self) -> list[Client]:
        """Every client's record, each the version the sealed state holds.
        Their notes are not read, only counted all together against the
        sum of the sealed counts (one count of an index: a note deleted or
        slipped in); a note moved between clients is caught by the next
        read of either client's notes (check_notes)."""
        clients = self.state.all_opened(self._reopen)
        if clients is None:
            clients = [self.open_client(row) for row in self.store.clients()]
            self.state.expect_all(c.id for c in clients)
        self._note_total(sum(c.notes for c in clients))
        return clients

    def clients_by_name(self) -> Roster:
        """clients() in `list`'s order (through the agent: State.listed)."""
        listed = self.state.listed()
        if listed is None:
            return Roster(sorted(self.clients(), key=by_name))
        self._note_total(listed.notes)
        return Roster(listed.clients, listed.shown)

    def _note_total(self, sealed: int) -> None:
        stored = self.store.note_total()
        if stored != sealed:
            raise IntegrityError(f"the vault holds {stored} notes but its sealed records "
                                 f"count {sealed}: a note was deleted or planted (tampering)",
                                 hint="run `vault check` to find the client")

    def check_all_notes(self) -> None:
        """Every client's notes against its record, none without a client."""
        sums: dict[int, int] = {}
        counts: dict[int, int] = {}
        for note_id, client_id, body in self.store.note_versions():
            sums[client_id] = sums.get(client_id, 0) + self.state.elements.note(
                note_id, client_id, body)
            counts[client_id] = counts.get(client_id, 0) + 1
        for row in self.store.clients():
            client = self.open_client(row)
            check_notes(client, counts.pop(row.id, 0), sums.pop(row.id, 0))
        if counts:
            raise IntegrityError(f"{sum(counts.values())} note(s) belong to no client "
                                 "(their client was deleted outside the vault)")

    def _reopen(self, client_id: int) -> Client:
        row = self.store.client_by_id(client_id)
        if row is None:
            raise IntegrityError(f"client {client_id}: its row is missing")
        self.state.expect(row)
        return self.open_client(row)

    def _row(self, client: Client) -> ClientRow:
        row = self.store.client_by_blind(self.blind(client.name))
        if row is None or row.id != client.id:
            raise IntegrityError(f"client {client.id}: the name index does not match the record")
        self.state.expect(row)
        return row

    def _client_key(self, row: ClientRow) -> bytes:
        """The row's client key. The last one unwrapped is kept (a command
        opens a record, then its notes), by every input of the unwrap and the
        key that unwraps it: only the very same unwrap is ever skipped."""
        wanted = (row.id, row.uid, row.blind, row.wrapped_key, self.keys.wrap_key)
        if self._last_key is None or self._last_key[0] != wanted:
            self._last_key = (wanted, self.keys.client_key(row))
        return self._last_key[1]

    # -- client records ------------------------------------------------

    def create_client(self, name: str, now: datetime) -> Client:
        client_id = self.store.next_id("clients")
        uid, key = crypto.random_bytes(16), crypto.random_key()
        blind = self.blind(name)
        client = Client(id=client_id, uid=uid, name=name, created=now, last=None, notes=0,
                        digest=to_bytes(0), log_key=crypto.random_key())
        row = ClientRow(id=client_id, uid=uid, blind=blind,
                        wrapped_key=self.keys.wrap_client_key(client_id, uid, blind, key),
                        meta=self._seal_meta(key, client))
        self.store.insert_client(row)
        self.state.moved(None, row)
        self._fold_in(client, present=True)
        return client

    def open_client(self, row: ClientRow) -> Client:
        self.state.expect(row)
        known = self.state.already_opened(row)
        if known is not None:
            return known
        key = self._client_key(row)
        try:
            meta = codec.unpack(crypto.unseal(key, row.meta,
                                              self._aad("client-meta", row.id, row.id)))
        except CryptoError:
            raise IntegrityError(f"client {row.id}: record failed authentication") from None
        name, last, notes = meta.get("name"), meta.get("last"), meta.get("notes")
        # Records written before closing and holds existed lack these keys.
        status = meta.get("status", "open")
        retain, hold = meta.get("retain_until"), meta.get("hold")
        aliases = _aliases(meta.get("aliases", []), row.id)
        digest = meta.get("digest")
        if not (isinstance(name, str) and isinstance(notes, int) and notes >= 0
                and (digest is None or (isinstance(digest, str) and _HEX64.fullmatch(digest)))
                and status in ("open", "closed") and (hold is None or isinstance(hold, str))
                and (retain is None or isinstance(retain, str))):
            raise IntegrityError(f"client {row.id}: malformed record")
        try:
            retain_until = None if retain is None else date.fromisoformat(retain)
        except ValueError:
            raise IntegrityError(f"client {row.id}: malformed record") from None
        return Client(id=row.id, uid=row.uid, name=name, created=parse_iso(meta.get("created")),
                      last=None if last is None else parse_iso(last), notes=notes,
                      status=status, retain_until=retain_until, hold=hold, aliases=aliases,
                      digest=None if digest is None else bytes.fromhex(digest),
                      log_key=_log_key(meta.get("log_key"), row.id))

    def _seal_meta(self, key: bytes, c: Client) -> bytes:
        meta = {"name": c.name, "created": iso(c.created), "notes": c.notes,
                "last": None if c.last is None else iso(c.last), "status": c.status,
                "retain_until": None if c.retain_until is None else c.retain_until.isoformat(),
                "hold": c.hold,
                "aliases": [{"name": a.name, "relation": a.relation} for a in c.aliases],
                "digest": (c.digest or to_bytes(0)).hex(),
                **({} if c.log_key is None else {"log_key": c.log_key.hex()})}
        return crypto.seal(key, codec.pack(meta, minimum=META_PADDED),
                           self._aad("client-meta", c.id, c.id))

    def _put_meta(self, row: ClientRow, meta: bytes) -> None:
        """A client's record re-sealed, and the state moved with it."""
        self.store.update_client_meta(row.id, meta)
        self.state.moved(row, dataclasses.replace(row, meta=meta))

    def update_client(self, client: Client) -> None:
        """Re-seal a client's record (status, retention, hold) under its key."""
        row = self._row(client)
        self._put_meta(row, self._seal_meta(self._client_key(row), client))

    def rename_client(self, client: Client, renamed: Client) -> None:
        """A new name (`renamed`: the same client, its new name and aliases):
        the blind index moves to it, and the client key, whose associated
        data binds the blind, is re-wrapped under the new one. The key, the
        notes and the opaque id stay."""
        row = self._row(client)
        if renamed.id != client.id or renamed.uid != client.uid:
            raise IntegrityError(f"client {client.id}: a rename cannot change the client")
        key = self._client_key(row)
        blind = self.blind(renamed.name)
        new = ClientRow(row.id, row.uid, blind,
                        self.keys.wrap_client_key(row.id, row.uid, blind, key),
                        self._seal_meta(key, renamed))
        self.store.rename_client(client.id, new.blind, new.wrapped_key, new.meta)
        self.state.moved(row, new)
        self._fold_in(client, present=False)
        self._fold_in(renamed, present=True)

    def rekey_client(self, client: Client, new_texts: dict[int, str]) -> None:
        """Re-encrypt a client's record and every note under a fresh data key,
        replacing the texts given, and drop the old key. With secure_delete
        on, the old ciphertext and wrapped key are overwritten in the file."""
        notes = self.notes(client)
        key = crypto.random_key()
        row = self._row(client)
        digest = 0
        for n in notes:
            body = codec.pack({"created": iso(n.created), "tags": list(n.tags),
                               "text": new_texts.get(n.id, n.text),
                               **_captured(n.captured)})
            sealed = crypto.seal(key, body, self._aad("note", n.id, client.id))
            self.store.update_note(n.id, sealed)
            digest += self.state.elements.note(n.id, client.id, sealed)
        new = dataclasses.replace(
            row, meta=self._seal_meta(key, dataclasses.replace(client, digest=to_bytes(digest))),
            wrapped_key=self.keys.wrap_client_key(row.id, row.uid, row.blind, key))
        self.store.update_client_meta(client.id, new.meta)
        self.store.update_client_key(client.id, new.wrapped_key)
        self.state.moved(row, new)

    def destroy_client(self, client: Client, day: str) -> int:
        """Delete a client's key, record and notes, keeping a tombstone."""
        row = self._row(client)
        deleted = self.store.delete_client(client.id, client.uid, day)
        self.state.moved(row, None)
        self.state.change(added=self.state.elements.tombstone(client.uid, day))
        self._fold_in(client, present=False)
        return deleted

    # -- notes ---------------------------------------------------------

    def add_note(self, client: Client, text: str, tags: tuple[str, ...],
                 now: datetime, captured: bool = False) -> Note:
        """Store a note and re-seal the client's record with the new count."""
        return self.add_notes(client, [(text, tags, now)], captured)[0]

    def add_notes(self, client: Client,
                  items: list[tuple[str, tuple[str, ...], datetime]],
                  captured: bool = False) -> list[Note]:
        """Store notes (text, tags, created) in order, then re-seal the
        client's record once with the new count and latest date."""
        row = self._row(client)
        key = self._client_key(row)
        first = self.store.next_id("notes")
        notes = []
        digest = _number(client.digest)
        for i, (text, tags, created) in enumerate(items):
            note = Note(id=first + i, client_id=client.id, created=created, tags=tags,
                        text=text, captured=captured)
            body = codec.pack({"created": iso(created), "tags": list(tags), "text": text,
                               **_captured(captured)})
            sealed = crypto.seal(key, body, self._aad("note", note.id, client.id))
            self.store.insert_note(note.id, client.id, sealed)
            digest += self.state.elements.note(note.id, client.id, sealed)
            notes.append(note)
        last = max([n.created for n in notes] + ([client.last] if client.last else []))
        self._put_meta(row, self._seal_meta(key, dataclasses.replace(
            client, last=last, notes=client.notes + len(notes), digest=to_bytes(digest))))
        return notes

    def notes(self, client: Client, only: Collection[int] | None = None,
              row: ClientRow | None = None,
              rows: list[tuple[int, bytes]] | None = None) -> list[Note]:
        """A client's notes, oldest first by their date, then by id: an import
        adds old notes after newer ones, and every reader (view, --last,
        export, search) wants the order in which they were written. `only`:
        open just the notes of these ids (every row is still checked against
        the record's note sum). `row`: the client's row, just read and opened
        to `client` (check), instead of looking it up again by name; `rows`:
        its note rows as Store.notes_of gives them, already read."""
        if row is None or row.id != client.id:
            row = self._row(client)
        key = self._client_key(row)
        if rows is None:
            rows = list(self.store.notes_of(client.id))
        wanted = rows if only is None else [r for r in rows if r[0] in only]
        notes = [self._open_note(key, client.id, note_id, body) for note_id, body in wanted]
        check_notes(client, len(rows), self.state.elements.notes(client.id, rows))
        notes.sort(key=lambda n: (n.created, n.id))
        return notes

    def _open_note(self, key: bytes, client_id: int, note_id: int, body: bytes) -> Note:
        try:
            rec = codec.unpack(crypto.unseal(key, body, self._aad("note", note_id, client_id)))
        except CryptoError:
            raise IntegrityError(f"note {note_id}: failed authentication") from None
        tags, text = rec.get("tags"), rec.get("text")
        if not (isinstance(text, str) and isinstance(tags, list)
                and all(isinstance(t, str) for t in tags)):
            raise IntegrityError(f"note {note_id}: malformed record")
        return Note(id=note_id, client_id=client_id, created=parse_iso(rec.get("created")),
                    tags=tuple(tags), text=text, captured=rec.get("captured") is True)

    def _aad(self, kind: str, row_id: int, client_id: int) -> bytes:
        return crypto.aad(kind, self.vault_id, row_id, client_id)
