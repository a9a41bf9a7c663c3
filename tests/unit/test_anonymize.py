"""vault.anonymize: the engine behind `vault export-anonymized`.

Covers: names (full name, each part, particle and hyphenated surnames without
bare particles, a particle as a first name, initials in capitals only and
not when they spell "AM", "Surname, First", possessives, plural surnames,
aliases and nickname + surname, repeated mentions, names joined to digits or
underscores, case and accents and NFKC forms in both directions, word
boundaries, a surname shared by two clients becoming [NAME] while full names
keep their person, third parties as [PERSON], names inside e-mail
addresses); each detector (e-mail, phones in several regions and formats with
and without keywords, SSN with and without dashes, card, IBAN, IP, URL,
address, postcode, ID) and the ordinary text it must leave alone; dates
shifted in their own format, reduced to the year or kept, with weekdays and
dates without a year; ages 89 and 90, spelled out and as decades; note
dates; counts; suspects(); argument checks; and, with hypothesis, that text()
never raises, that a generated name is always removed, and that text without
names, digits or "@" passes through unchanged. The security review of issue
4: names with apostrophes or hyphens dropped, run together (CamelCase,
hashtags), bare possessives, elided prefixes ("O'Brien's"), derived forms
that are words kept, CJK names as substrings, and a property over generated
Latin and CJK names and their variants.
"""

from __future__ import annotations

import datetime
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault.text import people
from vault.text.anonymize import PLACEHOLDER_TYPES, Anonymizer, Person
from vault.text.names import PARTICLES

JW = Person(("Jonathan Whitaker", "Jon", "Johnny W"), "Client-7F3A")
AVDB = Person(("Anna van der Berg",), "Client-0B0B")
JOSE = Person(("José Núñez-García",), "Client-0C0C")
MARK = Person(("Mark Smith",), "Client-0001")
RACHEL = Person(("Rachel Smith",), "Client-0002")
LUCY = Person(("Lucy Fernández",), "[PERSON]")


def anon(text: str, *people: Person, **kw) -> str:
    offset = kw.pop("day_offset", 0)
    return Anonymizer(people or (JW,), **kw).text(text, day_offset=offset)


# -- names ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Jonathan Whitaker", "Jonathan", "Whitaker", "JONATHAN WHITAKER", "jonathan whitaker",
    "Whitaker, Jonathan", "Jon", "Johnny W", "J. W", "JW", "J. Whitaker"])
def test_every_way_of_writing_a_known_name_becomes_the_pseudonym(text):
    assert anon(f"Seen: {text} today.") == "Seen: Client-7F3A today."


def test_dotted_initials_keep_their_last_full_stop():
    assert anon("Seen: J.W. today.") == "Seen: Client-7F3A. today."


def test_repeated_and_overlapping_mentions_are_all_replaced():
    out = anon("Jonathan Whitaker met Whitaker; Jon, Jon Whitaker and Whitaker, Jonathan.")
    assert out == "Client-7F3A met Client-7F3A; Client-7F3A, Client-7F3A and Client-7F3A."


def test_a_family_surname_in_the_plural_is_a_name():
    assert anon("the Whitakers came") == "the Client-7F3A came"


def test_names_joined_to_digits_or_underscores_are_still_names():
    assert anon("whitaker_letter.pdf, Jon2") == "Client-7F3A_letter.pdf, Client-7F3A2"


def test_a_particle_can_be_a_first_name():
    assert anon("Al said hi", Person(("Al Brown",), "C")) == "C said hi"


def test_a_possessive_keeps_its_s():
    assert anon("Whitaker's mother called.") == "Client-7F3A's mother called."
    assert anon("Jon’s sister") == "Client-7F3A’s sister"


def test_initials_match_only_in_capitals():
    assert anon("jw and j.w. wrote") == "jw and j.w. wrote"


def test_initials_that_are_common_abbreviations_are_not_matched():
    assert anon("at 10 AM", Person(("Anna Miller",), "C")) == "at 10 AM"


def test_names_are_word_bounded():
    ann = Person(("Ann Lee",), "Client-1")
    assert anon("Annual review with Ann, Leeds office, fleet.", ann) == \
        "Annual review with Client-1, [PLACE] office, fleet."   # a town since issue 14


def test_particle_surnames_match_whole_and_by_part_but_not_bare_particles():
    out = anon("Anna van der Berg; van der Berg; Berg; the van der was late", AVDB)
    assert out == "Client-0B0B; Client-0B0B; Client-0B0B; the van der was late"


def test_hyphenated_surnames_match_whole_and_by_part():
    out = anon("Núñez-García, Garcia, Nunez and Jose Nunez", JOSE)
    assert out == "Client-0C0C, Client-0C0C, Client-0C0C and Client-0C0C"


@pytest.mark.parametrize("text", ["Jose Nunez", "JOSÉ NÚÑEZ", "Jose\u0301 Nu\u0303nez",
                                  "Ｊｏｓｅ", "josé"])
def test_accents_and_compatibility_forms_match_a_name_with_accents(text):
    assert anon(f"<{text}>", JOSE) == "<Client-0C0C>"


@pytest.mark.parametrize("text", ["José", "JOSÉ", "Jose\u0301", "Ｊｏｓｅ"])
def test_accented_text_matches_a_name_registered_without_accents(text):
    assert anon(f"<{text}>", Person(("Jose Nunez",), "C")) == "<C>"


def test_ligatures_are_folded():
    assert anon("Ms ﬁfe called", Person(("Fife",), "C")) == "Ms C called"


def test_a_surname_shared_by_two_clients_is_ambiguous_alone():
    out = anon("Mark Smith, Rachel Smith and Smith. Smith, Rachel.", MARK, RACHEL)
    assert out == "Client-0001, Client-0002 and [NAME]. Client-0002."


def test_third_parties_become_person_and_are_counted_apart():
    a = Anonymizer([JW, LUCY])
    assert a.text("Jon met Lucy Fernandez and Lucy.") == "Client-7F3A met [PERSON] and [PERSON]."
    assert a.counts["NAME"] == 1 and a.counts["PERSON"] == 2


def test_a_name_inside_an_email_goes_with_the_email():
    assert anon("mail jon.whitaker@example.com or Jon") == "mail [EMAIL] or Client-7F3A"


def test_non_ascii_text_keeps_offsets_around_names():
    assert anon("Ça va, Jonathan Whitaker? — ﬁne, “Jon”.") == "Ça va, Client-7F3A? — ﬁne, “Client-7F3A”."


# -- detectors -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("write to jane.doe@example.com.", "write to [EMAIL]."),
    ("call (212) 555-0147 today", "call [PHONE] today"),
    ("UK office 020 7946 0958.", "UK office [PHONE]."),
    # Towns and countries are places since issue 14.
    ("Paris: 01 42 68 53 00", "[PLACE]: [PHONE]"),
    ("Berlin 030 901820", "[PLACE] [PHONE]"),
    ("Sydney (02) 9876 5432", "[PLACE] [PHONE]"),
    ("India +91 98765 43210", "[PLACE] [PHONE]"),
    ("mobile 07700 900461", "mobile [PHONE]"),
    ("tel: 555-0142", "tel: [PHONE]"),
    ("+44 7700 900123 after six", "[PHONE] after six"),
    ("SSN 123-45-6789", "SSN [SSN]"),
    ("SSN: 123 45 6789, social security number 123456789", "SSN: [SSN], social security number [SSN]"),
    ("card 4111-1111-1111-1111", "card [CARD]"),
    ("IBAN GB82 WEST 1234 5698 7654 32.", "IBAN [IBAN]."),
    ("from 192.0.2.44 and 2001:db8::1", "from [IP] and [IP]"),
    ("see https://example.com/a?b=1.", "see [URL]."),
    ("see www.example.org and example.com/forms/x", "see [URL] and [URL]"),
    ("at 221B Baker Street, London NW1 6XE", "at [ADDRESS], [PLACE] [POSTCODE]"),
    ("at 1600 Pennsylvania Ave NW, Washington, DC 20500", "at [ADDRESS]"),
    # the city goes with the street when a ZIP or a state follows it
    ("Lives at 12 Oak Street, Springfield 62704.", "Lives at [ADDRESS]."),
    ("12 Oak Street, Monday we met", "[ADDRESS], Monday we met"),
    ("Apt 4B, PO Box 123", "[ADDRESS], [ADDRESS]"),
    ("ZIP 90210 or 62704-1234, Ottawa K1A 0B1", "ZIP [POSTCODE] or [POSTCODE], [PLACE] [POSTCODE]"),
    ("MRN 00123456; Case No. 2023-CV-04471", "MRN [ID]; Case No. [ID]"),
    ("record 4471902", "record [ID]"),
    ("ref. 2024/117, MRN: A1234567", "ref. [ID], MRN: [ID]"),
    ("apartment 12C", "[ADDRESS]"),
])
def test_detectors_replace_with_typed_placeholders(text, expected):
    assert anon(text) == expected


def test_a_number_written_for_another_country_is_found_in_any_region():
    assert anon("ring 020 7946 0958", region="US") == "ring [PHONE]"
    assert anon("ring (212) 555-0147", region="GB") == "ring [PHONE]"


@pytest.mark.parametrize("sentence", [
    "Fee $150, 2 sessions, room 12, version 2.4.1, at 10:30.",
    "Annual review: PHQ-9 score 18, 4/10 mood, pages 10-12.",
    "Invoice 4471 paid; in case 2024 goes well.",
    "He is 45 years old and his father is 89 years old.",
    "I ate 2 apples, had a flat 3 times and came top 3 in the box 4 quiz.",
])
def test_ordinary_numbers_are_left_alone(sentence):
    assert anon(sentence) == sentence


# -- ages ----------------------------------------------------------------------------

@pytest.mark.parametrize("phrase", ["90-year-old", "aged 93", "age 95", "93 years old",
                                    "93 y/o", "101 years of age"])
def test_ages_over_89_are_removed(phrase):
    assert anon(f"Her mother, {phrase}, lives alone.") == "Her mother, [AGE], lives alone."


def test_spelled_out_ages_and_decades_over_89_are_removed():
    assert anon("a ninety-two year old; in her early 90s; in the 90s") == \
        "a [AGE]; in her [AGE]; in the 90s"


@pytest.mark.parametrize("phrase", ["89-year-old", "aged 89", "age 45", "89 years old"])
def test_ages_up_to_89_stay(phrase):
    assert anon(f"Her mother, {phrase}, lives alone.") == f"Her mother, {phrase}, lives alone."


# -- dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("written, shifted", [
    ("2024-03-05", "2024-03-15"),
    ("03/05/2024", "03/15/2024"),
    ("5/3/24", "5/13/24"),
    ("5.3.2024", "15.3.2024"),          # dotted dates are day-first
    ("5 March 2024", "15 March 2024"),
    ("March 5, 2024", "March 15, 2024"),
    ("Mar 5th", "Mar 15th"),
    ("Dec 28th 2023", "Jan 7th 2024"),
    ("12th of April 2023", "22nd of April 2023"),
    ("Tuesday, March 5, 2024", "Friday, March 15, 2024"),
    # A month and year moves by whole months, at least one (issue 14): from
    # the 15th, 10 days would leave it as it was.
    ("March 2024", "April 2024"),
    ("Feb 25", "Mar 6"),                 # no year: shifted within a leap year
    ("5-Mar-2024", "15-Mar-2024"),
])
def test_dates_are_shifted_in_their_own_format(written, shifted):
    assert anon(f"on {written}.", day_offset=10) == f"on {shifted}."


def test_numeric_dates_follow_the_region():
    assert anon("on 03/05/2024", region="GB", day_offset=10) == "on 13/05/2024"
    assert anon("on 25/12/2024", region="US", day_offset=1) == "on 26/12/2024"


@pytest.mark.parametrize("written, year", [
    ("2024-03-05", "2024"), ("5/3/24", "2024"), ("March 2024", "2024"), ("Mar 5th", "[DATE]"),
    ("Tuesday, March 5, 2024", "2024")])
def test_year_mode_keeps_only_the_year(written, year):
    assert anon(f"on {written}.", dates="year") == f"on {year}."


def test_keep_mode_keeps_dates_and_does_not_count_them():
    a = Anonymizer([JW], dates="keep")
    assert a.text("on 2024-03-05 and 5 March", day_offset=9) == "on 2024-03-05 and 5 March"
    assert a.counts["DATE"] == 0


def test_a_weekday_without_a_year_is_not_shifted_into_a_lie():
    assert anon("on Sunday, 3 March", day_offset=10) == "on [DATE]"


def test_note_dates():
    when = datetime.datetime(2024, 2, 27, 15, 30)
    assert Anonymizer([], dates="shift").date(when, day_offset=3) == "2024-03-01"
    assert Anonymizer([], dates="year").date(when, day_offset=3) == "2024"
    assert Anonymizer([], dates="keep").date(when, day_offset=3) == "2024-02-27"


# -- counts, suspects, arguments -----------------------------------------------------

def test_counts_add_up_across_calls():
    a = Anonymizer([JW, LUCY])
    a.text("Jon: jon@example.com, 2024-01-02, 123-45-6789")
    a.text("Lucy Fernandez, (212) 555-0147, MRN 00123456, Jon")
    assert a.counts == {"NAME": 2, "PERSON": 1, "EMAIL": 1, "DATE": 1, "SSN": 1,
                        "PHONE": 1, "ID": 1}
    assert set(a.counts) <= set(PLACEHOLDER_TYPES)


def test_placeholder_types_are_stable():
    assert PLACEHOLDER_TYPES == ("NAME", "PERSON", "EMAIL", "PHONE", "SSN", "CARD", "IBAN",
                                 "IP", "URL", "ADDRESS", "POSTCODE", "DATE", "AGE", "ID",
                                 "ORG", "PLACE", "REDACTED")


def test_suspects_are_what_the_export_leaves_most_frequent_first():
    """Since issue 14 the report lists what is left in the anonymized text:
    names nobody registered are replaced, so they are no longer listed; a
    word in capitals that is in no list stays and is (one of three to six
    capitals is taken for an organisation's initials and replaced)."""
    a = Anonymizer([JW])
    out = a.text("Jonathan met Bartholomew. Bartholomew and Quayle argued. The Whitaker file.")
    assert "Bartholomew" not in out and "Quayle" not in out
    a.text("Tuesday: XQZORBL again, XQZORBL. Hopefully better. March. Met ZYLPHAR.")
    assert a.suspects() == [("XQZORBL", 2), ("ZYLPHAR", 1)]
    assert a.suspects(limit=1) == [("XQZORBL", 2)]
    assert [(c.word, c.why) for c in a.last_candidates][:1] == [
        ("XQZORBL", "in capitals, not in the vocabulary")]


def test_unknown_options_are_refused():
    with pytest.raises(ValueError):
        Anonymizer([], dates="blur")
    with pytest.raises(ValueError):
        Anonymizer([], region="XX")


def test_people_can_be_any_iterable():
    a = Anonymizer(p for p in [JW])
    assert a.text("Jon") == "Client-7F3A"


# -- properties ----------------------------------------------------------------------

@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_text_never_raises(text):
    a = Anonymizer([JW, JOSE, AVDB])
    assert isinstance(a.text(text, day_offset=-40), str)


LETTERS = "abcdeklmnorstu"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.text(LETTERS, min_size=2, max_size=8),
       last=st.text(LETTERS, min_size=2, max_size=8),
       before=st.text(string.ascii_letters + " .,;\n", max_size=40),
       after=st.text(string.ascii_letters + " .,;\n", max_size=40),
       form=st.sampled_from(["{f} {l}", "{l}", "{f}", "{l}, {f}", "{F} {L}", "{l}'s"]))
def test_a_generated_name_never_survives(first, last, before, after, form):
    name = form.format(f=first, l=last, F=first.upper(), L=last.upper())
    text = f"{before} {name} {after}"
    out = Anonymizer([Person((f"{first} {last}",), "Client-1")]).text(text)
    for part in {first, last} - (PARTICLES - {first}):   # a first name may be "Al"
        assert not re.search(rf"(?<![^\W\d_]){part}(?![^\W\d_])", out.lower()), (text, out)


_LOWER_NAME_CUES = people._RELATIONS | people._CONTACT | people._SAID | people._LOWER_CUE


@settings(max_examples=200)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz .,;:!?'\"()-\n", max_size=200)
       .filter(lambda t: not re.search(r"[a-z]\.[a-z]", t))
       .filter(lambda t: not re.search(r"[a-f]:[a-f]*:|:[a-f]*:[a-f]", t))
       .filter(lambda t: not re.search(r"(?:\A|[.!?\n])[ \t]*-*[ \t]*[a-z]{2,3}\.?[ \t]*\Z",
                                       t.rstrip()) or "\n" not in t.strip())
       .filter(lambda t: not set(re.findall(r"[a-z]+", t)) & _LOWER_NAME_CUES)
       .filter(lambda t: "centenarian" not in t and "nonagenarian" not in t))
def test_text_without_names_digits_or_at_signs_is_unchanged(text):
    # Lower-case only: no capitalised month names, postcodes or initials; and
    # no word.word, which is a bare domain (next test). Hypothesis found
    # "a.de" one run in many before the filter: the property was too wide.
    # Nor hex letters joined by colons: "a::a" is an IPv6 address, which
    # checked.py finds without a digit ("dead:beef::cafe"); found the same way.
    # Nor two or three letters closing a note of several lines: since issue
    # 14 those are a signature's initials ("gs", "-ar") and go. Nor a word of
    # kin, contact or place before a word: since the tenth session a name in
    # lower case after one is replaced ("son dennis", "per jen"); hypothesis
    # found "gf gou" (Gou is a surname). Nor "centenarian": an age over 89
    # by rule, and a string in the engine's code, which hypothesis (6.1xx)
    # draws as text now and then.
    assert Anonymizer([JW]).text(text) == text


@pytest.mark.parametrize("text", ["a.de", "see example.org today"])
def test_a_bare_domain_is_a_url(text):
    assert "[URL]" in Anonymizer([JW]).text(text)


# -- security review of issue 4: name variants and CJK names ---------------------------

OBRIEN = Person(("Siobhan O'Brien",), "Client-0B01")
DARCY = Person(("Jean-Luc D'Arcy",), "Client-0DA1")
DOE = Person(("Jane Doe",), "Client-0D0E")


def test_review_the_reported_note_leaks_nothing():
    note = ("Met Siobhan Obrien (signs S. OBrien) and Mr Darcy. Ms OBrien's sister. "
            "Jane's husband calls her Janes. #JaneDoe / janedoe.")
    assert anon(note, OBRIEN, DARCY, DOE) == (
        "Met Client-0B01 (signs Client-0B01) and Mr Client-0DA1. Ms Client-0B01's sister. "
        "Client-0D0E's husband calls her Client-0D0E. #Client-0D0E / Client-0D0E.")


@pytest.mark.parametrize("text", [
    "Obrien", "OBrien", "OBRIEN", "obrien", "Brien", "Siobhan Obrien", "S. OBrien",
    "Obrien, Siobhan", "Obriens"])
def test_review_a_name_with_its_apostrophe_dropped_is_a_name(text):
    assert anon(f"<{text}>", OBRIEN) == "<Client-0B01>"


@pytest.mark.parametrize("text", [
    "Darcy", "DArcy", "Arcy", "JeanLuc", "Jeanluc", "Jean Luc", "Jean-Luc Darcy",
    "JeanLuc DArcy", "J. Darcy"])
def test_review_hyphens_and_elided_prefixes_dropped(text):
    out = anon(f"<{text}>", DARCY)
    assert re.fullmatch(r"<Client-0DA1(?: Client-0DA1)?>", out), out


@pytest.mark.parametrize("text", [
    "JaneDoe", "janedoe", "#JaneDoe", "#janedoe", "JANEDOE", "DoeJane", "SiobhanOBrien",
    "#SiobhanOBrien", "siobhanobrien", "JeanLucDArcy", "jeanlucdarcy", "@janedoe"])
def test_review_names_run_together_are_names(text):
    out = anon(f"<{text}>", OBRIEN, DARCY, DOE)
    assert re.fullmatch(r"<[#@]?Client-0[0-9A-F]{3}>", out), out


@pytest.mark.parametrize("text, expected", [
    ("Janes", "Client-0D0E"), ("Does", "Client-0D0E"), ("Obriens", "Client-0B01"),
    ("Siobhans", "Client-0B01"), ("JaneDoes", "Client-0D0E"), ("Jane's", "Client-0D0E's"),
    ("Jane’s", "Client-0D0E’s")])
def test_review_possessives_and_plurals_without_an_apostrophe(text, expected):
    assert anon(f"<{text}>", OBRIEN, DOE) == f"<{expected}>"


@pytest.mark.parametrize("text, expected", [
    ("O'Brien's sister", "Client-0B01's sister"),
    ("O’Brien’s sister", "Client-0B01’s sister"),
    ("o'brien's sister", "Client-0B01's sister"),
    ("S. O'Brien wrote", "Client-0B01 wrote"),
    ("D'Arcy's file", "Client-0DA1's file"),
    ("d'Arcy, Jean-Luc", "Client-0DA1"),
])
def test_review_an_elided_prefix_leaves_no_fragment(text, expected):
    assert anon(text, OBRIEN, DARCY) == expected


def test_review_derived_forms_that_are_ordinary_words_stay():
    # "Len" + "s" and "Al" + "So" run together are words; the names alone still go.
    len_ha = Person(("Len Ha",), "C1")
    al_so = Person(("Al So",), "C2")
    assert anon("Len has new lens, also Al So; Ha", len_ha, al_so) == \
        "C1 has new lens, also C2; C1"
    # ordinary text next to the reported names is untouched
    assert anon("Does the bean jar darken? Lucid and arcane.", OBRIEN, DARCY) == \
        "Does the bean jar darken? Lucid and arcane."


@pytest.mark.parametrize("text, expected", [
    ("李 明 came.", "C-LI came."),
    ("李明 came.", "C-LI came."),
    ("今天王芳说她睡不好.", "今天C-WANG说她睡不好."),
    ("王 芳的妈妈", "C-WANG的妈妈"),
    ("#李明", "#C-LI"),
    ("김민준이 말했다. 김민준은", "C-KIM이 말했다. C-KIM은"),
    ("김 민준이", "C-KIM이"),
    ("민준이", "C-KIM이"),
    ("山田太郎さんと太郎くん, 山田 さん", "C-YAMADAさんとC-YAMADAくん, C-YAMADA さん"),
])
def test_review_cjk_names_are_found_without_word_boundaries(text, expected):
    people = [Person(("李 明",), "C-LI"), Person(("王芳",), "C-WANG"),
              Person(("김 민준",), "C-KIM"), Person(("山田 太郎",), "C-YAMADA")]
    assert anon(text, *people) == expected


def test_review_a_single_cjk_character_is_not_replaced_alone():
    # 李 alone is a common surname and a word ("plum"): documented as kept.
    li = Person(("李 明",), "C-LI")
    assert anon("李先生 and 明天 and 李 and LM, L.M.", li) == "李先生 and 明天 and 李 and LM, L.M."


def test_review_hangul_names_end_on_a_syllable():
    # 김민주 is a prefix of 김민준 in jamo, but not in syllables.
    assert anon("김민준, 김민주", Person(("김민주",), "C")) == "김민준, C"


def test_review_a_cjk_name_shared_by_two_people_is_ambiguous():
    assert anon("王芳", Person(("王芳",), "C1"), Person(("王芳",), "C2")) == "[NAME]"


CJK_SURNAMES = "李王张刘陈杨赵黄周吴"
CJK_GIVEN = "明芳伟娜静敏磊洋艳勇"
HANGUL = "김이박최정민준서연지우현"
KANA = "さくらゆきはなこたろう"
LATIN_SYLLABLES = ("ka", "lo", "mi", "ren", "tha", "vo", "zel", "bri", "sto", "gu", "nor",
                   "fey", "dra", "quil", "wen", "jor", "pax", "sel", "tor", "vin")


@st.composite
def latin_word(draw) -> str:
    w = "".join(draw(st.lists(st.sampled_from(LATIN_SYLLABLES), min_size=2, max_size=3)))
    return w.capitalize()


@st.composite
def review_names(draw) -> tuple[str, str]:
    """(kind, name): Latin with apostrophes, hyphens and particles, or CJK."""
    kind = draw(st.sampled_from(["latin", "han", "hangul", "kana"]))
    if kind == "latin":
        first = draw(latin_word())
        if draw(st.booleans()):
            first += "-" + draw(latin_word())
        surname = draw(latin_word())
        shape = draw(st.sampled_from(["plain", "elided", "hyphen", "particle"]))
        if shape == "elided":
            surname = draw(st.sampled_from(["O'", "D'", "L'", "O’"])) + surname
        elif shape == "hyphen":
            surname += "-" + draw(latin_word())
        elif shape == "particle":
            surname = draw(st.sampled_from(["van der", "de la", "von"])) + " " + surname
        return kind, f"{first} {surname}"
    if kind == "han":
        given = draw(st.text(CJK_GIVEN, min_size=1, max_size=2))
        return kind, draw(st.sampled_from(CJK_SURNAMES)) + draw(st.sampled_from(["", " "])) + given
    alphabet = HANGUL if kind == "hangul" else KANA
    return kind, draw(st.text(alphabet, min_size=2, max_size=4))


def review_variants(kind: str, name: str) -> list[str]:
    if kind != "latin":
        joined = name.replace(" ", "")
        return [name, joined, f"#{joined}", f"{joined}이", f"{joined}的", f"{joined}さん",
                f"今天{joined}说", " ".join(joined)]
    words = name.split()
    plain = [re.sub(r"['’\-]", "", w) for w in words]          # "OBrien", "JeanLuc"
    camel = "".join(w[0].upper() + w[1:] for w in plain)        # "SiobhanOBrien"
    return [name, " ".join(plain), camel, camel.lower(), f"#{camel}", f"#{camel.lower()}",
            f"{name}'s", f"{words[-1]}'s", f"{words[0]}’s", f"{plain[-1]}s", f"{plain[0]}s",
            f"{camel}s", plain[-1], f"{plain[-1].upper()}'s"]


def review_forbidden(kind: str, name: str) -> set[str]:
    """What must not survive, folded: for CJK the name without spaces and
    each word of two characters or more; for Latin every part of two letters
    or more but particles and elided letters, each word and the whole name
    run together, and those with an "s", unless that is an ordinary word."""
    if kind != "latin":
        return {p for p in {name.replace(" ", ""), *name.split()} if len(p) >= 2}
    from vault.text.anonymize import _dictionary
    words = _dictionary()
    folded = [re.findall(r"[a-z]+", w.lower()) for w in name.split()]
    parts = {t for w in folded for t in w if len(t) >= 2 and t not in PARTICLES}
    joined = {"".join(w) for w in folded if len(w) > 1} | {"".join(t for w in folded for t in w)}
    joined = {j for j in joined if j not in words}
    out = parts | joined
    return out | {w + "s" for w in out if not w.endswith("s") and w + "s" not in words}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(review_names(), min_size=1, max_size=3,
                       unique_by=lambda kn: kn[1].replace(" ", "").lower()),
       picks=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20)), min_size=1, max_size=6),
       fillers=st.lists(st.sampled_from([" ", ", ", ". ", " and ", "说", "는 ", "\n", " / "]),
                        min_size=6, max_size=6))
def test_review_variants_of_generated_names_never_survive(people, picks, fillers):
    anonymizer = Anonymizer([Person((name,), f"Client-{i:04X}")
                             for i, (_, name) in enumerate(people)])
    pieces = []
    for (who, form), filler in zip(picks, fillers):
        kind, name = people[who % len(people)]
        forms = review_variants(kind, name)
        pieces += [forms[form % len(forms)], filler]
    text = "".join(pieces)
    out = re.sub(r"Client-[0-9A-F]{4}|\[NAME\]", "|", anonymizer.text(text))
    folded = out.lower()
    squeezed = re.sub(r"\s+", "", folded)   # "李 明" spaced out is still 李明
    for kind, name in people:
        for bad in review_forbidden(kind, name):
            if kind == "latin":
                assert not re.search(rf"(?<![^\W\d_]){bad}(?![^\W\d_])", folded), \
                    (bad, text, out)
            else:
                assert bad not in squeezed, (bad, text, out)


def test_a_person_beside_a_clients_name_keeps_the_space_between_them():
    # (tenth session: "Marcus Reyes" with Reyes a client's surname came out
    # as "[PERSON]Client-0001")
    a = Anonymizer([Person(("Danielle Okonkwo-Reyes",), "Client-0001")])
    assert a.text("Her ex, Marcus Reyes, called.") == "Her ex, [PERSON] Client-0001, called."
    assert a.text("Reyes Marcus called.") == "Client-0001 [PERSON] called."


def test_a_phone_number_in_brackets_keeps_its_opening_bracket():
    # (tenth session: "(541-322-7500)." came out as "[PHONE]).")
    a = Anonymizer([])
    assert a.text("call the line if needed (541-322-7500).") == "call the line if needed ([PHONE])."
    assert a.text("call (541) 322-7500 now") == "call [PHONE] now"
