"""The capture key: what makes a note sealed by `vault add --sealed` authentic.

Anyone who can read the vault file can seal a note to its public box key, so
the box alone says nothing about who sealed it. Each sealed note therefore
also carries a MAC (keyed BLAKE2b) under the capture key, a random key that
lives outside the vault file, in the user's config folder (one 0600 file per
vault id), and wrapped inside the vault as the named key `capture`. The
vault's copy is the authoritative one: every unlock writes it to this
machine's config folder when the file is missing or differs, which is how a
new machine is given one. See docs/format.md, "Capture key".

Reading, writing and the MAC are here; the keyring keeps the wrapped copy,
inbox.py seals and checks.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

from .. import crypto, paths

PREFIX = "cvk1"
MAX_BYTES = 4096
_LINE = re.compile(r"cvk1:([0-9a-f]{32}):([0-9a-f]{64})")
LABEL = b"client-vault/v1/capture\x00"


def location(vault_id: bytes) -> Path:
    return paths.capture_key_file(vault_id)


def load(vault_id: bytes) -> bytes | None:
    """This machine's capture key for the vault; None if there is none, or
    the file does not hold one for this vault (it is then rewritten at the
    next unlock)."""
    try:
        with open(location(vault_id), "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError:
        return None
    try:
        m = _LINE.fullmatch(raw.decode("ascii").strip())
    except UnicodeDecodeError:
        return None
    if m is None or m.group(1) != vault_id.hex():
        return None
    return bytes.fromhex(m.group(2))


def save(vault_id: bytes, key: bytes) -> bool:
    """Write the key atomically (temporary file in the same folder, renamed),
    the folder 0700 and the file 0600. False if it could not be written (a
    read-only config folder): the command goes on, `add --sealed` then says
    that this machine has no capture key."""
    return paths.replace_small_file(
        location(vault_id), f"{PREFIX}:{vault_id.hex()}:{key.hex()}\n".encode("ascii"),
        durable=True)


def sync(vault_id: bytes, key: bytes) -> None:
    """At an unlock: give this machine the vault's capture key, unless it
    already has exactly that one."""
    here = load(vault_id)
    if here is None or not crypto.equal(here, key):
        save(vault_id, key)


def _field(value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError("not a string")
    data = value.encode("utf-8")
    return struct.pack(">I", len(data)) + data


def mac(key: bytes, vault_id: bytes, rec: dict[str, Any]) -> bytes:
    """The capture MAC of a sealed note's record: BLAKE2b-256 keyed with the
    capture key over its fields, length-prefixed (docs/format.md). Raises
    TypeError or ValueError for a record whose fields have the wrong type."""
    seq, tags = rec["seq"], rec["tags"]
    if type(seq) is not int or not 0 <= seq < 2 ** 64 or not isinstance(tags, list):
        raise TypeError("malformed sealed note")
    message = (LABEL + vault_id + struct.pack(">Q", seq) + _field(rec["client"])
               + _field(rec["created"]) + struct.pack(">I", len(tags))
               + b"".join(_field(t) for t in tags) + _field(rec["text"]))
    return crypto.keyed_hash(key, message)


def authentic(key: bytes | None, vault_id: bytes, rec: dict[str, Any]) -> bool:
    """Whether the record carries a valid MAC under `key` (its `mac` field,
    64 hex digits). Never raises for a malformed record: it is not authentic."""
    tag = rec.get("mac")
    if key is None or not isinstance(tag, str) or not re.fullmatch(r"[0-9a-f]{64}", tag):
        return False
    try:
        expected = mac(key, vault_id, rec)
    except (KeyError, TypeError, ValueError):
        return False
    return crypto.equal(expected, bytes.fromhex(tag))
