"""Issue 14, eleventh session: platforms and apps are products until someone
works there (text/known.py `_employer`, org_words.txt [platforms]); a
handle after "@" goes in any note, digits or none (text/idents.py
`handles`); ages over 89 after "turns" with a hyphen, and an ordinal after
a possessive (text/ageforms.py); family words written with a capital are
no names (vocabulary.txt). Each rule has cases that go and cases that stay.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault.text.anonymize import Anonymizer, Person

from ..checks import ok


def out(text: str, people: tuple[Person, ...] = ()) -> str:
    return Anonymizer(list(people), dates="shift").text(text, day_offset=37)


PLATFORMS = ["Instagram", "TikTok", "Snapchat", "WhatsApp", "LinkedIn", "Netflix", "Venmo",
             "PayPal", "Uber", "DoorDash", "Airbnb", "Etsy", "eBay", "Roblox", "Fitbit",
             "Amazon", "Google", "Facebook", "Twitter", "Grindr"]
PRODUCT_USE = ["She messaged him on {p} last night.", "Spends hours on {p} most evenings.",
               "{p} notifications keep her awake.", "Deleted {p} for a month as an experiment.",
               "Her ex keeps watching her {p} stories."]


@pytest.mark.parametrize("template", PRODUCT_USE)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_platform_used_is_a_product_and_stays(template, platform):
    text = template.format(p=platform)
    assert out(text) == text


@pytest.mark.parametrize("text,firm", [
    ("Works at Google as an analyst.", "Google"),
    ("Husband drives for Uber most nights.", "Uber"),
    ("Started a job with Amazon (warehouse, nights).", "Amazon"),
    ("New client; Google W-2 received, RSUs included.", "Google"),
    ("Unreported 1099-K from PayPal for the camera sales.", "PayPal"),
    ("Got laid off from Netflix in the spring.", "Netflix"),
    ("Her Amazon colleagues organised a collection.", "Amazon"),
    ("Software eng at Microsoft, 39M.", "Microsoft"),
    ("Interview with Spotify next week.", "Spotify"),
    ("says he works at amazon now", "amazon"),
])
def test_a_platform_where_someone_works_is_an_organisation(text, firm):
    result = out(text)
    assert firm not in result and "[ORG]" in result, result


@pytest.mark.parametrize("software", ["Xero", "QuickBooks", "FreshBooks", "Dext", "MYOB",
                                      "TurboTax"])
def test_accounting_software_used_is_a_product(software):
    text = f"Uploaded the receipts to {software}; {software} shows a gap."
    assert out(text) == text
    assert software not in out(f"She works at {software} in sales.")


@pytest.mark.parametrize("text", ["Took an Uber home after the session.",
                                  "Ordered the books on Amazon.", "Paid the deposit via Venmo."])
def test_a_platform_used_to_travel_buy_or_pay_stays(text):
    assert out(text) == text


def test_a_platform_where_someone_works_goes_again_later_in_the_note():
    result = out("He works at Amazon in the warehouse. Amazon has been stressful lately. "
                 "Drives for Uber at weekends. Uber cut his rate again.")
    assert "Amazon" not in result and "Uber" not in result, result


def test_a_platform_nobody_works_at_stays_however_often_it_is_named():
    text = "Spends hours on TikTok. TikTok is her escape. Works at Microsoft; likes Microsoft Teams."
    result = out(text)
    assert result.count("TikTok") == 2 and "Microsoft Teams" in result, result


@given(st.lists(st.tuples(st.sampled_from(PLATFORMS), st.sampled_from(PRODUCT_USE)),
                min_size=1, max_size=5))
def test_prose_about_using_platforms_comes_through(pairs):
    text = " ".join(template.format(p=p) for p, template in pairs)
    assert out(text) == text


# -- handles ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,handle", [
    ("Her Instagram is @kayla_rose", "kayla_rose"),
    ("contacted her via Instagram (@oskar.berglund.se) again", "oskar.berglund.se"),
    ("His TikTok handle @dannyboy.", "dannyboy"),
    ("tagged @DrSmithPsych in a post", "DrSmithPsych"),
    ("posting as @dannyboy99 on X", "dannyboy99"),
])
def test_a_handle_goes_in_a_note_without_digits(text, handle):
    result = out(text)
    assert handle not in result and "@[ID]" in result, result


@pytest.mark.parametrize("text", ["pt @home with wife", "seen @ 10am", "email jo@example.com"])
def test_an_ordinary_word_after_at_and_an_email_are_no_handles(text):
    result = out(text)
    assert "[ID]" not in result, result


def test_a_registered_name_run_together_after_at_gets_the_pseudonym():
    result = out("<@janedoe> and <@janedoe77>", (Person(("Jane Doe",), "Client-0001"),))
    assert result.startswith("<@Client-0001>"), result
    assert "janedoe" not in result, result


# -- ages and family words ------------------------------------------------------------------

@pytest.mark.parametrize("text,age", [
    ("He turns ninety-one in August.", "ninety-one"),
    ("She is turning ninety-three.", "ninety-three"),
    ("Gran's 95th is next week.", "95th"),
    ("Planning for his 90th party.", "90th"),
    ("Celebrated her 101st with the family.", "101st"),
])
def test_an_age_over_89_in_these_forms_goes(text, age):
    result = out(text)
    assert age not in result and "[AGE]" in result, result


@pytest.mark.parametrize("text", ["BMI at her 95th centile.", "It was their 90th session.",
                                  "Scores at the 95th percentile.", "The bill was ninety dollars."])
def test_an_ordinal_that_is_no_birthday_stays(text):
    assert out(text) == text


@pytest.mark.parametrize("word", ["Gran", "Nonna", "Abuela", "Oma", "Mam", "Auntie"])
def test_a_family_word_with_a_capital_is_no_name(word):
    text = f"{word}'s house is cold. We visited {word} on Sunday."
    assert out(text) == text


def test_a_family_word_after_a_title_is_still_a_name():
    assert "Nan" not in out("Dr Nan reviewed the scan.")


# -- through the real CLI ------------------------------------------------------------------

def test_the_export_keeps_the_app_and_replaces_the_employer_and_handle(vault_env):
    note = ("Met him on Hinge; he messaged on WhatsApp. He drives for Uber. "
            "Her Instagram is @kayla_rose")
    ok(vault_env.run("add", "Eudora Quimby", "-m", note, "--new"))
    path = vault_env.root / "out.jsonl"
    ok(vault_env.run("export-anonymized", "--dates", "keep", "-o", str(path)))
    (record,) = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    text = record["text"]
    assert "on WhatsApp" in text and "drives for [ORG]" in text, text
    assert "kayla_rose" not in text and "@[ID]" in text, text
