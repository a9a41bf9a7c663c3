"""`vault log`, `log verify` and `log checkpoint`: the owner's and the
auditor's view of the signed access log. Never imports typer or rich."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import crypto
from ..errors import IntegrityError, UsageError
from ..models import LogEntry, VerifyReport
from ..vaultfile import audit, witness
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from .transaction import command, now_utc, require

# -- the access log --------------------------------------------------------

@dataclass(frozen=True)
class ShownEntry:
    entry: LogEntry
    detail: dict[str, Any] | None
    clients: int

    @property
    def recipient(self) -> str | None:
        """Whom an export went to (`--recipient`), None when not given."""
        return self._disclosed("recipient")

    @property
    def purpose(self) -> str | None:
        """Why it was disclosed (`--purpose`), None when not given."""
        return self._disclosed("purpose")

    def _disclosed(self, key: str) -> str | None:
        if self.entry.action not in EXPORTS or not isinstance(self.detail, dict):
            return None
        value = self.detail.get(key)
        return value if isinstance(value, str) else None


# The entries that carry a recipient and a purpose.
EXPORTS = frozenset({"export", "export-anonymized"})
# What a client may ask to have accounted for: every time their file was shown
# or handed out. Each of these entries refers only to the clients whose text
# was shown: a redact preview (`redact` before asking, or --dry-run) to those
# with a match, a search to those with a hit.
DISCLOSURES = frozenset({"view", "redact-preview", "search", *EXPORTS})


def read_log(session: UnlockedVault, name: str | None = None, now: datetime | None = None,
             actions: frozenset[str] | None = None) -> list[ShownEntry]:
    """The owner's view of the log; with a name, only the entries about that
    client; with actions, only those."""
    now = now_utc(now)
    shown: list[ShownEntry] = []
    with command(session):
        client = None if name is None else require(session, name, now)
        rows = list(session.store.log_rows())
        keys: dict[int, bytes | None] = {}   # clients' log keys, looked up once
        for row in rows:
            e = audit.from_row(row)
            if actions is not None and e.action not in actions:
                continue
            if client is None or session.concerns(e, client.uid):
                shown.append(ShownEntry(e, session.reveal(e, session.open_detail(e), keys),
                                        len(e.refs)))
        _require_verified(session, rows)
        session.log("log", clients=() if client is None else (client.uid,),
                    detail={"entries": len(shown)}, now=now)
    return shown


def _require_verified(session: UnlockedVault, rows: list[tuple]) -> None:
    """What `vault log` shows has verified first: every signature, the hash
    chain, and the head sealed in the vault. Any problem shows nothing (fail
    closed), and the log entry for this access is not written either."""
    head = session.head()
    anchors = () if head is None else (audit.Anchor(head[0], head[1], "the vault's sealed head"),)
    report = audit.verify(rows, session.header.vault_id, session.header.sign_public, anchors)
    if not report.ok:
        raise IntegrityError(f"the access log does not verify ({len(report.problems)} "
                             f"problem(s)), first: {report.problems[0]}",
                             hint="run `vault log verify` for details")


def verify_log(store: Store, session: UnlockedVault | None = None,
               checkpoint: str | None = None) -> VerifyReport:
    """Signatures and hash chain; with a session, also the head sealed in the vault;
    with a checkpoint line, also that the log still extends it. Read-only."""
    anchors: list[audit.Anchor] = []
    key_changed = False
    with store.read():
        header = store.header()
        if checkpoint is not None:
            try:
                vault_id, seq, h, fingerprint = audit.parse_checkpoint(checkpoint)
            except ValueError as e:
                raise UsageError(str(e)) from None
            if vault_id != header.vault_id:
                raise IntegrityError("the checkpoint belongs to another vault")
            key_changed = not crypto.equal(fingerprint, audit.key_fingerprint(header.sign_public))
            anchors.append(audit.Anchor(seq, h, "the checkpoint"))
        if session is not None:
            head = session.head()
            if head is None:
                raise IntegrityError("the vault's record of its log head is missing")
            anchors.append(audit.Anchor(head[0], head[1], "the vault's sealed head"))
        report = audit.verify(store.log_rows(), header.vault_id, header.sign_public,
                              tuple(anchors))
    # After the snapshot, as in check: a write meanwhile moved the witness.
    rolled_back = behind_witness(store, header.vault_id)
    if rolled_back is not None:
        report.problems.insert(0, rolled_back)
    if checkpoint is not None and key_changed:
        report.problems.insert(0, "the header's public key is not the one the checkpoint "
                                  "names: the log may have been re-signed with another key")
    report.key_fingerprint = audit.key_fingerprint(header.sign_public)
    report.head_checked = session is not None
    report.checkpoint_checked = checkpoint is not None
    return report


def behind_witness(store: Store, vault_id: bytes) -> str | None:
    """This machine's witness as one more anchor, read-only: an older copy of
    the whole vault is reported by `log verify`, passphrase or not."""
    if not store.witnessed:
        return None
    try:
        marks = witness.read(witness.location(store, vault_id), vault_id)
    except IntegrityError as e:
        return e.message
    last = witness.behind(store, vault_id, marks)
    if last is not None:
        return witness.ROLLED_BACK.format(seq=last.seq)
    if witness.key_replaced(store, marks):
        return ("the header's public key is not the one this machine last saw: the log "
                "may have been re-signed with another key")
    return None


def checkpoint(store: Store) -> str:
    with store.read():
        header = store.header()
        report = audit.verify(store.log_rows(), header.vault_id, header.sign_public)
    if not report.ok:
        raise IntegrityError("the log does not verify; no checkpoint was made",
                             hint="run `vault log verify` for details")
    return audit.checkpoint_line(header.vault_id, report.head_seq, report.head_hash,
                                 header.sign_public)
