"""Throughput of the anonymization engine: ~10 MB of synthetic notes about
1,000 known people (fixed seed), anonymized note by note. Prints MB/s and
peak RSS.

    python benchmarks/bench_anonymize.py [--mb 10] [--people 1000] [--detail 0.3]
                                         [--strict] [--report] [--profile 25]
                                         [--against DIR [--rounds 5]] [--other] [--alone]

--report also builds the residual-risk report of every note, as the export
does (the Anonymizer builds it only when asked for); --strict runs strict
mode. "Dense notes" are --detail 1: every sentence carries personal data.
--profile N runs the notes once more under cProfile and prints the N
functions with the most time of their own, and the time of each detector:
where the time goes (cProfile slows the run; the MB/s above is without it).
--against DIR compares this engine with the one in DIR/vault (another
checkout, e.g. `git worktree add /tmp/before main`): both anonymize the same
notes, alternately, --rounds times, in one process, and the best CPU-time
figure of each is printed with their ratio, and whether their outputs are
the same (a shared machine's load changes from minute to minute; running
the two side by side is what makes their ratio worth reading; DIR's engine
reads this checkout's word lists). --other makes every note non-ASCII, as
a word processor's curly apostrophe or a "£" does. --alone then times the
costliest detectors each alone, and a floor (one pass over every word with
one set lookup): what the 5 MB/s target leaves to each detector.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vault.text.anonymize import Anonymizer, Person  # noqa: E402

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
         "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa "
         "Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly "
         "Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa "
         "George Deborah Timothy Stephanie Ronald Rebecca Edward Sharon Jason Laura Jeffrey "
         "Cynthia Ryan Kathleen Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan "
         "Brenda Stephen Pamela Larry Emma Justin Nicole Scott Helen Brandon Samantha Benjamin "
         "Katherine Samuel Christine Gregory Debra Alexander Rachel Frank Carolyn Patrick Janet "
         "José Zoë Renée Björn Siobhan Aoife Priya Rahul Mei Hiroshi").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
                    "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin "
                    "Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker "
                    "Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
                    "Baker Hall Rivera Campbell Mitchell Carter Roberts Whitaker Okafor Nakamura "
                    "Kowalski O'Brien Müller Dubois Rossi McAllister Fitzgerald").split() + ["van der Berg", "de la Cruz", "Smith-Jones", "Núñez-García", "al-Hassan"]

NICKNAMES = {"Robert": "Bobby", "William": "Bill", "Elizabeth": "Liz", "Jonathan": "Jon",
             "Katherine": "Kate", "Christopher": "Chris", "Margaret": "Peggy",
             "Richard": "Rick", "Patricia": "Trish", "Alexander": "Sasha", "Samantha": "Sam",
             "Nicholas": "Nick", "Rebecca": "Becky", "Joseph": "Joe", "Deborah": "Debbie"}

# Sentences that carry names, numbers or other personal data ...
DETAIL = (
    "{name} arrived ten minutes late and said the week had been difficult.",
    "We reviewed the sleep diary; {first} reports waking at 4am most nights.",
    "{first}'s sister {other} has been staying with them since {date}.",
    "Discussed the custody hearing scheduled for {date} with {name}.",
    "Client can be reached on {phone} after 6pm.",
    "Billing: invoice sent to {email}, paid $150 by card.",
    "Homework: continue the thought record and practise the breathing exercise twice a day.",
    "Mood rated 4/10 at the start of the session and 6/10 at the end.",
    "{name} mentioned that work at the warehouse has been stressful again.",
    "Plan: 2 sessions per month, review progress in the Annual review meeting.",
    "New address on file: {address}.",
    "Spoke briefly about {other}, who is worried about the move.",
    "Opposing counsel sent the disclosure bundle; next step is the witness statement.",
    "Reminder: no session on {date} because of the holiday.",
    "Referral letter from Dr {last} received, MRN {mrn}.",
    "The client talked about their father, a {age}-year-old retired teacher.",
    "Agreed to check in by phone next week, same time (10:30).",
    "Called {first} back at 4.15pm; {first} had forgotten the appointment.",
)
# ... and sentences that carry none, as most of a note's sentences do.
PROSE = (
    "Notes shared with the supervisor under the usual consent terms.",
    "She described feeling flat most mornings, with more energy by the afternoon.",
    "We talked through what happened at the family dinner and how it left them feeling.",
    "Explored the pattern of avoidance around phone calls and unopened letters.",
    "Client was tearful when talking about the anniversary but settled quickly.",
    "Reviewed the safety plan together; no current thoughts of self-harm reported.",
    "Practised a grounding exercise and noticed less tension in the shoulders.",
    "He wants to focus on assertiveness at work, particularly in meetings with his manager.",
    "The settlement offer was discussed; client would like time to consider it.",
    "Drafted questions for the mediation and agreed what to leave out.",
    "Sleep is improving, appetite still poor, drinking less than last month.",
    "Talked about the upcoming visit and what a good outcome would look like.",
    "Client reports arguments at home have eased since the last session.",
    "Reflected on the progress made so far and on what still feels stuck.",
    "The letter from the landlord has been causing considerable anxiety.",
    "Discussed boundaries with the extended family over the holidays.",
    "We agreed to revisit the question of medication with the doctor.",
    "Client asked whether the records could be shared with the new therapist.",
    "Some resistance to the homework; explored what makes it hard to start.",
    "Counsel's advice on the lease dispute was summarised and the options weighed.",
    "Ended the session with a short relaxation exercise.",
    "Client feels more confident about returning to work part-time.",
    "Explored grief about the loss of the old friendship group.",
)


def make_people(rng: random.Random, n: int) -> list[Person]:
    people = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        names = (f"{first} {last}",)
        if first in NICKNAMES and rng.random() < 0.5:
            names += (NICKNAMES[first], f"{NICKNAMES[first]} {last[0]}")
        replacement = f"Client-{i:04X}" if i % 3 else "[PERSON]"
        people.append(Person(names, replacement))
    return people


def make_notes(rng: random.Random, people: list[Person], size: int,
               detail: float = 0.3) -> list[str]:
    notes, total = [], 0
    while total < size:
        who = rng.choice(people).names[0]
        other = rng.choice(people).names[0]
        lines = []
        for _ in range(rng.randint(8, 20)):
            pool = DETAIL if rng.random() < detail else PROSE
            lines.append(rng.choice(pool).format(
                name=who, first=who.split()[0], last=who.split()[-1], other=other,
                date=rng.choice(("03/05/2024", "2024-03-05", "5 March 2024", "March 5, 2024")),
                phone=rng.choice(("(415) 555-01{b:02d}", "+44 20 7946 0{a:03d}",
                                  "020 7946 0{a:03d}", "+33 1 42 68 {b:02d} {c:02d}")).format(
                    a=rng.randint(0, 999), b=rng.randint(0, 99), c=rng.randint(0, 99)),
                email=f"{who.split()[0].lower()}@example.com",
                address=f"{rng.randint(1, 999)} Baker Street, Apt {rng.randint(1, 20)}B",
                mrn=f"{rng.randint(0, 99999999):08d}", age=rng.randint(30, 99)))
        note = " ".join(lines)
        notes.append(note)
        total += len(note.encode())
    return notes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="megabytes of notes")
    parser.add_argument("--people", type=int, default=1000, help="known people")
    parser.add_argument("--detail", type=float, default=0.3,
                        help="fraction of sentences carrying names, numbers and other personal data")
    parser.add_argument("--strict", action="store_true", help="strict mode")
    parser.add_argument("--report", action="store_true",
                        help="also build the residual-risk report of every note")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="then profile a second run and print the N costliest functions")
    parser.add_argument("--against", metavar="DIR",
                        help="compare with the engine of another checkout, side by side")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each, with --against")
    parser.add_argument("--alone", action="store_true",
                        help="then time the costliest detectors each alone, and a floor: one "
                             "pass over every word with one set lookup")
    parser.add_argument("--other", action="store_true",
                        help="make every note non-ASCII (one curly apostrophe or a pound sign)")
    args = parser.parse_args(argv)
    rng = random.Random(20261125)
    people = make_people(rng, args.people)
    notes = make_notes(rng, people, int(args.mb * 1_000_000), args.detail)
    if args.other:
        notes = [n.replace("'", "\u2019", 1) if "'" in n else n + " \u00a3" for n in notes]
    size = sum(len(n.encode()) for n in notes)
    if args.against:
        compare(args, people, notes, size)
        return

    started = time.perf_counter()
    anonymizer = Anonymizer(people, dates="shift", region="US", strict=args.strict)
    anonymizer.text("Dr. Smith in Portland, MRN 12345678")   # reads the word lists
    built = time.perf_counter()
    cpu = time.process_time()
    for i, note in enumerate(notes):
        anonymizer.text(note, day_offset=i % 365 - 182)
        if args.report:
            anonymizer.last_candidates
    done = time.perf_counter()
    cpu = time.process_time() - cpu

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"people: {args.people}, notes: {len(notes)}, text: {size / 1e6:.1f} MB, "
          f"detail sentences: {args.detail:.0%}, strict: {args.strict}, report: {args.report}")
    print(f"index built and word lists read in {built - started:.2f} s")
    print(f"anonymized in {done - built:.2f} s: {size / 1e6 / (done - built):.2f} MB/s "
          f"({size / 1e6 / cpu:.2f} MB/s of CPU time: a busy machine lowers the first figure)")
    print(f"replacements: {dict(anonymizer.counts.most_common())}")
    print(f"peak RSS: {peak_kb / 1024:.0f} MB")
    if args.profile:
        profile(anonymizer, notes, args.report, args.profile)
    if args.alone:
        alone(anonymizer, notes, size)


def alone(anonymizer: Anonymizer, notes: list[str], size: int) -> None:
    """MB/s of CPU time (best of 3) of the detectors that cost most, each
    run alone over the same notes, beside the whole engine and a floor: a
    Python loop over every word of the notes with one set lookup each,
    what any detector that looks at every word costs at least."""
    import re
    from vault.text import detect, gazetteer, idents, lexicon, people, when

    def best(run) -> float:
        times = []
        for _ in range(3):
            cpu = time.process_time()
            run()
            times.append(time.process_time() - cpu)
        return size / 1e6 / min(times)

    windows = [detect.digit_windows(n) for n in notes]
    words, vocabulary = re.compile(r"\w+"), lexicon.vocabulary()
    rows = [
        ("the whole engine", lambda: [anonymizer.text(n, day_offset=5) for n in notes]),
        ("detect.find_all", lambda: [detect.find_all(n, ("US",), True) for n in notes]),
        ("gazetteer.find_gazetteer", lambda: [gazetteer.find_gazetteer(n) for n in notes]),
        ("people.find_context", lambda: [people.find_context(n) for n in notes]),
        ("idents.find", lambda: [idents.find(n, w) for n, w in zip(notes, windows)]),
        ("when.find", lambda: [when.find(n, w) for n, w in zip(notes, windows)]),
        ("floor: every word, one lookup",
         lambda: [[m[0].lower() in vocabulary for m in words.finditer(n)] for n in notes]),
    ]
    print("\neach alone, MB/s of CPU time (best of 3):")
    for label, run in rows:
        print(f"  {label:30s} {best(run):6.2f}")


def engine_in(folder: str) -> tuple[type, type]:
    """Anonymizer and Person of the vault/ in `folder`, imported as the
    package "vault_against" (vault/text imports only relatively)."""
    import importlib
    import importlib.util
    root = Path(folder).resolve() / "vault"
    spec = importlib.util.spec_from_file_location(
        "vault_against", root / "__init__.py", submodule_search_locations=[str(root)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["vault_against"] = module
    spec.loader.exec_module(module)
    other = importlib.import_module("vault_against.text.anonymize")
    return other.Anonymizer, other.Person


def compare(args: argparse.Namespace, people: list[Person], notes: list[str], size: int) -> None:
    other_anonymizer, other_person = engine_in(args.against)
    engines = {
        "this": Anonymizer(people, dates="shift", region="US", strict=args.strict),
        "against": other_anonymizer([other_person(p.names, p.replacement) for p in people],
                                    dates="shift", region="US", strict=args.strict)}
    best = dict.fromkeys(engines, 0.0)
    outputs: dict[str, list[str]] = {}
    for engine in engines.values():
        engine.text("Dr. Smith in Portland, MRN 12345678")   # reads the word lists
    for _ in range(args.rounds):
        for name, engine in engines.items():
            cpu = time.process_time()
            out = []
            for i, note in enumerate(notes):
                out.append(engine.text(note, day_offset=i % 365 - 182))
                if args.report:
                    out.append(repr(engine.last_candidates))
            best[name] = max(best[name], size / 1e6 / (time.process_time() - cpu))
            outputs[name] = out
    print(f"notes: {len(notes)}, text: {size / 1e6:.1f} MB, detail sentences: {args.detail:.0%}, "
          f"strict: {args.strict}, report: {args.report}, non-ASCII: {args.other}")
    print(f"best of {args.rounds}, MB/s of CPU time: this {best['this']:.2f}, "
          f"{args.against} {best['against']:.2f}: x{best['this'] / best['against']:.2f}; "
          f"outputs {'the same' if outputs['this'] == outputs['against'] else 'DIFFERENT'}")


def profile(anonymizer: Anonymizer, notes: list[str], report: bool, top: int) -> None:
    import cProfile
    import pstats
    profiler = cProfile.Profile()
    profiler.enable()
    for i, note in enumerate(notes):
        anonymizer.text(note, day_offset=i % 365 - 182)
        if report:
            anonymizer.last_candidates
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\nunder cProfile, the {top} functions with the most time of their own:")
    stats.sort_stats("tottime").print_stats(top)
    # Each detector's share, time spent inside it and what it calls.
    wanted = ("find_all", "find_checked", "find_dates", "find_ids", "find_addresses",
              "find_postcodes", "find_ssns", "find_ages", "find_urls", "find_phones",
              "find_context", "find_gazetteer", "find_orgs", "find_areas", "digit_windows")
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (path, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        module = Path(path).stem
        if name in wanted or (name, module) in (("find", "idents"), ("find", "when"),
                                                 ("find", "names"), ("_apply", "anonymize")):
            rows.append((cumulative, f"{module}.{name}"))
    print("each detector, with what it calls (share of the profiled time):")
    for cumulative, label in sorted(rows, reverse=True):
        print(f"  {label:28s} {cumulative:7.2f} s  {cumulative / total:6.1%}")


if __name__ == "__main__":
    main()
