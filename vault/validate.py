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
from datetime import date, datetime, timedelta, timezone

from .errors import UsageError
from .models import KDF_MAX_ITERATIONS, KDF_MAX_MEMORY_KIB

MAX_NAME_CHARS = 200
MAX_TAG_CHARS = 100
MAX_DISCLOSURE_CHARS = 200   # an export's --recipient and --purpose
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


def check_disclosure(value: str | None, what: str) -> str | None:
    """The recipient or purpose of a disclosure (`export --recipient`,
    `--purpose`): free text checked like a name; None when not given or blank."""
    if value is None or not value.strip():
        return None
    return _check_label(value, what, MAX_DISCLOSURE_CHARS)


def check_tags(tags: list[str]) -> tuple[str, ...]:
    """Each tag checked; tags that compare equal (any case or accents) kept
    once, as first written."""
    seen: dict[str, str] = {}
    for tag in tags:
        label = _check_label(tag, "a tag", MAX_TAG_CHARS)
        seen.setdefault(normalise_name(label), label)
    return tuple(seen.values())


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


# -- names that look alike ---------------------------------------------------
#
# Letters of other scripts drawn like Latin ones (the common cases of
# Unicode's confusables.txt), so that "Jаne Doe" with a Cyrillic "а" is seen
# to look like "Jane Doe". Capitals are mapped before case folding: Cyrillic
# "В" looks like "B", its small "в" does not.

_LOOKALIKES = str.maketrans({
    **dict(zip("АВЕЅІЈКМНОРСТХУҮԚԜӀаеорсухіјѕԁһӏԛԝү",
               "ABESIJKMHOPCTXYYQWIaeopcyxijsdhlqwy")),    # Cyrillic
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαιονρυκγ",
               "ABEZHIKMNOPTYXaiovpuky")),                  # Greek
    **dict(zip("ıȷɑɡ", "ijag")),                               # Latin variants
})


def skeleton(name: str) -> str:
    """How a name looks: look-alike letters read as the Latin letters they
    resemble, then folded as `normalise_name` does. Two names with one
    skeleton and different normalised forms are different clients that a
    reader cannot tell apart."""
    return normalise_name(name.translate(_LOOKALIKES)).translate(_LOOKALIKES)


def lookalike_letters(name: str) -> list[str]:
    """The letters of `name` that only look Latin, as "U+0430 CYRILLIC SMALL
    LETTER A", each once."""
    seen = dict.fromkeys(c for c in unicodedata.normalize("NFD", name)
                         if ord(c) in _LOOKALIKES)
    return [f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in seen]


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


# -- `--since` ------------------------------------------------------------------

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """`--since`: an ISO date or date and time (local time unless an offset is
    given), `today`, `yesterday`, a weekday (`monday` or `last monday`: the
    latest one before today), or a calendar duration back from today (`3d`,
    `2w`, `6mo`, `1y`). Words and durations mean local midnight of that day.
    `now` is a seam for tests."""
    text = " ".join(value.strip().lower().split())
    local_now = (now or datetime.now(timezone.utc)).astimezone()
    today = local_now.date()
    day: date | None = None
    if text in ("today", "yesterday"):
        day = today - timedelta(days=0 if text == "today" else 1)
    elif text.removeprefix("last ") in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS.index(text.removeprefix("last "))) % 7 or 7
        day = today - timedelta(days=back)
    elif text[:1].isdigit() and (d := parse_duration(text, calendar=True)) is not None:
        year, month0 = divmod(today.year * 12 + today.month - 1 - d.months, 12)
        if year < 1:   # before the calendar starts: every note is newer
            return datetime.min.replace(tzinfo=timezone.utc)
        # 31 March less one month is the last day of February.
        from calendar import monthrange  # here: `vault --help` never needs it
        moved = date(year, month0 + 1, min(today.day, monthrange(year, month0 + 1)[1]))
        day = date.fromordinal(max(1, moved.toordinal() - d.days))
    if day is not None:
        return datetime(day.year, day.month, day.day).astimezone()
    return _since_iso(value)


def _since_iso(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError("--since takes a date such as 2026-01-31, today, yesterday, "
                         "last monday, or 3d, 2w, 6mo, 1y") from None
    try:
        return dt.astimezone() if dt.tzinfo is None else dt  # naive means local time
    except (ValueError, OverflowError):
        # A real date at the very edge of the calendar: before or after every note.
        edge = datetime.min if dt.year < 2 else datetime.max
        return edge.replace(tzinfo=timezone.utc)
