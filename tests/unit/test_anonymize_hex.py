"""Issue 14: random hex strings (hashes, tokens, commit ids) pass through the
anonymizer unchanged, even when a client's own name holds hex.

The hygiene test (tests/reliability/test_hygiene.py) registers a client
called "Zebulon Quist<6 hex>" and checks that a note "argv note <20 hex>
about sleep" survives the export. It failed in about 4.5% of runs, for four
reasons, each pinned here: a digit run at the start of a hex string was
read as a phone number ("13606271a08d..."), a long digit run after a letter
as a card, a lower-case "ae27..." as an IBAN, and the letter runs after the
digits of the client's name ("fa" and "ad" of "Quistf618ad") became name
parts that matched between digits of the note ("af4ad0").
"""

from __future__ import annotations

import secrets

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault.text import detect
from vault.text.anonymize import Anonymizer, Person

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# With a letter in it: a run of digits alone is a number (a bare run of six
# or more digits is an [ID]); one in 12,000 of the hygiene test's notes.
hex_lower = st.text(alphabet="0123456789abcdef", min_size=8, max_size=64).filter(
    lambda t: not t.isdigit())
hex_upper = st.text(alphabet="0123456789ABCDEF", min_size=8, max_size=64).filter(
    lambda t: not t.isdigit())
name_hex = st.text(alphabet="0123456789abcdef", min_size=6, max_size=6)


@SETTINGS
@given(hex_lower, name_hex)
def test_a_lower_case_hex_string_passes_through_unchanged(token, in_name):
    note = f"argv note {token} about sleep"
    anonymizer = Anonymizer([Person((f"Zebulon Quist{in_name}",), "Client-0001")])
    assert anonymizer.text(note) == note
    assert detect.find(note) == []


@SETTINGS
@given(st.one_of(hex_lower, hex_upper))
def test_no_detector_reads_a_phone_card_or_iban_inside_a_hex_string(token):
    kinds = {s.kind for s in detect.find_all(f"hash {token} ok", ("US", "GB"), True)}
    assert not kinds & {"PHONE", "CARD", "IBAN", "SSN", "BAREID"}


def test_the_cases_that_used_to_fail():
    cases = [("Zebulon Quist54e21e", "argv note 13606271a08d25a300a9 about sleep"),  # phone
             ("Zebulon Quistf618ad", "argv note 35ae27af4ad0e5e7b74a about sleep"),  # "ad"
             ("Zebulon Quistbe59ee", "argv note 189799daab270ce02ee6 about sleep")]  # "ee"
    for name, note in cases:
        assert Anonymizer([Person((name,), "Client-0001")]).text(note) == note


def test_the_name_itself_still_goes():
    token = secrets.token_hex(3)
    anonymizer = Anonymizer([Person((f"Zebulon Quist{token}",), "Client-0001")])
    out = anonymizer.text(f"Met Zebulon Quist{token} today; Zebulon was calm.")
    assert "Zebulon" not in out and "Quist" not in out


def test_a_phone_number_glued_to_letters_is_no_phone_but_one_with_an_extension_is():
    assert "[PHONE]" not in Anonymizer([]).text("ref 4155550142abc")
    assert Anonymizer([]).text("call 415-555-0142x123 today") == "call [PHONE] today"
