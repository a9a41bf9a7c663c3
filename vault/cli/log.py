"""`vault log`, `log verify` and `log checkpoint`."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from ..errors import IntegrityError, UsageError
from . import passphrase as passphrases
from . import ui
from .base import (
    JsonFlag,
    KeyFile,
    PassphraseFile,
    _json,
    _open,
    _state,
    _unlock,
    _unlocked,
    app,
    lazy,
)

core = lazy("vault.commands.log")

log_app = typer.Typer(help="Show the access log, verify it, or print a checkpoint.",
                      rich_markup_mode=None)
app.add_typer(log_app, name="log")


@log_app.callback(invoke_without_command=True)
def log(ctx: typer.Context,
        client: Annotated[Optional[str], typer.Option(
            "--client", metavar="CLIENT", help="Only the entries about this client.")] = None,
        disclosures: Annotated[bool, typer.Option(
            "--disclosures", help="With --client: only the entries that showed or handed "
            "out the client's text (views, exports with their recipient and purpose, "
            "redact previews, search hits): the accounting of disclosures a client may "
            "ask for.")] = False,
        json_out: JsonFlag = False,
        passphrase_file: PassphraseFile = None,
        keyfile: KeyFile = None) -> None:
    """Show the access log with its details decrypted (needs the passphrase).

    Names are never stored in the log; --client finds one client's entries.
    """
    if ctx.invoked_subcommand is not None:
        if client is not None or json_out or passphrase_file is not None:
            raise UsageError(f"options go after `{ctx.invoked_subcommand}`, e.g. "
                             f"`vault log {ctx.invoked_subcommand} --json`")
        return
    if disclosures and client is None:
        raise UsageError("--disclosures needs --client CLIENT")
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        shown = core.read_log(session, client,
                              actions=core.DISCLOSURES if disclosures else None)
    rows = [{"seq": s.entry.seq, "time": s.entry.time, "action": s.entry.action,
             "via": s.entry.via, "signed": s.entry.signature is not None,
             "clients": s.clients, "detail": s.detail,
             "recipient": s.recipient, "purpose": s.purpose} for s in shown]
    if json_out:
        _json(rows)
        return
    # With --disclosures, who received it and why come right after the action
    # (the accounting's columns); the other columns keep their order.
    extra = ["recipient", "purpose"] if disclosures else []
    ui.table(["seq", "time", "action", *extra, "via", "signed", "clients", "detail"],
             [[str(r["seq"]), r["time"], r["action"], *(r[k] or "-" for k in extra),
               r["via"], "yes" if r["signed"] else "no", str(r["clients"]),
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
               passphrase_file: PassphraseFile = None,
               keyfile: KeyFile = None) -> None:
    """Check the log's signatures and hash chain; no passphrase needed.

    With a passphrase source (or on a terminal), also checks the log against the
    head sealed inside the vault, which catches a cut-off tail. Exit 5 on any problem.
    """
    store = _open(_state(ctx), read_only=True)
    try:
        session = None
        if not no_unlock and (passphrases.configured(passphrase_file) or ui.interactive()):
            session = _unlock(store, passphrase_file, keyfile)
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
    store = _open(_state(ctx), read_only=True)
    try:
        ui.out(core.checkpoint(store) + "\n")
    finally:
        store.close()
