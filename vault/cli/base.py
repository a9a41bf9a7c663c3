"""The shared parts of the command line: the app, error mapping, unlocking,
rendering helpers, and `main()`.

No logic, no SQL, no crypto here. Every failure reaches the user through
`VaultGroup.invoke` as one `vault: error:` line and a documented exit code.
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

try:  # typer 0.2x vendors click; older releases use click itself
    from typer._click.exceptions import ClickException
    from typer._click.exceptions import UsageError as ClickUsageError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException
    from click.exceptions import UsageError as ClickUsageError

from .. import paths
from . import ui
from . import passphrase as passphrases
from ..errors import ExitCode, NotFound, VaultError
from ..models import iso


class lazy:
    """A module imported on first use, so that `vault --help` and `vault
    status` start without loading the cryptography and SQLite layers."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib
        return getattr(importlib.import_module(self._name), attr)


@dataclass
class State:
    path: Path
    debug: bool


class VaultGroup(TyperGroup):
    """Maps every exception to one stderr line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except VaultError as e:
            ui.error(e.message, _hint(e))
            raise typer.Exit(int(e.exit_code)) from None
        except ClickUsageError as e:
            _usage_error(e)
            raise typer.Exit(int(ExitCode.USAGE)) from None
        except KeyboardInterrupt:
            ui.error("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # The reader went away (`vault view X | head`): stop quietly, like
            # other Unix tools, and keep Python from complaining at exit.
            import os
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(int(ExitCode.PIPE_CLOSED)) from None
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except Exception:  # noqa: BLE001 - the one place that catches all
            if _debug(ctx):
                traceback.print_exc()
            ui.error("internal error", None if _debug(ctx) else "run with --debug for details")
            raise typer.Exit(int(ExitCode.ERROR)) from None


def _usage_error(e: Any) -> None:
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
        return "no such option"
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


def _debug(ctx: Any) -> bool:
    obj = getattr(ctx, "obj", None)
    return bool(obj.debug) if isinstance(obj, State) else "--debug" in sys.argv


def _hint(e: VaultError) -> str | None:
    if isinstance(e, NotFound) and e.suggestions:
        # Client names go to a terminal only, never into a cron job's log file.
        if ui.stderr_is_tty():
            shown = ", ".join(f'"{ui.literal(s, multiline=False)}"' for s in e.suggestions)
            return f"did you mean {shown}?"
        return (f"{len(e.suggestions)} similar client name(s) exist; run on a terminal "
                "to see them, or see `vault list`")
    return e.hint


app = typer.Typer(
    cls=VaultGroup, name="vault", no_args_is_help=True, add_completion=False,
    pretty_exceptions_enable=False, pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    help="An encrypted vault for client notes, with a signed log of every access.\n\n"
         "Start with `vault init`, then `vault add CLIENT -m TEXT --new` and "
         "`vault view CLIENT`. Exit codes: 0 ok, 1 error, 2 usage, 3 wrong passphrase, "
         "4 not found, 5 integrity failure, 6 refused.")
PassphraseFile = Annotated[Optional[str], typer.Option(
    "--passphrase-file", metavar="PATH",
    help="Read the passphrase from this file (one trailing newline is ignored). "
         "Also VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND.")]
KeyFile = Annotated[Optional[str], typer.Option(
    "--keyfile", metavar="PATH",
    help="The vault's key file, if it was set up with one. Also VAULT_KEYFILE.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.callback()
def root(ctx: typer.Context,
         vault: Annotated[Optional[str], typer.Option(
             "--vault", metavar="PATH", help="The vault file (default: VAULT_PATH, "
             "else the user data folder).")] = None,
         debug: Annotated[bool, typer.Option(
             "--debug", help="Show a traceback on internal errors.")] = False) -> None:
    ctx.obj = State(path=paths.resolve(vault), debug=debug)


def _state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def _open(state: State, read_only: bool = False) -> Any:
    from ..vaultfile.store import Store
    store = Store.open(state.path, read_only=read_only)
    loose = paths.loose_modes(state.path)
    if loose:
        ui.warn(f"{loose[0]} can be read by other users; run `chmod 600` on the vault "
                "files and `chmod 700` on their folder")
    return store


def _unlock(store: Any, passphrase_file: str | None, keyfile: str | None,
            agent_ok: bool = True) -> Any:
    """The agent's key when `vault unlock` left one running (and no passphrase
    file was named on the command line, and the command may use it); else both
    factors, checked for presence before the passphrase is asked."""
    from ..agent import client as agent
    from ..vaultfile.unlocked import Session, check_factors
    if passphrase_file is None and agent_ok:
        kek = agent.key(store.path)
        if kek is not None:
            session = Session.from_agent(store, kek)
            if session is not None:
                return session
            agent.lock(store.path)  # it holds a key that no longer opens this vault
    secret_file = passphrases.keyfile(keyfile)
    check_factors(store.header(), secret_file)
    return Session.unlock(store, passphrases.get(passphrase_file), secret_file)


@contextlib.contextmanager
def _unlocked(ctx: typer.Context, passphrase_file: str | None,
              keyfile: str | None = None, agent_ok: bool = True) -> Iterator[Any]:
    store = _open(_state(ctx))
    session = None
    try:
        session = _unlock(store, passphrase_file, keyfile, agent_ok)
        _inbox(session)
        yield session
    finally:
        if session is not None and session.failed_attempts:
            ui.warn(f"{session.failed_attempts} failed unlock attempt(s) since the last "
                    "unlock")
        store.close()


def _inbox(session: Any) -> None:
    """File the notes sealed while locked; on a terminal, ask where the ones
    that name no client go; otherwise say they wait in `vault inbox`."""
    from ..commands import inbox
    inbox.file_pending(session)
    if session.inbox_filed:
        ui.info(f"filed {session.inbox_filed} note(s) added while locked")
    if not session.inbox_waiting:
        return
    if ui.interactive():
        for w in inbox.waiting(session):
            if w.item is None:
                continue
            answer = ui.ask(f'A note added while locked names "{ui.literal(w.item.client, False)}",'
                            " which is no client. File it under (a client's name; "
                            "Enter to leave it in the inbox): ")
            if not answer:
                continue
            exists = _client_exists(session, answer)
            if exists or ui.confirm(f'No client named "{ui.literal(answer, False)}". '
                                    "Create it?"):
                inbox.file_item(session, w.id, answer, create=not exists)
        session.inbox_waiting = session.store.inbox_count()
    if session.inbox_waiting:
        ui.warn(f"{session.inbox_waiting} note(s) added while locked wait in the inbox; "
                "see `vault inbox`")


def _client_exists(session: Any, name: str) -> bool:
    from ..commands.transaction import client_exists
    return client_exists(session, name)


def _local(dt: datetime | None) -> str:
    return "-" if dt is None else dt.astimezone().strftime("%Y-%m-%d %H:%M")


_iso = iso  # JSON output writes times as records do


def _json(obj: Any) -> None:
    ui.out(ui.json_safe(json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))) + "\n")


# -- init ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    import os
    import resource
    os.umask(0o077)  # belt and braces: nothing we create is for others
    try:  # a crash must not write decrypted notes or keys into a core file
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    try:
        code = typer.main.get_command(app).main(args=argv, prog_name="vault",
                                                standalone_mode=False)
    except ClickUsageError as e:  # before a command runs: `vault --bogus`
        if type(e).__name__ == "NoArgsIsHelpError":
            ui.out(e.format_message() + "\n")  # plain `vault`: the help, not an error
            return int(ExitCode.OK)
        _usage_error(e)
        return int(ExitCode.USAGE)
    except ClickException as e:
        ui.error(e.format_message())
        return e.exit_code
    except typer.Abort:
        ui.error("aborted")
        return int(ExitCode.ERROR)
    return code if isinstance(code, int) else 0
