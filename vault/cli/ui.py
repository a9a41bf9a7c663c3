"""Everything the user sees that is not requested data: errors, warnings,
prompts, and the literal printing of text that came from the vault.

stdout carries only requested data; everything here except `out` and
`table` writes to stderr. Rich is imported only when a table is drawn.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import os
import stat
import sys
from collections.abc import Iterator
from datetime import datetime, time, timedelta, timezone
from typing import TextIO

from ..errors import AuthenticationFailed, NeedsTerminal

# Characters that could move the cursor, recolour the terminal, hide text or
# reorder it on screen (Trojan Source). Shown as escapes, never sent raw.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
            "\u2028\u2029")


def _escape_table(codes: set[int], fmt: str) -> dict[int, str]:
    return {c: fmt.format(c) for c in codes}


_CONTROLS = {*range(0x20), 0x7F, *range(0x80, 0xA0)} - {ord("\n"), ord("\t")}
_MULTILINE = {**_escape_table(_CONTROLS, "\\x{:02x}"),
              **_escape_table({ord(c) for c in _BIDI}, "\\u{:04x}")}
_ONE_LINE = {**_MULTILINE, ord("\n"): "\\x0a"}
# In a JSON document these can only occur inside strings, where \uXXXX is
# the same value.
_JSON = _escape_table({*range(0x7F, 0xA0), *(ord(c) for c in _BIDI)}, "\\u{:04x}")


def literal(text: str, multiline: bool = True) -> str:
    """Text from the vault made safe for a terminal, shown exactly as typed."""
    if text.isprintable():   # every character escaped below is not: nothing to do
        return text
    return text.translate(_MULTILINE if multiline else _ONE_LINE)


def local_time(dt: datetime | None) -> str:
    """A time in the local zone, to the minute, as strftime("%Y-%m-%d %H:%M")
    writes it. `list` shows 10,000 of them: for a time in UTC (as records
    hold them) the zone's offset, and the local dates around that UTC day,
    are looked up once per UTC day on which the offset does not change."""
    if dt is None:
        return "-"
    if dt.tzinfo is timezone.utc:
        try:
            day = _DAYS.get(dt.toordinal())
            if day is None:
                day = _DAYS[dt.toordinal()] = _day(dt)
            if day is not False:
                minutes, dates = day
                x = dt.hour * 60 + dt.minute + minutes
                return dates[x // 1440 + 1] + _HHMM[x % 1440]
        except (OverflowError, ValueError):   # the ends of the calendar
            pass
    return dt.astimezone().strftime("%Y-%m-%d %H:%M")


def _day(dt: datetime) -> tuple[int, tuple[str, str, str]] | bool:
    """For the UTC day of `dt`: the local offset in minutes and the local
    dates of the day before, the day and the day after, as strftime writes
    them; False if the offset changes that day or is not whole minutes."""
    start = datetime.combine(dt.date(), time(), timezone.utc)
    first, last = start.astimezone().utcoffset(), \
        (start + timedelta(seconds=86399)).astimezone().utcoffset()
    if first is None or first != last or first % timedelta(minutes=1) \
            or abs(first) >= timedelta(days=1):
        return False
    dates = tuple((start + timedelta(days=k)).strftime("%Y-%m-%d ") for k in (-1, 0, 1))
    return first // timedelta(minutes=1), dates   # type: ignore[return-value]


_DAYS: dict[int, tuple[int, tuple[str, str, str]] | bool] = {}
_DAYS_ZONE: list[object] = [None]   # the zone_key() _DAYS was filled in


def zone_key() -> tuple[object, ...]:
    """What local_time()'s answers depend on besides the time: TZ, TZDIR,
    the C library's view of the zone, and the zone file it reads when TZ is
    unset. Two processes with the same key write the same local times.
    Also empties local_time()'s days if the zone changed since they were
    kept (a worker forked from an agent started in another zone)."""
    try:
        file = os.stat("/etc/localtime")
        localtime: object = (file.st_dev, file.st_ino, file.st_size, file.st_mtime_ns)
    except OSError:
        localtime = None
    import time as clock
    key = (os.environ.get("TZ"), os.environ.get("TZDIR"), localtime, clock.tzname,
           clock.timezone, clock.altzone, clock.daylight)
    if _DAYS_ZONE[0] != key:
        _DAYS.clear()
        _DAYS_ZONE[0] = key
    return key
_HHMM = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]


def json_safe(document: str) -> str:
    """A JSON document with C1 controls, bidi overrides and line separators
    written as \\u escapes: the same JSON value, safe to show in a terminal."""
    return document.translate(_JSON)


def out(text: str) -> None:
    """Requested data, to stdout, as UTF-8 whatever the locale says."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8", "backslashreplace"))
        buffer.flush()


def _err(line: str) -> None:
    # Messages may carry a path or a name the user gave: escaped here, once,
    # for every error, warning and hint (newlines of multi-line reports stay).
    try:
        sys.stderr.write(literal(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass  # stderr closed (`2>&-`, then sys.stderr is None): the outcome stands


def error(message: str, hint: str | None = None) -> None:
    _err(f"vault: error: {message}")
    if hint:
        _err(f"vault: hint: {hint}")


def warn(message: str) -> None:
    _err(f"vault: warning: {message}")


def info(message: str) -> None:
    _err(f"vault: {message}")


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def stderr_is_tty() -> bool:
    return sys.stderr is not None and sys.stderr.isatty()


def interactive() -> bool:
    """A person is there to answer on stdin: both stdin and stderr are
    terminals. Checked ourselves because getpass would quietly open /dev/tty."""
    return sys.stdin is not None and sys.stdin.isatty() and stderr_is_tty()


def _controlling_terminal() -> int | None:
    """The controlling terminal (/dev/tty) opened for reading and writing, or
    None when the process has none (cron, `setsid`, a service). In a worker
    of the agent (which has none of its own), the one of the `vault`
    process it runs the command for, passed with its stdin, stdout, stderr."""
    from ..agent.client import terminal
    if terminal() is not None:
        return os.dup(terminal())
    try:
        return os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None


def _stdin_leaves_the_terminal_free() -> bool:
    """stdin is the terminal, or text piped or redirected from a file: a
    person may still be at the terminal. Not so for /dev/null (`< /dev/null`,
    nohup: "no one will answer") or a stdin that is no file at all."""
    try:
        fd = sys.stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, ValueError, OSError):
        return False
    return os.isatty(fd) or stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


def can_ask() -> bool:
    """A person can be asked: on stdin and stderr when both are terminals,
    else on the controlling terminal, as gpg, ssh and sudo ask when stdin is
    a pipe (`echo TEXT | vault add NAME`)."""
    if interactive():
        return True
    if not _stdin_leaves_the_terminal_free():
        return False
    fd = _controlling_terminal()
    if fd is None:
        return False
    os.close(fd)
    return True


@contextlib.contextmanager
def _terminal() -> Iterator[tuple[TextIO, TextIO] | None]:
    """(where answers are read, where questions are written): stdin and
    stderr when both are terminals, else /dev/tty; None when neither."""
    if interactive():
        yield sys.stdin, sys.stderr
        return
    fd = _controlling_terminal() if _stdin_leaves_the_terminal_free() else None
    if fd is None:
        yield None
        return
    with io.TextIOWrapper(io.FileIO(fd, "r+"), errors="replace",
                          line_buffering=True) as tty:
        yield tty, tty


NON_INTERACTIVE_HINT = ("give the passphrase with --passphrase-file PATH, "
                        "VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND")


def prompt_passphrase(prompt: str = "Passphrase: ") -> bytes:
    """Typed without echo: on stdin's terminal, else on the controlling
    terminal; without either, NeedsTerminal (exit 3) at once."""
    on_stdin = interactive()
    if not on_stdin and not can_ask():
        raise NeedsTerminal("a passphrase is needed and there is no terminal to ask on",
                            hint=NON_INTERACTIVE_HINT)
    try:
        # getpass reads from /dev/tty; the prompt goes to stderr when stderr
        # is that terminal, else (stream=None) to /dev/tty itself.
        if not on_stdin and _controlling_terminal_is_passed():
            typed = _getpass_on_the_passed_terminal(prompt)
        else:
            typed = getpass.getpass(prompt, stream=sys.stderr if on_stdin else None)
        return typed.encode("utf-8")
    except EOFError:
        raise AuthenticationFailed("no passphrase was given") from None
    except UnicodeError:
        # Never echo the bytes: they are part of the passphrase.
        raise AuthenticationFailed("the passphrase could not be read as UTF-8 text") from None


def _controlling_terminal_is_passed() -> bool:
    from ..agent.client import terminal
    return terminal() is not None


def _getpass_on_the_passed_terminal(prompt: str) -> str:
    """getpass, when /dev/tty is not this process's but was passed to it: it
    then turns echo off on stdin's descriptor, so stdin is that terminal
    while it asks."""
    with _terminal() as tty:
        assert tty is not None
        answers, questions = tty
        saved, sys.stdin = sys.stdin, answers
        try:
            return getpass.getpass(prompt, stream=questions)
        finally:
            sys.stdin = saved


def ask(question: str) -> str:
    """One line typed on the terminal (see `can_ask`); "" when there is none."""
    with _terminal() as tty:
        if tty is None:
            return ""
        answers, questions = tty
        questions.write(question)
        questions.flush()
        return answers.readline().strip()


def confirm(question: str) -> bool:
    return ask(f"{question} [y/N] ").lower() in ("y", "yes")


def marked(text: str, spans: list[tuple[int, int]]) -> None:
    """Text with some spans highlighted (reverse video on a terminal, ⟦…⟧
    otherwise); the text itself is still printed literally."""
    parts: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        parts += [(text[pos:start], False), (text[start:end], True)]
        pos = end
    parts.append((text[pos:], False))
    if not stdout_is_tty():
        out("".join(f"⟦{literal(t)}⟧" if hit else literal(t) for t, hit in parts) + "\n")
        return
    from rich.console import Console
    from rich.text import Text
    shown = Text()
    for t, hit in parts:
        shown.append(literal(t), style="reverse bold" if hit else "")
    Console(file=sys.stdout, no_color="NO_COLOR" in os.environ, highlight=False).print(shown)


def table(columns: list[str], rows: list[list[str]], written: tuple[int, ...] = ()) -> None:
    """A table on a terminal; tab-separated lines otherwise. Cells are
    literal; those of the columns in `written` are copied as they are: only
    for text the program wrote itself (numbers, its own dates and words),
    which holds no control character or tab (`list` has 40,000 such cells)."""
    if not stdout_is_tty():
        out(tab_lines(columns, rows, written))
        return
    from rich.console import Console
    from . import tables
    tables.draw(Console(file=sys.stdout, no_color="NO_COLOR" in os.environ, highlight=False),
                columns, [[literal(c, multiline=False) for c in row] for row in rows])


def tab_lines(columns: list[str], rows: list[list[str]], written: tuple[int, ...] = ()) -> str:
    """table() off a terminal: a tab-separated line per row."""
    escaped = [i for i in range(len(columns)) if i not in written]
    lines = []
    for cells in rows:
        cells = list(cells)
        for i in escaped:
            cells[i] = literal(cells[i], multiline=False)
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n" if lines else ""


class Progress:
    """A progress bar on stderr for long work: only on a terminal, and only
    once the work has taken more than a moment. Call it with (done, total)."""

    DELAY_S = 0.5

    def __init__(self, label: str) -> None:
        import time
        self._label, self._clock = label, time.monotonic
        self._started = self._clock()
        self._bar = None
        self._task = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not stderr_is_tty() or self._clock() - self._started < self.DELAY_S:
                return
            from rich.console import Console
            from rich.progress import Progress as Bar
            self._bar = Bar(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self._label, total=max(total, 1))
        self._bar.update(self._task, completed=done, total=max(total, 1))

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
