"""Organisations by where they stand (issue 14, seventh session): names
with no head word that only their place in the note or a label marks.

- A letterhead or a header: the part of a heading in capitals that is not
  the heading's kind (`HOME VISIT -- SOUND PALLIATIVE`, `DISCHARGE
  SUMMARY -- REGIONS`, `SWEDISH FIRST HILL  Labor & Delivery`), and a note's
  first line in capitals that names no kind of document or department
  (`NORTHWIND`, not `DISCHARGE SUMMARY` or `INTERNAL MEDICINE`).
- A party in a case's title: `Castellanos v. Kwik Trip`.
- A label that names a firm's role: `customer Persimmon`, `supplier
  Travis Perkins`, `previous accountant: Liberty Tax`, `bank Tangerine`,
  `shelter: Higher Ground`, `landlord: Greenwin`.
- The next of a list after an organisation: `at Micron and Lam`.
- The same name again in the note, once one rule has found it (`cc:
  Higher Ground case management`).

Pure functions, no I/O.
"""

from __future__ import annotations

import re

from . import known, lexicon, orgs
from .lexicon import STOP, key
from .orgnames import NOT_IN_NAMES
from .placecues import COMPASS
from .span import Span, has_word, word_starts

_UP = "A-ZÀ-ÖØ-Þ"
_RUN = rf"[{_UP}][\w'’.&-]*(?:[ \t]+(?:&[ \t]+|(?:of|for)[ \t]+)?[{_UP}][\w'’.&-]*){{0,4}}"
# The words of a heading that say what the document is, or which
# department wrote it: a heading made only of these names no one.
_KIND_WORDS = frozenset("""
    discharge summary progress note notes letter memo memorandum file attendance referral
    consult consultation assessment intake report visit home telephone tel call record
    records clinic department dept service services unit ward division medicine internal
    family general emergency ed er urgent care surgery surgical psychiatry psychiatric
    psychology geriatrics geriatric cardiology oncology pediatrics paediatrics pediatric
    paediatric neurology radiology orthopaedics orthopedics orthopaedic orthopedic nursing
    night day shift rehab rehabilitation physical therapy occupational health mental
    behavioral behavioural social work case management outpatient inpatient opd admission
    admissions history operative procedure plan review session letter to of and the for re
    confidential private privileged draft final addendum patient client name date subject
    page tax return year organizer bookkeeping coaching counselling counseling couples
    individual group initial follow up well child clinical fellows monthly weekly annual
    interim update meeting minutes telehealth video phone encounter documentation
    instructions medication medications list labs lab results imaging sick leave fit note
    certificate statement invoice receipt engagement terms agreement will probate estate
    matter dispute claim case brief advice opinion notice hearing court order judgment
    postpartum antenatal prenatal maternity labor labour delivery obstetrics gynecology
    gynaecology dermatology urology nephrology endocrinology rheumatology gastroenterology
    pulmonology respiratory infectious diseases hematology haematology ophthalmology ent
    dental clinic icu nicu picu ccu hdu pacu theatre theatres recovery anaesthesia anesthesia
    hospice supportive primary secondary new old adult adults children youth
    senior seniors student employee staff health occupational sports and &
    repeat prescription prescriptions request requests
""".split())
# People by their role in a heading: "HOSPICE NURSE", "LTC PHYSICIAN NOTE".
_ROLES = frozenset("""
    nurse nurses physician physicians doctor doctors surgeon therapist counsellor counselor
    coach social worker worker pharmacist dietitian midwife psychologist psychiatrist
    hospitalist resident attending consultant registrar intern fellow student chaplain
    lawyer solicitor attorney counsel paralegal accountant preparer director manager
""".split())
_CAPS3 = re.compile(r"[A-Z]{3}")
# (cues that name a firm only with "with", "for", "of" or "at": "volunteers Saturdays")
_JOIN_ONLY = frozenset("volunteer volunteered volunteering trustee governor board".split())
_JOINED = re.compile(r":|[ \t](?:with|for|of|at)[ \t]")
_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")
_HEADING_SPLIT = re.compile(r"[ \t]+(?:--|-|–|—|\|)[ \t]+|[ \t]{2,}")
_CAPS_SEGMENT = re.compile(r"[A-Z][A-Z'’.&-]*(?:[ \t]+[A-Z&][A-Z'’.&-]*){0,4}")
# A party after "v." in a case's title.
_VERSUS = re.compile(rf"(?<=[\w.])[ \t]+(?:v\.?|vs\.?|V\.?)[ \t]+(?P<run>{_RUN})")
_VERSUS_WORDS = frozenset({"v", "vs"})
# A label of a firm's role, then its name: "supplier Travis Perkins",
# "accountant: Liberty Tax", "bank Tangerine".
_LABEL = re.compile(
    r"(?i:customer|supplier|vendor|contractor|subcontractor|landlord|letting agent|"
    r"lender|insurer|carrier|bank|shelter|accountant|bookkeep(?:er|ing)|payroll|broker|gym|"
    r"agency|charity|church|parish|school|nursery|daycare|employer|distributor|wholesaler|"
    r"volunteer(?:ed|ing)?|trustee|governor|board|GP[ \t]+(?:practice|surgery)|care[ \t]+home)"
    rf"s?[ \t]*(?::[ \t]*|[ \t]+(?:is|was|at|with|for|of|=)[ \t]+|[ \t]*(?=[{_UP}]))"
    rf"(?:(?i:the|now|formerly)[ \t]+)?(?P<run>{_RUN})")
_LABEL_WORDS = frozenset(
    "customer customers supplier suppliers vendor vendors contractor "
    "subcontractor landlord letting lender insurer carrier bank shelter accountant "
    "bookkeeper bookkeeping gym payroll broker agency charity church parish school nursery daycare "
    "employer distributor wholesaler volunteer volunteers volunteered volunteering trustee "
    "trustees governor governors board boards gp care".split())
# What a label may be followed by that is no firm: people and titles.
_NOT_FIRMS = frozenset("""
    dr mr mrs ms mx miss prof sir dame rev father sister nurse officer judge mom mum dad
    mother father son daughter wife husband partner the a an his her their our my your this
    that who which name names number no account acct details holiday holidays statement
    statements transfer card loan manager owner director staff meeting directors trustees
    governors management health education studies
""".split())
_AND_FIRST = frozenset("ao&")
_AND_NEXT = re.compile(rf"[ \t]+(?:and|or|&)[ \t]+(?P<run>[{_UP}][\w'’-]+(?:[ \t]+[{_UP}][\w'’-]+)?)")


def find(text: str) -> list[Span]:
    """ORG spans of headings, case titles and role labels."""
    out: list[Span] = []
    if not text:
        return out
    _headings(text, out)
    if has_word(text, _VERSUS_WORDS):
        for m in _VERSUS.finditer(text):
            _add_run(text, m.start("run"), m["run"], out)
    starts = word_starts(text, _LABEL_WORDS, any_text=True)
    for i in starts or ():
        if text[i - 1:i].isalpha():
            continue
        label = _LABEL.match(text, i)
        if label is None:
            continue
        joined = _JOINED.search(label.group(), 0, label.start("run") - i)
        if joined or text[i].islower() and \
                text[i:label.start("run")].split()[0].rstrip(":s") not in _JOIN_ONLY:
            _add_run(text, label.start("run"), label["run"], out)
    return out


def _add_run(text: str, start: int, run: str, out: list[Span]) -> None:
    cut = run.find(". ")
    run = (run if cut < 0 else run[:cut]).rstrip(" \t&.")
    words = [key(w) for w in run.replace("&", " ").split() if w not in ("of", "for")]
    if not words or words[0] in _NOT_FIRMS or words[0] in STOP \
            or words[0] in orgs.vocab("not_a_firm") and words[-1] not in orgs.HEADS \
            or words[0] in lexicon.CALENDAR or words[0][:-1] in lexicon.CALENDAR \
            or all(lexicon.is_abbreviation(w) for w in words):
        return
    out.append(Span(start, start + len(run), "ORG"))


def _headings(text: str, out: list[Span]) -> None:
    """The parts of headings in capitals that are names, not kinds: tried on
    the first line, and on short lines with three capitals in a row."""
    pos, first = 0, True
    for line in text.split("\n"):
        if len(line) <= 90 and (first or "  " in line or " -" in line or "|" in line
                                or " –" in line or " —" in line) \
                and line.strip() and _CAPS3.search(line) and _looks_like_heading(line):
            parts = [(m.start(), m.end()) for m in _split(line)]
            for a, b in parts if len(parts) > 1 or first else ():
                words = [key(w) for w in re.findall(r"[\w'’&]+", line[a:b])]
                if words and any(len(w) > 2 for w in words) and not any(
                        w in _KIND_WORDS or w in _ROLES or w.isdigit() or w in _IN_A_SENTENCE
                        or lexicon.is_abbreviation(w) for w in words):
                    out.append(Span(pos + a, pos + b, "ORG"))
        first = first and not line.strip()
        pos += len(line) + 1


# Words of a sentence written in capitals, not of a letterhead: "EMPLOYED AS
# A MACHINIST.", "SON ATTENDS KINDERGARTEN." (eleventh session).
_IN_A_SENTENCE = NOT_IN_NAMES | {"as"}


def _looks_like_heading(line: str) -> bool:
    upper = len(_UPPER.findall(line))
    return upper >= 3 and upper >= len(_LOWER.findall(line))


def _split(line: str) -> list[re.Match[str]]:
    """The segments of a heading that are in capitals."""
    out = []
    pos = 0
    for sep in [*_HEADING_SPLIT.finditer(line), None]:
        stop = sep.start() if sep else len(line)
        seg = _CAPS_SEGMENT.fullmatch(line, pos, stop)
        if seg is None:
            inner = line[pos:stop].strip()
            seg = _CAPS_SEGMENT.fullmatch(line, pos + line[pos:stop].find(inner),
                                          pos + line[pos:stop].find(inner) + len(inner)) \
                if inner else None
        if seg is not None:
            out.append(seg)
        pos = sep.end() if sep else len(line)
    return out


_ALNUM = re.compile(r"[^\W_]+")
_CAPITAL_NEXT = re.compile(r"[ \t]+(?:&[ \t]*)?[A-Z]")   # (a run of str.isalnum() characters: a word here)


def coordinated(text: str, spans: list[Span]) -> list[Span]:
    """The next name of a list after an organisation ("at Micron and Lam"),
    and the organisations found named again elsewhere in the note."""
    out: list[Span] = []
    seen: set[str] = set()
    tables: dict[int, dict[str, list[int]]] = {}
    capitals: list[int] | None = None
    for s in spans:
        if s.kind != "ORG":
            continue
        if text[s.end + 1:s.end + 2] in _AND_FIRST and (m := _AND_NEXT.match(text, s.end)):
            words = [key(w) for w in m["run"].split()]
            if words[0] not in _NOT_FIRMS and words[0] not in STOP \
                    and words[0] not in lexicon.CALENDAR and not lexicon.is_abbreviation(words[0]):
                out.append(Span(m.start("run"), m.end("run"), "ORG"))
        name = text[s.start:s.end]
        if name in seen or len(name) < 4:
            continue
        seen.add(name)   # (before the count: a name it drops, it drops again)
        if not name[0].isupper() or " " not in name and not _again_alone(name):
            continue
        n = len(name)
        # (an ordinary word before another capitalised one is another name: "Summit Ridge")
        alone = " " not in name and lexicon.is_ordinary(key(name))
        if len(seen) > 8 and name[0].isalnum() and not any(name.startswith(name[k:]) for k in range(1, n)):
            # After a few names: a name that cannot overlap itself stands again
            # as a word only where a word starts, so it is looked up among the
            # note's word starts, in a table per length, not searched for in
            # the whole note (quadratic on a long list of firms: 160 kB 3 s).
            if (table := tables.get(n)) is None:
                if capitals is None:   # (the words that start with a capital, as the name does)
                    capitals = [m.start() for m in _ALNUM.finditer(text) if m[0][0].isupper()]
                table = tables[n] = {}
                for i in capitals:
                    table.setdefault(text[i:i + n], []).append(i)
            out += [Span(i, i + n, "ORG") for i in table.get(name, ())
                    if i != s.start and not text[i + n:i + n + 1].isalnum()
                    and not (alone and _CAPITAL_NEXT.match(text, i + n))]
            continue
        if text.count(name) < 2:
            continue
        i = text.find(name)
        while i >= 0:
            j = i + len(name)
            if i != s.start and not text[i - 1:i].isalnum() and not text[j:j + 1].isalnum() \
                    and not (alone and _CAPITAL_NEXT.match(text, j)):
                out.append(Span(i, j, "ORG"))
            i = text.find(name, j)
    return out


_REGIONAL = frozenset("northern southern eastern western central upper lower greater inner "
                      "outer".split())


def _again_alone(name: str) -> bool:
    """A one-word organisation found by a rule stands for the firm again
    elsewhere in the note, capitalised: "works at Nimbus ... Nimbus offered
    severance", an ordinary word as well as one in no list; not a word in
    capitals (a guess from its letters: "PATH"), a word of the notes' own
    vocabulary, a function word, a month or a first name; a platform where
    someone works, though its name is in the vocabulary ("drives for Uber
    ... Uber cut his rate")."""
    k = key(name)
    return k in known.platforms() or not lexicon.is_ordinary(k) or not (
        name.isupper() or k in STOP or k in lexicon.CALENDAR or k in lexicon.vocabulary()
        or k in COMPASS or k in _REGIONAL
        or k in lexicon.first_names() or lexicon.is_abbreviation(k))
