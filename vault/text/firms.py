"""Firms and venues that only their context names, for `gazetteer`'s pass
over the capitalised words (issue 14): a dictionary word or a run of
capitalised words after "at", "with", "via", "from" in mid-sentence ("an
IRA at Vanguard", "a line cook at The Copper Kettle"), before what a firm
holds or pays ("her Nationwide account", "Google W-2"), a word alone in
brackets ("(Interim)"), and initials in capitals that are in no list
("OHSU", "PPMC"). Pure functions, no I/O but the lists' first read.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, orgs
from .lexicon import STOP, is_name, is_ordinary, key
from .placecues import MOVED
from .span import Span, has_word

def _mid_sentence(text: str, start: int) -> bool:
    """A lower-case word (or a comma) stands before the word at start."""
    before = text[max(0, start - 3):start].rstrip(" \t")
    return bool(before) and (before[-1].islower() or before[-1] in ",")


def _cue_start(text: str, start: int) -> int:
    """Where the word before the one at start begins ("@" and "w/" too)."""
    if text[start - 2:start] == "@ ":
        return start - 2
    if text[start - 3:start] == "w/ ":
        return start - 3
    return _last_word(text, start)


def a_cue_char(c: str) -> bool:
    """The last character of a cue before a name: a letter, "@" or "w/"'s slash."""
    return c.isalpha() or c == "@" or c == "/"


def _cue_in_a_sentence(text: str, start: int) -> bool:
    """The word before the one at start does not begin a sentence ("At
    Home we talked" is no firm)."""
    cue = _cue_start(text, start)
    if cue < 0:
        return False
    before = text[max(0, cue - 3):cue].rstrip(" \t")
    return bool(before) and before[-1] not in ".!?:;\n\"“(•*-"


_LAST_WORD = re.compile(r"([^\W\d_]+)[ \t]+\Z")
_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _last_word(text: str, start: int) -> int:
    """Where _LAST_WORD.search(text, max(0, start - 24), start) starts, -1
    if nowhere: the run of letters that ends the 24 characters before
    start, spaces or tabs after it (string methods for ASCII, where the
    letters are a-z and A-Z; a search tries each of the 24 places)."""
    lo = start - 24 if start > 24 else 0
    before = text[lo:start]
    if not before.isascii():
        m = _LAST_WORD.search(text, lo, start)
        return -1 if m is None else m.start()
    word = before.rstrip(" \t")
    if len(word) == len(before):
        return -1
    at = len(word.rstrip(_ASCII_LETTERS))
    return -1 if at == len(word) else lo + at


def _prev_word(text: str, start: int) -> str:
    at = _last_word(text, start)
    return text[at:start].rstrip(" \t").lower() if at >= 0 else ""



# What a firm holds for someone or pays them: "her Nationwide account",
# "Wells Fargo checking", "PNC acct ending 7719", "Google W-2"; what an
# employer has or does to its staff: "the Nimbus layoffs", "Corvid HR",
# "her Quillfeather badge", "a Zephyr employee".
_FORMS = frozenset("W-2 W2 1099 K-1 P60 P45".split())
_RANKS = frozenset("officer detective det sgt sergeant trooper deputy constable".split())
# What may follow a run: a rank ("BPD Officer Feeney": a police force), "campus"
# ("the Vancouver VA campus"), or what a firm holds or pays.
_AFTER_RUN = re.compile(
    r"[ \t]+(?:(?P<force>Officer|Detective|Det\.|Sgt\.?|Sergeant|Trooper|Deputy|Constable)"
    r"|(?P<campus>campus)|account|acct|a/c|checking|savings|branch|mortgage|loan|pension|"
    r"W-2|W2|1099|K-1|P60|P45|RSUs?|ESPP|stock|shares|payroll|HR|EAP|layoffs?|badge|"
    r"severance|401\(?k\)?|403\(?b\)?|HQ|headquarters|(?:co-?)?workers|employees?|recruiter)"
    r"(?!\w)")


_HOLDING_WORDS = frozenset("""account acct checking savings branch mortgage loan pension rsu
    rsus espp stock shares payroll campus hr eap layoff layoffs badge severance 401 403 hq
    headquarters coworkers workers employee employees recruiter""".split())


def _holdings_in(text: str) -> bool:
    """The text may hold what _AFTER_RUN looks for (a rank aside)."""
    return has_word(text, _HOLDING_WORDS) or "a/c" in text or "W-2" in text or "W2" in text \
        or "1099" in text or "K-1" in text or "P60" in text or "P45" in text \
        or "401" in text or "403" in text


def _before_a_holding(text: str, run: list[re.Match[str]], ranks: bool = True) -> list[Span]:
    """`ranks`: the text may hold a police rank (span.has_word)."""
    end = run[-1].end()
    after = _AFTER_RUN.match(text, end)
    if after is None and len(run) > 1 and run[-1][0] in ("HR", "EAP", "HQ"):
        run = run[:-1]   # ("Corvid HR called": the office is in the run)
        after = _AFTER_RUN.match(text, run[-1].end())
    ranked = ranks and len(run) > 1 and any(w[0].lower() in _RANKS for w in run[1:])
    if after is None and not ranked:
        return []   # (most runs: one regex match)
    words = [key(w[0]) for w in run]
    for i, w in enumerate(run):
        if w[0].isupper() and len(w[0]) > 2 and (words[i + 1] in _RANKS if i + 1 < len(run)
                                                 else after is not None and after["force"]):
            return [Span(w.start(), w.end(), "ORG")]
    if after is None or after["force"]:
        return []
    if after["campus"]:
        if all(w in orgs.GENERIC or w in STOP for w in words):
            return []
        return [Span(run[0].start() + (len(run[0][0]) + 1 if words[0] == "the" else 0),
                     after.end(), "ORG")]
    m = after
    # ("The Nimbus layoffs", "Her Fernweh severance": in mid-sentence)
    the = len(words) > 1 and words[0] in ("the", "her", "his", "their", "my", "our", "your")
    if the:
        run, words = run[1:], words[1:]
    if any(w in STOP or w in lexicon.CALENDAR or w in _NOT_FIRMS or w in _LEADING
           or w in orgs.GENERIC or w in _NOT_HOLDERS or lexicon.is_abbreviation(w) for w in words):
        return []
    if len(words) == 1 and (len(words[0]) < 3 or words[0] in lexicon.vocabulary()
                            or is_ordinary(words[0]) and not the
                            and not _mid_sentence(text, run[0].start())
                            and m.group().strip() not in _FORMS):
        return []   # ("Session account": a word starting a sentence)
    return [Span(run[0].start(), run[-1].end(), "ORG")]


# Words before "account" and the like that name a kind of account, not a firm.
_NOT_HOLDERS = frozenset("""
    joint business personal savings checking current deposit trust client escrow
    company corporate brokerage retirement pension custodial estate bank credit debit
    roth traditional rollover isa ira sep simple solo health flexible stock employee
    federal state income tax sch schedule form box line amended original
    government public civil sector agency staff former new current contract temp
    check send sent file filed need needs request requested review attach attached
    await awaiting chase sign signed issue issued get got missing copy print see
    """.split())


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
    rash hives itch itching swelling anaphylaxis urticaria angioedema wheeze wheezing
    intolerance upset
    """.split()) - {"interim"}


def _firm_run(text: str, run: list[re.Match[str]]) -> list[Span]:
    """A run of capitalised words after "at", "with", "via", "from", ...
    in mid-sentence ("works as a line cook at The Copper Kettle", "intake at
    Bay Cove", "the QA job at Riot Games") names a firm or a venue, unless
    its words are a kind ("Physical Therapy"), a holiday, a title or kin."""
    start = run[0].start()
    if start < 3 or text[start - 1] != " " or not a_cue_char(text[start - 2]):
        return []   # (no cue right before the run)
    cue = _FIRM_CUE.search(text, max(0, start - 10), start)
    if cue is None or not _cue_in_a_sentence(text, start):
        return []
    words = [key(m[0]) for m in run]
    start = 1 if words[0] == "the" else 0
    # (a word such as "Home" or "School" before a head word is part of a
    # name: "works at Home Depot", not "at Home")
    headed = words[-1] in orgs.HEADS and words[-1] not in _NOT_FIRMS
    # ("CXR with Pulmonary Vascular Congestion": every word clinical and no
    # head word; one clinical word is not enough, "Cardiac Solutions")
    clinical = not headed and all(lexicon.is_clinical(w) or w in lexicon.vocabulary()
                                  for w in words[start:])
    if clinical or len(words) - start < 2 or any(
            w in STOP or w in lexicon.CALENDAR or w in _NOT_FIRMS and not headed
            or w in _HOLIDAY and w != "new" or w in _LEADING for w in words[start:]) or all(
            w in orgs.GENERIC for w in words[start:]) or all(m[0].isupper() for m in run) \
            or not headed and words[start] in orgs.vocab("kinds_before"):
        return []   # (and "with Chest Pain", "joined Private Equity": a kind)
    if _a_person_or_place(text, run, words, cue.group().split()[0].lower()):
        return []   # ("seen by Priya Raman, MD", "a trip to Lake Tahoe")
    return [Span(run[start].start(), joined_end(text, run[-1].end()), "ORG")]


_CREDENTIAL_AFTER = re.compile(r",?[ \t]+(?:MD|DO|RN|NP|PA-C|PhD|PsyD|LCSW|LPC|LMFT|MSW|Esq|CPA|"
                               r"DDS|FNP|DNP|APRN|MBBS)\b")
_CREDENTIAL_WORDS = frozenset("md do rn np phd psyd lcsw lpc lmft msw esq cpa dds fnp dnp aprn "
                              "mbbs".split())


def _a_person_or_place(text: str, run: list[re.Match[str]], words: list[str], cue: str) -> bool:
    """The run after a firm's cue is a person's name (a credential in or
    after it; a first name after "by") or a known place after "to" or "from"."""
    if any(w in _CREDENTIAL_WORDS and m[0].isupper() for w, m in zip(words[1:], run[1:])) \
            or _CREDENTIAL_AFTER.match(text, run[-1].end()):
        return True
    if cue == "by" and words[0] in lexicon.first_names() and not is_ordinary(words[0]):
        return True
    return cue in ("to", "from") and (" ".join(words) in lexicon.places() or len(words) > 1 and (
        words[0] in _PLACE_FIRST or words[-1] in _PLACE_LAST) or _moved(text, run[0].start())
        and words[-1] not in orgs.HEADS and words[-1] not in _HOMES)


# Last words of a home one returns or moves to: a care home's name, not a town.
_HOMES = frozenset("house lodge manor court hall gardens place residence villa villas".split())


def _moved(text: str, start: int) -> bool:
    return MOVED.search(text, max(0, start - 24), start) is not None


# Words that make a run a place after "to" or "from" ("a trip to Lake Tahoe").
_PLACE_FIRST = frozenset("lake mount mt cape fort ft port isle".split())
_PLACE_LAST = frozenset("county valley island islands beach bay lake river mountains canyon "
                        "coast falls springs".split())


# What joins two parts of one name: "Thistle & Pine", "Habitat for Humanity",
# "Friends of the Earth"; the part after it is capitalised.
_JOIN = re.compile(r"(?:[ \t]*&[ \t]*|[ \t]+(?:for|of)[ \t]+(?:the[ \t]+)?)"
                   r"(?P<first>[A-ZÀ-ÖØ-Þ][\w'’]*)(?:[ \t]+[A-ZÀ-ÖØ-Þ][\w'’]*){0,2}")


def joined_end(text: str, end: int) -> int:
    """The end of a firm's name found up to `end`, taking what "&", "for" or
    "of" joins to it, unless that is a date, a holiday or a stop word ("at
    Vanguard for Christmas", "with Tide for Monday")."""
    m = _JOIN.match(text, end)
    if m is None:
        return end
    first = key(m["first"])
    if first in STOP or first in lexicon.CALENDAR or first in _HOLIDAY or first in _LEADING:
        return end
    return m.end()


_HOLIDAY = frozenset("year years year's day days eve christmas easter thanksgiving holiday "
                     "holidays new week weekend".split())


# "an IRA at Vanguard", "payroll via Gusto", "moved it to Fidelity", "a
# bank account with Tide": a dictionary word, capitalised in mid-sentence
# right after a word that says where someone works, banks or is served,
# names a firm. (Only words that nothing else finds come here: the quiet
# ones of _quiet_alone.)
# Shorthand counts: "works @ Nimbus", "f/u w/ Kaiser"; and "attends Compass".
_FIRM_CUE = re.compile(
    r"(?:(?<![^\W\d_])(?:at|with|via|from|to|joined|employer|through|by|w/|attends|attended|"
    r"attending|suing)|(?<!\S)@)[ \t]+\Z",
    re.I)


@lru_cache(maxsize=50_000)
def _a_firm_word(word: str) -> bool:
    """The capitalised word may name a firm after a cue: not ordinary, not a
    month, holiday or stop word (the same words recur in every note)."""
    k = key(word)
    return (len(word) > 2 and (word[1:].islower() or word.isupper()
                               and not lexicon.is_abbreviation(k) and k not in orgs.HEADS)
            and k not in STOP and k not in lexicon.CALENDAR and k not in lexicon.vocabulary()
            and not not_a_firm(k) and k not in _HOLIDAY and k not in _LEADING
            and not lexicon.is_clinical(k))


def not_a_firm(k: str) -> bool:
    """The word, alone after a cue, names no firm: kin, institutions in
    general, parts of a workplace, specialties, shifts, trades and roles
    ("let go by Management", "transferred to Neurosurgery", "Ward 7")."""
    return k in _NOT_FIRMS or k in orgs.vocab("not_a_firm") or k in orgs.vocab("workplaces")


def _firm(text: str, m: re.Match[str]) -> list[Span]:
    start = m.start()
    if start < 3 or text[start - 1] != " " or not a_cue_char(text[start - 2]):
        return []   # (most capitalised words start a sentence: no cue before them)
    word = m[0]
    cue = _FIRM_CUE.search(text, max(0, m.start() - 10), m.start()) \
        if _a_firm_word(word) else None
    if cue is None or not _cue_in_a_sentence(text, m.start()) \
            or word.isupper() and not cue.group().islower():
        return []   # "At Home we talked": the cue starts a sentence; "SEEN AT CLINIC"
    if key(word) in orgs.vocab("kinds_before") and _CAPITAL_NEXT.match(text, m.end()):
        return []   # "to Medical School", "joined Private Equity": a kind, with the next word
    return [Span(m.start(), joined_end(text, m.end()), "ORG")]


_CAPITAL_NEXT = re.compile(r"[ \t]+[A-Z]")


# Capitalised words after those cues that are rarely a firm's name: titles,
# kin, institutions in general, and words a header capitalises.
_NOT_FIRMS = frozenset("""
    mom mum dad mother father grandma grandpa nana papa aunt uncle god church
    home school college court hospital clinic office bed baby christ jesus law
    lord heaven hell state federal county city town government council
    admission discharge intake follow followup review plan return visit
    english spanish french german italian portuguese chinese arabic russian
    noon midday midnight lunch lunchtime breakfast dinner supper bedtime mass worship prayer
    therapy counseling counselling treatment group groups class classes meeting meetings
    service services assistance
    night morning evening afternoon time date bedside form schedule section rule part
    counsel purchase
    """.split())



# Words that stand before a name without being part of it.
_LEADING = frozenset("""
    officer sgt sergeant det detective constable pc dc insp inspector judge justice
    dr mr mrs ms mx miss prof nurse sister brother son daughter wife husband mother
    father mom mum dad aunt uncle cousin niece nephew grandson granddaughter grandma
    grandpa dear pastor rev father coach captain capt lt chief rabbi imam reverend chaplain
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


_NUMBER_AFTER = re.compile(r"[ \t]*(?:[:#]|no\.?)?[ \t]*\d{4}")
_CREDENTIAL_BEFORE = re.compile(r"\b(?:MD|DO|RN|NP|PA|PhD|PsyD|LCSW|LPC|MSW|CPA|Esq|BSN|FACC|"
                                r"FACP|MRCP|FRCP)[ \t,]+\Z")


def _a_label_or_credential(text: str, m: re.Match[str]) -> bool:
    """Initials that label the number after them ("CRN 15229041", "MMSI
    257441800") or stand among credentials ("Gwen Alcott RN CCTC")."""
    return bool(_NUMBER_AFTER.match(text, m.end())
                or _CREDENTIAL_BEFORE.search(text, max(0, m.start() - 8), m.start()))
