"""codec.py: padded JSON records round-trip, and hostile bytes never crash."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault import codec
from vault.errors import IntegrityError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20)
records = st.dictionaries(st.text(max_size=20), json_values, max_size=8)


@settings(max_examples=300)
@given(records)
def test_pack_unpack_round_trips(obj):
    assert codec.unpack(codec.pack(obj)) == obj


@given(st.integers(0, 10**8))
def test_padded_size_covers_length_within_twelve_percent(n):
    size = codec.padded_size(n)
    assert size >= max(n, codec.MIN_PADDED)
    if n > codec.MIN_PADDED:
        assert size <= n * 1.12 + 1


@given(st.integers(0, 10**7), st.integers(0, 10**7))
def test_padded_size_is_monotonic(a, b):
    if a <= b:
        assert codec.padded_size(a) <= codec.padded_size(b)


def test_lengths_in_one_bucket_give_one_size():
    # Notes of 1000 and 1010 characters are indistinguishable by size.
    assert len(codec.pack({"t": "x" * 1000})) == len(codec.pack({"t": "x" * 1010}))


@settings(max_examples=500)
@given(st.binary(max_size=600))
def test_unpack_of_arbitrary_bytes_only_raises_integrity_error(data):
    try:
        result = codec.unpack(data)
    except IntegrityError as e:
        assert "malformed" in e.message
    else:
        assert isinstance(result, dict)


@pytest.mark.parametrize("data", [
    b"",
    b"\x00\x00\x00\x10{}",                                   # length past the end
    b"\x00\x00\x00\x02{}" + b"\x01" + bytes(10),             # non-zero padding
    b"\x00\x00\x00\x02[]" + bytes(10),                       # not an object
    b"\x00\x00\x00\x03\"\xff\"" + bytes(10),                 # invalid UTF-8
    b"\x00\x00\x00\x0b{\"a\":NaN }" + bytes(10),              # non-finite number
])
def test_unpack_rejects_malformed_records(data):
    with pytest.raises(IntegrityError):
        codec.unpack(data)


def test_pack_is_canonical():
    packed = codec.pack({"b": 1, "a": "é"})
    length = int.from_bytes(packed[:4], "big")
    assert packed[4:4 + length] == '{"a":"é","b":1}'.encode()
    assert json.loads(packed[4:4 + length]) == {"a": "é", "b": 1}
