"""Finding spans to redact and replacing them: pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import UsageError
from . import detect
from .span import Span

Finder = Callable[[str], list[Span]]


def find_text(text: str, needle: str) -> list[Span]:
    """Case-insensitive literal matches of whole words: redacting "Ann" must not
    eat into "Announcement", irreversibly. (--pattern matches anywhere.)"""
    if not needle:
        return []
    before = r"(?<!\w)" if re.match(r"\w", needle[0]) else ""
    after = r"(?!\w)" if re.match(r"\w", needle[-1]) else ""
    return find_pattern(text, re.compile(before + re.escape(needle) + after, re.IGNORECASE))


def find_pattern(text: str, pattern: re.Pattern[str]) -> list[Span]:
    return [Span(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]


def merge(spans: list[Span]) -> list[Span]:
    """Sorted, with overlapping spans joined; a joined span keeps the first kind."""
    merged: list[Span] = []
    for s in sorted(spans):
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, s.end), last.kind)
        else:
            merged.append(s)
    return merged


def placeholder(kind: str) -> str:
    return f"[REDACTED:{kind}]" if kind else "[REDACTED]"


def apply(text: str, spans: list[Span]) -> str:
    out, pos = [], 0
    for s in merge(spans):
        out.append(text[pos:s.start])
        out.append(placeholder(s.kind))
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def make_finder(text: str | None = None, pattern: str | None = None,
                use_pii: bool = False) -> Finder:
    """Exactly one of the three ways to say what goes."""
    if sum(x is not None and x is not False for x in (text, pattern, use_pii)) != 1:
        raise UsageError("give exactly one of --text, --pattern or --pii")
    if text is not None:
        if not text.strip():
            raise UsageError("--text is empty")
        return lambda t: find_text(t, text)
    if pattern is not None:
        try:
            compiled = re.compile(pattern)
        except re.error as e:
            # The position only: the pattern itself may hold a name.
            raise UsageError(f"--pattern is not a valid regular expression "
                             f"(at position {e.pos})") from None
        return lambda t: find_pattern(t, compiled)
    return lambda t: detect.find(t)
