"""What a parser error says: one `vault: error:` line that never repeats a
stray word the user typed (it is often half of an unquoted name, `vault
view Jane Doe`), and that names an unknown option only when it looks like a
mistyped option of ours, with the nearest one."""

from __future__ import annotations

import re
from typing import Any

from . import ui


def usage_error(e: Any) -> None:
    """One `vault: error:` line, like every other error. The parser would echo
    stray words, often half of an unquoted name: those are not repeated."""
    message = _sanitised(e)
    path = e.ctx.command_path if getattr(e, "ctx", None) is not None else "vault"
    ui.error(message, f"see `{path} --help`")


def _sanitised(e: Any) -> str:
    """The parser's message without the words the user typed: a stray word is
    often half of an unquoted name (`vault view Jane Doe`)."""
    message = e.format_message()
    kind = type(e).__name__
    if "unexpected extra argument" in message:
        return 'too many arguments; put a name with spaces in quotes, e.g. "Jane Doe"'
    if kind == "NoSuchOption" or message.startswith("No such option"):
        return _no_such_option(e)
    if message.startswith("No such command"):
        return "no such command"
    if kind in ("BadParameter", "BadOptionUsage", "BadArgumentUsage"):
        param = getattr(e, "param", None)
        names = list(getattr(param, "opts", None) or []) or [getattr(param, "name", None)]
        hint = getattr(e, "param_hint", None) or (names[0] if names[0] else None)
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        return f"invalid value for {hint}" if hint else "invalid value"
    return message[:1].lower() + message[1:]


# An unknown option is named only when it looks like a mistyped option of
# ours (lower-case letters, digits, hyphens): `--Jane Doe` is half a name.
_OPTION_LIKE = re.compile(r"--?[a-z][a-z0-9-]{0,30}")


def _no_such_option(e: Any) -> str:
    typed = getattr(e, "option_name", "") or ""
    known: list[str] = []
    command = getattr(getattr(e, "ctx", None), "command", None)
    for param in getattr(command, "params", []):
        known += [o for o in getattr(param, "opts", []) + getattr(param, "secondary_opts", [])
                  if o.startswith("-")]
    if not _OPTION_LIKE.fullmatch(typed):
        return "no such option"
    import difflib
    close = difflib.get_close_matches(typed, known, n=1, cutoff=0.6)
    return f"no such option: {typed}" + (f" (did you mean {close[0]}?)" if close else "")
