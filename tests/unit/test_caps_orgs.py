"""An organisation in a note in capitals ends where its name does (tenth
session): the walk back from a head word ("HOME", "HOSPITAL",
"DEPARTMENT") took every word in capitals before it, so "HIS DAUGHTER
BROUGHT HIM IN FROM HIS HOME" lost "BROUGHT HIM IN FROM HIS" to an [ORG],
and "TRANSFERRED TO 4 WEST ON HOSPITAL DAY 2" lost "WEST ON HOSPITAL". The
walk stops at a word no name holds before its head ("TO", "FROM", "HIS",
"PRESENTED")."""

from __future__ import annotations

from vault.text.anonymize import Anonymizer, Person

JONES = Person(("Harold Jennings",), "Client-0001")


def test_words_in_capitals_before_a_head_that_no_name_holds_stay():
    anonymizer = Anonymizer([JONES])
    for text in ("HIS DAUGHTER BROUGHT HIM IN FROM HIS HOME TODAY.",
                 "TRANSFERRED TO 4 WEST ON HOSPITAL DAY 2.",
                 "Transferred To Hospital Day 2."):
        assert anonymizer.text(text, day_offset=-40) == text


def test_the_name_before_the_head_is_still_replaced():
    anonymizer = Anonymizer([JONES])
    out = anonymizer.text("PRESENTED TO ST. BRENDAN'S EMERGENCY DEPARTMENT WITH FEVER.",
                          day_offset=-40)
    assert out.startswith("PRESENTED TO [ORG]") and "BRENDAN" not in out
    out = anonymizer.text("HOME HEALTH THROUGH PROVIDENCE HOME CARE.", day_offset=-40)
    assert "PROVIDENCE" not in out and out.startswith("HOME HEALTH THROUGH")
    out = anonymizer.text("He will speak at the service at Our Lady of Sorrows Church.",
                          day_offset=-40)
    assert "Sorrows" not in out and "Our" not in out
