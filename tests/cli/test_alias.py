"""`vault alias add/remove/list`: other names of a client, and of the people
around them, that must never reach an anonymized export (issue 4).

Covers: an alias without --relation is the client's own other name and
becomes the client's pseudonym in an export, one with --relation becomes
[PERSON]; `alias list --json` gives {"client", "aliases": [{"alias",
"relation"}]} in the order added, and the plain listing is tab-separated;
a duplicate alias in any case is refused (exit 6, nothing changed); remove
works in any case and a missing alias is not found (exit 4); an unknown
client is not found for add, remove and list (exit 4); an empty alias is a
usage error; aliases are stored encrypted (neither the alias nor the
relation is in the vault file, its -wal or -shm); every command is logged
(alias-add, alias-remove, alias-list) concerning the client, without the
alias text; `vault export` carries the aliases.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ..checks import assert_one_error_line, code, db, ok

JOSE = "José García-López"
ANNA = "Anna van der Berg"
NEVER = "Kasimir Zed"
NICK = "Pepito Quillbrand"           # José's own other name
SPOUSE = "Marisol Thorncastle"       # someone around José
PSEUDONYM = re.compile(r"^Client-[0-9A-F]{4,}$")


def on_disk(venv) -> bytes:
    return b"".join(p.read_bytes() for p in (venv.path, Path(f"{venv.path}-wal"),
                                             Path(f"{venv.path}-shm"),
                                             Path(f"{venv.path}-journal")) if p.exists())


def aliases(venv, name=JOSE):
    data = json.loads(ok(venv.run("alias", "list", name, "--json")).stdout)
    assert data["client"] == name
    return [(a["alias"], a["relation"]) for a in data["aliases"]]


@pytest.fixture
def clients(vault_env):
    ok(vault_env.run("add", JOSE, "-m", "intake for the first client", "--new"))
    ok(vault_env.run("add", ANNA, "-m", "intake for the second client", "--new"))
    return vault_env


# -- add and list ----------------------------------------------------------------

def test_add_then_list_in_order_with_relations(clients):
    result = ok(clients.run("alias", "add", JOSE, NICK))
    assert result.stdout == ""
    assert NICK not in result.stderr
    ok(clients.run("alias", "add", JOSE, SPOUSE, "--relation", "spouse"))
    assert aliases(clients) == [(NICK, None), (SPOUSE, "spouse")]
    assert aliases(clients, ANNA) == []
    listed = ok(clients.run("alias", "list", JOSE))
    assert listed.stdout.splitlines() == [f"{NICK}\t(the client)", f"{SPOUSE}\tspouse"]


def test_list_json_is_one_line_with_the_stable_keys(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    result = ok(clients.run("alias", "list", "josé garcía-lópez", "--json"))
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout) == {
        "client": JOSE, "aliases": [{"alias": NICK, "relation": None}]}


def test_a_duplicate_alias_in_any_case_is_refused(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    for again in (NICK, NICK.upper(), NICK.lower(), "  pepito   QUILLBRAND "):
        result = code(clients.run("alias", "add", JOSE, again), 6)
        assert result.stdout == ""
        assert_one_error_line(result.stderr)
        # also with a relation: the same name cannot be both
        code(clients.run("alias", "add", JOSE, again, "--relation", "brother"), 6)
    assert aliases(clients) == [(NICK, None)]


def test_the_same_alias_may_belong_to_two_clients(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    ok(clients.run("alias", "add", ANNA, NICK, "--relation", "neighbour"))
    assert aliases(clients, ANNA) == [(NICK, "neighbour")]


def test_an_empty_alias_is_a_usage_error(clients):
    result = code(clients.run("alias", "add", JOSE, "   "), 2)
    assert result.stdout == ""
    assert aliases(clients) == []


def test_an_empty_alias_is_named_as_such_in_the_error(clients):
    result = code(clients.run("alias", "add", JOSE, "   "), 2)
    assert "client name" not in result.stderr
    assert "alias" in result.stderr


# -- remove --------------------------------------------------------------------

def test_remove_in_any_case(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    ok(clients.run("alias", "add", JOSE, SPOUSE, "--relation", "spouse"))
    result = ok(clients.run("alias", "remove", JOSE, NICK.upper()))
    assert result.stdout == ""
    assert aliases(clients) == [(SPOUSE, "spouse")]
    ok(clients.run("alias", "remove", JOSE, SPOUSE.lower()))
    assert aliases(clients) == []


def test_removing_a_missing_alias_is_not_found(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    result = code(clients.run("alias", "remove", JOSE, "Nobody Special"), 4)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert aliases(clients) == [(NICK, None)]
    code(clients.run("alias", "remove", ANNA, NICK), 4)  # another client's alias


def test_an_unknown_client_is_not_found(clients):
    for cmd in (["alias", "add", NEVER, NICK], ["alias", "add", NEVER, NICK, "--relation", "son"],
                ["alias", "remove", NEVER, NICK], ["alias", "list", NEVER],
                ["alias", "list", NEVER, "--json"]):
        result = code(clients.run(*cmd), 4)
        assert result.stdout == "", cmd
        assert_one_error_line(result.stderr)
        assert NICK not in result.stderr


def test_alias_needs_a_subcommand(clients):
    result = clients.run("alias")
    assert result.exit_code in (0, 2)
    assert "add" in result.stdout + result.stderr


# -- storage and log -------------------------------------------------------------

def test_aliases_are_stored_encrypted(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    ok(clients.run("alias", "add", JOSE, SPOUSE, "--relation", "Stepdaughterly"))
    ok(clients.run("alias", "list", JOSE))
    raw = on_disk(clients)
    assert raw  # the vault file and its -wal were read
    for text in (NICK, SPOUSE, "Quillbrand", "Thorncastle", "Stepdaughterly"):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert text.encode(encoding) not in raw, (text, encoding)
        assert text.lower().encode() not in raw
        assert text.upper().encode() not in raw


def test_every_alias_command_is_logged_without_the_alias(clients):
    before = len(json.loads(ok(clients.run("log", "--json")).stdout))
    ok(clients.run("alias", "add", JOSE, NICK))
    ok(clients.run("alias", "add", JOSE, SPOUSE, "--relation", "spouse"))
    ok(clients.run("alias", "list", JOSE, "--json"))
    ok(clients.run("alias", "remove", JOSE, NICK))
    log = ok(clients.run("log", "--json")).stdout
    entries = json.loads(log)[before + 1:]   # after the `log` entry of the first read
    assert [e["action"] for e in entries] == ["alias-add", "alias-add", "alias-list",
                                              "alias-remove"]
    assert all(e["clients"] == 1 for e in entries)
    for text in (NICK, SPOUSE, "Quillbrand", "Thorncastle", "spouse"):
        assert text not in log
    mine = [e["action"] for e in json.loads(ok(clients.run(
        "log", "--client", JOSE, "--json")).stdout)]
    assert [a for a in mine if a.startswith("alias-")] == [
        "alias-add", "alias-add", "alias-list", "alias-remove"]
    theirs = [e["action"] for e in json.loads(ok(clients.run(
        "log", "--client", ANNA, "--json")).stdout)]
    assert not [a for a in theirs if a.startswith("alias-")]
    ok(clients.run("log", "verify"))


def test_a_refused_alias_changes_no_client_row(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    with db(clients) as conn:
        before = conn.execute("SELECT * FROM clients ORDER BY id").fetchall()
    code(clients.run("alias", "add", JOSE, NICK.upper()), 6)
    code(clients.run("alias", "remove", JOSE, "Nobody Special"), 4)
    with db(clients) as conn:
        assert conn.execute("SELECT * FROM clients ORDER BY id").fetchall() == before


# -- what aliases do in exports -------------------------------------------------

def test_own_alias_becomes_the_pseudonym_and_relation_becomes_person(clients):
    ok(clients.run("add", JOSE, "-m", f"{NICK} came with {SPOUSE}; later "
                   f"{NICK.split()[0]} phoned {SPOUSE.split()[1].upper()}."))
    ok(clients.run("add", ANNA, "-m", f"Anna met {NICK} and {SPOUSE} at the market."))
    ok(clients.run("alias", "add", JOSE, NICK))
    ok(clients.run("alias", "add", JOSE, SPOUSE, "--relation", "spouse"))
    out = ok(clients.run("export-anonymized", "--dates", "keep")).stdout
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 4
    jose = {r["client"] for r in records if "came with" in r["text"]}
    assert len(jose) == 1
    (pseudonym,) = jose
    assert PSEUDONYM.match(pseudonym)
    texts = {r["text"] for r in records}
    assert f"{pseudonym} came with [PERSON]; later {pseudonym} phoned [PERSON]." in texts
    anna = next(r for r in records if "market" in r["text"])
    assert anna["text"].endswith(f"met {pseudonym} and [PERSON] at the market.")
    for part in ("Pepito", "Quillbrand", "Marisol", "Thorncastle"):
        assert part.lower() not in out.lower()


def test_export_carries_the_aliases(clients):
    ok(clients.run("alias", "add", JOSE, NICK))
    ok(clients.run("alias", "add", JOSE, SPOUSE, "--relation", "spouse"))
    data = json.loads(ok(clients.run("export", JOSE, "--format", "json", "--yes")).stdout)
    assert data["aliases"] == [{"alias": NICK, "relation": None},
                               {"alias": SPOUSE, "relation": "spouse"}]
