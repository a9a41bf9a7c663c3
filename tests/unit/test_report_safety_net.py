"""The residual-risk report as a safety net (vault/text/leftover.py): what
the export leaves in a form only a detector knows (contact details, codes,
postcodes, user names), names their neighbours give away and ages over 89
in words, listed whole; and what must never be listed (drugs, clinical
terms, units, forms, dates, amounts, placeholders, pseudonyms)."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from vault.text import leftover
from vault.text.anonymize import Anonymizer, Person
from vault.text.residual import candidates

from ..checks import ok


def listed(text: str) -> dict[str, str]:
    return {c.word: c.why for c in candidates(text)}


def reasons(text: str) -> set[str]:
    return set(listed(text).values())


CONTACT = [("Email gfinch55@example.com for copies.", "gfinch55@example.com", "an e-mail address left"),
           ("Link: https://zoom.us/j/84412290011 today.", "https://zoom.us/j/84412290011",
            "a web address left"),
           ("Sessions on doxy.me/drahmadi.", "doxy.me/drahmadi", "a web address left"),
           ("Call 503-555-0182 after six.", "503-555-0182", "a number in groups (a phone or an account)"),
           ("Call (503) 555-0144 after six.", "(503) 555-0144", "a number in groups (a phone or an account)"),
           ("SSN 632-41-8802 on the form.", "632-41-8802", "a number in groups (a phone or an account)"),
           ("Logged in from 203.0.113.77 twice.", "203.0.113.77",
            "a number in groups (a phone or an account)"),
           ("EIN 88-4192037 for the LLC.", "88-4192037", "a number in groups (a phone or an account)"),
           ("Sort code 60-83-71, account closed.", "60-83-71", "a number in groups (a phone or an account)")]


def test_contact_details_left_whole_are_listed_whole():
    for text, word, why in CONTACT:
        found = listed(text)
        assert found.get(word) == why, (text, found)
        # the words inside are not listed again
        assert not [w for w in found if w != word and w in word], (text, found)


def test_numbers_that_are_dates_amounts_ranges_or_plans_are_not():
    for text in ("Seen 2024-03-05 and 05.03.2024.", "Years 2019-2023 at the firm.",
                 "Paid $1,234,567 in total.", "A 30-60-90 day plan.", "Times 10.30-11.45 agreed.",
                 "Version 1.2.3 of the form.", "BP 120/80, HR 72, wt 81.5 kg.",
                 "Metformin 500 mg twice daily.", "Notified 0305. 911 called."):
        assert not reasons(text) & leftover.WHOLE, (text, listed(text))


def test_codes_postcodes_plates_and_user_names_are_listed():
    for text, word, why in (
            ("VIN 2GCEK19T241234567 on file.", "2GCEK19T241234567", "a code starting with a digit"),
            ("Serial 4KR339210 replaced.", "4KR339210", "a code starting with a digit"),
            ("Plan 1EG4-TE5-MK73 renewed.", "1EG4-TE5-MK73", "a code starting with a digit"),
            ("Their ref AT-22-9183 quoted.", "AT-22-9183", "a code starting with a digit"),
            ("Payment ref 4418820219K sent.", "4418820219K", "a code starting with a digit"),
            ("Our ref GL/EMP/0457 on letters.", "GL/EMP/0457", "a code with slashes"),
            ("Postcode NR1 3LY for the ambulance.", "NR1 3LY", "a postcode or a number plate"),
            ("Moved to M5T 1G5 last year.", "M5T 1G5", "a postcode or a number plate"),
            ("Van KX19 ODP written off.", "KX19 ODP", "a postcode or a number plate"),
            ("His handle is lzhang_sf online.", "lzhang_sf", "a user name"),
            ("Transferred to Ward 7C overnight.", "7C", "a ward number"),
            ("Seen on [ORG] 7C overnight.", "7C", "the rest of a replaced name")):
        assert listed(text).get(word) == why, (text, listed(text))


def test_terms_forms_and_files_that_look_like_codes_are_not():
    for text in ("ICD-10-CM code entered.", "Form 1099-MISC and W-2 received.", "Took 200mg at 10am.",
                 "Photo IMG_0412 attached.", "See follow_up list.", "PHQ-9 of 11, GAD-7 of 8.",
                 "Filed the SA100 online.", "Twice 24/7 support.", "Dose 5-10 mg."):
        found = listed(text)
        assert not set(found.values()) & (leftover.WHOLE | {"a ward number", "the rest of a replaced name"}), \
            (text, found)


def test_names_their_neighbours_give_away_are_listed():
    for text, word, why in (
            ("Colleague [PERSON]-Bonsu will cover.", "Bonsu", "the rest of a hyphenated name"),
            ("Statement of BLOOM, [PERSON] attached.", "BLOOM", "a surname before a replaced first name"),
            ("Re: Strand, [PERSON] (ref [ID])", "Strand", "a surname before a replaced first name"),
            ("VALLEY PRESBYTERIAN HOSPITAL\nAdmission note.", "VALLEY PRESBYTERIAN HOSPITAL",
             "an organisation's name in capitals"),
            ("He lives in Portland, OR with his wife.", "OR", "a state or province after a town"),
            ("Lansing MI [POSTCODE] is the address.", "MI", "a state or province after a town"),
            ("She is interviewing with zaptec next week.", "zaptec",
             "a word no list knows where a firm or place stands"),
            ("Pt says she was at brackenfield before.", "brackenfield",
             "a word no list knows where a firm or place stands"),
            ("Daughter works at the walmart in town.", "walmart",
             "a word no list knows where a firm or place stands"),
            ("Spouse teaches at the local school, oakmere primary.", "oakmere",
             "a word no list knows where a firm or place stands"),
            ('Sold the boat "[PERSON] II" last year.', "II", "the rest of a replaced name")):
        assert listed(text).get(word) == why, (text, listed(text))


def test_credentials_languages_specialties_and_clinical_words_are_not():
    for text, word in (("Seen by LCSW, [PERSON] today.", "LCSW"),
                       ("Interpreter: French, [PERSON] present.", "French"),
                       ("ONCOLOGY CLINIC\nReview.", "ONCOLOGY CLINIC"),
                       ("MEMORY CLINIC\nReview.", "MEMORY CLINIC"),
                       ("Anemia from menorrhagia, Hgb 6.4.", "menorrhagia"),
                       ("Treated for urosepsis from Aug 15.", "urosepsis"),
                       ("Signed by [PERSON], MD today.", "MD"),
                       ("Follow-up in [PERSON]-led group.", "led"),
                       ("She works at home on Fridays.", "home"),
                       ("Met at the client's office.", "client's"),
                       ("Picked up from the kids' school.", "kids'"),
                       ("Lunch at the local cafe.", "local")):
        assert word not in listed(text), (text, listed(text))


def test_ages_over_89_in_words_and_prose_are_listed():
    text = ("Mother is 92 and in her nineties, a nonagenarian; [PERSON], 101, turned 102 on "
            "her 96th birthday; his father in his late 90s.")
    found = listed(text)
    for word in ("92", "nineties", "nonagenarian", "101", "102", "96th", "90s"):
        assert found.get(word) == "an age over 89", (word, found)
    for text in ("Temp is 98.6 and HR is 95 bpm.", "She is 95% sure.", "Sats 95, 96 on air.",
                 "Music of the nineties.", "Scored 92 on the test, age 45."):
        assert "an age over 89" not in reasons(text), (text, listed(text))


def test_a_pseudonym_in_an_address_is_not_listed_its_domain_is():
    found = listed("Wrote to Client-3E1A@lawfirm.example.com and cc'd him.")
    assert found == {"lawfirm.example.com": "an e-mail address left"}, found


PROSE = st.lists(st.sampled_from(
    "the patient reported better sleep this week and plans to walk daily with her sister after "
    "work while reviewing goals budget stress notes metformin 500 mg twice [PERSON] Client-0A1B "
    "[ORG] [DATE] [PHONE] 2024 12 , . ; ( ) - / at from in with 98.6 BP 120/80".split()),
    min_size=1, max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(PROSE)
def test_ordinary_prose_placeholders_and_pseudonyms_list_nothing_by_these_rules(text):
    found = [(a, b, why) for a, b, why in leftover.find(text, frozenset())]
    assert not found, (text, found)


def test_the_exports_report_lists_them_through_the_cli(vault_env):
    ok(vault_env.run("add", "Constance Ogilvie", "--new", "-m",
                     "Constance is interviewing with zaptec; she was at brackenfield before."))
    out, report = vault_env.root / "out.jsonl", vault_env.root / "report.json"
    ok(vault_env.run("export-anonymized", "-o", str(out), "--report", str(report)))
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    found = {c["text"]: c for c in json.loads(report.read_text(encoding="utf-8"))["candidates"]}
    assert found["zaptec"]["why"] == "a word no list knows where a firm or place stands"
    assert found["brackenfield"]["why"] == "a word no list knows where a firm or place stands"
    for c in found.values():   # (the JSON's fields as before: text, start, end, why)
        assert record["text"][c["start"]:c["end"]] == c["text"]
    assert "Constance" not in record["text"]


def test_the_anonymizers_suspects_count_them():
    anonymizer = Anonymizer([Person(("Constance Ogilvie",), "Client-0001")])
    anonymizer.text("Constance is interviewing with zaptec; BLOOM, [PERSON] wrote.", day_offset=3)
    anonymizer.text("Constance turned down zaptec; interviewing with zaptec again.", day_offset=3)
    suspects = dict(anonymizer.suspects())
    assert suspects["zaptec"] == 2 and suspects["BLOOM"] == 1, suspects
    assert "Client-0001" not in suspects
