"""How good a safety net the residual-risk report is, measured without a
held-out set: the "knock-out" benchmark.

    python benchmarks/bench_report.py [--dir tests/corpus/dev] [--family org]
                                      [--leaks] [--alarms] [--json]

The export meets writing it does not know, and then it leaves identifiers
that the report should list. On the development corpus little leaks, so
coverage there says nothing. This benchmark makes it leak: for each detector
family in turn, it anonymizes the corpus with that family's spans dropped
(as if the detectors had never seen such writing) and counts

- leaks: the annotated spans that survive (tests/corpus/README.md's rules,
  as `score_anonymize.py` counts them);
- listed: how many of them the report lists (a surviving word of the span
  among the report's words), and coverage, listed / leaks;
- false alarms: words the report lists that are in no annotated span.

The "none" row is the export as it is; "names" registers nobody (every
client and relative is a person nobody registered). `--dir` scores another
folder in the corpus format (a folder of probes, say). The held-out split is
never read: it is what this benchmark stands in for.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import score_anonymize as sa  # noqa: E402

# Detector families, by the kinds of span they report (a date's kind is "DATE:<form>").
FAMILIES: dict[str, tuple[str, ...]] = {
    "none": (),
    "person": ("PERSON",),
    "org": ("ORG",),
    "place": ("PLACE",),
    "address": ("ADDRESS", "POSTCODE"),
    "id": ("ID", "BAREID"),
    "date": ("DATE",),
    "age": ("AGE",),
    "contact": ("PHONE", "EMAIL", "URL", "IP", "SSN", "CARD", "IBAN"),
    "names": (),   # registered names: nobody is registered
}


@contextmanager
def knocked_out(family: str):
    """The export with one family's spans dropped (patched here only)."""
    from vault.commands import exports
    from vault.text import detect
    kinds = FAMILIES[family]
    find_all, people = detect.find_all, exports.people

    def without(text, *args, **kwargs):
        return [s for s in find_all(text, *args, **kwargs) if s.kind.partition(":")[0] not in kinds]
    if kinds:
        detect.find_all = without
    if family == "names":
        exports.people = lambda clients, names: []
    try:
        yield
    finally:
        detect.find_all, exports.people = find_all, people


def measure(notes: list, people: list[dict], family: str) -> dict:
    with knocked_out(family):
        started = time.perf_counter()
        result = sa.score(notes, people, repeat=0)
        seconds = time.perf_counter() - started
    listed = len([1 for _, span, left in result.leaks if _listed(result, span, left)])
    leaks = len(result.leaks)
    return {"family": family, "leaks": leaks, "listed": listed,
            "coverage": round(listed / leaks, 4) if leaks else 1.0,
            "report_size": result.report_size, "false_alarms": len(result.false_alarms),
            "alarm_words": result.false_alarms, "seconds": round(seconds, 2),
            "missed": [(nid, span.type, span.text, " ".join(left))
                       for nid, span, left in result.leaks if not _listed(result, span, left)]}


def _listed(result: sa.Result, span: sa.Span, left: tuple[str, ...]) -> bool:
    return bool(set(left) & result.listed)


def _score_keeping_the_report(original=sa.score):
    """sa.score, keeping the report's words on the result (for _listed)."""
    def score(notes, people, **kwargs):
        from vault.text.anonymize import Anonymizer
        suspects = Anonymizer.suspects
        seen: list = []

        def spy(self, limit=None):
            out = suspects(self, limit)
            seen.append(out)
            return out
        Anonymizer.suspects = spy
        try:
            result = original(notes, people, **kwargs)
        finally:
            Anonymizer.suspects = suspects
        result.listed = sa.report_words(seen[0]) if seen else set()
        return result
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=sa.CORPUS / "dev",
                        help="a folder of notes in the corpus format, with people.json")
    parser.add_argument("--family", action="append", choices=list(FAMILIES),
                        help="only these families (default: all)")
    parser.add_argument("--leaks", action="store_true", help="list the leaks the report misses")
    parser.add_argument("--alarms", action="store_true", help="list the false alarms")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if "heldout" in args.dir.resolve().parts:
        parser.error("the held-out split is not for tuning: this benchmark stands in for it")
    notes = [n for path in sorted(args.dir.glob("*.txt"))
             for n in sa.parse_notes(path.read_text(encoding="utf-8"), path.name)]
    people = json.loads((args.dir / "people.json").read_text(encoding="utf-8"))["people"]
    sa.score = _score_keeping_the_report()
    rows = [measure(notes, people, f) for f in args.family or FAMILIES]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"{args.dir}: {len(notes)} notes")
    print(f"{'knocked out':<12}{'leaks':>7}{'listed':>8}{'coverage':>10}{'report':>8}"
          f"{'false alarms':>14}{'seconds':>9}")
    for r in rows:
        print(f"{r['family']:<12}{r['leaks']:>7}{r['listed']:>8}{r['coverage']:>10.1%}"
              f"{r['report_size']:>8}{r['false_alarms']:>14}{r['seconds']:>9.1f}")
    knocked = [r for r in rows if r["family"] != "none"]
    if knocked:
        leaks, listed = sum(r["leaks"] for r in knocked), sum(r["listed"] for r in knocked)
        print(f"{'all but none':<12}{leaks:>7}{listed:>8}{listed / leaks if leaks else 1:>10.1%}"
              f"{'':>8}{sum(r['false_alarms'] for r in knocked):>14}")
    for r in rows:
        if args.leaks:
            for nid, kind, text, left in r["missed"]:
                print(f"missed {r['family']:<8} {nid:<10} {kind:<9} {text!r}  (left: {left})")
        if args.alarms:
            print(f"false alarms {r['family']}: {' '.join(r['alarm_words'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
