"""The SQLite connection under the store: opening the file (its version, its
exact schema, the upgrade of an older one), pragmas, transactions, what is
done to the whole file (WAL checkpoint, online copy, SQLite's own integrity
check), and sqlite3's exceptions turned into VaultErrors.

Every sqlite3 failure leaves this module as a VaultError with a plain
message, never as a traceback. SQL only: knows no cryptography.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Self

from .. import paths
from ..errors import IntegrityError, NotInitialized, VaultError
from .schema import SCHEMA_VERSION, check_schema, create_tables, upgrade

BUSY_TIMEOUT_S = 30.0
BUSY_WAIT_S = 0.2
BUSY_NOTICE_S = 1.0   # a wait this long is said (on_busy); shorter ones pass in silence


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


_TOO_DAMAGED = "sqlite: the file is too damaged for SQLite's own check to finish"


def _integrity(rows: list[str]) -> list[str]:
    if rows == ["ok"]:
        return []
    # One row may hold several findings, one per line: each becomes a
    # problem of its own, so that every line on stderr starts `vault: `.
    return [f"sqlite: {line.strip()}" for r in rows for line in r.splitlines() if line.strip()]


# In an agent's worker (agent/worker.py) connections are closed only after
# the command's exit code has gone back to the client: the last connection
# to close copies the WAL into the file and syncs it (milliseconds), which
# then is not part of the command's time. Every commit was synced already.
_deferred: list[sqlite3.Connection] | None = None


def defer_closing() -> None:
    global _deferred
    _deferred = []


def close_deferred() -> None:
    global _deferred
    waiting, _deferred = _deferred or [], None
    for conn in waiting:
        with contextlib.suppress(sqlite3.Error):
            conn.close()


class SqlFile:
    """One open vault file. Store adds the SQL of each table."""

    def __init__(self, path: Path, conn: sqlite3.Connection, mode: str = "rw") -> None:
        self.path, self._mode = path, mode   # mode: how _connect opened it
        # False for a scratch copy (a restore's, before it is swapped in): no
        # rollback witness is read or written for it (vaultfile/witness.py).
        self.witnessed = True
        # Called once when a transaction must wait for another process that
        # holds the vault (the CLI says so, instead of hanging in silence).
        self.on_busy: Callable[[], None] | None = None
        # The format version this open upgraded the file from (None: none).
        self.upgraded_from: int | None = None
        self._db = conn
        # Values read once per outermost transaction (memo()).
        self._memo: dict[str, object] = {}
        self._depth = 0
        self.version = SCHEMA_VERSION
        self._identity = _identity(path)

    # -- opening -------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> Self:
        paths.make_private_dir(path.parent)
        paths.create_private_file(path)
        with translate_errors():
            store = cls(path, cls._connect(path))
            store._db.execute("PRAGMA journal_mode=WAL")
            with store.write():
                create_tables(store._db)
        return store

    @classmethod
    def open(cls, path: Path, read_only: bool = False) -> Self:
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
                    store = cls(path, cls._connect(path, "ro&immutable=1"), "ro&immutable=1")
                version = store._db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise VaultError(f"this vault has format version {version}; this vault "
                                     f"program reads up to version {SCHEMA_VERSION}",
                                     hint="upgrade client-vault")
                if not 1 <= version <= SCHEMA_VERSION:
                    raise IntegrityError("the file is not a vault (or is damaged)")
                if version < SCHEMA_VERSION and not read_only:
                    check_schema(store._db, version)
                    with store.write():   # one transaction: all of the upgrade or none
                        store.upgraded_from = upgrade(store._db)
                    version = SCHEMA_VERSION
                check_schema(store._db, version)
                store.version = version
        except BaseException:
            # Closed now, not when the exception is freed: the last connection
            # to close removes the -wal and -shm files it made beside the file.
            if store is not None:
                with contextlib.suppress(sqlite3.Error):
                    store.close()
            raise
        return store

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
        if _deferred is not None and not self._db.in_transaction:
            _deferred.append(self._db)   # closed by close_deferred()
            return
        self._db.close()

    # -- transactions --------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """Inside write() or read(): a nested one joins it, and commits with it."""
        return self._depth > 0

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

    def memo(self, key: str, compute: Callable[[], object]) -> object:
        """`compute()` once per outermost transaction (outside one, every
        time): for values several steps of a command read, such as the state
        commitment's sum over the header and keys. Whoever writes what a value
        depends on calls forget()."""
        if not self._depth:
            return compute()
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def forget(self) -> None:
        self._memo.clear()

    def raw_value(self, sql: str) -> bytes:
        """The one value a query returns, as the bytes SQLite holds, text or
        not (b"" for none or NULL): for a value only compared, never read."""
        self._db.text_factory = bytes
        try:
            row = self._q(sql).fetchone()
        finally:
            self._db.text_factory = _text
        value = None if row is None else row[0]
        return value if isinstance(value, bytes) else b""

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
        self._memo.clear()
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
        started = time.monotonic()
        deadline = started + BUSY_TIMEOUT_S
        while True:
            try:
                with translate_errors():
                    self._db.execute(begin)
                return
            except VaultError as e:
                if "busy" not in e.message or time.monotonic() > deadline:
                    raise
                if self.on_busy is not None and time.monotonic() - started >= BUSY_NOTICE_S:
                    told, self.on_busy = self.on_busy, None
                    told()

    # -- the whole file -----------------------------------------------

    def use_wal(self) -> None:
        """WAL mode, as every vault runs in (a restored snapshot comes without)."""
        with translate_errors():
            self._db.execute("PRAGMA journal_mode=WAL")

    def integrity_problems_meanwhile(self) -> Callable[[], list[str]]:
        """SQLite's own check of the file's structure ([] when sound), on a
        connection of its own, in a thread: SQLite checks the file (C, without
        the GIL) on another core while the caller decrypts. Call the result
        for the problems; it waits for the check."""
        import threading
        found: list[str] = []

        def run() -> None:
            try:
                conn = self._connect(self.path, self._mode)
            except sqlite3.Error:
                found.append(_TOO_DAMAGED)
                return
            try:
                found.extend(_integrity([str(r[0]) for r in
                                         conn.execute("PRAGMA integrity_check(20)")]))
            except sqlite3.Error:
                found.append(_TOO_DAMAGED)
            finally:
                conn.close()
        worker = threading.Thread(target=run, name="vault-integrity-check", daemon=True)
        worker.start()

        def problems() -> list[str]:
            worker.join()
            return found
        return problems

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

    # -- queries, for Store's SQL ----------------------------------------

    def _q(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with translate_errors():
            return self._db.execute(sql, args)

    def _all(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Every row, read inside translate_errors(): SQLite reports damage
        on whichever row it meets it, not only on the first."""
        with translate_errors():
            return self._db.execute(sql, args).fetchall()
