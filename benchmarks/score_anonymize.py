"""Scores `vault export-anonymized` against the annotated corpus in
tests/corpus/dev (or tests/corpus/heldout, tests/corpus/fresh): recall per
type, over-redaction, report coverage and MB/s. The rules are in
tests/corpus/README.md.

    python benchmarks/score_anonymize.py [--split dev|heldout|fresh] [--strict]
                                         [--json] [--leaks] [--region US]

The people of a split are registered the way the export registers a vault's
clients (`vault.commands.exports.people`, `pseudonyms`, `day_offset`), one
Anonymizer anonymizes every note of the split, and the report is what the
export shows (`Anonymizer.suspects()`).
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import inspect
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "corpus"

# The annotation types (tests/corpus/README.md explains each).
TYPES = ("NAME", "PERSON", "ORG", "LOCATION", "ADDRESS", "POSTCODE", "DATE", "AGE",
         "PHONE", "EMAIL", "URL", "IP", "SSN", "MRN", "PLAN", "ACCOUNT", "LICENSE",
         "VEHICLE", "DEVICE", "CARD", "IBAN", "ID")
KINDS = ("progress", "discharge", "therapy", "legal", "accounting", "coaching", "referral")
MARK = re.compile(r"\[\[([A-Z]+):([^\[\]]*?)\]\]")
# A placeholder or pseudonym is one token, so "[PERSON]" never matches "person".
TOKEN = re.compile(r"\[[A-Z]+\]|Client-[0-9A-F]+|\w+|[^\w\s]")
# Words that identify nobody on their own: the head of "Mercy General
# Hospital", the "Street" of an address, the "aged" of an age. A span whose
# other words are all gone is removed even if these stay.
GENERIC = frozenset("""
    of the and a an at in on upon de del van der den la le les du al el von da di dos y
    st saint mt mount fort ft
    hospital hospitals clinic clinics medical center centre health healthcare general memorial
    regional community university college school high elementary middle primary academy
    labs lab inc llc llp ltd plc co corp company group partners associates practice surgery
    church chapel care home homes house services service trust foundation bank hospice nursing
    rehab rehabilitation pharmacy nhs court county city district state province north south
    east west new upper lower greater street road rd avenue ave lane ln drive dr boulevard
    blvd apt apartment suite ste unit po box court ct place pl way terrace close crescent
    year years yr yrs old yo aged age
    family medicine internal cardiology oncology pediatrics paediatrics orthopedics psychiatry
    behavioral behavioural mental wellness counseling counselling therapy physical primary
    urgent dental dentistry department dept unit ward outpatient
    by for our sons brothers bros ne nw se sw great little old first mid credit union
    anesthesia anaesthesia psychotherapy psychiatric pharmaceuticals pharma mechanical
    marathon children childrens police station infirmary roofing hotel hotels studio
    studios committee council tribunal chambers institute pub restaurant bistro cafe
    bakery design engineering analytics logistics capital consulting solutions systems
    technologies holdings international national parish temple mosque synagogue
    preschool nursery junior infant secondary lodge
""".split())


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    type: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Note:
    id: str
    client: str
    kind: str
    text: str                     # the note with its markers stripped
    spans: tuple[Span, ...]
    source: str = ""


# -- reading the corpus -----------------------------------------------------------

def parse_notes(raw: str, source: str = "") -> list[Note]:
    """The notes of one corpus file: "## <note id> <client id> <kind>" starts a
    note, [[TYPE:text]] marks an identifier. Raises CorpusError on a
    malformed header or marker."""
    notes = []
    for block in re.split(r"^## ", raw, flags=re.M)[1:]:
        header, _, body = block.partition("\n")
        parts = header.split()
        if len(parts) != 3:
            raise CorpusError(f"{source}: bad header {header!r}")
        body = body.strip("\n").rstrip()
        plain, spans, pos = [], [], 0
        for m in MARK.finditer(body):
            plain.append(body[pos:m.start()])
            start = sum(map(len, plain))
            kind, text = m[1], m[2]
            if kind not in TYPES or not text.strip() or text != text.strip():
                raise CorpusError(f"{source} {parts[0]}: bad marker {m.group()!r}")
            plain.append(text)
            spans.append(Span(kind, start, start + len(text), text))
            pos = m.end()
        plain.append(body[pos:])
        text = "".join(plain)
        if "[[" in text or "]]" in text:
            raise CorpusError(f"{source} {parts[0]}: unbalanced marker")
        notes.append(Note(parts[0], parts[1], parts[2], text, tuple(spans), source))
    return notes


def load_split(split: str, root: Path = CORPUS) -> tuple[list[Note], list[dict]]:
    """Every note of tests/corpus/<split>/*.txt, and its people.json."""
    folder = root / split
    notes = [n for path in sorted(folder.glob("*.txt"))
             for n in parse_notes(path.read_text(encoding="utf-8"), path.name)]
    people = json.loads((folder / "people.json").read_text(encoding="utf-8"))["people"]
    return notes, people


# -- registering the people as the export does -------------------------------------

def registered(people: list[dict]) -> tuple[list, dict[str, object]]:
    """vault Clients for people.json: each client with its own aliases, each
    "third" person an alias with a relation on the client it belongs to."""
    from vault.models import Alias, Client
    when = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    aliases: dict[str, list] = {p["id"]: [Alias(n) for n in p["names"][1:]]
                                for p in people if p["kind"] == "client"}
    for p in people:
        if p["kind"] == "third":
            aliases[p["of"]] += [Alias(n, p.get("relation", "other")) for n in p["names"]]
    clients = {p["id"]: Client(i + 1, p["id"].encode().ljust(16, b"\0"), p["names"][0],
                               when, None, aliases=tuple(aliases[p["id"]]))
               for i, p in enumerate(pp for pp in people if pp["kind"] == "client")}
    return list(clients.values()), clients


def options(strict: bool) -> tuple[dict, dict, bool]:
    """Keyword arguments for Anonymizer() and .text() that ask for strict
    mode, found by looking at their signatures; and whether it was found."""
    from vault.text.anonymize import Anonymizer
    if not strict:
        return {}, {}, True
    for target, i in ((Anonymizer.__init__, 0), (Anonymizer.text, 1)):
        params = inspect.signature(target).parameters
        out: tuple[dict, dict] = ({}, {})
        if "strict" in params:
            out[i]["strict"] = True
        elif "mode" in params:
            out[i]["mode"] = "strict"
        else:
            continue
        return out[0], out[1], True
    return {}, {}, False


# -- scoring ---------------------------------------------------------------------------

def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), fold(m.group())) for m in TOKEN.finditer(text)]


def is_word(tok: str) -> bool:
    return any(c.isalnum() for c in tok)


def survivors(original: list[tuple[int, int, str]], output: str) -> set[int]:
    """Indices of the original's tokens that are still in the output at their
    place: the output's tokens aligned with the original's, in order."""
    a = [t[2] for t in original]
    b = [t[2] for t in tokens(output)]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return {block.a + k for block in matcher.get_matching_blocks() for k in range(block.size)}


def leaked(span: Span, toks: list[tuple[int, int, str]], alive: set[int]) -> tuple[str, ...]:
    """The span's identifying tokens that survive if the span counts as
    leaked, else (). Identifying: a word token with a digit, or of two
    characters or more and not GENERIC (all word tokens when none is). A DATE leaks when all
    of them survive (a shifted date keeps its year or month); any other span
    when one does."""
    mine = [i for i, (s, e, t) in enumerate(toks) if s < span.end and e > span.start
            and is_word(t)]
    ident = [i for i in mine if any(c.isdigit() for c in toks[i][2])
             or len(toks[i][2]) >= 2 and toks[i][2] not in GENERIC] or mine
    left = tuple(toks[i][2] for i in ident if i in alive)
    if span.type == "DATE" and len(left) < len(ident):
        return ()
    return left


@dataclass
class NoteScore:
    leaks: list[tuple[Span, tuple[str, ...]]] = field(default_factory=list)
    ordinary: int = 0          # ordinary word tokens: outside every span
    changed: int = 0           # of which not in the output at their place
    changed_words: list[str] = field(default_factory=list)


def score_note(note: Note, output: str) -> NoteScore:
    toks = tokens(note.text)
    alive = survivors(toks, output)
    result = NoteScore()
    for span in note.spans:
        left = leaked(span, toks, alive)
        if left:
            result.leaks.append((span, left))
    for i, (s, e, t) in enumerate(toks):
        if is_word(t) and not any(s < sp.end and e > sp.start for sp in note.spans):
            result.ordinary += 1
            if i not in alive:
                result.changed += 1
                result.changed_words.append(note.text[s:e])
    return result


def report_words(report: object) -> set[str]:
    """The folded words a report lists: (word, count) pairs, strings, dicts
    or objects with a "word" or "text" field."""
    words = set()
    for item in report or ():
        if isinstance(item, (tuple, list)):
            item = item[0]
        elif isinstance(item, dict):
            item = item.get("word", item.get("text", ""))
        elif not isinstance(item, str):
            item = getattr(item, "word", getattr(item, "text", ""))
        words.update(t for _, _, t in tokens(str(item)) if is_word(t))
    return words


@dataclass
class Result:
    spans: Counter = field(default_factory=Counter)
    leaks: list[tuple[str, Span, tuple[str, ...]]] = field(default_factory=list)
    reported: Counter = field(default_factory=Counter)
    ordinary: int = 0
    changed: int = 0
    false_alarms: list[str] = field(default_factory=list)
    changed_words: list[tuple[str, str]] = field(default_factory=list)
    report_size: int = 0
    mb_per_s: float = 0.0
    mb_per_cpu_s: float = 0.0
    strict: bool = False
    strict_supported: bool = True
    outputs: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict:
        leaked = Counter(s.type for _, s, _ in self.leaks)
        total, lost = sum(self.spans.values()), len(self.leaks)
        per_type = {t: {"spans": n, "leaked": leaked[t], "recall": round(1 - leaked[t] / n, 4),
                        "reported": self.reported[t]}
                    for t, n in sorted(self.spans.items(), key=lambda kv: TYPES.index(kv[0]))}
        return {"strict": self.strict, "strict_supported": self.strict_supported,
                "spans": total, "leaked": lost, "recall": round(1 - lost / total, 4) if total else 1.0,
                "over_redaction": round(self.changed / self.ordinary, 4) if self.ordinary else 0.0,
                "ordinary_words": self.ordinary, "ordinary_changed": self.changed,
                "report_coverage": round(sum(self.reported.values()) / lost, 4) if lost else 1.0,
                "report_size": self.report_size, "report_false_alarms": len(self.false_alarms),
                "mb_per_s": round(self.mb_per_s, 2), "mb_per_cpu_s": round(self.mb_per_cpu_s, 2),
                "per_type": per_type}


def score(notes: list[Note], people: list[dict], *, strict: bool = False,
          region: str = "US", repeat: int = 5) -> Result:
    """Anonymizes every note as `vault export-anonymized` would and scores it."""
    from vault.commands import exports
    from vault.text.anonymize import Anonymizer
    clients, by_id = registered(people)
    key = bytes(range(32))
    names = exports.pseudonyms(key, clients)
    init_kw, text_kw, supported = options(strict)
    result = Result(strict=strict, strict_supported=supported)

    def build() -> Anonymizer:
        return Anonymizer(exports.people(clients, names), dates="shift", region=region,
                          **init_kw)

    shifts = {cid: exports.day_offset(key, c) for cid, c in by_id.items()}
    # (the note's own client, as the export passes it, where the engine takes it)
    whose = {cid: {"client": exports.own_person(c, names)} for cid, c in by_id.items()} \
        if "client" in inspect.signature(Anonymizer.text).parameters \
        and hasattr(exports, "own_person") else dict.fromkeys(by_id, {})
    anonymizer = build()
    for note in notes:
        result.outputs[note.id] = anonymizer.text(note.text, day_offset=shifts[note.client],
                                                  **text_kw, **whose[note.client])
    report = anonymizer.suspects()
    result.report_size = len(report)
    listed = report_words(report)
    annotated = {t for n in notes for s in n.spans for _, _, t in tokens(s.text)}
    result.false_alarms = sorted(listed - annotated)
    for note in notes:
        ns = score_note(note, result.outputs[note.id])
        result.spans.update(s.type for s in note.spans)
        result.ordinary += ns.ordinary
        result.changed += ns.changed
        result.changed_words += [(note.id, w) for w in ns.changed_words]
        for span, left in ns.leaks:
            result.leaks.append((note.id, span, left))
            result.reported[span.type] += bool(set(left) & listed)
    size = sum(len(n.text.encode()) for n in notes)
    best = best_cpu = float("inf")
    for _ in range(repeat):
        timed = build()
        started, cpu = time.perf_counter(), time.process_time()
        for note in notes:
            timed.text(note.text, day_offset=shifts[note.client], **text_kw, **whose[note.client])
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    result.mb_per_s = size / 1e6 / best if best else 0.0
    result.mb_per_cpu_s = size / 1e6 / best_cpu if best_cpu else 0.0
    return result


def render(summary: dict) -> str:
    lines = [f"{'type':<10}{'spans':>7}{'leaked':>8}{'recall':>8}{'reported':>10}"]
    for kind, row in summary["per_type"].items():
        lines.append(f"{kind:<10}{row['spans']:>7}{row['leaked']:>8}{row['recall']:>8.3f}"
                     f"{row['reported']:>10}")
    lines.append(f"{'all':<10}{summary['spans']:>7}{summary['leaked']:>8}"
                 f"{summary['recall']:>8.3f}")
    lines.append(f"over-redaction: {summary['over_redaction']:.2%} of "
                 f"{summary['ordinary_words']} ordinary words "
                 f"({summary['ordinary_changed']} changed)")
    lines.append(f"report coverage: {summary['report_coverage']:.2%} of leaks listed; "
                 f"report lists {summary['report_size']} words, "
                 f"{summary['report_false_alarms']} of them no annotated word")
    lines.append(f"throughput: {summary['mb_per_s']:.2f} MB/s "
                 f"({summary['mb_per_cpu_s']:.2f} MB/s of CPU time: a busy machine lowers the first)")
    if summary["strict"] and not summary["strict_supported"]:
        lines.append("strict mode: this Anonymizer has none; scored the default mode")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "fresh"), default="dev")
    parser.add_argument("--strict", action="store_true", help="score the strict mode")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--leaks", action="store_true",
                        help="list every leaked span and every changed ordinary word")
    parser.add_argument("--region", default="US", help="the export's --region")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes (best counts)")
    args = parser.parse_args(argv)
    notes, people = load_split(args.split)
    result = score(notes, people, strict=args.strict, region=args.region,
                   repeat=args.repeat)
    summary = result.summary()
    summary.update(split=args.split, notes=len(notes))
    if args.json:
        if args.leaks:
            summary["leaks"] = [{"note": nid, "type": s.type, "text": s.text, "left": list(left)}
                                for nid, s, left in result.leaks]
            summary["false_alarms"] = result.false_alarms
            summary["changed"] = [{"note": nid, "word": w} for nid, w in result.changed_words]
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return 0
    print(f"split: {args.split}, notes: {len(notes)}, mode: "
          f"{'strict' if args.strict else 'default'}")
    print(render(summary))
    if args.leaks:
        for nid, span, left in result.leaks:
            print(f"leak {nid:<8} {span.type:<9} {span.text!r}  (left: {' '.join(left)})")
        for nid, word in result.changed_words:
            print(f"changed {nid:<8} {word!r}")
        print("report words matching no annotation:", " ".join(result.false_alarms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
