"""The residual-risk report lists a word where an organisation stands and a
month in lower case (vault/text/cued.py): what the detectors leave because
the word alone is ordinary or a term, and a reviewer must see."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from vault.text.anonymize import Anonymizer, Person
from vault.text.residual import candidates

from ..checks import ok


def listed(text: str) -> dict[str, str]:
    return {c.word: c.why for c in candidates(text)}


def test_a_term_or_a_lower_case_name_where_a_firm_stands_is_listed():
    for text, word in (("Brokerage with Vanguard, checking at RBC. Moved in May.", "RBC"),
                       ("Previously treated at mayo for migraines.", "mayo"),
                       ("She banks with hsbc and is insured through aetna.", "aetna"),
                       ("Works at CBT three days a week.", "CBT")):
        assert listed(text).get(word) == "a word where a firm stands", (text, listed(text))


def test_a_venue_a_drug_or_a_word_after_other_verbs_is_not():
    for text, word in (("Seen at ED overnight, admitted to ICU.", "ED"),
                       ("Admitted to ICU for two nights.", "ICU"),
                       ("Treated with oral vancomycin.", "oral"),
                       ("Referred to coach Tamika.", "coach"),
                       ("She works at home on Fridays.", "home"),
                       ("Seen at the clinic on Monday.", "the")):
        assert word not in listed(text), (text, listed(text))


def test_a_month_in_lower_case_is_listed_alone_and_not_inside_a_word():
    found = listed("she doesn't want to go before the baby is born (feb). oct was hard.")
    assert found.get("feb") == found.get("oct") == "a month in lower case"
    # (after "since" the export shifts the month: what is left is not the note's)
    assert "oct" not in listed("better since oct.")
    # (beside a day it is a date the export shifted)
    assert not {"oct", "feb"} & set(listed("start date oct 11; due 3 feb."))
    for text in ("the octet played; a novel; an augmented dose", "in March and may",
                 "feb-like", "junebug"):
        assert not any(why == "a month in lower case" for why in listed(text).values()), text


PROSE = st.lists(st.sampled_from(
    "the patient reported better sleep this week and plans to walk daily with her "
    "sister after work while reviewing goals budget stress notes".split()),
    min_size=1, max_size=40).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(PROSE)
def test_ordinary_prose_lists_nothing_by_these_rules(text):
    assert not any(why in ("a word where a firm stands", "a month in lower case")
                   for why in listed(text).values())


def test_the_exports_report_lists_them_through_the_cli(vault_env):
    ok(vault_env.run("add", "Constance Ogilvie", "--new", "-m",
                     "Constance, savings at ACE, insured through aetna; next visit (feb)."))
    out, report = vault_env.root / "out.jsonl", vault_env.root / "report.json"
    ok(vault_env.run("export-anonymized", "-o", str(out), "--report", str(report)))
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    found = {c["text"]: c for c in json.loads(report.read_text(encoding="utf-8"))["candidates"]}
    for word, why in (("ACE", "a word where a firm stands"), ("aetna", "a word where a firm stands"),
                      ("feb", "a month in lower case")):
        assert found[word]["why"] == why
        assert record["text"][found[word]["start"]:found[word]["end"]] == word
    assert "Constance" not in record["text"]


def test_the_anonymizers_suspects_count_them():
    anonymizer = Anonymizer([Person(("Constance Ogilvie",), "Client-0001")])
    out = anonymizer.text("Checking at EMS since oct; the move (feb).", day_offset=11)
    assert "since nov" in out   # shifted by the export, so not listed
    assert {word for word, _ in anonymizer.suspects()} >= {"EMS", "feb"}
    assert "nov" not in {word for word, _ in anonymizer.suspects()}
