"""The date and age forms that `detect`'s full-date patterns leave: a month
and day ("11/05", "on 3/4"), a month and year ("3/2024", "Jan '20"), a month
name alone after since/in/last/next ("RTC Jan", "since March"), ordinal
words ("the third of July", "July third"), seasons with a year ("summer
2019"), years of birth ("born 1934") and ages over 89 in words ("aged
ninety-three", "in her nineties"). Each date keeps its match so the export
can shift it and write it back in its own form. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime
import re

from .span import Span, Windows, scan

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
_SCORE_CUE = re.compile(r"(?i:rated?|rating|score[sd]?|pain|mood|anxiety|scale|level|"
                        r"sleep|energy|stress|craving|urge|out of|bp|x|of|apgars?|ratio|split)\s*:?\s*$")

PATTERNS = {
    "md": re.compile(r"(?P<m>\d(?<![\w./:,-]\d)\d?)/(?P<d>\d{1,2})(?![\w/]|[.,:]\d|\s*(?:mg|mcg|ml))"),
    "myn": re.compile(r"(?P<m>\d(?<![\w./:-]\d)\d?)/(?P<y>(?:19|20)\d\d)(?![\w/]|[.,]\d)"),
    "mon": re.compile(
        r"\b(?P<cue>(?i:since|in|last|next|until|till|by|from|through|thru|early|mid|late|"
        r"end of|beginning of|start of|this|during|before|after|rtc|f/u|around|every|"
        r"each|past|starting|of))[ \t]+" + _MON + r"(?![ \t]*(?:\d|'\d))"),
    "myq": re.compile(_MON + r"[ \t]+['’](?P<yy>\d\d)\b"),
    "ord": re.compile(r"\b(?i:the[ \t]+)?" + _ORDW.replace("(?P<ow>", "(?P<ow>(?i:") + ")"
                      + r"[ \t]+of[ \t]+" + _MON + r"(?:,?[ \t]+(?P<y>\d{4}))?"),
    "mord": re.compile(_MON + r"[ \t]+(?P<ow>(?i:" + "|".join(
        sorted(ORDINALS, key=len, reverse=True)) + r"))\b(?:,?[ \t]+(?P<y>\d{4}))?"),
    "season": re.compile(r"\b(?P<s>(?i:winter|spring|summer|fall|autumn))(?:[ \t]+of)?[ \t]+"
                         r"(?:(?P<y>(?:19|20)\d\d)|['’](?P<yy>\d\d))\b"),
    "yob": re.compile(r"\b(?i:born(?:[ \t]+in)?|b\.|yob|year[ \t]+of[ \t]+birth|birth[ \t]*year)"
                      r"[ \t]*:?[ \t]*(?P<y>(?:18|19|20)\d\d)\b"),
}
NEEDS_DIGIT = frozenset({"md", "myn", "myq", "season", "yob"})
_AGE_WORDS = re.compile(
    r"\b(?i:aged?|age:)[ \t]+(?i:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|"
    r"nine))?|(?:a|one)[ \t]+hundred(?:[ \t]+and[ \t]+\w+)?)\b"
    r"|\b(?i:his|her|their)[ \t]+(?i:(?:early|mid|late)[ \t-]+)?(?i:nineties|hundreds)\b")


def find(text: str, windows: Windows) -> list[Span]:
    out = []
    for kind, rx in PATTERNS.items():
        for m in scan(rx, text, windows if kind in NEEDS_DIGIT else None):
            if fields(kind, m) is None:
                continue
            if kind == "md":
                before = text[max(0, m.start() - 16):m.start()]
                day = int(m["d"])
                if _SCORE_CUE.search(before) or (day <= 4 or day == 10) and not \
                        _DATE_CUE.search(before):
                    continue
            out.append(Span(m.start(), m.end(), "DATE:" + kind, m))
    if "inet" in text or "INET" in text or "undred" in text:
        out += [Span(m.start(), m.end(), "AGE") for m in _AGE_WORDS.finditer(text)]
    return out


def fields(kind: str, m: re.Match[str]) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a match, or None when impossible."""
    year = None
    if kind in ("md", "myn"):
        month = int(m["m"])
        day = int(m["d"]) if kind == "md" else 15
    elif kind == "season":
        month, day = _SEASONS[m["s"].lower()], 15
    elif kind == "yob":
        month, day = 7, 1
    else:
        month = _MONTH_NUMBER.get(m["mon"].lower(), 0)
        day = 15 if kind in ("mon", "myq") else ORDINALS.index(m["ow"].lower()) + 1
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


def render(kind: str, m: re.Match[str], new: datetime.date) -> str:
    """The shifted date written in the match's own form."""
    text = m.group()
    if kind == "md":
        month = f"{new.month:02d}" if len(m["m"]) == 2 else str(new.month)
        day = f"{new.day:02d}" if len(m["d"]) == 2 else str(new.day)
        return f"{month}/{day}"
    if kind == "myn":
        month = f"{new.month:02d}" if len(m["m"]) == 2 else str(new.month)
        return f"{month}/{new.year:04d}"
    if kind == "season":
        season = next(s for s, start in _SEASONS.items() if new.month in range(start, start + 3)
                      or s == "winter" and new.month == 12)
        season = season.capitalize() if m["s"][0].isupper() else season
        if m["s"].lower() == "autumn" and season.lower() == "fall":
            season = "Autumn" if m["s"][0].isupper() else "autumn"
        year = new.year if not (new.month == 12 and season.lower() == "winter") else new.year + 1
        rest = text[m.end("s") - m.start():m.start("y" if m["y"] else "yy") - m.start()]
        return season + rest + (str(year) if m["y"] else f"{year % 100:02d}")
    if kind == "yob":
        return text[:m.start("y") - m.start()] + f"{new.year:04d}"
    out = []
    pos = 0
    groups = {"mon": _month(new.month, m["mon"])}
    if kind in ("ord", "mord"):
        word = ORDINALS[new.day - 1]
        groups["ow"] = word.capitalize() if m["ow"][0].isupper() else word
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
    name = full if len(like) > 4 or like in ("June", "July", "May") else full[:3]
    return name.upper() if like.isupper() and len(like) > 1 else name
