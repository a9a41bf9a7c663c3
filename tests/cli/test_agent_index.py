"""The agent's search index (issue 13): `vault search` through the agent
decrypts only the clients whose notes can match, and finds what a search
without the agent finds, whoever wrote last.

Covers: not built until the first search, then reported by `status --json`
(clients, notes, bytes; no text); kept current after writes through the
agent and after writes made without it (add, redact, rename, shred); only
changed clients are read again (SearchIndex.refresh, in-process); the same
hits as in-process for a term, a term with accents and case, --regex, --tag
and --client; no note text in any file of the runtime or temp folders.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from vault.agent.index import SearchIndex

from ..checks import files_under
from ..conftest import FAST_KDF, PASSPHRASE, private_env
from .test_agent import JANE, NO_SOURCE, kill_agents, ok, unlock
from .test_agent_paths import ALONE, pair  # noqa: F401 - a fixture

WORD = "Zyxwvut"


def hits(venv, *args: str, alone: bool = False) -> list[tuple[str, int]]:
    done = ok(venv.subprocess("search", *args, "--json", env=ALONE if alone else NO_SOURCE))
    return [(h["client"], h["note"]) for h in json.loads(done.stdout)["hits"]]


def index_of(venv) -> dict | None:
    return json.loads(ok(venv.subprocess("status", "--json")).stdout)["index"]


def test_built_on_the_first_search_and_reported_by_status(pair):  # noqa: F811
    agent, _ = pair
    assert index_of(agent) == {"built": False, "clients": 0, "notes": 0, "bytes": 0}
    assert hits(agent, "visit") == [(JANE, 1)]
    index = index_of(agent)
    assert index["built"] is True and index["clients"] == 3 and index["notes"] == 4
    assert index["bytes"] > 0
    status = ok(agent.subprocess("status", "--json")).stdout
    assert b"visit" not in status and JANE.encode() not in status


def test_kept_current_after_writes_with_and_without_the_agent(pair):  # noqa: F811
    agent, _ = pair
    assert hits(agent, WORD) == []                          # built, nothing yet
    ok(agent.subprocess("add", JANE, "-m", f"through the agent: {WORD}", env=NO_SOURCE))
    assert hits(agent, WORD) == [(JANE, 5)]
    ok(agent.subprocess("add", "Anna Lind", "-m", f"without it: {WORD.lower()}", env=ALONE))
    assert hits(agent, WORD) == [(JANE, 5), ("Anna Lind", 6)]
    ok(agent.subprocess("redact", JANE, "--text", WORD, "--yes", env=ALONE))
    assert hits(agent, WORD) == [("Anna Lind", 6)]
    ok(agent.subprocess("rename", "Anna Lind", "Anna Lindqvist", env=ALONE))
    assert hits(agent, WORD) == [("Anna Lindqvist", 6)]
    ok(agent.subprocess("shred", "Anna Lindqvist", "--yes", env=ALONE))
    assert hits(agent, WORD) == []
    assert hits(agent, "visit") == hits(agent, "visit", alone=True)


def test_the_same_hits_as_without_the_agent(pair):  # noqa: F811
    agent, alone = pair
    for args in (("visit",), ("CAFE",), ("tokyo",), ("東京",), ("555-0100",),
                 ("v.s.t", "--regex"), ("--tag", "followup"), ("note", "--client", JANE),
                 ("a",), ("nothing at all",)):
        a = ok(agent.subprocess("search", *args, "--json", env=NO_SOURCE)).stdout
        b = ok(alone.subprocess("search", *args, "--json", env=ALONE)).stdout
        assert a == b, args


def test_only_changed_clients_are_read_again(pair):  # noqa: F811
    agent, _ = pair
    kill_agents(agent)   # the index object itself, in this process
    from vault.vaultfile.store import Store
    from vault.vaultfile.unlocked import UnlockedVault
    store = Store.open(agent.path)
    kek = UnlockedVault.unlock(store, PASSPHRASE.encode()).kek
    store.close()
    index = SearchIndex(agent.path, lambda: kek)
    assert index.clients_containing("visit") is None       # not built: not narrowed
    # a step at a time, as the agent builds it between requests
    assert index.step(budget=2) is False and index.refreshed == 2
    assert index.clients_containing("visit") is None       # incomplete: not narrowed
    assert index.step(budget=2) is True and index.refreshed == 1
    assert index.clients_containing("visit") == [1]
    index = SearchIndex(agent.path, lambda: kek)
    assert index.refresh() and index.refreshed == 3
    assert index.refresh() and index.refreshed == 0
    ok(agent.subprocess("add", JANE, "-m", "one more", env=ALONE))
    assert index.refresh() and index.refreshed == 1
    assert index.clients_containing("one more") == [1]
    wrong = SearchIndex(agent.path, lambda: bytes(32))
    wrong.wanted = True
    assert wrong.refresh() is False and not wrong.pending   # a wrong key: given up


def test_no_note_text_on_disk_after_searching(pair):  # noqa: F811
    agent, _ = pair
    started = time.time() - 2
    assert hits(agent, "visit") == [(JANE, 1)]
    needles = [b"first visit", "second client, a short note".encode(), "東京".encode()]
    for root, since in ((Path(agent.env["XDG_RUNTIME_DIR"]), None),
                        (Path(tempfile.gettempdir()), started)):
        for path in files_under(root, since):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            assert not [n for n in needles if n in data], path
    unlock(agent)   # a new agent: a new index, built again on its first search
    assert index_of(agent)["built"] is False


def test_notes_containing_names_each_matching_note_and_only_those(tmp_path):
    """The index narrows a search to single notes: every note whose folded
    text holds the term, across note boundaries never."""
    venv = private_env(tmp_path)
    assert venv.run("init", *FAST_KDF).exit_code == 0
    from vault.vaultfile.store import Store
    from vault.vaultfile.unlocked import UnlockedVault
    for args in (("add", "Ann Ames", "--new", "-m", "Café visit"),
                 ("add", "Ann Ames", "-m", "nothing here"),
                 ("add", "Ann Ames", "-m", "a second cafe"),
                 ("add", "Bo Berg", "--new", "-m", "caf"),
                 ("add", "Bo Berg", "-m", "e at the end")):
        assert venv.run(*args).exit_code == 0
    store = Store.open(venv.path)
    kek = UnlockedVault.unlock(store, PASSPHRASE.encode()).kek
    store.close()
    index = SearchIndex(venv.path, lambda: kek)
    assert index.notes_containing("cafe") is None            # not built
    assert index.refresh()
    assert index.notes_containing("cafe") == {1: frozenset({1, 3})}
    assert index.notes_containing("e") == {1: frozenset({1, 2, 3}), 2: frozenset({5})}
    assert index.notes_containing("zebra") == {}
    assert index.notes_containing("caf\x00e") is None        # spans no two notes


def test_the_index_follows_workers_reports_reading_only_the_clients_they_changed(tmp_path):
    """agent/state.py's reports name the clients a command changed: the index
    carries itself from the head it was complete at to the new one by
    reading those clients again (none for a search or a view), and follows
    nothing that does not start where it stands."""
    venv = private_env(tmp_path)
    assert venv.run("init", *FAST_KDF).exit_code == 0
    from vault.vaultfile.store import Store
    from vault.vaultfile.unlocked import UnlockedVault
    for args in (("add", "Ann Ames", "--new", "-m", "first visit"),
                 ("add", "Bo Berg", "--new", "-m", "a walk")):
        assert venv.run(*args).exit_code == 0
    store = Store.open(venv.path)
    kek = UnlockedVault.unlock(store, PASSPHRASE.encode()).kek
    store.close()

    def head() -> bytes:
        s = Store.open(venv.path)
        try:
            return s.head()
        finally:
            s.close()

    index = SearchIndex(venv.path, lambda: kek)
    assert index.refresh()
    h0 = head()
    assert venv.run("view", "Bo Berg").exit_code == 0          # the log only
    h1 = head()
    index.follow([(h0, h1, frozenset())])
    assert index.current_at(h1) and index.refreshed == 2      # nothing read again
    assert venv.run("add", "Bo Berg", "-m", "zebra crossing").exit_code == 0
    h2 = head()
    index.follow([(h0, h2, frozenset({2}))])                  # not where it stands
    assert not index.current_at(h2) and index.notes_containing("zebra") == {}
    assert index.narrow("zebra", h2) is None                  # a write it has not read
    index.follow([(h1, h2, frozenset({2}))])
    assert index.narrow("zebra", h2) == {2: frozenset({3})} and index.narrow("zebra", h1) is None
    assert index.current_at(h2) and index.notes_containing("zebra") == {2: frozenset({3})}
    assert index.notes_containing("visit") == {1: frozenset({1})}
    assert venv.run("shred", "Bo Berg", "--yes").exit_code == 0
    h3 = head()
    index.follow([(h2, h3, frozenset({2}))])
    assert index.current_at(h3) and index.notes_containing("zebra") == {}
    assert index.size()["clients"] == 1
