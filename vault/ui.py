"""Everything the user sees that is not requested data: errors, warnings,
prompts, and the literal printing of text that came from the vault.

stdout carries only requested data; everything here except `out` and
`table` writes to stderr. Rich is imported only when a table is drawn.
"""

from __future__ import annotations

import getpass
import os
import sys

from .errors import NeedsTerminal

# Characters that could move the cursor, recolour the terminal, hide text or
# reorder it on screen (Trojan Source). Shown as escapes, never sent raw.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def literal(text: str, multiline: bool = True) -> str:
    """Text from the vault made safe for a terminal, shown exactly as typed."""
    out = []
    for ch in text:
        code = ord(ch)
        if (ch == "\n" and multiline) or ch == "\t":
            out.append(ch)
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif ch in _BIDI:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


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
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


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
    return sys.stderr.isatty()


def interactive() -> bool:
    """A person is there to answer: both stdin and stderr are terminals.
    Checked ourselves because getpass would quietly open /dev/tty."""
    return sys.stdin.isatty() and sys.stderr.isatty()


NON_INTERACTIVE_HINT = ("give the passphrase with --passphrase-file PATH, "
                        "VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND")


def prompt_passphrase(prompt: str = "Passphrase: ") -> bytes:
    if not interactive():
        raise NeedsTerminal("a passphrase is needed and there is no terminal to ask on",
                            hint=NON_INTERACTIVE_HINT)
    return getpass.getpass(prompt, stream=sys.stderr).encode("utf-8")


def confirm(question: str) -> bool:
    if not interactive():
        return False
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def table(columns: list[str], rows: list[list[str]]) -> None:
    """A table on a terminal; tab-separated lines otherwise. Cells are literal."""
    if not stdout_is_tty():
        out("".join("\t".join(literal(c, multiline=False) for c in row) + "\n"
                    for row in rows))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    t = Table(*columns, box=None, header_style="bold", pad_edge=False)
    for row in rows:
        t.add_row(*(Text(literal(c, multiline=False)) for c in row))
    Console(file=sys.stdout, no_color="NO_COLOR" in os.environ, highlight=False).print(t)
