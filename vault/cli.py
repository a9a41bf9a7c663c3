"""The command line: parse arguments, call core, render results, map errors.

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
from datetime import datetime, timezone
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

from . import core, paths, ui
from . import passphrase as passphrases
from .errors import ExitCode, IntegrityError, NotFound, Refused, UsageError, VaultError


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
    message = e.format_message()
    if "unexpected extra argument" in message:
        message = 'too many arguments; put a name with spaces in quotes, e.g. "Jane Doe"'
    path = e.ctx.command_path if getattr(e, "ctx", None) is not None else "vault"
    ui.error(message[:1].lower() + message[1:], f"see `{path} --help`")


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
log_app = typer.Typer(help="Show the access log, verify it, or print a checkpoint.",
                      rich_markup_mode=None)
app.add_typer(log_app, name="log")

PassphraseFile = Annotated[Optional[str], typer.Option(
    "--passphrase-file", metavar="PATH",
    help="Read the passphrase from this file (one trailing newline is ignored). "
         "Also VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND.")]
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


def _open(state: State) -> Any:
    from .store import Store
    store = Store.open(state.path)
    loose = paths.loose_modes(state.path)
    if loose:
        ui.warn(f"{loose[0]} can be read by other users; run `chmod 600` on the vault "
                "files and `chmod 700` on their folder")
    return store


@contextlib.contextmanager
def _unlocked(ctx: typer.Context, passphrase_file: str | None) -> Iterator[Any]:
    from .session import Session
    store = _open(_state(ctx))
    session = None
    try:
        session = Session.unlock(store, passphrases.get(passphrase_file))
        yield session
    finally:
        if session is not None and session.failed_attempts:
            ui.warn(f"{session.failed_attempts} failed unlock attempt(s) since the last "
                    "unlock")
        store.close()


def _local(dt: datetime | None) -> str:
    return "-" if dt is None else dt.astimezone().strftime("%Y-%m-%d %H:%M")


def _json(obj: Any) -> None:
    ui.out(ui.json_safe(json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))) + "\n")


# -- init ----------------------------------------------------------------

@app.command()
def init(ctx: typer.Context,
         kdf_memory: Annotated[Optional[int], typer.Option(
             "--kdf-memory", metavar="MIB", help="Argon2id memory in MiB (default 64; "
             "less is allowed with a warning).")] = None,
         kdf_iterations: Annotated[Optional[int], typer.Option(
             "--kdf-iterations", metavar="N", help="Argon2id passes (default: "
             "calibrated to about half a second on this machine).")] = None,
         passphrase_file: PassphraseFile = None) -> None:
    """Create a new, empty vault protected by a passphrase.

    Asks for the passphrase twice on a terminal. Refuses to touch an existing vault.
    """
    from .models import KdfParams
    path = _state(ctx).path
    if path.exists():
        raise Refused("a vault already exists here; it was left untouched",
                      hint="use --vault PATH or VAULT_PATH to create another one")
    memory = core.MIN_KDF_MEMORY_MIB if kdf_memory is None else kdf_memory
    if not 1 <= memory <= 4096:
        raise UsageError("--kdf-memory must be between 1 and 4096 MiB")
    if kdf_iterations is not None and not 1 <= kdf_iterations <= 64:
        raise UsageError("--kdf-iterations must be between 1 and 64")
    if memory < core.MIN_KDF_MEMORY_MIB:
        ui.warn(f"--kdf-memory {memory} is below the recommended "
                f"{core.MIN_KDF_MEMORY_MIB} MiB: the passphrase is easier to guess")
    secret = passphrases.new(passphrase_file)
    weak = passphrases.weakness(secret)
    if weak:
        ui.warn(f"{weak}; a longer passphrase of several words is much harder to guess")
    if kdf_iterations is None:
        ui.info("calibrating the key derivation to this machine...")
        params = core.calibrate_kdf(memory)
    else:
        params = KdfParams(memory * 1024, kdf_iterations, 1)
    session = core.init(path, secret, params)
    session.store.close()
    ui.info(f"created a vault at {path} (Argon2id, {params.memory_kib // 1024} MiB, "
            f"{params.iterations} passes)")


# -- add -----------------------------------------------------------------

@app.command()
def add(ctx: typer.Context,
        client: Annotated[str, typer.Argument(metavar="CLIENT", help="The client's name.")],
        message: Annotated[Optional[str], typer.Option(
            "-m", "--message", metavar="TEXT", help="The note text. Without it the text "
            "is read from stdin when piped, else written in $VISUAL or $EDITOR.")] = None,
        tag: Annotated[Optional[list[str]], typer.Option(
            "--tag", metavar="TAG", help="A tag for the note; repeat for more.")] = None,
        new: Annotated[bool, typer.Option(
            "--new", help="Create the client if it does not exist yet.")] = False,
        json_out: JsonFlag = False,
        passphrase_file: PassphraseFile = None) -> None:
    """Add a note to a client's file.

    A client that does not exist is created only with --new, or after a yes on a
    terminal; a typo never silently opens a second file.
    """
    from . import editor
    text: str | None = None
    if message is not None:
        text = core.check_text(message)
    elif not sys.stdin.isatty():
        text = core.decode_text(sys.stdin.buffer.read(core.MAX_NOTE_BYTES + 1))
    with _unlocked(ctx, passphrase_file) as session:
        create = new
        if not new and not core.client_exists(session, client) and ui.interactive():
            create = ui.confirm(f'No client named "{ui.literal(core.check_name(client), False)}".'
                                " Create it?")
        if text is None:
            if not create:
                core.require_client(session, client)
            text = core.decode_text(editor.compose())
        added = core.add(session, client, text, tag or [], create=create)
    note = added.note
    if json_out:
        _json({"note": note.id, "created": _iso(note.created), "new_client": added.new_client})
    else:
        ui.info(f"added note {note.id}" + (" to a new client" if added.new_client else ""))


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- view ----------------------------------------------------------------

def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value)
        return dt.astimezone() if dt.tzinfo is None else dt  # naive means local time
    except (ValueError, OverflowError):
        raise UsageError("--since takes a date such as 2026-01-31 or 2026-01-31T09:00") from None


@app.command()
def view(ctx: typer.Context,
         client: Annotated[str, typer.Argument(metavar="CLIENT", help="The client's name.")],
         last: Annotated[Optional[int], typer.Option(
             "--last", metavar="N", min=1, help="Only the N most recent notes.")] = None,
         since: Annotated[Optional[str], typer.Option(
             "--since", metavar="DATE", help="Only notes from DATE on (local time "
             "unless an offset is given).")] = None,
         json_out: JsonFlag = False,
         passphrase_file: PassphraseFile = None) -> None:
    """Show one client's notes, oldest first.

    Text is printed literally: control characters and markup are shown, never
    interpreted. With --json: {"client", "notes": [{"id", "created", "tags", "text"}]}.
    """
    since_dt = _parse_since(since)
    with _unlocked(ctx, passphrase_file) as session:
        found, notes = core.view(session, client, last=last, since=since_dt)
    if json_out:
        _json({"client": found.name, "notes": [
            {"id": n.id, "created": _iso(n.created), "tags": list(n.tags), "text": n.text}
            for n in notes]})
        return
    parts = [f"client: {ui.literal(found.name, False)}\n"]
    for n in notes:
        tags = "  " + " ".join("#" + ui.literal(t, False) for t in n.tags) if n.tags else ""
        text = ui.literal(n.text)
        parts.append(f"\nnote {n.id}  {_local(n.created)}{tags}\n{text}"
                     + ("" if text.endswith("\n") else "\n"))
    ui.out("".join(parts))
    if not notes:
        ui.info("no notes" + (" match" if last or since else ""))


# -- list ----------------------------------------------------------------

@app.command("list")
def list_(ctx: typer.Context, json_out: JsonFlag = False,
          passphrase_file: PassphraseFile = None) -> None:
    """List every client with note count and last activity.

    With --json: [{"client", "notes", "last"}], last in ISO-8601 UTC or null.
    """
    with _unlocked(ctx, passphrase_file) as session:
        clients = core.list_clients(session)
    if json_out:
        _json([{"client": c.name, "notes": c.notes,
                "last": None if c.last is None else _iso(c.last)} for c in clients])
        return
    ui.table(["client", "notes", "last"],
             [[c.name, str(c.notes), _local(c.last)] for c in clients])
    if not clients:
        ui.info("no clients yet; add one with `vault add NAME --new`")


# -- log -----------------------------------------------------------------

@log_app.callback(invoke_without_command=True)
def log(ctx: typer.Context,
        client: Annotated[Optional[str], typer.Option(
            "--client", metavar="CLIENT", help="Only the entries about this client.")] = None,
        json_out: JsonFlag = False,
        passphrase_file: PassphraseFile = None) -> None:
    """Show the access log with its details decrypted (needs the passphrase).

    Names are never stored in the log; --client finds one client's entries.
    """
    if ctx.invoked_subcommand is not None:
        return
    with _unlocked(ctx, passphrase_file) as session:
        shown = core.read_log(session, client)
    rows = [{"seq": s.entry.seq, "time": s.entry.time, "action": s.entry.action,
             "via": s.entry.via, "signed": s.entry.signature is not None,
             "clients": s.clients, "detail": s.detail} for s in shown]
    if json_out:
        _json(rows)
        return
    ui.table(["seq", "time", "action", "via", "signed", "clients", "detail"],
             [[str(r["seq"]), r["time"], r["action"], r["via"], "yes" if r["signed"] else "no",
               str(r["clients"]),
               "" if r["detail"] is None else json.dumps(r["detail"], separators=(",", ":"))]
              for r in rows])


@log_app.command("verify")
def log_verify(ctx: typer.Context,
               checkpoint: Annotated[Optional[str], typer.Option(
                   "--checkpoint", metavar="LINE", help="Also prove the log still extends "
                   "this line from `vault log checkpoint`.")] = None,
               no_unlock: Annotated[bool, typer.Option(
                   "--no-unlock", help="Do not ask for the passphrase (for an auditor); "
                   "a cut-off tail then goes unnoticed.")] = False,
               json_out: JsonFlag = False,
               passphrase_file: PassphraseFile = None) -> None:
    """Check the log's signatures and hash chain; no passphrase needed.

    With a passphrase source (or on a terminal), also checks the log against the
    head sealed inside the vault, which catches a cut-off tail. Exit 5 on any problem.
    """
    from .session import Session
    store = _open(_state(ctx))
    try:
        session = None
        if not no_unlock and (passphrases.configured(passphrase_file) or ui.interactive()):
            session = Session.unlock(store, passphrases.get(passphrase_file))
        report = core.verify_log(store, session, checkpoint)
    finally:
        store.close()
    if json_out:
        _json({"ok": report.ok, "entries": report.entries, "signed": report.signed,
               "unsigned_tail": report.unsigned_tail, "head_seq": report.head_seq,
               "head_hash": report.head_hash.hex(), "head_checked": report.head_checked,
               "checkpoint_checked": report.checkpoint_checked,
               "key_fingerprint": report.key_fingerprint.hex(),
               "problems": report.problems})
    else:
        for p in report.problems:
            ui.info(f"problem: {p}")
        if report.ok:
            ui.out(f"log ok: {report.entries} entries, {report.signed} signed"
                   + (f", {report.unsigned_tail} unsigned at the tail (recorded while locked)"
                      if report.unsigned_tail else "")
                   + (", matches the checkpoint" if report.checkpoint_checked else "")
                   + f"; key {report.key_fingerprint.hex()}\n")
    if not report.head_checked:
        ui.warn("not checked against the head sealed in the vault (no passphrase): "
                "a cut-off tail would go unnoticed")
    if not report.ok:
        raise IntegrityError(f"the access log does not verify ({len(report.problems)} "
                             "problem(s))")


@log_app.command("checkpoint")
def log_checkpoint(ctx: typer.Context) -> None:
    """Print one line naming the log's newest entry; keep it somewhere else.

    Later, `vault log verify --checkpoint LINE` proves the log still extends it,
    which catches the whole vault file being rolled back to an older copy.
    """
    store = _open(_state(ctx))
    try:
        ui.out(core.checkpoint(store) + "\n")
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    import os
    os.umask(0o077)  # belt and braces: nothing we create is for others
    try:
        code = typer.main.get_command(app).main(args=argv, prog_name="vault",
                                                standalone_mode=False)
    except ClickUsageError as e:  # before a command runs: `vault --bogus`
        _usage_error(e)
        return int(ExitCode.USAGE)
    except ClickException as e:
        ui.error(e.format_message())
        return e.exit_code
    except typer.Abort:
        ui.error("aborted")
        return int(ExitCode.ERROR)
    return code if isinstance(code, int) else 0
