"""The rules for what a user types: names, tags, note text and their limits,
the one way names are compared, and the one duration grammar.

Base layer: imports nothing of the vault's but errors. Every layer above
checks typed input here, so a rule is written once and means the same in
`add`, `import`, the sealed inbox and the agent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .errors import UsageError
from .models import KDF_MAX_ITERATIONS, KDF_MAX_MEMORY_KIB

MAX_NAME_CHARS = 200
MAX_TAG_CHARS = 100
MAX_NOTE_BYTES = 64 * 1024 * 1024
# Bidirectional-override and other invisible format characters can make a
# name or tag display as something it is not.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


# -- names, tags and note text -----------------------------------------------

def _check_label(value: str, what: str, limit: int) -> str:
    value = " ".join(value.split())
    if not value:
        raise UsageError(f"{what} is empty")
    if len(value) > limit:
        raise UsageError(f"{what} is longer than {limit} characters")
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in value):
        raise UsageError(f"{what} contains control or invisible characters")
    return value


def check_name(name: str, what: str = "the client name") -> str:
    return _check_label(name, what, MAX_NAME_CHARS)


def check_tags(tags: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:
        seen.setdefault(_check_label(tag, "a tag", MAX_TAG_CHARS), None)
    return tuple(seen)


def decode_text(data: bytes) -> str:
    """Note text from stdin or a file: strict UTF-8, never guessed."""
    if len(data) > MAX_NOTE_BYTES:
        raise UsageError(f"the note is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"the note is not valid UTF-8 (bad byte at offset {e.start})",
                         hint="convert it first, e.g. `iconv -f latin1 -t utf-8`") from None
    return check_text(text)


def check_text(text: str) -> str:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise UsageError("the note is not valid UTF-8") from None
    if size > MAX_NOTE_BYTES:
        raise UsageError(f"the note is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB")
    if not text.strip():
        raise UsageError("the note is empty; nothing was added")
    return text


# -- key-derivation options ----------------------------------------------------

def check_kdf_options(memory_mib: int | None, iterations: int | None) -> None:
    """`--kdf-memory` and `--kdf-iterations` within what a vault may ask for."""
    if memory_mib is not None and not 1 <= memory_mib <= KDF_MAX_MEMORY_KIB // 1024:
        raise UsageError(f"--kdf-memory must be between 1 and {KDF_MAX_MEMORY_KIB // 1024} MiB")
    if iterations is not None and not 1 <= iterations <= KDF_MAX_ITERATIONS:
        raise UsageError(f"--kdf-iterations must be between 1 and {KDF_MAX_ITERATIONS}")


# -- the one way names and words are compared ---------------------------------
#
# Case- and accent-insensitive, folding Unicode compatibility forms: each
# character goes through NFKD, casefold and NFKD again, and combining marks
# are dropped, so "José", "JOSE", "Jose\u0301" and fullwidth "Ｊｏｓｅ" all
# become "jose", and "ﬁ" becomes "fi". Client lookup, "did you mean",
# aliases, `search` and the anonymizer all compare in this form.

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_char_cache: dict[str, str] = {}


def fold_char(c: str) -> str:
    out = _char_cache.get(c)
    if out is None:
        s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", c).casefold())
        out = "".join(ch for ch in s if not unicodedata.combining(ch))
        _char_cache[c] = out
    return out


def fold(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, unless the text is ASCII (where folding is
    lower() and keeps every offset), each folded character's index in the
    original: folding can change a text's length."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        parts.append(text[pos:m.start()].lower())
        where.extend(range(pos, m.start()))
        n = fold_char(m.group())
        parts.append(n)
        where.extend([m.start()] * len(n))
        pos = m.end()
    parts.append(text[pos:].lower())
    where.extend(range(pos, len(text)))
    return "".join(parts), where


def normalise_name(name: str) -> str:
    """The form in which two names are the same name: folded as above, with
    runs of white space collapsed to one space."""
    return " ".join(fold(name)[0].split())


# -- durations ------------------------------------------------------------------
#
# One grammar for every option that takes a span of time: one or more parts,
# each a number and a unit, e.g. `90s`, `15min`, `1h30m`, `7y`, `18mo`, `2w`.
#   s, sec: seconds   min: minutes   h: hours   d: days   w: weeks
#   mo: months        y: years
#   m: minutes in a clock duration (`unlock --timeout`), months in a calendar
#      one (`close --retain`), as each option has always read it.
# A clock duration takes s, min, h and d; a calendar one takes d, w, mo and y.

_DURATION_PART = re.compile(r"([0-9]{1,6})(sec|min|mo|[smhdwy])")
_CLOCK_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
MAX_CALENDAR_DAYS = 100 * 366   # the largest number in one part of a calendar duration
_CALENDAR = {"d": (0, 1), "w": (0, 7), "m": (1, 0), "mo": (1, 0), "y": (12, 0)}


@dataclass(frozen=True)
class Duration:
    months: int = 0
    days: int = 0
    seconds: int = 0


def parse_duration(text: str, *, calendar: bool) -> Duration | None:
    """The duration, or None if `text` does not follow the grammar for its
    kind (the caller says what the option takes). Each unit at most once."""
    text = text.strip().lower()
    units = _CALENDAR if calendar else _CLOCK_SECONDS
    pos, seen = 0, set()
    months = days = seconds = 0
    for m in _DURATION_PART.finditer(text):
        unit = m.group(2)
        canonical = {"sec": "s", "min": "m" if not calendar else "min",
                     "mo": "m" if calendar else "mo"}.get(unit, unit)
        if m.start() != pos or unit not in units or canonical in seen:
            return None
        seen.add(canonical)
        pos = m.end()
        n = int(m.group(1))
        if calendar and not n <= MAX_CALENDAR_DAYS:
            return None
        if calendar:
            mo, d = _CALENDAR[unit]
            months, days = months + n * mo, days + n * d
        else:
            seconds += n * _CLOCK_SECONDS[unit]
    if pos == 0 or pos != len(text):
        return None
    return Duration(months, days, seconds)


def clock_seconds(text: str, option: str, low: int, high: int) -> int:
    """A clock duration in seconds, between low and high inclusive."""
    d = parse_duration(text, calendar=False)
    if d is None:
        raise UsageError(f"{option} takes a duration such as 15m, 1h or 90s")
    if not low <= d.seconds <= high:
        raise UsageError(f"{option} must be between {_short(low)} and {_short(high)}")
    return d.seconds


def _short(seconds: int) -> str:
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def calendar_date(text: str, option: str, today: date) -> date:
    """`today` plus a calendar duration (`7y`, `18m`, `90d`). A day that the
    target month lacks (29 February + 1 year, 31 January + 1 month) rounds
    up to the 1st of the next month, so a legal minimum is never cut short."""
    d = parse_duration(text, calendar=True)
    if d is None or d.months == d.days == 0:
        raise UsageError(f"{option} takes a duration such as 7y, 18m or 90d")
    months = today.month - 1 + d.months
    year, month = today.year + months // 12, months % 12 + 1
    if year > 9999:
        raise UsageError(f"{option} reaches past the year 9999")
    try:
        moved = date(year, month, today.day)
    except ValueError:
        moved = date(year + month // 12, month % 12 + 1, 1)
    try:
        return date.fromordinal(moved.toordinal() + d.days)
    except (ValueError, OverflowError):
        raise UsageError(f"{option} reaches past the year 9999") from None
