"""Organisations in forms of writing the other detectors did not read
(issue 14, eighth session): a saint's name with a possessive ("St. V's",
"at st joseph's"), a head word abbreviated ("Riverside Med. Ctr.",
"Lansing Comm. Coll.", "Dept. of Corrections"), a co-op ("Brambleford
Co-op"), a park of mobile homes ("Shady Acres MHP"), a school named in
lower case ("hillcrest elementary"), an initialism after a verb that hires,
refers or pays ("referred by KVHC"), initials joined by "&" after a cue
("with AT&T"), a name set off after the kind of place it is ("her aunt's
cafe, The Salted Fig"), and work named by what is done there ("drives for
Lyft", "works at the walmart", "her boss at the pizza hut"). Addresses
of the same session are in streets.py. Each pattern runs only when a
literal it needs is in the note. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import known, lexicon, orgnames
from .lexicon import STOP, is_name, is_ordinary, key
from .orgs import GENERIC
from .span import Span, at_words
from .streets import matches_where, starts_by_word

_UP = "A-ZÀ-ÖØ-Þ"

# -- organisations ---------------------------------------------------------------------

# "St. V's", "St Agatha's", "Saint Brigid's"; not "St John's wort", "St
# Patrick's Day". In lower case after a cue, with a first name: "at st
# joseph's", "volunteers at st vincent de paul".
_SAINT_ANY = re.compile(
    rf"(?<![\w.])(?:(?:St|Saint|Ste)\.?[ \t]+[{_UP}][\w-]*['’]s\b"
    r"(?![ \t]+(?i:wort|day|eve|night|fire|disease|dance|island)\b)"
    r"|(?P<low>st\.?[ \t]+(?P<n>[a-z]{3,})(?:['’]s\b|[ \t]+(?:de|la|du)[ \t]+[a-z]{3,}\b)?))")
_CUE_BEFORE = re.compile(r"\b(?:at|to|from|with|for)[ \t]+\Z")
# Abbreviated heads and the abbreviated words that may stand before them.
_ABBR_HEADS = "Hosp|Ctr|Cntr|Assoc|Assn|Coll|Univ|Inst|Dept|Acad|Bros|Mfg|Intl|Hlth|Svcs"
_ABBR_HEAD = re.compile(rf"(?<![\w.])(?:{_ABBR_HEADS})\.(?=[\s,;)]|\Z)|"
                        rf"(?<![\w.])(?:Hosp|Ctr|Assoc|Coll|Univ)(?=[ \t]*[,;)\n]|[ \t]+[a-z])")
_ABBR_WORDS = frozenset(
    "med comm cmty mem reg gen natl nat fam cty ment hlth ctr hosp co st mt ft pt "
    "sch coll univ inst assoc dept intl".split())
# "Dept. of Corrections", "Univ. of Otago", "Assoc. of Retired Nurses".
_ABBR_OF = re.compile(
    rf"(?<![\w.])(?:Dept|Univ|Assoc|Inst|Coll|Hosp)\.?[ \t]+of[ \t]+(?:the[ \t]+)?"
    rf"[{_UP}][\w'’-]*(?:[ \t]+(?:&[ \t]+|and[ \t]+)?[{_UP}][\w'’-]*){{0,3}}")
_WORD_BEFORE = re.compile(rf"(?:(?P<w>[{_UP}][\w'’-]*\.?)|(?P<amp>&))[ \t]+\Z")
_CO_OP = re.compile(r"(?<![\w-])(?:Co-op|Co-Op|CO-OP|Coop)\b")
# A school named in lower case: "hillcrest elementary", "oakmere primary".
# (found from the school's word back: the word before it, or two)
_SCHOOL_HEAD = re.compile(r"(?:elementary|middle|primary|high|academy|montessori|preschool|prep)"
                          r"(?:[ \t]+school)?\b")
_LOW_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]{2,}\Z")
_SCHOOL_SET = frozenset("elementary middle primary high academy montessori preschool prep".split())
# An initialism after a verb of hiring, referring, paying or running:
# "referred by KVHC", "funded by OHCF" (not a known abbreviation: "seen by ENT").
_BY_ACRONYM = re.compile(
    r"\b(?i:referred|employed|hired|funded|sponsored|owned|run|insured|represented|"
    r"contracted|placed|supported|managed|audited|sued|dismissed|fired)[ \t]+by[ \t]+"
    r"(?:the[ \t]+)?(?P<a>[A-Z][A-Z&]{1,6})\b(?![-'’]\w)")


def _name_start(text: str, end: int) -> int | None:
    """Where the capitalised words of a name that ends at `end` begin (up to
    four, abbreviations such as "Med." and "&" among them), leading ordinary
    words dropped ("PCP at Greyfield Family Hosp."); None if there are none."""
    starts: list[tuple[int, str]] = []
    pos = end
    for _ in range(4):
        m = _WORD_BEFORE.search(text, max(0, pos - 30), pos)
        if m is None:
            break
        word = m["w"] or "&"
        if word.endswith(".") and key(word[:-1]) not in _ABBR_WORDS:
            break   # the end of a sentence
        starts.insert(0, (m.start(), word))
        pos = m.start()
    # (a capitalised word before the name that is a stop word or a word of
    # the trade: "The", "PCP", "Patient")
    while starts and (starts[0][1] == "&" or key(starts[0][1].rstrip(".")) in STOP or (
            key(starts[0][1]) in lexicon.vocabulary() and key(starts[0][1]) not in _ABBR_WORDS
            and key(starts[0][1]) not in _GENERIC_FIRST and len(starts) > 1)):
        starts.pop(0)
    if not starts or all(key(w.rstrip(".")) in _ABBR_WORDS or key(w) in _GENERIC_FIRST
                         or key(w) in GENERIC for _, w in starts):
        return None   # ("Emergency Dept.", "Family Hosp.": a kind, not a name)
    return starts[0][0]


# Words that may begin a name though they are ordinary ("Family", "Mercy").
_GENERIC_FIRST = frozenset("family general community mercy memorial regional county state "
                           "city children's st saint mount".split())


# Work named by what is done there: "drives for Lyft", "delivers for Ocado",
# "shifts at Kroger"; a firm in lower case after "works at (the)": "the walmart
# in town" (a word no dictionary has; "works at the mill" stays).
# (tenth session: "freelances for Vox", "consults for Kaiser", "works in
# billing for Legacy", "works in accounts payable for Nimbus")
_WORK_FOR = re.compile(
    r"\b(?i:drives|drove|driving|delivers|delivered|delivering|shifts|interns|interned|"
    r"temps|temped|cleans|cleaned|stocks|volunteer(?:s|ed|ing)?|freelance[sd]?|freelancing|"
    r"consult(?:s|ed|ing)?|(?:sub)?contract(?:s|ed|ing)|bartend(?:s|ed|ing)?|"
    r"(?:works|worked|working)[ \t]+in[ \t]+[a-z]{2,20}(?:[ \t]+[a-z]{2,20})?)[ \t]+"
    r"(?:at|for|with)[ \t]+"
    rf"(?:the[ \t]+)?(?P<run>[{_UP}][\w'’&-]*(?:[ \t]+[{_UP}][\w'’&-]*){{0,2}})")
_WORK_LOW = re.compile(
    r"\b(?i:works|worked|working|work|job|shifts|employed|cashier|clerk|manager|boss|student|"
    r"(?P<study>studies|studying|studied|enrolled|treated|treatment|rehab|detox)|(?P<bank>banks|banked|banking))[ \t]+"
    r"(?P<prep>at|for|with|by)[ \t]+(?:the[ \t]+)?(?:local[ \t]+)?(?P<w>[a-z][a-z'’&-]{2,})\b")


# A park of mobile homes: "Shady Acres MHP", "Pine Hollow RV Park".
# (a first word of at most 61 characters: unbounded, "-A-A-..." was read to its
# end from each capital after a hyphen, quadratic)
_PARK = re.compile(rf"(?<![\w'’])[{_UP}][\w'’-]{{0,60}}(?:[ \t]+[{_UP}][\w'’-]*){{0,2}}[ \t]+"
                   r"(?:MHP|Mobile[ \t]+Home[ \t]+(?:Park|Estates|Community)|RV[ \t]+Park|"
                   r"Trailer[ \t]+(?:Park|Court))\b")


_WORK_FOR_WORDS = frozenset(
    "drives drove driving delivers delivered delivering shifts interns interned temps temped "
    "cleans cleaned stocks volunteer volunteers volunteered volunteering freelance freelances "
    "freelanced freelancing consult consults consulted consulting contracts contracted "
    "contracting subcontracts subcontracted subcontracting bartend bartends bartended "
    "bartending works worked working".split())
_WORK_LOW_WORDS = frozenset(
    "works worked working work job shifts employed cashier clerk manager boss student "
    "studies studying studied enrolled treated treatment rehab detox banks banked "
    "banking".split())
_BY_WORDS = frozenset("referred employed hired funded sponsored owned run insured represented "
                      "contracted placed supported managed audited sued dismissed fired".split())
_AMP_CUES = frozenset("at with for from by joined ex".split())
_KINDS = frozenset("cafe restaurant bakery shop store pub bar salon charity church gym "
                   "nursery daycare practice firm agency business company employer school "
                   "college shelter boutique bistro deli brewery studio clinic".split())
_SAINTS = frozenset({"st", "saint", "ste"})
_ABBR_HEAD_WORDS = frozenset(_ABBR_HEADS.lower().split("|"))
_ABBR_OF_WORDS = frozenset("dept univ assoc inst coll hosp".split())
_PARK_WORDS = frozenset({"mhp", "rv", "trailer", "mobile"})
WORDS = (_WORK_FOR_WORDS | _WORK_LOW_WORDS | _BY_WORDS | _KINDS | _SAINTS
         | _ABBR_HEAD_WORDS | _ABBR_OF_WORDS | _PARK_WORDS | _SCHOOL_SET)


def _chain(text: str, start: int, chains: frozenset[str]) -> Span | None:
    """A chain's name of up to three words in lower case at start ("pizza
    hut", "target"), the longest first."""
    words = list(re.finditer(r"[a-z][a-z'’&-]*", text[start:start + 40]))[:3]
    for n in range(len(words), 0, -1):
        gaps = text[start + words[0].end():start + words[n - 1].start()]
        if n > 1 and not all(c in " \t" or c.isalpha() for c in gaps):
            continue
        if "_".join(w[0] for w in words[:n]) in chains and words[0].start() == 0:
            return Span(start, start + words[n - 1].end(), "ORG")
    return None


@lru_cache(maxsize=1)
def _chain_firsts(chains: frozenset[str]) -> frozenset[str]:
    return frozenset(c.split("_")[0] for c in chains)


def _work_places(text: str, starts: dict[str, list[int]] | None) -> list[Span]:
    from .orgs import HEADS, _firm_words, _run_end, vocab
    out: list[Span] = []
    for m in matches_where(_WORK_FOR, text, _WORK_FOR_WORDS, starts):
        words = _firm_words(m["run"])
        if words is not None and not (len(words) == 1 and words[0] in lexicon.first_names()
                                      and (is_ordinary(words[0]) or m[0][:4].lower() == "work")):
            out.append(Span(m.start("run"), m.start("run") + _run_end(m["run"]), "ORG"))
    for m in matches_where(_WORK_LOW, text, _WORK_LOW_WORDS, starts):
        chain = _chain(text, m.start("w"), vocab("chains")) \
            if m["w"] in _chain_firsts(vocab("chains")) else None
        if chain:
            out.append(chain)
            continue
        k = key(m["w"])
        if m["study"] and m["prep"] != "at":
            continue   # ("treated for urosepsis")
        if (not is_ordinary(k) or m["bank"]) and k not in STOP and k not in lexicon.vocabulary() \
                and k not in vocab("workplaces") and k not in HEADS \
                and not lexicon.is_abbreviation(k):
            out.append(Span(m.start("w"), m.end("w"), "ORG"))
    return out


# Initials joined by "&" after a firm's cue: "previously with AT&T", "at B&Q".
_AMP_INITIALS = re.compile(r"\b(?:at|with|for|from|by|joined|ex-)[ \t]+(?P<a>[A-Z]{1,3}&[A-Z]{1,3})"
                           r"(?![\w&])")
# A name after the kind of place it is, set off by a comma: "her aunt's
# cafe, The Salted Fig", "the practice, Quenby Dental".
_APPOSED = re.compile(
    r"\b(?:cafe|café|restaurant|bakery|shop|store|pub|bar|salon|charity|church|gym|nursery|"
    r"daycare|practice|firm|agency|business|company|employer|school|college|shelter|"
    r"boutique|bistro|deli|brewery|studio|clinic)[ \t]*,[ \t]+(?P<run>(?P<the>The[ \t]+)?"
    rf"[{_UP}][\w'’-]*(?:[ \t]+(?:&[ \t]+)?[{_UP}][\w'’-]*){{0,3}})")


# The comma that closes an apposition, before the sentence goes on in lower
# case: "her daycare, Little Sprouts, closes at 6" (words all ordinary).
_CLOSED = re.compile(r",[ \t]+(?:and[ \t]+|which[ \t]+|where[ \t]+)?[a-z]")


def _apposed(text: str, starts: dict[str, list[int]] | None) -> list[Span]:
    from .orgs import _firm_words
    out: list[Span] = []
    for m in matches_where(_APPOSED, text, _KINDS, starts):
        run = m["run"][len(m["the"] or ""):]
        words = _firm_words(run)
        if words is None or any(w in lexicon.vocabulary() or w in lexicon.CALENDAR
                                for w in words):
            continue
        if len(words) == 1 and is_name(words[0]) and not m["the"]:
            continue   # ("the clinic, Maria said": a person)
        if m["the"] or any(not is_ordinary(w) for w in words) or _CLOSED.match(text, m.end("run")):
            out.append(Span(m.start("run"), m.end("run"), "ORG"))
    return out


def _amp_initials(text: str) -> list[re.Match[str]]:
    found = at_words(_AMP_INITIALS, text, _AMP_CUES, any_text=True)   # (a text with "&")
    return list(_AMP_INITIALS.finditer(text)) if found is None else found


# A school by its abbreviated kind after its name (tenth session): "Franklin
# HS", "Hosford MS", "Sunnyside Elem", "Roosevelt Jr. High".
_SCHOOL_ABBR = re.compile(r"(?<![\w.])(?:HS|JHS|MS|ES|Elem\.?|Jr\.?[ \t]+High)(?!\w)")
_BLANKS = re.compile(r"[ \t]+")
_NAME_BEFORE = re.compile(r"(?<![\w'’.-])[A-Z][a-z'’]{1,30}(?:[ \t]+[A-Z][a-z'’]{1,30}){0,2}[ \t]+\Z")


def _school_abbr(text: str) -> list[Span]:
    """"MS" and "ES" only after a name that is no word and no town ("Hosford
    MS", not "Jackson MS" or "Relapsing MS")."""
    out = []
    for m in _SCHOOL_ABBR.finditer(text):
        name = _NAME_BEFORE.search(text, max(0, m.start() - 96), m.start())
        if name is None:
            continue
        start, keys = name.start(), [key(w) for w in name[0].split()]
        while len(keys) > 1 and (keys[0] in STOP or keys[0] in orgnames.NOT_FIRST or is_ordinary(
                keys[0]) and keys[0].endswith(("s", "ed", "ing"))):   # ("Attends Franklin HS")
            start = _BLANKS.search(text, start).end()   # type: ignore[union-attr]
            keys.pop(0)
        if keys[0] in STOP or keys[0] in lexicon.CALENDAR or all(k in GENERIC for k in keys) \
                or any(k in lexicon.vocabulary() for k in keys):
            continue
        if m[0] in ("MS", "ES") and (is_ordinary(keys[-1]) or keys[-1] in lexicon.places()):
            continue
        out.append(Span(start, m.end(), "ORG"))
    return out


def find_orgs(text: str, starts: dict[str, list[int]] | None = None) -> list[Span]:
    """`starts`: streets.starts_by_word's answer for a set of words holding
    WORDS (detect asks once for this module and streets.py)."""
    out: list[Span] = known.find(text)
    if starts is None:
        starts = starts_by_word(text, WORDS)
    if "&" in text:
        from .orgs import vocab
        out += orgnames.partners(text)
        out += [Span(m.start("a"), m.end("a"), "ORG") for m in _amp_initials(text)
                if m["a"].lower() not in vocab("ampersand")]
    if ", " in text:
        out += _apposed(text, starts)
    out += _work_places(text, starts)
    if "HS" in text or "MS" in text or "ES" in text or "Elem" in text or "Jr" in text:
        out += _school_abbr(text)
    for m in matches_where(_SAINT_ANY, text, _SAINTS, starts):
        if m["low"] is None:
            out.append(Span(m.start(), m.end(), "ORG"))
        elif m["n"] in lexicon.first_names() and _CUE_BEFORE.search(
                text, max(0, m.start() - 6), m.start()):
            out.append(Span(m.start(), m.end(), "ORG"))   # ("at st joseph's")
    if starts is None or not _PARK_WORDS.isdisjoint(starts):
        out += [Span(m.start(), m.end(), "ORG") for m in _PARK.finditer(text)]
    for m in matches_where(_ABBR_HEAD, text, _ABBR_HEAD_WORDS, starts):
        start = _name_start(text, m.start())
        if start is not None:
            out.append(Span(start, m.end(), "ORG"))
    for m in matches_where(_ABBR_OF, text, _ABBR_OF_WORDS, starts):
        out.append(Span(_name_start(text, m.start()) or m.start(), m.end(), "ORG"))
    if "o-op" in text or "Coop" in text or "O-OP" in text:
        for m in _CO_OP.finditer(text):
            start = _name_start(text, m.start())
            if start is not None:
                out.append(Span(start, m.end(), "ORG"))
    schools = None if starts is None else sorted(
        i for w in _SCHOOL_SET.intersection(starts) for i in starts[w])
    for i in range(len(text)) if schools is None else schools:
        if i < 4 or text[i - 1] != " " or not text[i - 2].islower():
            continue   # (a word in lower case just before: cheaper than a pattern)
        head = _SCHOOL_HEAD.match(text, i)
        name = _LOW_WORD.search(text, max(0, i - 30), i - 1) if head else None
        if name is None:
            continue
        k = key(name[0])
        if not is_ordinary(k) and k not in STOP and k not in lexicon.vocabulary():
            out.append(Span(name.start(), head.end(), "ORG"))
    for m in matches_where(_BY_ACRONYM, text, _BY_WORDS, starts):
        k = key(m["a"])
        if len(m["a"]) >= 3 and not lexicon.is_abbreviation(k) and not is_ordinary(k) \
                and k not in lexicon.vocabulary():
            out.append(Span(m.start("a"), m.end("a"), "ORG"))
    return out
