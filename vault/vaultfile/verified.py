"""The verified-through record: how far this machine has already verified a
vault's log, kept outside the vault next to the rollback witness (see
docs/format.md section 16).

`vault check` verifies one Ed25519 signature per log entry, and a log has an
entry for every access: at 100,000 entries that was 7 of check's 8.5 s. An
entry's hash does not cover its signature, so a later check can skip a
signature only if it knows that exact signature verified before. The record
says so: the log was fully verified through entry `seq`, whose entry hash
is `entry_hash`, and the signatures of entries 1..seq hash to `signatures`.
It is MACed under a key only the passphrase reaches, bound to the vault id
and the fingerprint of the log's public key.

The record only ever saves time. Missing, stale, damaged, forged or from
another vault, it is not used and every signature is verified (audit.py
decides, entry by entry, whether it describes the log as it is).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from .. import crypto, paths
from . import audit, witness
from .keyring import Keyring
from .store import Store

LABEL = b"client-vault/v1/verified"
MAX_BYTES = 1024
_LINE = re.compile(r"cvv1:([0-9a-f]{32}):([1-9][0-9]{0,18}):([0-9a-f]{64}):([0-9a-f]{64})"
                   r":([0-9a-f]{64})")


class Unusable(Exception):
    """A record file that is there but cannot be used (why, for a warning)."""


def location(store: Store, vault_id: bytes) -> Path:
    """Beside the witness: `verified/` instead of `witness/` in the user's
    state folder, the same file name (vault id and path tag), so that each
    copy of a vault at its own path has a record of its own."""
    return record_file(witness.location(store, vault_id))


def record_file(witness_file: Path) -> Path:
    return witness_file.parent.parent / "verified" / witness_file.name


def key(keys: Keyring) -> bytes:
    """The MAC key: from the state key, itself from the log key, so only the
    passphrase (and key file) reaches it, and a master-key rotation leaves
    it unchanged, as the record's meaning does."""
    return crypto.derive_key(keys.state_key, LABEL)


def mac(mac_key: bytes, vault_id: bytes, fingerprint: bytes, v: audit.Verified) -> bytes:
    """Binds the record to the vault and to the public key (its fingerprint,
    audit.key_fingerprint) the signatures were verified under."""
    return crypto.keyed_hash(mac_key, LABEL + b"\x00" + vault_id + fingerprint
                             + struct.pack(">Q", v.seq) + v.entry_hash + v.signatures)


def line(mac_key: bytes, vault_id: bytes, fingerprint: bytes, v: audit.Verified) -> str:
    return (f"cvv1:{vault_id.hex()}:{v.seq}:{v.entry_hash.hex()}:{v.signatures.hex()}:"
            f"{mac(mac_key, vault_id, fingerprint, v).hex()}\n")


def read(file: Path, mac_key: bytes, vault_id: bytes,
         fingerprint: bytes) -> audit.Verified | None:
    """The record, if there is one (None); raises Unusable if there is a
    file that does not parse, names another vault, or whose MAC does not
    verify under this vault's key and public key."""
    try:
        with open(file, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise Unusable(f"cannot be read ({(e.strerror or 'error').lower()})") from None
    if not raw:
        return None   # what a power loss can leave of an unsynced write
    try:
        m = _LINE.fullmatch(raw.decode("ascii").rstrip("\n"))
    except UnicodeDecodeError:
        m = None
    if m is None or len(raw) > MAX_BYTES:
        raise Unusable("is damaged")
    if m.group(1) != vault_id.hex():
        raise Unusable("belongs to another vault")
    v = audit.Verified(int(m.group(2)), bytes.fromhex(m.group(3)), bytes.fromhex(m.group(4)))
    if not crypto.equal(mac(mac_key, vault_id, fingerprint, v), bytes.fromhex(m.group(5))):
        raise Unusable("failed authentication")
    return v


def write(file: Path, mac_key: bytes, vault_id: bytes, fingerprint: bytes,
          v: audit.Verified) -> bool:
    """Replace the record atomically (0600, in a 0700 folder). Not synced:
    a power loss may leave the older record or an empty file, which only
    costs the next check its time. False if it could not be written."""
    return paths.replace_small_file(
        file, line(mac_key, vault_id, fingerprint, v).encode("ascii"), durable=False)


class Record:
    """The record of one unlocked vault on this machine: what `vault check`
    reads before verifying the log and writes after a clean check."""

    def __init__(self, store: Store, keys: Keyring) -> None:
        self.file = location(store, keys.vault_id)
        self._key = key(keys)
        self._vault_id = keys.vault_id
        self._fingerprint = audit.key_fingerprint(keys.header.sign_public)

    def read(self) -> audit.Verified | None:
        """None if there is none; raises Unusable (see read())."""
        return read(self.file, self._key, self._vault_id, self._fingerprint)

    def write(self, v: audit.Verified) -> bool:
        return write(self.file, self._key, self._vault_id, self._fingerprint, v)
