"""`vault check`, `vault passwd` and `vault keyfile new`: keeping a vault
sound for years. Backups and restores are in backup.py and restore.py. Never imports typer
or rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from .. import crypto
from ..errors import IntegrityError, VaultError
from ..models import KdfParams
from ..vaultfile import aside, audit, verified
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from .inbox import check_problems
from .log import behind_witness
from .transaction import command, now_utc

Progress = Callable[[int, int], None]


# -- passwd ------------------------------------------------------------------

def passwd(session: UnlockedVault, passphrase: bytes, keyfile: bytes | None,
           kdf: KdfParams | None = None, now: datetime | None = None) -> KdfParams:
    """Re-wrap the master key under a new passphrase (and key file, and KDF).
    Nothing else in the vault changes. The old wrapped key is then erased
    from the file and its WAL."""
    kdf = kdf or session.header.kdf
    with command(session):
        session.change_unlock(passphrase, kdf, keyfile)
        session.log("passwd", now=now_utc(now), detail={
            "kdf_memory_kib": kdf.memory_kib, "kdf_iterations": kdf.iterations,
            "keyfile": keyfile is not None})
    session.store.erase_freed()
    return kdf


# -- check -------------------------------------------------------------------

@dataclass
class CheckReport:
    clients: int = 0
    notes: int = 0
    log_entries: int = 0
    tombstones: int = 0
    problems: list[str] = field(default_factory=list)
    # Ed25519 signatures of the log verified by this check, and those taken
    # as verified from this machine's verified-through record (format.md §16).
    signatures_verified: int = 0
    signatures_known: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _NoteScan:
    """Each client's note rows from one scan of the notes, asked for in
    ascending client id; None (the caller reads them itself, and reports
    what is wrong there) once the scan meets a damaged row. Notes of no
    client are skipped here: the state check reports them."""

    def __init__(self, store: Store) -> None:
        self._groups: Iterator[tuple[int, list[tuple[int, bytes]]]] | None = \
            store.notes_by_client()
        self._group: tuple[int, list[tuple[int, bytes]]] | None = None
        self._advance()

    def _advance(self) -> None:
        try:
            self._group = None if self._groups is None else next(self._groups, None)
        except IntegrityError:
            self._groups = self._group = None

    def of(self, client_id: int) -> list[tuple[int, bytes]] | None:
        while self._group is not None and self._group[0] < client_id:
            self._advance()
        if self._groups is None:
            return None
        return self._group[1] if self._group is not None and self._group[0] == client_id \
            else []


def check(session: UnlockedVault, progress: Progress | None = None) -> CheckReport:
    """Decrypt and authenticate every row, verify the log against its sealed
    head, and run SQLite's own integrity check. Read-only on the vault (a
    clean check then moves this machine's verified-through record, outside
    it); collects every problem instead of stopping at the first."""
    store, report = session.store, CheckReport()
    integrity = store.integrity_problems_meanwhile()   # on the other core, meanwhile
    with store.read():
        counts = store.counts()
        total, done = counts["notes"], 0
        tombstoned = {uid for uid, _ in store.tombstones()}
        report.tombstones = len(tombstoned)
        try:
            head, head_problem = session.head(), None
        except IntegrityError as e:
            head, head_problem = None, e.message
        anchors = () if head is None else (audit.Anchor(head[0], head[1],
                                                        "the vault's sealed head"),)
        record = verified.Record(store, session.keyring)
        known = _known(record, report)
        # The log is walked meanwhile too, by a child process (aside.py).
        walk = aside.Walk(store, session.vault_id, session.header.sign_public, anchors, known)
        try:
            scan = _NoteScan(store)   # every note in one scan, in the clients' order
            for row in store.clients(report.problems):
                rows = scan.of(row.id)
                try:
                    client = session.open_client(row)
                    notes = session.notes(client, row=row, rows=rows)
                    report.notes += len(notes)
                    done += len(notes)
                except IntegrityError as e:
                    report.problems.append(e.message)
                if row.uid in tombstoned:
                    report.problems.append(f"client {row.id} was shredded but is back")
                if progress:
                    progress(done, total)
            report.clients = counts["clients"]   # a row whose record fails is still a client
            orphans = store.records_without_client()
            if orphans:
                report.problems.append(f"{orphans} client record(s) belong to no client")
            if head_problem is not None:
                report.problems.append(head_problem)
            if head is None and not report.problems:
                report.problems.append("the vault's record of its log head is missing")
            try:
                session.verify_state()
            except IntegrityError as e:
                report.problems.append(e.message)
            walked = walk.result() or audit.verify_known(
                store.log_rows, session.vault_id, session.header.sign_public, anchors, known)
        finally:
            walk.cancel()
        report.signatures_verified, report.signatures_known = walked.verified, walked.known
        log = walked.report
        report.problems += log.problems
        report.log_entries = log.entries
        # The details this program sealed itself are covered by the chain and
        # the signature; those sealed while locked were signed unopened, so
        # they are opened here.
        for row in store.log_rows_of_via("none"):
            try:
                session.open_detail(audit.from_row(row))
            except (IntegrityError, VaultError) as e:
                report.problems.append(e.message)
        report.problems += check_problems(session)
        orphans = store.notes_without_client()
        if orphans:
            report.problems.append(f"{orphans} note(s) belong to no client")
    # After the snapshot: a command that committed while check read has moved
    # this machine's witness past it, which is no rollback of the file.
    rolled_back = behind_witness(store, session.vault_id)
    if rolled_back is not None:
        report.problems.append(rolled_back)
    report.problems[:0] = integrity()   # first, as they always came
    if progress:
        progress(total, total)
    if report.ok and walked.reached is not None:
        record.write(walked.reached)
    return report


def _known(record: verified.Record, report: CheckReport) -> audit.Verified | None:
    """This machine's record of how far the log was verified, to skip the
    signatures it covers if it still describes the log. One that does not
    authenticate is ignored with a warning: it saves time only, and the
    vault itself is judged on its own."""
    try:
        return record.read()
    except verified.Unusable as e:
        report.warnings.append(f"this machine's record of how far the log was verified {e}; "
                               f"it was ignored and every signature verified ({record.file})")
        return None


# -- keyfile new -----------------------------------------------------------------

def new_keyfile() -> bytes:
    """Contents for `vault keyfile new`: 256 bits from the OS random source,
    as hex text, so the file survives being printed or copied by hand."""
    return crypto.random_bytes(32).hex().encode("ascii") + b"\n"
