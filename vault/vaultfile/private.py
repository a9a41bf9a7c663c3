"""Free text in log details that concerns clients, sealed so that a shred
erases it.

A log detail is sealed under the vault's log-detail key, which the passphrase
opens for as long as the vault exists. Export destinations, recipients and
purposes, and redaction reasons are free text that may name a client (a file
called "bob-brook-SSN-123-45-6789.md"). Those fields (PRIVATE_FIELDS) are
taken out of the detail and sealed again under a key only the clients the
entry concerns can give: each client's log key, a random key kept in the
client's sealed record and destroyed with it by `vault shred`. What stays in
the detail is the part `{"private": {"clients": [ids], "fields": [names],
"sealed": base64}}`; `vault log` opens it while every one of those clients
exists and shows ERASED afterwards. See docs/format.md, "Private detail".
"""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

from .. import codec, crypto
from ..errors import CryptoError, IntegrityError

# The detail fields that are free text about the clients an entry concerns.
PRIVATE_FIELDS: dict[str, tuple[str, ...]] = {
    "export": ("destination", "recipient", "purpose"),
    "export-anonymized": ("destination", "recipient", "purpose"),
    "redact": ("reason",),
}
ERASED = "(erased by shred)"
LABEL = b"client-vault/v1/log-private"


def fields_of(action: str, detail: dict[str, Any] | None) -> list[str]:
    """The private fields this detail holds (with a value that is not None)."""
    if detail is None:
        return []
    return [f for f in PRIVATE_FIELDS.get(action, ()) if detail.get(f) is not None]


def _key(log_keys: list[bytes]) -> bytes:
    """One key that needs every client's log key: erased when any one is."""
    return crypto.keyed_hash(log_keys[0], LABEL + b"".join(log_keys[1:]))


def _aad(vault_id: bytes, seq: int, client_ids: list[int]) -> bytes:
    return (crypto.aad("log-private", vault_id, seq)
            + struct.pack(">I", len(client_ids))
            + b"".join(struct.pack(">Q", i) for i in client_ids))


def seal(action: str, detail: dict[str, Any], vault_id: bytes, seq: int,
         clients: list[tuple[int, bytes]]) -> dict[str, Any]:
    """The detail with its private fields sealed under the log keys of
    `clients` ((client id, log key), the clients the entry concerns). With
    no client, the free text concerns no one the vault holds and is not
    kept: the fields are null."""
    names = fields_of(action, detail)
    if not names:
        return detail
    kept = {k: v for k, v in detail.items() if k not in names}
    if not clients:
        return {**kept, **{n: None for n in names}}
    clients = sorted(clients)
    ids = [i for i, _ in clients]
    blob = crypto.seal(_key([k for _, k in clients]),
                       codec.pack({n: detail[n] for n in names}), _aad(vault_id, seq, ids))
    return {**kept, "private": {"clients": ids, "fields": names,
                                "sealed": base64.b64encode(blob).decode("ascii")}}


def reveal(detail: dict[str, Any], vault_id: bytes, seq: int,
           log_key: Any) -> dict[str, Any]:
    """The detail as it was logged, its private fields opened with
    `log_key(client_id) -> bytes | None`; each one ERASED if one of its
    clients no longer exists (shredded). A detail without a private part is
    returned as it is."""
    part = detail.get("private")
    if not isinstance(part, dict):
        return detail
    ids, names, sealed = part.get("clients"), part.get("fields"), part.get("sealed")
    if not (isinstance(ids, list) and ids and all(type(i) is int and 0 < i < 2 ** 63 for i in ids)
            and isinstance(names, list) and all(isinstance(n, str) for n in names)
            and isinstance(sealed, str)):
        raise IntegrityError(f"log entry {seq}: malformed detail")
    kept = {k: v for k, v in detail.items() if k != "private"}
    keys = [log_key(i) for i in ids]
    if any(k is None for k in keys):
        return {**kept, **{n: ERASED for n in names}}
    try:
        blob = base64.b64decode(sealed, validate=True)
        opened = codec.unpack(crypto.unseal(_key(keys), blob, _aad(vault_id, seq, ids)))
    except (binascii.Error, ValueError, CryptoError, IntegrityError):
        # A client of that id exists but is not the one the entry names (an
        # id given again after a restore): that one's key is gone too.
        return {**kept, **{n: ERASED for n in names}}
    return {**kept, **{n: opened.get(n) for n in names}}
