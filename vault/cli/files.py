"""Closing, legal hold, redaction and shredding: the commands that change or
destroy a client's file. Destructive ones confirm on a terminal and need
--yes without one (exit 6 otherwise)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, Optional

import typer

from .. import validate
from ..errors import Refused, UsageError
from . import argfile, ui
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _local, _unlocked, app, lazy

lifecycle = lazy("vault.commands.files")

ClientArg = Annotated[str, typer.Argument(metavar="CLIENT", help="The client's name.")]
YesFlag = Annotated[bool, typer.Option("--yes", help="Do it without asking (for scripts).")]


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} takes a date such as 2033-01-31") from None


# -- close, reopen, hold, release -----------------------------------------------

@app.command(short_help="Close a client's file, with a retention date.")
def close(ctx: typer.Context, client: ClientArg,
          retain_until: Annotated[Optional[str], typer.Option(
              "--retain-until", metavar="DATE", help="Keep the file until DATE "
              "(YYYY-MM-DD; a past date makes it due at once).")] = None,
          retain: Annotated[Optional[str], typer.Option(
              "--retain", metavar="DURATION", help="Keep the file for a while from "
              "today: 7y, 18m or 90d.")] = None,
          passphrase_file: PassphraseFile = None,
          keyfile: KeyFile = None) -> None:
    """Close a client's file, optionally with a retention date.

    Closed files still show with `view`. `vault shred --expired` destroys closed
    files whose retention date has passed (never one under legal hold).
    """
    if retain_until is not None and retain is not None:
        raise UsageError("give --retain-until or --retain, not both")
    until = (_parse_date(retain_until, "--retain-until") if retain_until is not None
             else validate.calendar_date(retain, "--retain", date.today()) if retain is not None
             else None)
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        lifecycle.close(session, client, until)
    ui.info("closed the client file" + (f"; retain until {until.isoformat()}" if until
                                        else "; no retention date"))


@app.command(short_help="Reopen a closed client file.")
def reopen(ctx: typer.Context, client: ClientArg,
           passphrase_file: PassphraseFile = None,
           keyfile: KeyFile = None) -> None:
    """Reopen a closed client file; its retention date is cleared."""
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        lifecycle.reopen(session, client)
    ui.info("reopened the client file")


@app.command(short_help="Put a client's file under legal hold.")
def hold(ctx: typer.Context, client: ClientArg,
         reason: Annotated[Optional[str], typer.Option(
             "--reason", metavar="TEXT", help="Why the file must be kept (shown when "
             "a shred or redaction is refused).")] = None,
         reason_file: Annotated[Optional[str], typer.Option(
             "--reason-file", metavar="PATH", help="Read the reason from PATH (- for "
             "stdin), to keep it out of shell history and `ps`.")] = None,
         passphrase_file: PassphraseFile = None,
         keyfile: KeyFile = None) -> None:
    """Put a client's file under legal hold: no shred or redaction until released.

    Give the reason with --reason TEXT or --reason-file PATH.
    """
    reason = argfile.one_of(reason, reason_file, "--reason", "--reason-file")
    if reason is None:
        raise UsageError("give --reason TEXT or --reason-file PATH")
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        lifecycle.hold(session, client, reason)
    ui.info("the client file is under legal hold")


@app.command()
def release(ctx: typer.Context, client: ClientArg,
            passphrase_file: PassphraseFile = None,
            keyfile: KeyFile = None) -> None:
    """Release a client's file from legal hold."""
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        lifecycle.release(session, client)
    ui.info("the legal hold is released")


# -- redact -----------------------------------------------------------------------

def _show_hits(hits: list[lifecycle.Hit], with_client: bool) -> None:
    shown_client = None
    for h in hits:
        if with_client and h.client.id != shown_client:
            ui.out(f"client: {ui.literal(h.client.name, False)}\n")
            shown_client = h.client.id
        ui.out(f"\nnote {h.note.id}  {_local(h.note.created)}\n")
        ui.marked(h.note.text, [(s.start, s.end) for s in h.spans])


@app.command()
def redact(ctx: typer.Context,
           client: Annotated[Optional[str], typer.Argument(
               metavar="[CLIENT]", help="The client's name (or --everywhere).")] = None,
           note: Annotated[Optional[list[int]], typer.Option(
               "--note", metavar="ID", help="Only this note; repeat for more.")] = None,
           text: Annotated[Optional[str], typer.Option(
               "--text", metavar="STRING", help="Remove this text: whole words, any "
               "case.")] = None,
           text_file: Annotated[Optional[str], typer.Option(
               "--text-file", metavar="PATH", help="Read --text from PATH (- for stdin), "
               "to keep it out of shell history and `ps`.")] = None,
           pattern: Annotated[Optional[str], typer.Option(
               "--pattern", metavar="REGEX", help="Remove what this Python regular "
               "expression matches.")] = None,
           pii: Annotated[bool, typer.Option(
               "--pii", help="Remove emails, phone numbers, SSNs, card numbers, IBANs, "
               "IP addresses, street addresses, postcodes and record numbers, with typed "
               "placeholders: what export-anonymized finds, less dates, ages and URLs.")] = False,
           everywhere: Annotated[bool, typer.Option(
               "--everywhere", help="Every client's notes (with --text or --pattern).")] = False,
           reason: Annotated[Optional[str], typer.Option(
               "--reason", metavar="TEXT", help="Why; kept in the encrypted log, sealed "
               "under the changed clients' keys: a shred of one of them erases it.")] = None,
           dry_run: Annotated[bool, typer.Option(
               "--dry-run", help="Show what would go; change nothing.")] = False,
           yes: YesFlag = False, json_out: JsonFlag = False,
           passphrase_file: PassphraseFile = None,
           keyfile: KeyFile = None) -> None:
    """Strike text from notes for good: it becomes [REDACTED].

    With --text (and no --note), aliases that match are struck from the
    client's record too. Tags that match are reported, never changed.

    Shows a preview with the spans marked, then asks on a terminal; --yes for
    scripts, --dry-run to only look. The notes are re-encrypted under a new key
    and the old key destroyed, so the text cannot be recovered from the vault
    file, even with the passphrase. The log records where and how much, never
    the text.
    """
    if everywhere and pii:
        raise UsageError("--pii works on one CLIENT, not with --everywhere")
    text = argfile.one_of(text, text_file, "--text", "--text-file")
    finder = lifecycle.make_finder(text, pattern, pii)
    note_ids = tuple(note or ())
    lifecycle.check_target(client, everywhere, note_ids)
    interactive = ui.interactive()
    if not (dry_run or yes or interactive):
        raise Refused("redact changes notes for good and there is no terminal to confirm on",
                      hint="add --yes to confirm, or --dry-run to see what would go")
    aliases = text is not None   # --text also strikes the aliases it matches
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        if dry_run or not yes:
            found = lifecycle.redact_preview(session, client, finder, note_ids, everywhere,
                                             aliases=aliases)
            hits = found.hits
            if not json_out:
                _show_hits(hits, with_client=everywhere)
            preview = lifecycle.Redacted(hits, True, found.aliases_struck, tuple(found.tags))
            if not (hits or found.aliases) or dry_run:
                _redact_summary(preview, dry_run=True, json_out=json_out)
                return
            count = sum(len(h.spans) for h in hits)
            also = f" and {found.aliases_struck} alias(es)" if found.aliases else ""
            if not ui.confirm(f"Remove {count} span(s) from {len(hits)} note(s){also}? "
                              "This cannot be undone."):
                raise Refused("not confirmed; nothing was changed")
        result = lifecycle.redact(session, client, finder, note_ids, everywhere, reason,
                                  aliases=aliases)
    _redact_summary(result, dry_run=False, json_out=json_out)
    if (result.hits or result.aliases) and not result.erased:
        raise lifecycle.erase_failed_error()


def _redact_summary(r: lifecycle.Redacted, dry_run: bool, json_out: bool) -> None:
    hits = r.hits
    if json_out:
        _json({"dry_run": dry_run, "clients": r.clients, "notes": [h.note.id for h in hits],
               "spans": r.spans, "characters": r.characters, "aliases": r.aliases,
               "tags_matched": [{"note": t.note, "tag": t.tag} for t in r.tags]})
        return
    verb = "would remove" if dry_run else "removed"
    if not hits and not r.aliases:
        ui.info("nothing matches; nothing was changed")
    elif hits:
        ui.info(f"{verb} {r.spans} span(s), {r.characters} character(s), "
                f"from {len(hits)} note(s)")
    if r.aliases:
        ui.info(f"{verb} {r.aliases} matching alias(es) from the client record(s)")
    if r.tags:
        shown = ", ".join(f"note {t.note} #{ui.literal(t.tag, False)}" for t in r.tags)
        ui.warn(f"{len(r.tags)} tag(s) also match and are not changed by redact: {shown}")


# -- shred ------------------------------------------------------------------------

@app.command()
def shred(ctx: typer.Context,
          client: Annotated[Optional[str], typer.Argument(
              metavar="[CLIENT]", help="The client whose file to destroy.")] = None,
          expired: Annotated[bool, typer.Option(
              "--expired", help="Every closed file past its retention date, except "
              "those under legal hold.")] = False,
          dry_run: Annotated[bool, typer.Option(
              "--dry-run", help="With --expired: list what is due; destroy nothing.")] = False,
          yes: YesFlag = False, json_out: JsonFlag = False,
          passphrase_file: PassphraseFile = None,
          keyfile: KeyFile = None) -> None:
    """Destroy a client's file for good: notes, name, key.

    On a terminal you type the client's name to confirm; --yes for scripts.
    A file under legal hold is refused. Afterwards the vault answers "not found"
    for the name exactly as for someone who was never a client; only an opaque
    tombstone remains. Made for cron: `vault shred --expired --yes --json`.
    """
    if (client is None) == (not expired):
        raise UsageError("give a CLIENT or --expired, not both")
    if dry_run and not expired:
        raise UsageError("--dry-run works with --expired")
    interactive = ui.interactive()
    if not (dry_run or yes or interactive):
        raise Refused("shred destroys files for good and there is no terminal to confirm on",
                      hint="add --yes to confirm" + (", or --dry-run to see what is due"
                                                     if expired else ""))
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        if expired:
            result = _shred_expired(session, dry_run, yes, json_out)
            if result is None:
                return
        else:
            if not yes:
                lifecycle.check_shreddable(session, client)
                sys.stderr.write("This destroys the client's notes for good. "
                                 "Type the client's name to confirm: ")
                sys.stderr.flush()
                if not lifecycle.confirm_name_matches(sys.stdin.readline(), client):
                    raise Refused("the name does not match; nothing was destroyed")
            result = lifecycle.shred(session, client)
    if json_out:
        _json({"dry_run": False, "shredded": result.clients, "notes": result.notes,
               "held": result.held, "backups": list(result.backups)})
    else:
        ui.info(f"shredded {result.clients} client file(s), {result.notes} note(s)"
                + (f"; {result.held} under legal hold kept" if result.held else ""))
    if result.backups:
        ui.warn(f"{len(result.backups)} backup(s) made while the file existed still hold "
                "it: " + ", ".join(ui.literal(p, multiline=False) for p in result.backups))
    if result.clients and not result.erased:
        raise lifecycle.erase_failed_error()


def _shred_expired(session, dry_run: bool, yes: bool, json_out: bool):
    today = date.today()
    if dry_run or not yes:
        due, held = lifecycle.expired(session, today)
        if dry_run:
            if json_out:
                _json({"dry_run": True, "due": [c.name for c in due],
                       "held": [c.name for c in held]})
            else:
                ui.table(["client", "retain until", "state"],
                         [[c.name, c.retain_until.isoformat(), "due"] for c in due]
                         + [[c.name, c.retain_until.isoformat(), "held"] for c in held])
                ui.info(f"{len(due)} file(s) due, {len(held)} held; nothing was destroyed")
            return None
        if due and not ui.confirm(f"Shred {len(due)} closed file(s) past their retention "
                                  "date? This cannot be undone."):
            raise Refused("not confirmed; nothing was destroyed")
    return lifecycle.shred_expired(session, today)



