"""Date forms that neither `detect`'s full-date patterns nor `when`'s
partial ones read (issue 14, ninth session): a month written in another
language ("19 octobre 2023", "1 oktober", "5. März 2021", "12 de marzo de
2024", "janvier 2024"), a year and month ("2024-03", "2024/03"), ranges of
days ("3/4-3/7", "3-5 March 2024", "11th-14th March"), dates written
without separators ("04APR2024", "20240304"), a month in lower or upper
case with a year or an ordinal day ("january 2024", "JAN 2024", "march
5th").

`when` registers these patterns with its own, so the export shifts them
like any other date and writes them back in their own form (a foreign month
in its own language's words, from vault/data/months_other.txt). Pure
functions, no I/O but reading that list once.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import lru_cache

from .span import (Span, Windows, digit_runs, letter_runs, scan, starts_at_digits,
                   starts_at_words)

# For when.py's month alone: "May" before a pronoun is the verb ("May I",
# "May she rest"), unless one of these stands before it ("In May she moved").
MAY_AS_MONTH = "".join(rf"(?<!\b(?i:{w})[ \t](?i:may))" for w in (
    "in", "by", "of", "since", "until", "last", "next", "early", "late", "from", "during"))

_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
       "september", "october", "november", "december")
_EN_FORMS = frozenset((*_EN, *(m[:3] for m in _EN), "sept"))
_EN_MON = (r"(?P<mon>(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|"
           r"july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))")
_WORD = r"(?P<mon>[^\W\d_]{3,12})"

PATTERNS = {
    # a day, a month in another language, a year: "19 octobre 2023", "5. März
    # 2021", "12 de marzo de 2024", "1 oktober"
    "fdmy": re.compile(r"(?P<d>\d(?<![\w.,/:$£€-]\d)\d?)\.?[ \t]+(?:de[ \t]+)?" + _WORD
                       + r"\.?(?:,?[ \t]+(?:de[ \t]+)?(?P<y>(?:19|20)\d\d))?(?![\w-])"),
    # such a month and a year: "janvier 2024", "März 2021"
    "fmy": re.compile(r"(?<![^\W\d_])" + _WORD + r"\.?,?[ \t]+(?:de[ \t]+)?"
                      r"(?P<y>(?:19|20)\d\d)(?![\w-]|[.,/]\d)"),
    # an English month in lower or upper case and a year: "january 2024", "JAN 2024"
    "emy": re.compile(r"(?<![^\W\d_])" + _EN_MON + r"\.?,?[ \t]+(?P<y>(?:19|20)\d\d)"
                      r"(?![\w-]|[.,/]\d)"),
    # a year and a month: "2024-03", "2024/03" (not "2019-20", "2011-12": years)
    "ym": re.compile(r"(?P<y>(?:19|20)\d\d)(?<![\w./-]\d{4})(?P<sep>[-/])(?P<m>0[1-9]|1[0-2])"
                     r"(?![\w/-]|[.,:]\d)"),
    # a month and day to another: "3/4-3/7", "1/3 - 1/9/2024"
    "mdmd": re.compile(r"(?P<m>\d(?<![\w./:,-]\d)\d?)/(?P<d>\d{1,2})[ \t]*[-–][ \t]*"
                       r"(?P<m2>\d{1,2})/(?P<d2>\d{1,2})(?:/(?P<y>\d{4}|\d\d))?"
                       r"(?![\w/]|[.,:]\d)"),
    # days to a day of a month: "3-5 March 2024", "11th-14th March"
    "ddm": re.compile(r"(?P<d>\d(?<![\w./:,$£€-]\d)\d?)(?:(?P<o1>st|nd|rd|th)[ \t]*)?[-–][ \t]*"
                      r"(?P<d2>\d{1,2})(?P<o2>st|nd|rd|th)?(?:[ \t]+of)?[ \t]+" + _EN_MON
                      + r"\.?(?:,?[ \t]+(?P<y>(?:19|20)\d\d))?(?![\w-])"),
    # no separators: "04APR2024", "4apr24"; "20240304"
    "dmoy": re.compile(r"(?P<d>\d(?<![\w./-]\d)\d?)" + _EN_MON + r"(?P<y>\d{4}|\d\d)(?![\w-])"),
    "ymd": re.compile(r"(?P<y>(?:19|20)\d\d)(?<![\w.,/$£€-]\d{4})(?P<m>0[1-9]|1[0-2])"
                      r"(?P<d>0[1-9]|[12]\d|3[01])(?![\w-]|[.,/]\d)"),
    # a holiday that when's "hol" leaves, with its year: "Good Friday 2023"
    "hol2": re.compile(r"(?P<h>New[ \t]+Year['’]?s[ \t]+(?:Day|Eve)|Good[ \t]+Friday|"
                       r"(?:Mo|Fa)ther['’]?s[ \t]+Day)(?:[ \t]+weekend)?,?[ \t]+(?P<y>(?:19|20)\d\d)\b"),
    # a month and a two-digit year that cannot be a day: "(2/69)", "CABG 6/87",
    # "flu shot 10/92" (a lab value's date, a procedure's; "2/6" is when's "md")
    "myy": re.compile(r"(?P<m>\d(?<![\w./:,-]\d)\d?)/(?P<y>\d\d)(?![\w/%]|[.,:]\d|\s*(?:mg|mcg|ml))"),
    # a lower-case month and an ordinal day: "march 5th", "may 3rd"
    "mdo": re.compile(r"(?<![^\W\d_])(?P<mon>march|may|mar)\.?[ \t]+(?P<d>\d{1,2})"
                      r"(?P<ord>st|nd|rd|th)\b"),
}
KINDS = frozenset(PATTERNS)
MONTHLY = frozenset({"fmy", "emy", "ym", "myy"})
# A French, Spanish, German... word before a day that makes a short month
# that is also an English word ("le 3 mars") a date without its year.
_DAY_CUE = re.compile(r"(?i:\b(?:le|du|au|am|vom|bis|el|del|den|il|dal|al|op|de|on)[ \t]+)\Z")
# Words before a number that is a score, not a date ("pain 3/10", "score
# 3/45"); when's cue for M/D adds more ("x 3/4", "sleep 6/10").
SCORE_WORDS = r"rated?|rating|score[sd]?|pain|mood|scale|level|out of|bp"
_SCORES = re.compile(rf"(?i:{SCORE_WORDS})\s*:?\s*\Z")


# -- where they can start --------------------------------------------------------------
#
# The patterns that start at a day's digits are registered with span's gates
# (tried only after the runs of digits they can start at); "fdmy" and
# "fmy" only in a note with another language's month, "emy" and "mdo" only
# in one with a month in lower or upper case, "ddm" only with an English
# month (span.letter_runs, the note's words, known by then); "fmy" and
# "emy" start at the word before a year, looked for back from its digits.

starts_at_digits(PATTERNS["fdmy"], lambda n, after: n <= 2 and after != "" and after in " \t.")
starts_at_digits(PATTERNS["ym"], lambda n, after: n == 4 and (after == "-" or after == "/"))
starts_at_digits(PATTERNS["mdmd"], lambda n, after: n <= 2 and after == "/")
starts_at_digits(PATTERNS["myy"], lambda n, after: n <= 2 and after == "/")
starts_at_digits(PATTERNS["ddm"], lambda n, after: n <= 2 and after != "" and after in "-–snrt")
starts_at_digits(PATTERNS["dmoy"], lambda n, after: n <= 2 and after != "" and after in "JFMASONDjfmasond")
starts_at_digits(PATTERNS["ymd"], lambda n, after: n == 8)
starts_at_words(PATTERNS["mdo"], frozenset({"march", "may", "mar"}))
# (lower-case "may" is the verb: "may 2024" is left out, as when's "mdl" does)
_EN_LOWER = frozenset(_EN_FORMS - {"may"})
_EN_UPPER = frozenset(w.upper() for w in _EN_FORMS)
_MDO = frozenset({"march", "may", "mar"})
_HOLIDAY = frozenset({"Day", "Eve", "Friday", "weekend"})
_MONTH_KEYS: list[frozenset[str]] = []


def find(text: str, windows: Windows) -> list[Span]:
    """These dates in the windows (`detect.digit_windows`)."""
    out: list[Span] = []
    runs = letter_runs(text)   # (None for other text than ASCII: "März")
    months = _months()[0]
    if not _MONTH_KEYS:
        _MONTH_KEYS.append(frozenset(months))
    written, lower = runs if runs is not None else (None, None)
    foreign = lower is None or not _MONTH_KEYS[0].isdisjoint(lower)
    english = lower is None or not _EN_FORMS.isdisjoint(lower)
    kinds = ["ym", "mdmd", "ymd", "myy"]
    if foreign:
        kinds.append("fdmy")
    if english:
        kinds += ["ddm", "dmoy"]
        if written is None or not _MDO.isdisjoint(written):
            kinds.append("mdo")
    for kind in kinds:
        for m in scan(PATTERNS[kind], text, windows):
            _add(out, kind, m)
    cased = written is None or not (_EN_LOWER.isdisjoint(written) and _EN_UPPER.isdisjoint(written))
    holiday = written is None or not _HOLIDAY.isdisjoint(written)
    if not foreign and not cased and not holiday:
        return out
    for start, end in digit_runs(text, windows):
        if end - start == 4 and (text.startswith("19", start) or text.startswith("20", start)) \
                and not text[end:end + 1].isalnum():
            at = _word_before(text, start)
            if holiday and at >= 0 and text[at:start].rstrip(" \t,") in _HOLIDAY:
                m = PATTERNS["hol2"].search(text, max(0, at - 16), end)
                if m is not None and m.end() == end:
                    out.append(Span(m.start(), end, "DATE:hol2", m))
            elif at >= 0:
                word = text[at:_word_end(text, at)]
                low = word.lower()
                kind = ("emy" if word.islower() or word.isupper() else "") if low in _EN_FORMS \
                    else "fmy" if low in months or (
                    not low.isascii() and fold(low) in months) else ""
                m = PATTERNS[kind].match(text, at) if kind else None
                if m is not None:
                    _add(out, kind, m)
    return out


def _add(out: list[Span], kind: str, m: re.Match[str]) -> None:
    if fields(kind, m) is not None:
        out.append(Span(m.start(), m.end(), "DATE:" + kind, m))


def _word_before(text: str, start: int) -> int:
    """Where the word before a year starts, past spaces, "de", "," and
    ".": "janvier 2024", "marzo de 2024", "JAN. 2024"; -1 if none."""
    k = start
    while k and (text[k - 1] == " " or text[k - 1] == "\t"):
        k -= 1
    if k == start:
        return -1
    if text[k - 3:k] == "de " or text[k - 3:k] == "de\t":
        k -= 3
        while k and (text[k - 1] == " " or text[k - 1] == "\t"):
            k -= 1
    if text[k - 1:k] in (",", "."):
        k -= 1
    j = k
    while j and text[j - 1].isalpha():
        j -= 1
    return j if 3 <= k - j <= 12 else -1


def _word_end(text: str, at: int) -> int:
    while at < len(text) and text[at].isalpha():
        at += 1
    return at


def fold(word: str) -> str:
    """Lower case, accents dropped: "März" is "marz"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower())
                   if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _months() -> tuple[dict[str, tuple[int, tuple[str, ...]]], frozenset[str]]:
    """Each folded month word: its month and the twelve words of its line."""
    from importlib import resources

    from . import lexicon
    text = resources.files("vault").joinpath("data/months_other.txt").read_text(encoding="utf-8")
    out: dict[str, tuple[int, tuple[str, ...]]] = {}
    before: tuple[str, ...] = ()
    for line in text.splitlines():
        words = tuple(line.split())
        if len(words) == 12 and not line.startswith("#"):
            # ("-": the line before's word)
            words = tuple(w if w != "-" else b for w, b in zip(words, before or words))
            for i, w in enumerate(words, 1):
                if w != "-":
                    out.setdefault(fold(w), (i, words))
            before = words
    english = frozenset(w for w in out if w in lexicon.dictionary() or w in lexicon.vocabulary())
    return {w: v for w, v in out.items() if w not in _EN_FORMS}, english


def fields(kind: str, m: re.Match[str]) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a match (its first day for a range),
    or None when it is none."""
    if kind == "hol2":
        return int(m["y"]), 7, 1   # (written "[DATE]": see render)
    if kind in ("fdmy", "fmy"):
        months, english = _months()
        word = fold(m["mon"])
        if word not in months:
            return None
        if kind == "fdmy" and (not m["y"] or len(word) <= 3) and word in english and not \
                _DAY_CUE.search(m.string, max(0, m.start() - 5), m.start()):
            return None   # "5 lug nuts", "3 mars bars", "1. lug"; not "le 3 mars"
        if kind == "fmy" and word in english:
            return None   # "lug 2019", "mars 2024": no day to say it is a month
        month, day = months[word][0], int(m["d"]) if kind == "fdmy" else 15
    elif kind in ("emy", "dmoy", "mdo", "ddm"):
        mon = m["mon"].lower()
        month = next((i for i, full in enumerate(_EN, 1) if full.startswith(mon[:3])), 0)
        if kind == "emy" and m["mon"][0].isupper() and not m["mon"].isupper():
            return None   # "January 2024": detect's
        if kind == "mdo" and mon[:3] not in ("mar", "may"):
            return None   # when's "mdl" reads the others
        day = 15 if kind == "emy" else int(m["d"])
        if kind == "ddm" and not int(m["d"]) < int(m["d2"]) <= 31:
            return None
    elif kind == "myy":
        month, day = int(m["m"]), 15
        if not 32 <= int(m["y"]) or m["y"] == "52" or month == 1 and m["y"] in ("40", "64", "80") or \
                _SCORES.search(m.string, max(0, m.start() - 16), m.start()):
            return None   # a day ("3/05": when's "md"), weeks "2/52", a titre "1/40", "score 3/45"
    else:
        month, day = int(m["m"]), 15 if kind == "ym" else int(m["d"])
        if kind == "ym" and (int(m["y"]) + 1) % 100 == month:
            return None   # "2011-12": a school or tax year
        if kind == "mdmd":
            if month > 12 >= day:
                return None
            before = m.string[max(0, m.start() - 16):m.start()]
            if _SCORES.search(before) or m["d"] == m["d2"] and m["d"] in ("4", "5", "10"):
                return None   # "pain 3/10-5/10"
    year = None
    if "y" in m.re.groupindex and m["y"]:
        year = int(m["y"]) + (0 if len(m["y"]) == 4 else 2000 if int(m["y"]) < 70 else 1900)
    try:
        first = datetime.date(2000 if year is None else year, month, day)
        if kind == "mdmd":
            last = datetime.date(first.year, int(m["m2"]), int(m["d2"]))
            if not datetime.timedelta(0) < last - first <= datetime.timedelta(days=62):
                return None
    except ValueError:
        return None
    return year, month, day


def render(kind: str, m: re.Match[str], new: datetime.date) -> str:
    """The shifted date in the match's own form (a range moved as a whole);
    a holiday's year as "[DATE]" (the holiday names its day)."""
    if kind == "hol2":
        return m.group()[:m.start("y") - m.start()] + "[DATE]"
    old = fields(kind, m)
    assert old is not None
    delta = new - datetime.date(2000 if old[0] is None else old[0], old[1], old[2])
    groups: dict[str, str] = {}
    if kind in ("fdmy", "fmy"):
        words = _months()[0][fold(m["mon"])][1]
        groups["mon"] = _case(words[new.month - 1], m["mon"])
    elif kind in ("emy", "dmoy", "mdo", "ddm"):
        like = m["mon"]
        full = _EN[new.month - 1]
        name = full if len(like) > 3 and like.lower() not in ("sept",) else full[:3]
        groups["mon"] = _case(name, like)
    elif kind == "myy":
        groups["m"] = pad(new.month, m["m"])
    elif kind != "mdmd":
        groups["m"] = f"{new.month:02d}"
    if kind == "mdmd":
        second = datetime.date(2000 if old[0] is None else old[0], int(m["m2"]), int(m["d2"]))
        second += delta
        groups.update(m=pad(new.month, m["m"]), d=pad(new.day, m["d"]),
                      m2=pad(second.month, m["m2"]), d2=pad(second.day, m["d2"]))
        new = second   # (the year written is the second date's)
    elif kind == "ddm":
        second = new + datetime.timedelta(days=int(m["d2"]) - int(m["d"]))
        if second.month != new.month:
            return "[DATE]"   # moved across a month's end: no longer one month's days
        groups.update(d=pad(new.day, m["d"]), d2=pad(second.day, m["d2"]))
        groups.update({o: _ordinal(day) for o, day in (("o1", new.day), ("o2", second.day))
                       if m[o]})
    elif "d" in m.re.groupindex and kind != "fmy":
        groups["d"] = pad(new.day, m["d"]) if kind != "ymd" else f"{new.day:02d}"
    if kind == "mdo":
        groups["ord"] = _ordinal(new.day)
    if "y" in m.re.groupindex and m["y"]:
        groups["y"] = f"{new.year:04d}" if len(m["y"]) == 4 else f"{new.year % 100:02d}"
    text, base, out, pos = m.group(), m.start(), [], 0
    for name, value in sorted(groups.items(), key=lambda g: m.start(g[0])):
        start, end = m.start(name) - base, m.end(name) - base
        out += [text[pos:start], value]
        pos = end
    return "".join(out) + text[pos:]


# What follows a grade or a strength written like a month and a day: "a 2/6
# murmur", "5/5 strength", "reflexes 2/4 throughout".
_GRADE_AFTER = re.compile(r"[ \t]*(?i:murmurs?|sem|systolic|diastolic|holosystolic|"
                          r"strength|power|bilat\w*|throughout|symmetric\w*|reflexes|dtrs?|pulses?|"
                          r"in[ \t]+(?:all|both|each|upper|lower|bilateral|[BLR]?[UL]Es?)\b|x[ \t]*4)\b")
_GRADE_BEFORE = re.compile(r"(?i:strength|motor|power|reflexes|dtrs?|pulses?|grade|murmur|gcs)"
                           r"[ \t]*:?[ \t]*\Z")


def a_grade(text: str, m: re.Match[str], pair: tuple[int, int]) -> bool:
    """Whether a month and a day without a date's cue before them ("2/6")
    are a grade, a strength or a rate: "24/7", or beside a grade's word
    ("a 2/6 systolic murmur", "strength 5/5", "5/5 in all extremities";
    not "embolization 4/4", a date)."""
    if m["d"].startswith("0") or text[m.end():m.end() + 1] == ":":
        return False   # "3/05", "Labs 2/5:": dates
    return pair == (24, 7) or bool(
        _GRADE_AFTER.match(text, m.end())) or bool(
        _GRADE_BEFORE.search(text, max(0, m.start() - 12), m.start()))


def _ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def pad(value: int, like: str) -> str:
    """Zero-padded if `like` was."""
    return f"{value:02d}" if like.startswith("0") else str(value)


def _case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word
