"""`vault init`, `add`, `view` and `list`: the everyday commands."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Optional

import typer

from .. import validate
from ..errors import Refused
from ..models import KDF_MIN_MEMORY_MIB, Client
from . import passphrase as passphrases
from . import ui
from .base import (
    JsonFlag,
    KeyFile,
    PassphraseFile,
    _iso,
    _json,
    _local,
    _open,
    _state,
    _unlocked,
    app,
    lazy,
)

core = lazy("vault.commands.notes")
transaction = lazy("vault.commands.transaction")


@app.command()
def init(ctx: typer.Context,
         kdf_memory: Annotated[Optional[int], typer.Option(
             "--kdf-memory", metavar="MIB", help="Argon2id memory in MiB (default 64; "
             "less is allowed with a warning).")] = None,
         kdf_iterations: Annotated[Optional[int], typer.Option(
             "--kdf-iterations", metavar="N", help="Argon2id passes (default: "
             "calibrated to about half a second on this machine).")] = None,
         passphrase_file: PassphraseFile = None,
         keyfile: Annotated[Optional[str], typer.Option(
             "--keyfile", metavar="PATH", help="Also require this key file to unlock "
             "(make one with `vault keyfile new PATH`).")] = None) -> None:
    """Create a new, empty vault protected by a passphrase.

    Asks for the passphrase twice on a terminal. Refuses to touch an existing vault.
    With --keyfile, the vault needs both the passphrase and the key file.
    """
    from ..models import KdfParams
    path = _state(ctx).path
    if path.exists():
        raise Refused("a vault already exists here; it was left untouched",
                      hint="use --vault PATH or VAULT_PATH to create another one")
    memory = KDF_MIN_MEMORY_MIB if kdf_memory is None else kdf_memory
    validate.check_kdf_options(memory, kdf_iterations)
    if memory < KDF_MIN_MEMORY_MIB:
        ui.warn(f"--kdf-memory {memory} is below the recommended "
                f"{KDF_MIN_MEMORY_MIB} MiB: the passphrase is easier to guess")
    second = passphrases.keyfile(keyfile) if keyfile is not None else None
    secret = passphrases.new(passphrase_file)
    weak = passphrases.weakness(secret)
    if weak:
        ui.warn(f"{weak}; a longer passphrase of several words is much harder to guess")
    if kdf_iterations is None:
        ui.info("calibrating the key derivation to this machine...")
        params = core.calibrate_kdf(memory)
    else:
        params = KdfParams(memory * 1024, kdf_iterations, 1)
    core.init(path, secret, params, keyfile=second)
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
        sealed: Annotated[bool, typer.Option(
            "--sealed", help="Add while locked: no passphrase, instant. The note is "
            "sealed into an inbox and filed under CLIENT at the next unlock.")] = False,
        json_out: JsonFlag = False,
        passphrase_file: PassphraseFile = None,
        keyfile: KeyFile = None) -> None:
    """Add a note to a client's file.

    A client that does not exist is created only with --new, or when chosen on a
    terminal, where close matches are offered first; a typo never silently opens
    a second file. Text from a file (`vault add CLIENT < note.txt`) stays out of
    shell history and `ps`, unlike -m; the passphrase is then asked on the terminal.
    """
    from . import editor
    text: str | None = None
    if message is not None:
        text = validate.check_text(message)
    elif not sys.stdin.isatty():
        text = validate.decode_text(sys.stdin.buffer.read(validate.MAX_NOTE_BYTES + 1))
    if sealed:
        _add_sealed(ctx, client, text, tag or [], json_out)
        return
    # Before the passphrase is asked: no editor at all costs no unlock.
    composer = editor.find() if text is None else None
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        client, create = _which_client(session, client, new)
        if text is None:
            if not create:
                transaction.require_client(session, client)
            text = validate.decode_text(editor.compose(composer))
        added = core.add(session, client, text, tag or [], create=create)
    note = added.note
    if json_out:
        _json({"note": note.id, "created": _iso(note.created), "new_client": added.new_client})
    else:
        ui.info(f"added note {note.id}" + (" to a new client" if added.new_client else ""))


def _which_client(session: Any, name: str, new: bool) -> tuple[str, bool]:
    """The client a note goes to, and whether to create it. A name that is no
    client is created with --new (with a warning if it looks like another's);
    on a terminal, close matches are offered before anything is created;
    otherwise it stays as given, and `core.add` fails with exit 4."""
    if transaction.client_exists(session, name):
        return name, False
    if new:
        _warn_lookalikes(session, name)
        return name, True
    if not ui.can_ask():
        return name, False
    matches = transaction.close_matches(session, name)
    shown = ui.literal(validate.check_name(name), False)
    if not matches:
        return name, ui.confirm(f'No client named "{shown}". Create it?')
    same = validate.skeleton(name)
    offered = "".join(
        f"\n  {i}) {ui.literal(c.name, False)}"
        + ("   (looks the same, spelled with other characters)"
           if validate.skeleton(c.name) == same else "")
        for i, c in enumerate(matches, 1))
    choices = f"1-{len(matches)}" if len(matches) > 1 else "1"
    question = (f'No client named "{shown}". Did you mean:{offered}\n'
                f'  n) a new client named "{shown}"\n'
                f"Choose {choices}, n, or Enter to add nothing: ")
    for _ in range(5):
        answer = ui.ask(question).lower()
        if not answer:
            break
        if answer in ("n", "new"):
            return name, True
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(matches):
            return matches[int(answer) - 1].name, False
        question = f"Choose {choices}, n, or Enter to add nothing: "
    raise Refused("no client was chosen; nothing was added")


def _warn_lookalikes(session: Any, name: str) -> None:
    """A new name that reads like an existing client's (a Cyrillic "а" in
    "Jаne Doe"): the other name is shown on a terminal only."""
    found = transaction.lookalikes(session, name)
    if not found:
        return
    if not ui.stderr_is_tty():
        ui.warn(f"the new client's name looks the same as {len(found)} existing client "
                "name(s) but is spelled with other characters (such as Cyrillic or Greek "
                "letters); run on a terminal to see them, or see `vault list`")
        return
    letters = validate.lookalike_letters(name) or validate.lookalike_letters(found[0].name)
    others = ", ".join(f'"{ui.literal(c.name, False)}"' for c in found)
    ui.warn(f'the new client "{ui.literal(name, False)}" looks the same as the existing '
            f"client {others} but is spelled with other characters ({', '.join(letters)})")


def _add_sealed(ctx: typer.Context, client: str, text: str | None, tags: list[str],
                json_out: bool) -> None:
    from ..commands import inbox
    from . import editor
    name, clean_tags = validate.check_name(client), validate.check_tags(tags)
    if text is None:
        text = validate.decode_text(editor.compose())
    store = _open(_state(ctx))
    try:
        item = inbox.seal(store, name, text, clean_tags)
    finally:
        store.close()
    if json_out:
        _json({"sealed": True, "inbox": item})
    else:
        ui.info("sealed the note; it is filed under the client at the next unlock")




# -- view ----------------------------------------------------------------

def _parse_since(value: str | None) -> datetime | None:
    return None if value is None else validate.parse_since(value)


@app.command()
def view(ctx: typer.Context,
         client: Annotated[str, typer.Argument(metavar="CLIENT", help="The client's name.")],
         last: Annotated[Optional[int], typer.Option(
             "--last", metavar="N", min=1, help="Only the N most recent notes.")] = None,
         since: Annotated[Optional[str], typer.Option(
             "--since", metavar="DATE", help="Only notes from DATE on: 2026-01-31 (local "
             "time unless an offset is given), today, yesterday, last monday, or 3d, 2w, "
             "6mo, 1y back from today.")] = None,
         tag: Annotated[Optional[str], typer.Option(
             "--tag", metavar="TAG", help="Only notes with this tag (any case).")] = None,
         json_out: JsonFlag = False,
         passphrase_file: PassphraseFile = None,
         keyfile: KeyFile = None) -> None:
    """Show one client's notes, oldest first.

    Text is printed literally: control characters and markup are shown, never
    interpreted. A note added with `add --sealed` is marked "(captured while
    locked)". With --json: {"client", "notes": [{"id", "created", "tags", "text"}]},
    and "captured": true on such a note.
    """
    since_dt = _parse_since(since)
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        found, notes = core.view(session, client, last=last, since=since_dt, tag=tag)
    if json_out:
        _json({"client": found.name, "notes": [
            {"id": n.id, "created": _iso(n.created), "tags": list(n.tags), "text": n.text,
             **({"captured": True} if n.captured else {})} for n in notes]})
        return
    parts = [f"client: {ui.literal(found.name, False)}\n"]
    for n in notes:
        tags = "  " + " ".join("#" + ui.literal(t, False) for t in n.tags) if n.tags else ""
        text = ui.literal(n.text)
        mark = "  (captured while locked)" if n.captured else ""
        parts.append(f"\nnote {n.id}  {_local(n.created)}{tags}{mark}\n{text}"
                     + ("" if text.endswith("\n") else "\n"))
    ui.out("".join(parts))
    if not notes:
        ui.info("no notes" + (" match" if last or since or tag else ""))


# -- list ----------------------------------------------------------------

@app.command("list", short_help="List clients: notes, last activity, status.")
def list_(ctx: typer.Context, json_out: JsonFlag = False,
          passphrase_file: PassphraseFile = None,
          keyfile: KeyFile = None) -> None:
    """List every client with note count, last activity, status and retention.

    With --json: [{"client", "notes", "last", "status", "retain_until", "hold"}],
    last in ISO-8601 UTC or null, retain_until a date or null, hold true or false.
    """
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        clients = core.list_clients(session)
    if json_out:
        _json([{"client": c.name, "notes": c.notes,
                "last": None if c.last is None else _iso(c.last), "status": c.status,
                "retain_until": None if c.retain_until is None else c.retain_until.isoformat(),
                "hold": c.hold is not None} for c in clients])
        return
    if ui.stdout_is_tty():
        ui.table(_LIST_COLUMNS, _list_rows(clients), written=_LIST_WRITTEN)
    else:
        # What the agent wrote of these very clients after its count, if it
        # wrote it in this zone (serve.py): the same lines, not made again.
        shown = clients.shown
        ui.out(shown[1] if shown is not None and shown[0] == ui.zone_key()
               else listing_lines(clients.clients)[1])
    if not clients:
        ui.info("no clients yet; add one with `vault add NAME --new`")


_LIST_COLUMNS = ["client", "notes", "last", "status", "retain until"]
_LIST_WRITTEN = (1, 2, 3, 4)   # the program's own words: no escaping needed


def _list_rows(clients: Sequence[Client]) -> list[list[str]]:
    return [[c.name, str(c.notes), _local(c.last),
             c.status + (" (hold)" if c.hold is not None else ""),
             "-" if c.retain_until is None else c.retain_until.isoformat()]
            for c in clients]


def listing_lines(clients: Sequence[Client]) -> tuple[object, str]:
    """`list`'s output off a terminal, and the zone it was written in
    (ui.zone_key()). The agent calls this after each count that keeps every
    client (serve.py) and keeps the text: a `list` through it in the same
    zone prints that text instead of formatting 10,000 rows."""
    # The agent never read the zone again since it started: read it now, as
    # a worker does, and key the lines only if the zone file stayed the
    # same around that read (else a key that no zone has).
    before = ui.zone_key()
    if hasattr(time, "tzset"):
        time.tzset()
    key = ui.zone_key()
    text = ui.tab_lines(_LIST_COLUMNS, _list_rows(clients), written=_LIST_WRITTEN)
    return (key if key[2] == before[2] and ui.zone_key() == key else None), text


# -- log -----------------------------------------------------------------
