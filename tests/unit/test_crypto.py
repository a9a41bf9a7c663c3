"""crypto.py: known answers from independent sources, and failure on any change."""

import json
from pathlib import Path

import nacl.pwhash.argon2id
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault import crypto
from vault.errors import CryptoError
from vault.models import KdfParams

VECTORS = Path(__file__).parent.parent / "vectors"
KEY = bytes(range(32))


def test_aead_matches_the_published_xchacha20poly1305_vector():
    v = json.loads((VECTORS / "aead.json").read_text())
    key, nonce, aad = (bytes.fromhex(v[k]) for k in ("key", "nonce", "aad"))
    sealed = crypto._seal(key, v["plaintext_utf8"].encode(), aad, nonce)
    assert sealed == nonce + bytes.fromhex(v["ciphertext"] + v["tag"])
    assert crypto.unseal(key, sealed, aad) == v["plaintext_utf8"].encode()


def test_kdf_matches_libsodium_argon2id():
    for case in json.loads((VECTORS / "kdf.json").read_text())["cases"]:
        params = KdfParams(case["memory_kib"], case["iterations"], case["parallelism"])
        got = crypto.kdf(case["passphrase_utf8"].encode(), bytes.fromhex(case["salt"]), params)
        assert got.hex() == case["key"]


def test_kdf_agrees_with_libsodium_for_other_inputs():
    salt = bytes(range(100, 116))
    ours = crypto.kdf(b"another passphrase", salt, KdfParams(16 * 1024, 3, 1))
    theirs = nacl.pwhash.argon2id.kdf(32, b"another passphrase", salt, opslimit=3,
                                      memlimit=16 * 1024 * 1024)
    assert ours == theirs


@pytest.mark.parametrize("params", [
    KdfParams(8 * 1024 * 1024, 1, 1),  # 8 GiB: over the cap
    KdfParams(8192, 0, 1),
    KdfParams(8192, 65, 1),
    KdfParams(4, 1, 1),
    KdfParams(8192, 1, 0),
])
def test_kdf_refuses_hostile_parameters_before_running(params):
    with pytest.raises(CryptoError):
        crypto.kdf(b"pw", bytes(16), params)


def test_kdf_refuses_a_short_salt():
    with pytest.raises(CryptoError):
        crypto.kdf(b"pw", bytes(8), KdfParams(8192, 1, 1))


@settings(max_examples=200)
@given(st.binary(max_size=2000), st.binary(max_size=64))
def test_seal_round_trips(plaintext, aad):
    assert crypto.unseal(KEY, crypto.seal(KEY, plaintext, aad), aad) == plaintext


@settings(max_examples=300)
@given(st.binary(min_size=1, max_size=300), st.data())
def test_any_flipped_bit_fails_authentication(plaintext, data):
    sealed = bytearray(crypto.seal(KEY, plaintext, b"aad"))
    i = data.draw(st.integers(0, len(sealed) - 1))
    sealed[i] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(CryptoError):
        crypto.unseal(KEY, bytes(sealed), b"aad")


def test_wrong_key_aad_or_length_fails():
    sealed = crypto.seal(KEY, b"secret", b"here")
    for key, blob, aad in [(bytes(32), sealed, b"here"), (KEY, sealed, b"there"),
                           (KEY, sealed[:-1], b"here"), (KEY, sealed[:39], b"here"),
                           (KEY, b"", b"here"), (bytes(31), sealed, b"here")]:
        with pytest.raises(CryptoError):
            crypto.unseal(key, blob, aad)


def test_two_seals_of_the_same_plaintext_differ():
    assert crypto.seal(KEY, b"x", b"") != crypto.seal(KEY, b"x", b"")


@given(st.sampled_from(["note", "client-meta", "client-key", "log-detail"]),
       st.sampled_from(["note", "client-meta", "client-key", "log-detail"]),
       st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1),
       st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_associated_data_is_distinct_for_distinct_places(k1, k2, r1, r2, c1, c2):
    vid = bytes(16)
    same = (k1, r1, c1) == (k2, r2, c2)
    assert (crypto.aad(k1, vid, r1, c1) == crypto.aad(k2, vid, r2, c2)) == same


def test_associated_data_binds_the_vault_id():
    assert crypto.aad("note", bytes(16), 1, 1) != crypto.aad("note", b"\x01" * 16, 1, 1)


def test_subkeys_differ_by_purpose_and_parent():
    a = crypto.derive_key(KEY, b"client-vault/v1/wrap")
    assert a != crypto.derive_key(KEY, b"client-vault/v1/head")
    assert a != crypto.derive_key(bytes(32), b"client-vault/v1/wrap")
    assert len(a) == 32


def test_signatures_verify_and_fail_on_change():
    seed = bytes(range(32))
    verifier = crypto.Verifier(crypto.sign_public_key(seed))
    sig = crypto.sign(seed, b"message")
    verifier.verify(b"message", sig)
    with pytest.raises(CryptoError):
        verifier.verify(b"messagf", sig)
    with pytest.raises(CryptoError):
        verifier.verify(b"message", bytes(64))
    with pytest.raises(CryptoError):
        crypto.Verifier(b"short")


def test_equal_compares_values():
    assert crypto.equal(b"abc", b"abc")
    assert not crypto.equal(b"abc", b"abd")
