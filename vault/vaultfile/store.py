"""The SQLite file: schema, pragmas, transactions. Stores opaque bytes.

Knows no cryptography: every value it hands back is ciphertext, a hash or a
count. Every sqlite3 failure leaves this module as a VaultError with a plain
message, never as a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import IntegrityError, NotInitialized, VaultError
from ..models import FORMAT_VERSION, ClientRow, Header, KdfParams

MAGIC = "client-vault"
KDF_NAMES = {"argon2id": False, "argon2id+keyfile": True}  # name -> needs a key file
SCHEMA_VERSION = 2   # 2 added the inbox; version 1 files are upgraded on open
BUSY_TIMEOUT_S = 30.0
BUSY_WAIT_S = 0.2

SCHEMA = """
CREATE TABLE header (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    magic           TEXT    NOT NULL,
    format_version  INTEGER NOT NULL,
    vault_id        BLOB    NOT NULL,
    kdf             TEXT    NOT NULL,
    kdf_memory_kib  INTEGER NOT NULL,
    kdf_iterations  INTEGER NOT NULL,
    kdf_parallelism INTEGER NOT NULL,
    salt            BLOB    NOT NULL,
    wrapped_master  BLOB    NOT NULL,
    sign_public     BLOB    NOT NULL
);
CREATE TABLE keys (
    name    TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL
);
CREATE TABLE clients (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uid         BLOB NOT NULL UNIQUE,
    blind       BLOB NOT NULL UNIQUE,
    wrapped_key BLOB NOT NULL,
    meta        BLOB NOT NULL
);
CREATE TABLE notes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    body      BLOB    NOT NULL
);
CREATE INDEX notes_by_client ON notes(client_id, id);
CREATE TABLE log (
    seq       INTEGER PRIMARY KEY,
    time      TEXT NOT NULL,
    action    TEXT NOT NULL,
    via       TEXT NOT NULL,
    refs      BLOB NOT NULL,
    detail    BLOB NOT NULL,
    prev_hash BLOB NOT NULL,
    signature BLOB
);
-- Unsigned entries are looked up at every unlock. Without this index that
-- would be a scan of the whole log.
CREATE INDEX log_unsigned ON log(seq) WHERE signature IS NULL;
CREATE TABLE head (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB NOT NULL
);
CREATE TABLE tombstones (
    uid      BLOB PRIMARY KEY,
    shredded TEXT NOT NULL
);
CREATE TABLE inbox (
    id     INTEGER PRIMARY KEY,
    sealed BLOB NOT NULL
);
"""
# What version 2 added to version 1.
UPGRADES = {1: "CREATE TABLE inbox (\n    id     INTEGER PRIMARY KEY,\n"
               "    sealed BLOB NOT NULL\n)"}


_EXPECTED: set[tuple] | None = None


def expected_schema(version: int = SCHEMA_VERSION) -> set[tuple]:
    """sqlite_master as SCHEMA creates it, for comparison on every open; for
    version 1, without what later versions added."""
    global _EXPECTED
    if _EXPECTED is None:
        db = sqlite3.connect(":memory:")
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                db.execute(stmt)
        # sqlite_sequence appears with the first AUTOINCREMENT row.
        db.execute("INSERT INTO clients VALUES (NULL, x'', x'', x'', x'')")
        _EXPECTED = set(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        db.close()
    if version == 1:
        return {row for row in _EXPECTED if row[1] != "inbox"}
    return _EXPECTED


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn sqlite3's exceptions into one clear VaultError each."""
    try:
        yield
    except sqlite3.OperationalError as e:
        text = str(e).lower()
        if "locked" in text or "busy" in text:
            raise VaultError("the vault is busy: another vault process kept it locked",
                             hint="try again when the other command has finished") from None
        if "full" in text:
            raise VaultError("cannot write the vault: the disk is full") from None
        if "readonly" in text or "read-only" in text:
            raise VaultError("cannot write the vault: it is read-only") from None
        if "unable to open" in text:
            raise VaultError("cannot open the vault file") from None
        if "i/o" in text:
            raise VaultError("cannot read or write the vault: input/output error") from None
        raise IntegrityError("the vault file is damaged or not a vault") from None
    except sqlite3.DatabaseError:
        raise IntegrityError("the vault file is damaged or not a vault") from None
    except UnicodeDecodeError:
        # SQLite quotes a damaged schema in its error message, which sqlite3
        # then cannot decode.
        raise IntegrityError("the vault file is damaged or not a vault") from None


def _text(value: bytes) -> str:
    """How TEXT values are read: a value that is not UTF-8 is damage to the
    file, wherever the row is fetched, not an internal error."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise IntegrityError("the vault file is damaged: a text field is not UTF-8") from None


def _writable(path: Path) -> bool:
    """Whether this process may write the file (False for a write-protected
    file or a read-only mount)."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as e:
        return e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ETXTBSY)
    return True


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at path, None if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _kdf_name(h: Header) -> str:
    return "argon2id+keyfile" if h.keyfile else "argon2id"


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


class Store:
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._db = conn
        self._depth = 0
        self.version = SCHEMA_VERSION
        self._identity = _identity(path)

    # -- opening -------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> Store:
        paths.make_private_dir(path.parent)
        paths.create_private_file(path)
        with translate_errors():
            store = cls(path, cls._connect(path))
            store._db.execute("PRAGMA journal_mode=WAL")
            with store.write():
                for stmt in SCHEMA.split(";"):
                    if stmt.strip():
                        store._db.execute(stmt)
                store._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return store

    @classmethod
    def open(cls, path: Path, read_only: bool = False) -> Store:
        """read_only: for verification, which must work on a read-only mount."""
        if not path.is_file():
            raise NotInitialized("no vault here", hint="create one with `vault init`, "
                                 "or point --vault or VAULT_PATH at an existing one")
        writable = _writable(path)
        if not writable and not read_only:
            raise VaultError("cannot write the vault: it is read-only",
                             hint="check the permissions of the vault file and its folder")
        store = None
        try:
            with translate_errors():
                try:
                    if not writable:
                        # SQLite would open it read-only without a word, and leave
                        # -wal and -shm files as write-protected as the vault
                        # beside it, which break the vault once its mode is fixed.
                        raise sqlite3.OperationalError("read-only")
                    store = cls(path, cls._connect(path, "rw"))
                    store._db.execute("PRAGMA user_version").fetchone()
                except sqlite3.OperationalError:
                    if not read_only:
                        raise
                    if store is not None:
                        with contextlib.suppress(sqlite3.Error):
                            store.close()
                        store = None
                    # A read-only mount or file (an auditor's copy) cannot take
                    # the -shm file: read the file as it is on disk, without locking.
                    store = cls(path, cls._connect(path, "ro&immutable=1"))
                version = store._db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise VaultError(f"this vault has format version {version}; this vault "
                                     f"program reads up to version {SCHEMA_VERSION}",
                                     hint="upgrade client-vault")
                if version not in (1, SCHEMA_VERSION):
                    raise IntegrityError("the file is not a vault (or is damaged)")
                if version == 1 and not read_only:
                    store._check_schema(1)
                    store._upgrade()
                    version = SCHEMA_VERSION
                store._check_schema(version)
                store.version = version
        except BaseException:
            # Closed now, not when the exception is freed: the last connection
            # to close removes the -wal and -shm files it made beside the file.
            if store is not None:
                with contextlib.suppress(sqlite3.Error):
                    store.close()
            raise
        return store

    def _upgrade(self) -> None:
        """Version 1 to 2, in one transaction: the same file plus the inbox."""
        with self.write():
            if self._db.execute("PRAGMA user_version").fetchone()[0] == 1:
                self._db.execute(UPGRADES[1])
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _check_schema(self, version: int = SCHEMA_VERSION) -> None:
        """Refuse any table, index, view or trigger this program did not create.
        A trigger planted by someone with write access could silently drop
        log entries while notes are shown, so the schema must be exactly ours."""
        found = set(self._db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        if found != expected_schema(version):
            raise IntegrityError("the file is not a vault, or holds tables or triggers "
                                 "this program did not create (tampering)")

    @staticmethod
    def _connect(path: Path, mode: str = "rw") -> sqlite3.Connection:
        uri = "file:" + urllib.parse.quote(os.fsencode(path.resolve())) + "?mode=" + mode
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_WAIT_S,
                               isolation_level=None, check_same_thread=False)
        conn.text_factory = _text
        try:
            # Short waits inside SQLite, retried in Python (see _begin), so that
            # Ctrl-C is handled while another process holds the vault.
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_WAIT_S * 1000)}")
            # secure_delete: freed pages are zeroed, so deleted ciphertext and keys
            # do not linger in the file. synchronous=FULL: an acknowledged note
            # survives power loss, not only a crash.
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA trusted_schema=OFF")
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        self._db.close()

    # -- transactions --------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction; nested calls join the outer one."""
        with self._transaction("BEGIN IMMEDIATE"):
            yield

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        """A consistent snapshot for reading."""
        with self._transaction("BEGIN"):
            yield

    @contextlib.contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin(begin)
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self._check_in_place()
            with translate_errors():
                self._db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise

    def _check_in_place(self) -> None:
        """Refuse to commit into a file that is no longer the vault: one
        deleted, moved or replaced while the command ran (its folder removed
        while the editor was open, say) would take the change with it, and
        the command would report a note that exists nowhere."""
        if self._identity is not None and _identity(self.path) != self._identity:
            raise VaultError("the vault file was moved, replaced or deleted while this "
                             "command ran; nothing was changed")

    def _begin(self, begin: str) -> None:
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                with translate_errors():
                    self._db.execute(begin)
                return
            except VaultError as e:
                if "busy" not in e.message or time.monotonic() > deadline:
                    raise

    def _q(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with translate_errors():
            return self._db.execute(sql, args)

    def _all(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Every row, read inside translate_errors(): SQLite reports damage
        on whichever row it meets it, not only on the first."""
        with translate_errors():
            return self._db.execute(sql, args).fetchall()

    # -- header and keys -----------------------------------------------

    def put_header(self, h: Header) -> None:
        self._q("INSERT INTO header VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (MAGIC, h.format_version, h.vault_id, _kdf_name(h), h.kdf.memory_kib,
                 h.kdf.iterations, h.kdf.parallelism, h.salt, h.wrapped_master,
                 h.sign_public))

    def set_unlock(self, h: Header) -> None:
        """A new passphrase, key file or KDF: the salt, parameters and wrapped
        master key change together."""
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

    def set_wrapped_master(self, wrapped: bytes) -> None:
        self._q("UPDATE header SET wrapped_master = ? WHERE id = 1", (wrapped,))

    def put_key(self, name: str, wrapped: bytes) -> None:
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

    def insert_client(self, row: ClientRow) -> None:
        self._q("INSERT INTO clients VALUES (?, ?, ?, ?, ?)",
                (row.id, row.uid, row.blind, row.wrapped_key, row.meta))

    def update_client_meta(self, client_id: int, meta: bytes) -> None:
        self._q("UPDATE clients SET meta = ? WHERE id = ?", (meta, client_id))

    def update_client_key(self, client_id: int, wrapped_key: bytes) -> None:
        self._q("UPDATE clients SET wrapped_key = ? WHERE id = ?", (wrapped_key, client_id))

    def delete_client(self, client_id: int, uid: bytes, day: str) -> int:
        """Notes, key and record go; a tombstone with the opaque id stays.
        Returns the number of notes deleted."""
        notes = self._q("DELETE FROM notes WHERE client_id = ?", (client_id,)).rowcount
        self._q("DELETE FROM clients WHERE id = ?", (client_id,))
        self._q("INSERT OR REPLACE INTO tombstones VALUES (?, ?)", (uid, day))
        return notes

    def add_tombstones(self, tombstones: list[tuple[bytes, str]]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO tombstones VALUES (?, ?)", tombstones)

    def tombstones(self) -> list[tuple[bytes, str]]:
        return [(_blob(u, 16), str(d)) for u, d in
                self._all("SELECT uid, shredded FROM tombstones ORDER BY shredded, uid")]

    def client_by_blind(self, blind: bytes) -> ClientRow | None:
        row = self._q("SELECT id, uid, blind, wrapped_key, meta FROM clients "
                      "WHERE blind = ?", (blind,)).fetchone()
        return None if row is None else self._client_row(row)

    def clients(self) -> Iterator[ClientRow]:
        cur = self._q("SELECT id, uid, blind, wrapped_key, meta FROM clients ORDER BY id")
        with translate_errors():
            for row in cur:
                yield self._client_row(row)

    @staticmethod
    def _client_row(row: tuple) -> ClientRow:
        return ClientRow(id=_id(row[0]), uid=_blob(row[1], 16), blind=_blob(row[2], 32),
                         wrapped_key=_blob(row[3]), meta=_blob(row[4]))

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

    def note_counts(self) -> dict[int, int]:
        with translate_errors():
            return {_id(cid): _int(n) for cid, n in
                    self._q("SELECT client_id, count(*) FROM notes GROUP BY client_id")}

    def use_wal(self) -> None:
        """WAL mode, as every vault runs in (a restored snapshot comes without)."""
        with translate_errors():
            self._db.execute("PRAGMA journal_mode=WAL")

    def counts(self) -> dict[str, int]:
        """Row counts, which anyone holding the file can see anyway."""
        return {table: _int(self._q(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("clients", "notes", "log", "tombstones")}

    def integrity_problems(self) -> list[str]:
        """SQLite's own check of the file's structure; [] when sound."""
        try:
            rows = [str(r[0]) for r in self._all("PRAGMA integrity_check(20)")]
        except IntegrityError:
            return ["sqlite: the file is too damaged for SQLite's own check to finish"]
        if rows == ["ok"]:
            return []
        # One row may hold several findings, one per line: each becomes a
        # problem of its own, so that every line on stderr starts `vault: `.
        return [f"sqlite: {line.strip()}" for r in rows for line in r.splitlines()
                if line.strip()]

    def snapshot_to(self, dest: Path) -> None:
        """A consistent copy of the whole file, through SQLite's online backup
        API: correct while other processes write (in WAL mode they are not
        blocked; the copy is of one committed state)."""
        with translate_errors():
            target = sqlite3.connect(dest)
            try:
                self._db.backup(target)
                # The copy is a standalone file: no WAL beside it to lose.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()

    def erase_freed(self, attempts: int = 20) -> bool:
        """Copy the WAL into the main file and truncate it to zero bytes, so no
        old frame keeps destroyed ciphertext or keys (secure_delete has already
        zeroed freed pages). False if readers kept it from finishing."""
        for _ in range(attempts):
            with translate_errors():
                busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            time.sleep(0.1)
        return False

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

    def unsigned_log_rows(self) -> list[tuple]:
        return self._all("SELECT * FROM log WHERE signature IS NULL ORDER BY seq")

    def sign_log(self, seq: int, signature: bytes) -> None:
        self._q("UPDATE log SET signature = ? WHERE seq = ?", (signature, seq))

    def log_row(self, seq: int) -> tuple | None:
        return self._q("SELECT * FROM log WHERE seq = ?", (seq,)).fetchone()
