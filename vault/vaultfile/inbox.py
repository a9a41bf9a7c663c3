"""The sealed inbox: notes added with `vault add --sealed` while the vault was
locked, and their filing at the next unlock.

Sealing needs no passphrase and no KDF: the note and the name it was given
are sealed to the vault's public box key, and an unsigned `add-sealed` entry
is logged. Only the unlocked vault can open them, and it files each under the
client it names; the rest wait for `vault inbox`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

from .. import codec, crypto
from ..codec import parse_iso
from ..errors import AuthenticationFailed, CryptoError, IntegrityError, VaultError
from ..models import Client, Note, iso
from ..validate import check_name, check_tags, check_text
from . import audit, capture, witness
from .keyring import BOX_PUBLIC, Keyring
from .ledger import Ledger, last_entry, record_locked
from .records import Records
from .store import Store


@dataclasses.dataclass(frozen=True)
class InboxItem:
    """A note added with `vault add --sealed` while the vault was locked."""
    id: int
    client: str
    text: str
    tags: tuple[str, ...]
    created: datetime
    seq: int            # its `add-sealed` log entry


def seal_to_inbox(store: Store, client: str, text: str, tags: tuple[str, ...],
                  now: datetime) -> int:
    """`vault add --sealed`: no passphrase, no KDF. The note and the name it
    was given, with their MAC under this machine's capture key, are sealed to
    the vault's public box key; only the unlocked vault can open them, and it
    files only notes whose MAC is valid. Returns the inbox id."""
    with witness.locked_write(store):
        public = store.key_or_none(BOX_PUBLIC)
        if public is None or store.version < 2:
            raise VaultError("this vault cannot take sealed notes until it is unlocked "
                             "once by this version", hint="run any command, e.g. `vault list`")
        header = store.header()
        key = capture.load(header.vault_id)
        if key is None:
            raise AuthenticationFailed(
                "this machine has no capture key for this vault, so a sealed note could "
                "not be authenticated", hint="unlock the vault once on this machine (any "
                "command, e.g. `vault list`): that saves its capture key in "
                f"{capture.location(header.vault_id)}")
        seq = last_entry(store, header.vault_id)[0] + 1
        rec: dict[str, Any] = {"vault_id": header.vault_id.hex(), "seq": seq,
                               "client": client, "text": text, "tags": list(tags),
                               "created": iso(now)}
        rec["mac"] = capture.mac(key, header.vault_id, rec).hex()
        item = store.add_inbox(crypto.box_seal(public, codec.pack(rec)))
        record_locked(store, "add-sealed", now=now)
    return item


class Inbox:
    """The inbox of one unlocked vault."""

    def __init__(self, store: Store, keys: Keyring, records: Records, ledger: Ledger) -> None:
        self.store = store
        self.keys = keys
        self.records = records
        self.ledger = ledger
        self.vault_id = keys.vault_id
        self.filed = 0      # sealed notes filed since unlock
        self.waiting = 0    # sealed notes that name no client, or are unreadable

    def file_all(self) -> None:
        """File each sealed note under the client it names; keep the others
        (no such client, or unreadable) for `vault inbox`. A copied row, or one
        whose log entry is missing, is dropped: it was not written by us."""
        rows = self.store.inbox()
        self.waiting = 0
        if not rows:
            return
        filed = self._filed_seqs()
        for row_id, sealed in rows:
            item = self.open(row_id, sealed)
            if item is None:
                self.waiting += 1
                continue
            if item.seq in filed or not self._is_sealed_add(item.seq):
                self.store.delete_inbox(row_id)
                continue
            try:
                client = self.records.find_client(item.client)
            except IntegrityError:   # that client's record fails: reported by its
                client = None        # own commands and by check, not by everyone's
            if client is None:
                self.waiting += 1
                continue
            self.file(item, client)
            filed.add(item.seq)

    def file(self, item: InboxItem, client: Client) -> Note:
        note = self.records.add_note(client, item.text, item.tags, item.created,
                                     captured=True)
        self.store.delete_inbox(item.id)
        self.ledger.log("inbox-file", clients=(client.uid,),
                        detail={"note": note.id, "sealed_seq": item.seq})
        self.filed += 1
        return note

    def _filed_seqs(self) -> set[int]:
        found = set()
        for row in self.store.log_rows_of("inbox-file"):
            seq = (self.ledger.open_detail(audit.from_row(row)) or {}).get("sealed_seq")
            if isinstance(seq, int):
                found.add(seq)
        return found

    def _is_sealed_add(self, seq: int) -> bool:
        row = self.store.log_row(seq)
        return row is not None and audit.from_row(row).action == "add-sealed"

    def not_authentic(self) -> int:
        """How many inbox rows cannot be filed because they are not notes
        sealed by `add --sealed` with this vault's capture key: a MAC that is
        missing or wrong, or a row that does not open. Read-only (`vault
        check` calls it outside any command)."""
        rows = self.store.inbox()
        if not rows:   # also a vault from before the box key: nothing to open
            return 0
        box, key = self.keys.box_secret(), self.keys.capture_secret()
        return sum(self.open(i, sealed, box, key) is None for i, sealed in rows)

    def open(self, row_id: int, sealed: bytes, box: bytes | None = None,
             key: bytes | None = None) -> InboxItem | None:
        """The sealed note, authenticated by its capture MAC and checked like
        typed input; None if it does not open, is not authentic, or does not
        check. Keys default to those unwrapped at begin()."""
        box = self.keys.box if box is None else box
        key = self.keys.capture if key is None else key
        if box is None:
            return None
        try:
            rec = codec.unpack(crypto.box_open(box, sealed))
            # Anyone can seal to the public box key: only a MAC under the
            # capture key, kept outside the vault, says `add --sealed` made it.
            if not capture.authentic(key, self.vault_id, rec):
                return None
            seq = rec.get("seq")
            # Anyone with the public key can seal a row: bound what SQLite and
            # the record format can hold, or one planted row breaks every unlock.
            if rec.get("vault_id") != self.vault_id.hex() or type(seq) is not int \
                    or not 1 <= seq < 2 ** 63:
                return None
            created = parse_iso(rec["created"]).astimezone(timezone.utc)
            if not 1000 <= created.year <= 9999:
                return None
            return InboxItem(row_id, check_name(rec["client"]), check_text(rec["text"]),
                             check_tags(rec["tags"]), created, seq)
        except (CryptoError, IntegrityError, VaultError, KeyError, TypeError, AttributeError,
                ValueError, OverflowError):
            return None
