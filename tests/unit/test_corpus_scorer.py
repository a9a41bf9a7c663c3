"""The measuring instrument of issue 14: the annotated corpus in
tests/corpus/dev and tests/corpus/heldout, and benchmarks/score_anonymize.py.

Covers: every split parses, its markers are balanced and typed, every note
has a known kind and a registered client, the splits are big enough and
their note ids distinct; and the scorer counts right on hand-made notes (a
leak is a leak, a removed span is not, a shifted date is removed, a changed
ordinary word is over-redaction, the report covers a leak by its text).
These test the scorer, not the anonymizer's quality.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("score_anonymize",
                                               ROOT / "benchmarks" / "score_anonymize.py")
scorer = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("score_anonymize", scorer)   # dataclasses look their module up
_spec.loader.exec_module(scorer)


@pytest.fixture(scope="module", params=["dev", "heldout"])
def split(request):
    if not (scorer.CORPUS / request.param / "people.json").exists():
        pytest.skip(f"no {request.param} split yet")
    notes, people = scorer.load_split(request.param)
    return request.param, notes, people


def test_each_split_is_big_enough(split):
    name, notes, _ = split
    assert len(notes) >= {"dev": 150, "heldout": 40}[name]


def test_notes_are_well_formed(split):
    _, notes, people = split
    clients = {p["id"] for p in people if p["kind"] == "client"}
    assert len({n.id for n in notes}) == len(notes)
    for note in notes:
        assert note.kind in scorer.KINDS, note.id
        assert note.client in clients, note.id
        assert note.spans, note.id
        assert "[[" not in note.text and "]]" not in note.text
        for span in note.spans:
            assert span.type in scorer.TYPES
            assert note.text[span.start:span.end] == span.text
            assert span.text == span.text.strip()


def test_every_kind_and_the_main_types_are_present(split):
    _, notes, _ = split
    assert {n.kind for n in notes} >= {"progress", "discharge", "therapy", "legal",
                                       "accounting", "coaching"}
    types = Counter(s.type for n in notes for s in n.spans)
    for kind in ("NAME", "PERSON", "ORG", "LOCATION", "DATE", "PHONE", "MRN", "ID"):
        assert types[kind] >= 3, kind


def test_people_are_well_formed(split):
    _, _, people = split
    ids = [p["id"] for p in people]
    assert len(set(ids)) == len(ids)
    clients = {p["id"] for p in people if p["kind"] == "client"}
    for p in people:
        assert p["kind"] in ("client", "third") and p["names"]
        if p["kind"] == "third":
            assert p["of"] in clients


def test_the_splits_do_not_share_notes_or_people():
    try:
        dev, dev_people = scorer.load_split("dev")
        held, held_people = scorer.load_split("heldout")
    except FileNotFoundError:
        pytest.skip("one split is missing")
    assert not {n.id for n in dev} & {n.id for n in held}
    assert not ({n for p in dev_people for n in p["names"]}
                & {n for p in held_people for n in p["names"]})


@pytest.mark.parametrize("bad", [
    "## x1 c1 therapy\n[[NAME:Ann] came.",
    "## x1 c1 therapy\n[[NAME:Ann]] came]].",
    "## x1 c1 therapy\n[[NOPE:Ann]] came.",
    "## x1 c1 therapy\n[[NAME: Ann]] came.",
    "## x1 c1\nAnn came.",
])
def test_malformed_notes_are_refused(bad):
    with pytest.raises(scorer.CorpusError):
        scorer.parse_notes(bad)


def note(marked: str) -> scorer.Note:
    return scorer.parse_notes(f"## t1 c1 therapy\n{marked}\n")[0]


def test_parsing_strips_markers_and_keeps_offsets():
    n = note("Seen by Dr. [[PERSON:K. Patel]] on [[DATE:3/4]].\nNext line.")
    assert n.text == "Seen by Dr. K. Patel on 3/4.\nNext line."
    assert [(s.type, n.text[s.start:s.end]) for s in n.spans] == [
        ("PERSON", "K. Patel"), ("DATE", "3/4")]


def test_a_removed_span_is_not_a_leak_and_a_kept_one_is():
    n = note("Seen by Dr. [[PERSON:Ravi Shankar]] at [[ORG:Mercy General Hospital]].")
    score = scorer.score_note(n, "Seen by Dr. [PERSON] at Mercy [ORG].")
    assert [(s.type, left) for s, left in score.leaks] == [("ORG", ("mercy",))]
    score = scorer.score_note(n, "Seen by Dr. [PERSON] at [ORG] Hospital.")
    assert score.leaks == []


def test_a_surname_left_behind_leaks_and_case_does_not_hide_it():
    n = note("cc: [[PERSON:Anil Mehrotra]], MD")
    score = scorer.score_note(n, "cc: [PERSON] MEHROTRA, MD")
    assert [left for _, left in score.leaks] == [("mehrotra",)]


def test_a_word_elsewhere_does_not_count_for_the_span():
    # "Hope" survives as an ordinary word; the name was removed at its place.
    n = note("Hope is that [[PERSON:Hope Ellis]] calls.")
    score = scorer.score_note(n, "Hope is that [PERSON] calls.")
    assert score.leaks == [] and score.changed == 0


def test_a_date_leaks_only_when_unchanged():
    n = note("Seen [[DATE:March 5, 2024]], born [[DATE:1934]].")
    assert scorer.score_note(n, "Seen March 22, 2024, born 1934.").leaks[0][0].text == "1934"
    assert len(scorer.score_note(n, "Seen March 5, 2024, born [DATE].").leaks) == 1
    assert scorer.score_note(n, "Seen [DATE], born [DATE].").leaks == []


def test_an_age_leaks_by_its_number_not_its_words():
    n = note("Her mother, [[AGE:aged 93]], lives alone.")
    assert scorer.score_note(n, "Her mother, aged [AGE], lives alone.").leaks == []
    assert scorer.score_note(n, "Her mother, [AGE] 93, lives alone.").leaks


def test_over_redaction_counts_changed_ordinary_words():
    n = note("[[NAME:Ann]] took 200MG of ibuprofen with Grant.")
    score = scorer.score_note(n, "[NAME] took [ID] of ibuprofen with [PERSON].")
    assert (score.ordinary, score.changed) == (6, 2)
    assert score.changed_words == ["200MG", "Grant"]
    assert scorer.score_note(n, "Client-7F3A took 200MG of ibuprofen with Grant.").changed == 0


def test_report_words_take_every_shape():
    class Suspect:
        word = "Mehrotra"
    words = scorer.report_words([("Gloria Fenwick", 2), "Ravi", {"word": "PATEL"},
                                 {"text": "Arjun"}, Suspect()])
    assert words == {"gloria", "fenwick", "ravi", "patel", "arjun", "mehrotra"}


def test_strict_options_are_found_or_reported_missing():
    init_kw, text_kw, supported = scorer.options(False)
    assert (init_kw, text_kw, supported) == ({}, {}, True)
    init_kw, text_kw, supported = scorer.options(True)
    assert supported == bool(init_kw or text_kw)


def test_scoring_a_tiny_split_end_to_end(tmp_path):
    folder = tmp_path / "dev"
    folder.mkdir()
    (folder / "people.json").write_text(json.dumps({"people": [
        {"id": "c1", "kind": "client", "names": ["Harold Jennings", "Hal"]},
        {"id": "p1", "kind": "third", "of": "c1", "relation": "daughter",
         "names": ["Karen Jennings"]}]}))
    (folder / "notes.txt").write_text(
        "## t1 c1 progress\n[[NAME:Hal]] came with [[PERSON:Karen Jennings]] and "
        "Mr [[PERSON:Quillfeather]]; [[NAME:Jennings]] is tired.\n")
    notes, people = scorer.load_split("dev", tmp_path)
    result = scorer.score(notes, people, repeat=1)
    summary = result.summary()
    assert summary["per_type"]["NAME"] == {"spans": 2, "leaked": 0, "recall": 1.0,
                                           "reported": 0}
    assert "Hal" not in result.outputs["t1"] and "Karen" not in result.outputs["t1"]
    leaked = {s.text for _, s, _ in result.leaks}
    assert leaked <= {"Quillfeather"}
    assert summary["spans"] == 4 and summary["mb_per_s"] > 0
