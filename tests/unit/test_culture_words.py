"""A client's faith, language, people, observances, dog and games are no
identifiers (tenth session): "Identifies as Sikh", "Yom Kippur fast",
"Speaks Tigrinya", "Lives with her Labrador", "Plays Minecraft" came out
as [PERSON] or [PLACE] (314 of 489 probe sentences; 31 now). Therapy
notes write them in every cultural formulation. The words that are also
common names stay replaced where a name is replaced, and the places among
them stay places after a place cue."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vault.text.anonymize import Anonymizer, Person

JONES = Person(("Katherine Jones",), "Client-0001")
# Written for this test, not read from the vocabulary.
WORDS = ("Mormon Sikh Shia Sunni Quaker Amish Mennonite Pentecostal Methodist Lutheran "
         "Anglican Hasidic Allah Torah Quran Talmud Shabbat Kwanzaa Juneteenth Sukkot Purim "
         "Seder Kippur Hashanah Maori Inuit Navajo Tigrinya Pashto Hmong Haitian Yoruba "
         "Gujarati Telugu Nepali Burmese Yiddish Ukrainian Labrador Chihuahua Rottweiler "
         "Pomeranian Corgi Minecraft Fortnite Pokemon Sudoku Kleenex QuickBooks").split()
TEMPLATES = ("{W} family, first session.", "Identifies as {W}.", "She mentioned {W} again.",
             "Plan: discuss {W} next week.")


@settings(max_examples=300, deadline=None)
@given(word=st.sampled_from(WORDS), template=st.sampled_from(TEMPLATES),
       offset=st.integers(1, 2000))
def test_such_a_word_is_left_as_it_is(word, template, offset):
    text = template.format(W=word)
    assert Anonymizer([JONES]).text(text, day_offset=offset) == text


def test_observances_of_two_words_and_god_are_left():
    anonymizer = Anonymizer([JONES])
    for text in ("Yom Kippur fast completed without issue.", "Rosh Hashanah services at synagogue.",
                 "Prays to God every morning.", "Bar Mitzvah planning is stressful."):
        assert anonymizer.text(text, day_offset=5) == text


def test_the_places_among_them_are_places_after_a_cue():
    anonymizer = Anonymizer([JONES])
    for text, place in (("Moved to Labrador in 2019.", "Labrador"),
                        ("Grew up in Cherokee County.", "Cherokee"),
                        ("Lives in Newfoundland now.", "Newfoundland")):
        assert place not in anonymizer.text(text, day_offset=5), text


def test_names_that_are_also_such_words_are_still_replaced():
    anonymizer = Anonymizer([JONES])
    for text, name in (("Seen with Dr. Jain today.", "Jain"),
                       ("Her sister Karen called twice.", "Karen"),
                       ("Gita Sharma phoned about the invoice.", "Gita")):
        assert name not in anonymizer.text(text, day_offset=5), text
