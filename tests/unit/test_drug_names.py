"""Given names that are also drug brands (tenth session): the drug list
made "Camila", "Diane", "Makena" and "Kendrick" ordinary words, so "Camila
called twice" and "Spoke with Kendrick about rent" kept the name. A drug
that is a first name is no longer a word of the vocabulary (the
hand-written list keeps "Allegra", far more often the drug). And British
spelling no longer reads "Boeing" as "being"."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vault.text import lexicon
from vault.text.anonymize import Anonymizer, Person

JONES = Person(("Katherine Jones",), "Client-0001")


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(("Camila", "Diane", "Makena", "Kendrick", "Serina", "Mirna")),
       template=st.sampled_from(("{n} called twice.", "Saw {n} and her mother today.",
                                 "Spoke with {n} about rent.")))
def test_a_given_name_that_is_also_a_drug_is_replaced(name, template):
    text = template.format(n=name)
    assert name not in Anonymizer([JONES]).text(text, day_offset=-40)


def test_drugs_that_are_no_names_stay_words():
    anonymizer = Anonymizer([JONES])
    for text in ("Took Allegra for allergies.", "Started Lisinopril 10 mg.", "Cipro for the UTI."):
        assert anonymizer.text(text, day_offset=-40) == text


def test_boeing_is_no_british_spelling_but_oedema_is():
    assert not lexicon.is_ordinary("boeing")
    assert all(lexicon.is_ordinary(w) for w in ("oedema", "haemoglobin", "diarrhoea", "foetus"))
    assert "Boeing" not in Anonymizer([JONES]).text("Retired from Boeing in May.", day_offset=-40)
