"""`vault search` (issue 6): what did I write about insomnia?

Covers: hits across clients; case- and accent-insensitive in both directions
(cafe finds Café, Café finds cafe, INSOMNIA finds insomnia, a decomposed
"cafe\\u0301" is found too); --client (and an unknown client, exit 4); --tag
(any case); --regex (matched against the folded text), an invalid pattern,
an empty or blank term and an over-long term (exit 2, one error line,
nothing on stdout, nothing logged); the JSON shape; an excerpt of at most
about 90 characters on one line, with spans that point exactly at the match
and a match count for the whole note; human output marks the match and
prints the text literally (an ESC or C1 control in a note is shown escaped,
never raw, in plain and JSON output); one `search` log entry per search whose
client refs count the clients that matched and whose detail never holds the
term (nor does the vault file).
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from ..checks import assert_one_error_line, code, ok

JANE, BOB, ELODIE, QUIET = "Jane Doe", "Bob Jones", "Élodie Brûlé", "Quiet Client"
LONG = ("lorem ipsum dolor sit amet " * 8) + "she mentioned insomnia twice, insomnia" + (
    " consectetur adipiscing elit" * 8)
ESC_NOTE = "before \x1b[31mred insomnia\x1b[0m after \x9b2J c1 \u202ebidi"


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text).casefold()
                   if not unicodedata.combining(c))


@pytest.fixture
def notes(vault_env):
    add = vault_env.run
    ok(add("add", JANE, "-m", "Talked about INSOMNIA and the Café downstairs.\nSleeps badly.",
           "--new", "--tag", "Sleep"))
    ok(add("add", JANE, "-m", "Work stress, nothing else.", "--tag", "work"))
    ok(add("add", BOB, "-m", "Insomnia again; cafe visits daily.", "--new", "--tag", "work"))
    ok(add("add", ELODIE, "-m", "Un cafe\u0301 cre\u0300me at 3pm.", "--new"))
    ok(add("add", ELODIE, "-m", LONG))
    ok(add("add", QUIET, "-m", "Gardening and the weather.", "--new"))
    return vault_env


def search(venv, *args: str) -> list[dict]:
    result = ok(venv.run("search", *args, "--json"))
    assert result.stdout.count("\n") == 1
    return json.loads(result.stdout)["hits"]


def last_log(venv) -> dict:
    return json.loads(ok(venv.run("log", "--json")).stdout)[-1]


def matched(hits: list[dict]) -> set[tuple[str, int]]:
    return {(h["client"], h["note"]) for h in hits}


# -- what is found -----------------------------------------------------------------

def test_finds_across_clients_case_insensitive(notes):
    for term in ("insomnia", "INSOMNIA", "InSoMnIa"):
        hits = search(notes, term)
        assert matched(hits) == {(JANE, 1), (BOB, 3), (ELODIE, 5)}, term
    assert {h["client"] for h in search(notes, "gardening")} == {QUIET}


def test_accent_insensitive_both_ways(notes):
    for term in ("cafe", "Café", "CAFÉ", "cafe\u0301"):
        hits = search(notes, term)
        assert matched(hits) == {(JANE, 1), (BOB, 3), (ELODIE, 4)}, term
        for h in hits:
            for start, end in h["spans"]:
                assert fold(h["excerpt"][start:end]) == "cafe", h


def test_accent_insensitive_in_a_name_like_word(notes):
    assert matched(search(notes, "creme")) == {(ELODIE, 4)}
    assert matched(search(notes, "CRÈME")) == {(ELODIE, 4)}


# A decomposed "é" is one character on screen: "e" and a combining accent. The
# match "cafe" in "cafe\u0301" maps back to "cafe" only, so the highlight ends
# between the letter and its accent (plain output shows "⟦cafe⟧\u0301", the
# accent drawn on the bracket).
def test_span_keeps_a_combining_accent_with_its_letter(notes):
    (hit,) = search(notes, "cafe", "--client", ELODIE)
    assert [hit["excerpt"][s:e] for s, e in hit["spans"]] == ["cafe\u0301"]


def test_json_shape(notes):
    hits = search(notes, "insomnia")
    for h in hits:
        assert set(h) == {"client", "note", "created", "excerpt", "spans", "matches"}
        assert isinstance(h["note"], int) and h["created"].endswith("Z")
        assert h["spans"] and all(len(s) == 2 and s[0] < s[1] for s in h["spans"])
    long = next(h for h in hits if h["note"] == 5)
    assert long["matches"] == 2


def test_no_hits_is_not_an_error(notes):
    result = ok(notes.run("search", "zebra"))
    assert result.stdout == ""
    assert "0 note(s) found" in result.stderr
    assert search(notes, "zebra") == []


# -- filters ------------------------------------------------------------------------

def test_client_filter(notes):
    assert matched(search(notes, "insomnia", "--client", BOB)) == {(BOB, 3)}
    assert search(notes, "insomnia", "--client", QUIET) == []
    result = code(notes.run("search", "insomnia", "--client", "Nobody At All"), 4)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)


def test_tag_filter_any_case(notes):
    assert matched(search(notes, "insomnia", "--tag", "sleep")) == {(JANE, 1)}
    assert matched(search(notes, "insomnia", "--tag", "SLEEP")) == {(JANE, 1)}
    assert matched(search(notes, "insomnia", "--tag", "work")) == {(BOB, 3)}
    assert search(notes, "insomnia", "--tag", "nosuchtag") == []


def test_regex(notes):
    assert matched(search(notes, "--regex", r"insom+nia\b")) == {(JANE, 1), (BOB, 3), (ELODIE, 5)}
    assert matched(search(notes, "--regex", "^talked")) == {(JANE, 1)}   # any case
    assert matched(search(notes, "--regex", r"caf(e|x)")) == {(JANE, 1), (BOB, 3), (ELODIE, 4)}
    hits = search(notes, "--regex", r"\d+pm")
    assert [h["excerpt"][s:e] for h in hits for s, e in h["spans"]] == ["3pm"]
    # a literal term is not a pattern
    assert search(notes, "insom+nia") == []


BAD_TERMS = [["--regex", "("], ["--regex", "[a-"], ["--regex", "*x"], [""], ["   "],
             ["x" * 1001]]


def test_bad_terms_are_usage_errors_and_not_logged(notes):
    before = json.loads(ok(notes.run("log", "--json")).stdout)
    for args in BAD_TERMS:
        result = code(notes.run("search", *args), 2)
        assert result.stdout == "", args
        assert_one_error_line(result.stderr)
    after = json.loads(ok(notes.run("log", "--json")).stdout)
    assert [e["action"] for e in after[len(before):]] == ["log"]


# -- the excerpt ----------------------------------------------------------------------

def test_excerpt_is_short_one_line_and_spans_point_at_the_match(notes):
    for h in search(notes, "insomnia"):
        assert len(h["excerpt"]) <= 92, h
        assert "\n" not in h["excerpt"]
        for start, end in h["spans"]:
            assert fold(h["excerpt"][start:end]) == "insomnia", h
    long = next(h for h in search(notes, "insomnia") if h["note"] == 5)
    assert long["excerpt"].startswith("…") and long["excerpt"].endswith("…")
    assert "she mentioned insomnia" in long["excerpt"]


def test_human_output_marks_the_match(notes):
    result = ok(notes.run("search", "insomnia", "--client", JANE))
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{JANE}  note 1  ")
    assert lines[1] == "Talked about ⟦INSOMNIA⟧ and the Café downstairs. Sleeps badly."
    assert "1 note(s) found" in result.stderr


def test_text_is_printed_literally(vault_env):
    ok(vault_env.run("add", JANE, "-m", ESC_NOTE, "--new"))
    result = ok(vault_env.run("search", "insomnia"))
    for raw in (b"\x1b", "\x9b".encode(), "\u202e".encode()):
        assert raw not in result.stdout_bytes, raw
    assert r"before \x1b[31mred ⟦insomnia⟧\x1b[0m after \x9b2J c1 \u202ebidi" in result.stdout
    as_json = ok(vault_env.run("search", "insomnia", "--json"))
    for raw in (b"\x1b", "\x9b".encode(), "\u202e".encode()):
        assert raw not in as_json.stdout_bytes, raw
    (hit,) = json.loads(as_json.stdout)["hits"]
    assert hit["excerpt"] == ESC_NOTE
    assert [hit["excerpt"][s:e] for s, e in hit["spans"]] == ["insomnia"]


# -- the log -----------------------------------------------------------------------

def test_one_log_entry_with_matching_clients_and_never_the_term(notes):
    wal = notes.path.with_name(notes.path.name + "-wal")
    for term, clients in [("insomnia", 3), ("cafe", 3), ("Gardening", 1), ("zebra", 0),
                          (JANE, 0)]:
        before = len(json.loads(ok(notes.run("log", "--json")).stdout))
        ok(notes.run("search", term))
        new = json.loads(ok(notes.run("log", "--json")).stdout)[before:]
        assert [e["action"] for e in new] == ["log", "search"]  # `log` shows not itself
        entry = new[1]
        assert entry["clients"] == clients, term
        assert entry["signed"] and entry["via"] == "passphrase"
        shown = json.dumps(entry, ensure_ascii=False)
        assert fold(term) not in fold(shown), term
        raw = notes.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert term.encode() not in raw and term.lower().encode() not in raw, term


def test_log_refs_follow_the_filters(notes):
    ok(notes.run("search", "insomnia", "--client", BOB))
    assert last_log(notes)["clients"] == 1
    ok(notes.run("search", "insomnia", "--tag", "sleep"))
    assert last_log(notes)["clients"] == 1
    ok(notes.run("search", "--regex", "insomnia|gardening"))
    assert last_log(notes)["clients"] == 4
