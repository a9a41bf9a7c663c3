"""`vault import jrnl`: jrnl's JSON export, and the client map that names
the client a tag stands for. Never imports typer or rich.

jrnl 4.6 writes every tag in lower case (`@c_ann_lee`), keeps the symbol
that marks a tag (`@sleep`) and marks a favourite entry `"starred": true`.
Every problem of every entry is found and reported at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..validate import check_name, normalise_name
from .import_common import (
    ImportFailed,
    Incoming,
    checked,
    date_text,
    failed,
    numbered,
    parse_json,
    read_bytes,
)
from .import_common import shown as _shown

TAG_SYMBOLS = "@#"   # jrnl's default `tagsymbols`
STARRED = "starred"  # the tag a starred entry gets
MAX_MAP_BYTES = 16 * 1024 * 1024


def _starts(text: str, prefix: str) -> bool:
    return text[:len(prefix)].casefold() == prefix.casefold()


def plain_tag(tag: str) -> str:
    """A tag as the vault stores it: without the symbol jrnl marks it with
    (`@sleep` and `#sleep` become `sleep`)."""
    return tag[1:] if len(tag) > 1 and tag[0] in TAG_SYMBOLS else tag


def tag_client(tag: str, prefix: str) -> str | None:
    """The client named by a tag such as `@Jane_Doe` (prefix `@`): `Jane Doe`.
    The prefix matches in any case: jrnl 4.6 exports `@c_` as typed `@C_`."""
    if len(tag) <= len(prefix) or not _starts(tag, prefix):
        return None
    return tag[len(prefix):].replace("_", " ")


# -- the client map ----------------------------------------------------------------

def map_key(tag: str, prefix: str | None) -> str:
    """The form in which the map's tags and the entries' tags are compared:
    without the client prefix (or without the tag symbol and the rest of the
    prefix: `@c_ann_lee`, `c_ann_lee` and `ann_lee` are one tag for `@c_`),
    underscores as spaces, in any case."""
    tag = tag.strip()
    if prefix and _starts(tag, prefix):
        tag = tag[len(prefix):]
    else:
        tag = plain_tag(tag)
        bare = (prefix or "").lstrip(TAG_SYMBOLS)
        if bare and _starts(tag, bare):
            tag = tag[len(bare):]
    return normalise_name(tag.replace("_", " "))


def parse_client_map(text: str, prefix: str | None, where: str) -> dict[str, str]:
    """`TAG = Client Name` or `TAG<tab>Client Name`, one a line: the tag ends
    at the first `=` or tab. Blank lines and lines starting with `#` are
    skipped. Returns map_key(tag) -> name. Errors give the line's number,
    never its tag or name, and every bad line is reported at once."""
    names: dict[str, tuple[str, int]] = {}
    found: list[ImportFailed] = []
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        here = f"{where}: line {number}"
        cuts = [i for i in (content.find("="), content.find("\t")) if i >= 0]
        if not cuts:
            found.append(ImportFailed(f"{here}: no \"=\" or tab between the tag and the "
                                      "client's name", hint="write TAG = Client Name"))
            continue
        tag, name = content[:min(cuts)], content[min(cuts) + 1:]
        try:
            check_name(tag, "the tag")
            name = check_name(name, "the client's name")
        except UsageError as e:
            found.append(failed(here, e))
            continue
        key = map_key(tag, prefix)
        if not key:
            found.append(ImportFailed(f"{here}: the tag names nobody"))
            continue
        first = names.setdefault(key, (name, number))
        if normalise_name(first[0]) != normalise_name(name):
            found.append(ImportFailed(f"{here}: the tag is mapped to another client on "
                                      f"line {first[1]}"))
    if found:
        raise ImportFailed.of(where, found)
    return {key: name for key, (name, _) in names.items()}


def read_client_map(path: Path, prefix: str | None) -> dict[str, str]:
    where = f"client map {_shown(str(path))}"
    data = read_bytes(path, MAX_MAP_BYTES, what="client map ")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFailed(f"{where}: not valid UTF-8") from None
    return parse_client_map(text, prefix, where)


# -- the export --------------------------------------------------------------------

@dataclass(frozen=True)
class JrnlRead:
    notes: list[Incoming]
    untagged: int  # entries without a client tag, left out (--skip-untagged)


def read_jrnl(path: Path, client: str | None = None, tag_prefix: str | None = None,
              client_map: Path | None = None, skip_untagged: bool = False) -> list[Incoming]:
    """The notes of read_jrnl_export."""
    return read_jrnl_export(path, client, tag_prefix, client_map, skip_untagged).notes


def read_jrnl_export(path: Path, client: str | None = None, tag_prefix: str | None = None,
                     client_map: Path | None = None,
                     skip_untagged: bool = False) -> JrnlRead:
    """jrnl's `--export json`: {"entries": [{"date", "time", "title", "body",
    "tags", "starred"}, ...]}. An entry's client is the one its client tags
    name: tags starting with `tag_prefix`, and tags in the client map (which
    also renames them). An entry without one goes to `client`, or is left
    out with `skip_untagged`, or is a problem. Other tags lose jrnl's `@`; a
    starred entry gets the tag `starred`."""
    if client is None and tag_prefix is None and client_map is None:
        raise UsageError("say whose notes these are: --client NAME, --client-from-tag "
                         "PREFIX (such as @c_), or --client-map FILE")
    if skip_untagged and client is not None:
        raise UsageError("--skip-untagged leaves out the entries without a client tag, "
                         "which --client or --unassigned would file: give only one")
    names = None if client_map is None else read_client_map(client_map, tag_prefix)
    shown = _shown(str(path))
    doc = parse_json(read_bytes(path), shown)
    entries = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ImportFailed(f"{shown}: not a jrnl JSON export (no \"entries\" list)")
    notes: list[Incoming] = []
    found: list[tuple[int, ImportFailed]] = []
    untagged: list[int] = []
    for i, e in enumerate(entries, 1):
        try:
            note = _entry(e, f"{shown}: entry {i}", client, tag_prefix, names)
        except ImportFailed as problem:
            found.append((i, problem))
            continue
        if note is None:
            untagged.append(i)
        else:
            notes.append(note)
    if untagged and not skip_untagged:
        found.append((untagged[0], _untagged(shown, untagged, tag_prefix, names)))
        found.sort(key=lambda f: f[0])
    if found:
        raise ImportFailed.of(shown, [problem for _, problem in found])
    return JrnlRead(notes, len(untagged))


def _untagged(shown: str, numbers: list[int], prefix: str | None,
              names: dict[str, str] | None) -> ImportFailed:
    why = (f"no tag starts with {prefix!r}" if names is None else
           "no tag is in the client map" if prefix is None else
           f"no tag starts with {prefix!r} or is in the client map")
    return ImportFailed(f"{shown}: {numbered('entry', numbers)}: no client tag ({why})",
                        hint="file them under one client with --unassigned CLIENT, or "
                             "leave them out with --skip-untagged")


def _owner(tag: str, prefix: str | None, names: dict[str, str] | None) -> str | None:
    """The client a tag names, or None if it is not a client tag."""
    if prefix is not None:
        name = tag_client(tag, prefix)
        if name is None:
            return None
        return names.get(map_key(tag, prefix), name) if names else name
    return names.get(map_key(tag, None)) if names else None


def _entry(e: Any, where: str, fallback: str | None, prefix: str | None,
           names: dict[str, str] | None) -> Incoming | None:
    """One entry as a note; None if it has no client tag and no fallback."""
    if not isinstance(e, dict):
        raise ImportFailed(f"{where}: not an object")
    tags, starred = e.get("tags", []), e.get("starred", False)
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ImportFailed(f"{where}: tags must be a list of strings")
    if not isinstance(starred, bool):
        raise ImportFailed(f"{where}: \"starred\" must be true or false")
    owners: dict[str, str] = {}
    kept = []
    for tag in tags:
        name = _owner(tag, prefix, names)
        if name is None:
            kept.append(plain_tag(tag))
        else:
            owners.setdefault(normalise_name(name), name)
    if len(owners) > 1:
        raise ImportFailed(f"{where}: {len(owners)} tags name different clients",
                           hint=None if prefix is None else
                           "use a prefix only client tags have, such as @c_ for tags like "
                           "@c_Jane_Doe")
    title, body = e.get("title", ""), e.get("body", "")
    if not isinstance(title, str) or not isinstance(body, str):
        raise ImportFailed(f"{where}: title and body must be strings")
    text = title.strip() + ("\n" + body.strip() if body.strip() else "")
    owner = next(iter(owners.values()), fallback)
    # Checked even without a client, so that every problem shows in one run.
    note = checked(where, "-" if owner is None else owner, text,
                   kept + ([STARRED] if starred else []), _jrnl_date(e, where))
    return None if owner is None else note


def _jrnl_date(e: dict, where: str) -> datetime:
    day, time = e.get("date"), e.get("time", "00:00")
    try:
        if not date_text(day) or not date_text(time):
            raise ValueError
        return datetime.fromisoformat(f"{day}T{time}").astimezone()  # jrnl keeps local time
    except (ValueError, OverflowError, OSError):
        raise ImportFailed(f"{where}: the date is not YYYY-MM-DD with time HH:MM") from None
