"""The signed access log of a vault: appending entries, the sealed record of
the log's head, and what the log says back (details, clients concerned,
backups).

While locked, entries are appended unsigned (record_locked), their detail
sealed to the public box key; the next unlock checks and signs them. The
encoding, chain and verification of entries are audit.py's.
"""

from __future__ import annotations

import dataclasses
import struct
from datetime import datetime
from typing import Any

from .. import codec, crypto
from ..codec import parse_iso
from ..errors import CryptoError, IntegrityError, VaultError
from ..models import LogEntry
from . import audit, witness
from .keyring import BOX_PUBLIC, Keyring
from .elements import DIGEST_BYTES, SCHEME_BUCKETS, SCHEME_ROWS
from .state import State
from .store import Store

# How the vault that wrote an entry was unlocked (the entry's `via`).
VIA_PASSPHRASE = "passphrase"
VIA_AGENT = "agent"
VIA_NONE = "none"
# The key, in every signed entry's sealed detail, of the state it recorded.
STATE_FIELD = "_state"


def last_entry(store: Store, vault_id: bytes) -> tuple[int, bytes]:
    """(seq, hash) of the newest log entry, or (0, genesis) for none."""
    row = store.last_log_row()
    if row is None:
        return 0, audit.GENESIS
    entry = audit.from_row(row)
    if entry.seq >= 2**62:   # the next one would not fit in SQLite's integers
        raise IntegrityError("the access log is damaged: an entry number is out of range")
    return entry.seq, audit.entry_hash(entry, vault_id)


def record_locked(store: Store, action: str, detail: dict[str, Any] | None = None,
                  now: datetime | None = None) -> None:
    """Append an unsigned entry while the vault is locked; the next unlock
    checks and signs it. A detail is sealed to the vault's public box key, so
    only the unlocked vault can read it. Call inside store.write()."""
    header = store.header()
    seq, prev = last_entry(store, header.vault_id)
    sealed = b""
    public = store.key_or_none(BOX_PUBLIC)
    if detail is not None and public is not None:
        sealed = crypto.box_seal(public, codec.pack(
            {"vault_id": header.vault_id.hex(), "seq": seq + 1, **detail}))
    entry = audit.make_entry(seq=seq + 1, prev_hash=prev, action=action, via=VIA_NONE,
                             detail=sealed, now=now)
    # Never dated before the entry it follows (a backup's time is when it
    # started, `now` may be a note's whole second, clocks step back): the
    # next unlock signs only entries whose times go forward.
    last = store.log_row(seq) if seq else None
    if last is not None and isinstance(last[1], str) and entry.time < last[1]:
        entry = dataclasses.replace(entry, time=last[1])
    store.append_log(audit.to_row(entry))


def record_failed_unlock(store: Store, now: datetime | None = None) -> None:
    try:
        with witness.locked_write(store):
            record_locked(store, "unlock-failed", now=now)
    except VaultError:
        pass  # A vault we cannot write to still refuses the wrong passphrase.


class Ledger:
    """The log of one unlocked vault."""

    def __init__(self, store: Store, keys: Keyring, state: State,
                 via: str = VIA_PASSPHRASE) -> None:
        self.store = store
        self.keys = keys
        self.state = state
        self.vault_id = keys.vault_id
        self.via = via
        self.failed_attempts = 0   # `unlock-failed` entries signed by sign_pending()

    # -- appending -----------------------------------------------------

    def log(self, action: str, clients: tuple[bytes, ...] = (),
            detail: dict[str, Any] | None = None, now: datetime | None = None) -> LogEntry:
        """Append one signed entry. Call inside the command's write transaction."""
        seq, prev = last_entry(self.store, self.vault_id)
        seq += 1
        refs = tuple(audit.client_ref(self.keys.ref_key, uid, seq) for uid in clients)
        # Every signed entry records the state commitment as it stands when
        # the entry is appended (docs/format.md section 14).
        sealed = crypto.seal(self.keys.detail_key,
                             codec.pack({**(detail or {}), STATE_FIELD: self.state.value().hex()}),
                             crypto.aad("log-detail", self.vault_id, seq))
        entry = audit.make_entry(seq=seq, prev_hash=prev, action=action, via=self.via,
                                 refs=refs, detail=sealed, now=now)
        entry = dataclasses.replace(entry, signature=audit.sign(entry, self.vault_id,
                                                                self.keys.sign_key))
        self.store.append_log(audit.to_row(entry))
        self.put_head(seq, audit.entry_hash(entry, self.vault_id))
        return entry

    def sign_pending(self) -> None:
        """Check and sign the entries recorded while locked, and count the
        failed unlocks among them. One dated before the entry it follows (or
        following such an entry) is left unsigned, in the chain, for `vault
        log verify` to report: signing it would vouch for a planted past."""
        pending = self.store.unsigned_log_rows()
        if not pending:
            return
        signed: list[LogEntry] = []
        flagged: set[int] = set()
        for e in (audit.from_row(r) for r in pending):
            prev_row = self.store.log_row(e.seq - 1) if e.seq > 1 else None
            prev = audit.from_row(prev_row) if prev_row else None
            prev_hash = audit.entry_hash(prev, self.vault_id) if prev else audit.GENESIS
            # Anyone who can write the file can append an unsigned entry; sign
            # only the bare kind this program writes while locked.
            if (not audit.is_valid_locked_entry(e) or (e.seq > 1 and prev is None)
                    or not crypto.equal(e.prev_hash, prev_hash)):
                raise IntegrityError(f"log entry {e.seq} was not written by this vault",
                                     hint="run `vault log verify` for details")
            if audit.goes_back(e, prev, prev is not None and prev.seq in flagged):
                flagged.add(e.seq)
                continue
            self.store.sign_log(e.seq, audit.sign(e, self.vault_id, self.keys.sign_key))
            signed.append(e)
        self.failed_attempts = sum(e.action == "unlock-failed" for e in signed)
        if signed:
            last = signed[-1]
            head = self.head()
            if head is None or last.seq > head[0]:
                self.put_head(last.seq, audit.entry_hash(last, self.vault_id))

    # -- the head: where the log ended, sealed so it cannot be cut ------

    def head(self) -> tuple[int, bytes] | None:
        opened = self._open_head()
        return None if opened is None else opened[:2]

    def sealed_state(self) -> tuple[bytes, int] | None:
        """The state commitment sealed in the head and its scheme; None in a
        head written before the commitment existed (the first unlock then
        adds it)."""
        opened = self._open_head()
        return None if opened is None or opened[2] is None else (opened[2], opened[3])

    def _open_head(self) -> tuple[int, bytes, bytes | None, int] | None:
        sealed = self.store.head()
        if sealed is None:
            return None
        try:
            plain = crypto.unseal(self.keys.head_key, sealed,
                                  crypto.aad("head", self.vault_id))
        except CryptoError:
            raise IntegrityError("the vault's record of its log head failed "
                                 "authentication") from None
        end = 8 + audit.HASH_BYTES
        scheme = SCHEME_ROWS
        if len(plain) == end + DIGEST_BYTES + 1 and plain[-1] == SCHEME_BUCKETS:
            plain, scheme = plain[:-1], SCHEME_BUCKETS
        elif len(plain) not in (end, end + DIGEST_BYTES):
            raise IntegrityError("the vault's record of its log head is malformed")
        return struct.unpack(">Q", plain[:8])[0], plain[8:end], plain[end:] or None, scheme

    def check_head(self) -> None:
        """Refuse to add to a log that was cut off or altered: the head names
        an entry of the log, and no signed entry follows it (entries written
        while locked may, until they are signed)."""
        head = self.head()
        if head is None:
            raise IntegrityError("the vault's record of its log head is missing")
        seq, expected = head
        row = self.store.log_row(seq)
        if row is None or not crypto.equal(
                audit.entry_hash(audit.from_row(row), self.vault_id), expected) \
                or self.store.signed_after(seq):
            raise IntegrityError("the access log was cut off or altered",
                                 hint="run `vault log verify` for details")

    def put_head(self, seq: int, entry_hash: bytes) -> None:
        """The head names the log's last signed entry and seals the state
        commitment of the rows as they are now."""
        scheme = b"" if self.state.scheme == SCHEME_ROWS else bytes([self.state.scheme])
        self.store.put_head(crypto.seal(self.keys.head_key,
                                        struct.pack(">Q", seq) + entry_hash + self.state.value()
                                        + scheme, crypto.aad("head", self.vault_id)))

    def seal_state(self) -> None:
        """At the end of a command's transaction: if a write after its last
        entry (a master-key rotation) moved the state, the head follows."""
        opened = self._open_head()
        if opened is not None and (opened[2] is None or opened[3] != self.state.scheme
                                   or not crypto.equal(opened[2], self.state.value())):
            self.put_head(opened[0], opened[1])

    # -- reading entries -----------------------------------------------

    def open_detail(self, e: LogEntry) -> dict[str, Any] | None:
        if not e.detail:
            return None
        if e.via == VIA_NONE:
            return self._open_locked_detail(e)
        try:
            plain = crypto.unseal(self.keys.detail_key, e.detail,
                                  crypto.aad("log-detail", self.vault_id, e.seq))
        except CryptoError:
            raise IntegrityError(f"log entry {e.seq}: detail failed authentication") from None
        detail = codec.unpack(plain)
        detail.pop(STATE_FIELD, None)
        return detail or None

    def _open_locked_detail(self, e: LogEntry) -> dict[str, Any]:
        """A detail sealed to the box key while the vault was locked. A sealed
        box has no associated data: its place is checked from inside."""
        try:
            detail = codec.unpack(crypto.box_open(self.keys.box_secret(), e.detail))
        except CryptoError:
            raise IntegrityError(f"log entry {e.seq}: detail failed authentication") from None
        if detail.pop("vault_id", None) != self.vault_id.hex() or detail.pop("seq", None) != e.seq:
            raise IntegrityError(f"log entry {e.seq}: detail belongs to another entry")
        return detail

    def concerns(self, e: LogEntry, client_uid: bytes) -> bool:
        ref = audit.client_ref(self.keys.ref_key, client_uid, e.seq)
        return any(crypto.equal(ref, r) for r in e.refs)

    def backups(self) -> list[tuple[str, datetime]]:
        """(path, time) of every backup the log remembers."""
        found = []
        for row in self.store.log_rows_of("backup"):
            detail = self.open_detail(audit.from_row(row)) or {}
            path, when = detail.get("path"), detail.get("time")
            if isinstance(path, str):
                found.append((path, parse_iso(when)))
        return found
