"""Everything the anonymizer says about a fixed set of texts, in every mode,
as JSON lines: to check that a change meant only for speed changes no byte.

    python benchmarks/dump_anonymize.py OUT.jsonl [--mb 0.3]
    diff <(python benchmarks/dump_anonymize.py /dev/stdout) BEFORE.jsonl

Texts: every note of tests/corpus/dev, tests/corpus/heldout and
tests/corpus/notes.txt; benchmark notes (bench_anonymize.py's, default and
dense); and texts strung together at random (fixed seed) from the pieces
tests/unit/test_detect_merged.py uses. Modes: default, strict, dates
"year" and "keep", region GB, --keep and --also; with each output its
residual-risk report (offsets, word, why), the counts and suspects() at the
end, and `redact --pii`'s spans (detect.find).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--engine" in sys.argv:   # another copy of vault/ to dump: the one before a change
    sys.path.insert(0, sys.argv[sys.argv.index("--engine") + 1])
sys.path.insert(0, str(ROOT / "benchmarks"))

from vault.text import detect  # noqa: E402
print("dumping", detect.__file__, file=sys.stderr)
from vault.text.anonymize import Anonymizer, Person  # noqa: E402

MARK = re.compile(r"\[\[([A-Z]+):([^\[\]]*?)\]\]")
MODES = {
    "default": {},
    "strict": {"strict": True},
    "year": {"dates": "year"},
    "keep": {"dates": "keep"},
    "gb": {"region": "GB"},
    "keep-also": {"keep": ("Portland", "Reading", "Okonjo"), "also": ("warehouse", "Annual")},
}


def corpus_sets() -> list[tuple[str, list[Person], list[str]]]:
    import score_anonymize as sa
    from vault.commands import exports
    out = []
    for split in ("dev", "heldout"):
        notes, people = sa.load_split(split)
        clients, _ = sa.registered(people)
        names = exports.pseudonyms(bytes(range(32)), clients)
        out.append((split, exports.people(clients, names), [n.text for n in notes]))
    raw = (ROOT / "tests" / "corpus" / "notes.txt").read_text(encoding="utf-8")
    texts = [MARK.sub(r"\2", block.partition("\n")[2]).strip()
             for block in re.split(r"^## ", raw, flags=re.M)[1:]]
    records = json.loads((ROOT / "tests" / "corpus" / "people.json").read_text())["people"]
    people = [Person(tuple(p["names"]), f"Client-{i:04X}" if p["kind"] == "client" else "[PERSON]")
              for i, p in enumerate(records)]
    out.append(("notes.txt", people, texts))
    return out


def bench_sets(mb: float) -> list[tuple[str, list[Person], list[str]]]:
    import bench_anonymize as ba
    out = []
    for detail in (0.3, 1.0):
        rng = random.Random(20261125)
        people = ba.make_people(rng, 1000)
        out.append((f"bench-{detail}", people, ba.make_notes(rng, people, int(mb * 1e6), detail)))
    return out


def random_set(n: int, other: bool = False) -> tuple[str, list[Person], list[str]]:
    from tests.unit import test_detect_merged as t
    rng = random.Random(14 + other)
    pieces = list(t.NOTE_PIECES.elements) + (
        list(t.NON_ASCII_PIECES.elements) + list(t.REPORT_PIECES.elements) if other else [])
    texts = []
    for i in range(n):
        pool = pieces if i % 2 else t.PIECES
        texts.append((" " if i % 2 else "").join(rng.choice(pool) for _ in range(rng.randint(0, 50))))
    people = [Person(("Jennifer Smith", "Bobby"), "Client-0001"),
              Person(("Ravi Shankar",), "[PERSON]")]
    return "random-other" if other else "random", people, texts


def dump(out, label: str, people: list[Person], texts: list[str]) -> None:
    for mode, kw in MODES.items():
        anonymizer = Anonymizer(people, **kw)
        for i, text in enumerate(texts):
            result = anonymizer.text(text, day_offset=(i * 37) % 365 - 182)
            report = [(c.start, c.end, c.word, c.why) for c in anonymizer.last_candidates]
            out.write(json.dumps([label, mode, i, result, report], ensure_ascii=False) + "\n")
        out.write(json.dumps([label, mode, "end", sorted(anonymizer.counts.items()),
                              anonymizer.suspects()], ensure_ascii=False) + "\n")
    for i, text in enumerate(texts):
        pii = [(s.start, s.end, s.kind) for s in detect.find(text)]
        out.write(json.dumps([label, "pii", i, pii]) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--mb", type=float, default=0.3, help="megabytes of benchmark notes per set")
    parser.add_argument("--random", type=int, default=3000, help="random texts")
    parser.add_argument("--engine", metavar="DIR", help="the folder holding the vault/ to dump")
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8") as out:
        for label, people, texts in [*corpus_sets(), *bench_sets(args.mb), random_set(args.random),
                                     random_set(args.random, other=True)]:
            dump(out, label, people, texts)


if __name__ == "__main__":
    main()
