"""The agent's search index joins clients' folded note texts into chunks
(vault/agent/index.py): whatever the clients, notes, changes and term, it
must name exactly the notes whose own text holds the term, never a match
across two notes or two clients."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from vault.agent import index as ix

TEXT = st.text(alphabet="ab é\n", max_size=8)
NOTES = st.lists(TEXT, max_size=4)
CLIENTS = st.dictionaries(st.integers(1, 3 * ix.CHUNK_IDS), NOTES, max_size=12)


def _load(index: ix.SearchIndex, clients: dict[int, list[str]],
          changed: set[int] | None = None) -> None:
    """What step() does with the clients it read (`changed`; all when None)."""
    seen, texts, note_id = {}, {}, 0
    for cid in sorted(clients):
        notes = clients[cid]
        ids = tuple(cid * 100 + k for k in range(len(notes)))
        starts, at = [], 0
        for t in notes:   # byte offsets: the texts are UTF-8, as index._read makes them
            starts.append(at)
            at += len(t.encode()) + 1
        seen[cid] = (b"sig", ids, tuple(starts))
        if changed is None or cid in changed or cid not in index._clients:
            texts[cid] = ix.SEPARATOR.join(notes).encode()
        note_id += len(notes)
    index._rechunk(seen, texts)
    index._clients, index.built = seen, True


def _naive(clients: dict[int, list[str]], term: str) -> dict[int, frozenset[int]]:
    out = {}
    for cid in sorted(clients):
        hits = frozenset(cid * 100 + k for k, t in enumerate(clients[cid]) if term in t)
        if hits:
            out[cid] = hits
    return out


@settings(max_examples=300)
@given(CLIENTS, CLIENTS, st.text(alphabet="ab é\n", min_size=1, max_size=3))
def test_the_chunks_find_exactly_the_notes_that_hold_the_term(first, then, term):
    index = ix.SearchIndex(Path("/nonexistent"), lambda: None)
    _load(index, first)
    assert index.notes_containing(term) == _naive(first, term)
    # Some clients change, some go, some are new; the others are sliced
    # out of their old chunk.
    after = {**{c: n for c, n in first.items() if c % 3}, **then}
    _load(index, after, changed=set(then))
    assert index.notes_containing(term) == _naive(after, term)
    assert index.clients_containing(term) == list(_naive(after, term))
    assert index.size()["clients"] == len(after)
    for cid, notes in after.items():   # each text exactly once, nothing carried along
        assert index._chunks[cid // ix.CHUNK_IDS].text_of(cid) == \
            ix.SEPARATOR.join(notes).encode()
    assert sum(len(c.text) for c in index._chunks.values()) == \
        sum(len(ix.SEPARATOR.join(n).encode()) + 1 for n in after.values()) - len(index._chunks)
    assert index.notes_containing(ix.SEPARATOR) is None
