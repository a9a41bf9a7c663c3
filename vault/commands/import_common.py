"""What every import reader shares: the `Incoming` note, the `ImportFailed`
error (one problem, or all of them at once), and checking hostile input as
if typed. Never imports typer or rich."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import UsageError, VaultError
from ..validate import check_name, check_tags, check_text

MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024
NOTHING = "; nothing was imported"
MAX_LISTED = 20  # problems listed one by one; the rest are counted


@dataclass(frozen=True)
class Incoming:
    client: str
    text: str
    tags: tuple[str, ...]
    created: datetime


class ImportFailed(VaultError):
    """Bad input: nothing was imported, and every message says so.

    `problem` is the message without that ending; `problems` holds every
    problem found when there were several (the CLI lists them above the
    error line), each a message without the ending."""

    def __init__(self, message: str, hint: str | None = None,
                 file: str | None = None, problems: Sequence[str] = ()) -> None:
        super().__init__(f"{message}{NOTHING}", hint)
        self.problem = message
        self.problems = tuple(problems)
        # The full path of the file at fault. In `import dir` it holds a client's
        # name (the folder), so the message numbers the folder instead and the
        # CLI shows this on a terminal only, like NotFound's suggestions.
        self.file = file

    @classmethod
    def of(cls, where: str, found: Sequence[ImportFailed]) -> ImportFailed:
        """All the problems found in one file, as one error: the problem
        itself if there is one, else a count with every problem listed."""
        if len(found) == 1:
            return found[0]
        hints = list(dict.fromkeys(f.hint for f in found if f.hint))
        listed = [f.problem for f in found[:MAX_LISTED]]
        if len(found) > MAX_LISTED:
            listed.append(f"{where}: and {len(found) - MAX_LISTED} more problem(s)")
        return cls(f"{where}: {len(found)} problems", "; ".join(hints) or None,
                   problems=listed)


def numbered(what: str, numbers: Sequence[int], limit: int = 10) -> str:
    """`entry 4`, `entries 2, 5 and 9`, `entries 1, 2, ... 10 and 31 more`."""
    if len(numbers) == 1:
        return f"{what} {numbers[0]}"
    plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
    shown = [str(n) for n in numbers[:limit]]
    rest = len(numbers) - len(shown)
    if rest:
        return f"{plural} {', '.join(shown)} and {rest} more"
    return f"{plural} {', '.join(shown[:-1])} and {shown[-1]}"


# Shown as escapes in an error: they could move the cursor, recolour the
# terminal or reorder the line (as in ui.literal; no ui import down here).
_UNSHOWN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def shown(text: str) -> str:
    """A path fit for a one-line error. A byte of a file name that is not
    UTF-8 (a surrogate escape) is shown as that byte."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(ch) in _UNSHOWN:
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def reason(e: OSError) -> str:
    return (e.strerror or "error").lower()


# models.iso writes the year with %Y, which glibc does not pad to four
# digits: a note dated before the year 1000 would be stored in a form that
# no reader accepts, and the client's file would no longer open.
FIRST_YEAR = 1000


def utc(created: datetime, where: str) -> datetime:
    """`created` in UTC to the second, if the vault can store it."""
    try:
        when = created.astimezone(timezone.utc).replace(microsecond=0)
    except (OverflowError, ValueError, OSError):  # past 9999 or before 1 in UTC
        when = None
    if when is None or when.year < FIRST_YEAR:
        raise ImportFailed(f"{where}: the date is outside the years "
                           f"{FIRST_YEAR} to 9999 (UTC)")
    return when


def failed(where: str, e: UsageError, file: str | None = None) -> ImportFailed:
    # core's messages are written for `vault add`: "...; nothing was added".
    message = e.message.removesuffix("; nothing was added")
    return ImportFailed(f"{where}: {message}", e.hint, file)


def date_text(value: Any) -> bool:
    """A string that may hold a date: printable ASCII. Python 3.11's
    fromisoformat lets stray characters through, a NUL among them."""
    return isinstance(value, str) and value.isascii() and value.isprintable()


def checked(where: str, client: Any, text: Any, tags: Any, created: datetime) -> Incoming:
    """One note, validated as if typed by the user; errors say where."""
    try:
        if not isinstance(client, str) or not isinstance(text, str):
            raise UsageError("the client name and text must be strings")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise UsageError("tags must be a list of strings")
        name, body, labels = check_name(client), check_text(text), check_tags(tags)
    except UsageError as e:
        raise failed(where, e) from None
    return Incoming(name, body, labels, utc(created, where))


def read_bytes(path: Path, limit: int = MAX_IMPORT_BYTES, what: str = "") -> bytes:
    """The whole file (`-`: stdin), at most `limit` bytes. `what` names the
    file in errors ("client map ")."""
    where = f"{what}{shown(str(path))}"
    try:
        if str(path) == "-":
            import sys
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(limit + 1)
    except IsADirectoryError:
        raise ImportFailed(f"{where} is a folder") from None
    except OSError as e:
        raise ImportFailed(f"cannot read {where}: {reason(e)}") from None
    if len(data) > limit:
        raise ImportFailed(f"{where} is larger than {limit // (1024 * 1024)} MiB")
    return data


def parse_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{where}: not valid UTF-8") from None
    except (ValueError, RecursionError):
        raise ImportFailed(f"{where}: not valid JSON") from None
