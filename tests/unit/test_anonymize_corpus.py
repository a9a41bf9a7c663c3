"""The anonymizer against the annotated corpus in tests/corpus/.

Covers: no known client's name, name part (two letters or more, not a
particle) or alias survives in any anonymized note, compared case- and
accent-insensitively and word-bounded (the hard test); recall per type, the
fraction of annotated strings absent from the output, printed as a table
(pytest -s) and held above a floor per type (0.98 for EMAIL, PHONE, SSN,
CARD, IBAN); ordinary sentences with amounts, counts, rooms, versions, times
and common words pass through unchanged; and the name nobody registered
(a coworker) is replaced since issue 14, not left for suspects() to list.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from vault.text.anonymize import PLACEHOLDER_TYPES, Anonymizer, Person
from vault.text.names import PARTICLES

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MARK = re.compile(r"\[\[([A-Z]+):(.*?)\]\]")
OFFSET = 17   # days; every date in the corpus changes when shifted by it
# The types this corpus annotates (the larger corpus of issue 14, in
# tests/corpus/dev, also annotates organisations and places).
TYPES = ("NAME", "PERSON", "EMAIL", "PHONE", "SSN", "CARD", "IBAN", "IP", "URL",
         "ADDRESS", "POSTCODE", "DATE", "AGE", "ID")

# Measured recall is 1.00 for every type (see docs/anonymization.md); the
# floors leave room for one miss in the types with few annotations.
FLOORS = {"EMAIL": 0.98, "PHONE": 0.98, "SSN": 0.98, "CARD": 0.98, "IBAN": 0.98,
          "NAME": 0.98, "PERSON": 0.95, "IP": 0.95, "URL": 0.95, "ADDRESS": 0.9,
          "POSTCODE": 0.9, "DATE": 0.95, "AGE": 0.95, "ID": 0.9}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def load_people() -> list[dict]:
    return json.loads((CORPUS / "people.json").read_text(encoding="utf-8"))["people"]


def load_notes() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(note id, plain text, [(type, annotated text)])."""
    notes = []
    for block in re.split(r"^## ", (CORPUS / "notes.txt").read_text(encoding="utf-8"),
                          flags=re.M)[1:]:
        header, _, body = block.partition("\n")
        notes.append((header.split()[0], MARK.sub(r"\2", body).strip(),
                      [(m[1], m[2]) for m in MARK.finditer(body)]))
    return notes


def people_of(records: list[dict]) -> list[Person]:
    return [Person(tuple(p["names"]),
                   f"Client-{i:04X}" if p["kind"] == "client" else "[PERSON]")
            for i, p in enumerate(records)]


@pytest.fixture(scope="module")
def run():
    anonymizer = Anonymizer(people_of(load_people()), dates="shift", region="US")
    notes = load_notes()
    outputs = {nid: anonymizer.text(text, day_offset=OFFSET) for nid, text, _ in notes}
    return anonymizer, notes, outputs


def test_the_corpus_is_big_and_varied_enough():
    notes = load_notes()
    assert len(notes) >= 40
    types = Counter(t for _, _, marks in notes for t, _ in marks)
    assert set(types) == set(TYPES)
    assert all(t in PLACEHOLDER_TYPES for t in types)


def test_no_known_client_name_survives_anywhere(run):
    _, _, outputs = run
    forbidden = set()
    for p in load_people():
        if p["kind"] != "client":
            continue
        for name in p["names"]:
            forbidden.add(fold(name))
            forbidden.update(part for part in re.findall(r"\w+", fold(name))
                             if len(part) >= 2 and part not in PARTICLES)
    leaks = [(nid, word) for nid, out in outputs.items() for word in forbidden
             if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", fold(out))]
    assert leaks == []


def test_recall_per_type(run):
    _, notes, outputs = run
    seen, caught = Counter(), Counter()
    missed = []
    for nid, _, marks in notes:
        for kind, value in marks:
            seen[kind] += 1
            if value in outputs[nid]:
                missed.append((nid, kind, value))
            else:
                caught[kind] += 1
    print("\ntype       found/total  recall")
    recall = {}
    for kind in TYPES:
        recall[kind] = caught[kind] / seen[kind]
        print(f"{kind:<10} {caught[kind]:>5}/{seen[kind]:<5}  {recall[kind]:.2f}")
    for miss in missed:
        print("missed:", *miss)
    for kind, floor in FLOORS.items():
        assert recall[kind] >= floor, (kind, recall[kind], missed)


def test_counts_add_up_to_the_placeholders_written(run):
    anonymizer, _, outputs = run
    text = "\n".join(outputs.values())
    for kind in ("EMAIL", "PHONE", "SSN", "CARD", "IBAN", "IP", "URL", "ADDRESS",
                 "POSTCODE", "AGE", "ID", "PERSON"):
        assert anonymizer.counts[kind] == text.count(f"[{kind}]"), kind
    assert anonymizer.counts["NAME"] >= 60 and anonymizer.counts["DATE"] >= 19


def test_the_coworker_nobody_registered_is_replaced(run):
    _, notes, outputs = run
    mentioned = [nid for nid, text, _ in notes if "Bartholomew" in text or "Quayle" in text]
    assert mentioned
    assert not [nid for nid in mentioned
                if "Bartholomew" in outputs[nid] or "Quayle" in outputs[nid]]


PLAIN = [
    "Fee is $150 per session; 2 sessions this month, 3 cancelled.",
    "We met in room 12 at 10:30 and again at 14:45.",
    "Updated the app to version 2.4.1 before the call.",
    "Annual review due; she scored 18 on the PHQ-9 and 12 on the GAD-7.",
    "He is a 45-year-old teacher; his father is 89 years old.",
    "Walked 5 km, slept 7 hours, drank 2 litres of water.",
    "Homework: pages 10-12 of the workbook, chapter 3.",
    "Paid £1,200 deposit and 15% interest on a 3 year term.",
    "The hearing was adjourned for 4 weeks; 2 of 3 witnesses attended.",
    "Mood 4/10 at the start, 6/10 at the end.",
]


@pytest.mark.parametrize("sentence", PLAIN)
def test_ordinary_sentences_pass_through_unchanged(run, sentence):
    anonymizer, _, _ = run
    assert anonymizer.text(sentence, day_offset=OFFSET) == sentence
