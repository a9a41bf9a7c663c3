"""`vault restore`: the most safety-critical sequence in the program.

It checks every byte of the backup (its container, every ciphertext, the
whole log) in a scratch file before replacing anything, keeps what the
replaced vault knew that the backup cannot (its tombstones and its records
of the backups made), and swaps the vault in atomically. Restoring needs the
backup's passphrase. Never imports typer or rich: the CLI passes in how to
unlock, confirm and show progress.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import crypto, paths
from ..codec import parse_iso
from ..errors import CryptoError, IntegrityError, Refused, VaultError
from ..models import iso
from ..vaultfile import audit, witness
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from .backup import Unpacked, scratch, unpack_backup
from .maintenance import check
from .transaction import command, now_utc, rolling_back_accepted

Progress = Callable[[int, int], None]


# -- restore -----------------------------------------------------------------

@dataclass(frozen=True)
class Restored:
    clients: int
    notes: int
    dropped: int        # clients shredded after the backup was made
    replaced: bool      # whether a vault was there before
    backups_carried: int = 0     # backup records added to the restored log
    backups_unreadable: int = 0  # records of the replaced vault that did not open
    # Tombstones of the replaced vault that no signed entry backs: ignored.
    tombstones_ignored: int = 0
    # Client records in the backup that no client row names (planted; never
    # read): left out of the restored vault.
    records_dropped: int = 0


@dataclass(frozen=True)
class Replaced:
    """What a restore must keep of the vault it replaces, read without a
    passphrase: its tombstones, and its `backup` log entries with their
    details still sealed (the restored vault's keys open them when it is the
    same vault)."""
    exists: bool
    vault_id: bytes | None = None
    tombstones: tuple[tuple[bytes, str], ...] = ()
    backup_rows: tuple[tuple, ...] = ()
    # The replaced log's last entry (seq, entry hash): its entries since the
    # backup are lost with it, so the `restore` entry names what it replaced.
    log_head: tuple[int, bytes] | None = None
    # Its `shred` and `restore` entries: the only authority on what it
    # shredded (checked against the backup's key; the tombstones table is
    # plaintext that anyone who can write the file can edit).
    shred_rows: tuple[tuple, ...] = ()
    last_note_id: int = 0   # ids go on after it, never reused


def read_replaced(path: Path) -> Replaced:
    """Fails closed: a vault that cannot be read cannot say whom it shredded."""
    if not path.exists():
        return Replaced(False)
    try:
        store = Store.open(path)
        try:
            with store.read():
                vault_id = store.header().vault_id
                last = store.last_log_row()
                head = None if last is None else (
                    last[0], audit.entry_hash(audit.from_row(last), vault_id))
                rolled_back = _rolled_back(store, vault_id)
                found = Replaced(True, vault_id, tuple(store.tombstones()),
                                tuple(store.log_rows_of("backup")), head,
                                tuple(store.log_rows_of("shred"))
                                + tuple(store.log_rows_of("restore")),
                                store.last_id("notes"))
        finally:
            store.close()
    except IntegrityError:
        raise IntegrityError(
            "the vault to be replaced is damaged, so the clients shredded in it cannot "
            "be kept out of the restore; nothing was restored",
            hint="to restore anyway, move the damaged vault and its -wal file aside "
                 "first: clients shredded since the backup was made then come back") from None
    if rolled_back is not None and not rolling_back_accepted():
        raise IntegrityError(
            "the vault to be replaced is older than this machine last saw it (log entry "
            f"{rolled_back.seq} is missing or different), so the clients shredded in it "
            "cannot be known; nothing was restored",
            hint="if you put that older copy back on purpose, add --accept-rollback")
    return found


def _rolled_back(store: Store, vault_id: bytes) -> witness.Mark | None:
    """The witnessed entry a replaced vault no longer holds, if any: it may
    have lost the `shred` entries that keep shredded clients out."""
    try:
        marks = witness.read(witness.location(store, vault_id), vault_id)
    except IntegrityError:
        return None   # a damaged witness: the restore re-writes it
    return witness.behind(store, vault_id, marks)


def current_counts(path: Path) -> int:
    """How many notes the vault about to be replaced holds (a count anyone
    holding the file can see)."""
    store = Store.open(path)
    try:
        with store.read():
            return store.counts()["notes"]
    finally:
        store.close()


def prepare_restore(session: UnlockedVault, tombstones: list[tuple[bytes, str]],
                    replaced: bool, now: datetime | None = None,
                    progress: Progress | None = None, *,
                    previous: Replaced | None = None,
                    source: Unpacked | None = None) -> Restored:
    """On the unpacked copy: check every row and the log, then drop clients
    shredded since the backup, carry every tombstone and every backup record
    over, in one transaction with its log entries. Client records that no
    client row names go first: never read, and left out (`vault check`
    reports them in the vault they were planted in; this is the way out)."""
    with session.store.write():
        records_dropped = session.store.drop_records_without_client()
    report = check(session, progress)
    if not report.ok:
        raise IntegrityError("the backup failed its check; the vault was left as it was:\n  "
                             + "\n  ".join(report.problems[:20]))
    now = now_utc(now)
    session.store.use_wal()
    shredded = shredded_in(session, previous) if previous is not None else {}
    kept = [(uid, day) for uid, day in tombstones if uid in shredded]
    kept += [(uid, day) for uid, day in shredded.items() if uid not in {u for u, _ in kept}]
    with command(session):
        if previous is not None:
            session.store.keep_ids_above("notes", previous.last_note_id)
        dropped = [c for c in session.clients() if c.uid in shredded]
        notes = 0
        for c in dropped:
            notes += session.destroy_client(c, now.date().isoformat())
        session.add_tombstones(kept)
        detail: dict[str, Any] = {
            "clients": report.clients - len(dropped), "notes": report.notes - notes,
            "dropped": len(dropped), "replaced": replaced,
            # Signed: what a later restore may trust as shredded.
            "tombstones": [uid.hex() for uid, _ in session.store.tombstones()],
            "tombstones_ignored": len(tombstones) - len([t for t in tombstones
                                                         if t[0] in shredded])}
        if records_dropped:
            detail["records_dropped"] = records_dropped
        if previous is not None and previous.log_head is not None:
            # The replaced log's entries after the backup (views, exports:
            # the accounting of disclosures) go with it; say which head was
            # replaced and, for the same vault, how many entries that was.
            seq, entry_hash = previous.log_head
            last = session.store.last_log_row()
            same = previous.vault_id == session.vault_id and last is not None
            detail["replaced_log"] = {
                "seq": seq, "hash": entry_hash.hex(),
                "entries_lost": max(0, seq - last[0]) if same else None}
        session.log("restore", now=now, detail=detail)
        carried, unreadable = _carry_backups(session, previous, source, now)
        if dropped:
            session.rotate_master()
    session.store.erase_freed()
    return Restored(report.clients - len(dropped), report.notes - notes, len(dropped),
                    replaced, carried, unreadable, detail["tombstones_ignored"],
                    records_dropped)


def shredded_in(session: UnlockedVault, previous: Replaced) -> dict[bytes, str]:
    """The clients the replaced vault shredded, by opaque id, with the day:
    only from its `shred` entries (detail `client`) and `restore` entries
    (detail `tombstones`) whose signatures verify under the key of the
    backup being restored, which is the same vault's key. Nothing read from
    a table anyone can write, and nothing from another vault, removes a
    client."""
    if previous.vault_id != session.vault_id:
        return {}
    try:
        verifier = crypto.Verifier(session.header.sign_public)
    except CryptoError:
        return {}
    found: dict[bytes, str] = {}
    for row in previous.shred_rows:
        try:
            entry = audit.from_row(row)
            if entry.signature is None:
                continue
            verifier.verify(audit.entry_hash(entry, session.vault_id), entry.signature)
            detail = session.open_detail(entry) or {}
        except (CryptoError, VaultError):
            continue
        uids = [detail.get("client")] if entry.action == "shred" else detail.get("tombstones")
        for uid in uids if isinstance(uids, list) else ():
            if isinstance(uid, str) and len(uid) == 32 and all(c in "0123456789abcdef"
                                                               for c in uid):
                found.setdefault(bytes.fromhex(uid), entry.time[:10])
    return found


def _carry_backups(session: UnlockedVault, previous: Replaced | None, source: Unpacked | None,
                   now: datetime) -> tuple[int, int]:
    """The backup's log knows only the backups made before it. Record again,
    as new signed `backup` entries at the end of the restored log, every
    backup the replaced vault knew (if it is the same vault) and the file
    restored from: they may hold clients of the restored vault, and `vault
    shred` must still name them. The chain is extended, never edited.
    Returns (records added, records of the replaced vault that did not open)."""
    seen = {_record_key(r) for r in _backup_records(session,
                                                    session.store.log_rows_of("backup"))[0]}
    found, unreadable = [], 0
    if previous is not None and previous.vault_id == session.vault_id:
        found, unreadable = _backup_records(session, previous.backup_rows)
    if source is not None:
        # Every client of the restored vault was created before the restore,
        # and none created after it is in that file: the restore's time is
        # exact for `shred`'s "made after the client was created".
        found.append({"path": str(source.path), "time": iso(now), "bytes": source.size,
                      "digest": source.digest})
    carried = 0
    for record in found:
        if _record_key(record) in seen:
            continue
        seen.add(_record_key(record))
        session.log("backup", now=now, detail={**record, "carried_over": True})
        carried += 1
    return carried, unreadable


def _backup_records(session: UnlockedVault, rows: Iterable[tuple]) -> tuple[list[dict[str, Any]], int]:
    """(path, time, bytes, digest) of each `backup` entry, and how many did
    not open. An entry from before the vault had a box key has no detail."""
    records, unreadable = [], 0
    for row in rows:
        try:
            detail = session.open_detail(audit.from_row(row))
            if detail is None:
                continue
            path, when = detail.get("path"), detail.get("time")
            parse_iso(when)
            if not isinstance(path, str):
                raise IntegrityError("malformed record")
        except VaultError:
            unreadable += 1
            continue
        record: dict[str, Any] = {"path": path, "time": when}
        for key, kind in (("bytes", int), ("digest", str)):
            if isinstance(detail.get(key), kind):
                record[key] = detail[key]
        records.append(record)
    return records, unreadable


def _record_key(record: dict[str, Any]) -> tuple[str, str]:
    return record["path"], record.get("digest") or record["time"]


def swap_in(restored: Path, path: Path, expected: Replaced | None = None) -> None:
    """Replace the vault at `path` with the finished file `restored` in one
    rename. With `expected` (what read_replaced found at the start), refuses
    if a shred or backup was recorded meanwhile: the restored copy would lose
    it. The current vault's WAL is emptied first and must stay empty: a stale
    WAL beside the new file would be replayed into it."""
    if expected is not None and read_replaced(path) != expected:
        raise Refused("the vault changed while the restore ran (a vault was created, or a "
                      "shred or backup was recorded); nothing was restored",
                      hint="run the restore again")
    if path.exists():
        store = Store.open(path)
        try:
            if not store.erase_freed(attempts=10):
                raise Refused("another program has the vault open; nothing was restored",
                              hint="close it (another vault command, a database browser) "
                                   "and try again")
        finally:
            store.close()
        for companion in paths.companions(path)[1:]:
            if companion.exists() and companion.stat().st_size:
                raise Refused("another program opened the vault meanwhile; nothing was "
                              "restored", hint="close it and try again")
            companion.unlink(missing_ok=True)
    paths.make_private_dir(path.parent)
    os.replace(restored, path)
    paths.sync_dir(path.parent)


# -- the whole sequence ----------------------------------------------------------

@dataclass(frozen=True)
class RestorePrompts:
    """What a restore needs from the person running it."""
    unlock: Callable[[Store], UnlockedVault]           # the backup's passphrase
    confirm: Callable[[int, int], bool] | None   # (notes now, notes in the backup); None: no terminal
    progress: Callable[[], contextlib.AbstractContextManager[Progress]]


def restore(path: Path, src: Path, prompts: RestorePrompts, yes: bool = False) -> Restored:
    """Replace the vault at `path` with the backup `src`, in this order:
    1. read what the current vault must keep (fails closed if it is damaged);
    2. refuse at once if a vault would be replaced without a confirmation;
    3. check the container and copy its image to a scratch file beside the vault;
    4. unlock the copy with the backup's passphrase, check every row and the
       log, drop clients shredded since, carry over the backup records;
    5. ask (on a terminal) before notes added since the backup are lost;
    6. swap the copy in atomically, unless the vault changed meanwhile.
    Until step 6 the vault is untouched; the scratch file never outlives us."""
    previous = read_replaced(path)
    replacing = previous.exists
    if replacing and not yes and prompts.confirm is None:
        raise Refused("restore replaces the vault and there is no terminal to confirm on",
                      hint="add --yes to confirm")
    with scratch(path, "restore") as temp:
        paths.make_private_dir(path.parent)
        source = unpack_backup(src, temp)
        store = Store.open(temp)
        store.witnessed = False   # a scratch copy: its witness is the vault's, below
        try:
            session = prompts.unlock(store)
            with prompts.progress() as progress:
                result = prepare_restore(session, list(previous.tombstones), replacing,
                                         progress=progress, previous=previous, source=source)
            with store.read():
                vault_id, mark = session.vault_id, witness.head(store, session.vault_id)
        finally:
            store.close()
        if replacing and not yes:
            assert prompts.confirm is not None
            if not prompts.confirm(current_counts(path), result.notes):
                raise Refused("nothing was restored")
        # The witness moves to the restored head; until the swap it also names
        # what it named before (else the current head), so a crash on either
        # side of the swap is no rollback.
        # "Before" is the replaced vault's own newest entry, which it holds
        # (the witness may name an older one, or one it no longer holds when
        # --accept-rollback let the restore go on).
        file = paths.witness_file(vault_id, path)
        before = ((witness.Mark(*previous.log_head),)
                  if previous.vault_id == vault_id and previous.log_head is not None else ())
        if mark is not None:
            witness.write(file, vault_id, *before, mark, durable=True)
        swap_in(temp, path, previous)
        if mark is not None:
            witness.write(file, vault_id, mark, durable=True)
    return result
