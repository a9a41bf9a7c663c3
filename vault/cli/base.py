"""The shared parts of the command line: the app, error mapping, the glue
that hands prompts and the agent to commands/unlock.py, rendering helpers,
and `main()`.

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
from ..errors import ExitCode, NotFound, VaultError
from ..models import iso
from . import passphrase as passphrases
from . import ui
from .usage import usage_error as _usage_error


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
    """Maps every exception to one stderr line and an exit code, and lets
    the global options (--vault, --debug, ...) follow the command too."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _accept_global_options(command)
        return command

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


def _late_vault(ctx: Any, param: Any, value: str | None) -> None:
    if value is not None and isinstance(ctx.find_root().obj, State):
        ctx.find_root().obj.path = paths.resolve(value)


def _late_debug(ctx: Any, param: Any, value: bool) -> None:
    if value and isinstance(ctx.find_root().obj, State):
        ctx.find_root().obj.debug = True


def _late_accept_rollback(ctx: Any, param: Any, value: bool) -> None:
    """For this run only (the flag is cleared when it ends)."""
    root = ctx.find_root()
    if value and not getattr(root, "_vault_accepting", False):
        root._vault_accepting = True
        policy.accept_rollback(True)
        root.call_on_close(lambda: policy.accept_rollback(False))


def _accept_global_options(command: Any) -> None:
    """`vault view X --vault PATH` as well as `vault --vault PATH view X`:
    each command (and each command of a group) gets the global options,
    which update what the root parsed. Given in both places, the later wins.
    Its usage line is made plain on the way."""
    if getattr(command, "_vault_globals", False):
        return
    command._vault_globals = True
    from typer.core import TyperOption
    taken = {o for p in command.params for o in getattr(p, "opts", [])}
    for name, callback, metavar, text in (
            ("--vault", _late_vault, "PATH",
             "The vault file; also accepted before the command (see `vault --help`)."),
            ("--debug", _late_debug, None, "Show a traceback on internal errors."),
            ("--accept-rollback", _late_accept_rollback, None,
             "Accept a vault older than this machine last saw it (see `vault --help`).")):
        if name not in taken:
            flag = {} if metavar else {"is_flag": True, "default": False}
            command.params.append(TyperOption(param_decls=[name], metavar=metavar, **flag,
                                              expose_value=False, callback=callback, help=text))
    _plain_usage(command)
    for sub in getattr(command, "commands", {}).values():
        _accept_global_options(sub)


def _plain_usage(command: Any) -> None:
    """Usage lines write a required argument as CLIENT, as the docs do: Typer
    0.2x writes it {CLIENT}, a notation nobody types. Optional ones stay
    [CLIENT]; the Arguments section was always plain."""
    from typer.core import TyperArgument
    for param in command.params:
        if isinstance(param, TyperArgument) and param.required:
            param.get_usage_pieces = lambda ctx, p=param: [p.make_metavar(ctx)]


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
    cls=VaultGroup, name="vault", no_args_is_help=True, add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
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


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__
        ui.out(f"vault {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(ctx: typer.Context,
         vault: Annotated[Optional[str], typer.Option(
             "--vault", metavar="PATH", help="The vault file (default: VAULT_PATH, "
             "else the user data folder).")] = None,
         debug: Annotated[bool, typer.Option(
             "--debug", help="Show a traceback on internal errors.")] = False,
         accept_rollback: Annotated[bool, typer.Option(
             "--accept-rollback", help="The vault is an older copy put back on purpose: "
             "instead of failing (exit 5), commands of this run accept it as the "
             "newest this machine has seen; logged.")] = False,
         version: Annotated[bool, typer.Option(
             "--version", "-V", is_eager=True, callback=_print_version,
             help="Print the version and exit.")] = False) -> None:
    ctx.obj = State(path=paths.resolve(vault), debug=debug)
    _late_accept_rollback(ctx, None, accept_rollback)


def _state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


policy = lazy("vault.commands.unlock")


def _agent(path: Path) -> Any:
    """The agent of this vault, as commands.unlock reaches it. Its key is
    there only in a worker the agent forked (never sent over the socket)."""
    from ..agent import client as agent
    return policy.AgentLink(key=lambda: agent.key(path), lock=lambda: agent.lock(path),
                            verified=lambda: agent.verified(path),
                            handback=lambda *state: agent.handback(path, *state),
                            untrusted=lambda: agent.untrusted(path),
                            start=lambda kek, seconds: agent.start(path, kek, seconds,
                                                                   "vault.serve"),
                            status=lambda: agent.status(path))


def _factors(passphrase_file: str | None, keyfile: str | None, agent_ok: bool = True) -> Any:
    return policy.Factors(passphrase=lambda: passphrases.get(passphrase_file),
                          keyfile=lambda: passphrases.keyfile(keyfile),
                          agent_ok=agent_ok and passphrase_file is None)


def _prompts() -> Any:
    """Warnings while a vault opens; on a terminal, questions about sealed
    notes that name no client."""
    def loose(path: Path) -> None:
        ui.warn(f"{path} can be read by other users; run `chmod 600` on the vault "
                "files and `chmod 700` on their folder")

    def filed(n: int) -> None:
        ui.info(f"filed {n} note(s) added while locked")

    def ask_client(name: str, close: tuple[str, ...]) -> str:
        offered = "".join(f"\n  {i}. {ui.literal(c, False)}" for i, c in enumerate(close, 1))
        answer = ui.ask(f'A note added while locked names "{ui.literal(name, False)}",'
                        " which is no client."
                        + (f" Close matches:{offered}\n" if close else " ")
                        + "File it under (" + ("a number above or " if close else "")
                        + "a client's name; Enter to leave it in the inbox): ")
        number = answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(close)
        return close[int(answer) - 1] if number else answer

    def confirm_create(name: str) -> bool:
        return ui.confirm(f'No client named "{ui.literal(name, False)}". Create it?')

    def busy() -> None:
        ui.info("waiting for another vault command to finish (Ctrl-C stops this one)")

    def upgraded(old: int, new: int) -> None:
        ui.info(f"the vault file was upgraded from format version {old} to {new}; "
                "vault programs older than this one cannot open it any more")

    if ui.interactive():
        return policy.Prompts(loose, filed, ask_client, confirm_create, busy, upgraded)
    return policy.Prompts(loose, filed, busy=busy, upgraded=upgraded)


def _open(state: State, read_only: bool = False) -> Any:
    return policy.open_store(state.path, read_only, _prompts())


def _unlock(store: Any, passphrase_file: str | None, keyfile: str | None,
            agent_ok: bool = True) -> Any:
    """Unlock an open store by commands.unlock's policy."""
    return policy.unlock(store, _factors(passphrase_file, keyfile, agent_ok),
                         _agent(store.path))


@contextlib.contextmanager
def _unlocked(ctx: typer.Context, passphrase_file: str | None,
              keyfile: str | None = None, agent_ok: bool = True) -> Iterator[Any]:
    """The unlocked vault for one command."""
    path = _state(ctx).path
    report = policy.Unlocked()
    try:
        with policy.unlocked(path, _factors(passphrase_file, keyfile, agent_ok),
                             _agent(path), _prompts(), report) as session:
            _inbox_waiting(report)
            yield session
    finally:
        _failed_attempts(report)


def _failed_attempts(report: Any) -> None:
    if report.failed_attempts:
        ui.warn(f"{report.failed_attempts} failed unlock attempt(s) since the last unlock")


def _inbox_waiting(report: Any) -> None:
    if report.inbox_waiting:
        ui.warn(f"{report.inbox_waiting} note(s) added while locked wait in the inbox; "
                "see `vault inbox`")


_local = ui.local_time   # a time as every command shows it


_iso = iso  # JSON output writes times as records do


def _json(obj: Any) -> None:
    ui.out(ui.json_safe(json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))) + "\n")


# -- init ----------------------------------------------------------------


def _may_hold_secrets(args: list[str]) -> bool:
    """False only for `vault`, `vault --help`, `--version`, `help` and `status`."""
    it = iter(args)
    for a in it:
        if a == "--vault":
            next(it, None)
        elif not (a.startswith("--vault=") or a == "--debug"):
            return a not in ("-h", "--help", "-V", "--version", "help", "status")
    return False


_click_app: Any = None


def click_app() -> Any:
    """The app as a click command, built once per process: Typer takes tens of
    milliseconds to build it, which the agent does before it forks workers."""
    global _click_app
    if _click_app is None:
        _click_app = typer.main.get_command(app)
    return _click_app


def main(argv: list[str] | None = None) -> int:
    import os
    import resource
    os.umask(0o077)  # belt and braces: nothing we create is for others
    try:  # a crash must not write decrypted notes or keys into a core file
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    ui.zone_key()   # times in this process's zone (a worker's may not be its agent's)
    if _may_hold_secrets(sys.argv[1:] if argv is None else argv):
        # Not dumpable before any passphrase, key or plaintext is read; the
        # agent's hardening, shared (ctypes: 2 ms, spared for help and status).
        from ..agent.server import harden
        harden()
    try:
        code = click_app().main(args=argv, prog_name="vault", standalone_mode=False)
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
