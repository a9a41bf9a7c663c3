"""Two forms of clinical writing that look alike (ninth session):

- a month and a two-digit year that cannot be a day, which clinical notes
  put after a lab value or a procedure ("HbA1c 7.2 (2/69)", "CABG 6/87"):
  a date, shifted by whole months and written back in its own form;
- a grade, a strength or a rate written like a month and a day ("a 2/6
  systolic murmur", "strength 5/5", "24/7 care"): clinical data, which the
  export used to shift as a date ("5/5" became "6/11").
"""

from __future__ import annotations

import json
import re

from hypothesis import given, settings, strategies as st

from vault.text.anonymize import Anonymizer, Person

from ..checks import ok

JONES = Person(("Katherine Jones",), "Client-0001")


def export(text: str, offset: int = 37) -> str:
    return Anonymizer([JONES]).text(text, day_offset=offset)


def test_a_month_and_two_digit_year_after_a_value_is_shifted_in_its_own_form():
    for text, gone in (("HbA1c 7.2 (2/69), 6.8 (11/68).", ("2/69", "11/68")),
                       ("CABG at the hospital 6/87.", ("6/87",)),
                       ("Echo (1/91): EF 35%.", ("1/91",)),
                       ("Flu shot 10/92 at the pharmacy.", ("10/92",))):
        out = export(text)
        for date in gone:
            assert date not in out, (text, out)
        # the same shape: a month of one or two digits, "/", two digits
        assert len(re.findall(r"\b\d{1,2}/\d\d\b", out)) == len(gone), out


def test_weeks_titres_scores_and_days_are_not_read_as_a_month_and_year():
    for text in ("Recheck BP in 2/52.", "Review in 6/52 if no better.", "ANA 1/40 speckled.",
                 "PHQ-9 score 14/45 today.", "BP 120/80, pulse 72.", "MMSE 28/30."):
        assert export(text) == text, text


@settings(max_examples=150, deadline=None)
@given(month=st.integers(1, 12), year=st.integers(32, 99).filter(lambda y: y != 52),
       offset=st.integers(1, 3000))
def test_every_month_and_two_digit_year_moves_by_whole_months(month, year, offset):
    if month == 1 and year in (40, 64, 80):
        return   # a titre ("1/40"): the test above
    text = f"Creatinine 1.4 ({month}/{year:02d})."
    out = export(text, offset)
    m = re.fullmatch(r"Creatinine 1\.4 \((\d{1,2})/(\d\d)\)\.", out)
    assert m, out
    assert (int(m[1]), int(m[2])) != (month, year)
    assert len(m[1]) == len(str(month)) or month < 10 <= int(m[1]) or int(m[1]) < 10 <= month


def test_grades_strengths_and_rates_are_not_dates():
    for text in ("There is a 2/6 systolic murmur at the apex.", "Grade 3/6 SEM at LUSB.",
                 "Exam: strength 5/5 in all extremities.", "Motor: 5/5 throughout.",
                 "Reflexes 2/4 and symmetric.", "Pulses 2/4 bilaterally.",
                 "She now has home care 24/7."):
        assert export(text) == text, (text, export(text))


def test_the_same_numbers_are_dates_where_a_date_stands():
    for text, date in (("Seen 5/5 in clinic.", "5/5"), ("Called on 4/6 about results.", "4/6"),
                       ("Labs 2/5: K 4.1.", "2/5"), ("Embolization performed 4/4 uneventfully.",
                                                     "4/4")):
        assert date not in export(text), (text, export(text))


GRADE_WORDS = ["systolic murmur", "SEM", "murmur", "strength", "throughout", "bilaterally",
               "in all extremities", "reflexes"]


@settings(max_examples=150, deadline=None)
@given(grade=st.integers(1, 6), of=st.integers(4, 6), after=st.sampled_from(GRADE_WORDS),
       offset=st.integers(1, 3000))
def test_a_grade_before_a_grades_word_is_never_shifted(grade, of, after, offset):
    text = f"Exam today: {grade}/{of} {after} noted."
    assert export(text, offset) == text


def test_through_the_cli(vault_env):
    ok(vault_env.run("add", "Katherine Jones", "--new", "-m",
                     "HbA1c 7.2 (2/69). A 2/6 systolic murmur; strength 5/5 throughout."))
    (record,) = [json.loads(line) for line in ok(vault_env.run("export-anonymized")).stdout.splitlines()]
    assert "(2/69)" not in record["text"] and re.search(r"\(\d{1,2}/\d\d\)", record["text"])
    assert "2/6 systolic murmur" in record["text"] and "strength 5/5 throughout" in record["text"]
    assert "Katherine" not in record["text"] and "Jones" not in record["text"]
