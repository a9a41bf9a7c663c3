"""The store: the SQL of each table of a vault file. Stores opaque bytes.

Knows no cryptography: every value it hands back is ciphertext, a hash or a
count, checked for its type and size on the way out. The tables themselves
are schema.py's; opening, transactions, whole-file operations and error
translation are sqlfile.py's.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import IntegrityError, VaultError
from ..models import FORMAT_VERSION, ClientRow, Header, KdfParams
from .sqlfile import translate_errors
from .versionreads import VersionReads

MAGIC = "client-vault"
_NONCE = 24   # bytes at the start of a sealed value (crypto.NONCE_BYTES)
KDF_NAMES = {"argon2id": False, "argon2id+keyfile": True}  # name -> needs a key file


def vault_identity(path: Path) -> tuple[int, int, bytes] | None:
    """(device, inode, salt) of the vault at path, or None if it cannot be
    read: what the agent watches, so that it forgets its key when the file is
    replaced or its passphrase changes. A bare read-only connection, without
    the checks of Store.open: it runs every few seconds beside commands."""
    try:
        st = os.stat(path)
        uri = "file:" + urllib.parse.quote(os.fsencode(path)) + "?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=1.0)
        try:
            row = db.execute("SELECT salt FROM header WHERE id = 1").fetchone()
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        return None
    if row is None or not isinstance(row[0], bytes):
        return None
    return st.st_dev, st.st_ino, row[0]


def _kdf_name(h: Header) -> str:
    return "argon2id+keyfile" if h.keyfile else "argon2id"


# The highest row id a restore carries over from the vault it replaces.
MAX_KEPT_ID = 2**48


def _blob(value: Any, size: int | None = None) -> bytes:
    if not isinstance(value, bytes) or (size is not None and len(value) != size):
        raise IntegrityError("the vault file is damaged: a field has the wrong type")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int):
        raise IntegrityError("the vault file is damaged: a field has the wrong type")
    return value


def _id(value: Any) -> int:
    if not isinstance(value, int) or not 0 < value < 2**62:
        raise IntegrityError("the vault file is damaged: a row id is out of range")
    return value


class Store(VersionReads):
    """An open vault file (see SqlFile for opening and transactions) and the
    SQL of its tables (the reads the state commitment makes of every row are
    VersionReads')."""

    # -- header and keys -----------------------------------------------

    def put_header(self, h: Header) -> None:
        self.forget()
        self._q("INSERT INTO header VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (MAGIC, h.format_version, h.vault_id, _kdf_name(h), h.kdf.memory_kib,
                 h.kdf.iterations, h.kdf.parallelism, h.salt, h.wrapped_master,
                 h.sign_public))

    def set_unlock(self, h: Header) -> None:
        """A new passphrase, key file or KDF: the salt, parameters and wrapped
        master key change together."""
        self.forget()
        self._q("UPDATE header SET kdf = ?, kdf_memory_kib = ?, kdf_iterations = ?, "
                "kdf_parallelism = ?, salt = ?, wrapped_master = ? WHERE id = 1",
                (_kdf_name(h), h.kdf.memory_kib, h.kdf.iterations, h.kdf.parallelism,
                 h.salt, h.wrapped_master))

    def header(self) -> Header:
        row = self._q("SELECT magic, format_version, vault_id, kdf, kdf_memory_kib, "
                      "kdf_iterations, kdf_parallelism, salt, wrapped_master, sign_public "
                      "FROM header WHERE id = 1").fetchone()
        if row is None or row[0] != MAGIC or row[3] not in KDF_NAMES:
            raise IntegrityError("the file is not a vault (or its header is damaged)")
        if _int(row[1]) != FORMAT_VERSION:
            raise VaultError(f"unsupported vault format version {row[1]}",
                             hint="upgrade client-vault")
        return Header(format_version=row[1], vault_id=_blob(row[2], 16),
                      kdf=KdfParams(_int(row[4]), _int(row[5]), _int(row[6])),
                      salt=_blob(row[7], 16), wrapped_master=_blob(row[8]),
                      sign_public=_blob(row[9], 32), keyfile=KDF_NAMES[row[3]])

    def header_bytes(self) -> bytes:
        """Every field of the header row, each length-prefixed, for the state
        commitment: a change to any of them changes the vault's state."""
        row = self._q("SELECT magic, format_version, vault_id, kdf, kdf_memory_kib, "
                      "kdf_iterations, kdf_parallelism, salt, wrapped_master, sign_public "
                      "FROM header WHERE id = 1").fetchone()
        if row is None:
            raise IntegrityError("the file is not a vault (or its header is damaged)")
        out = []
        for value in row:
            b = (value if isinstance(value, bytes) else str(value).encode("utf-8")
                 if isinstance(value, (str, int)) else b"?")
            out.append(len(b).to_bytes(4, "big") + b)
        return b"".join(out)

    def key_rows(self) -> list[tuple[str, bytes]]:
        return [(str(n), _blob(w)) for n, w in self._all("SELECT name, wrapped FROM keys "
                                                         "ORDER BY name")]

    def set_wrapped_master(self, wrapped: bytes) -> None:
        self.forget()
        self._q("UPDATE header SET wrapped_master = ? WHERE id = 1", (wrapped,))

    def put_key(self, name: str, wrapped: bytes) -> None:
        self.forget()
        self._q("INSERT OR REPLACE INTO keys VALUES (?, ?)", (name, wrapped))

    def key_or_none(self, name: str) -> bytes | None:
        row = self._q("SELECT wrapped FROM keys WHERE name = ?", (name,)).fetchone()
        return None if row is None else _blob(row[0])

    def key(self, name: str) -> bytes:
        row = self._q("SELECT wrapped FROM keys WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise IntegrityError(f"the vault file is damaged: the {name} key is missing")
        return _blob(row[0])

    def put_head(self, sealed: bytes) -> None:
        self._q("INSERT OR REPLACE INTO head VALUES (1, ?)", (sealed,))

    def head(self) -> bytes | None:
        row = self._q("SELECT sealed FROM head WHERE id = 1").fetchone()
        return None if row is None else _blob(row[0])

    # -- clients and notes ---------------------------------------------

    def next_id(self, table: str) -> int:
        """The id the next row of `table` gets. Call inside write()."""
        assert table in ("clients", "notes")
        row = self._q("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        last = _int(row[0]) if row else 0
        if not 0 <= last < 2**62:
            raise IntegrityError("the vault file is damaged: a row counter is out of range")
        return last + 1

    def keep_ids_above(self, table: str, last: int) -> None:
        """Row ids of `table` continue after `last` (a restore: an id in the
        replaced vault's log never names another row). A counter near the top
        of the id range (plaintext anyone can edit) is ignored."""
        assert table in ("clients", "notes")
        if 0 < last < MAX_KEPT_ID and self.next_id(table) <= last:
            if self._q("UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                       (last, table)).rowcount == 0:
                self._q("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, last))

    def last_id(self, table: str) -> int:
        return self.next_id(table) - 1

    # A client's sealed record is in `records`; `clients.meta` holds its nonce
    # (format.md section 2, version 3), which every read checks against it.

    def insert_client(self, row: ClientRow) -> None:
        self._q("INSERT INTO clients VALUES (?, ?, ?, ?, ?)",
                (row.id, row.uid, row.blind, row.wrapped_key, row.meta[:_NONCE]))
        # OR REPLACE: a row already there names no client (planted; never read).
        self._q("INSERT OR REPLACE INTO records VALUES (?, ?)", (row.id, row.meta))

    def update_client_meta(self, client_id: int, meta: bytes) -> None:
        self._q("UPDATE clients SET meta = ? WHERE id = ?", (meta[:_NONCE], client_id))
        self._q("UPDATE records SET sealed = ? WHERE id = ?", (meta, client_id))

    def update_client_key(self, client_id: int, wrapped_key: bytes) -> None:
        self._q("UPDATE clients SET wrapped_key = ? WHERE id = ?", (wrapped_key, client_id))

    def rename_client(self, client_id: int, blind: bytes, wrapped_key: bytes,
                      meta: bytes) -> None:
        """A client's new name: its blind index, its key wrapped under that
        index, and its record, in one statement."""
        self._q("UPDATE clients SET blind = ?, wrapped_key = ?, meta = ? WHERE id = ?",
                (blind, wrapped_key, meta[:_NONCE], client_id))
        self._q("UPDATE records SET sealed = ? WHERE id = ?", (meta, client_id))

    def delete_client(self, client_id: int, uid: bytes, day: str) -> int:
        """Notes, key and record go, a tombstone stays; the notes deleted."""
        notes = self._q("DELETE FROM notes WHERE client_id = ?", (client_id,)).rowcount
        self._q("DELETE FROM records WHERE id = ?", (client_id,))
        self._q("DELETE FROM clients WHERE id = ?", (client_id,))
        self._q("INSERT OR REPLACE INTO tombstones VALUES (?, ?)", (uid, day))
        return notes

    def add_tombstones(self, tombstones: list[tuple[bytes, str]]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO tombstones VALUES (?, ?)", tombstones)

    def tombstones(self) -> list[tuple[bytes, str]]:
        return [(_blob(u, 16), str(d)) for u, d in
                self._all("SELECT uid, shredded FROM tombstones ORDER BY shredded, uid")]

    def _client_select(self) -> str:
        """The columns of a ClientRow and the nonce kept in `clients`, from
        either layout (a read-only reader reads older files as they are)."""
        if self.version < 3:
            return ("SELECT id, uid, blind, wrapped_key, meta, substr(meta, 1, 24) "
                    "FROM clients c")
        return ("SELECT c.id, c.uid, c.blind, c.wrapped_key, r.sealed, c.meta "
                "FROM clients c LEFT JOIN records r ON r.id = c.id")

    def client_by_blind(self, blind: bytes) -> ClientRow | None:
        return self._client_where("c.blind", blind)

    def client_by_uid(self, uid: bytes) -> ClientRow | None:
        return self._client_where("c.uid", uid)

    def client_by_id(self, client_id: int) -> ClientRow | None:
        return self._client_where("c.id", client_id)

    def _client_where(self, column: str, value: object) -> ClientRow | None:
        row = self._q(self._client_select() + f" WHERE {column} = ?", (value,)).fetchone()
        return None if row is None else self._client_row(row)

    def data_version(self) -> int:
        """Changes when another connection commits (SQLite's data_version)."""
        return _int(self._q("PRAGMA data_version").fetchone()[0])

    def clients(self, problems: list[str] | None = None) -> Iterator[ClientRow]:
        """Every client row, by id. A row whose record is missing or not the
        one it names raises IntegrityError, or, given `problems` (a check that
        collects them all), is reported there and skipped."""
        cur = self._q(self._client_select() + " ORDER BY c.id")
        with translate_errors():
            for row in cur:
                try:
                    yield self._client_row(row)
                except IntegrityError as e:
                    if problems is None:
                        raise
                    problems.append(e.message)

    def note_versions(self) -> Iterator[tuple[int, int, bytes]]:
        """(id, client id, start of the sealed body) of every note."""
        cur = self._q("SELECT id, client_id, substr(body, 1, 24) FROM notes")
        with translate_errors():
            for i, c, body in cur:
                yield _id(i), _id(c), _blob(body)

    @staticmethod
    def _client_row(row: tuple) -> ClientRow:
        client_id = _id(row[0])
        if row[4] is None:
            raise IntegrityError(f"client {client_id}: its record is missing (tampering)")
        meta, nonce = _blob(row[4]), row[5]
        # The state commitment covers the nonce in `clients`; the record used
        # must be the one it names (an older record has another nonce).
        if not isinstance(nonce, bytes) or len(nonce) != _NONCE or meta[:_NONCE] != nonce:
            raise IntegrityError(f"client {client_id}: its record is not the one its row "
                                 "names: put back from an older copy or moved (tampering)")
        return ClientRow(id=client_id, uid=_blob(row[1], 16), blind=_blob(row[2], 32),
                         wrapped_key=_blob(row[3]), meta=meta)

    def notes_without_client(self) -> int:
        return _int(self._q("SELECT count(*) FROM notes WHERE client_id NOT IN "
                            "(SELECT id FROM clients)").fetchone()[0])

    _ORPHAN_RECORDS = "FROM records WHERE id NOT IN (SELECT id FROM clients)"

    def drop_records_without_client(self) -> int:
        """Delete them (a restore, on its scratch copy; call inside write())."""
        return 0 if self.version < 3 else self._q("DELETE " + self._ORPHAN_RECORDS).rowcount

    def records_without_client(self) -> int:
        """Rows of `records` that no client row names: never read, but not
        the program's (planted, or left by an edit of the file)."""
        return 0 if self.version < 3 else \
            _int(self._q("SELECT count(*) " + self._ORPHAN_RECORDS).fetchone()[0])

    def insert_note(self, note_id: int, client_id: int, body: bytes) -> None:
        self._q("INSERT INTO notes VALUES (?, ?, ?)", (note_id, client_id, body))

    def update_note(self, note_id: int, body: bytes) -> None:
        self._q("UPDATE notes SET body = ? WHERE id = ?", (body, note_id))

    def notes_of(self, client_id: int) -> Iterator[tuple[int, bytes]]:
        cur = self._q("SELECT id, body FROM notes WHERE client_id = ? ORDER BY id",
                      (client_id,))
        with translate_errors():
            for row in cur:
                yield _id(row[0]), _blob(row[1])

    def notes_by_client(self) -> Iterator[tuple[int, list[tuple[int, bytes]]]]:
        """Every note, as notes_of gives them, grouped by client in ascending
        client id: one scan for a reader of every client's notes (check)
        instead of a query per client."""
        cur = self._q("SELECT client_id, id, body FROM notes ORDER BY client_id, id")
        group: list[tuple[int, bytes]] = []
        current = None
        with translate_errors():
            for c, i, body in cur:
                c = _id(c)
                if c != current:
                    if current is not None:
                        yield current, group
                    current, group = c, []
                group.append((_id(i), _blob(body)))
        if current is not None:
            yield current, group

    def note_total(self) -> int:
        return _int(self._q("SELECT count(*) FROM notes").fetchone()[0])

    def counts(self) -> dict[str, int]:
        """Row counts, which anyone holding the file can see anyway."""
        return {table: _int(self._q(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("clients", "notes", "log", "tombstones")}

    # -- the inbox of notes sealed while locked --------------------------

    def add_inbox(self, sealed: bytes) -> int:
        return _id(self._q("INSERT INTO inbox (sealed) VALUES (?)", (sealed,)).lastrowid)

    def inbox(self) -> list[tuple[int, bytes]]:
        if self.version < 2:
            return []
        return [(_id(i), _blob(b))
                for i, b in self._all("SELECT id, sealed FROM inbox ORDER BY id")]

    def inbox_count(self) -> int:
        if self.version < 2:
            return 0
        return _int(self._q("SELECT count(*) FROM inbox").fetchone()[0])

    def delete_inbox(self, item_id: int) -> None:
        self._q("DELETE FROM inbox WHERE id = ?", (item_id,))

    # -- access log ----------------------------------------------------

    def append_log(self, row: tuple) -> None:
        self._q("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

    def last_log_row(self) -> tuple | None:
        return self._q("SELECT * FROM log ORDER BY seq DESC LIMIT 1").fetchone()

    def log_rows(self, after: int = 0) -> Iterator[tuple]:
        cur = self._q("SELECT * FROM log WHERE seq > ? ORDER BY seq", (after,))
        with translate_errors():
            yield from cur

    def log_rows_of(self, action: str) -> list[tuple]:
        return self._all("SELECT * FROM log WHERE action = ? ORDER BY seq", (action,))

    def log_rows_of_via(self, via: str) -> list[tuple]:
        return self._all("SELECT * FROM log WHERE via = ? ORDER BY seq", (via,))

    def unsigned_log_rows(self) -> list[tuple]:
        return self._all("SELECT * FROM log WHERE signature IS NULL ORDER BY seq")

    def sign_log(self, seq: int, signature: bytes) -> None:
        self._q("UPDATE log SET signature = ? WHERE seq = ?", (signature, seq))

    def signed_after(self, seq: int) -> bool:
        return self._q("SELECT 1 FROM log WHERE seq > ? AND signature IS NOT NULL LIMIT 1",
                       (seq,)).fetchone() is not None

    def log_row(self, seq: int) -> tuple | None:
        return self._q("SELECT * FROM log WHERE seq = ?", (seq,)).fetchone()
