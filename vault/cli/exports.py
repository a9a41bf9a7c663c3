"""`vault export-anonymized` and `vault export`."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional, TextIO

import typer

from .. import paths
from ..errors import Refused, UsageError
from . import ui
from .base import KeyFile, PassphraseFile, _iso, _state, _unlocked, app

Client = Annotated[str, typer.Argument(metavar="CLIENT", help="The client's name.")]
Output = Annotated[Optional[str], typer.Option(
    "-o", "--output", metavar="FILE", help="Write to FILE (mode 0600); - or nothing "
    "for stdout.")]
Force = Annotated[bool, typer.Option("--force", help="Replace a file that exists.")]
Recipient = Annotated[Optional[str], typer.Option(
    "--recipient", metavar="TEXT", help="Who receives the export (a person, a firm, a "
    "court), for the accounting of disclosures; asked for on a terminal when missing.")]
Purpose = Annotated[Optional[str], typer.Option(
    "--purpose", metavar="TEXT", help="Why it is disclosed (the client's request, "
    "supervision, a subpoena); asked for on a terminal when missing.")]


# -- output ----------------------------------------------------------------------

@contextlib.contextmanager
def _destination(output: str | None, force: bool) -> Iterator[TextIO]:
    """A text stream to FILE (written whole or not at all) or to stdout."""
    if output in (None, "-"):
        buffer = io.StringIO()
        yield buffer
        text = buffer.getvalue()
        ui.out(ui.literal(text) if ui.stdout_is_tty() else text)
        return
    with paths.private_output(Path(output), overwrite=force) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield stream
        stream.flush()
        stream.detach()


def _refuse_existing(ctx: typer.Context, output: str | None, force: bool) -> None:
    """Before unlocking and logging: a target that exists is refused, and the
    vault's own files always are (--force would put plaintext in its place)."""
    if output not in (None, "-") and paths.is_vault_file(Path(output), _state(ctx).path):
        raise UsageError("the output may not be the vault file or one of its -wal, -shm "
                         "or -journal files")
    if output not in (None, "-") and not force and (Path(output).exists()
                                                    or Path(output).is_symlink()):
        raise Refused(f"{output} already exists; it was left untouched",
                      hint="add --force to replace it")


def _cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula (CSV
    injection): such cells get a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _write_anonymized(stream: TextIO, records: list, fmt: str) -> None:
    if fmt == "jsonl":
        for r in records:
            stream.write(json.dumps({"client": r.client, "note": r.note, "date": r.date,
                                     "tags": list(r.tags), "text": r.text},
                                    ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["client", "note", "date", "tags", "text"])
        for r in records:
            writer.writerow([r.client, r.note, r.date, _cell("; ".join(r.tags)),
                             _cell(r.text)])
    else:
        current = None
        for r in records:
            if r.client != current:
                stream.write(f"{'' if current is None else chr(10)}## {r.client}\n")
                current = r.client
            tags = f" ({', '.join(r.tags)})" if r.tags else ""
            stream.write(f"\n### Note {r.note}, {r.date}{tags}\n\n{r.text.rstrip()}\n")


def _disclosure(recipient: str | None, purpose: str | None, ask: bool) -> Any:
    """--recipient and --purpose, checked (exit 2); on a terminal (and `ask`)
    each one missing is asked for, Enter leaving it empty. An option given,
    even as "", is never asked for."""
    from ..commands import exports as export
    ask = ask and ui.interactive()
    if ask and recipient is None:
        recipient = ui.ask("Recipient (who receives this export; Enter for none): ")
        export.Disclosure(recipient).checked()   # a bad answer fails before the next
    if ask and purpose is None:
        purpose = ui.ask("Purpose (why it is disclosed; Enter for none): ")
    return export.Disclosure(recipient, purpose).checked()


# -- export-anonymized -----------------------------------------------------------

@app.command("export-anonymized", short_help="Export notes that identify nobody, for a "
             "supervisor.")
def export_anonymized(
        ctx: typer.Context,
        clients: Annotated[Optional[list[str]], typer.Argument(
            metavar="[CLIENT]...", help="The clients to export; none means every client.")] = None,
        fmt: Annotated[str, typer.Option(
            "--format", metavar="jsonl|csv|md", help="Output format (default jsonl).")] = "jsonl",
        output: Output = None, force: Force = False,
        dates: Annotated[str, typer.Option(
            "--dates", metavar="shift|year|keep", help="Dates shifted by a random "
            "per-client offset (default), cut to the year, or kept.")] = "shift",
        stable: Annotated[bool, typer.Option(
            "--stable-pseudonyms", help="The same pseudonyms (and date shifts) in every "
            "export, from a key kept in the vault: for longitudinal studies.")] = False,
        region: Annotated[str, typer.Option(
            "--region", metavar="CC", help="Default country for phone numbers written "
            "without a country code (default US; other countries are caught too).")] = "US",
        report: Annotated[Optional[str], typer.Option(
            "--report", metavar="FILE", help="Also write the residual-risk report as "
            "JSON to FILE: the words left that may identify someone, with their "
            "offsets.")] = None,
        keep: Annotated[Optional[list[str]], typer.Option(
            "--keep", metavar="WORD", help="Leave WORD alone: a false alarm the report "
            "listed or a word the detectors replace (a drug, a town you may name). "
            "Repeatable. Never releases a known client's name.")] = None,
        keep_file: Annotated[Optional[str], typer.Option(
            "--keep-file", metavar="PATH", help="Words to leave alone, one per line "
            "(# starts a comment); - for stdin.")] = None,
        also: Annotated[Optional[list[str]], typer.Option(
            "--also", metavar="WORD", help="Replace WORD wherever it stands, in any "
            "case, as [REDACTED]: a name the report listed. Repeatable.")] = None,
        strict: Annotated[bool, typer.Option(
            "--strict", help="Also replace every capitalised word, code and number of "
            "four digits or more that is not in the vocabulary: misses less, changes "
            "more ordinary words (see docs/anonymization.md).")] = False,
        recipient: Recipient = None, purpose: Purpose = None,
        passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Export notes that identify nobody, for a supervisor or a researcher.

    Every known client's name (parts, initials, possessives, aliases) is replaced
    by a pseudonym such as Client-7F3A in every note, whoever's note it is; people
    around a client become [PERSON]; emails, phones, SSNs, cards, IBANs, IPs, URLs,
    addresses, postcodes, ages over 89 and record numbers become typed
    placeholders; so do people nobody registered, places, organisations and
    codes. A report on stderr counts the replacements and lists the words left
    that may still identify someone: read it before sharing, then rerun with
    --keep, --also or --strict. Logged with --recipient and --purpose (asked
    for on a terminal when missing).
    """
    from ..commands import exports as export
    if fmt not in ("jsonl", "csv", "md"):
        raise UsageError("--format takes jsonl, csv or md")
    if dates not in export.DATE_MODES:
        raise UsageError("--dates takes shift, year or keep")
    region = region.upper()
    import phonenumbers
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError("--region takes a two-letter country code such as US, GB or DE")
    _refuse_existing(ctx, output, force)
    _refuse_existing(ctx, report, force)
    if report is not None and output not in (None, "-") and \
            Path(report).absolute() == Path(output).absolute():
        raise UsageError("--report and -o name the same file")
    _disclosure(recipient, purpose, ask=False)   # bad text: exit 2 before unlocking
    kept = _words(keep or [], "--keep") + (_word_file(keep_file) if keep_file else [])
    forced = _words(also or [], "--also")
    destination = "-" if output in (None, "-") else str(Path(output).absolute())
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        disclosure = _disclosure(recipient, purpose, ask=True)
        with ui.Progress("anonymizing") as progress:
            result = export.export_anonymized(session, clients or [], dates=dates,
                                              stable=stable, region=region,
                                              destination=destination, progress=progress,
                                              disclosure=disclosure, strict=strict,
                                              keep=kept, also=forced)
    with _destination(output, force) as stream:
        _write_anonymized(stream, result.records, fmt)
    summary = {"clients": result.clients, "notes": len(result.records),
               "replaced": result.counts, "strict": strict,
               "suspects": [{"word": w, "count": n} for w, n in result.suspects],
               "candidates": [{"client": c.client, "note": c.note, "field": c.field,
                               "start": c.start, "end": c.end, "text": c.text,
                               "why": c.why} for c in result.candidates]}
    if report is not None:
        with paths.private_output(Path(report), overwrite=force) as f:
            f.write(json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    _residual_report(summary, report)


def _words(words: list[str], option: str) -> list[str]:
    for word in words:
        if not word.strip():
            raise UsageError(f"{option} needs a word")
    return [w.strip() for w in words]


def _word_file(path: str) -> list[str]:
    """--keep-file: one word (or phrase) per line; blank lines and lines
    starting with # are skipped."""
    from .argfile import read_text
    return [line.strip() for line in read_text(path, "--keep-file").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _residual_report(summary: dict, report: str | None) -> None:
    ui.info(f"exported {summary['notes']} note(s) of {summary['clients']} client(s), "
            "anonymized")
    replaced = ", ".join(f"{k} {v}" for k, v in summary["replaced"].items()) or "nothing"
    ui.info(f"replaced: {replaced}")
    suspects = summary["suspects"]
    if not suspects:
        return
    if ui.stderr_is_tty():
        words = ", ".join(f"{ui.literal(s['word'], multiline=False)} ({s['count']})"
                          for s in suspects)
        ui.warn(f"review before sharing; these words were left and may be names, "
                f"places or codes nobody registered (release one with --keep, replace "
                f"one with --also): {words}")
    else:  # words from notes stay out of a cron job's log file
        ui.warn(f"{len(suspects)} word(s) left may be names, places or codes nobody "
                "registered" + ("; they are listed in the report" if report else
                                "; run on a terminal or with --report FILE to see them"))


# -- export (the client's own records) ---------------------------------------------

@app.command("export", short_help="Export one client's complete file (right of "
             "access).")
def export_client(ctx: typer.Context, client: Client,
                  fmt: Annotated[str, typer.Option(
                      "--format", metavar="md|json", help="Markdown (default) or JSON.")] = "md",
                  output: Output = None, force: Force = False,
                  yes: Annotated[bool, typer.Option(
                      "--yes", help="Do it without asking (for scripts): no confirmation, "
                      "and no question for a missing --recipient or --purpose.")] = False,
                  recipient: Recipient = None, purpose: Purpose = None,
                  passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Export one client's complete file, for their request for their records.

    Nothing is anonymized: this is everything the vault holds about the client
    (GDPR Art. 15, HIPAA right of access). Asks first on a terminal, then for
    --recipient and --purpose if they are missing; --yes for scripts. Logged as a
    disclosure: see `vault log --client CLIENT --disclosures`.
    """
    from ..commands import exports as export
    if fmt not in ("md", "json"):
        raise UsageError("--format takes md or json")
    _refuse_existing(ctx, output, force)
    _disclosure(recipient, purpose, ask=False)   # bad text: exit 2 before unlocking
    if not yes and not ui.interactive():
        raise Refused("export discloses a client's whole file and there is no terminal "
                      "to confirm on", hint="add --yes to confirm")
    destination = "-" if output in (None, "-") else str(Path(output).absolute())
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        if not yes and not ui.confirm("Export this client's complete, identifiable file?"):
            raise Refused("nothing was exported")
        disclosure = _disclosure(recipient, purpose, ask=not yes)
        found, notes = export.export_client(session, client, fmt, destination, disclosure)
    with _destination(output, force) as stream:
        if fmt == "json":
            stream.write(json.dumps({
                "client": found.name, "created": _iso(found.created), "status": found.status,
                "retain_until": None if found.retain_until is None
                else found.retain_until.isoformat(),
                "hold": found.hold is not None,
                "aliases": [{"alias": a.name, "relation": a.relation} for a in found.aliases],
                "notes": [{"id": n.id, "created": _iso(n.created), "tags": list(n.tags),
                           "text": n.text} for n in notes]}, ensure_ascii=False) + "\n")
        else:
            stream.write(f"# {found.name}\n\nClient since {_iso(found.created)[:10]}; "
                         f"{len(notes)} note(s).\n")
            stream.write("\n" + "".join(f"- {line}\n" for line in _about(found)))
            for n in notes:
                tags = f" ({', '.join(n.tags)})" if n.tags else ""
                stream.write(f"\n## {_iso(n.created)}{tags}\n\n{n.text.rstrip()}\n")
    ui.info(f"exported {len(notes)} note(s)" + ("" if output in (None, "-")
                                                else f" to {ui.literal(output, False)}"))
    sys.stdout.flush()


def _about(client: Any) -> list[str]:
    """The Markdown export's list under the summary line: what the JSON's
    status, retain_until, hold and aliases say."""
    lines = [f"Status: {client.status}" + (
        f"; kept until {client.retain_until.isoformat()}" if client.retain_until else "")]
    if client.hold is not None:
        lines.append("Under legal hold")
    own = [a.name for a in client.aliases if a.relation is None]
    around = [f"{a.name} ({a.relation})" for a in client.aliases if a.relation is not None]
    if own:
        lines.append("Also known as: " + "; ".join(own))
    if around:
        lines.append("People around the client: " + "; ".join(around))
    return lines
