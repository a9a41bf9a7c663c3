"""A note written in capitals, as clinical systems print them (ninth
session): two words of a line around a comma are no "SURNAME, FIRST"
unless they are names ("CRACKLES, NO WHEEZES" gave [PERSON]), and the
examination's shorthand is no organisation ("ABD: SOFT", "EXT: NO EDEMA"
gave [ORG])."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vault.text.anonymize import Anonymizer, Person

RAY = Person(("Nathan Ray",), "Client-0001")
EXAM = ("HEENT: NCAT, PERRLA, EOMI, MMM. NECK: JVP 10 CM, NO BRUITS.",
        "CHEST: BIBASILAR CRACKLES, NO WHEEZES. CV: RRR, S1 S2.",
        "ABD: SOFT, NT/ND, +BS. EXT: 2+ PITTING EDEMA TO KNEES BILATERALLY.",
        "NEURO: CN II-XII INTACT, STRENGTH 5/5 THROUGHOUT. DTRS 2+.",
        "2. AKI: LIKELY CARDIORENAL, TREND CREATININE, AVOID NEPHROTOXINS.",
        "LINES: FOLEY REMOVED, PIV X2, OGT TO LIWS. UOP 40 CC/HR.")


def test_an_examination_in_capitals_is_left_as_it_is():
    for line in EXAM:
        assert Anonymizer([RAY]).text(line, day_offset=5) == line


def test_surname_first_in_capitals_is_still_a_person():
    for line, gone in (("Patient: JONES, KATHERINE", "JONES"), ("OKAFOR, CHIDI called", "OKAFOR"),
                       ("cc: SMITH, JOHN", "SMITH"), ("Attending: FOOTE, ZACHARY", "FOOTE")):
        out = Anonymizer([RAY]).text(line, day_offset=5)
        assert gone not in out and "[PERSON]" in out, (line, out)


WORDS = ["CRACKLES", "NO", "INTACT", "STRENGTH", "SOFT", "TREND", "STABLE", "CLEAR", "NORMAL",
         "EDEMA", "WHEEZES", "TENDER", "WARM", "DRY", "REGULAR", "RATE", "RHYTHM"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(WORDS), st.sampled_from(WORDS))
def test_two_words_of_an_examination_around_a_comma_are_no_name(a, b):
    line = f"EXAM: {a}, {b} ON THE LEFT."
    assert Anonymizer([RAY]).text(line, day_offset=5) == line
