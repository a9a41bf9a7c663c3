"""The words of the professions vault serves, and British spelling, are
ordinary words (ninth session). The dictionary is American English and
general: "Easement was discussed", "Reframing: agreed", "Behaviour
improved" and "Oedema resolved" at a line's start gave [PERSON], since a
capitalised word in no list is taken for a name (79 of 345 sentences made
of legal, accounting, therapy and coaching terms were changed)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vault.text import lexicon
from vault.text.anonymize import Anonymizer, Person

JONES = Person(("Katherine Jones",), "Client-0001")
# Written for this test from general knowledge of the professions' notes.
PROFESSIONS = ("appellee tortfeasor estoppel intestacy easement garnishment conservatorship "
               "superannuation subrogation psychoeducation reframing catastrophizing anhedonia "
               "countertransference derealization hypervigilance dysregulation attunement "
               "onboarding stakeholder upskilling carryforward").split()
BRITISH = ("behaviour behaviours colour counselling travelled organisation organisations "
           "recognised apologise analyse paediatric anaesthetic oesophagus haemorrhage "
           "diarrhoea oedema tumour labour neighbour licence defence catalogue programme "
           "anaemia catastrophising somatisation").split()
TEMPLATES = ("{W} was discussed.", "Plan: {W} next week.", "{W}: agreed.", "{W} improved.")


@settings(max_examples=300, deadline=None)
@given(word=st.sampled_from(PROFESSIONS + BRITISH), template=st.sampled_from(TEMPLATES),
       offset=st.integers(1, 2000))
def test_a_professions_word_or_a_british_spelling_is_left_as_it_is(word, template, offset):
    text = template.format(W=word.capitalize())
    assert Anonymizer([JONES]).text(text, day_offset=offset) == text


def test_british_spelling_is_read_only_for_words_of_the_dictionary():
    for word in BRITISH:
        assert lexicon.is_ordinary(word), word
    # no rule makes a name or a non-word ordinary
    for word in ("gould", "lloyd", "moore", "seymour", "zarquour", "bellise"):
        assert not lexicon.is_ordinary(word) or word in lexicon.ordinary(), word


def test_a_name_after_a_title_is_still_replaced():
    out = Anonymizer([JONES]).text("Discussed with Mr. Gould and Ms. Honour Blake.", day_offset=4)
    assert "Gould" not in out and "Blake" not in out


# Tenth session: the Latin of legal writing and terms of tax, trust and
# coaching writing, in Title Case as a memo writes them.
PHRASES = ("Res Judicata", "Mens Rea", "a Lis Pendens", "Habeas Corpus", "Voir Dire",
           "Force Majeure", "Quantum Meruit", "Pro Rata", "Pro Bono work", "the Settlor",
           "a Quitclaim Deed", "a Backdoor Roth", "Kaizen", "Ikigai", "Growth Mindset",
           "a motion in Limine", "Prima Facie evidence")


@settings(max_examples=200, deadline=None)
@given(phrase=st.sampled_from(PHRASES),
       template=st.sampled_from(("Discussed {W} at length.", "{W} reviewed today.", "Re: {W}.")))
def test_legal_latin_and_coaching_terms_are_left(phrase, template):
    text = template.format(W=phrase)
    assert Anonymizer([JONES]).text(text, day_offset=5) == text


# Tenth session: abbreviations of therapy, immigration, tax and benefits
# writing that were taken for an organisation's initials, and immigration
# forms taken for identifiers.
ABBREVIATIONS = ("TIPP", "EFT", "MBSR", "DACA", "TPS", "PPP", "EIDL", "HDHP", "EOB", "DRG",
                 "I-130", "I-485", "N-400", "DS-160", "I-765")


@settings(max_examples=100, deadline=None)
@given(word=st.sampled_from(ABBREVIATIONS),
       template=st.sampled_from(("Discussed the {W} issue.", "Re: {W} filing.",
                                 "Used {W} today.")))
def test_professional_abbreviations_and_forms_are_left(word, template):
    text = template.format(W=word)
    assert Anonymizer([JONES]).text(text, day_offset=5) == text
