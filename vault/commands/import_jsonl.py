"""`vault import jsonl`: `vault view --json` documents, one per line, as
another vault prints them. Never imports typer or rich."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .import_common import (
    ImportFailed,
    Incoming,
    checked,
    date_text,
    parse_json,
    read_bytes,
)
from .import_common import shown as _shown


def read_jsonl(path: Path) -> list[Incoming]:
    """One `vault view --json` document per line."""
    shown = _shown(str(path))
    notes = []
    for number, line in enumerate(read_bytes(path).split(b"\n"), 1):
        if not line.strip():
            continue
        where = f"{shown}: line {number}"
        doc = parse_json(line, where)
        if not isinstance(doc, dict) or not isinstance(doc.get("notes"), list):
            raise ImportFailed(f"{where}: not a `vault view --json` document")
        for n in doc["notes"]:
            if not isinstance(n, dict):
                raise ImportFailed(f"{where}: a note is not an object")
            created = n.get("created")
            try:
                if not date_text(created):
                    raise ValueError
                created = datetime.fromisoformat(created.replace("Z", "+00:00"))
                if created.tzinfo is None:
                    raise ValueError
            except ValueError:
                raise ImportFailed(f"{where}: a note's created date is not "
                                   "ISO 8601 UTC") from None
            notes.append(checked(where, doc.get("client"), n.get("text"),
                                 n.get("tags", []), created))
    return notes
