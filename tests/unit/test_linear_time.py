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
