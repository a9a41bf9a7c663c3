"""The anonymizer reads hostile text in time proportional to its length.

Each text below is a short piece repeated to 300 kB. Every one of them was
quadratic or worse before the ninth session (seconds at 16 kB, minutes at
300 kB): a regex part without a bound (`[\\w-]*` before a street word, a
town before a state, a capitalised word's hyphenated parts) re-read the
whole chain from each capital inside it, a walk back over a slash-joined
token started again at each slash, and "[ \\t]*-*[ \\t]*" tried every split
of a long run of blanks. Linear, each takes about a second or less of CPU
time here; quadratic, each takes from a minute to hours. The bound is CPU
time (a loaded machine does not move it much) and an order of magnitude
above the linear cost, so the test cannot flake and still fails on any
return of the square.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from vault.text import detect
from vault.text.anonymize import Anonymizer, Person
from vault.text.residual import candidates

SIZE = 300_000
BOUND = 30.0   # CPU seconds for one text: about 1-2 s linear here
PIECES = {"slashes": "1/", "codes": "A11-", "capitals": "AA-", "blanks": " ",
          "accents": "O'éAA-", "hyphens": "-A1-"}


def _cpu(call) -> float:
    started = time.process_time()
    call()
    return time.process_time() - started


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("piece", list(PIECES.values()), ids=list(PIECES))
def test_a_long_chain_costs_its_length(piece: str, strict: bool) -> None:
    text = piece * (SIZE // len(piece))
    anonymizer = Anonymizer([Person(("Harold Jennings",), "Client-0001")], strict=strict)
    anonymizer.text("warm up the word lists", day_offset=3)
    candidates("warm up")
    spent = _cpu(lambda: (anonymizer.text(text, day_offset=37), detect.find(text),
                          candidates(text)))
    assert spent < BOUND, f"{piece!r} x {SIZE // len(piece)}: {spent:.1f} s of CPU"


# Found by the tenth session's wider search (h33): a run that is linear alone
# but quadratic after a cue that wakes a detector up (a TLD, "of" before a
# capital, "SURNAME, First", a park's word, an income in brackets), or made
# of letters outside ASCII, or of URLs parted by "\r". Each is the cue once,
# then the piece repeated; the cause is in the comment at each fix.
FRAMED = {"url-label": ("a.com", "-a"), "url-windows": ("", "\rwww.x"),
          "letters": ("", "ÉMD"), "x-of-y": ("of Aa ", "CA'"),
          "surname-first": ("Smith, John ", "AB-"), "park": ("Trailer Park ", "-A"),
          "payer": ("income ($5) ", "A.."), "ex-employer": ("", "ex-Coast'"),
          # (tenth session, h41: a firm's name found again, whole or its first word)
          "found-again": ("works at Nimbus. ", "Nimbus \t"),
          "short-name": ("Banks at Summit Bank. ", "the Summit \t"),
          "employer-comma": ("", "employers , employer, A"),
          "report-first-word": ("", "Nimbus offered; \t"),
          "works-in-for": ("", "works in it for works in "),
          "school-abbr": ("", "Aa Bb Cc MS Attends "),
          # (tenth session: plates.py, homes.py, postforms.py, ageforms.py;
          # "plate" and a run of blanks took 4 s at 20 kB before _VANITY lost
          # its two optional runs of blanks side by side)
          "plate-blanks": ("plate", " "), "vanity": ("tag reads", " \t"),
          "plates": ("", "plate AB 12 CD "), "homes": ("", "lives at 12 Elm, "),
          "zip-lines": ("", "Portland\n12345\n"), "zips": ("lives in", " 12345 SW1"),
          "ages": ("", "Mother 93 F/93 "), "vin": ("VIN", " "), "vin-words": ("", "VIN ending ")}


@pytest.mark.parametrize("head,piece", list(FRAMED.values()), ids=list(FRAMED))
def test_a_long_run_after_a_cue_costs_its_length(head: str, piece: str) -> None:
    text = head + piece * (SIZE // len(piece))
    anonymizer = Anonymizer([Person(("Harold Jennings",), "Client-0001")])
    anonymizer.text("warm up the word lists", day_offset=3)
    candidates("warm up")
    spent = _cpu(lambda: (anonymizer.text(text, day_offset=37), detect.find(text),
                          candidates(text)))
    assert spent < BOUND, f"{head!r} + {piece!r} x {SIZE // len(piece)}: {spent:.1f} s of CPU"


def test_a_long_list_of_firms_costs_its_length() -> None:
    """Each organisation found is looked for again in the note
    (headers.coordinated): a search of the whole note for each name made a
    list of firms of distinct names quadratic (160 kB 3 s, 600 kB 45 s)."""
    rng = random.Random(7)
    text = "".join(f"works at {_word(rng)} Inc. " for _ in range(2 * SIZE // 25))
    anonymizer = Anonymizer([Person(("Harold Jennings",), "Client-0001")])
    anonymizer.text("warm up the word lists", day_offset=3)
    spent = _cpu(lambda: (anonymizer.text(text, day_offset=37), detect.find(text)))
    assert spent < BOUND, f"{len(text)} characters of firms: {spent:.1f} s of CPU"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4)).capitalize()


def test_export_of_a_hostile_note_finishes_through_the_cli(vault_env) -> None:
    """The same through `vault add` and `vault export-anonymized`: the export
    of a note of 200 kB of slash-joined digits answers, with the note in it."""
    hostile = "1/" * 100_000
    assert vault_env.run("add", "Harold Jennings", "--new", "-m", hostile).exit_code == 0
    started = time.process_time()
    result = vault_env.run("export-anonymized")
    assert result.exit_code == 0, result.stderr
    assert time.process_time() - started < BOUND
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 1 and len(records[0]["text"]) >= len(hostile) // 2
    assert "Harold" not in result.stdout and "Jennings" not in result.stdout
