"""Issue 14: the residual-risk report, strict mode, --keep and --also
(text/residual.py, through the Anonymizer).

Covers: the report lists what the export leaves that may identify someone,
with offsets into the anonymized text (a word in capitals outside the
vocabulary, a lower-case name after a title, a word next to a credential,
a code mixing letters and digits, a capitalised word in mid-sentence) and
not drug names, clinical abbreviations, placeholders or pseudonyms; strict
mode replaces what the default leaves and keeps ordinary words; --keep
releases a word the detectors replace (never a registered name); --also
replaces a word in any case, possessive and plural included. With hypothesis: the
report never lists an ordinary or clinical word of a note.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault.text import residual
from vault.text.anonymize import Anonymizer, Person


def listed(text: str) -> dict[str, str]:
    return {c.word: c.why for c in residual.candidates(text)}


def test_the_report_lists_what_may_identify_with_offsets():
    text = "Seen with QUORVEX staff; dr zebulonski agreed. Plan from Ravenholt, MD. Code AB12CD34."
    found = residual.candidates(text)
    assert {c.word for c in found} >= {"QUORVEX", "zebulonski", "Ravenholt", "AB12CD34"}
    for c in found:
        assert text[c.start:c.end] == c.word and c.why


def test_the_report_skips_drugs_abbreviations_placeholders_and_pseudonyms():
    text = ("Client-7F3A on metformin and Lasix; HPI, ROS and CBC fine; BP 120/80. "
            "[PERSON] called [DATE]. Zoloft 50 mg. COPD stable.")
    assert listed(text) == {}


def test_strict_replaces_what_the_default_leaves_and_keeps_words():
    text = "Met QUORVEX at the Foundry, then talked about sleep and work."
    default = Anonymizer([]).text(text)
    strict = Anonymizer([], strict=True).text(text)
    assert "QUORVEX" in default and "QUORVEX" not in strict
    assert "talked about sleep and work" in strict


def test_keep_releases_a_detected_word_but_never_a_registered_name():
    client = Person(("Harold Jennings",), "Client-0001")
    text = "Harold went to Beaverton with Dr. Okonjo."
    out = Anonymizer([client], keep=["Beaverton", "Okonjo", "Harold"]).text(text)
    assert out == "Client-0001 went to Beaverton with Dr. Okonjo."


def test_also_replaces_a_word_in_any_case_possessive_and_plural_but_not_inside_another():
    out = Anonymizer([], also=["bluebell"]).text(
        "Bluebell's dog and BLUEBELL; the Bluebells came; bluebellish stays.")
    assert out == "[REDACTED] dog and [REDACTED]; the [REDACTED] came; bluebellish stays."


def test_suspects_count_words_over_every_text():
    a = Anonymizer([])
    a.text("QUORVEX again.")
    a.text("Met QUORVEX, then ZYLPHAR.")
    assert a.suspects() == [("QUORVEX", 2), ("ZYLPHAR", 1)]


CLINICAL = """patient pt reports denies sleep mood anxiety metformin lisinopril Lasix
    furosemide apixaban HPI ROS CBC BMP CHF COPD BP HR PRN BID mg daily plan goals
    homework CBT DBT session therapy the a and with of""".split()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CLINICAL), min_size=2, max_size=25))
def test_the_report_never_lists_ordinary_or_clinical_words(words):
    text = " ".join(words) + "."
    assert listed(text) == {}, text
