"""Plain frozen records passed between the layers. Imports nothing from vault."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

# The header's format_version: how ciphertexts are made (their AAD prefix).
FORMAT_VERSION = 1
# The state commitment sums client rows by bucket of ids sharing id >> this
# (docs/format.md section 14, scheme 2): read by the store's SQL and hashed above it.
STATE_BUCKET_BITS = 6
# Bounds on Argon2id parameters: a header asking for more is refused before
# any work, so a planted header cannot make an unlock take hours or all memory.
KDF_MAX_MEMORY_KIB = 4 * 1024 * 1024
KDF_MAX_ITERATIONS = 64
KDF_MAX_PARALLELISM = 16
# Below this, `init` and `passwd` warn that the passphrase is easier to guess.
KDF_MIN_MEMORY_MIB = 64


def iso(dt: datetime) -> str:
    """A time as records, JSON output and log details write it: UTC, seconds."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    parallelism: int


@dataclass(frozen=True)
class Header:
    format_version: int
    vault_id: bytes          # 16 random bytes
    kdf: KdfParams
    salt: bytes              # 16 random bytes
    wrapped_master: bytes    # nonce || ciphertext, see docs/format.md
    sign_public: bytes       # Ed25519 public key of the access log
    keyfile: bool = False    # the key-encryption key also needs a key file


@dataclass(frozen=True)
class ClientRow:
    """A client as stored: everything but the ids is ciphertext."""
    id: int
    uid: bytes               # opaque random id, used in log references
    blind: bytes             # keyed blind index of the normalised name
    wrapped_key: bytes
    meta: bytes              # sealed {"name", "created", "last"}


@dataclass(frozen=True)
class Alias:
    name: str
    relation: str | None = None   # None: another name of the client; else who they are


@dataclass(frozen=True)
class Client:
    id: int
    uid: bytes
    name: str
    created: datetime
    last: datetime | None
    notes: int = 0
    status: str = "open"               # "open" or "closed"
    retain_until: date | None = None   # closed files are due for shredding after this
    hold: str | None = None            # reason of a legal hold; None when not held
    aliases: tuple[Alias, ...] = ()    # other names that must leave every export
    # The state commitment's sum over this client's notes, sealed in the
    # record (vaultfile/state.py); None only in records from before it existed.
    digest: bytes | None = None
    # Seals the free text of log entries about this client (vaultfile/private.py);
    # destroyed with the record by a shred. None in records made before it existed.
    log_key: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Roster:
    """`list`'s clients, in its order. Through the agent, also `shown`: what
    the CLI wrote of these very clients in the agent after its count (the
    key it was written under, and the text), for the CLI to print again
    instead of writing 10,000 lines anew; opaque below the CLI."""
    clients: Sequence[Client]
    shown: tuple[object, str] | None = None

    def __iter__(self) -> Iterator[Client]:
        return iter(self.clients)

    def __len__(self) -> int:
        return len(self.clients)


@dataclass(frozen=True)
class Note:
    id: int
    client_id: int
    created: datetime
    tags: tuple[str, ...]
    text: str
    captured: bool = False   # sealed by `add --sealed` while locked, filed later


@dataclass(frozen=True)
class LogEntry:
    seq: int
    time: str                # ISO-8601 UTC, e.g. 2026-11-25T03:38:40.123456Z
    action: str
    via: str                 # how the vault was unlocked: "passphrase" or "none"
    refs: tuple[bytes, ...]  # unlinkable client references, 16 bytes each
    detail: bytes            # sealed detail, b"" when written while locked
    prev_hash: bytes
    signature: bytes | None  # None while unsigned (written while locked)


@dataclass
class VerifyReport:
    entries: int = 0
    signed: int = 0
    unsigned_tail: int = 0
    head_seq: int = 0
    head_hash: bytes = b""
    problems: list[str] = field(default_factory=list)
    head_checked: bool = False
    checkpoint_checked: bool = False
    key_fingerprint: bytes = b""

    @property
    def ok(self) -> bool:
        return not self.problems
