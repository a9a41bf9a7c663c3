"""`vault help [COMMAND]...`: the same text as `vault [COMMAND]... --help`,
for people who type help first (as with git and pip)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..errors import UsageError
from . import ui
from .base import app


@app.command("help")
def help_command(ctx: typer.Context,
                 command: Annotated[Optional[list[str]], typer.Argument(
                     metavar="[COMMAND]...", help="A command, or a group and its "
                     "command (`vault help log verify`); none for the overview.")] = None
                 ) -> None:
    """Show the help of vault or of one of its commands."""
    current, current_ctx = ctx.find_root().command, ctx.find_root()
    for name in command or []:
        sub = getattr(current, "get_command", lambda c, n: None)(current_ctx, name)
        if sub is None:
            # The word is not repeated: a stray word may be half of a name.
            raise UsageError("no such command", hint="see `vault --help`")
        current_ctx = typer.Context(sub, info_name=name, parent=current_ctx)
        current = sub
    ui.out(current.get_help(current_ctx) + "\n")
