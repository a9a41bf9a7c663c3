"""redact.py: finding literal text and patterns, merging spans, and replacing
them with placeholders.

Covers: case-insensitive literal search (Unicode letters, offsets that stay
right next to characters whose lower case is longer), empty needles, patterns
with zero-length matches, merging (order, overlap, containment, the merged
kind), the two placeholder forms, spans at the very start and end; and, with
hypothesis: no spans is the identity, a needle never survives its own
redaction, merged spans are disjoint and cover exactly the union of the
inputs, and text outside the spans is kept exactly, in order.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault.text import detect, redact as spans
from vault.text.redact import Span

PLACEHOLDER = "[REDACTED]"

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def covered(items) -> set[int]:
    return {i for s in items for i in range(s.start, s.end)}


def texts(text, items):
    return [text[s.start:s.end] for s in items]


# -- the type --------------------------------------------------------------------

def test_span_is_the_detectors_span_and_is_frozen():
    assert spans.Span is detect.Span
    s = Span(1, 4, "")
    assert (s.start, s.end, s.kind) == (1, 4, "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.start = 0  # type: ignore[misc]


# -- find_text -------------------------------------------------------------------

def test_find_text_is_case_insensitive_and_finds_every_occurrence():
    text = "Met Zoë. zoë said ZOË would come; Zoey did not."
    found = spans.find_text(text, "zoë")
    assert texts(text, found) == ["Zoë", "zoë", "ZOË"]
    assert all(s.kind == "" for s in found)
    assert [s.start for s in found] == sorted(s.start for s in found)


def test_find_text_offsets_stay_right_after_a_letter_whose_lower_case_is_longer():
    # "İ".lower() is two code points; offsets computed on a lowered copy would
    # point one character too far and cut the wrong text out.
    text = "İstanbul: Zoë Quux"
    found = spans.find_text(text, "zoë quux")
    assert texts(text, found) == ["Zoë Quux"]
    assert spans.apply(text, found) == "İstanbul: [REDACTED]"


def test_find_text_with_an_empty_needle_finds_nothing():
    assert spans.find_text("anything", "") == []
    assert spans.find_text("", "") == []


def test_find_text_takes_the_needle_literally():
    text = "costs $5.00 (approx.) or 5a00"
    assert texts(text, spans.find_text(text, "$5.00")) == ["$5.00"]
    assert texts(text, spans.find_text(text, "(approx.)")) == ["(approx.)"]
    assert spans.find_text(text, "5.0.") == []


def test_find_text_on_text_without_the_needle():
    assert spans.find_text("nothing here", "secret") == []


# -- find_pattern ------------------------------------------------------------------

def test_find_pattern_returns_each_match_as_a_plain_span():
    text = "room 12, floor 3, code 4567"
    found = spans.find_pattern(text, re.compile(r"\d+"))
    assert texts(text, found) == ["12", "3", "4567"]
    assert all(s.kind == "" for s in found)


def test_find_pattern_ignores_zero_length_matches():
    assert spans.find_pattern("abc", re.compile(r"x*")) == []
    text = "a1b"
    assert texts(text, spans.find_pattern(text, re.compile(r"\d*"))) == ["1"]
    assert spans.find_pattern("abc", re.compile(r"\b")) == []


def test_find_pattern_keeps_the_regex_flags():
    text = "Secret and SECRET"
    assert texts(text, spans.find_pattern(text, re.compile("secret", re.I))) == \
        ["Secret", "SECRET"]
    assert texts(text, spans.find_pattern(text, re.compile("secret"))) == []


# -- merge -----------------------------------------------------------------------

def test_merge_sorts_and_joins_overlapping_spans_keeping_the_first_kind():
    merged = spans.merge([Span(20, 25, "IP"), Span(0, 7, "PHONE"), Span(5, 10, "EMAIL")])
    assert merged == [Span(0, 10, "PHONE"), Span(20, 25, "IP")]


def test_merge_swallows_a_contained_span():
    assert spans.merge([Span(0, 10, "EMAIL"), Span(2, 3, "IP")]) == [Span(0, 10, "EMAIL")]


def test_merge_of_nothing_is_nothing():
    assert spans.merge([]) == []


def test_merge_leaves_disjoint_spans_alone():
    items = [Span(0, 2, ""), Span(5, 9, "CARD")]
    assert spans.merge(list(reversed(items))) == items


# -- apply -----------------------------------------------------------------------

def test_apply_uses_the_plain_placeholder_for_text_matches():
    text = "secret in the middle and a secret"
    assert spans.apply(text, spans.find_text(text, "SECRET")) == \
        "[REDACTED] in the middle and a [REDACTED]"


def test_apply_names_the_kind_for_detected_data():
    text = "mail a@b.example now"
    assert spans.apply(text, [Span(5, 16, "EMAIL")]) == "mail [REDACTED:EMAIL] now"


def test_apply_at_the_very_start_and_end_and_over_everything():
    text = "abcdef"
    assert spans.apply(text, [Span(0, 1, "")]) == "[REDACTED]bcdef"
    assert spans.apply(text, [Span(5, 6, "")]) == "abcde[REDACTED]"
    assert spans.apply(text, [Span(0, 6, "IBAN")]) == "[REDACTED:IBAN]"


def test_apply_merges_overlapping_spans_into_one_placeholder():
    # --pattern "ab|bc" on "abc": two overlapping matches, one placeholder.
    assert spans.apply("abcd", [Span(0, 2, ""), Span(1, 3, "")]) == "[REDACTED]d"
    assert spans.apply("xabcx", [Span(2, 4, "SSN"), Span(1, 3, "")]) == "x[REDACTED]x"


def test_apply_keeps_unicode_around_the_spans():
    text = "Zoë — ☎ 555 — ✓"
    found = spans.find_text(text, "555")
    assert spans.apply(text, found) == "Zoë — ☎ [REDACTED] — ✓"


# -- properties --------------------------------------------------------------------

# Letters none of which appear in "[REDACTED]" (in either case), so that a
# needle can only reappear after redaction if the implementation missed it.
# Every pair here folds the same way under str.casefold and re.I.
SAFE = "bBzZxXyYgGëËöÖσΣ 1.-"
safe_text = st.text(alphabet=SAFE, max_size=60)
needles = st.text(alphabet=SAFE, min_size=1, max_size=4)


@st.composite
def text_and_spans(draw):
    text = draw(st.text(max_size=60))
    n = len(text)
    items = []
    if n:
        for _ in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, n - 1))
            end = draw(st.integers(start + 1, n))
            kind = draw(st.sampled_from(["", "EMAIL", "PHONE", "SSN", "CARD", "IBAN", "IP"]))
            items.append(Span(start, end, kind))
    return text, items


@FAST
@given(st.text(max_size=200))
def test_apply_with_no_spans_is_the_identity(text):
    assert spans.apply(text, []) == text


def whole_word_at(text: str, needle: str, i: int) -> bool:
    """An independent statement of "whole word": no word character joins the
    needle on a side where the needle itself ends in a word character."""
    def word(ch: str) -> bool:
        return ch.isalnum() or ch == "_"
    j = i + len(needle)
    return (not (word(needle[0]) and i > 0 and word(text[i - 1]))
            and not (word(needle[-1]) and j < len(text) and word(text[j])))


def whole_word_occurrences(text: str, needle: str) -> list[int]:
    t, n = text.casefold(), needle.casefold()
    return [i for i in range(len(t)) if t.startswith(n, i) and whole_word_at(text, needle, i)]


@FAST
@given(safe_text, needles)
def test_a_needle_never_survives_its_own_redaction(text, needle):
    found = spans.find_text(text, needle)
    # casefold, not lower: "BΣ".lower() ends in a final sigma, "Bσ".lower() does not
    for s in found:
        assert text[s.start:s.end].casefold() == needle.casefold()
    after = spans.apply(text, found)
    assert whole_word_occurrences(after, needle) == []
    if whole_word_occurrences(text, needle):
        assert found


def test_find_text_matches_whole_words_only():
    """Redacting a short name must not eat into longer words (issue 3)."""
    text = "Ann met Anna at the Annual meeting; ANN left. (Ann)"
    assert [text[s.start:s.end] for s in spans.find_text(text, "ann")] == ["Ann", "ANN", "Ann"]
    assert spans.apply("Sleeps badly; sleep better", spans.find_text(
        "Sleeps badly; sleep better", "sleep")) == "Sleeps badly; [REDACTED] better"


@FAST
@given(text_and_spans())
def test_merged_spans_are_disjoint_and_cover_exactly_the_union(case):
    _, items = case
    merged = spans.merge(items)
    assert all(s.start < s.end for s in merged)
    assert all(a.end <= b.start for a, b in zip(merged, merged[1:]))
    assert covered(merged) == covered(items)
    assert spans.merge(merged) == merged
    assert {s.kind for s in merged} <= {s.kind for s in items}


@FAST
@given(text_and_spans())
def test_apply_keeps_every_character_outside_the_spans_in_order(case):
    text, items = case
    after = spans.apply(text, items)
    merged = spans.merge(items)
    if not merged:
        assert after == text
        return
    assert after.startswith(text[:merged[0].start])
    assert after.endswith(text[merged[-1].end:])
    # Rebuild the expected result from the merged spans: gap, placeholder, gap...
    expected, pos = [], 0
    for s in merged:
        expected.append(text[pos:s.start])
        expected.append(f"[REDACTED:{s.kind}]" if s.kind else PLACEHOLDER)
        pos = s.end
    expected.append(text[pos:])
    assert after == "".join(expected)


@FAST
@given(st.text(max_size=80), st.sampled_from([r"\d+", r"[aeiou]", r"x*", r"\s+|\w{2}",
                                                r"(?i)zoë", r"$", r"."]))
def test_find_pattern_spans_are_real_non_empty_matches(text, regex):
    compiled = re.compile(regex)
    found = spans.find_pattern(text, compiled)
    for s in found:
        assert 0 <= s.start < s.end <= len(text)
        assert s.kind == ""
        assert compiled.fullmatch(text, s.start, s.end)
