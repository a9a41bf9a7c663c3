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

from .. import codec, crypto
from ..codec import parse_iso
from ..errors import CryptoError, IntegrityError, VaultError
from ..models import Client, Note, iso
from ..validate import check_name, check_tags, check_text
from . import audit, witness
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
    was given are sealed to the vault's public box key; only the unlocked
    vault can open them. Returns the inbox id."""
    with witness.locked_write(store):
        public = store.key_or_none(BOX_PUBLIC)
        if public is None or store.version < 2:
            raise VaultError("this vault cannot take sealed notes until it is unlocked "
                             "once by this version", hint="run any command, e.g. `vault list`")
        header = store.header()
        seq = last_entry(store, header.vault_id)[0] + 1
        item = store.add_inbox(crypto.box_seal(public, codec.pack({
            "vault_id": header.vault_id.hex(), "seq": seq, "client": client, "text": text,
            "tags": list(tags), "created": iso(now)})))
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
            client = self.records.find_client(item.client)
            if client is None:
                self.waiting += 1
                continue
            self.file(item, client)
            filed.add(item.seq)

    def file(self, item: InboxItem, client: Client) -> Note:
        note = self.records.add_note(client, item.text, item.tags, item.created)
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

    def open(self, row_id: int, sealed: bytes) -> InboxItem | None:
        """The sealed note, checked like typed input; None if unreadable."""
        if self.keys.box is None:   # the box key is unwrapped at begin()
            return None
        try:
            rec = codec.unpack(crypto.box_open(self.keys.box, sealed))
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
