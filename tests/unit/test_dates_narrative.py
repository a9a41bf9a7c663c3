"""Months in narrative (tenth session). "Since March he has been sober",
"Last October we stopped", "By June they separated" left the month as
written: a month before a pronoun was taken for "May I ...". And "In
January she started" became "[PERSON] she started": "In" is a given name
in the name lists. Now only "May" before a pronoun is the verb, unless a
preposition stands before it ("In May she moved"); words of grammar are
never names. Also: a year of birth after "DOB" ("DOB 1958", "D.O.B.
1958"), and a month and year written "08-2023"."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vault.text.anonymize import Anonymizer, Person

JONES = Person(("Katherine Jones",), "Client-0001")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@settings(max_examples=300, deadline=None)
@given(month=st.sampled_from(MONTHS),
       before=st.sampled_from(("In", "Since", "Last", "By", "Until", "Early", "From")),
       pronoun=st.sampled_from(("she", "he", "they", "we", "I")),
       offset=st.integers(-180, -1))
def test_a_month_before_a_pronoun_is_shifted_and_nothing_else_changes(month, before, pronoun,
                                                                      offset):
    text = f"{before} {month} {pronoun} moved out."
    out = Anonymizer([JONES]).text(text, day_offset=offset)
    first, shifted, *rest = out.split()
    assert first == before and shifted in MONTHS and shifted != month, out
    assert rest == [pronoun, "moved", "out."], out


def test_may_as_a_verb_is_left():
    anonymizer = Anonymizer([JONES])
    for text in ("May I ask about the letter?", "May she rest in peace.", "May we reschedule?"):
        assert anonymizer.text(text, day_offset=-40) == text


def test_a_word_of_grammar_is_never_a_name():
    out = Anonymizer([JONES]).text("Over Christmas she relapsed. On Tuesday she called.",
                                   day_offset=-40)
    assert out == "Over Christmas she relapsed. On Tuesday she called."


def test_a_year_of_birth_after_dob_is_removed_and_full_dates_are_shifted():
    anonymizer = Anonymizer([JONES])
    for text in ("DOB 1958", "DOB: 1958.", "D.O.B. 1958", "dob 1958 per chart"):
        assert "1958" not in anonymizer.text(text, day_offset=-40), text
    assert anonymizer.text("DOB 1958-03-04", day_offset=-40) == "DOB 1958-01-23"
    assert anonymizer.text("DOB 1958.5 kg", day_offset=-40) == "DOB 1958.5 kg"


def test_a_month_and_year_with_a_hyphen_is_shifted_but_not_inside_a_code():
    anonymizer = Anonymizer([JONES])
    assert anonymizer.text("Seen 08-2023.", day_offset=-40) == "Seen 07-2023."
    assert anonymizer.text("Seen 8-2023.", day_offset=-40) == "Seen 7-2023."
    assert "08-2023" not in anonymizer.text("Case 08-2023-0042", day_offset=-40)
    assert anonymizer.text("Ran 5-10 miles", day_offset=-40) == "Ran 5-10 miles"


def test_given_names_that_are_also_small_words_stay_names():
    anonymizer = Anonymizer([JONES])
    for text, name in (("An Nguyen called twice.", "An"), ("Per Lindqvist is her partner.", "Per"),
                       ("So Yeon Park visited.", "Yeon")):
        assert name not in anonymizer.text(text, day_offset=-40).split(), text
