"""The key hierarchy of one vault, from the passphrase down.

passphrase (+ key file) -> KEK (Argon2id, kept to re-wrap) -> master key
(stored only wrapped under the KEK, in the header) -> the `wrap` and `head`
subkeys. Under `wrap`: the named keys (sign, log, index, box) and every
client's data key. This module makes, unwraps, re-wraps and rotates those
keys; what is sealed under them (records, log entries, the head, the inbox)
is the business of records.py, ledger.py and inbox.py, which borrow the keys
from the Keyring and never let one leave vaultfile.
"""

from __future__ import annotations

import dataclasses
import struct

from .. import crypto
from ..errors import AuthenticationFailed, CryptoError, IntegrityError, VaultError
from ..models import FORMAT_VERSION, ClientRow, Header, KdfParams
from .store import Store

# The named keys, each wrapped under the master key; the box key's public
# half is stored beside them in the clear, for what is recorded while locked.
# `capture` authenticates notes sealed while locked (capture.py); a copy of
# it lives outside the vault.
NAMED_KEYS = ("sign", "log", "index", "box", "capture")
BOX_PUBLIC = "box-public"


class WrongPassphrase(AuthenticationFailed):
    """The master key did not unwrap: a wrong passphrase or key file. Its own
    class so that the unlocked vault can log the attempt before it is shown."""


def check_factors(header: Header, keyfile: bytes | None) -> None:
    """Say which factor is missing (or extra) before any passphrase is asked.
    Which one was wrong, when both were given, is never said."""
    if header.keyfile and keyfile is None:
        raise AuthenticationFailed("this vault needs its key file as well as the passphrase",
                                   hint="give --keyfile PATH or set VAULT_KEYFILE")
    if not header.keyfile and keyfile is not None:
        raise AuthenticationFailed("this vault does not use a key file",
                                   hint="leave out --keyfile and VAULT_KEYFILE")


def _master_aad(h: Header) -> bytes:
    # The KDF parameters and salt are bound to the wrapped master key, so
    # editing them in the header cannot go unnoticed. So is the key-file flag.
    return (crypto.aad("master", h.vault_id)
            + struct.pack(">III", h.kdf.memory_kib, h.kdf.iterations, h.kdf.parallelism)
            + h.salt + (b"keyfile" if h.keyfile else b""))


def _kek(passphrase: bytes, keyfile: bytes | None, header: Header) -> bytes:
    try:
        kek = crypto.kdf(passphrase, header.salt, header.kdf)
    except MemoryError:
        raise VaultError(f"not enough memory for the key derivation (this vault asks "
                         f"for {header.kdf.memory_kib // 1024} MiB)") from None
    return kek if keyfile is None else crypto.with_keyfile(kek, keyfile)


def _wrapped(header: Header, kek: bytes, master: bytes) -> Header:
    return dataclasses.replace(header, wrapped_master=crypto.seal(kek, master,
                                                                  _master_aad(header)))


def _kdf_in_range(params: KdfParams) -> bool:
    try:
        crypto.check_kdf_params(params)
    except CryptoError:
        return False
    return True


def _wrap_key(master: bytes) -> bytes:
    return crypto.derive_key(master, b"client-vault/v1/wrap")


def _head_key(master: bytes) -> bytes:
    return crypto.derive_key(master, b"client-vault/v1/head")


@dataclasses.dataclass(frozen=True)
class NewKeys:
    """A new vault's header and keys, made before its first transaction
    opens, so that the seconds of Argon2id do not hold the file locked."""
    header: Header
    master: bytes
    kek: bytes
    sign_seed: bytes

    @classmethod
    def make(cls, passphrase: bytes, kdf: KdfParams, keyfile: bytes | None) -> NewKeys:
        sign_seed = crypto.random_key()
        header = Header(format_version=FORMAT_VERSION,
                        vault_id=crypto.random_bytes(16), kdf=kdf,
                        salt=crypto.random_bytes(crypto.SALT_BYTES),
                        wrapped_master=b"", sign_public=crypto.sign_public_key(sign_seed),
                        keyfile=keyfile is not None)
        master = crypto.random_key()
        kek = _kek(passphrase, keyfile, header)
        return cls(_wrapped(header, kek, master), master, kek, sign_seed)


class Keyring:
    """The keys of one unlocked vault, bound to its store."""

    def __init__(self, store: Store, header: Header, master: bytes, kek: bytes) -> None:
        self.store = store
        self.header = header
        self.vault_id = header.vault_id
        # Kept to re-wrap a fresh master key after a shred or redaction.
        self._kek = kek
        self.wrap_key = _wrap_key(master)
        self.head_key = _head_key(master)
        self.box: bytes | None = None   # the box secret, from ensure_box_key() at begin()
        self.capture: bytes | None = None   # from ensure_capture_key() at begin()
        try:
            self.sign_key = self._unwrap_named("sign")
            log_key = self._unwrap_named("log")
            self._index = self._unwrap_named("index")
        except CryptoError:
            raise IntegrityError("the vault's keys failed authentication") from None
        self.detail_key = crypto.derive_key(log_key, b"client-vault/v1/log-detail")
        self.ref_key = crypto.derive_key(log_key, b"client-vault/v1/log-ref")
        # The state commitment's key (vaultfile/state.py): from the log key,
        # like the log's, so a master-key rotation leaves it as it is.
        self.state_key = crypto.derive_key(log_key, b"client-vault/v1/state")
        if not crypto.equal(crypto.sign_public_key(self.sign_key), header.sign_public):
            raise IntegrityError("the header's public key does not match the vault's "
                                 "signing key: the header was replaced")

    # -- making and opening --------------------------------------------

    @classmethod
    def install(cls, store: Store, new: NewKeys) -> Keyring:
        """Write a new vault's header, named keys and box key pair. Call
        inside the store's first write transaction."""
        header, wrap = new.header, _wrap_key(new.master)
        store.put_header(header)
        for name, key in (("sign", new.sign_seed), ("log", crypto.random_key()),
                          ("index", crypto.random_key())):
            store.put_key(name, crypto.seal(wrap, key, crypto.aad(f"key:{name}",
                                                                  header.vault_id)))
        keys = cls(store, header, new.master, new.kek)
        keys.ensure_box_key()
        keys.ensure_capture_key()
        return keys

    @classmethod
    def unlock(cls, store: Store, passphrase: bytes, keyfile: bytes | None = None) -> Keyring:
        """Raises WrongPassphrase when the master key does not unwrap."""
        header = store.header()
        if not _kdf_in_range(header.kdf):
            raise IntegrityError("the header's KDF parameters are out of range")
        check_factors(header, keyfile)
        kek = _kek(passphrase, keyfile, header)
        try:
            master = crypto.unseal(kek, header.wrapped_master, _master_aad(header))
        except CryptoError:
            raise WrongPassphrase("wrong passphrase or key file" if header.keyfile
                                  else "wrong passphrase") from None
        return cls(store, header, master, kek)

    @classmethod
    def from_agent(cls, store: Store, kek: bytes) -> Keyring | None:
        """None if the agent's key no longer opens this vault."""
        header = store.header()
        try:
            master = crypto.unseal(kek, header.wrapped_master, _master_aad(header))
        except CryptoError:
            return None
        return cls(store, header, master, kek)

    @property
    def kek(self) -> bytes:
        return self._kek

    # -- changing what unlocks the vault, and the master key ------------

    def change_unlock(self, passphrase: bytes, kdf: KdfParams, keyfile: bytes | None) -> None:
        """The same master key, re-wrapped under a fresh salt and KEK."""
        master = crypto.unseal(self._kek, self.header.wrapped_master,
                               _master_aad(self.header))
        header = dataclasses.replace(self.header, kdf=kdf, keyfile=keyfile is not None,
                                     salt=crypto.random_bytes(crypto.SALT_BYTES))
        kek = _kek(passphrase, keyfile, header)
        header = _wrapped(header, kek, master)
        self.store.set_unlock(header)
        self.header, self._kek = header, kek

    def rewrap_under(self, master: bytes) -> None:
        """The first half of a master-key rotation: every named key and client
        key wrapped anew under `master`'s wrap key. Nothing here uses the new
        key until switch_to(master)."""
        wrap = _wrap_key(master)
        for name in NAMED_KEYS:
            if self.store.key_or_none(name) is None:
                continue   # made at the next unlock (a vault from before it existed)
            key = self._unwrap_named(name)
            self.store.put_key(name, crypto.seal(wrap, key, crypto.aad(f"key:{name}",
                                                                       self.vault_id)))
        for row in list(self.store.clients()):
            key = self.client_key(row)
            self.store.update_client_key(row.id, crypto.seal(
                wrap, key, self._client_key_aad(row.id, row.uid, row.blind)))

    def switch_to(self, master: bytes) -> None:
        """The second half: `master`, wrapped under the KEK, replaces the old
        one in the header, and its subkeys replace the old ones here."""
        self.header = _wrapped(self.header, self._kek, master)
        self.store.set_wrapped_master(self.header.wrapped_master)
        self.wrap_key, self.head_key = _wrap_key(master), _head_key(master)

    # -- named keys ----------------------------------------------------

    def _unwrap_named(self, name: str) -> bytes:
        return crypto.unseal(self.wrap_key, self.store.key(name),
                             crypto.aad(f"key:{name}", self.vault_id))

    def check_box_key(self) -> None:
        """The box key pair, if the vault has one, is the vault's own."""
        if self.store.key_or_none("box") is not None:
            self.box_secret()

    def ensure_box_key(self) -> None:
        """The box key pair for records written while locked. Vaults made
        before it existed get one at their next unlock."""
        if self.store.key_or_none("box") is None:
            secret = crypto.random_key()
            self.store.put_key("box", crypto.seal(self.wrap_key, secret,
                                                  crypto.aad("key:box", self.vault_id)))
            self.store.put_key(BOX_PUBLIC, crypto.box_public_key(secret))
        self.box = self.box_secret()

    def box_secret(self) -> bytes:
        try:
            secret = self._unwrap_named("box")
        except CryptoError:
            raise IntegrityError("the vault's keys failed authentication") from None
        public = self.store.key_or_none(BOX_PUBLIC)
        if public is None or not crypto.equal(crypto.box_public_key(secret), public):
            raise IntegrityError("the vault's public box key was replaced (tampering)")
        return secret

    def ensure_capture_key(self) -> None:
        """The capture key that authenticates notes sealed while locked
        (capture.py). Vaults made before it existed get one at their next
        unlock."""
        if self.store.key_or_none("capture") is None:
            self.store.put_key("capture", crypto.seal(self.wrap_key, crypto.random_key(),
                                                      crypto.aad("key:capture", self.vault_id)))
        self.capture = self.capture_secret()

    def capture_secret(self) -> bytes | None:
        """The capture key, or None in a vault that has none yet."""
        if self.store.key_or_none("capture") is None:
            return None
        try:
            return self._unwrap_named("capture")
        except CryptoError:
            raise IntegrityError("the vault's keys failed authentication") from None

    def blind(self, form: str) -> bytes:
        """The blind index of a name already in records.blind_form."""
        return crypto.keyed_hash(self._index, b"client-vault/v1/name\x00"
                                 + form.encode("utf-8"))

    def pseudonym_key(self) -> bytes:
        """A secret kept by the vault for `export-anonymized --stable-pseudonyms`,
        derived from the index key so it needs no row of its own."""
        return crypto.derive_key(self._index, b"client-vault/v1/pseudonym")

    # -- client data keys ----------------------------------------------

    def wrap_client_key(self, client_id: int, uid: bytes, blind: bytes, key: bytes) -> bytes:
        return crypto.seal(self.wrap_key, key, self._client_key_aad(client_id, uid, blind))

    def client_key(self, row: ClientRow) -> bytes:
        try:
            return crypto.unseal(self.wrap_key, row.wrapped_key,
                                 self._client_key_aad(row.id, row.uid, row.blind))
        except CryptoError:
            raise IntegrityError(f"client {row.id}: key failed authentication") from None

    def _client_key_aad(self, client_id: int, uid: bytes, blind: bytes) -> bytes:
        # The opaque id and the blind index are bound to the client's key, so
        # neither can be swapped between clients unnoticed.
        return crypto.aad("client-key", self.vault_id, client_id, client_id) + uid + blind
