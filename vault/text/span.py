"""The one span type every detector returns and redaction and the anonymized
export consume, and scanning a text within windows. Pure, no I/O."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """text[start:end] is of `kind` ("" for a --text or --pattern match; a
    detector's kind such as "PHONE" or "DATE:iso" otherwise). Dates keep
    their `match`, to be re-rendered; it takes no part in comparisons."""
    start: int
    end: int
    kind: str = ""
    match: re.Match[str] | None = field(default=None, compare=False, repr=False)


Windows = list[tuple[int, int]]


def scan(rx: re.Pattern[str], text: str, windows: Windows | None) -> list[re.Match[str]]:
    """rx's matches in the whole text, or only within the given windows
    (lookbehinds still see the text before a window). A pattern registered
    with `starts_at_digits` is tried only where it can start. (A list, not
    a generator: some forty scans per note, most finding nothing, cost less
    without a generator's frame each.)"""
    if windows is None:
        return list(rx.finditer(text))
    # (patterns are looked up by id: hashing a compiled pattern hashes its
    # whole code, about 0.3 µs, and a note asks a few hundred times)
    key = id(rx)
    if (gate := _WORD_GATE_IDS.get(key)) is not None \
            and (starts := word_starts(text, *gate)) is not None:
        return at_starts(rx, text, windows, starts)
    if key in _GATE_IDS:
        starts = _digit_runs(text, windows).starts.get(key)
        if starts is None:   # registered after these runs were sorted out
            global _last_runs
            _last_runs = None
            starts = _digit_runs(text, windows).starts[key]
        return at_starts(rx, text, windows, starts)
    if len(windows) == 1:
        return list(rx.finditer(text, *windows[0]))
    return [m for start, end in windows for m in rx.finditer(text, start, end)]


def at_starts(rx: re.Pattern[str], text: str, windows: Windows,
              starts: list[int]) -> list[re.Match[str]]:
    """What finditer finds in each window when rx can only start at one of
    `starts` (sorted): the next match is the first of them, at or after the
    last match's end, where rx matches."""
    out: list[re.Match[str]] = []
    if not starts:
        return out
    end = -1
    for lo, hi in windows:
        for start in starts[bisect_left(starts, lo):bisect_left(starts, hi)]:
            if start >= end and (m := rx.match(text, start, hi)) is not None:
                out.append(m)
                end = m.end()
    return out


# -- one pass over the digits for every pattern that starts with one -----------------
#
# Most detectors' patterns start with a digit that no word character comes
# before: a run of digits' first one. Scanned one by one, each tries every
# digit of a note; instead the runs of digits are found once per note, and
# each pattern is tried only at the runs whose length and next character
# it can start with (its gate). Equivalent to finditer as long as every
# match of the pattern starts where its gate says yes.

# Patterns that start only at the first letter of one of a few words (in
# lower case, as runs of letters): tried only where those words are.
_WORD_GATES: dict[re.Pattern[str], frozenset[str]] = {}
# The same by id(pattern), which scan looks up (the patterns stay alive in
# the dicts above, so their ids are not reused).
_WORD_GATE_IDS: dict[int, tuple[frozenset[str], bool]] = {}


def starts_at_words(rx: re.Pattern[str], words: frozenset[str],
                    any_text: bool = False) -> re.Pattern[str]:
    """Registers rx as starting only at the first letter of a run of
    letters that is one of `words` in lower case (in ASCII text, or with
    `any_text` as letter_runs says; other text is scanned as before)."""
    _WORD_GATES[rx] = words
    _WORD_GATE_IDS[id(rx)] = (words, any_text)
    return rx


Gate = Callable[[int, str], bool]
# pattern -> [(gate on (length of the run, the character after it or "" at
# the window's end), where it starts: from the run's end?, offset)]
_GATES: dict[re.Pattern[str], list[tuple[Gate, bool, int]]] = {}
_GATE_IDS: set[int] = set()
_DIGIT_RUN = re.compile(r"\d+")


def starts_at_digits(rx: re.Pattern[str], gate: Gate, *, last: int = 0,
                     before: tuple[int, ...] = (0,)) -> re.Pattern[str]:
    """Registers rx as starting only near a run of digits whose length and
    next character pass `gate`: `before` characters before its first digit
    (0: at it; 2: "AB" of "AB123456C"), or at its `last` digits. A non-ASCII
    next character always passes (case-insensitive matching folds some of
    them onto ASCII letters)."""
    gates = _GATES.setdefault(rx, [])
    _GATE_IDS.add(id(rx))
    if last:
        gates.append((gate, True, -last))
    else:   # (the furthest first: each run's starts come in order)
        gates += [(gate, False, -b) for b in sorted(before, reverse=True)]
    _table.clear()
    return rx


_last_all: tuple[str, list[tuple[int, int]]] = ("", [])


def all_digit_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every run of digits of the text, in order; the last
    text's are kept, for the detectors of one note share them."""
    global _last_all
    last = _last_all
    if last[0] is text:
        return last[1]
    runs = [m.span() for m in _DIGIT_RUN.finditer(text)]
    _last_all = (text, runs)
    return runs


def _inside(runs: list[tuple[int, int]], windows: Windows, n: int) -> bool:
    """Every run lies inside a window and ends before the window's end or
    at the text's (as digit_windows makes them): the text's runs are then
    the windows' runs, with the same character after each."""
    if len(windows) == 1 and windows[0][0] == 0 and windows[0][1] == n:
        return True   # the whole text (a dense note's usual window)
    i = 0
    for lo, hi in windows:
        while i < len(runs) and runs[i][1] <= hi:
            start, end = runs[i]
            if start < lo or end == hi and hi != n:
                return False
            i += 1
    return i == len(runs)


class _Runs:
    __slots__ = ("text", "windows", "starts", "runs")

    def __init__(self, text: str, windows: Windows) -> None:
        self.text, self.windows = text, windows
        # (by id(pattern), as scan asks)
        self.starts: dict[int, list[int]] = {key: [] for key in _GATE_IDS}
        n_text = len(text)
        everything = all_digit_runs(text)
        if _inside(everything, windows, n_text):
            self.runs = everything
            ends = [n_text] * len(everything)
        else:   # windows that cut runs, or leave some out: the runs within them
            found = [(m.span(), hi) for lo, hi in windows for m in _DIGIT_RUN.finditer(text, lo, hi)]
            self.runs = [run for run, _ in found]
            ends = [hi for _, hi in found]
        starts = self.starts
        table = _table
        for (start, end), hi in zip(self.runs, ends):
            n = end - start
            # The character after the run as the pattern sees it: "" at the
            # end of the text or of the window.
            key = (n if n < 20 else 20, text[end] if end < hi else "")
            todo = table.get(key)
            if todo is None:
                todo = table[key] = _gates_for(*key)
            for rx_id, from_end, offset in todo:
                starts[rx_id].append((end if from_end else start) + offset)


_table: dict[tuple[int, str], tuple[tuple[int, bool, int], ...]] = {}
_last_runs: _Runs | None = None


def _gates_for(length: int, after: str) -> tuple[tuple[int, bool, int], ...]:
    if len(_table) > 4096:
        _table.clear()
    return tuple((id(rx), from_end, offset) for rx, gates in _GATES.items()
                 for gate, from_end, offset in gates
                 if (not after.isascii() or gate(length, after))
                 and (not from_end or length >= -offset))


def digit_runs(text: str, windows: Windows) -> list[tuple[int, int]]:
    """(start, end) of every run of digits within the windows, in order (a
    run is cut at a window's end)."""
    return _digit_runs(text, windows).runs


def _digit_runs(text: str, windows: Windows) -> _Runs:
    global _last_runs
    last = _last_runs
    if last is not None and last.text is text and last.windows == windows:
        return last
    runs = _last_runs = _Runs(text, windows)
    return runs


def words_rx(*alternatives: str) -> str:
    """A regex for any of `alternatives` (each a regex that starts with a
    plain letter) at the start of a word, in any case. It starts with a
    character class and checks the word boundary and each alternative's
    first letter after it, so re only tries the alternatives at the start of
    a word whose first letter fits."""
    firsts = sorted({a[0].lower() for a in alternatives} | {a[0].upper() for a in alternatives})
    cls = "".join(firsts)
    tails = "|".join(f"(?<={a[0]}){a[1:]}" for a in alternatives)
    return rf"[{cls}](?<![^\W\d_][{cls}])(?i:{tails})"


# -- cheap prefilters ----------------------------------------------------------------

# ASCII characters that are not letters, as spaces: an ASCII text's runs of
# letters (what [^\W\d_]+ finds in it) are then one str.split away.
_NOT_LETTERS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalpha()})
_last: tuple[str, frozenset[str] | None, frozenset[str] | None, str] = (
    "", frozenset(), frozenset(), "")


def letter_runs(text: str, any_text: bool = False
                ) -> tuple[frozenset[str], frozenset[str]] | None:
    """The runs of letters of an ASCII text, as written and in lower case;
    None for any other text. Detectors look their trigger words up here
    before scanning: a pattern that needs the word "County" cannot match a
    note without it. Only ASCII text, where case-insensitive matching and
    lower() agree letter for letter ("ſ" matches (?i:s) but is no "s").
    The last text's answer is kept: every detector of one note asks.

    `any_text`: also other text without the four characters that fold onto
    an ASCII letter (İ ı ſ K): its runs of ASCII letters, every other
    character standing between them as a space does. A pattern whose
    words are ASCII and that no ASCII letter may touch on either side
    matches only where such a run is its word, as in ASCII text; one
    "£" or "’" no longer turns off its caller's shortcuts. Only for
    callers whose patterns are so (and whose words are ASCII: has_word
    and word_starts check)."""
    global _last
    last = _last
    if last[0] is not text:
        if text.isascii():
            # The lower-case words between spaces, each at its place in the
            # text (translate maps character to character): " at " is found
            # where the word "at" stands, never inside "that".
            _last = last = (text, *_runs_of(text))
        else:
            _last = last = (text, None, None, "")
    if last[1] is not None and last[2] is not None:   # (both or neither)
        return last[1], last[2]
    if not any_text:
        return None
    global _last_any
    other = _last_any
    if other[0] is not text:
        if _FOLDS.search(text) is not None:
            _last_any = other = (text, None, None, "")
        else:   # (one "?" for each other character: the offsets stay)
            _last_any = other = (text, *_runs_of(text.encode("ascii", "replace").decode("ascii")))
    return None if other[1] is None or other[2] is None else (other[1], other[2])


def known_words(text: str) -> str | None:
    """The lower-case runs of letters of an ASCII text between spaces (a
    space for every other character, so " at " is the word "at"), if
    letter_runs has read this very text last; else None."""
    last = _last
    return last[3] if last[0] is text and last[1] is not None else None


_last_any: tuple[str, frozenset[str] | None, frozenset[str] | None, str] = (
    "", frozenset(), frozenset(), "")
_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")


def _runs_of(text: str) -> tuple[frozenset[str], frozenset[str], str]:
    letters = text.translate(_NOT_LETTERS)
    runs = frozenset(letters.split())
    lower = frozenset([w.lower() for w in runs])   # (fewer than the words)
    return runs, lower, " " + letters.lower() + " "


_ASCII_SETS: dict[int, tuple[frozenset[str], bool]] = {}


def _all_ascii(words: frozenset[str]) -> bool:
    found = _ASCII_SETS.get(id(words))
    if found is None or found[0] is not words:
        if len(_ASCII_SETS) > 1000:
            _ASCII_SETS.clear()
        found = _ASCII_SETS[id(words)] = (words, all(w.isascii() for w in words))
    return found[1]


def _runs(text: str, words: frozenset[str], any_text: bool
          ) -> tuple[frozenset[str], frozenset[str]] | None:
    runs = letter_runs(text)
    if runs is None and any_text and not text.isascii() and _all_ascii(words):
        runs = letter_runs(text, any_text=True)
    return runs


def word_starts(text: str, words: frozenset[str], any_text: bool = False) -> list[int] | None:
    """Where a run of letters of an ASCII text that is one of `words` (in
    lower case) starts, in order; None for other text (but see
    letter_runs' `any_text`). Each word the note holds is searched for
    between spaces in its spaced-out copy (a str.find, fast): cheaper than
    visiting every word of the note."""
    runs = _runs(text, words, any_text)
    if runs is None:
        return None
    present = words.intersection(runs[1])
    if not present:
        return []
    spaced = _last[3] if text.isascii() else _last_any[3]
    assert (_last if text.isascii() else _last_any)[0] is text
    out: list[int] = []
    for word in present:
        needle = f" {word} "
        step = len(word) + 1
        # (a match at i in the spaced copy is the word at i in the text)
        at = spaced.find(needle)
        while at >= 0:
            out.append(at)
            at = spaced.find(needle, at + step)
    out.sort()
    return out


def at_words(rx: re.Pattern[str], text: str, words: frozenset[str], chars: str = "",
             any_text: bool = False) -> list[re.Match[str]] | None:
    """rx's matches (what finditer finds) when rx can only start where a run
    of letters that is one of `words` (in lower case) starts, or at one of
    `chars`; None when the text's words are not known (see letter_runs)."""
    starts = word_starts(text, words, any_text)
    if starts is None:
        return None
    for c in chars:
        at = text.find(c)
        while at >= 0:
            starts.append(at)
            at = text.find(c, at + 1)
    return at_starts(rx, text, [(0, len(text))], sorted(starts) if chars else starts)


def has_word(text: str, words: frozenset[str], lower: bool = True,
             any_text: bool = False) -> bool:
    """Whether text may hold one of `words` as a run of letters (in lower
    case if `lower`): False only when it certainly does not."""
    runs = _runs(text, words, any_text)
    if runs is None:
        return True
    return not words.isdisjoint(runs[1] if lower else runs[0])


def before_anchors(rx: re.Pattern[str], text: str, anchors: re.Pattern[str],
                   inside: Callable[[str], bool]) -> list[re.Match[str]]:
    """What rx.finditer finds, for a pattern that is a run of characters
    that pass `inside` (with none of them before it), then what `anchors`
    finds right after the run (which holds no such character): rx is tried
    only at the start of the run before each anchor, instead of at every
    word of the text. (A match cannot start later in the run: its
    lookbehind would see one of the run's characters.)"""
    out: list[re.Match[str]] = []
    end = -1
    for anchor in anchors.finditer(text):
        start = anchor.start()
        while start and inside(text[start - 1]):
            start -= 1
        if start >= end and (m := rx.match(text, start)) is not None:
            out.append(m)
            end = m.end()
    return out
