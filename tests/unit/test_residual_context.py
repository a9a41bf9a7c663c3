"""Issue 14, second step: what the residual-risk report lists because of the
words around it (text/residual.py), and what it no longer lists.

Covers, each with a positive and a negative case: a word beside a replaced
name ("[ORG] Team", "[PERSON] UK"), an organisation's name ending in a head
word, numbers of rooms, blocks, streets, houses and records, the rest of a
replaced code, a postcode after an address, a code after a credential, ages
over 89 (digits and words), dates with a month in another language,
initials (dictation lines, before a credential, closing a note), a nickname
in quotes, a state on a plate, after a place or in tax writing, a county,
a capitalised word alone in brackets, a year of birth; and the false alarms
it drops: field labels, job titles, weekdays, headers and abbreviations in
capitals, form numbers and clock times. Strict mode replaces the same kinds
in the text as written and leaves amounts and possessives alone. With
hypothesis: prose made of ordinary words yields no candidate.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault.text import cued, lexicon, residual, strict
from vault.text.anonymize import Anonymizer


def listed(text: str) -> dict[str, str]:
    return {c.word: c.why for c in residual.candidates(text)}


# (text as exported, a word the report must list, why it says) ...
LISTED = [
    ("FAMILY MD: Dr. [PERSON], [ORG] Team", "Team", "next to a replaced name"),
    ("an account at [PERSON] UK, a/c [ID].", "UK", "next to a replaced name"),
    ("Referred to Sung-min [PERSON], MD", "Sung-min", "next to a replaced name"),
    ("a letter for her lawyer (Ms. [PERSON], African Services Committee); done.",
     "African Services Committee", "an organisation's name"),
    ("Resident of [ORG], room 22. Stage 2 pressure injury.", "22", "a room, flat or unit number"),
    ("Her neighbour [PERSON] (unit 610) brings dinner.", "610", "a room, flat or unit number"),
    ("Arrested at 1800 block of [PERSON].", "1800", "a block number (an address)"),
    ("Letter before action to [ORG] at 2 [PERSON].", "2", "a number before a street or a replaced name"),
    ("Mortgage interest on [PERSON] 44, [POSTCODE].", "44", "a house number after a street"),
    ("Medical Record #: 000 482 117", "000 482 117", "a number after a record keyword"),
    ("Pager for on-call: 50311.", "50311", "a number after a record keyword"),
    ("Centrelink ref [ID] 114K", "114K", "the rest of a replaced code"),
    ("cc: Patient, [ADDRESS], NW3", "NW3", "a postcode after an address"),
    ("Attending: [PERSON], M.D. PG41", "PG41", "a code after a credential"),
    ("Discharge summary -- Client-D717, 101M, MRN [ID]", "101M", "an age over 89"),
    ("Elder law. Client-D717 (101) -- trust amendment.", "101", "an age over 89"),
    ("Seen today, aged 94, with her nephew.", "94", "an age over 89"),
    ("Client-E0F3 -- ninety-six and a half, she insists.", "ninety-six and a half",
     "an age over 89 in words"),
    ("Next session le 12 mars.", "12 mars", "a date in another language"),
    ("Interest from 1 mei to year end.", "1 mei", "a date in another language"),
    ("NB/cl  Dictated 2023-03-21", "cl", "initials after a slash (a dictation line)"),
    ("Dr. [PERSON] / sd", "sd", "initials after a slash (a dictation line)"),
    ("pt # [PHONE]. tl RN", "tl", "initials next to a credential"),
    ("Son [PERSON] to be called. gs", "gs", "initials closing the note"),
    ('violence interrupter [PERSON] "Book" [PERSON] connected.', "Book", "a nickname beside a name"),
    ("his cousin's car (2014 [PERSON], MD tag [ID]).", "MD", "a state or province"),
    ("Federal refund $1,912, CA owes $220.", "CA", "a state or province"),
    ("from [ORG], Co. Mayo. Panic attacks.", "Mayo", "a county"),
    ("HH resumed (Interim).", "Interim", "a capitalised word alone in brackets"),
    ("DOB 1927, widowed.", "1927", "a year of birth"),
]


@pytest.mark.parametrize(("text", "word", "why"), LISTED, ids=[w for _, w, _ in LISTED])
def test_the_report_lists_what_the_context_reveals_with_offsets(text, word, why):
    found = {c.word: c for c in residual.candidates(text)}
    assert word in found, (text, found)
    c = found[word]
    assert c.why == why and text[c.start:c.end] == word


# ... and the same kinds of writing where nothing identifies anyone.
NOT_LISTED = [
    ("Wife [PERSON] pregnant, due in spring.", "Wife"),               # a role, starting a sentence
    ("Officer [PERSON] took the statement.", "Officer"),
    ("Seen by [PERSON] RN on the ward.", "RN"),                        # a credential
    ("Started on Zoloft [PERSON] agreed; Medicaid [PERSON] covers it.", "Zoloft"),  # a drug
    ("She left the room early; 22 questions remain.", "22"),
    ("Vehicle: 2015 [PERSON], plate [ID].", "2015"),                   # a year, not a street number
    ("Wt 181 lb, BP 110/64.", "181"),
    ("no 709 needed; no 1099 either.", "709"),
    ("took her P60 to work", "P60"),                                   # a form, nowhere near an address
    ("BP 96/60, HR 96, 26M, walked in.", "96"),
    ("ran for ninety minutes and a hundred people watched", "ninety"),
    ("Next session 12 March; 3 out of 10.", "3 out"),                  # English months are shifted
    ("Walking w/o crutches, and/or a cane.", "o"),
    ("The day went well. Fine.", "Fine"),
    ('She read "Book" reviews.', "Book"),
    ("CA 125 pending.", "CA"),
    ("Available (Tuesday) or (Medicare) cover.", "Tuesday"),
    ("Married in 1974; Form 2553 filed; notified 0305; at 1915.", "1974"),
    ("Admission Date: 06/16/2019    Discharge Date: 06/23/2019", "Date"),
    ("newly promoted Director of Regulatory Affairs; Head of Finance", "Regulatory"),
    ("Attends meetings on Tuesdays and Saturdays.", "Tuesdays"),
    ("B12 1000 mcg daily; metformin 1000 BID.", "1000"),              # a dose
    ("Budget £45-60k to trial; estimates $340-380k.", "45-60k"),       # an amount
    ("Ward 8. Admitted today.", "Ward"),                               # a label, not a first name
    ("DISCHARGE SUMMARY. DOB and MRN on file; PIN reset; DSAR sent.", "DOB"),
]


@pytest.mark.parametrize(("text", "word"), NOT_LISTED, ids=[w for _, w in NOT_LISTED])
def test_the_same_kinds_of_writing_without_a_name_are_not_listed(text, word):
    found = listed(text)
    assert not any(word in w or w in word.split() for w in found), (text, found)


def test_an_organisation_needs_a_word_that_is_not_generic():
    found = listed("Transferred to Mercy General Hospital, then home.")
    assert found["Mercy General Hospital"] == "an organisation's name"
    assert "an organisation's name" not in listed("Seen in the Emergency Department.").values()


def test_a_word_in_capitals_that_is_also_a_surname_is_listed_beside_a_name():
    assert {"JOHN", "WELLS"} <= set(listed("Seen: JOHN WELLS, 3rd floor"))
    assert not listed("HISTORY: WELLS AND SPRINGS WATER. PLAN: REST")


def test_a_phrase_listed_whole_stands_for_its_words():
    found = residual.candidates("(Ms. [PERSON], African Services Committee)")
    assert [c.word for c in found] == ["African Services Committee"]


def test_strict_replaces_the_same_kinds_in_the_text_as_written():
    text = ("Client (101M) lives in room 22, 1800 block of Oak. Next session le 12 mars. "
            "Letter to 2 Malone Park. NB/cl")
    out = Anonymizer([], strict=True, dates="keep").text(text)
    for word in ("101M", "22", "1800", "12 mars", "2 Malone", "/cl"):
        assert word not in out, (word, out)


def test_strict_leaves_amounts_possessives_and_abbreviations():
    text = "Refunded $412,000 to the estate; met at the Foundry; Zorblax's DOB and MRN checked."
    assert [text[s.start:s.end] for s in strict.strict_spans(text)] == ["Foundry", "Zorblax"]
    out = Anonymizer([], strict=True).text(text)
    assert "$412,000" in out and "'s DOB and MRN checked" in out


# Words of the dictionary that no list calls a name or a place. Number words
# are left out: "ninety years" is an age, and listed as one.
ORDINARY = sorted(w for w in lexicon.dictionary()
                  if w.isalpha() and len(w) > 2 and not lexicon.is_name(w)
                  and w not in lexicon.places() and w not in {"ninety", "hundred"})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(ORDINARY), min_size=1, max_size=12),
                min_size=1, max_size=6))
def test_prose_made_of_ordinary_words_yields_no_candidate(sentences):
    # (a sentence's first word before what a firm does is listed on purpose,
    # "Nimbus acquired ...": cued._FIRM_NEXT, tests/unit/test_orgs_again.py)
    sentences = [s for s in sentences if len(s) < 2 or s[1] not in cued._FIRM_NEXT] or [["calm"]]
    text = " ".join(" ".join(s).capitalize() + "." for s in sentences)
    assert listed(text) == {}, text
