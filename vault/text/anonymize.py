"""The anonymization engine behind `vault export-anonymized`: plaintext in,
anonymized plaintext out. Pure: no I/O (but for reading the packaged word
list), no crypto, no CLI.

Known people's names become their pseudonym (or "[PERSON]" for the people
around a client); personal data the detectors recognise becomes a typed
placeholder such as "[PHONE]"; dates are shifted by the client's offset,
reduced to the year, or kept. See docs/anonymization.md for what it finds
and what it misses.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from . import detect, initials, levers, lexicon, residual, strict as strict_mode, when
from .names import NameIndex

PLACEHOLDER_TYPES: tuple[str, ...] = (
    "NAME", "PERSON", "EMAIL", "PHONE", "SSN", "CARD", "IBAN", "IP", "URL",
    "ADDRESS", "POSTCODE", "DATE", "AGE", "ID", "ORG", "PLACE", "REDACTED")
DATE_MODES = ("shift", "year", "keep")
# Regions that write the month first in numeric dates ("03/05/2024" is March).
_MONTH_FIRST = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
_PRIORITY = {kind: i for i, kind in enumerate(detect.PRIORITY)}
_PRIORITY.update({"DATE:" + kind: _PRIORITY["DATE"]
                  for kind in (*detect.DATE_PATTERNS, *when.PATTERNS)})
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Person:
    names: tuple[str, ...]   # full names and aliases that all mean this person
    replacement: str         # "Client-7F3A", or "[PERSON]" for people around a client


class Anonymizer:
    """Anonymizes the notes of one export. `counts` and `suspects()` add up
    over every `text()` call."""

    def __init__(self, people: Iterable[Person], *, dates: str = "shift",
                 region: str = "US", strict: bool = False, keep: Iterable[str] = (),
                 also: Iterable[str] = ()) -> None:
        """`strict`: also replace every capitalised word and code that is not
        in the vocabulary. `keep`: words the detectors must leave (a
        reviewer's released false alarms; never a known person's name).
        `also`: words to replace wherever they stand."""
        import phonenumbers  # lazy: a large module
        if dates not in DATE_MODES:
            raise ValueError(f"dates must be one of {', '.join(DATE_MODES)}")
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("unknown region (expected an ISO 3166 country code like US)")
        self.dates = dates
        self.region = region
        self.strict = strict
        self._keep = levers.folded_words(set(keep))
        self._also = levers.also_pattern(tuple(also))
        self._regions = tuple(dict.fromkeys((region, *detect.PHONE_REGIONS)))
        self._month_first = region in _MONTH_FIRST
        self._names = NameIndex(((p.names, p.replacement) for p in people), _dictionary())
        self.counts: Counter[str] = Counter()
        self._left: Counter[str] = Counter()
        # Outputs not yet read for the report: it is built when asked for
        # (last_candidates, suspects()), so text() alone does not pay for it.
        self._unread: list[str] = []
        self._last: tuple[str, list[residual.Candidate]] | None = None

    def text(self, text: str, *, day_offset: int = 0, client: Person | None = None) -> str:
        """The anonymized text. `day_offset` is this client's date shift in
        days, used only when dates == "shift". `client`: the person whose
        note it is (one of `people`): their initial alone is their name here
        ("S rang re the dispute"). `last_candidates` then holds what the
        residual-risk report lists in it."""
        spans = detect.find_all(text, self._regions, self._month_first)
        spans += levers.also_spans(text, self._also)
        if self.strict:
            spans += strict_mode.strict_spans(text)
        names = self._names.find(text)
        if client is not None:
            names += initials.find(text, client.names, client.replacement)
        if names:
            at = [(m.start, m.end) for m in names]
            # (a handle that is a registered name run together, "@janedoe",
            # is the name's: it gets the pseudonym, not [ID])
            named = set(at)
            spans = _around([f for f in spans if f.kind != "ID" or (f.start, f.end) not in named],
                            at, text)
        keep = self._keep   # (kept() is False for every span without --keep)
        found: list[tuple[int, int, int, int, str, object]] = [
            (f.start, f.start - f.end, _PRIORITY[f.kind], f.end, f.kind,
             f.match and (f.match, text[f.start:f.match.start()]))
            for f in spans if not keep or f.kind == "REDACTED" or not levers.kept(text, f, keep)]
        found += [(m.start, m.start - m.end, _PRIORITY["NAME"], m.end, "NAME", m.replacement)
                  for m in names]
        out = self._apply(text, found, day_offset) if found else text
        self._unread.append(out)
        return out

    @property
    def last_candidates(self) -> list[residual.Candidate]:
        """What the residual-risk report lists in the last text() output."""
        if not self._unread:
            return [] if self._last is None else self._last[1]
        self._read()
        assert self._last is not None
        return self._last[1]

    def _read(self) -> None:
        for out in self._unread:
            found = [c for c in residual.candidates(out, self._names.parts)
                     if residual.key(c.word) not in self._keep]
            self._left.update(c.word for c in found)
            self._last = (out, found)
        self._unread.clear()

    def _apply(self, text: str, found: list, day_offset: int) -> str:
        found.sort(key=lambda f: f[:3])
        out: list[str] = []
        pos = 0
        for start, _, _, end, kind, data in found:
            if start < pos:
                # Overlaps a span already replaced: earliest, then longest
                # wins, and what sticks out of it goes too, so that nothing a
                # detector found is left in pieces.
                pos = max(pos, end)
                continue
            replacement = self._replacement(kind, data, day_offset)
            if replacement is None:
                continue
            out.append(text[pos:start])
            out.append(replacement)
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _replacement(self, kind: str, data: object, day_offset: int) -> str | None:
        if kind == "NAME":
            assert isinstance(data, str)
            self.counts["PERSON" if data == "[PERSON]" else "NAME"] += 1
            return data
        if kind.startswith("DATE:"):
            if self.dates == "keep":
                return None
            assert isinstance(data, tuple)
            self.counts["DATE"] += 1
            m, weekday = data
            return self._render_date(kind[5:], m, weekday, day_offset)
        kind = "ID" if kind == "BAREID" else kind
        self.counts[kind] += 1
        if kind == "REDACTED":
            return "[REDACTED]"
        return f"[{kind}]"

    def date(self, when: datetime.datetime, *, day_offset: int = 0) -> str:
        """A note's own date: shifted by day_offset, reduced to the year, or kept."""
        if self.dates == "year":
            return f"{when.year:04d}"
        if self.dates == "shift":
            when = when + datetime.timedelta(days=day_offset)
        return when.date().isoformat()

    def _render_date(self, kind: str, m: re.Match[str], weekday: str, day_offset: int) -> str:
        """The date shifted and written as it was; `weekday` is the text
        before the match naming the day ("Tuesday, "), rewritten to match."""
        fields = (when.fields(kind, m) if kind in when.PATTERNS
                  else detect.date_fields(kind, m, self._month_first))
        assert fields is not None   # detect only reports dates that parse
        year, month, day = fields
        if self.dates == "year":
            return "[DATE]" if year is None else f"{year:04d}"
        if weekday and year is None:
            return "[DATE]"   # the weekday would give the real year away
        try:
            # A date without a year is shifted within a leap year, so that
            # "Feb 29" still exists.
            new = when.shift(kind, year, month, day, day_offset)
        except (ValueError, OverflowError):
            return "[DATE]"    # "Feb 30", or shifted out of range
        if weekday:
            day_name = _WEEKDAYS[new.weekday()]
            first = re.match(r"\w+", weekday)
            assert first is not None   # (the text before the date starts with the day)
            word = first.group()
            weekday = (day_name if len(word) > 4 else day_name[:3]) + weekday[len(word):]
        if kind in when.PATTERNS:
            return weekday + when.render(kind, m, new)
        return weekday + _render(kind, m, new, self._month_first)

    def suspects(self, limit: int | None = None) -> list[tuple[str, int]]:
        """What the residual-risk report lists, over every text so far: words
        left in the anonymized texts that may be names, places or codes
        (see `residual.candidates`). Most frequent first."""
        self._read()
        return sorted(self._left.items(), key=lambda wc: (-wc[1], wc[0]))[:limit]


_WORD_KINDS = frozenset({"PERSON", "PLACE", "ORG", "REDACTED"})


def _around(spans: list, names: list[tuple[int, int]], text: str) -> list:
    """Spans of people, places and organisations found by context, less the
    known names inside them: "Karen Jennings" with Jennings a client is
    "Karen" (a [PERSON]) and Jennings (the client's pseudonym)."""
    out = []
    # Whether a span overlaps a name: some name starting before the span's
    # end ends after its start (the names sorted by start; the latest end
    # among those that start before each point).
    names = sorted(names)
    starts = [a for a, _ in names]
    latest = list(accumulate((b for _, b in names), max))
    for s in spans:
        if s.kind not in _WORD_KINDS:
            out.append(s)
            continue
        i = bisect_left(starts, s.end)
        if not i or latest[i - 1] <= s.start:
            out.append(s)
            continue
        pos = s.start
        # (only names[k:i] can overlap: the others end by s.start, as
        # `latest` says, or start at its end or after)
        for a, b in names[bisect_right(latest, s.start, 0, i):i]:
            if b <= pos or a >= s.end:
                continue
            if any(c.isalnum() for c in text[pos:a]):
                out.append(_trimmed(text, pos, a, s.kind))
            pos = max(pos, b)
        if pos < s.end and any(c.isalnum() for c in text[pos:s.end]):
            out.append(_trimmed(text, pos, s.end, s.kind))
    return out


def _trimmed(text: str, start: int, end: int, kind: str) -> detect.Span:
    """The piece of a span beside a name, without the spaces between them:
    "Marcus Reyes" with Reyes a client is "[PERSON] Client-0001", not
    "[PERSON]Client-0001"."""
    while text[start].isspace():
        start += 1
    while text[end - 1].isspace():
        end -= 1
    return detect.Span(start, end, kind)


def _dictionary() -> frozenset[str]:
    """The packaged English word list, read on first use (lexicon.dictionary)."""
    return lexicon.dictionary()


# -- rendering a shifted date in its original format ----------------------------------

def _render(kind: str, m: re.Match[str], new: datetime.date, month_first: bool) -> str:
    groups: dict[str, str] = {}
    if kind == "iso":
        groups = {"y": f"{new.year:04d}", "m": _pad(new.month, m["m"], True),
                  "d": _pad(new.day, m["d"], True)}
    elif kind == "num":
        a, b = int(m["a"]), int(m["b"])
        month_is_a = month_first and m["sep"] != "." and a <= 12 or b > 12
        groups = {"a": _pad(new.month if month_is_a else new.day, m["a"], True),
                  "b": _pad(new.day if month_is_a else new.month, m["b"], True),
                  "y": f"{new.year % 100:02d}" if len(m["y"]) == 2 else f"{new.year:04d}"}
    else:
        groups["mon"] = _month_name(new.month, m["mon"])
        if m["y"]:
            groups["y"] = f"{new.year % 100:02d}" if len(m["y"]) == 2 else f"{new.year:04d}"
        if kind != "my":
            groups["d"] = _pad(new.day, m["d"], False)
            if m["ord"]:
                groups["ord"] = _ordinal(new.day)
    text, base, pieces, pos = m.group(), m.start(), [], 0
    for name, value in sorted(groups.items(), key=lambda g: m.start(g[0])):
        start, end = m.start(name) - base, m.end(name) - base
        pieces += [text[pos:start], value]
        pos = end
    return "".join(pieces) + text[pos:]


def _pad(value: int, like: str, numeric: bool) -> str:
    """Zero-padded if the original was: "03/18" pads, "Feb 14th" does not."""
    padded = like.startswith("0") or numeric and len(like) == 2
    return f"{value:02d}" if padded else str(value)


def _ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _month_name(month: int, like: str) -> str:
    full = detect.MONTHS[month - 1].capitalize()
    if len(like) > 4 or like == "June" or like == "July" or like == "May":
        name = full
    elif like == "Sept" and month == 9:
        name = "Sept"
    else:
        name = full[:3]
    return name.upper() if like.isupper() else name
