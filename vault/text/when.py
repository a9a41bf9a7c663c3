"""The date and age forms that `detect`'s full-date patterns leave: "11/05",
"3/2024", "Jan '20", a month alone after since/in/next ("RTC Jan"), "the
third of July", "summer 2019", "born 1934", ages over 89 in words; and,
from `dateforms`, other languages' months, ranges and unseparated dates.
Each date keeps its match so the export can shift it and write it back in
its own form. Pure functions, no I/O."""

from __future__ import annotations

import datetime
import re

from . import dateforms
from .span import (Span, Windows, at_starts, digit_runs, has_word, letter_runs, scan,
                   starts_at_digits, starts_at_words)

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH_NUMBER = {f: i for i, m in enumerate(MONTHS, 1) for f in (m, m[:3], "sept" if i == 9 else m)}
_MON = (r"(?P<mon>(?:January|February|March|April|May|June|July|August|September|October|"
        r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|JANUARY|FEBRUARY|"
        r"MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER))\b\.?")
ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
            "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
            "nineteenth twentieth twenty-first twenty-second twenty-third twenty-fourth "
            "twenty-fifth twenty-sixth twenty-seventh twenty-eighth twenty-ninth thirtieth "
            "thirty-first").split()
_ORDW = "(?P<ow>" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + ")"
_SEASONS = {"winter": 1, "spring": 4, "summer": 7, "fall": 10, "autumn": 10}
# Words before a month and day written "3/4": without one, "1/2" and "4/10"
# are fractions and scores.
_DATE_CUE = re.compile(
    r"(?i:\b(?:on|since|from|until|till|by|before|after|dated|due|through|thru|starting|"
    r"effective|admitted|discharged|seen|visit|appt|appointment|dos|d|t|dob|of|"
    r"next|last|surgery|scheduled|f/u|rtc|sent|received|called|signed|ended|started|"
    r"begin|began|week of|mon|tue|tues|wed|thu|thurs|fri|sat|sun|date)\b"
    r"\.?:?\s*$|\n\s*$)")
_SCORE_CUE = re.compile(rf"(?i:{dateforms.SCORE_WORDS}|anxiety|sleep|energy|stress|craving|urge|"
                        r"x|of|apgars?|ratio|split)\s*:?\s*$")

PATTERNS = {
    "md": re.compile(r"(?P<m>\d(?<![\w./:,-]\d)\d?)/(?P<d>\d{1,2})(?![\w/]|[.,:]\d|\s*(?:mg|mcg|ml))"),
    "myn": re.compile(r"(?P<m>\d(?<![\w./:-]\d)\d?)(?P<sep>/|-(?=\d{4}(?!-)))(?P<y>(?:19|20)\d\d)(?![\w/]|[.,]\d)"),
    # A month alone, capitalised, anywhere ("at the March QBR", "mid-Nov");
    # "May" not before a pronoun ("May I ..."; "In March she" is a month).
    "mon": re.compile(_MON + r"(?![ \t]*(?:\d|['’]\d)|(?<=[Mm][Aa][Yy])" + dateforms.MAY_AS_MONTH
                      + r"[ \t]+(?i:i|we|you|he|she|they|be)\b)"),
    # in lower case only after a cue ("in october", "since feb")
    "monl": re.compile(
        r"(?P<mon>[jfasond](?<![^\W\d_][jfasond])(?:anuary|ebruary|pril|une|uly|ugust|"
        r"eptember|ctober|ovember|ecember|an|eb|pr|un|ul|ug|ept?|ct|ov|ec))\b"
        r"\.?(?![ \t]*(?:\d|'\d))"),
    # (not "may" or "march" in lower case: "may 2" is a verb and a number)
    "mdl": re.compile(r"(?P<mon>[jfasond](?<![\w][jfasond])(?:an|eb|pr|un|ul|ug|ep|"
                      r"ept|ct|ov|ec)[a-z]*)\.?[ \t]+(?P<d>\d{1,2})(?P<ord>st|nd|rd|th)?\b(?![:/.]\d)"),
    "range": re.compile(_MON + r"[ \t]+(?P<d>\d{1,2})[-–](?P<d2>\d{1,2})\b"),
    "oday": re.compile(
        r"(?P<d>\d(?<![\w.,/:$£€-]\d)\d?)(?i:st|nd|rd|th)\b"
        r"(?![ \t]+(?!(?:for|and|to|at|in|on|or|when|if|as|but|so|until|was|is|will|"
        r"would|we|i|he|she|they|you|the|from|through|thru|via|with)\b)[a-z])"),
    "myq": re.compile(_MON + r"[ \t]+['’](?P<yy>\d\d)\b"),
    "ord": re.compile(r"(?P<ow>[FfSsTtEeNn](?<![^\W\d_][FfSsTtEeNn])(?i:irst|econd|hird|"
                      r"ourth|ifth|ixth|eventh|ighth|inth|enth|leventh|welfth|\w+teenth|"
                      r"wentieth|wenty-\w+|hirtieth|hirty-first))"
                      + r"[ \t]+of[ \t]+" + _MON + r"(?:,?[ \t]+(?P<y>\d{4}))?"),
    "mord": re.compile(_MON + r"[ \t]+(?P<ow>(?i:" + "|".join(
        sorted(ORDINALS, key=len, reverse=True)) + r"))\b(?:,?[ \t]+(?P<y>\d{4}))?"),
    "season": re.compile(r"(?P<s>[WwSsFfAa](?<![^\W\d_][WwSsFfAa])(?i:inter|pring|ummer|all|utumn))"
                         r"(?:[ \t]+of)?[ \t]+"
                         r"(?:(?P<y>(?:19|20)\d\d)|['’](?P<yy>\d\d))\b"),
    # a quarter with its year: "Q3 2022", "Q1 '25", "Q4-2023"
    "quarter": re.compile(r"(?P<q>[Qq](?<![^\W_]Q)(?<![^\W_]q)[1-4])(?:[ \t]+|-|/)"
                          r"(?:(?P<y>(?:19|20)\d\d)|['’](?P<yy>\d\d))\b"),
    # a holiday with its year: "Christmas 2020", "Christmas Eve 2022", "Easter of 2019"
    "hol": re.compile(r"(?P<h>\b(?:(?:Christmas|Xmas|Easter|Thanksgiving|Halloween|Hanukkah|"
                      r"Diwali|Passover|Valentine['’]?s)(?:[ \t]+(?:Eve|Day|Sunday|Monday|weekend))?"
                      r"|(?:(?:Boxing|Independence|Memorial|Labou?r)[ \t]+Day|Ramadan|Eid|Yom[ \t]+Kippur|"
                      r"Rosh[ \t]+Hashanah)(?:[ \t]+weekend)?))(?:[ \t]+of)?,?[ \t]+"
                      r"(?P<y>(?:19|20)\d\d)\b"),
    "yob": re.compile(r"\b(?i:born(?:[ \t]+in)?|b\.|yob|d\.?o\.?b\.?|year[ \t]+of[ \t]+birth|birth[ \t]*year)"
                      r"[ \t]*:?[ \t]*(?P<y>(?:18|19|20)\d\d)\b(?![-/.]\d)"),
}
_OWN = dict(PATTERNS)   # (what find scans: dateforms finds its own)
PATTERNS.update(dateforms.PATTERNS)   # (their fields and render: below)
# Where the digit patterns start (span.starts_at_digits): one or two digits
# and "/", or an ordinal's letters.
starts_at_digits(PATTERNS["md"], lambda n, after: n <= 2 and after == "/")
starts_at_digits(PATTERNS["myn"], lambda n, after: n <= 2 and (after == "/" or after == "-"))
starts_at_digits(PATTERNS["oday"], lambda n, after: n <= 2 and after != "" and after in "snrtSNRT")
NEEDS_DIGIT = frozenset({"md", "myn", "myq", "season", "yob", "mdl", "range", "oday",
                         "quarter", "hol"})
# Dates that name a month and no day: shifted by whole months, at least one,
# so that they never stay as they were.
MONTHLY = frozenset({"mon", "monl", "myq", "myn", "my"}) | dateforms.MONTHLY
# Written as "[DATE]": a day with no month, a range, a year of birth.
PLACEHOLDER = frozenset({"oday", "range", "yob", "hol"})
# Dates that name a season or quarter: shifted by whole ones, at least one.
SEASONAL = frozenset({"season", "quarter"})
# Fractions and scores that look like a month and a day.
_FRACTIONS = frozenset({(1, 2), (1, 3), (1, 4), (1, 8), (2, 3), (3, 4), (3, 8), (5, 8), (7, 8)})
_AGE_WORDS = re.compile(
    r"\b(?i:aged?|age:)[ \t]+(?i:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|"
    r"nine))?|(?:a|one)[ \t]+hundred(?:[ \t]+and[ \t]+\w+)?)\b"
    r"|\b(?i:his|her|their)[ \t]+(?i:(?:early|mid|late)[ \t-]+)?(?i:nineties|hundreds)\b")

# An age over 89 standing alone where an age goes: "Taxpayer is 92;",
# "his mother (91)", "widow, 90 next month", "she is ninety-three".
_AGE_AFTER = (r"(?=[ \t]*[);.,]|[ \t]+(?i:next|this|last|today|now|and|yo|y/o|years?)\b)")
_AGE_ALONE = re.compile(r"(?P<n>[91](?<![\w.,/:$£€-][91])(?<=9)\d|(?<=1)[01]\d)" + _AGE_AFTER)
# "95" is a run of two digits; "101", the last two digits of a run after
# its "1" (the second alternative starts there); either then ")", ";", ".",
# "," or a space.
_AGE_END = frozenset(" \t);.,")
_NOT_BEFORE = frozenset("0123456789$£€/:-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
starts_at_digits(_AGE_ALONE, lambda n, after: n == 2 and after in _AGE_END)
starts_at_digits(_AGE_ALONE, lambda n, after: n >= 3 and after in _AGE_END, last=2)
_AGE_ALONE_WORD = re.compile(
    r"(?P<n>(?i:ninety(?:-(?:one|two|three|four|five|six|seven|eight|nine))?))" + _AGE_AFTER)
_AGE_BEFORE = re.compile(r"(?:\b(?i:is|was|turned|turns|turning|aged?|now)[ \t]+|,[ \t]*|"
                         r"\([ \t]*)\Z")
# An age after these words, whatever follows: "turned 102 on the 19th" (not "almost 95%").
_AGE_TURNED = re.compile(r"\b(?i:turned|turns|turning|nearly|almost)[ \t]+"
                         r"(?P<n>9\d|1[01]\d)(?![\w%]|[.,/:-]\d)")
_TURNED = frozenset({"turned", "turns", "turning", "nearly", "almost"})
starts_at_words(_AGE_TURNED, _TURNED)
_WORD_END, _PAD = re.compile(r"([^\W\d_]+)[ \t]*\Z"), dateforms.pad
KIN = frozenset("mother father mom dad mum grandmother grandfather grandma grandpa aunt "
                 "uncle husband wife widow widower sister brother neighbour neighbor friend "
                 "patient client pt taxpayer resident centenarian nonagenarian".split())
_CUE_BEFORE = re.compile(
    r"\b(?i:since|in|last|next|until|till|by|from|through|thru|early|mid|late|end of|"
    r"beginning of|start of|this|during|before|after|rtc|f/u|around|every|each|past|"
    r"starting)[ \t-]+\Z")
_DAY_BEFORE = re.compile(
    r"\b(?i:the|on|by|until|till|before|after|from|mon|tues?|wed|thu|thurs|fri|sat|sun)"
    r"[a-z]*\.?[ \t]+(?:the[ \t]+)?\Z")

# Cheap tests before the patterns that scan the whole text: a capitalised
# month, a lower-case month or season after a cue, an ordinal word, "'20".
_HINTS = {
    "mon": re.compile(r"[JFMASOND](?<![^\W\d_][JFMASOND])(?:an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec"
                      r"|AN|EB|AR|PR|AY|UN|UL|UG|EP|CT|OV|EC)"),
    "monl": re.compile(r"[jfasond](?<![^\W\d_][jfasond])(?:an|eb|pr|un|ul|ug|ep|ct|ov|ec)"),
    "ord": re.compile(r"(?:st|nd|rd|th|ieth)[ \t]+of[ \t]+[A-Z]"),
    "myq": re.compile(r"['’]\d\d"),
    "mord": re.compile(r"[JFMASOND](?<![^\W\d_][JFMASOND])[a-z]+\.?[ \t]+(?i:first|second|"
                       r"third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                       r"twelfth|\w+teenth|twent|thirt)"),
}

# Words without which a pattern cannot match (in lower case): looked up in
# the note's set of words (span.letter_runs) before the pattern scans it.
_WORDS = {
    "ord": frozenset({"of"}),
    "mord": frozenset(w.split("-")[0] for w in ORDINALS),
    "season": frozenset(c + t for c in "wsfa" for t in ("inter", "pring", "ummer", "all", "utumn")),
    "quarter": frozenset({"q"}),
    "hol": frozenset("christmas xmas easter thanksgiving halloween hanukkah diwali passover "
                     "boxing independence memorial labor labour valentine valentines ramadan eid yom "
                     "rosh".split()),
    "monl": frozenset(c + t for c in "jfasond" for t in (
        "anuary ebruary pril une uly ugust eptember ctober ovember ecember an eb pr un ul ug "
        "ep ept ct ov ec").split()),
}

_OF_CAPITAL = re.compile(r"of[ \t]+[A-Z]")
_YOB = frozenset({"born", "yob", "dob", "birth", "birthyear"})   # ("year of birth" has "birth")
_YOB_B = re.compile(r"[bB]\.[ \t]*:?[ \t]*(?:18|19|20)\d\d")   # "b. 1934", not "Apt 4B."


def _may_have_yob(text: str) -> bool:
    """Whether "yob" may match: one of its words, or "b." ("b. 1934")."""
    runs = letter_runs(text, any_text=True)
    if runs is None:
        return True
    return not _YOB.isdisjoint(runs[1]) or "b" in runs[1] and _YOB_B.search(text) is not None


# A month, spaces, then a day's digits: "march 5" ("mdl": a lower-case word
# with no letter or digit before it) and "Jan 5-6" ("range": _MON, which
# may start inside a word). Tried only where such a month can start before
# a run of digits, instead of at every letter of the windows.
_MONTH_THEN_DAY = frozenset({"mdl", "range"})
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_LETTERS = _LOWER | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_MONTH_FIRST = frozenset("JFMASOND")
_NOT_AFTER_DAY = frozenset("_") | (_LETTERS - frozenset("snrt"))


def _month_starts(text: str, windows: Windows, capital: bool) -> list[int]:
    """Where "mdl" (or with `capital`, "range") can start, in order: before
    each run of one or two digits that the pattern's day can be, past
    spaces or tabs (one at least) and a ".", the first letter of the run of
    letters a-z there; or, for "range", each of its last nine letters (the
    longest month) that can begin a month."""
    out: list[int] = []
    letters = _LETTERS if capital else _LOWER
    ends = {hi for _, hi in windows}   # (a window's end: the pattern sees the text end there)
    for start, stop in digit_runs(text, windows):
        # Both take one or two digits: "range" then "-" or "–"; "mdl" then an ordinal's
        # letter or no other letter (nothing at a window's end: "0 oct 0|jan").
        if stop - start > 2:
            continue
        after = "" if stop in ends else text[stop:stop + 1]
        if (after != "-" and after != "–") if capital else after in _NOT_AFTER_DAY:
            continue
        j = start
        while j and (text[j - 1] == " " or text[j - 1] == "\t"):
            j -= 1
        if j == start:
            continue
        if j and text[j - 1] == ".":
            j -= 1
        end = j
        while j and text[j - 1] in letters:
            j -= 1
        if j == end:
            continue
        if capital:
            out += [p for p in range(max(j, end - 9), end) if text[p] in _MONTH_FIRST]
        else:
            out.append(j)
    return out


def find(text: str, windows: Windows) -> list[Span]:
    out = []
    ages = list(scan(_AGE_ALONE, text, windows))
    if "inety" in text or "INETY" in text:
        ages += _AGE_ALONE_WORD.finditer(text)
    for m in ages:
        start = m.start("n")
        if text[start - 1:start] == "1" and m.end() - start == 2:
            start -= 1   # "101": the run's "1" is the age's too; not "3,100", "$100"
            if text[start - 1:start] in _NOT_BEFORE or text[start - 2:start - 1].isdigit():
                continue
        cue = _AGE_BEFORE.search(text, max(0, start - 10), start)
        if cue is None:
            continue
        if cue.group().startswith("("):
            # "his mother (91)", "Henrietta (92)"; not "room (95)"
            word = _WORD_END.search(text, max(0, cue.start() - 24), cue.start())
            if not word or not (word[1][0].isupper() or word[1].lower() in KIN):
                continue
        out.append(Span(start, m.end("n"), "AGE"))
    if windows and has_word(text, _TURNED, any_text=True):
        out += [Span(m.start("n"), m.end("n"), "AGE") for m in scan(_AGE_TURNED, text, windows)]
    for kind, rx in _OWN.items():
        if kind in NEEDS_DIGIT and not windows:
            continue
        words = _WORDS.get(kind)
        if words is not None and not has_word(text, words, any_text=True):
            continue
        if kind == "yob" and not _may_have_yob(text):
            continue
        if kind == "ord" and _OF_CAPITAL.search(text) is None:
            continue   # (before its hint, which has no literal to look for)
        hint = _HINTS.get(kind)
        if hint is not None and not hint.search(text):
            continue
        found = (at_starts(rx, text, windows, _month_starts(text, windows, kind == "range"))
                 if kind in _MONTH_THEN_DAY else
                 scan(rx, text, windows if kind in NEEDS_DIGIT else None))
        for m in found:
            if fields(kind, m) is None:
                continue
            if kind == "monl" and not _CUE_BEFORE.search(text, max(0, m.start() - 20),
                                                          m.start()):
                continue
            if kind == "oday" and not _DAY_BEFORE.search(text, max(0, m.start() - 16),
                                                         m.start()):
                continue
            if kind == "md":
                before = text[max(0, m.start() - 16):m.start()]
                pair = (int(m["m"]), int(m["d"]))
                if _SCORE_CUE.search(before) or (pair in _FRACTIONS or pair[1] in (10, 100)
                                                 or dateforms.a_grade(text, m, pair)) \
                        and not _DATE_CUE.search(before):
                    continue
            start = m.start("d") if kind == "oday" else m.start()
            out.append(Span(start, m.end(), "DATE:" + kind, m))
    if "inet" in text or "INET" in text or "undred" in text:
        out += [Span(m.start(), m.end(), "AGE") for m in _AGE_WORDS.finditer(text)]
    return out + dateforms.find(text, windows) if windows else out


def fields(kind: str, m: re.Match[str]) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a match, or None when impossible."""
    if kind in dateforms.KINDS:
        return dateforms.fields(kind, m)
    year = None
    if kind in ("md", "myn"):
        month = int(m["m"])
        day = int(m["d"]) if kind == "md" else 15
        if kind == "md" and month > 12 >= day:
            month, day = day, month          # "24/4": day first
    elif kind in PLACEHOLDER:
        month, day = 1, int(m["d"]) if "d" in m.re.groupindex else 1
    elif kind == "season":
        # ("wınter": re reads "ı" as an "i" in (?i), lower() does not)
        month, day = _SEASONS.get(m["s"].lower(), 0), 15
    elif kind in ("yob", "hol", "quarter"):
        month, day = (3 * int(m["q"][1]) - 1, 15) if kind == "quarter" else (7, 1)
    else:
        month = _MONTH_NUMBER.get(m["mon"].lower().rstrip("."), 0)
        if month == 0 and kind == "mdl":
            month = _MONTH_NUMBER.get(m["mon"].lower()[:3], 0)
            if not m["mon"].lower().startswith(MONTHS[month - 1][:len(m["mon"])]) \
                    and m["mon"].lower() != "sept":
                return None
        if kind in ("ord", "mord") and m["ow"].lower() not in ORDINALS:
            return None
        day = (15 if kind in ("mon", "monl", "myq") else int(m["d"]) if kind == "mdl"
               else ORDINALS.index(m["ow"].lower()) + 1)
    if "y" in m.re.groupindex and m["y"]:
        year = int(m["y"])
    elif "yy" in m.re.groupindex and m["yy"]:
        year = int(m["yy"]) + (2000 if int(m["yy"]) < 70 else 1900)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        datetime.date(2000 if year is None else year, month, day)
    except ValueError:
        return None
    return year, month, day


def shift(kind: str, year: int | None, month: int, day: int, offset: int) -> datetime.date:
    """The date moved by `offset` days, or by whole months (at least one)
    for a date that names no day."""
    base = datetime.date(2000 if year is None else year, month, day)
    if kind in SEASONAL and offset:
        # by whole seasons: "autumn 2023" moved 20 days back is still autumn 2023
        months = 3 * max(1, round(abs(offset) / 91.3)) * (1 if offset > 0 else -1)
        total = base.year * 12 + base.month - 1 + months
        return datetime.date(total // 12, total % 12 + 1, 15)
    if kind not in MONTHLY or offset == 0:
        return base + datetime.timedelta(days=offset)
    months = max(1, round(abs(offset) / 30.44)) * (1 if offset > 0 else -1)
    total = base.year * 12 + base.month - 1 + months
    return datetime.date(total // 12, total % 12 + 1, 15)


def render(kind: str, m: re.Match[str], new: datetime.date) -> str:
    """The shifted date written in the match's own form."""
    if kind in dateforms.KINDS:
        return dateforms.render(kind, m, new)
    text = m.group()
    if kind in PLACEHOLDER:
        if kind == "oday":
            return "[DATE]"   # the span starts at the day
        first = "y" if kind in ("yob", "hol") else "mon"
        return text[:m.start(first) - m.start()] + "[DATE]"
    if kind == "md":
        one, two = (new.day, new.month) if int(m["m"]) > 12 else (new.month, new.day)
        return f"{_PAD(one, m['m'])}/{_PAD(two, m['d'])}"
    if kind == "quarter":
        rest = text[m.end("q") - m.start():m.start("y" if m["y"] else "yy") - m.start()]
        written = str(new.year) if m["y"] else f"{new.year % 100:02d}"
        return f"{m['q'][0]}{(new.month - 1) // 3 + 1}{rest}{written}"
    if kind == "myn":
        month = f"{new.month:02d}" if len(m["m"]) == 2 else str(new.month)
        return f"{month}{m['sep']}{new.year:04d}"
    if kind == "season":
        season = next(s for s, start in _SEASONS.items() if new.month in range(start, start + 3)
                      or s == "winter" and new.month == 12)
        season = season.capitalize() if m["s"][0].isupper() else season
        if m["s"].lower() == "autumn" and season.lower() == "fall":
            season = "Autumn" if m["s"][0].isupper() else "autumn"
        year = new.year if not (new.month == 12 and season.lower() == "winter") else new.year + 1
        rest = text[m.end("s") - m.start():m.start("y" if m["y"] else "yy") - m.start()]
        return season + rest + (str(year) if m["y"] else f"{year % 100:02d}")
    out = []
    pos = 0
    groups = {"mon": _month(new.month, m["mon"])}
    if kind in ("ord", "mord"):
        word = ORDINALS[new.day - 1]
        groups["ow"] = word.capitalize() if m["ow"][0].isupper() else word
    if kind == "mdl":
        groups["d"] = _PAD(new.day, m["d"])
        if m["ord"]:
            groups["ord"] = "th" if 11 <= new.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(
                new.day % 10, "th")
    if "y" in m.re.groupindex and m["y"]:
        groups["y"] = f"{new.year:04d}"
    if "yy" in m.re.groupindex and m["yy"]:
        groups["yy"] = f"{new.year % 100:02d}"
    for name, value in sorted(groups.items(), key=lambda g: m.start(g[0])):
        start, end = m.start(name) - m.start(), m.end(name) - m.start()
        out += [text[pos:start], value]
        pos = end
    return "".join(out) + text[pos:]


def _month(month: int, like: str) -> str:
    full = MONTHS[month - 1].capitalize()
    name = full if len(like) > 4 or like.lower() in ("june", "july", "may") else full[:3]
    if like.islower():
        return name.lower()
    return name.upper() if like.isupper() and len(like) > 1 else name
