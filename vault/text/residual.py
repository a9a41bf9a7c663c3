"""What the export leaves that may still identify someone, and the reviewer's
levers on it: the residual-risk report (candidates in the anonymized text
with their offsets and why each is listed: capitalised words and words in
capitals that are not in the vocabulary, a lower-case word after a title,
words next to a credential, codes mixing letters and digits; and what only
the context reveals: a word beside a replaced name, an organisation's name,
numbers of rooms, streets and records, ages over 89, dates in another
language, initials). Strict mode (every such word replaced) is in `strict`, `--keep`
(release a false alarm) and `--also` (force a replacement) in `levers`.
Pure functions, no I/O but the word lists' first read."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from collections.abc import Iterator
from functools import lru_cache
from string import ascii_letters as _ASCII_LETTERS

from . import cued, leftover, lexicon
from .lexicon import beside_a_name as _beside_a_name, is_name, is_ordinary, key
from .lexicon import lower_names as _lower_names
from .span import at_words, before_anchors, has_word, letter_runs

# What the export writes in place of what it removed: never a candidate.
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]|Client-[0-9A-F]+")
# The words a candidate can be: capitalised, with a digit, or lower case
# after a title. Placeholders and pseudonyms match too, to be skipped.
_WORDS = re.compile(
    r"\[[A-Z]+\]|Client-[0-9A-F]+"
    r"|[A-ZÀ-ÖØ-Þ](?<![\w'’-][A-ZÀ-ÖØ-Þ])[\w'’-]*"
    r"|[a-z0-9](?<![\w'’-][a-z0-9])[a-z]*\d[\w-]*")
_AFTER_TITLE = re.compile(r"[DdMmPp](?<!\w[DdMmPp])(?:r|rs|s|x|rof)\.?[ \t]+([a-z][\w'’-]*)")
_TITLE = re.compile(r"\b(?i:dr|mr|mrs|ms|mx|prof|miss)\.?[ \t]+$")
_CREDENTIAL = re.compile(
    r"^,?[ \t]+(?:M\.?D|R\.?N|Ph\.?D|Psy\.?D|LCSW|LICSW|LPC|LMFT|MSW|Esq|CPA|NP|PA-C|DO|DDS)\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(*•>-]\s*)$")
_NOT_INITIALS = frozenset("am pm ok us uk eu id tv it hr pr ot pt ip st no ad bc ce ex gp "
                          "cv dc nw ne sw se po un ii iv vi ma ba ny la dr mr ms".split())


@dataclass(frozen=True)
class Candidate:
    start: int       # in the anonymized text
    end: int
    word: str
    why: str


def candidates(text: str, names: frozenset[str] | set[str] = frozenset()) -> list[Candidate]:
    """Words of an anonymized text that may be a name, place or code it
    missed. `names` are folded parts of known names (already replaced
    wherever they stand, so never listed)."""
    out: list[Candidate] = []
    for m in _WORDS.finditer(text):
        word = m.group()
        why = not (word[0] == "[" or word[:7] == "Client-" and _PLACEHOLDER.fullmatch(
            word)) and _why(text, m.start(), m.end(), word, names)   # ("[": a placeholder)
        if why:
            out.append(Candidate(m.start(), m.end(), word, why))
    for m in _lower_words(text):
        if m.group() in _lower_names() and m.group() not in names:
            out.append(Candidate(m.start(), m.end(), m.group(), "a name or place in lower case"))
    for m in _LINE_INITIALS.finditer(text):
        k = m[1].lower()
        if k not in names and k not in lexicon.STOP and not is_ordinary(k):
            out.append(Candidate(m.start(1), m.end(1), m[1], "initials alone on a line"))
    for m in _AFTER_TITLE.finditer(text):
        k = key(m[1])
        if k not in lexicon.STOP and k not in names and (is_name(k) or not is_ordinary(k)):
            out.append(Candidate(m.start(1), m.end(1), m[1], "lower case after a title"))
    out += _in_context(text, names) + [Candidate(a, b, text[a:b], why) for a, b, why in cued.find(text, names)]
    by_span = {(c.start, c.end): c for c in out}   # a phrase listed whole stands for its words
    for a, b, why in leftover.find(text, names):   # (the safety net: not where a rule above listed)
        by_span.setdefault((a, b), Candidate(a, b, text[a:b], why))
    wide = sorted((c for c in by_span.values() if " " in c.word or c.why in leftover.WHOLE),
                  key=lambda c: c.start)
    starts, reach = [w.start for w in wide], list(accumulate((w.end for w in wide), max))
    return sorted((c for c in by_span.values() if " " in c.word or not _inside(c, wide, starts, reach)),
                  key=lambda c: c.start)


def _inside(c: Candidate, wide: list[Candidate], starts: list[int], reach: list[int]) -> bool:
    """c lies in another of `wide` (sorted by start; `reach`: the furthest end so far):
    one that starts before it and reaches its end, or starts where it does and ends
    later. By bisection, so that a text of many addresses is no square."""
    i, j = bisect_left(starts, c.start), bisect_right(starts, c.start)
    return bool(i and reach[i - 1] >= c.end) or any(w is not c and w.end >= c.end for w in wide[i:j])


_LOWER_WORD = re.compile(r"[a-z](?<![\w'’-][a-z])[a-z]{2,}(?![\w'’-])")


def _lower_words(text: str) -> list[re.Match[str]] | Iterator[re.Match[str]]:
    """_LOWER_WORD's matches (whole runs) tried, in ASCII text, only at runs that are names."""
    runs = letter_runs(text)
    found = None if runs is None else at_words(_LOWER_WORD, text, _lower_names().intersection(runs[0]))
    return _LOWER_WORD.finditer(text) if found is None else found


_LINE_INITIALS = re.compile(r"^[ \t]*(?:-+[ \t]*)?([A-Za-z]{2,3})[ \t]*$", re.M)  # (linear on blanks)


def _why(text: str, start: int, end: int, word: str, names: frozenset[str] | set[str]) -> str:
    if any(map(str.isdigit, word)):
        if any(map(str.isalpha, word)) and len(word) >= 5:
            from .idents import _exempt
            return "" if _exempt(word) or _AMOUNT.search(text, max(0, start - 1), start + 1) \
                else "code mixing letters and digits"   # not "$340-380k"
        if word.isdigit() and len(word) >= 4 and not _DOSE.match(text, end):
            if word in lexicon.vocabulary() or _TIME_BEFORE.search(text[max(0, start - 6):start]) \
                    or word[0] == "0" and len(word) == 4 and word < "2400" and word[2] < "6":
                return ""    # "Form 1040", "at 1915", "notified 0305"
            if len(word) == 4 and "1900" <= word <= "2039":   # "Born 1934", not "in 1974"
                return "a year of birth" if _BIRTH.search(text[max(0, start - 30):start]) else ""
            return "number of four digits or more"
        return ""
    k = key(word)
    if k in names:
        return ""
    before = text[max(0, start - 8):start]
    after = text[end:end + 10]
    if _CREDENTIAL.match(after):
        return "next to a credential"
    if word.isupper() and len(word) > 1:
        if _abbreviation(k):
            return ""
        if is_ordinary(k) and not (is_name(k) and _beside_a_name(text, start, end)):
            return ""    # a header in capitals; "WELLS" only beside "JOHN"
        return "in capitals, not in the vocabulary"
    if _TITLE.search(before):
        return "after a title"
    if k in lexicon.vocabulary() or k in lexicon.STOP:
        return ""
    if is_ordinary(k):
        if _SENTENCE_START.search(text[max(0, start - 3):start]):
            # "Hope is ...": a word that starts a sentence, unless a first name
            return "a first name, or a word" if k in lexicon.first_names() and not (
                _LABEL.match(text, end) or text[end:end + 2].strip().isdigit()) else ""   # "Ward 8"
        if len(k) < 2 or _an_ordinary_label(text, start, end):
            return ""    # "T: 06/24/19", "Tuesdays", "Admission Date:", "Head of Finance"
        return "capitalised in mid-sentence"
    return "capitalised, not in the vocabulary"


_NUMBER_BEFORE = re.compile(r"(?<![\w.,/:$£€-])(\d{1,5}[A-Za-z]?)[ \t]+\Z")
_NUMBER_AFTER = re.compile(r"[ \t]+(\d{1,5}[A-Za-z]?|[A-Z]{2,3})(?=[ \t]*[,.;)\n])")
# "$412,000", "£6.200": an amount, not an identifier
_AMOUNT = re.compile(r"[$£€]\d|\d[,.]\d{3}\b")
# "GUM/24/4471", "R104471/24/19": a code with slashes that is no date
_SLASH_CODE = re.compile(r"(?<![\w/])((?=[\w/]*[A-Za-z])(?=[\w/]*\d)[A-Za-z\d]+(?:/[A-Za-z\d]+){2,})(?![\w/])")
_DOSE = re.compile(r"[ \t]*(?i:mg|mcg|g|ml|units?|iu|bid|tid|qid|qd|daily|weekly)\b")
_TIME_BEFORE = re.compile(r"(?i:\bat|@|\bby|\bfrom|\buntil|\bto|\bform|\d/\d+)[ \t]*\(?$")
_BIRTH = re.compile(r"(?i:\bborn|\bb\.|\bdob|\bd\.o\.b|\bbirth|\byob|\[AGE\])")
_FIELD_START = re.compile(r"(?:[ \t]{2}|\t|\bDear[ \t]+)$")
_RUN_LEFT = re.compile(r"(?:[A-Z][\w'’-]*[ \t]+(?:of[ \t]+(?:the[ \t]+)?)?){0,3}$")
_RUN_RIGHT = re.compile(r"(?:[ \t]+(?:of[ \t]+(?:the[ \t]+)?)?[A-Z][\w'’-]*){0,3}")
_LABEL = re.compile(r"(?:[ \t]+[A-Z][\w'’-]*){0,2}[ \t]*(?:#[ \t]*)?:|[ \t]+(?:no\.|#)")


def _in_a_job_title(text: str, start: int, end: int) -> bool:
    """In a capitalised run naming a job ("Head of Finance", "VP Product")."""
    left = _RUN_LEFT.search(text[max(0, start - 40):start])   # (each matches "" at least)
    right = _RUN_RIGHT.match(text, end, end + 40)
    run = (left[0] if left else "") + text[start:end] + (right[0] if right else "")
    words = [key(w) for w in _PART.findall(run)]
    return any(w in _lists()["job"] for w in words) or "head of" in " ".join(words)


# -- what the context says: a word is ordinary, or a number, and only its neighbours --
# say it names someone or somewhere. (A lookahead on the first character: twice as fast.)

_NAMED = r"(?:\[(?:PERSON|ORG|PLACE)\]|Client-[0-9A-F]+)"
_CAP = r"[A-Z][^\W\d_]*(?:['’&-][^\W\d_]+)*(?![\w'’&-])"
# "[ORG] Team", "[PERSON] UK", "Sung-min [PERSON]": the rest of a name
_AFTER_NAMED = re.compile(_NAMED + r"[ \t](" + _CAP + r")")
_BEFORE_NAMED = re.compile(r"(?<![\w'’&.-])(" + _CAP + r")[ \t]" + _NAMED)
# "wife june [PERSON]": a first name in lower case before a name
_LOWER_BEFORE_NAMED = re.compile(r"(?<![\w'’-])([a-z][a-z'’-]+)[ \t]" + _NAMED)
# "African Services Committee": a capitalised run ending in a head word
_RUN = re.compile(r"(?=[A-Z])(?<![\w'’&-])((?:" + _CAP + r"[ \t]+(?:(?:of|the|and|for|&|de)[ \t]+)?){1,4}"
                  r"[A-Z][a-z]+)(?![\w'’&-])")
# numbers that say where: "room 22", "unit 610", "2 [PERSON]" (a street), "[PERSON] 44,"
_UNIT = re.compile(r"(?=[RrUuFfAaSsBbCcLlPp])\b(?i:room|rm|unit|flat|apt|apartment|suite|ste|bed|cabin|cell|"
                   r"lot|plot|berth|pitch|bay)\.?[ \t]*#?[ \t]*(\d+[A-Za-z]?)\b")
_STREET_NUMBER = re.compile(r"(?<![\w./:$£€-])(?!(?:19|20)\d\d\b)(\d{1,5}[A-Za-z]?(?:-\d{1,5})?)[ \t]+"
                            r"(?:(?:[A-Z][A-Za-z]*|NE|NW|SE|SW)[ \t]+){0,2}\[(?:PERSON|PLACE|ORG)\]")
_HOUSE_NUMBER = re.compile(r"\[(?:PERSON|PLACE)\][ \t]+(?!(?:19|20)\d\d\b)(\d{1,5}[A-Za-z]?)"
                           r"(?=[ \t]*(?:,|$))", re.M)
_BLOCK = re.compile(r"\b(\d{2,5})[ \t]+block[ \t]+of\b")
# a capitalised word alone in brackets: "(Interim)", "(ex-Picnic)"; a state in tax
# writing: "CA owes $220", "$1,100 MD"
_BRACKETED = re.compile(r"\((?:ex-|former[ \t]+)?(" + _CAP + r")\)")
_TAX_STATE = re.compile(r"(?=[$£€fA-Z])(?:[$£€][\d,.]+k?[ \t]+(?:to[ \t]+)?|\bfederal[ \t]+and[ \t]+)([A-Z]{2})\b"
                        r"|\b([A-Z]{2})(?=[ \t]+(?:owes|refund|return|resident|residency|"
                        r"withholding|estimates?|state[ \t]+tax|income[ \t]+tax|has[ \t]+none|"
                        r"conforms|does[ \t]+not[ \t]+conform)\b)")
# numbers after a keyword of a record: "Medical Record #: 000 482 117", "pager 50311"
_KEYED = re.compile(r"(?=[MmRrCcAaPpBbEeLlTtDdIiSsNn#])\b(?i:mrn|record|chart|account|acct|a/c|policy|member|pager|bleep|ext|licen[cs]e|"
                    r"plate|reg|registration|tag|case|docket|claim|ref|reference|index|batch|bib|"
                    r"badge|employee|student|tracking|serial|certificate|permit|passport|no\.|#)(?![\w.])[^\n\d\[]{0,20}?"
                    r"(?<!\w)(\d{3,}(?:[ \t-]\d{2,})*)\b(?![ \t]*(?i:lb|lbs|kg|mg|ml|cm|mm|%))")
# the rest of a code: "[ID] 114K"; a postcode after an address: "[ADDRESS], NW3"
_CODE_TAIL = re.compile(r"\[(?:ID|PHONE|MRN|ACCOUNT|LICENSE|PLAN)\][ \t]+([A-Za-z]*\d[A-Za-z\d]*)\b")
_POSTCODE = re.compile(r"\[(?:ADDRESS|PLACE)\],?[ \t]+([A-Z]{1,2}\d[A-Z\d]?)\b")
_AFTER_CREDENTIAL = re.compile(r"(?=[MRDNP])\b(?:M\.D\.|MD|RN|DO|NP|PA|PhD)[ \t]+#?([A-Z]{1,3}\d{2,})\b")
# ages over 89: "101M", "aged 94", "(101)" after a name, "ninety-six"
_AGE = re.compile(r"(?=[19])(?<![\w.,/:$£€-])((?:9\d|1[0-2]\d)(?:[MF]\b|yo\b)?)(?:[ \t]?(?:[MF]\b|yo\b|"
                  r"y/o|y\.o\.|yrs?\b|years?\b|-year)|(?<=[MFo])|(?=\)))")
_AGE_AFTER = re.compile(r"(?=[Aa])\b(?i:aged|age|ages)[ \t:]+(9\d|1[0-2]\d)\b")
_AGE_WORDS = re.compile(r"(?=[NnOoAa])\b(?i:((?:ninety(?:[ -](?:one|two|three|four|five|six|seven|eight|nine)|(?=[ -]years?\b))|"
                        r"(?:one|a)[ -]hundred(?:[ -]and[ -](?:one|two|three|four|five|six)|(?=[ -]years?\b)))"
                        r"(?:[ \t]+and[ \t]+a[ \t]+half)?))"
                        r"\b(?![ \t-]+(?i:percent|per|minutes|mins|seconds|days|dollars|pounds|mg|%))")
# a day or a year next to a month in another language: "le 12 mars", "1 mei"
_FOREIGN_DATE = re.compile(r"\b(\d{1,2}\.?(?:er)?[ \t]+(?:de[ \t]+)?([^\W\d_]{3,})\.?"
                           r"(?:[ \t]+(?:de[ \t]+)?\d{4})?|([^\W\d_]{3,})[ \t]+\d{4})\b")
# initials: "NB/cl", "[PERSON] / sd"; "tl RN"; "gs" closing a note
_SLASH_INITIALS = re.compile(r"(?=[\]A-Z])(?:\]|Client-[0-9A-F]+|\b[A-Z]{2,3}|\b[A-Z][a-z]+)[ \t]*/[ \t]*"
                             r"([A-Za-z]{2,3})(?:[ \t]*$|[ \t]{2,}|[ \t]+(?=D:|T:|Dictated|Transcribed))",
                             re.M)
_BEFORE_CREDENTIAL = re.compile(r"(?<![\w'’-])([a-z]{2,3})(?=,?[ \t]+(?:RN|MD|LPN|NP|PA|CNA)\b)")
_SIGN_OFF = re.compile(r"(?:\A|[.!?\n])[ \t]*-*[ \t]*([A-Za-z]{2,3})\.?[ \t]*\Z")
# a nickname in quotes beside a name: [PERSON] "Book" [PERSON]; a state on a plate or
# after a place: "MD tag", "[PLACE], CA"; a county: "Co. Mayo"
_NICKNAME = re.compile(_NAMED + r"[ \t]+[\"“]([A-Z][\w'’-]*)[\"”]|[\"“]([A-Z][\w'’-]*)[\"”][ \t]+"
                       + _NAMED)
_PLATE_STATE = re.compile(r"(?=[A-Z])\b([A-Z]{2,3})[ \t]+(?i:tags?|reg|plates?|registration|licen[cs]e|dl)\b")
_PLATE = frozenset("tag tags reg plate plates registration licence license dl".split())
_PLACE_STATE = re.compile(r"\[PLACE\],?[ \t]+([A-Z]{2,3})\b")
_COUNTY = re.compile(r"(?=C)\b(?:Co\.|County)[ \t]+([A-Z][a-z]+)")
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_UNIT, "a room, flat or unit number"), (_BLOCK, "a block number (an address)"),
    (_STREET_NUMBER, "a number before a street or a replaced name"),
    (_HOUSE_NUMBER, "a house number after a street"), (_KEYED, "a number after a record keyword"),
    (_CODE_TAIL, "the rest of a replaced code"), (_POSTCODE, "a postcode after an address"),
    (_AFTER_CREDENTIAL, "a code after a credential"), (_AGE, "an age over 89"),
    (_AGE_AFTER, "an age over 89"), (_AGE_WORDS, "an age over 89 in words"),
    (_SLASH_INITIALS, "initials after a slash (a dictation line)"),
    (_BEFORE_CREDENTIAL, "initials next to a credential"), (_COUNTY, "a county"))


def _in_context(text: str, names: frozenset[str] | set[str]) -> list[Candidate]:
    """What only a word's neighbours reveal (the patterns above)."""
    lists, stop = _lists(), lexicon.STOP
    found = [(m, 1, why) for pattern, why in _RULES for m in _rule(pattern, text)]
    for pattern in (_AFTER_NAMED, _BEFORE_NAMED):
        after = pattern is _AFTER_NAMED
        for m in pattern.finditer(text) if after else before_anchors(pattern, text, _NAMED_AFTER_A_SPACE, _in_a_cap):
            k, caps = key(m[1]), m[1].isupper()
            if not (k in lists["roles"] or k in stop and not (after and k in lists["heads"])
                    or k.rstrip("s") in lexicon.CALENDAR or k in lexicon.vocabulary()
                    or _CREDENTIAL.match(" " + m[1]) or caps and (k in lists["abbreviations"] or not
                                 after and (k in _NOT_INITIALS or is_ordinary(k) and not is_name(k)))
                    or not after and is_ordinary(k) and _SENTENCE_START.search(
                        text[max(0, m.start() - 3):m.start()])):
                found.append((m, 1, "next to a replaced name"))
    found += [(m, 1, "a first name next to a name") for m in before_anchors(
              _LOWER_BEFORE_NAMED, text, _NAMED_AFTER_A_SPACE, _LOWER_WORD_CHARS.__contains__)
              if key(m[1]) in lexicon.first_names() and key(m[1]) not in lists["roles"]]
    for m in _RUN.finditer(text) if has_word(text, lists["heads"]) else ():
        words = [key(w) for w in _PART.findall(m[1])]
        if words[-1] in lists["heads"] and any(w not in lists["generic"] and w not in lists["heads"]
                                               and w not in stop for w in words[:-1]):
            found.append((m, 1, "an organisation's name"))
    # (the month is a whole run of letters: in ASCII text, one the list holds)
    found += [(m, 1, "a date in another language") for m in (
        _FOREIGN_DATE.finditer(text) if has_word(text, lists["months"]) else ())
              if key(m[2] or m[3]) in lists["months"]]
    found += [(m, 1 if m[1] else 2, "a nickname beside a name") for m in (
        _NICKNAME.finditer(text) if '"' in text or "“" in text else ())]
    found += [(m, 1 if m[1] else 2, "a state or province") for p, words, lower in (
              (_PLATE_STATE, _PLATE, True), (_PLACE_STATE, None, True),
              (_TAX_STATE, _state_codes(lists["states"]), False))
              for m in (p.finditer(text) if words is None or has_word(text, words, lower) else ())
              if (m[1] or m[2]).lower() in lists["states"]]
    found += [(m, 1, "a capitalised word alone in brackets") for m in _BRACKETED.finditer(text)
              if not m[1].isupper() and key(m[1]) not in lexicon.vocabulary() and key(m[1]) not in
              lists["roles"] and key(m[1]).rstrip("s") not in lexicon.CALENDAR]
    off = _sign_off(text.rstrip())   # "gs", "NB"; not "Fine."
    if off and key(off[1]) not in {"etc", "end", "ok"} and (not off[1].istitle() or not is_ordinary(key(off[1]))):
        found.append((off, 1, "initials closing the note"))
    return [Candidate(m.start(g), m.end(g), m[g], why) for m, g, why in found
            if key(m[g]) not in names and (key(m[g]) not in stop or key(m[g]) in lists["heads"])
            and not _PLACEHOLDER.fullmatch(m[g])]


# (a word before a replaced name is tried only at the word before each)
_NAMED_AFTER_A_SPACE = re.compile(r"[ \t](?:\[(?:PERSON|ORG|PLACE)\]|Client-[0-9A-F])")
_LOWER_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'’-")


def _in_a_cap(c: str) -> bool:
    """c may stand in _CAP: a letter (not a digit nor "_") or one of ' ’ & -."""
    return c.isalnum() and not c.isdecimal() or c in "'’&-"


def _sign_off(text: str) -> re.Match[str] | None:
    """_SIGN_OFF.search(text) (no trailing whitespace), tried only where it can
    start, from the last word back, instead of at every place."""
    body = text[:-1] if text.endswith(".") else text
    word = len(body) - len(body.rstrip(_ASCII_LETTERS))
    if word not in (2, 3):
        return None
    before = body[:-word].rstrip(" \t").rstrip("-").rstrip(" \t")
    if before and before[-1] not in ".!?\n":
        return None
    return _SIGN_OFF.match(text, len(before) - 1 if before else 0)


def _rule(pattern: re.Pattern[str], text: str) -> list[re.Match[str]] | Iterator[re.Match[str]]:
    """A rule's matches, tried only where its words say it can match (_GATED),
    or only in a text that holds what each of its matches holds (_HINTED)."""
    hint = _HINTED.get(id(pattern))
    if hint is not None:
        return pattern.finditer(text) if hint.search(text) else []
    words, chars, lower, starts = _GATED.get(id(pattern), (None, "", True, False))
    found = None if words is None else at_words(pattern, text, words, chars, True) if starts \
        else None if has_word(text, words, lower, True) else []
    return pattern.finditer(text) if found is None else found


# (words, one a whole run of letters in every match; other start characters; lower case?; starts there?)
_GATED = {id(p): gate for p, gate in (
    (_KEYED, (frozenset("""mrn record chart account acct a policy member pager bleep ext licence
     license plate reg registration tag case docket claim ref reference index batch bib badge
     employee student tracking serial certificate permit passport no""".split()), "#", True, True)),
    (_UNIT, (frozenset(re.findall(r"\(\?i:([a-z|]+)\)", _UNIT.pattern)[0].split("|")), "", True, True)),
    (_BLOCK, (frozenset({"block"}), "", False, False)),
    (_AGE_WORDS, (frozenset({"ninety", "hundred"}), "", True, False)),
    (_BEFORE_CREDENTIAL, (frozenset("RN MD LPN NP PA CNA".split()), "", False, False)),
    (_COUNTY, (frozenset({"Co", "County"}), "", False, False)),
    (_AGE_AFTER, (frozenset({"aged", "age", "ages"}), "", True, False)),
    (_PLATE_STATE, (_PLATE, "", True, False)))}
# (a "/" then letters; a capital then two digits; "9" or "1" then a digit of an age)
_HINTED = {id(_SLASH_INITIALS): re.compile(r"/[ \t]*[A-Za-z]"), id(_AFTER_CREDENTIAL): re.compile(
    r"[A-Z]\d\d"), id(_AGE): re.compile(r"9\d|1[0-2]\d"), id(_SLASH_CODE): re.compile(r"/[A-Za-z\d]+/")}
_state_codes = lru_cache(maxsize=4)(lambda states: frozenset(s.upper() for s in states if len(s) == 2))


def _abbreviation(k: str) -> bool:
    """k (folded) is an abbreviation that names nobody, or an initial that is a word."""
    return k in _NOT_INITIALS or k in lexicon.vocabulary() or k in _lists()["abbreviations"]


_lists = lexicon.report_lists
_PART = re.compile(r"[^\W_][\w'’-]*")   # a word, with its apostrophes and hyphens


def _an_ordinary_label(text: str, start: int, end: int) -> bool:
    k = key(text[start:end])
    return k.rstrip("s") in lexicon.CALENDAR or bool(_FIELD_START.search(
        text[max(0, start - 6):start])) or bool(_LABEL.match(text, end)) or \
        _in_a_job_title(text, start, end)
