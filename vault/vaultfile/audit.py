"""The access log: canonical entry encoding, hash chain, Ed25519 signatures.

Pure functions over `LogEntry` values; the session decides when to append
and the store keeps the rows. See docs/format.md, "Access log".
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from .. import crypto
from ..errors import CryptoError, IntegrityError
from ..models import LogEntry, VerifyReport

DOMAIN = b"client-vault/log/v1"
GENESIS = bytes(32)
REF_BYTES = 16
HASH_BYTES = 32
SIG_BYTES = 64
# What may be written while the vault is locked, and whether it may carry a
# detail (sealed to the vault's box key; see docs/format.md).
LOCKED_ACTIONS = {"unlock-failed": False, "backup": True, "add-sealed": False}
MAX_LOCKED_DETAIL = 8192
MAX_PROBLEMS = 20


def timestamp(now: datetime | None = None) -> str:
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_U16, _U32, _U64 = (struct.Struct(f).pack for f in (">H", ">I", ">Q"))


def encode(e: LogEntry, vault_id: bytes) -> bytes:
    """The bytes an entry's hash is taken over (everything but the signature)."""
    return _encode(vault_id, e.seq, e.time, e.action, e.via, len(e.refs), b"".join(e.refs),
                   e.detail, e.prev_hash)


def _encode(vault_id: bytes, seq: int, time: str, action: str, via: str, n_refs: int,
            refs: bytes, detail: bytes, prev_hash: bytes) -> bytes:
    """encode() from the fields as a row stores them (the references
    joined), so that the walk over a whole log builds no LogEntry."""
    t, a, v = time.encode("ascii"), action.encode("ascii"), via.encode("ascii")
    return b"".join([
        DOMAIN, vault_id, _U64(seq), _U16(len(t)), t, _U16(len(a)), a, _U16(len(v)), v,
        _U32(n_refs), refs, _U32(len(detail)), detail, prev_hash,
    ])


def entry_hash(e: LogEntry, vault_id: bytes) -> bytes:
    return crypto.hash(encode(e, vault_id))


def client_ref(ref_key: bytes, client_uid: bytes, seq: int) -> bytes:
    """Unlinkable per entry: the same client gives a different ref each time."""
    return crypto.keyed_hash(ref_key, client_uid + struct.pack(">Q", seq), REF_BYTES)


def make_entry(*, seq: int, prev_hash: bytes, action: str, via: str,
               refs: tuple[bytes, ...] = (), detail: bytes = b"",
               now: datetime | None = None) -> LogEntry:
    return LogEntry(seq=seq, time=timestamp(now), action=action, via=via, refs=refs,
                    detail=detail, prev_hash=prev_hash, signature=None)


def sign(e: LogEntry, vault_id: bytes, sign_seed: bytes) -> bytes:
    return crypto.sign(sign_seed, entry_hash(e, vault_id))


def to_row(e: LogEntry) -> tuple:
    return (e.seq, e.time, e.action, e.via, b"".join(e.refs), e.detail,
            e.prev_hash, e.signature)


def _short_text(s: object) -> bool:
    return isinstance(s, str) and len(s) < 100 and s.isascii() and s.isprintable()


def from_row(row: tuple) -> LogEntry:
    """Parse a stored row, treating every field as hostile."""
    seq, time, action, via, refs, detail, prev_hash, sig = _checked(row)
    split = (() if not refs else (refs,) if len(refs) == REF_BYTES
             else tuple([refs[i:i + REF_BYTES] for i in range(0, len(refs), REF_BYTES)]))
    return LogEntry(seq, time, action, via, split, detail, prev_hash, sig)


def _checked(row: tuple) -> tuple:
    """The row itself, once every field has the type and size it must have
    (`vault check` checks every entry: no generator per field)."""
    if not isinstance(row, tuple) or len(row) != 8:
        raise IntegrityError("malformed log entry")
    seq, time, action, via, refs, detail, prev_hash, sig = row
    if not (isinstance(seq, int) and seq > 0
            and _short_text(time) and _short_text(action) and _short_text(via)
            and isinstance(refs, bytes) and len(refs) % REF_BYTES == 0
            and isinstance(detail, bytes)
            and isinstance(prev_hash, bytes) and len(prev_hash) == HASH_BYTES
            and (sig is None or (isinstance(sig, bytes) and len(sig) == SIG_BYTES))):
        raise IntegrityError(f"log entry {seq if isinstance(seq, int) else '?'}: malformed")
    return row


def key_fingerprint(public_key: bytes) -> bytes:
    """16 bytes naming the log's public key, for pinning it elsewhere."""
    return crypto.keyed_hash(b"client-vault/v1/key-fingerprint", public_key, 16)


def checkpoint_line(vault_id: bytes, seq: int, head_hash: bytes, public_key: bytes) -> str:
    """The key's fingerprint is part of the line: whoever replaces the header's
    key and re-signs the whole log still fails a check against the checkpoint."""
    return f"cv1:{vault_id.hex()}:{seq}:{head_hash.hex()}:{key_fingerprint(public_key).hex()}"


def parse_checkpoint(line: str) -> tuple[bytes, int, bytes, bytes]:
    parts = line.strip().split(":")
    try:
        if (len(parts) != 5 or parts[0] != "cv1"
                or not re.fullmatch(r"[1-9][0-9]{0,18}", parts[2])
                or not all(re.fullmatch(r"[0-9a-f]+", p) for p in (parts[1], parts[3], parts[4]))):
            raise ValueError
        vault_id, seq, h, fp = (bytes.fromhex(parts[1]), int(parts[2]),
                                bytes.fromhex(parts[3]), bytes.fromhex(parts[4]))
        if len(vault_id) != 16 or len(h) != HASH_BYTES or len(fp) != 16:
            raise ValueError
    except ValueError:
        raise ValueError("not a checkpoint line (expected cv1:VAULT_ID:SEQ:HASH:KEY)") from None
    return vault_id, seq, h, fp


def is_valid_locked_entry(e: LogEntry) -> bool:
    """What an unsigned entry may be: a bare record that something happened
    while the vault was locked, with no references and no detail."""
    return (e.action in LOCKED_ACTIONS and e.via == "none" and not e.refs
            and (not e.detail or (LOCKED_ACTIONS[e.action]
                                  and len(e.detail) <= MAX_LOCKED_DETAIL)))


_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def goes_back(e: LogEntry, prev: LogEntry | None, prev_flagged: bool = False) -> bool:
    """Whether an entry written while locked must not be signed: its time is
    not one this program writes, or is earlier than the entry before it, or
    that entry was itself left unsigned for this reason. Anyone can append a
    bare entry; one dated into the past would be signed as a record of the past.
    The fixed-width format compares as text."""
    if prev_flagged or not _TIME.fullmatch(e.time):
        return True
    if prev is None:
        return False
    return not _TIME.fullmatch(prev.time) or e.time < prev.time


class Anchor:
    """A (seq, hash) the log must contain: the vault's head or a checkpoint."""

    def __init__(self, seq: int, expected_hash: bytes, name: str) -> None:
        self.seq, self.hash, self.name = seq, expected_hash, name
        self.found: bytes | None = None


@dataclass(frozen=True)
class Verified:
    """A log verified in full (chain and every signature) through entry
    `seq`, whose entry hash is `entry_hash`; `signatures` is the BLAKE2b-256
    of the signatures of entries 1..seq, concatenated (64 bytes each). See
    verified.py and docs/format.md section 16."""
    seq: int
    entry_hash: bytes
    signatures: bytes


@dataclass
class Verification:
    """What verify_known() did: the report, how many signatures it verified
    and how many it took from the record, and the new record to keep (None
    unless the log verified without a problem)."""
    report: VerifyReport
    verified: int = 0
    known: int = 0
    reached: Verified | None = None


def signatures_digest(signatures: list[bytes]) -> bytes:
    return crypto.hash(b"".join(signatures))


class _Unknown(Exception):
    """The record does not describe this log: verify every signature."""


def verify(rows: Iterable[tuple], vault_id: bytes, public_key: bytes,
           anchors: tuple[Anchor, ...] = ()) -> VerifyReport:
    """Walk the whole chain once; name every problem found."""
    return _walk(rows, vault_id, public_key, anchors, None).report


def verify_known(rows: Callable[[], Iterable[tuple]], vault_id: bytes, public_key: bytes,
                 anchors: tuple[Anchor, ...] = (),
                 known: Verified | None = None) -> Verification:
    """As verify(), but the signatures of entries 1..known.seq are not
    verified again when they are byte for byte the ones verified before:
    the chain through `known.seq` holds without a problem, ends in
    `known.entry_hash`, and those entries' signatures hash to
    `known.signatures`. Entries after it are verified in full. If the
    record does not describe the log, the walk starts over and verifies
    every signature, so the report is exactly verify()'s. `rows` is called
    once per walk."""
    if known is not None:
        try:
            return _walk(rows(), vault_id, public_key, anchors, known)
        except _Unknown:
            pass
    return _walk(rows(), vault_id, public_key, anchors, None)


def _walk(rows: Iterable[tuple], vault_id: bytes, public_key: bytes,
          anchors: tuple[Anchor, ...], known: Verified | None) -> Verification:
    report = VerifyReport()
    done = Verification(report)
    more = 0

    def problem(msg: str) -> None:
        nonlocal more
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(msg)
        else:
            more += 1

    try:
        verifier = crypto.Verifier(public_key)
    except CryptoError:
        if known is not None:
            raise _Unknown from None
        problem("the header's public key is not a valid Ed25519 key")
        return done
    expected, prev, first_unsigned, bad_sigs = 1, GENESIS, None, 0
    last: tuple | None = None   # the row before, unless it was malformed
    flagged = False   # the entry before was left unsigned because its time goes back
    by_seq: dict[int, list[Anchor]] = {}
    for a in anchors:
        a.found = None
        by_seq.setdefault(a.seq, []).append(a)
    # The signatures of the entries signed from the first on (a clean log's
    # unsigned entries are its tail), and the last of them: the new record.
    signatures: list[bytes] = []
    prefix: tuple[int, bytes] | None = None
    in_prefix = True
    trusting = known is not None   # still inside the entries the record covers
    for row in rows:
        try:
            seq, time, action, via, refs, detail, prev_hash, signature = _checked(row)
        except IntegrityError as err:
            if trusting:
                raise _Unknown from None
            problem(err.message)
            prev, expected, last, flagged = b"", expected + 1, None, False
            continue
        gap = seq != expected
        if seq > expected:
            if trusting:
                raise _Unknown
            problem(f"entries {expected} to {seq - 1} are missing (deleted)"
                    if seq - expected > 1 else f"entry {expected} is missing (deleted)")
        h = crypto.hash(_encode(vault_id, seq, time, action, via, len(refs) // REF_BYTES,
                                refs, detail, prev_hash))
        if not gap and not crypto.equal(prev_hash, prev):
            if trusting:
                raise _Unknown
            problem(f"entry {seq} does not follow entry {seq - 1} "
                    "(an entry was edited, inserted, deleted or reordered)")
        was_flagged, flagged = flagged, False
        if signature is None:
            if trusting:
                raise _Unknown
            e = from_row(row)
            if not is_valid_locked_entry(e):
                problem(f"entry {seq} ({action}) is unsigned")
            elif goes_back(e, None if last is None else from_row(last), was_flagged):
                flagged = True
                problem(f"entry {seq} ({action}, recorded while locked) is dated "
                        f"before entry {seq - 1}: it was not signed (planted?)")
            if first_unsigned is None and not flagged:
                first_unsigned = seq
            in_prefix = False
        else:
            if first_unsigned is not None:
                problem(f"entry {first_unsigned} is unsigned but later entries are signed")
                first_unsigned = None
            if trusting:
                # Verified before, if the record holds at its last entry.
                report.signed += 1
                done.known += 1
            else:
                try:
                    verifier.verify(h, signature)
                    report.signed += 1
                    done.verified += 1
                except CryptoError:
                    bad_sigs += 1
                    problem(f"entry {seq}: signature does not verify (edited or replaced)")
            if in_prefix:
                signatures.append(signature)
                prefix = (seq, h)
        if trusting and seq == known.seq:
            # The chain through here held (else _Unknown was raised above)
            # and ends in the hash recorded: these are the entries verified
            # before, and their signatures the same bytes.
            if report.problems or not crypto.equal(h, known.entry_hash) \
                    or not crypto.equal(signatures_digest(signatures), known.signatures):
                raise _Unknown
            trusting = False
        for a in by_seq.get(seq, ()):
            a.found = h
        report.entries += 1
        prev, expected, last = h, seq + 1, row
        report.head_seq, report.head_hash = seq, h
    if trusting:   # the log ends before the entry the record names
        raise _Unknown
    if first_unsigned is not None:
        report.unsigned_tail = report.head_seq - first_unsigned + 1
    if bad_sigs and report.signed == 0:
        problem("no signature verifies: the header's public key was replaced "
                "or the log was rewritten")
    for a in anchors:
        if a.found is None:
            problem(f"the log ends at entry {report.head_seq} but {a.name} records "
                    f"entry {a.seq}: the log was cut off or rolled back")
        elif not crypto.equal(a.found, a.hash):
            problem(f"entry {a.seq} differs from the one {a.name} records: "
                    "the log was rewritten or rolled back")
    if more:
        report.problems.append(f"... and {more} more problems")
    if report.ok and prefix is not None:
        done.reached = Verified(prefix[0], prefix[1], signatures_digest(signatures))
    return done
