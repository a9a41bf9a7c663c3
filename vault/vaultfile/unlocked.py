"""One unlocked vault: its keyring, records, ledger and inbox, tied together.

UnlockedVault is what commands hold (their variables still call it
`session`: one command's use of the unlocked vault). It creates and unlocks
a vault, runs the checks every command starts with (begin), and passes each
call to the part that owns it: keys to keyring.py, clients and notes to
records.py, the log to ledger.py, sealed notes to inbox.py. Commands never
touch a key themselves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from .. import crypto
from ..errors import AuthenticationFailed, IntegrityError
from ..models import Client, ClientRow, Header, KdfParams, LogEntry, Note, Roster
from . import capture, private
from .inbox import Inbox, InboxItem
from .keyring import Keyring, NewKeys, WrongPassphrase
from .ledger import VIA_AGENT, VIA_PASSPHRASE, Ledger, last_entry, record_failed_unlock
from .records import Records
from .state import SCHEME_BUCKETS, State, Verified, fingerprint, listing, to_bytes
from .store import Store


Handback = Callable[[Verified, frozenset[int], bool], None]


class UnlockedVault:
    """One unlocked vault, bound to its store."""

    def __init__(self, keys: Keyring, via: str = VIA_PASSPHRASE) -> None:
        self.store = keys.store
        self.vault_id = keys.vault_id
        self.keyring = keys
        self.state = State(self.store, keys.state_key)
        self.records = Records(self.store, keys, self.state)
        self.ledger = Ledger(self.store, keys, self.state, via)
        self.inbox = Inbox(self.store, keys, self.records, self.ledger)
        self._capture_given = False   # this machine has the capture key (once a session)
        self._trusted: Verified | None = None
        self._handback: Handback | None = None
        # The state this process's last command left, and data_version then.
        self._own: tuple[Verified, int] | None = None
        self._sealed_version = 0
        self._commands = 0

    # -- creating and unlocking ----------------------------------------

    @classmethod
    def create(cls, store: Store, passphrase: bytes, kdf: KdfParams,
               now: datetime | None = None, keyfile: bytes | None = None) -> UnlockedVault:
        new = NewKeys.make(passphrase, kdf, keyfile)   # the KDF, before the lock is taken
        with store.write():
            session = cls(Keyring.install(store, new))
            session.log("init", detail={"kdf_memory_kib": kdf.memory_kib,
                                        "kdf_iterations": kdf.iterations,
                                        "keyfile": keyfile is not None}, now=now)
        return session

    @classmethod
    def unlock(cls, store: Store, passphrase: bytes, keyfile: bytes | None = None) -> UnlockedVault:
        try:
            keys = Keyring.unlock(store, passphrase, keyfile)
        except WrongPassphrase as e:
            record_failed_unlock(store)
            # Shown as the plain AuthenticationFailed it has always been.
            raise AuthenticationFailed(e.message) from None
        return cls(keys)

    @classmethod
    def from_agent(cls, store: Store, kek: bytes) -> UnlockedVault | None:
        """A session from the key the agent holds; None if it no longer opens
        this vault (the caller then asks for the passphrase)."""
        keys = Keyring.from_agent(store, kek)
        return None if keys is None else cls(keys, via=VIA_AGENT)

    def trust(self, verified: Verified | None, handback: Handback | None = None) -> None:
        """In the agent's worker: the state the agent verified. With the head
        unchanged, settle() adopts it instead of reading every client row,
        and each row used is checked against it (State.expect)."""
        if verified is not None:
            self._trusted = verified
            self._handback = handback
            self.state.track()

    def sealed_as(self) -> Verified | None:
        """In a command's outer transaction after end(): the state it leaves;
        in process, data_version now (after COMMIT another could slip in)."""
        if self._trusted is None:
            if not self._commands:
                return None
            self._sealed_version = self.store.data_version()
        return self.state.verified(self.state.opened)

    def committed(self, after: Verified | None) -> None:
        """It committed: the next transaction adopts it, and the worker hands
        it back to the agent with the ids changed (agent/state.py)."""
        self._commands += 1
        if after is None:
            return
        if self._trusted is None:   # in process: kept while no other connection commits
            self._own = (after, self._sealed_version)
            return
        self._trusted = after
        if self._handback is not None:
            self._handback(after, frozenset(self.state.touched), self.state.counted)

    def verify_now(self, opened: dict[int, tuple[bytes, Client]] | None = None
                   ) -> Verified | None:
        """For the agent between commands: every row against the sealed head (None
        before there is one); with `opened`, every record new or re-sealed opened."""
        self.state.track()
        with self.store.read():
            self.ledger.check_head()
            if (sealed := self.ledger.sealed_state()) is None:
                return None
            self.state.verify(*sealed)
            if opened is None:
                return self.state.verified()
            now: dict[int, tuple[bytes, Client]] = {}
            for client_id, (_, _, nonce) in (self.state.versions or {}).items():
                hit = opened.get(client_id)
                if hit is None or hit[0][:len(nonce)] != nonce:   # new, or re-sealed
                    row = self.store.client_by_id(client_id)
                    if row is None:
                        raise IntegrityError(f"client {client_id}: its row is missing")
                    hit = (fingerprint(row.meta), self.records.open_client(row))
                now[client_id] = hit
            return self.state.verified(now, listing(self.store, now))

    # -- what commands read and set ------------------------------------

    @property
    def header(self) -> Header:
        return self.keyring.header

    @property
    def kek(self) -> bytes:
        """For `vault unlock` to hand to the agent; nothing else reads it."""
        return self.keyring.kek

    @property
    def via(self) -> str:
        return self.ledger.via

    @via.setter
    def via(self, value: str) -> None:
        self.ledger.via = value

    @property
    def failed_attempts(self) -> int:
        return self.ledger.failed_attempts

    @property
    def inbox_filed(self) -> int:
        """Sealed notes filed since this unlock."""
        return self.inbox.filed

    @property
    def inbox_waiting(self) -> int:
        """Sealed notes that name no client, or are unreadable."""
        return self.inbox.waiting

    @inbox_waiting.setter
    def inbox_waiting(self, value: int) -> None:
        self.inbox.waiting = value

    # -- the start of every command ------------------------------------

    def begin(self) -> None:
        """Inside a write transaction, first: the log's head (never added to
        cut off) and the box keys."""
        self.ledger.check_head()
        self.keyring.check_box_key()

    def settle(self, outer: bool = True) -> None:
        """Then: in the outermost transaction, the state commitment against
        every client row (O(clients)); sign what was recorded while locked,
        file the notes sealed while locked. Refuses a vault whose rows are
        not the ones its head sealed, naming the first damaged client where
        it can."""
        if outer:
            sealed, scheme = self.ledger.sealed_state() or (None, SCHEME_BUCKETS)
            if sealed is None:
                self._add_state()
            elif scheme != SCHEME_BUCKETS:
                self._verify_or_diagnose(sealed, scheme)
                self.state.upgrade()   # by bucket from now on, in the head at once
                self.ledger.seal_state()
            elif self._trusted is not None and self.state.adopt(self._trusted, sealed):
                pass   # the agent's check of every row still holds: see trust()
            elif self._own is not None and self._own[1] == self.store.data_version() \
                    and self.state.adopt(self._own[0], sealed):
                pass   # this process wrote last; rows used are checked as in trust()
            else:
                if self._commands:
                    self.state.track()   # a later command of this process may adopt it
                self._verify_or_diagnose(sealed, scheme)
        self.keyring.ensure_box_key()
        self.give_capture_key()
        self.ledger.sign_pending()
        self.inbox.file_all()

    def _verify_or_diagnose(self, sealed: bytes, scheme: int) -> None:
        """A full count; on a mismatch, the first damaged client's own error."""
        self.state.counted = True   # the rows as found, not as given: not a delta
        try:
            self.state.verify(sealed, scheme)
        except IntegrityError:
            for row in list(self.store.clients()):
                self.records.notes(self.records.open_client(row))
            raise

    def end(self) -> None:
        """At the end of a command's transaction: the head seals its state."""
        self.ledger.seal_state()

    def _add_state(self) -> None:
        """A vault from before the state commitment: each record re-sealed with
        its notes' sum, then the head; once, trusting the rows as they are."""
        for row in list(self.store.clients()):
            client = self.records.open_client(row)
            notes = list(self.store.notes_of(client.id))
            digest = self.state.elements.notes(client.id, notes)
            self.records.update_client(dataclasses.replace(client, digest=to_bytes(digest)))
        head = self.ledger.head()
        self.state.recount()
        if head is not None:
            self.ledger.put_head(*head)

    def verify_state(self) -> None:
        """The client rows, tombstones, header and keys against the head (none:
        a vault from before it; settle() adds it)."""
        if (sealed := self.ledger.sealed_state()) is not None:
            self.state.verify(*sealed)

    def add_tombstones(self, tombstones: list[tuple[bytes, str]]) -> None:   # by a restore
        self.store.add_tombstones(tombstones)
        self.state.recount()

    def verify_all(self) -> None:
        """Everything the commitment binds, O(notes): client rows, each client's
        notes, no orphan note. First in check, backup, restore, destroying."""
        self.verify_state()
        self.records.check_all_notes()

    # -- keys ----------------------------------------------------------

    def give_capture_key(self) -> None:
        """This machine gets the capture key (made if none) for `add --sealed`."""
        if self._capture_given:
            return
        if self.keyring.capture is None:   # set already in a vault just made
            self.keyring.ensure_capture_key()
        if self.keyring.capture is not None:
            capture.sync(self.vault_id, self.keyring.capture)
        self._capture_given = True

    def change_unlock(self, passphrase: bytes, kdf: KdfParams, keyfile: bytes | None) -> None:
        """A new passphrase, KDF or key file: the master key re-wrapped."""
        self.keyring.change_unlock(passphrase, kdf, keyfile)

    def rotate_master(self) -> None:
        """A fresh master key, every key re-wrapped, the head re-sealed."""
        master = crypto.random_key()
        self.keyring.rewrap_under(master)
        head = self.ledger.head()   # read under the old head key, re-sealed under the new
        self.keyring.switch_to(master)
        self.state.recount()
        if head is not None:
            self.ledger.put_head(*head)

    def pseudonym_key(self) -> bytes:   # export-anonymized --stable-pseudonyms
        return self.keyring.pseudonym_key()

    # -- clients and notes ---------------------------------------------

    def blind(self, name: str) -> bytes:
        return self.records.blind(name)

    def find_client(self, name: str) -> Client | None:
        """The client of this name, or None (see Records.find_client)."""
        return self.records.find_client(name)

    def clients(self) -> list[Client]:
        return self.records.clients()

    def clients_by_name(self) -> Roster:   # `list`'s order: folded name, then id
        return self.records.clients_by_name()

    def create_client(self, name: str, now: datetime) -> Client:
        return self.records.create_client(name, now)

    def client_and_row(self, client_id: int) -> tuple[Client, ClientRow] | None:
        """The client of this id and its row; None if shredded, IntegrityError if deleted."""
        row = self.store.client_by_id(client_id)
        if row is None:
            self.state.expect_missing(client_id=client_id)
            return None
        return self.records.open_client(row), row

    def open_client(self, row: ClientRow) -> Client:
        return self.records.open_client(row)

    def update_client(self, client: Client) -> None:
        """Re-seal a client's record (status, retention, hold) under its key."""
        self.records.update_client(client)

    def rename_client(self, client: Client, renamed: Client) -> None:
        """A new name and aliases (see Records.rename_client)."""
        self.records.rename_client(client, renamed)

    def rekey_client(self, client: Client, new_texts: dict[int, str]) -> None:
        """Every note of a client re-sealed under a fresh data key."""
        self.records.rekey_client(client, new_texts)

    def destroy_client(self, client: Client, day: str) -> int:
        """Delete a client's key, record and notes, keeping a tombstone."""
        return self.records.destroy_client(client, day)

    def add_note(self, client: Client, text: str, tags: tuple[str, ...],
                 now: datetime) -> Note:
        return self.records.add_note(client, text, tags, now)

    def add_notes(self, client: Client,
                  items: list[tuple[str, tuple[str, ...], datetime]]) -> list[Note]:
        return self.records.add_notes(client, items)

    def notes(self, client: Client, only: Collection[int] | None = None,
              row: ClientRow | None = None,
              rows: list[tuple[int, bytes]] | None = None) -> list[Note]:
        return self.records.notes(client, only, row, rows)

    # -- the access log ------------------------------------------------

    def log(self, action: str, clients: tuple[bytes, ...] = (),
            detail: dict[str, Any] | None = None, now: datetime | None = None) -> LogEntry:
        """Append one signed entry, inside the command's write transaction. Free
        text about its clients (private.PRIVATE_FIELDS) is sealed under their
        log keys, so that a shred erases it."""
        if detail is None or not private.fields_of(action, detail):
            return self.ledger.log(action, clients, detail, now)
        seq = last_entry(self.store, self.vault_id)[0] + 1
        detail = private.seal(action, detail, self.vault_id, seq, self._log_keys(clients))
        entry = self.ledger.log(action, clients, detail, now)
        if entry.seq != seq:   # the private part's associated data names its entry
            raise IntegrityError(f"log entry {entry.seq}: not the entry it was sealed for")
        return entry

    def _log_keys(self, uids: tuple[bytes, ...]) -> list[tuple[int, bytes]]:
        """(client id, log key) of each client, given one now if it has none."""
        wanted, found = set(uids), []
        for row in sorted(filter(None, map(self.store.client_by_uid, wanted)), key=lambda r: r.id):
            client = self.records.open_client(row)   # fresh: it is re-sealed below
            if client.log_key is None:
                client = dataclasses.replace(client, log_key=crypto.random_key())
                self.records.update_client(client)
            found.append((client.id, client.log_key))
        return found

    def reveal(self, e: LogEntry, detail: dict[str, Any] | None,
               cache: dict[int, bytes | None]) -> dict[str, Any] | None:
        """A detail as logged, its private fields opened while their clients
        exist, else private.ERASED. `cache`: the log keys looked up so far."""
        if detail is None:
            return None

        def log_key(client_id: int) -> bytes | None:
            if client_id not in cache:
                row = self.store.client_by_id(client_id)
                cache[client_id] = None if row is None else \
                    self.records.open_client(row).log_key
            return cache[client_id]
        return private.reveal(detail, self.vault_id, e.seq, log_key)

    def head(self) -> tuple[int, bytes] | None:   # (seq, entry hash) of the sealed head
        return self.ledger.head()

    def open_detail(self, e: LogEntry) -> dict[str, Any] | None:
        return self.ledger.open_detail(e)

    def concerns(self, e: LogEntry, client_uid: bytes) -> bool:
        return self.ledger.concerns(e, client_uid)

    def backups(self) -> list[tuple[str, datetime]]:   # (path, time) the log remembers
        return self.ledger.backups()

    # -- the inbox -----------------------------------------------------

    def open_inbox(self, row_id: int, sealed: bytes) -> InboxItem | None:
        """The sealed note, checked like typed input; None if unreadable."""
        return self.inbox.open(row_id, sealed)

    def file_inbox_item(self, item: InboxItem, client: Client) -> Note:
        return self.inbox.file(item, client)
