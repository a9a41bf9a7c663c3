"""Every cryptographic operation of the vault, and nothing else.

Argon2id for the passphrase, XChaCha20-Poly1305 for sealing, BLAKE2b for
keyed hashes and subkeys, Ed25519 for the access log. All from libsodium
(PyNaCl) and argon2-cffi; nothing here is home-made. Every failure raises the
one `CryptoError`, which says nothing about its cause.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Callable
from typing import Any

import nacl.bindings as sodium
import nacl.exceptions
import nacl.hash
import nacl.public
import nacl.signing
import nacl.utils
from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from nacl._sodium import ffi as _ffi
from nacl._sodium import lib as _lib
from nacl.encoding import RawEncoder

from .errors import CryptoError
from .models import (
    FORMAT_VERSION,
    KDF_MAX_ITERATIONS,
    KDF_MAX_MEMORY_KIB,
    KDF_MAX_PARALLELISM,
    KdfParams,
)

KEY_BYTES = 32
NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES  # 24
TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES       # 16
SALT_BYTES = 16
# The KDF bounds (models.KDF_MAX_*) are applied to parameters read from a
# header before running Argon2: a hostile file must not make us allocate
# 1 TiB or spin for an hour.


def random_bytes(n: int) -> bytes:
    return nacl.utils.random(n)


def random_key() -> bytes:
    return random_bytes(KEY_BYTES)


def check_kdf_params(p: KdfParams) -> None:
    if not (1 <= p.parallelism <= KDF_MAX_PARALLELISM
            and 1 <= p.iterations <= KDF_MAX_ITERATIONS
            and 8 * p.parallelism <= p.memory_kib <= KDF_MAX_MEMORY_KIB):
        raise CryptoError()


def kdf(passphrase: bytes, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id (version 0x13) to a 32-byte key-encryption key."""
    check_kdf_params(params)
    if len(salt) != SALT_BYTES:
        raise CryptoError()
    try:
        return hash_secret_raw(passphrase, salt, time_cost=params.iterations,
                               memory_cost=params.memory_kib,
                               parallelism=params.parallelism,
                               hash_len=KEY_BYTES, type=Type.ID)
    except HashingError:
        # Parameters were checked above, so this is the allocation failing.
        raise MemoryError("argon2 could not allocate its memory") from None


def with_keyfile(kek: bytes, keyfile: bytes) -> bytes:
    """The key-encryption key when a key file is the second factor: the
    Argon2id output keyed over a hash of the whole key file, so neither factor
    alone reveals anything about the result (as KeePassXC's composite key)."""
    return keyed_hash(kek, b"client-vault/v1/keyfile\x00" + hash(keyfile))


def derive_key(key: bytes, purpose: bytes) -> bytes:
    """A subkey for one purpose: BLAKE2b-256 keyed with `key` over the label."""
    return keyed_hash(key, purpose)


def keyed_hash(key: bytes, data: bytes, size: int = 32) -> bytes:
    """BLAKE2b with a key: a PRF, used for subkeys, blind indexes and log refs."""
    return nacl.hash.blake2b(data, digest_size=size, key=key, encoder=RawEncoder)


class Prf:
    """BLAKE2b-256 keyed with one key, for many short inputs: hashlib's
    BLAKE2b (the same function as libsodium's crypto_generichash, checked in
    tests/unit/test_crypto.py), keyed once and copied per input, because the
    state commitment hashes every client row at each unlock."""

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise CryptoError()
        self._keyed = hashlib.blake2b(key=key, digest_size=32)

    def __call__(self, data: bytes) -> bytes:
        h = self._keyed.copy()
        h.update(data)
        return h.digest()

    def after(self, prefix: bytes) -> Callable[[], Any]:
        """For a loop over many inputs that share `prefix`: a function whose
        every call returns a fresh hash object that has taken the key and
        `prefix`; update() it with the rest, then digest(). The same digest
        as self(prefix + rest), without a method call and a concatenation
        per input."""
        h = self._keyed.copy()
        h.update(prefix)
        return h.copy


def hash(data: bytes) -> bytes:  # noqa: A001 - the name is the clearest one
    """BLAKE2b-256 without a key: hashlib's, the same function as libsodium's
    (see Prf; the log's known-answer vectors check it). PyNaCl's wrapper
    checks its arguments in Python at every call, which was four fifths of
    the time `vault check` spent hashing 100,000 log entries."""
    return hashlib.blake2b(data, digest_size=32).digest()


def aad(kind: str, vault_id: bytes, row_id: int = 0, client_id: int = 0) -> bytes:
    """Associated data binding a ciphertext to its place (docs/format.md)."""
    label = kind.encode("ascii")
    return (b"client-vault" + struct.pack(">HB", FORMAT_VERSION, len(label))
            + label + vault_id + struct.pack(">QQ", row_id, client_id))


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return _seal(key, plaintext, aad, random_bytes(NONCE_BYTES))


def _seal(key: bytes, plaintext: bytes, aad: bytes, nonce: bytes) -> bytes:
    """Seam for test vectors: a fixed nonce. Never call with a reused nonce."""
    ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, nonce, key)
    return nonce + ct


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    # libsodium's function through PyNaCl's own cffi binding, as
    # nacl.bindings calls it, without its eight argument checks per call
    # (done here once): `vault search` opens every note, and those checks
    # were a third of its time.
    if not (isinstance(blob, bytes) and isinstance(key, bytes) and isinstance(aad, bytes)) \
            or len(blob) < NONCE_BYTES + TAG_BYTES or len(key) != KEY_BYTES:
        raise CryptoError()
    ct_len = len(blob) - NONCE_BYTES
    out = _ffi.new("unsigned char[]", ct_len - TAG_BYTES + 1)   # +1: never size 0
    out_len = _ffi.new("unsigned long long *")
    if _lib.crypto_aead_xchacha20poly1305_ietf_decrypt(
            out, out_len, _ffi.NULL, blob[NONCE_BYTES:], ct_len, aad, len(aad),
            blob[:NONCE_BYTES], key) != 0:
        raise CryptoError()
    return _ffi.buffer(out, out_len[0])[:]


def box_public_key(secret: bytes) -> bytes:
    """The X25519 public key of a sealed-box secret key."""
    return bytes(nacl.public.PrivateKey(secret).public_key)


def box_seal(public_key: bytes, plaintext: bytes) -> bytes:
    """An anonymous sealed box (libsodium crypto_box_seal): anyone with the
    public key can write one, only the secret key opens it. Has no associated
    data, so callers put what it belongs to inside the plaintext."""
    try:
        return nacl.public.SealedBox(nacl.public.PublicKey(public_key)).encrypt(plaintext)
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        raise CryptoError() from None


def box_open(secret: bytes, blob: bytes) -> bytes:
    try:
        return nacl.public.SealedBox(nacl.public.PrivateKey(secret)).decrypt(blob)
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        raise CryptoError() from None


def sign_public_key(seed: bytes) -> bytes:
    return bytes(nacl.signing.SigningKey(seed).verify_key)


def sign(seed: bytes, message: bytes) -> bytes:
    return nacl.signing.SigningKey(seed).sign(message).signature


class Verifier:
    """Checks Ed25519 signatures against one public key."""

    def __init__(self, public_key: bytes) -> None:
        try:
            self._key = nacl.signing.VerifyKey(public_key)
        except (nacl.exceptions.CryptoError, ValueError, TypeError):
            raise CryptoError() from None

    def verify(self, message: bytes, signature: bytes) -> None:
        try:
            self._key.verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError,
                ValueError, TypeError):
            raise CryptoError() from None


def equal(a: bytes, b: bytes) -> bool:
    """Constant-time comparison for secrets and MACs."""
    return hmac.compare_digest(a, b)
