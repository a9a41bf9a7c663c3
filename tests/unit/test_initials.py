"""Issue 14, eleventh session: a client's initial alone, in the client's own
note, is the client's name (text/initials.py): as the subject before a
verb, before "'s", or alone where a note or an e-mail is signed. Not in
another client's note, not "I" or "A" the words, not SOAP's "S:", not a
letter inside a term ("Plan B", "Hep B")."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault.text import initials
from vault.text.anonymize import Anonymizer, Person

from ..checks import ok

SANDHU = Person(("Sukhdev Sandhu",), "Client-0002")
RIVERS = Person(("Paul Rivers", "Pauly"), "Client-0001")
BERG = Person(("Anna Berg",), "Client-0003")
ISLA = Person(("Isla Tran",), "Client-0004")
EVERYONE = (SANDHU, RIVERS, BERG, ISLA)


def out(text: str, client: Person) -> str:
    return Anonymizer(list(EVERYONE)).text(text, day_offset=0, client=client)


@pytest.mark.parametrize("text,client,expected", [
    ("S rang re the boundary dispute.", SANDHU, "Client-0002 rang re the boundary dispute."),
    ("Photos taken. S has the 2004 plan.", SANDHU, "Photos taken. Client-0002 has the 2004 plan."),
    ("S's wife will email the deeds.", SANDHU, "Client-0002's wife will email the deeds."),
    ("Hard one today. P. disclosed the loan.", RIVERS, "Hard one today. Client-0001 disclosed the loan."),
    ("R raised his voice in the meeting.", RIVERS, "Client-0001 raised his voice in the meeting."),
    ("Is the pension taxed twice?\nS", SANDHU, "Is the pension taxed twice?\nClient-0002"),
    ("Thanks for today, S", SANDHU, "Thanks for today, Client-0002"),
    ("A. had a bad week.", BERG, "Client-0003 had a bad week."),
])
def test_the_clients_initial_alone_is_their_name_in_their_note(text, client, expected):
    assert out(text, client) == expected


@pytest.mark.parametrize("text,client", [
    ("S rang re the boundary dispute.", RIVERS),       # another client's note
    ("S: reports pain. O: afebrile. A: stable. P: continue.", SANDHU),
    ("Plan B is fine. Vitamin D low. Hep B. S stage noted.", SANDHU),
    ("I said A was fine. A had a bad week.", BERG),     # the words "I" and "A"
    ("I rang the surgery. I think so.", ISLA),          # "I" is never an initial
    ("Score: S. Grade S on the scale.", SANDHU),
    ("S-shaped curve. S1 S2 normal.", SANDHU),
])
def test_a_letter_that_is_no_initial_of_this_notes_client_stays(text, client):
    assert out(text, client) == text


def test_without_the_client_nothing_changes():
    text = "S rang re the boundary dispute."
    assert Anonymizer(list(EVERYONE)).text(text) == text


def test_the_initials_are_first_name_surname_and_aliases_not_i():
    assert initials.client_initials(("Sukhdev Sandhu", "Dev")) == frozenset("SD")
    assert initials.client_initials(("Isla Tran",)) == frozenset("T")


@given(st.lists(st.sampled_from(["Pain", "very", "better", "today", "Plan", "B", "vitamin", "D",
                                 "S:", "O:", "A:", "stable", "the", "stage", "S1", "and",
                                 "Grade", "result", ".", ",", "\n", "S", "S."]),
                min_size=1, max_size=30))
def test_prose_without_a_letter_as_subject_comes_through(words):
    text = " ".join(words)
    # (no verb of the rule's list among the words: a letter found can only
    # be a signature, alone at the end of its line)
    spans = initials.find(text, SANDHU.names, SANDHU.replacement)
    for m in spans:
        after = text[m.end:].lstrip(" \t")
        assert after == "" or after[0] in "\n\"”", (text, m)


# -- through the real CLI -------------------------------------------------------------

def test_the_export_replaces_the_initial_in_the_clients_own_note(vault_env):
    ok(vault_env.run("add", "Sukhdev Sandhu", "-m",
                     "S rang re the boundary dispute. S's wife will email.", "--new"))
    ok(vault_env.run("add", "Paul Rivers", "-m", "S rang about the invoice.", "--new"))
    path = vault_env.root / "out.jsonl"
    ok(vault_env.run("export-anonymized", "--dates", "keep", "-o", str(path)))
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    sandhu = next(t for t in texts if "dispute" in t)
    rivers = next(t for t in texts if "invoice" in t)
    assert not sandhu.startswith("S ") and "Client-" in sandhu and "S's" not in sandhu, sandhu
    assert rivers == "S rang about the invoice.", rivers
