"""`vault check`, `vault passwd` and `vault keyfile new`: keeping a vault
sound for years. Backups and restores are in backup.py and restore.py. Never imports typer
or rich.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .. import crypto
from ..errors import IntegrityError, VaultError
from ..models import KdfParams
from ..vaultfile import audit
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

    @property
    def ok(self) -> bool:
        return not self.problems


def check(session: UnlockedVault, progress: Progress | None = None) -> CheckReport:
    """Decrypt and authenticate every row, verify the log against its sealed
    head, and run SQLite's own integrity check. Read-only; collects every
    problem instead of stopping at the first."""
    store, report = session.store, CheckReport()
    with store.read():
        report.problems += store.integrity_problems()
        counts = store.counts()
        total, done = counts["notes"], 0
        tombstoned = {uid for uid, _ in store.tombstones()}
        report.tombstones = len(tombstoned)
        for row in store.clients():
            try:
                client = session.open_client(row)
                notes = session.notes(client)
                report.notes += len(notes)
                done += len(notes)
            except IntegrityError as e:
                report.problems.append(e.message)
            report.clients += 1
            if row.uid in tombstoned:
                report.problems.append(f"client {row.id} was shredded but is back")
            if progress:
                progress(done, total)
        try:
            head = session.head()
        except IntegrityError as e:
            report.problems.append(e.message)
            head = None
        anchors = () if head is None else (audit.Anchor(head[0], head[1],
                                                        "the vault's sealed head"),)
        if head is None and not report.problems:
            report.problems.append("the vault's record of its log head is missing")
        try:
            session.verify_state()
        except IntegrityError as e:
            report.problems.append(e.message)
        log = audit.verify(store.log_rows(), session.vault_id, session.header.sign_public,
                           anchors)
        report.problems += log.problems
        rolled_back = behind_witness(store, session.vault_id)
        if rolled_back is not None:
            report.problems.append(rolled_back)
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
        if report.notes != counts["notes"]:
            report.problems.append(f"{counts['notes'] - report.notes} note(s) belong to "
                                   "no client")
    if progress:
        progress(total, total)
    return report


# -- keyfile new -----------------------------------------------------------------

def new_keyfile() -> bytes:
    """Contents for `vault keyfile new`: 256 bits from the OS random source,
    as hex text, so the file survives being printed or copied by hand."""
    return crypto.random_bytes(32).hex().encode("ascii") + b"\n"
