"""People and places by the packaged gazetteers (`lexicon`): one pass over
the capitalised words of a text, in runs ("Salt Lake City", "Karen
Jennings"), each word's kind (a name, a place, an ordinary word, an
abbreviation) looked up once and cached. Names and places that the lists
know and that are not ordinary words, or are but stand next to a name,
or after a cue ("in Reading", "at BMC"). Split from `people`, which finds
names by their context; pure functions, no I/O but the lists' first read.
"""

from __future__ import annotations

import re

from . import lexicon, orgs
from .lexicon import STOP, is_name, is_ordinary, key
from .span import Span

_UP = "A-ZÀ-ÖØ-Þ"
# A capitalised word, with its apostrophes and hyphens: "O'Brien", "Smith-Jones".
_CAP = re.compile(rf"[{_UP}](?<![^\W_][{_UP}])[^\W\d_]*(?:['’][{_UP}][^\W\d_]*|-[^\W\d_]+)*"
                  r"(?![\w@-])")
_ORG_CUE = frozenset(
    "at with joined join joining via through employer works worked working to from "
    "company firm bank account shop store app platform".split())
_ACRONYM_CUE = frozenset(
    "at from joined join via through employer works worked working transferred "
    "admitted attends attended studied".split())
_PLACE_CUE = frozenset(
    "in from to near at outside around visiting moved lives living born towards toward "
    "via between of into across".split())


def _mid_sentence(text: str, start: int) -> bool:
    """A lower-case word (or a comma) stands before the word at start."""
    before = text[max(0, start - 3):start].rstrip(" \t")
    return bool(before) and (before[-1].islower() or before[-1] in ",")


def _cue_in_a_sentence(text: str, start: int) -> bool:
    """The word before the one at start does not begin a sentence ("At
    Home we talked" is no firm)."""
    cue = _LAST_WORD.search(text, max(0, start - 24), start)
    if cue is None:
        return False
    before = text[max(0, cue.start() - 3):cue.start()].rstrip(" \t")
    return bool(before) and before[-1] not in ".!?:;\n\"“(•*-"


_LAST_WORD = re.compile(r"([^\W\d_]+)[ \t]+\Z")


def _prev_word(text: str, start: int) -> str:
    m = _LAST_WORD.search(text, max(0, start - 24), start)
    return m[1].lower() if m else ""


def find_gazetteer(text: str) -> list[Span]:
    """Capitalised words (and runs of them) that the name and place lists
    know and that are not ordinary words, or are but stand next to a name."""
    out: list[Span] = []
    run: list[re.Match[str]] = []
    for m in _CAP.finditer(text):
        if run and text[run[-1].end():m.start()] not in (" ", ". ", "-") \
                or run and text[run[-1].end():m.start()] == ". " and len(run[-1][0]) > 1:
            out += _run(text, run)
            run = []
        run.append(m)
    if run:
        out += _run(text, run)
    return out


def _run(text: str, run: list[re.Match[str]]) -> list[Span]:
    """What one run of capitalised words names."""
    first = run[0]
    if len(run) == 1:
        if text[first.start() - 1:first.start()] == "(" and text[first.end():first.end() + 1] \
                == ")" and first.start():
            found = _bracketed(first[0])
            if found:
                return [Span(first.start(), first.end(), found)]
        if _quiet_alone(first[0]):
            return _firm(text, first)
        return _classify(text, run)
    out = _classify(text, run)
    if _quiet_alone(first[0]):
        out += _firm(text, first)
    firm = _firm_run(text, run)
    return out + firm


_BRACKETED: dict[str, str] = {}


def _bracketed(word: str) -> str:
    """The kind of a capitalised word alone in brackets: a person ("(Dale)")
    or an organisation ("(Interim)", "(Gusto)") unless it is a word a note
    puts in brackets for itself ("(Optional)", "(Left)") or in no list."""
    found = _BRACKETED.get(word)
    if found is None:
        if len(_BRACKETED) > 50_000:
            _BRACKETED.clear()
        k = key(word)
        if len(word) < 3 or word.isupper() or k in STOP or k in lexicon.CALENDAR \
                or lexicon.is_abbreviation(k) or k in _NOT_FIRMS or k in _IN_BRACKETS:
            found = ""
        elif k in lexicon.first_names():
            found = "PERSON"
        elif k in lexicon.places() and not is_name(k):
            found = "PLACE"
        else:
            found = "ORG"
        _BRACKETED[word] = found
    return found


# Words a note itself puts in brackets.
_IN_BRACKETS = frozenset("""
    yes no none nil optional draft attached enclosed positive negative normal abnormal
    left right bilateral improved unchanged stable resolved pending declined approved
    denied see note notes signed unsigned verbal written total approx approximately
    estimated actual final interim provisional amended corrected revised copy original
    mild moderate severe acute chronic active inactive new old current previous former
    morning evening afternoon night daily weekly monthly annual annually
    """.split()) - {"interim"}


def _firm_run(text: str, run: list[re.Match[str]]) -> list[Span]:
    """A run of capitalised words after "at", "with", "via", "from", ...
    in mid-sentence ("works as a line cook at The Copper Kettle", "intake at
    Bay Cove", "the QA job at Riot Games") names a firm or a venue, unless
    its words are a kind ("Physical Therapy"), a holiday, a title or kin."""
    words = [key(m[0]) for m in run]
    start = 1 if words[0] == "the" else 0
    if len(words) - start < 2 or any(
            w in STOP or w in lexicon.CALENDAR or w in _NOT_FIRMS or w in _HOLIDAY
            or w in _LEADING for w in words[start:]) or all(
            w in orgs.GENERIC for w in words[start:]) or all(m[0].isupper() for m in run):
        return []
    cue = _FIRM_CUE.search(text, max(0, run[0].start() - 10), run[0].start())
    if cue is None or not _cue_in_a_sentence(text, run[0].start()):
        return []
    return [Span(run[start].start(), run[-1].end(), "ORG")]


_HOLIDAY = frozenset("year years day days eve christmas easter thanksgiving holiday holidays "
                     "new week weekend".split())


# "an IRA at Vanguard", "payroll via Gusto", "moved it to Fidelity", "a
# bank account with Tide": a dictionary word, capitalised in mid-sentence
# right after a word that says where someone works, banks or is served,
# names a firm. (Only words that nothing else finds come here: the quiet
# ones of _quiet_alone.)
_FIRM_CUE = re.compile(
    r"(?<![^\W\d_])(?:at|with|via|from|to|joined|employer|through|by)[ \t]+\Z", re.I)
_FIRM_WORD: dict[str, bool] = {}


def _firm(text: str, m: re.Match[str]) -> list[Span]:
    word = m[0]
    ok = _FIRM_WORD.get(word)
    if ok is None:
        if len(_FIRM_WORD) > 50_000:
            _FIRM_WORD.clear()
        k = key(word)
        ok = _FIRM_WORD[word] = (
            len(word) > 2 and not word.isupper() and word[1:].islower()
            and k not in STOP and k not in lexicon.CALENDAR and k not in lexicon.vocabulary()
            and k not in _NOT_FIRMS and k not in _HOLIDAY)
    cue = _FIRM_CUE.search(text, max(0, m.start() - 10), m.start()) if ok else None
    if cue is None or not _cue_in_a_sentence(text, m.start()):
        return []   # "At Home we talked": the cue starts a sentence
    return [Span(m.start(), m.end(), "ORG")]


# Capitalised words after those cues that are rarely a firm's name: titles,
# kin, institutions in general, and words a header capitalises.
_NOT_FIRMS = frozenset("""
    mom mum dad mother father grandma grandpa nana papa aunt uncle god church
    home school college court hospital clinic office bed baby christ jesus
    lord heaven hell state federal county city town government council
    admission discharge intake follow followup review plan return visit
    english spanish french german italian portuguese chinese arabic russian
    """.split())


_QUIET: dict[str, bool] = {}


def _quiet_alone(word: str) -> bool:
    """_classify finds nothing in `word` alone, whatever stands around it
    ("The", "Discussed", most capitalised words of a note): a cached answer
    saves the lookups of _classify for every one of them."""
    quiet = _QUIET.get(word)
    if quiet is None:
        if len(_QUIET) > 50_000:
            _QUIET.clear()
        quiet = _QUIET[word] = _is_quiet(word)
    return quiet


def _is_quiet(word: str) -> bool:
    # _classify's branches for a run of one word: only the kind "" finds
    # nothing, and only if no cue before the word can make it an
    # organisation ("at BMC") or a place ("in Reading").
    if len(word) < 2:
        return True   # an initial, or a letter: nothing alone
    k, acronym, kind = _word_kind(word, True)
    return not acronym and kind == "" and not (
        k in lexicon.places() and len(word) > 2 and k not in STOP
        and k not in lexicon.CALENDAR)


_KINDS: dict[tuple[str, bool], tuple[str, bool, str]] = {}


def _word_kind(word: str, alone: bool) -> tuple[str, bool, str]:
    """(key, whether a cue before it makes it an organisation, kind) of a
    capitalised word in a run of capitalised words (`alone`: a run of one):
    what _classify needs from the word lists, cached per word."""
    found = _KINDS.get((word, alone))
    if found is None:
        if len(_KINDS) > 100_000:
            _KINDS.clear()
        found = _KINDS[word, alone] = _kind_of(word, alone)
    return found


def _kind_of(word: str, alone: bool) -> tuple[str, bool, str]:
    k = key(word)
    vocabulary = lexicon.vocabulary()
    ordinary = is_ordinary(k) or (word.isupper() and k in vocabulary)
    # "at BMC", "from UCD": an organisation if a cue comes before it
    acronym = word.isupper() and k not in vocabulary and not is_ordinary(k)
    if word.isupper() and len(word) <= 3:
        return k, acronym, ""   # "SI", "ROM", "OB": abbreviations, not names
    name = is_name(k)
    places = lexicon.places()
    if word.isupper() and alone and (len(word) < 5 or k in vocabulary):
        kind = ""   # "IBAN", "NASA": one word in capitals, no context
    elif name and not ordinary and k in places and alone:
        kind = "place"   # "Leeds", "Houston": a town before a surname
    elif name and not ordinary:
        kind = "name"
    elif name:
        kind = "weak"
    elif k in places and not ordinary:
        kind = "place"
    elif not ordinary and k not in STOP and not lexicon.is_abbreviation(k):
        kind = "unknown"   # ("Sch C", "Adm": abbreviations name nobody)
    else:
        kind = ""
    return k, acronym, kind


# Words that stand before a name without being part of it.
_LEADING = frozenset("""
    officer sgt sergeant det detective constable pc dc insp inspector judge justice
    dr mr mrs ms mx miss prof nurse sister brother son daughter wife husband mother
    father mom mum dad aunt uncle cousin niece nephew grandson granddaughter grandma
    grandpa dear pastor rev father coach captain capt lt chief
    """.split())
_ACRONYMS: dict[str, bool] = {}


def _an_acronym(word: str) -> bool:
    """A word of three to six capitals that is no word, name, place or known
    abbreviation: an organisation's initials ("OHSU", "HSBC", "PPMC"), with
    or without a cue before it."""
    found = _ACRONYMS.get(word)
    if found is None:
        if len(_ACRONYMS) > 50_000:
            _ACRONYMS.clear()
        k = key(word)
        found = _ACRONYMS[word] = (
            3 <= len(word) <= 6 and word.isalpha() and word.isascii()
            and not lexicon.is_abbreviation(k) and not is_ordinary(k)
            and not is_name(k) and k not in lexicon.places())
    return found


def _classify(text: str, run: list[re.Match[str]]) -> list[Span]:
    """Names and places in one run of capitalised words."""
    places = lexicon.places()
    firsts = lexicon.first_names()
    out: list[Span] = []
    alone = len(run) == 1
    info = [_word_kind(m[0], alone) for m in run]
    keys = [k for k, _, _ in info]
    taken = [False] * len(run)
    # Places of two or three words first: "Salt Lake City", "New York".
    for size in (3, 2):
        for i in range(len(run) - size + 1):
            if not any(taken[i:i + size]) and " ".join(keys[i:i + size]) in places:
                out.append(Span(run[i].start(), run[i + size - 1].end(), "PLACE"))
                taken[i:i + size] = [True] * size
    kinds = []
    for i, (m, k) in enumerate(zip(run, keys)):
        word = m[0]
        if taken[i] or len(word) < 2:
            dotted = text[m.end():m.end() + 1] == "."
            kinds.append("initial" if len(word) == 1 and dotted and not taken[i]
                         and text[m.end():m.end() + 3] != ".D." else "")   # (not M.D.)
            continue
        _, acronym, kind = info[i]
        if acronym and (_prev_word(text, m.start()) in _ACRONYM_CUE or _an_acronym(word)):
            out.append(Span(m.start(), m.end(), "ORG"))   # "at BMC", "from UCD"
            kinds.append("")
            continue
        kinds.append(kind)
    i = 0
    while i < len(run):
        if not kinds[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(run) and kinds[j + 1] and not taken[j + 1]:
            j += 1
        group = kinds[i:j + 1]
        strong = "name" in group
        pair = (len(group) >= 2 and group[0] in ("name", "weak") and keys[i] in firsts
                and group[1] in ("name", "weak", "unknown"))
        mid = _mid_sentence(text, run[i].start())
        if not strong and not pair and mid and group[0] == "weak" and keys[i] in firsts \
                and keys[i] not in lexicon.vocabulary() and keys[i] not in STOP \
                and not run[i][0].isupper():
            strong = True   # "her daughter Ivy": a capitalised name mid-sentence
        if not strong and not pair and mid and i == j and not run[i][0].isupper() \
                and keys[i] not in lexicon.vocabulary() and _prev_word(
                    text, run[i].start()) in _ORG_CUE and _cue_in_a_sentence(text, run[i].start()) \
                and keys[i] not in STOP and keys[i] not in _NOT_FIRMS and keys[i] not in _HOLIDAY:
            # "from Boeing to Fidelity", "an account at Vanguard": a capitalised
            # word after "at", "with", "joined" names a firm even when it is a word.
            out.append(Span(run[i].start(), run[i].end(), "ORG"))
            i += 1
            continue
        if not strong and not pair and "unknown" in group:
            # A capitalised word that is no word at all: a name, a place or
            # an organisation nobody listed ("Coinbase", "Haringey", "Kwame").
            cue = _prev_word(text, run[i].start())
            kind = "PLACE" if cue in _PLACE_CUE and cue not in ("at", "of") else "ORG" \
                if cue in _ORG_CUE else "PERSON"
            if not all(run[t][0].isupper() for t in range(i, j + 1)):
                out.append(Span(run[i].start(), run[j].end(), kind))
                i = j + 1
                continue
        if strong or pair:
            # Trim ordinary-only ends that are not names ("Seen" of "Seen Kessler").
            a, b = i, j
            while a < b and kinds[a] in ("unknown", "initial") and kinds[a + 1] == "initial":
                a += 1
            while a < b and keys[a] in _LEADING:
                a += 1   # "Officer Brannigan", "Son Greg": the title or kin word stays
            if kinds[a] == "place" and a == b:
                out.append(Span(run[a].start(), run[b].end(), "PLACE"))
            else:
                out.append(Span(run[a].start(), run[b].end(), "PERSON"))
        else:
            for t in range(i, j + 1):
                if kinds[t] == "place" or kinds[t] == "weak" and keys[t] in places:
                    if kinds[t] == "place" or _prev_word(text, run[t].start()) in _PLACE_CUE:
                        out.append(Span(run[t].start(), run[t].end(), "PLACE"))
                elif kinds[t] == "unknown" and _prev_word(text, run[t].start()) in _PLACE_CUE \
                        and not run[t][0].isupper() and t == i:
                    out.append(Span(run[t].start(), run[j].end(), "PLACE"))
                    break
        i = j + 1
    # Ordinary-word places after a cue ("in Reading", "from Mobile").
    for t, k in enumerate(keys):
        if not taken[t] and not kinds[t] and k in places and len(run[t][0]) > 2 \
                and _prev_word(text, run[t].start()) in _PLACE_CUE and k not in STOP \
                and k not in lexicon.CALENDAR:
            out.append(Span(run[t].start(), run[t].end(), "PLACE"))
    return out
