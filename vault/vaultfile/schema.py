"""The tables of a vault file: SCHEMA as written by this version, UPGRADES
from older versions, and the exact-schema check made on every open.

SQL only: knows no cryptography (docs/format.md section 2 quotes SCHEMA).
"""

from __future__ import annotations

import sqlite3

from ..errors import IntegrityError

# 2 added the inbox, 3 the records, 4 the state scheme 2 head (no table
# changes: older programs then say "upgrade"); older files are upgraded on open.
SCHEMA_VERSION = 4

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
-- Each client's sealed record. Since version 3 clients.meta holds only its
-- first 24 bytes (the nonce): the rows read at every unlock stay narrow.
CREATE TABLE records (
    id     INTEGER PRIMARY KEY REFERENCES clients(id),
    sealed BLOB NOT NULL
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
# What each version adds to the one before, statement by statement.
UPGRADES = {
    1: ("CREATE TABLE inbox (\n    id     INTEGER PRIMARY KEY,\n"
        "    sealed BLOB NOT NULL\n)",),
    2: ("CREATE TABLE records (\n    id     INTEGER PRIMARY KEY REFERENCES clients(id),\n"
        "    sealed BLOB NOT NULL\n)",
        "INSERT INTO records SELECT id, meta FROM clients",
        # The client rows written anew, not shrunk in place: shrunk rows
        # would stay two to a page, and the narrow read would still read
        # every page of the wide table.
        "CREATE TABLE upgrade_clients AS SELECT id, uid, blind, wrapped_key, "
        "substr(meta, 1, 24) AS meta FROM clients",
        "PRAGMA defer_foreign_keys = ON",   # notes and records name clients meanwhile
        "DELETE FROM clients",
        "INSERT INTO clients SELECT * FROM upgrade_clients ORDER BY id",
        "DROP TABLE upgrade_clients"),
    # Nothing in the tables: the version marks files whose head may hold a
    # state of scheme 2 (docs/format.md section 14), which programs before
    # it read as a malformed head (tampering) instead of a newer format.
    3: (),
}
# The tables each older version lacks (for the exact-schema check).
_ADDED = {1: {"inbox", "records"}, 2: {"records"}}


_EXPECTED: set[tuple] | None = None


def create_tables(db: sqlite3.Connection) -> None:
    """SCHEMA, statement by statement, and its version. Call inside a write
    transaction."""
    for stmt in SCHEMA.split(";"):
        if stmt.strip():
            db.execute(stmt)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def upgrade(db: sqlite3.Connection) -> int | None:
    """An older file to this version, one step after another; returns the
    version it upgraded from. Call inside a write transaction; a file
    another process upgraded meanwhile is left alone (None)."""
    found = version = db.execute("PRAGMA user_version").fetchone()[0]
    while version in UPGRADES:
        for stmt in UPGRADES[version]:
            db.execute(stmt)
        version += 1
    db.execute(f"PRAGMA user_version={version}")
    return None if found == version else found


def expected_schema(version: int = SCHEMA_VERSION) -> set[tuple]:
    """sqlite_master as SCHEMA creates it, for comparison on every open; for
    an older version, without what later versions added."""
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
    if version in _ADDED:
        return {row for row in _EXPECTED if row[1] not in _ADDED[version]}
    return _EXPECTED


def check_schema(db: sqlite3.Connection, version: int = SCHEMA_VERSION) -> None:
    """Refuse any table, index, view or trigger this program did not create.
    A trigger planted by someone with write access could silently drop
    log entries while notes are shown, so the schema must be exactly ours."""
    found = set(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    if found != expected_schema(version):
        raise IntegrityError("the file is not a vault, or holds tables or triggers "
                             "this program did not create (tampering)")
