"""An unlocked vault: the key ring, and the rules every command follows.

Creating a vault, unlocking it, sealing and opening each kind of row under
its own associated data, finding a client by blind index, and appending
signed log entries. Commands in core.py are built from these pieces and never
touch a key themselves.
"""

from __future__ import annotations

import dataclasses
import struct
import unicodedata
from datetime import date, datetime, timezone
from typing import Any

from . import audit
from .. import codec, crypto
from ..codec import parse_iso
from ..errors import AuthenticationFailed, CryptoError, IntegrityError, VaultError
from ..validate import check_name, check_tags, check_text, normalise_name
from ..models import (FORMAT_VERSION, Alias, Client, ClientRow, Header, KdfParams, LogEntry,
                      Note, iso)
from .store import Store

VIA_PASSPHRASE = "passphrase"
VIA_AGENT = "agent"
VIA_NONE = "none"
# The named keys, each wrapped under the master key; the box key's public
# half is stored beside them in the clear, for what is recorded while locked.
NAMED_KEYS = ("sign", "log", "index", "box")
BOX_PUBLIC = "box-public"


def blind_form(name: str) -> str:
    """The form a name takes in its blind index, fixed by the format: NFKC,
    case-folded, spaces collapsed. Lookup also tries validate.normalise_name,
    which folds accents as well."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def _master_aad(h: Header) -> bytes:
    # The KDF parameters and salt are bound to the wrapped master key, so
    # editing them in the header cannot go unnoticed. So is the key-file flag.
    return (crypto.aad("master", h.vault_id)
            + struct.pack(">III", h.kdf.memory_kib, h.kdf.iterations, h.kdf.parallelism)
            + h.salt + (b"keyfile" if h.keyfile else b""))


def check_factors(header: Header, keyfile: bytes | None) -> None:
    """Say which factor is missing (or extra) before any passphrase is asked.
    Which one was wrong, when both were given, is never said."""
    if header.keyfile and keyfile is None:
        raise AuthenticationFailed("this vault needs its key file as well as the passphrase",
                                   hint="give --keyfile PATH or set VAULT_KEYFILE")
    if not header.keyfile and keyfile is not None:
        raise AuthenticationFailed("this vault does not use a key file",
                                   hint="leave out --keyfile and VAULT_KEYFILE")


def _kek(passphrase: bytes, keyfile: bytes | None, header: Header) -> bytes:
    try:
        kek = crypto.kdf(passphrase, header.salt, header.kdf)
    except MemoryError:
        raise VaultError(f"not enough memory for the key derivation (this vault asks "
                         f"for {header.kdf.memory_kib // 1024} MiB)") from None
    return kek if keyfile is None else crypto.with_keyfile(kek, keyfile)


def _wrapped(header: Header, kek: bytes, master: bytes) -> Header:
    return dataclasses.replace(header, wrapped_master=crypto.seal(kek, master,
                                                                  _master_aad(header)))


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


def _kdf_in_range(params: KdfParams) -> bool:
    try:
        crypto.check_kdf_params(params)
    except CryptoError:
        return False
    return True


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
    store.append_log(audit.to_row(entry))


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
    with store.write():
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


def record_failed_unlock(store: Store, now: datetime | None = None) -> None:
    try:
        with store.write():
            record_locked(store, "unlock-failed", now=now)
    except VaultError:
        pass  # A vault we cannot write to still refuses the wrong passphrase.


class Session:
    """Keys of one unlocked vault, bound to its store."""

    def __init__(self, store: Store, header: Header, master: bytes, kek: bytes) -> None:
        self.store = store
        self.header = header
        self.vault_id = header.vault_id
        self.via = VIA_PASSPHRASE
        self.failed_attempts = 0
        self.inbox_filed = 0      # sealed notes filed at this unlock
        self.inbox_waiting = 0    # sealed notes that name no client, or are unreadable
        # Kept to re-wrap a fresh master key after a shred or redaction.
        self._kek = kek
        self._wrap = crypto.derive_key(master, b"client-vault/v1/wrap")
        self._head = crypto.derive_key(master, b"client-vault/v1/head")
        try:
            self._sign = self._unwrap_named("sign")
            log_key = self._unwrap_named("log")
            self._index = self._unwrap_named("index")
        except CryptoError:
            raise IntegrityError("the vault's keys failed authentication") from None
        self._detail = crypto.derive_key(log_key, b"client-vault/v1/log-detail")
        self._ref = crypto.derive_key(log_key, b"client-vault/v1/log-ref")
        if not crypto.equal(crypto.sign_public_key(self._sign), header.sign_public):
            raise IntegrityError("the header's public key does not match the vault's "
                                 "signing key: the header was replaced")

    # -- creating and unlocking ----------------------------------------

    @classmethod
    def create(cls, store: Store, passphrase: bytes, kdf: KdfParams,
               now: datetime | None = None, keyfile: bytes | None = None) -> Session:
        sign_seed = crypto.random_key()
        header = Header(format_version=FORMAT_VERSION,
                        vault_id=crypto.random_bytes(16), kdf=kdf,
                        salt=crypto.random_bytes(crypto.SALT_BYTES),
                        wrapped_master=b"", sign_public=crypto.sign_public_key(sign_seed),
                        keyfile=keyfile is not None)
        master = crypto.random_key()
        kek = _kek(passphrase, keyfile, header)
        header = _wrapped(header, kek, master)
        wrap = crypto.derive_key(master, b"client-vault/v1/wrap")
        with store.write():
            store.put_header(header)
            for name, key in (("sign", sign_seed), ("log", crypto.random_key()),
                              ("index", crypto.random_key())):
                store.put_key(name, crypto.seal(wrap, key, crypto.aad(f"key:{name}",
                                                                      header.vault_id)))
            session = cls(store, header, master, kek)
            session._ensure_box_key()
            session.log("init", detail={"kdf_memory_kib": kdf.memory_kib,
                                        "kdf_iterations": kdf.iterations,
                                        "keyfile": keyfile is not None}, now=now)
        return session

    @classmethod
    def unlock(cls, store: Store, passphrase: bytes, keyfile: bytes | None = None) -> Session:
        header = store.header()
        if not _kdf_in_range(header.kdf):
            raise IntegrityError("the header's KDF parameters are out of range")
        check_factors(header, keyfile)
        kek = _kek(passphrase, keyfile, header)
        try:
            master = crypto.unseal(kek, header.wrapped_master, _master_aad(header))
        except CryptoError:
            record_failed_unlock(store)
            raise AuthenticationFailed("wrong passphrase or key file" if header.keyfile
                                       else "wrong passphrase") from None
        return cls(store, header, master, kek)

    @classmethod
    def from_agent(cls, store: Store, kek: bytes) -> Session | None:
        """A session from the key the agent holds; None if it no longer opens
        this vault (the caller then asks for the passphrase)."""
        header = store.header()
        try:
            master = crypto.unseal(kek, header.wrapped_master, _master_aad(header))
        except CryptoError:
            return None
        session = cls(store, header, master, kek)
        session.via = VIA_AGENT
        return session

    @property
    def kek(self) -> bytes:
        """For `vault unlock` to hand to the agent; nothing else reads it."""
        return self._kek

    def change_unlock(self, passphrase: bytes, kdf: KdfParams, keyfile: bytes | None) -> None:
        """A new passphrase, KDF or key file: the same master key, re-wrapped
        under a fresh salt. Seconds, whatever the vault's size. Call inside
        the command's write transaction."""
        master = crypto.unseal(self._kek, self.header.wrapped_master,
                               _master_aad(self.header))
        header = dataclasses.replace(self.header, kdf=kdf, keyfile=keyfile is not None,
                                     salt=crypto.random_bytes(crypto.SALT_BYTES))
        kek = _kek(passphrase, keyfile, header)
        header = _wrapped(header, kek, master)
        self.store.set_unlock(header)
        self.header, self._kek = header, kek

    def _unwrap_named(self, name: str) -> bytes:
        return crypto.unseal(self._wrap, self.store.key(name),
                             crypto.aad(f"key:{name}", self.vault_id))

    def _ensure_box_key(self) -> None:
        """The box key pair for records written while locked. Vaults made
        before it existed get one at their next unlock."""
        if self.store.key_or_none("box") is None:
            secret = crypto.random_key()
            self.store.put_key("box", crypto.seal(self._wrap, secret,
                                                  crypto.aad("key:box", self.vault_id)))
            self.store.put_key(BOX_PUBLIC, crypto.box_public_key(secret))
        self._box = self._box_secret()

    def _box_secret(self) -> bytes:
        try:
            secret = self._unwrap_named("box")
        except CryptoError:
            raise IntegrityError("the vault's keys failed authentication") from None
        public = self.store.key_or_none(BOX_PUBLIC)
        if public is None or not crypto.equal(crypto.box_public_key(secret), public):
            raise IntegrityError("the vault's public box key was replaced (tampering)")
        return secret

    # -- the start of every command ------------------------------------

    def begin(self) -> None:
        """Inside a write transaction: check the log's head, sign what was
        recorded while locked, file the notes sealed while locked. Refuses to
        add to a log that was cut off."""
        self._check_head()
        self._ensure_box_key()
        self._sign_pending()
        self._file_inbox()

    def _sign_pending(self) -> None:
        pending = self.store.unsigned_log_rows()
        if not pending:
            return
        entries = [audit.from_row(r) for r in pending]
        prev_seq = entries[0].seq - 1
        prev_row = self.store.log_row(prev_seq) if prev_seq else None
        prev = (audit.entry_hash(audit.from_row(prev_row), self.vault_id)
                if prev_row else audit.GENESIS)
        for e in entries:
            # Anyone who can write the file can append an unsigned entry; sign
            # only the bare kind this program writes while locked.
            if (not audit.is_valid_locked_entry(e) or e.seq != prev_seq + 1
                    or not crypto.equal(e.prev_hash, prev)):
                raise IntegrityError(f"log entry {e.seq} was not written by this vault",
                                     hint="run `vault log verify` for details")
            self.store.sign_log(e.seq, audit.sign(e, self.vault_id, self._sign))
            prev, prev_seq = audit.entry_hash(e, self.vault_id), e.seq
        self.failed_attempts = sum(e.action == "unlock-failed" for e in entries)
        self._put_head(prev_seq, prev)

    # -- the inbox -----------------------------------------------------

    def _file_inbox(self) -> None:
        """File each sealed note under the client it names; keep the others
        (no such client, or unreadable) for `vault inbox`. A copied row, or one
        whose log entry is missing, is dropped: it was not written by us."""
        rows = self.store.inbox()
        self.inbox_waiting = 0
        if not rows:
            return
        filed = self._filed_seqs()
        for row_id, sealed in rows:
            item = self.open_inbox(row_id, sealed)
            if item is None:
                self.inbox_waiting += 1
                continue
            if item.seq in filed or not self._is_sealed_add(item.seq):
                self.store.delete_inbox(row_id)
                continue
            client = self.find_client(item.client)
            if client is None:
                self.inbox_waiting += 1
                continue
            self.file_inbox_item(item, client)
            filed.add(item.seq)

    def file_inbox_item(self, item: InboxItem, client: Client) -> Note:
        note = self.add_note(client, item.text, item.tags, item.created)
        self.store.delete_inbox(item.id)
        self.log("inbox-file", clients=(client.uid,),
                 detail={"note": note.id, "sealed_seq": item.seq})
        self.inbox_filed += 1
        return note

    def _filed_seqs(self) -> set[int]:
        found = set()
        for row in self.store.log_rows_of("inbox-file"):
            seq = (self.open_detail(audit.from_row(row)) or {}).get("sealed_seq")
            if isinstance(seq, int):
                found.add(seq)
        return found

    def _is_sealed_add(self, seq: int) -> bool:
        row = self.store.log_row(seq)
        return row is not None and audit.from_row(row).action == "add-sealed"

    def open_inbox(self, row_id: int, sealed: bytes) -> InboxItem | None:
        """The sealed note, checked like typed input; None if unreadable."""
        try:
            rec = codec.unpack(crypto.box_open(self._box, sealed))
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

    def head(self) -> tuple[int, bytes] | None:
        sealed = self.store.head()
        if sealed is None:
            return None
        try:
            plain = crypto.unseal(self._head, sealed, crypto.aad("head", self.vault_id))
        except CryptoError:
            raise IntegrityError("the vault's record of its log head failed "
                                 "authentication") from None
        if len(plain) != 8 + audit.HASH_BYTES:
            raise IntegrityError("the vault's record of its log head is malformed")
        return struct.unpack(">Q", plain[:8])[0], plain[8:]

    def _check_head(self) -> None:
        head = self.head()
        if head is None:
            raise IntegrityError("the vault's record of its log head is missing")
        seq, expected = head
        row = self.store.log_row(seq)
        if row is None or not crypto.equal(
                audit.entry_hash(audit.from_row(row), self.vault_id), expected):
            raise IntegrityError("the access log was cut off or altered",
                                 hint="run `vault log verify` for details")

    def _put_head(self, seq: int, entry_hash: bytes) -> None:
        self.store.put_head(crypto.seal(self._head, struct.pack(">Q", seq) + entry_hash,
                                        crypto.aad("head", self.vault_id)))

    # -- the access log ------------------------------------------------

    def log(self, action: str, clients: tuple[bytes, ...] = (),
            detail: dict[str, Any] | None = None, now: datetime | None = None) -> LogEntry:
        """Append one signed entry. Call inside the command's write transaction."""
        seq, prev = last_entry(self.store, self.vault_id)
        seq += 1
        refs = tuple(audit.client_ref(self._ref, uid, seq) for uid in clients)
        sealed = b"" if detail is None else crypto.seal(
            self._detail, codec.pack(detail), crypto.aad("log-detail", self.vault_id, seq))
        entry = audit.make_entry(seq=seq, prev_hash=prev, action=action, via=self.via,
                                 refs=refs, detail=sealed, now=now)
        entry = dataclasses.replace(entry, signature=audit.sign(entry, self.vault_id,
                                                                self._sign))
        self.store.append_log(audit.to_row(entry))
        self._put_head(seq, audit.entry_hash(entry, self.vault_id))
        return entry

    def open_detail(self, e: LogEntry) -> dict[str, Any] | None:
        if not e.detail:
            return None
        if e.via == VIA_NONE:
            return self._open_locked_detail(e)
        try:
            plain = crypto.unseal(self._detail, e.detail,
                                  crypto.aad("log-detail", self.vault_id, e.seq))
        except CryptoError:
            raise IntegrityError(f"log entry {e.seq}: detail failed authentication") from None
        return codec.unpack(plain)

    def _open_locked_detail(self, e: LogEntry) -> dict[str, Any]:
        """A detail sealed to the box key while the vault was locked. A sealed
        box has no associated data: its place is checked from inside."""
        try:
            detail = codec.unpack(crypto.box_open(self._box_secret(), e.detail))
        except CryptoError:
            raise IntegrityError(f"log entry {e.seq}: detail failed authentication") from None
        if detail.pop("vault_id", None) != self.vault_id.hex() or detail.pop("seq", None) != e.seq:
            raise IntegrityError(f"log entry {e.seq}: detail belongs to another entry")
        return detail

    def pseudonym_key(self) -> bytes:
        """A secret kept by the vault for `export-anonymized --stable-pseudonyms`,
        derived from the index key so it needs no row of its own."""
        return crypto.derive_key(self._index, b"client-vault/v1/pseudonym")

    def backups(self) -> list[tuple[str, datetime]]:
        """(path, time) of every backup the log remembers."""
        found = []
        for row in self.store.log_rows_of("backup"):
            detail = self.open_detail(audit.from_row(row)) or {}
            path, when = detail.get("path"), detail.get("time")
            if isinstance(path, str):
                found.append((path, parse_iso(when)))
        return found

    def concerns(self, e: LogEntry, client_uid: bytes) -> bool:
        ref = audit.client_ref(self._ref, client_uid, e.seq)
        return any(crypto.equal(ref, r) for r in e.refs)

    # -- clients -------------------------------------------------------

    def blind(self, name: str) -> bytes:
        return crypto.keyed_hash(self._index, b"client-vault/v1/name\x00"
                                 + blind_form(name).encode("utf-8"))

    def find_client(self, name: str) -> Client | None:
        """The client of this name: the blind index's exact form first; else
        the one client whose name differs only in case, accents or width
        ("Jose" finds José), which costs a pass over every client record."""
        row = self.store.client_by_blind(self.blind(name))
        if row is None:
            wanted = normalise_name(name)
            found = [c for c in self.clients() if normalise_name(c.name) == wanted]
            return found[0] if len(found) == 1 else None
        client = self.open_client(row)
        if blind_form(client.name) != blind_form(name):
            raise IntegrityError(f"client {row.id}: the name index does not match the record")
        return client

    def clients(self) -> list[Client]:
        counts = self.store.note_counts()
        clients = [self.open_client(row) for row in self.store.clients()]
        for c in clients:
            self._check_count(c, counts.get(c.id, 0))
        return clients

    def create_client(self, name: str, now: datetime) -> Client:
        client_id = self.store.next_id("clients")
        uid, key = crypto.random_bytes(16), crypto.random_key()
        blind = self.blind(name)
        client = Client(id=client_id, uid=uid, name=name, created=now, last=None, notes=0)
        self.store.insert_client(ClientRow(
            id=client_id, uid=uid, blind=blind,
            wrapped_key=crypto.seal(self._wrap, key, self._key_aad(client_id, uid, blind)),
            meta=self._seal_meta(key, client)))
        return client

    def open_client(self, row: ClientRow) -> Client:
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
        if not (isinstance(name, str) and isinstance(notes, int) and notes >= 0
                and status in ("open", "closed") and (hold is None or isinstance(hold, str))
                and (retain is None or isinstance(retain, str))):
            raise IntegrityError(f"client {row.id}: malformed record")
        try:
            retain_until = None if retain is None else date.fromisoformat(retain)
        except ValueError:
            raise IntegrityError(f"client {row.id}: malformed record") from None
        return Client(id=row.id, uid=row.uid, name=name, created=parse_iso(meta.get("created")),
                      last=None if last is None else parse_iso(last), notes=notes,
                      status=status, retain_until=retain_until, hold=hold, aliases=aliases)

    def _row(self, client: Client) -> ClientRow:
        row = self.store.client_by_blind(self.blind(client.name))
        if row is None or row.id != client.id:
            raise IntegrityError(f"client {client.id}: the name index does not match the record")
        return row

    def _client_key(self, row: ClientRow) -> bytes:
        try:
            return crypto.unseal(self._wrap, row.wrapped_key,
                                 self._key_aad(row.id, row.uid, row.blind))
        except CryptoError:
            raise IntegrityError(f"client {row.id}: key failed authentication") from None

    def _key_aad(self, client_id: int, uid: bytes, blind: bytes) -> bytes:
        # The opaque id and the blind index are bound to the client's key, so
        # neither can be swapped between clients unnoticed.
        return self._aad("client-key", client_id, client_id) + uid + blind

    def _seal_meta(self, key: bytes, c: Client) -> bytes:
        meta = {"name": c.name, "created": iso(c.created), "notes": c.notes,
                "last": None if c.last is None else iso(c.last), "status": c.status,
                "retain_until": None if c.retain_until is None else c.retain_until.isoformat(),
                "hold": c.hold,
                "aliases": [{"name": a.name, "relation": a.relation} for a in c.aliases]}
        return crypto.seal(key, codec.pack(meta), self._aad("client-meta", c.id, c.id))

    def update_client(self, client: Client) -> None:
        """Re-seal a client's record (status, retention, hold) under its key."""
        self.store.update_client_meta(client.id, self._seal_meta(
            self._client_key(self._row(client)), client))

    def rekey_client(self, client: Client, new_texts: dict[int, str]) -> None:
        """Re-encrypt a client's record and every note under a fresh data key,
        replacing the texts given, and drop the old key. With secure_delete
        on, the old ciphertext and wrapped key are overwritten in the file."""
        notes = self.notes(client)
        key = crypto.random_key()
        row = self._row(client)
        for n in notes:
            body = codec.pack({"created": iso(n.created), "tags": list(n.tags),
                               "text": new_texts.get(n.id, n.text)})
            self.store.update_note(n.id, crypto.seal(key, body,
                                                     self._aad("note", n.id, client.id)))
        self.store.update_client_meta(client.id, self._seal_meta(key, client))
        self.store.update_client_key(client.id, crypto.seal(
            self._wrap, key, self._key_aad(row.id, row.uid, row.blind)))

    def destroy_client(self, client: Client, day: str) -> int:
        """Delete a client's key, record and notes, keeping a tombstone."""
        self._row(client)
        return self.store.delete_client(client.id, client.uid, day)

    def rotate_master(self) -> None:
        """A fresh master key: re-wrap the named keys and every client key,
        re-seal the head. O(clients). A key destroyed before this cannot be
        unwrapped from any stale copy of a page, even with the passphrase,
        because the old master key no longer exists anywhere."""
        master = crypto.random_key()
        wrap = crypto.derive_key(master, b"client-vault/v1/wrap")
        head_key = crypto.derive_key(master, b"client-vault/v1/head")
        for name in NAMED_KEYS:
            key = self._unwrap_named(name)
            self.store.put_key(name, crypto.seal(wrap, key, crypto.aad(f"key:{name}",
                                                                       self.vault_id)))
        for row in list(self.store.clients()):
            key = self._client_key(row)
            self.store.update_client_key(row.id, crypto.seal(
                wrap, key, self._key_aad(row.id, row.uid, row.blind)))
        head = self.head()
        self.header = _wrapped(self.header, self._kek, master)
        self.store.set_wrapped_master(self.header.wrapped_master)
        self._wrap, self._head = wrap, head_key
        if head is not None:
            self._put_head(*head)

    @staticmethod
    def _check_count(client: Client, stored: int) -> None:
        """The sealed count catches a note deleted, or slipped in, outside the vault."""
        if stored != client.notes:
            raise IntegrityError(f"client {client.id}: holds {stored} notes but its sealed "
                                 f"record counts {client.notes}")

    # -- notes ---------------------------------------------------------

    def add_note(self, client: Client, text: str, tags: tuple[str, ...],
                 now: datetime) -> Note:
        """Store a note and re-seal the client's record with the new count."""
        return self.add_notes(client, [(text, tags, now)])[0]

    def add_notes(self, client: Client,
                  items: list[tuple[str, tuple[str, ...], datetime]]) -> list[Note]:
        """Store notes (text, tags, created) in order, then re-seal the
        client's record once with the new count and latest date."""
        row = self._row(client)
        key = self._client_key(row)
        first = self.store.next_id("notes")
        notes = []
        for i, (text, tags, created) in enumerate(items):
            note = Note(id=first + i, client_id=client.id, created=created, tags=tags,
                        text=text)
            body = codec.pack({"created": iso(created), "tags": list(tags), "text": text})
            self.store.insert_note(note.id, client.id, crypto.seal(
                key, body, self._aad("note", note.id, client.id)))
            notes.append(note)
        last = max([n.created for n in notes] + ([client.last] if client.last else []))
        self.store.update_client_meta(client.id, self._seal_meta(
            key, dataclasses.replace(client, last=last, notes=client.notes + len(notes))))
        return notes

    def notes(self, client: Client) -> list[Note]:
        key = self._client_key(self._row(client))
        notes = [self._open_note(key, client.id, note_id, body)
                 for note_id, body in self.store.notes_of(client.id)]
        self._check_count(client, len(notes))
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
                    tags=tuple(tags), text=text)

    def _aad(self, kind: str, row_id: int, client_id: int) -> bytes:
        return crypto.aad(kind, self.vault_id, row_id, client_id)
