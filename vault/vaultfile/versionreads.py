"""The reads the state commitment makes of every client row (docs/format.md
section 14), kept apart from the rest of the store's SQL: they run at every
command made without the agent, so each is the cheapest read SQLite allows.
client_versions() hands back values unchecked (the caller's hashing refuses
one of another type or size); the joins mark a malformed row as "?"."""

from __future__ import annotations

from ..models import STATE_BUCKET_BITS as BUCKET_BITS
from .sqlfile import SqlFile, _text

# (id, uid, blind, clients.meta): one client row as the commitment sees it.
Row = tuple[int, bytes, bytes, bytes]

# Each bucket of client rows as SQLite joins it (docs/format.md section 14):
# a row whose fields are not blobs of 16, 32 and 24 bytes joins as "?", so
# no other rows can join to the same bytes (a field's bytes moved into its
# neighbour, a blob turned to text) and the count row by row refuses it.
# `x >= x''` holds for a blob only (SQLite orders NULL, numbers and text
# before every blob): cheaper than typeof(), a function call per field.
_WELL_FORMED = ("uid >= x'' AND blind >= x'' AND meta >= x'' AND length(uid) = 16 AND "
                "length(blind) = 32 AND length(meta) = 24")
BUCKETS_SQL = (f"SELECT id >> {BUCKET_BITS}, group_concat(id), group_concat(CASE WHEN "
               f"{_WELL_FORMED} THEN uid || blind || meta ELSE '?' END, '') FROM clients "
               f"GROUP BY id >> {BUCKET_BITS}")


class VersionReads(SqlFile):

    def client_versions(self) -> list[Row]:
        """(id, uid, blind, clients.meta) of every client: since version 3
        `meta` is the 24-byte nonce of the sealed record (before, the record,
        of which only its first 24 bytes are read). All rows at once: no
        cursor is left open when the hashing fails."""
        meta = "meta" if self.version >= 3 else "substr(meta, 1, 24)"
        return self._all(f"SELECT id, uid, blind, {meta} FROM clients")

    def client_buckets(self) -> list[tuple[int, bytes, bytes]]:
        """Every bucket of client rows as SQLite joins it: (k, the ids joined
        by ",", the rows' uid ‖ blind ‖ meta joined), raw bytes. In id order
        within a bucket in practice, though SQL does not promise it: the
        caller checks the sum, and counts row by row if it does not match."""
        return self._raw_rows(BUCKETS_SQL)

    def _raw_rows(self, sql: str) -> list[tuple]:
        """_all(), with text as the bytes SQLite holds (a joined blob is text)."""
        self._db.text_factory = bytes
        try:
            return self._all(sql)
        finally:
            self._db.text_factory = _text

    def bucket_rows(self, k: int) -> list[Row]:
        """The rows of bucket `k`, by id: what one write re-hashes."""
        return self._all("SELECT id, uid, blind, meta FROM clients WHERE id >= ? AND id < ? "
                         "ORDER BY id", (k << BUCKET_BITS, (k + 1) << BUCKET_BITS))

    def client_rows_blob(self) -> bytes:
        """client_versions() as one value SQLite concatenates: each row's 72
        bytes (`?` if not blobs of those sizes), then `;` and the ids joined
        by commas, in the same order. Only compared with the same read made
        earlier (`list` through the agent), which held only well-formed rows:
        the same ids (after the last `;`) and the same length then mean every
        row is again 72 bytes, at the same place. Ids apart: each converted
        to text once, not with every row's bytes (a third less time)."""
        row = self._raw_rows(   # an aggregate without GROUP BY: one row, always
            f"SELECT group_concat(CASE WHEN {_WELL_FORMED} THEN uid || blind || meta "
            "ELSE '?' END, ''), group_concat(id) FROM clients")[0]
        # SQLite joining the two columns copies the first as text: 2 ms more.
        return b";".join(row) if all(isinstance(v, bytes) for v in row) else b""
