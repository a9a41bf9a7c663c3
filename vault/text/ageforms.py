"""Ages over 89 in the shorthand and prose the other age rules (detect.py,
when.py) do not read (issue 14, tenth session): a sex before the age
(`F/93`, `Sex/Age: F/92`, `Pt: M 93`), a sex glued to `yo` or after `y`
(`93 yoM`, `94y F`), a relative right before the age (`Mother 93 in care
home`), the age someone will be or has reached (`She'll be 100 in June`,
`He will be 90`), `at the age of 95`, `Age at death: 96`, `91 years
young`. Only a run of two or three digits from 90 to 119 is looked at
(few in a note: a blood pressure, a rate), the words before it and after
it read by patterns anchored there. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from .lexicon import is_ordinary, key
from .span import Span, Windows, all_digit_runs
from .when import KIN

# Not a measurement, a rate, a score or a part of a longer number after it.
_NOT_UNIT = re.compile(r"(?![\w%°]|[.,/:-]\d|[ \t]*(?:%|°|/|(?i:percent|per|kg|kgs|lbs?|pounds?|mg|"
                       r"mcg|ml|minutes?|mins?|hours?|hrs|days?|weeks?|months?|miles?|dollars?|bpm|"
                       r"mmhg|units?|points?|degrees?|times|pages?|steps?|percentile|centile)\b))")
# (what may not stand right before the number: "1.93", "$95", "3-93", "x93")
_NOT_BEFORE = frozenset("0123456789.,/:$£€-_") | frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

_KIN_WORDS = sorted(KIN - {"pt", "patient", "client", "taxpayer", "centenarian", "nonagenarian"})
# The words before the age, each pattern ending where the number starts:
# "F/93", "Sex/Age: F/92", "Pt: M 93" (a sex after a label, a line's start
# or a bracket); "Mother 93 in care home"; "reached 95"; "at the age of
# 95", "age at death: 96", "Age at interview: 93"; "She'll be 100 in June", "he will be 90".
_BEFORE = re.compile(
    r"(?P<sex>(?:(?i:sex|gender|pt|patient|age)[ \t]*[:/,]?[ \t]*|^[ \t]*|[(,][ \t]*)"
    r"[MFmf](?:/|[ \t]+(?P<spaced>)))"
    r"|\b(?i:" + "|".join(_KIN_WORDS) + r")[ \t]+"
    r"|\b(?i:reached|reaches|reaching)[ \t]+(?:the[ \t]+age[ \t]+of[ \t]+)?"
    r"|\b(?i:age)[ \t]+(?i:of|(?:at|on)[ \t]+(?:the[ \t]+)?[a-z]+(?:[ \t]+(?:of[ \t]+)?[a-z]+)?)"
    r"[ \t]*[:=-]?[ \t]*"
    r"|(?P<who>\b[A-Za-z]+)(?:(?:'|’)ll|[ \t]+will)[ \t]+be[ \t]+", re.M)
_BEFORE_END = re.compile(f"(?:{_BEFORE.pattern})\\Z", re.M)
# "Pt: M 93" only when the age ends its clause
_CLAUSE_END = re.compile(r"[ \t]*(?:$|[,;)])", re.M)
_WHO = KIN | {"he", "she", "they", "who", "i", "you", "we"}
# After the age: "93 yoM", "94y F", "90 yo/F"; "91 years young"; "95 at death".
_AFTER = re.compile(r"(?P<sex>[ \t]?(?:y\.?o\.?|yrs?|y)[ \t/]?[MF]\b(?![.'’/-]?\w))"
                    r"|[ \t]+(?i:years?|yrs?)[ \t]+(?i:young)\b"
                    r"|[ \t]+(?i:at[ \t]+(?:(?:the[ \t]+)?time[ \t]+of[ \t]+)?death)\b")
# "ninety nine", "ninety-one" after a verb of being or turning, whatever
# follows ("He turns ninety-one in August"; when.py reads "is ninety-one.")
_NINETY = re.compile(r"\b(?i:is|was|aged?|turned|turns|turning|now|be)[ \t]+(?P<n>(?i:ninety)[ \t-]+"
                     r"(?i:one|two|three|four|five|six|seven|eight|nine))\b")
# A possessive before an ordinal from 90th: a birthday, with "birthday" or
# without ("Gran's 95th is next week", "for his 90th party"); not a
# percentile or a place in a list ("her 95th centile", "their 90th visit").
_OWNER = re.compile(r"(?:\b(?i:his|her|their|my|your)|[^\W\d_](?:'|’)s)[ \t]+\Z")
_ORDINAL_AFTER = re.compile(r"(?i:th|st|nd|rd)\b(?![ \t]+(?i:percentile|centile|visit|session|"
                            r"appointment|time|day|week|attempt|lesson|meeting|hour|minute|place)s?\b)")


def find(text: str, windows: Windows) -> list[Span]:
    """AGE spans of ages over 89 in the forms above."""
    out = []
    if "inety " in text or "INETY " in text or "inety-" in text or "INETY-" in text:
        out += [Span(m.start("n"), m.end("n"), "AGE") for m in _NINETY.finditer(text)]
    if not windows:
        return out
    for a, b in all_digit_runs(text):
        if b - a not in (2, 3) or text[a] not in "91" or not 90 <= int(text[a:b]) <= 119:
            continue
        if _ORDINAL_AFTER.match(text, b) and _OWNER.search(text, max(0, a - 24), a):
            out.append(Span(a, b + 2, "AGE"))   # ("her 96th")
            continue
        glued = a > 0 and text[a - 1] in _NOT_BEFORE   # (a "/" only after a sex)
        if not glued and _AFTER.match(text, b) is not None:
            out.append(Span(a, b, "AGE"))
            continue
        m = _BEFORE_END.search(text, max(0, a - 40), a)
        if m is None or _NOT_UNIT.match(text, b) is None or glued and (
                m["sex"] is None or text[a - 1] != "/"):
            continue
        if m["spaced"] is not None and _CLAUSE_END.match(text, b) is None:
            continue
        who = m["who"]
        if who is not None and not (who.lower() in _WHO or who[0].isupper() and who[1:].islower()
                                    and not is_ordinary(key(who))):
            continue
        out.append(Span(a, b, "AGE"))
    return out
