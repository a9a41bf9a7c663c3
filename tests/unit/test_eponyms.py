"""Eponyms are not people (tenth session): "Parkinson's disease", "Romberg
negative", "Whipple procedure", "Glasgow Coma Scale", "Gottman method".
The name and place lists know every one of these words, so 93 of 110
sentences written the way clinicians, therapists, lawyers and coaches
write them came out as "[PERSON]'s disease" or "[PLACE] syndrome". A word
before one of eponyms.HEADS is no longer a person, unless a title stands
before it, a person's possessive could stand there ("Maria's test",
"Henderson's motion"), or it is a registered client's name."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from vault.text import eponyms
from vault.text.anonymize import Anonymizer, Person
from vault.text.span import Span

from ..checks import ok

JONES = Person(("Katherine Jones",), "Client-0001")
# Written for this test from clinical, therapy, legal and coaching writing.
SURVIVE = (
    "History of Parkinson's disease, on carbidopa.",
    "Crohn's disease flare last year.",
    "Hodgkin lymphoma in remission.",
    "Cushing syndrome ruled out.",
    "Tourette syndrome since childhood.",
    "Glasgow Coma Scale 15.",
    "Romberg negative.",
    "McMurray test negative, Lachman negative.",
    "Phalen and Tinel positive at the wrist.",
    "Kernig and Brudzinski signs negative.",
    "Epley maneuver performed in clinic.",
    "Status post Whipple procedure.",
    "Hashimoto thyroiditis on levothyroxine.",
    "Huntington disease in father.",
    "Wolff-Parkinson-White pattern on ECG.",
    "Mobitz type II block, Wenckebach ruled out.",
    "Maslow's hierarchy came up.",
    "Gottman method exercises for the couple.",
    "Jungian dream work.",
    "Used Socratic questioning.",
    "Miranda rights were not read.",
    "Daubert motion filed to exclude the expert.",
    "Eisenhower matrix for priorities.",
    "Myers-Briggs type ENFP.",
    "Tetralogy of Fallot repaired.",
    "Stockholm syndrome.",
)


def test_eponyms_in_notes_are_left_as_written():
    anonymizer = Anonymizer([JONES])
    changed = [s for s in SURVIVE if anonymizer.text(s, day_offset=5) != s]
    assert changed == []


# People before the same words: a title, a first name's possessive, a
# possessive before a word any person's takes.
REPLACED = (
    ("Dr. Whipple procedure note reviewed.", "Whipple"),
    ("Seen by Dr. Hodgkin today; Hodgkin lymphoma discussed.", "Dr. Hodgkin"),
    ("Priya's test results were normal.", "Priya"),
    ("Henderson's motion to compel was denied.", "Henderson"),
    ("Okonkwo's position is that the lease ended.", "Okonkwo"),
    ("Addison's disease on hydrocortisone.", "Addison"),   # a girl's name too
)


def test_a_person_before_such_a_word_is_still_replaced():
    anonymizer = Anonymizer([JONES])
    for text, name in REPLACED:
        assert name not in anonymizer.text(text, day_offset=5), text


def test_a_registered_client_named_like_an_eponym_is_replaced_even_there():
    client = Person(("Grace Parkinson",), "Client-00B2")
    out = Anonymizer([client]).text("Parkinson's disease was diagnosed in Parkinson.", day_offset=5)
    assert "Parkinson" not in out and out.count("Client-00B2") == 2


FIRSTS = ("Maria", "James", "Priya", "Ahmed", "Olivia", "Chen", "Fatima", "Noah", "Sofia")
SURNAMES = ("Okafor", "Kowalski", "Nakamura", "Henderson", "Delgado", "Whitaker", "Fenwick")


@settings(max_examples=200, deadline=None)
@given(first=st.sampled_from(FIRSTS), head=st.sampled_from(sorted(eponyms.HEADS)),
       verb=st.sampled_from(("was", "is", "came", "went")))
def test_a_first_names_possessive_before_any_head_is_replaced(first, head, verb):
    text = f"Her daughter {first}'s {head} {verb} discussed today."
    assert first not in Anonymizer([JONES]).text(text, day_offset=5)


@settings(max_examples=200, deadline=None)
@given(surname=st.sampled_from(SURNAMES), head=st.sampled_from(sorted(eponyms.HEADS)),
       title=st.sampled_from(("Dr.", "Mr.", "Mrs", "Ms", "Prof.", "Judge")))
def test_a_name_after_a_title_before_any_head_is_replaced(surname, head, title):
    text = f"Spoke with {title} {surname} {head} today."
    assert surname not in Anonymizer([JONES]).text(text, day_offset=5)


@settings(max_examples=200, deadline=None)
@given(surname=st.sampled_from(SURNAMES),
       after=st.sampled_from(("called", "said the chart", "chart", "case", "family", "hearing")))
def test_words_that_are_no_eponyms_heads_change_nothing(surname, after):
    text = f"Ms. {surname} {after} today."
    assert surname not in Anonymizer([JONES]).text(text, day_offset=5)
    span = Span(4, 4 + len(surname), "PERSON")
    assert not eponyms.is_eponym(text, span)


def test_an_organisation_ending_in_a_head_word_is_no_eponym():
    text = "Retained Huang Injury Law for the claim."
    assert not eponyms.is_eponym(text, Span(9, 25, "ORG"))
    assert eponyms.is_eponym("Glasgow Coma Scale 15", Span(0, 18, "PERSON"))


def test_the_export_keeps_eponyms_and_replaces_the_people(vault_env):
    note = ("Dr. Okonjo notes Romberg negative and Parkinson's disease stable; "
            "daughter Zebedee's test results normal.")
    ok(vault_env.run("add", "Harold Jennings", "-m", note, "--new"))
    out = ok(vault_env.run("export-anonymized", "--dates", "keep")).stdout
    (text,) = [json.loads(line)["text"] for line in out.splitlines()]
    assert "Romberg negative" in text and "Parkinson's disease stable" in text
    for name in ("Okonjo", "Zebedee", "Harold", "Jennings"):
        assert name not in text, name


def test_a_firm_before_a_head_any_firm_takes_is_kept():
    # "test", "method", "approach" follow a firm too ("Acme Diagnostics test
    # center"); "disease" and "syndrome" do not
    text = "Sent to Acme Diagnostics test center."
    assert not eponyms.is_eponym(text, Span(8, 24, "ORG"))
    assert "Acme" not in Anonymizer([JONES]).text(text, day_offset=5)
    assert eponyms.is_eponym("History of Parkinson's disease", Span(0, 20, "ORG"))
