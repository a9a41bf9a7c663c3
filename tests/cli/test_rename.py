"""`vault rename OLD NEW` (issue 15, item 4): a client arrived as "ann lee"
from jrnl 4.6, or under a misspelt name.

Covers: the client keeps its notes, opaque id, status and hold and is found
by the new name only; the old name becomes an own alias (not when the names
differ only in case or accents, nor twice), so an anonymized export still
replaces it; a new name that was an own alias stops being one; the clients
row's blind index changes and the client key is re-wrapped under it (the
AAD binds the blind, so `vault check` and every later read pass); the
rename is logged (`rename`, counts only, never a name) and `--json` gives
{"client", "alias_added", "aliases"}. Every refusal through the real CLI
with its message and exit code, the vault unchanged and no name in the
message: NEW names another client (also in another case or without its
accents: 6); NEW is the client's name already (6); NEW is an alias of
someone else around the client (6); the old name would be alias 101 (6);
OLD is no client (4, with close matches counted off a terminal); NEW empty
or with a control character (2). A held client may be renamed. And in one
session (the records layer): a rename keeps the lookup cache current.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from vault.commands import aliases as alias_commands
from vault.commands import notes as core
from vault.errors import Refused
from vault.models import KdfParams
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

from ..checks import assert_one_error_line, code, db, ok

ANN = "Ann Lee"
BO = "Bo Brown"
NEW = "Ann Whitcombe-Lee"


def rows(venv):
    with db(venv) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("clients", "notes")}


def client_row(venv, client_id=1):
    with db(venv) as conn:
        return conn.execute("SELECT id, uid, blind, wrapped_key FROM clients WHERE id = ?",
                            (client_id,)).fetchone()


def aliases(venv, name):
    data = json.loads(ok(venv.run("alias", "list", name, "--json")).stdout)
    return [(a["alias"], a["relation"]) for a in data["aliases"]]


def texts(venv, name):
    return [n["text"] for n in json.loads(ok(venv.run("view", name, "--json")).stdout)["notes"]]


def logged(venv, action):
    return [e for e in json.loads(ok(venv.run("log", "--json")).stdout)
            if e["action"] == action]


@pytest.fixture
def office(vault_env):
    ok(vault_env.run("add", ANN, "-m", f"{ANN} came in; intake done.", "--new"))
    ok(vault_env.run("add", ANN, "-m", "second session"))
    ok(vault_env.run("add", BO, "-m", "Bo's intake", "--new"))
    return vault_env


def refused(venv, *args, exit_code=6):
    """The exit code, one error line without any client's name, nothing changed."""
    before = rows(venv)
    result = code(venv.run(*args), exit_code)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    for name in (ANN, BO, NEW, "Lee", "Brown", "Whitcombe"):
        assert name not in result.stderr, result.stderr
    assert rows(venv) == before
    return result


# -- what a rename does ------------------------------------------------------------

def test_rename_keeps_the_notes_and_makes_the_old_name_an_alias(office):
    id_, uid, blind, wrapped = client_row(office)
    result = ok(office.run("rename", ANN, NEW, "--json"))
    assert json.loads(result.stdout) == {"client": NEW, "alias_added": True, "aliases": 1}
    assert texts(office, NEW) == [f"{ANN} came in; intake done.", "second session"]
    assert aliases(office, NEW) == [(ANN, None)]
    names = sorted(c["client"] for c in json.loads(ok(office.run("list", "--json")).stdout))
    assert names == [NEW, BO]
    code(office.run("view", ANN), 4)  # an alias is no name to find a client by
    # Same row and opaque id; the blind index moved and the key was re-wrapped.
    after = client_row(office)
    assert after[:2] == (id_, uid) and after[2] != blind and after[3] != wrapped
    ok(office.run("check"))
    ok(office.run("log", "verify"))


def test_the_rename_is_logged_without_names(office):
    ok(office.run("rename", ANN, NEW))
    [entry] = logged(office, "rename")
    assert entry["clients"] == 1 and entry["signed"]
    assert entry["detail"] == {"alias_added": True, "aliases": 1, "held": False}
    assert [e["action"] for e in json.loads(ok(office.run(
        "log", "--client", NEW, "--json")).stdout)].count("rename") == 1


def test_plain_output_says_what_happened(office):
    result = ok(office.run("rename", ANN, NEW))
    assert result.stdout == ""
    assert "renamed; the old name is now an alias; the client has 1 alias(es)" in result.stderr
    assert ANN not in result.stderr and NEW not in result.stderr


def test_a_change_of_case_adds_no_alias(vault_env):
    """jrnl 4.6's "ann lee" becomes "Ann Lee": names match in any case anyway."""
    ok(vault_env.run("add", "ann lee", "-m", "from jrnl", "--new"))
    blind = client_row(vault_env)[2]
    result = ok(vault_env.run("rename", "ann lee", ANN, "--json"))
    assert json.loads(result.stdout) == {"client": ANN, "alias_added": False, "aliases": 0}
    assert "differs only in case" in ok(vault_env.run("rename", ANN, "ANN LÉE")).stderr
    assert client_row(vault_env)[2] != blind  # the blind keeps accents
    assert json.loads(ok(vault_env.run("list", "--json")).stdout)[0]["client"] == "ANN LÉE"
    ok(vault_env.run("check"))


def test_renaming_back_does_not_duplicate_the_alias(office):
    ok(office.run("rename", ANN, NEW))
    ok(office.run("rename", NEW, ANN))       # the new name was an alias: no longer
    assert aliases(office, ANN) == [(NEW, None)]
    ok(office.run("rename", ANN, NEW))
    assert aliases(office, NEW) == [(ANN, None)]
    ok(office.run("alias", "add", NEW, "Annie"))
    result = ok(office.run("rename", NEW, "annie", "--json"))  # an own alias, any case
    assert json.loads(result.stdout)["aliases"] == 2
    assert aliases(office, "annie") == [(ANN, None), (NEW, None)]


def test_the_anonymized_export_still_replaces_the_old_name(office):
    ok(office.run("add", BO, "-m", f"Bo mentioned {ANN} from the waiting room."))
    ok(office.run("rename", ANN, NEW))
    out = ok(office.run("export-anonymized", "--dates", "keep")).stdout
    assert out.count("\n") == 4
    for part in ("Ann", "Lee", "Whitcombe"):
        assert part not in out, out


def test_the_old_name_is_free_for_a_new_client(office):
    ok(office.run("rename", ANN, NEW))
    ok(office.run("add", ANN, "-m", "a different person", "--new"))
    assert texts(office, ANN) == ["a different person"]
    assert len(texts(office, NEW)) == 2


def test_a_client_under_legal_hold_may_be_renamed(office):
    ok(office.run("hold", ANN, "--reason", "subpoena 12"))
    ok(office.run("close", ANN))
    ok(office.run("rename", ANN, NEW))
    [row] = [c for c in json.loads(ok(office.run("list", "--json")).stdout)
             if c["client"] == NEW]
    assert row["status"] == "closed" and row["hold"]
    assert logged(office, "rename")[0]["detail"]["held"] is True
    code(office.run("shred", NEW, "--yes"), 6)  # still held


# -- refusals ---------------------------------------------------------------------

@pytest.mark.parametrize("taken", [BO, "bo  BROWN", "Bö Brown"])
def test_a_name_another_client_has_is_refused(office, taken):
    result = refused(office, "rename", ANN, taken)
    assert "error: another client already has this name; nothing was changed" in result.stderr
    assert "hint: see `vault list`" in result.stderr


def test_the_same_name_is_refused(office):
    result = refused(office, "rename", "ann  LEE", ANN)
    assert "error: the client already has this name; nothing was changed" in result.stderr


def test_the_name_of_someone_around_the_client_is_refused(office):
    ok(office.run("alias", "add", ANN, NEW, "--relation", "sister"))
    result = refused(office, "rename", ANN, NEW.upper())
    assert ("error: the new name is an alias of someone around the client (added with "
            "--relation); nothing was changed") in result.stderr
    assert "vault alias remove" in result.stderr


def test_a_missing_client_is_not_found(office):
    result = refused(office, "rename", "Ann Leigh", NEW, exit_code=4)
    assert "error: no such client" in result.stderr
    assert "similar client name(s) exist" in result.stderr  # close matches, counted
    assert logged(office, "suggest")
    result = refused(office, "rename", "Zed Nobody", NEW, exit_code=4)
    assert "error: no such client" in result.stderr


@pytest.mark.parametrize("new,message", [
    ("   ", "the new name is empty"),
    ("Ann\x1b[2JLee", "the new name contains control or invisible characters"),
    ("x" * 201, "the new name is longer than 200 characters")])
def test_a_bad_new_name_is_a_usage_error(office, new, message):
    result = refused(office, "rename", ANN, new, exit_code=2)
    assert f"error: {message}" in result.stderr


def test_rename_needs_both_names(office):
    code(office.run("rename", ANN), 2)


PW = b"a passphrase for unit tests"
FAST = KdfParams(memory_kib=8192, iterations=1, parallelism=1)


@pytest.fixture
def session(tmp_path):
    core.init(tmp_path / "v" / "vault.sqlite", PW, FAST)
    s = UnlockedVault.unlock(Store.open(tmp_path / "v" / "vault.sqlite"), PW)
    yield s
    s.store.close()


def test_the_old_name_as_alias_101_is_refused(session, monkeypatch):
    monkeypatch.setattr(alias_commands, "MAX_ALIASES", 3)
    core.add(session, ANN, "x", create=True)
    for i in range(3):
        alias_commands.alias_add(session, ANN, f"Other Name {i}")
    with pytest.raises(Refused) as e:
        alias_commands.rename(session, ANN, NEW)
    assert e.value.message == ("the old name would be alias 4, and a client can have at "
                               "most 3; nothing was changed")
    assert session.find_client(ANN) is not None and session.find_client(NEW) is None
    # one that adds no alias still goes through
    assert alias_commands.rename(session, ANN, "ANN LEE").alias_added is False


def test_one_session_finds_the_new_name_and_not_the_old(session):
    """The records layer's folded-name cache follows the rename."""
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    core.add(session, "José Ruiz", "x", create=True, now=t)
    assert session.find_client("jose ruiz") is not None  # builds the folded cache
    alias_commands.rename(session, "José Ruiz", "Josefa Ruiz", now=t)
    assert session.find_client("jose ruiz") is None
    assert session.find_client("josefa ruiz").name == "Josefa Ruiz"
    assert [n.text for n in session.notes(session.find_client("Josefa Ruiz"))] == ["x"]
