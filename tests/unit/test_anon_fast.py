"""The fifth session's shortcuts in the anonymizer (issue 14, speed) give
exactly what they replace.

Covers, with hypothesis on text dense with capitals, digits, record words,
cue words, separators and a few non-ASCII letters: the gazetteer's spans
for a run of capitalised words, replayed from what an earlier run of the
same words asked about its context, are those of classifying it afresh;
idents' `_word_before` and firms' `_last_word` (string methods) start
where the searches they replace start; `lexicon.is_ordinary`'s kept
answers are the ones it computes; the digit runs of a whole-text window
are the text's runs.
"""

from __future__ import annotations

import random
import re
from contextlib import contextmanager

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vault.text import firms, gazetteer, idents, lexicon, residual, span, strict

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Words and separators the gazetteer, its cues and the record words read.
PIECES = (
    ["Samantha", "Young", "March", "MRN", "Client", "The", "New", "York", "Salt", "Lake",
     "City", "Reading", "Hope", "Grant", "May", "Portland", "OHSU", "BMC", "CODA", "J",
     "M", "Dr", "Officer", "Brannigan", "Vanguard", "Kessler", "Seen", "Ivy", "Home",
     "Depot", "Leeds", "Coinbase", "Haringey", "Kwame", "O'Brien", "Smith-Jones", "José",
     "Núñez", "IBAN", "NASA", "RN", "CCTC", "Mobile", "Linda", "Baker", "Street", "Apt"]
    + ["at", "in", "from", "with", "to", "joined", "via", "of", "her", "daughter",
       "record", "no", "mrn", "chart", "ref", "policy", "account", "the", "a/c", "s/n",
       "é", "ſ", "x"]
    + [" ", " ", " ", "  ", ". ", ", ", "\t", "\n", "(", ")", ":", "#", ".", "-", "'",
       "’", "/", ".D.", "12", "4471", "00123456", "2024"]
)
texts = st.lists(st.sampled_from(PIECES), max_size=50).map("".join)


@SETTINGS
@given(st.lists(texts, min_size=1, max_size=6), st.randoms(use_true_random=False))
@example(["at BMC, Seen Kessler", "Seen Kessler at BMC", "with Vanguard. Seen Kessler"],
         random.Random(0))
@example(["her daughter Ivy", "Ivy", "in Reading", "Reading"], random.Random(1))
@example(["J. Smith and M.D. Jones", "J Smith", "at CODA 4471"], random.Random(2))
def test_replayed_runs_give_the_spans_of_a_fresh_classification(notes, rnd):
    fresh = []
    for text in notes:
        gazetteer._CLASSIFIED.clear()
        fresh.append(gazetteer.find_gazetteer(text))
    # The same notes again, in another order, each run now replayed from
    # what the runs of the same words asked before it.
    order = list(range(len(notes))) * 2
    rnd.shuffle(order)
    for i in order:
        assert gazetteer.find_gazetteer(notes[i]) == fresh[i]


def test_the_same_words_in_another_context_are_asked_about_again():
    # "Reading" after "in" is a place, at the start of a sentence a word;
    # "CODA" after "at" an organisation: whichever came first.
    gazetteer._CLASSIFIED.clear()
    for _ in range(2):
        assert [s.kind for s in gazetteer.find_gazetteer("We live in Reading.")] == ["PLACE"]
        assert gazetteer.find_gazetteer("Reading is hard. Reading helps.") == []
        assert [s.kind for s in gazetteer.find_gazetteer("A coach at CODA said so.")] == ["ORG"]


@SETTINGS
@given(texts, st.integers(0, 200))
@example("MRN: 00123456", 5)
@example("record no. 4471", 10)
@example("a/c s/n #x 12", 13)
@example("                              12", 32)
def test_word_before_starts_where_the_search_starts(text, pos):
    pos = min(pos, len(text))
    m = idents._WORDS_BEFORE.search(text, max(0, pos - 24), pos)
    assert idents._word_before(text, pos) == (-1 if m is None else m.start())


@SETTINGS
@given(texts, st.integers(0, 200))
@example("an account at Vanguard", 14)
@example("joined \t Vanguard", 9)
@example("José  Vanguard", 6)
@example("                          at Vanguard", 30)
def test_last_word_starts_where_the_search_starts(text, start):
    start = min(start, len(text))
    m = firms._LAST_WORD.search(text, max(0, start - 24), start)
    assert firms._last_word(text, start) == (-1 if m is None else m.start())
    assert firms._prev_word(text, start) == (m[1].lower() if m else "")


@SETTINGS
@given(st.lists(st.sampled_from(
    ["hope", "hopes", "tried", "tries", "kessler", "well-known", "x-ray", "grant",
     "granted", "lamotrigine", "-", "", "a", "coinbase", "running", "happily", "bbq-ed"]),
    min_size=1, max_size=4).map("".join))
def test_kept_answers_about_ordinary_words_are_the_computed_ones(word):
    assert lexicon.is_ordinary(word) == lexicon._is_ordinary(word)
    assert lexicon.is_ordinary(word) == lexicon._is_ordinary(word)


@given(st.text(st.sampled_from("0123456789 a-٣"), max_size=40))
def test_a_whole_text_window_holds_every_run_of_digits(text):
    runs = [m.span() for m in re.finditer(r"\d+", text)]
    assert span._inside(runs, [(0, len(text))], len(text))
    assert span.digit_runs(text, [(0, len(text))]) == runs


@SETTINGS
@given(texts)
@example("Samantha Young met samantha at 4471 Baker Street")
def test_names_read_the_detectors_copy_of_the_note_as_their_own(text):
    # (the words of the spaced copy span.letter_runs made are the words
    # names.py splits out of the folded note itself)
    if not text.isascii():
        return
    span.letter_runs(text)
    copy = span.known_words(text)
    assert copy is not None
    assert copy.split() == text.lower().translate(span._NOT_LETTERS).split()
    assert span.known_words(text + " ") is None


# What an anonymized text holds around the report's rules.
OUTPUT_PIECES = PIECES + [
    "[PERSON]", "[ORG]", "[PLACE]", "[ID]", "[ADDRESS]", "Client-7F3A", "Client-", "AB",
    "wife", "june", "Ann", "&", "Co.", "County", "Mayo", "/", "/ sd", "NB/cl", "MD", "RN",
    "M.D.", "PhD", "A12", "GU4471", "91", "101M", "(92)", "1999", "yo", "y/o", "tag", "plate",
    "DL", "reg", "CA", "ſ", "\u212a", "²", "٣", "_", "O'", "’s"]
outputs = st.lists(st.sampled_from(OUTPUT_PIECES), max_size=60).map("".join)


@SETTINGS
@given(outputs)
@example("wife june [PERSON] and Ann [PERSON] [PERSON]")
@example("&june Client-7F3A, Client-7F3ABob [PERSON], O'Brien-[PERSON] Sung-min [ORG]")
@example("X2Bob [PLACE] jo\t[PERSON] ²ab [PERSON]")
def test_words_before_names_are_what_finditer_finds(text):
    for rx, inside in ((residual._BEFORE_NAMED, residual._in_a_cap),
                       (residual._LOWER_BEFORE_NAMED, residual._LOWER_WORD_CHARS.__contains__)):
        assert [m.span() for m in span.before_anchors(rx, text, residual._NAMED_AFTER_A_SPACE, inside)] == \
            [m.span() for m in rx.finditer(text)]


@SETTINGS
@given(outputs)
@example("Co. Mayo; NB/cl; MD GU4471; aged 91; 101M; MD tag; [PLACE], CA owes")
@example("GUM/24/4471 and R104471/24/19, 12 mars 2024, CA plate, \"Book\" [PERSON]")
def test_the_report_rules_tried_behind_a_hint_find_what_finditer_finds(text):
    for rx, _ in residual._RULES:
        assert [m.span() for m in residual._rule(rx, text)] == [m.span() for m in rx.finditer(text)]
    report = [(c.start, c.end, c.why) for c in residual.candidates(text)]
    strict_found = strict.strict_spans(text)
    with _every_rule_scanned_everywhere():
        assert report == [(c.start, c.end, c.why) for c in residual.candidates(text)]
        assert strict_found == strict.strict_spans(text)


@contextmanager
def _every_rule_scanned_everywhere():
    """residual's rules without their gates and hints, as they were."""
    hinted, gated, before = dict(residual._HINTED), dict(residual._GATED), residual.before_anchors
    residual._HINTED.clear()
    residual._GATED.clear()
    residual.before_anchors = lambda rx, text, anchors, inside: list(rx.finditer(text))
    plate = residual._PLATE
    residual._PLATE = None
    try:
        yield
    finally:
        residual._HINTED.update(hinted)
        residual._GATED.update(gated)
        residual.before_anchors = before
        residual._PLATE = plate


@SETTINGS
@given(st.lists(st.sampled_from(
    ["gs", "NB", "abc", "abcd", "x", ".", "!", "?", "\n", " ", "\t", "-", "--", "Fine", "é",
     "ok", "end", "1", "_", "  -  "]), max_size=12).map("".join))
@example("Seen today.\n-- gs")
@example(". - - ab")
@example("x. -ab.")
def test_the_sign_off_is_found_where_the_search_finds_it(text):
    text = text.rstrip()
    fast, slow = residual._sign_off(text), residual._SIGN_OFF.search(text)
    assert (fast and (fast.span(), fast.span(1))) == (slow and (slow.span(), slow.span(1)))


@SETTINGS
@given(texts)
@example("J. Smith and M.D. Jones, Samantha Young. The Co-Op-Ann; A. B. C. Dee")
def test_the_gazetteer_groups_capitalised_words_as_it_did(text):
    # The runs of capitalised words that reach _run, grouped as the loop
    # did before the fifth session (slicing the gap twice for every word).
    seen = []
    original = gazetteer._run
    gazetteer._run = lambda text, run, ranks, holds: seen.append([m.span() for m in run]) or []
    try:
        gazetteer.find_gazetteer(text)
    finally:
        gazetteer._run = original
    expected, run = [], []
    ranks = gazetteer.has_word(text, gazetteer._RANKS)
    holds = ranks or gazetteer._holdings_in(text)
    for m in gazetteer._CAP.finditer(text):
        if run and text[run[-1].end():m.start()] not in (" ", ". ", "-") \
                or run and text[run[-1].end():m.start()] == ". " and len(run[-1][0]) > 1:
            start = run[0].start()
            if len(run) > 1 or holds or not gazetteer._quiet_alone(run[0][0]) or start and (
                    text[start - 1] == "(" or text[start - 1] == " " and start > 1
                    and gazetteer.a_cue_char(text[start - 2])):   # ("w/ Nimbus", "@ Nimbus")
                expected.append([r.span() for r in run])
            run = []
        run.append(m)
    if run:
        expected.append([r.span() for r in run])
    assert seen == expected


@SETTINGS
@given(texts, st.integers(0, 200))
@example("J. Whitaker", 3)
@example("Ø\nWhitaker", 2)
def test_an_initial_before_a_name_stands_in_a_stretch_with_a_capital(text, pos):
    # (names.py searches for one only where lower() changes the stretch)
    from vault.text import names
    pos = min(pos, len(text))
    before = text[max(0, pos - 3):pos]
    if names._LETTER_BEFORE.search(text, max(0, pos - 3), pos):
        assert before != before.lower()
