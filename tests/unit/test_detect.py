"""detect: the one detector set behind both `vault redact --pii` (`find`)
and the anonymized export (`find_all`).

Covers: the one Span type (frozen, ordered, its date match ignored in
comparisons); which kinds --pii removes and which it leaves to the export
(dates, ages, URLs, bare digit runs); the phone numbers --pii used to miss
(issue 11), found with the same boundaries the export replaces; what else
--pii finds since the detectors were unified (worded SSNs, addresses,
postcodes, record numbers, phone extensions); and, with hypothesis: find
never raises and returns sorted, disjoint, in-bounds spans of --pii kinds;
find covers every span of those kinds that find_all reports (so everything
the export replaces with them); redacting with find keeps every character
outside its spans, in order; find_all's spans are in bounds and of known
kinds; on text made of personal data and plain words, --pii and the export
replace exactly the same strings.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vault.text import detect, redact
from vault.text.anonymize import Anonymizer
from vault.text.span import Span

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

PII = {"EMAIL", "PHONE", "SSN", "CARD", "IBAN", "IP", "ADDRESS", "POSTCODE", "ID"}


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start:s.end]) for s in detect.find(text)]


def exported(text: str, dates: str = "keep") -> str:
    """The export's text with nobody known: only the detectors. The towns
    these tests name are released with --keep (the export replaces places
    since issue 14; --pii does not)."""
    return Anonymizer([], dates=dates, keep=("Berlin", "London")).text(text)


def redacted(text: str) -> str:
    """--pii's result written with the export's placeholders."""
    return redact.apply(text, detect.find(text)).replace("[REDACTED:", "[")


# -- the span type -------------------------------------------------------------------

def test_one_span_type_for_detectors_and_redaction():
    assert detect.Span is Span is redact.Span
    m = re.match(r"\d+", "2024")
    s = Span(0, 4, "DATE:iso", m)
    assert s == Span(0, 4, "DATE:iso") and s.match is m
    assert sorted([Span(3, 4, "IP"), Span(0, 9, ""), Span(0, 2, "")]) == [
        Span(0, 2, ""), Span(0, 9, ""), Span(3, 4, "IP")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.end = 5  # type: ignore[misc]
    text = "Born 5 March 2024, call +44 20 7946 0958."
    assert all(isinstance(f, Span) for f in detect.find_all(text, detect.PHONE_REGIONS, True))
    assert all(f.match is None for f in detect.find(text))


def test_the_kinds_pii_removes():
    assert detect.PII_KINDS == PII
    assert PII <= set(detect.PRIORITY)


@pytest.mark.parametrize("text,export", [
    ("Seen on 5 March 2024 and 2024-03-12.", "Seen on 2024 and 2024."),   # dates
    ("Her father is a 93-year-old widower.", "Her father is a [AGE] widower."),
    ("Forms at https://example.com/forms/intake", "Forms at [URL]"),
    ("Paid 150000 in total.", "Paid [ID] in total."),   # a bare run of six digits
])
def test_what_pii_leaves_to_the_export(text, export):
    assert detect.find(text) == []
    assert exported(text, dates="year") == export


# -- phone numbers --pii used to miss (issue 11) -----------------------------------------

@pytest.mark.parametrize("text,phone", [
    ("Berlin office 030 901820, ask for the desk.", "030 901820"),
    ("New mobile 0412 345 678 since the move.", "0412 345 678"),
    ("Reach her on 06 12 34 56 78 in the evenings.", "06 12 34 56 78"),
    ("Crisis line tel: 555-0142, any time.", "555-0142"),
    ("Office (02) 9876 5432 or +91 98765 43210.", "(02) 9876 5432"),
    ("Call 415-555-2671 ext. 12 after six.", "415-555-2671 ext. 12"),
])
def test_phone_numbers_the_export_replaces_are_found(text, phone):
    assert ("PHONE", phone) in found(text)
    assert redacted(text) == exported(text)


@pytest.mark.parametrize("text", ["scores 2 2 2 2 2 2 2 on the scale", "rated 3 4 3 4 3 4 3 4",
                                  "items 1-2-1-2-1-2-1 in order"])
def test_single_digits_side_by_side_are_not_a_phone_number(text):
    """A row of scores or counts is not written like a phone number (a
    hypothesis test of dates drew "2 2 2 2 2 2 2" and got [PHONE])."""
    assert not [k for k, _ in found(text) if k == "PHONE"]
    assert exported(text) == text


def test_single_digits_after_a_phone_word_are_still_a_phone_number():
    assert found("Her phone: 2 2 2 2 2 2 2, any time.") == [("PHONE", "2 2 2 2 2 2 2")]
    assert found("scores 2 2 2 2 2 2 2") == []


# -- what else --pii finds now ---------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("SSN 123 45 6789 on file", [("SSN", "123 45 6789")]),
    ("social security number: 123456789", [("SSN", "123456789")]),
    ("Moved to 221B Baker Street, London NW1 6XE.",
     [("ADDRESS", "221B Baker Street"), ("POSTCODE", "NW1 6XE")]),
    # (the unit after an address joins it: one address, one placeholder)
    ("Now at Hauptstraße 12, Apt 4B.", [("ADDRESS", "Hauptstraße 12, Apt 4B")]),
    ("12 Oak Street, Springfield, IL 62704", [("ADDRESS", "12 Oak Street, Springfield, IL 62704")]),
    ("Referral MRN 00123456, Claim #A12-3456.", [("ID", "00123456"), ("ID", "A12-3456")]),
])
def test_more_personal_data_is_found(text, expected):
    assert found(text) == expected
    assert redacted(text) == exported(text)


def test_overlapping_spans_are_joined_under_the_first_kind():
    # "NY 10001" is a postcode inside the address's tail: one span, ADDRESS.
    text = "at 350 5th Ave, New York, NY 10001 today"
    assert found(text) == [("ADDRESS", "350 5th Ave, New York, NY 10001")]


# -- properties ----------------------------------------------------------------------------

lookalike = st.text(alphabet="0123456789 -+().:/#@abcdefxtGBDEWSTNMRZIP\n\u00a0ë", max_size=120)
# Words the detectors look for and digit groups, joined by separators: reaches
# phone windows, keywords and tails that random characters rarely do (the
# export's phones that --pii missed before issue 11 turn up within a few
# hundred examples).
token = st.one_of(
    st.sampled_from(["tel:", "mobile", "call", "MRN", "SSN", "age", "ZIP", "Apt", "Street",
                     "Baker Street", "Springfield, IL", "NY", "NW1", "6XE", "+44", "+1", "(",
                     ")", "@", "jo", "example.com", "ext.", "x", "on", "March", "GB82", "WEST",
                     "4111 1111 1111 1111", "123-45-6789", "192.168.1.20", "2001:db8::1",
                     "MRN 1234567", "NY 10001", "12 Baker Street", "SSN 123 45 6789"]),
    st.from_regex(r"\d{1,5}", fullmatch=True))
tokens = st.lists(st.tuples(token, st.sampled_from([" ", " ", "", "-", ".", ", ", ":", "/"])),
                  min_size=2, max_size=16).map(lambda ts: "".join(t + s for t, s in ts))
any_text = st.one_of(tokens, st.text(max_size=200), tokens, lookalike)


def check_well_formed(text: str, spans: list[Span]) -> None:
    prev_end = 0
    for s in spans:
        assert isinstance(s, Span) and s.kind in PII
        assert prev_end <= s.start < s.end <= len(text), spans  # sorted, disjoint
        prev_end = s.end


@SETTINGS
@given(any_text)
def test_find_returns_sorted_disjoint_spans_within_the_text(text):
    check_well_formed(text, detect.find(text))


@SETTINGS
@given(any_text)
@example("tel: March +1 000 000 ")   # the month masked only in the export's pass (CI, once)
def test_find_covers_every_span_of_its_kinds_that_the_export_may_replace(text):
    covered = {i for s in detect.find(text) for i in range(s.start, s.end)}
    for f in detect.find_all(text, detect.PHONE_REGIONS, True):
        if f.kind in PII:
            assert set(range(f.start, f.end)) <= covered, (f, text[f.start:f.end])


@SETTINGS
@given(any_text)
def test_text_outside_the_spans_is_untouched_and_in_order(text):
    spans = detect.find(text)
    expected, pos = [], 0
    for s in spans:
        expected += [text[pos:s.start], f"[REDACTED:{s.kind}]"]
        pos = s.end
    expected.append(text[pos:])
    assert redact.apply(text, spans) == "".join(expected)


@SETTINGS
@given(any_text, st.booleans())
def test_find_all_spans_are_within_the_text_and_of_known_kinds(text, month_first):
    for f in detect.find_all(text, ("GB", *detect.PHONE_REGIONS), month_first):
        assert 0 <= f.start < f.end <= len(text)
        assert f.kind.split(":")[0] in detect.PRIORITY
        assert (f.match is not None) == f.kind.startswith("DATE:")


PLANTED = ["jane.doe@example.com", "+44 20 7946 0958", "030 901820", "mobile 0412 345 678",
           "06 12 34 56 78", "tel: 555-0142", "123-45-6789", "SSN 123 45 6789",
           "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", "192.168.1.20",
           "2001:db8::1", "221B Baker Street", "London NW1 6XE", "MRN 00123456",
           "415-555-2671 x123"]
# Plain words: no phone, record or age keyword, nothing capitalised.
WORDS = ["she", "said", "the", "was", "fine", "and", "then", "left", "for", "home", "at", "noon"]
sentence = st.lists(st.one_of(st.sampled_from(PLANTED), st.sampled_from(WORDS)),
                    min_size=1, max_size=12)


@SETTINGS
@given(sentence, st.sampled_from([", ", "; ", " and "]))
def test_pii_and_the_export_replace_the_same_strings(parts, sep):
    # (Not " ": two numbers side by side with only a space between read as
    # one run of digits, which neither takes for a phone number and the
    # export replaces as a bare ID, a kind --pii leaves.)
    text = sep.join(parts)
    assert redacted(text) == exported(text)


@SETTINGS
@given(st.sampled_from(PLANTED), st.lists(st.sampled_from(WORDS), max_size=6),
       st.lists(st.sampled_from(WORDS), max_size=6))
def test_a_planted_value_is_removed(value, before, after):
    text = " ".join([*before, value, *after])
    result = redact.apply(text, detect.find(text))
    # Every part with a digit goes ("tel:" or "MRN" in front may stay).
    for part in value.split():
        assert not any(c.isdigit() or c == "@" for c in part) or part not in result, result
