"""Adding and viewing notes through the CLI.

Covers: add/view round trips with unicode (accents, emoji, CJK, RTL) and
multi-line text, tags, `--last`, `--since`, the exact `--json` shapes of
`view`, `list` and `add`, note text from stdin (including a 20 MB note),
invalid UTF-8 and empty notes (refused, nothing stored), unknown clients
(exit 4, close matches named only on a terminal, and the suggestion logged),
and case-/whitespace-insensitive name matching.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re

import pytest
from ..checks import assert_one_error_line, ok

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

UNICODE_TEXT = ("Café crème, naïve résumé, Zoë Ångström — "
                "emoji 😀👍🏽🎉, CJK 你好世界 日本語のメモ 한국어, "
                "RTL שלום עולם and مرحبا بالعالم")


def failed(result, code):
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    assert_one_error_line(result.stderr)
    return result


def view_json(venv, client, *extra):
    result = ok(venv.run("view", client, "--json", *extra))
    return json.loads(result.stdout)


def log_json(venv):
    return json.loads(ok(venv.run("log", "--json")).stdout)


# -- round trips -------------------------------------------------------------

def test_unicode_note_and_name_round_trip_in_json_and_human_output(vault_env):
    name = "Zoë Ångström 李小龍 😀"
    ok(vault_env.run("add", name, "-m", UNICODE_TEXT, "--new"))
    shown = view_json(vault_env, name)
    assert shown["client"] == name
    assert [n["text"] for n in shown["notes"]] == [UNICODE_TEXT]

    human = ok(vault_env.run("view", name))
    assert f"client: {name}\n" in human.stdout
    assert UNICODE_TEXT in human.stdout
    # stdout is UTF-8 whatever the locale
    assert UNICODE_TEXT.encode("utf-8") in human.stdout_bytes


def test_multiline_note_keeps_every_line_tab_and_trailing_newline(vault_env):
    text = "first line\nsecond line\n\n\tindented with a tab\n  two spaces\nlast\n"
    ok(vault_env.run("add", "Multi Line", "-m", text, "--new"))
    assert view_json(vault_env, "Multi Line")["notes"][0]["text"] == text
    human = ok(vault_env.run("view", "Multi Line")).stdout
    assert text in human


def test_repeated_tag_options_are_kept_in_order_and_deduplicated(vault_env):
    ok(vault_env.run("add", "Tagged", "-m", "x", "--new", "--tag", "urgent",
                     "--tag", "follow   up", "--tag", "billing", "--tag", "urgent"))
    ok(vault_env.run("add", "Tagged", "-m", "no tags"))
    notes = view_json(vault_env, "Tagged")["notes"]
    assert notes[0]["tags"] == ["urgent", "follow up", "billing"]
    assert notes[1]["tags"] == []
    human = ok(vault_env.run("view", "Tagged")).stdout
    assert "#urgent #follow up #billing" in human


def test_add_json_reports_note_id_time_and_whether_the_client_is_new(vault_env):
    first = json.loads(ok(vault_env.run("add", "Jane Doe", "-m", "a", "--new", "--json")).stdout)
    second = json.loads(ok(vault_env.run("add", "Jane Doe", "-m", "b", "--json")).stdout)
    assert set(first) == {"note", "created", "new_client"}
    assert first["new_client"] is True and second["new_client"] is False
    assert second["note"] == first["note"] + 1
    assert ISO_Z.match(first["created"])
    shown = view_json(vault_env, "Jane Doe")["notes"]
    assert [(n["id"], n["created"]) for n in shown] == [
        (first["note"], first["created"]), (second["note"], second["created"])]
    listed = json.loads(ok(vault_env.run("list", "--json")).stdout)
    assert [{k: c[k] for k in ("client", "notes", "last")} for c in listed] == [
        {"client": "Jane Doe", "notes": 2, "last": second["created"]}]


# -- selecting notes -----------------------------------------------------------

@pytest.fixture
def three_notes(vault_env):
    for i in (1, 2, 3):
        ok(vault_env.run("add", "Three", "-m", f"note number {i}", "--new"))
    return vault_env


def test_last_n_gives_the_most_recent_notes_oldest_first(three_notes):
    notes = view_json(three_notes, "Three", "--last", "2")["notes"]
    assert [n["text"] for n in notes] == ["note number 2", "note number 3"]
    assert [n["id"] for n in notes] == sorted(n["id"] for n in notes)
    assert len(view_json(three_notes, "Three", "--last", "1")["notes"]) == 1
    assert len(view_json(three_notes, "Three", "--last", "50")["notes"]) == 3


def test_last_zero_is_a_usage_error(three_notes):
    result = three_notes.run("view", "Three", "--last", "0")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_since_in_the_future_returns_no_notes(three_notes):
    result = ok(three_notes.run("view", "Three", "--since", "2999-01-01", "--json"))
    assert json.loads(result.stdout) == {"client": "Three", "notes": []}
    human = ok(three_notes.run("view", "Three", "--since", "2999-01-01T09:00"))
    assert "note number" not in human.stdout
    assert "no notes match" in human.stderr


def test_since_in_the_past_returns_every_note(three_notes):
    for since in ("2000-01-01", "2000-01-01T00:00:00+00:00", "2000-01-01T09:30"):
        notes = view_json(three_notes, "Three", "--since", since)["notes"]
        assert [n["text"] for n in notes] == [f"note number {i}" for i in (1, 2, 3)]


def test_since_combined_with_last(three_notes):
    notes = view_json(three_notes, "Three", "--since", "2000-01-01", "--last", "1")["notes"]
    assert [n["text"] for n in notes] == ["note number 3"]


# "yesterday" was here until issue 15 made it a date --since takes (see
# tests/cli/test_since_and_tags.py); "the day before" is still no date.
@pytest.mark.parametrize("bad", ["the day before", "2026-13-01", "31/01/2026", ""])
def test_since_with_a_bad_date_is_a_usage_error(three_notes, bad):
    result = failed(three_notes.run("view", "Three", "--since", bad), 2)
    assert "--since" in result.stderr


# Regression (issue 2): `view --since 0001-01-01` crashes in  cli._parse_since (naive datetime.astimezone() raises ValueError  'year 0 is out of range'): exit 1 'internal error' instead of a  usage error (exit 2) or all notes
def test_since_at_the_start_of_the_calendar_is_not_an_internal_error(three_notes):
    result = three_notes.run("view", "Three", "--since", "0001-01-01")
    assert "internal error" not in result.stderr
    assert result.exit_code in (0, 2)


# -- JSON shapes ---------------------------------------------------------------

def test_view_json_has_the_exact_documented_shape_on_one_line(vault_env):
    ok(vault_env.run("add", "Jane Doe", "-m", "line 1\nline 2\n", "--new", "--tag", "t1"))
    ok(vault_env.run("add", "Jane Doe", "-m", "second"))
    out = ok(vault_env.run("view", "Jane Doe", "--json")).stdout
    assert out.endswith("\n") and out.count("\n") == 1, out
    data = json.loads(out)
    assert set(data) == {"client", "notes"}
    assert data["client"] == "Jane Doe"
    assert len(data["notes"]) == 2
    for note in data["notes"]:
        assert set(note) == {"id", "created", "tags", "text"}
        assert type(note["id"]) is int
        assert ISO_Z.match(note["created"]), note["created"]
        assert isinstance(note["tags"], list)
        assert isinstance(note["text"], str)
    assert data["notes"][0]["tags"] == ["t1"]
    assert data["notes"][0]["text"] == "line 1\nline 2\n"
    assert data["notes"][0]["id"] < data["notes"][1]["id"]


def test_list_json_is_a_list_of_client_count_and_last(vault_env):
    assert json.loads(ok(vault_env.run("list", "--json")).stdout) == []
    ok(vault_env.run("add", "bob", "-m", "1", "--new"))
    ok(vault_env.run("add", "Alice", "-m", "1", "--new"))
    ok(vault_env.run("add", "Alice", "-m", "2"))
    out = ok(vault_env.run("list", "--json")).stdout
    assert out.count("\n") == 1
    data = json.loads(out)
    assert [c["client"] for c in data] == ["Alice", "bob"]  # sorted, case-insensitive
    for c in data:
        # issue 2's keys, plus issue 3's retention keys
        assert set(c) == {"client", "notes", "last", "status", "retain_until", "hold"}
        assert ISO_Z.match(c["last"]), c["last"]
        assert (c["status"], c["retain_until"], c["hold"]) == ("open", None, False)
    assert [c["notes"] for c in data] == [2, 1]


def test_list_human_output_names_each_client_with_its_count(vault_env):
    ok(vault_env.run("add", "Alice", "-m", "1", "--new"))
    ok(vault_env.run("add", "Alice", "-m", "2"))
    lines = ok(vault_env.run("list")).stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].split("\t")[:2] == ["Alice", "2"]


# -- stdin -----------------------------------------------------------------------

def test_note_text_is_read_from_stdin_without_m(vault_env):
    text = "from stdin\nwith two lines ünïcødé 😀\n"
    ok(vault_env.run("add", "Piped", "--new", input=text.encode("utf-8")))
    assert view_json(vault_env, "Piped")["notes"][0]["text"] == text


def test_a_20_mb_note_on_stdin_round_trips_exactly(vault_env):
    rng = random.Random(20)
    body = base64.encodebytes(rng.randbytes(15_000_000)).decode("ascii")
    text = body + "ünïcødé 😀 你好 שלום\n" * 2000
    raw = text.encode("utf-8")
    assert len(raw) > 20_000_000
    ok(vault_env.run("add", "Big Note", "--new", input=raw))
    shown = view_json(vault_env, "Big Note")
    assert len(shown["notes"]) == 1
    got = shown["notes"][0]["text"].encode("utf-8")
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("data", [b"caf\xe9 au lait\n", b"\xff\xfe\x00h\x00i",
                                  b"surrogate \xed\xa0\x80", b"overlong \xc0\xaf"],
                         ids=["latin1", "utf16-bom", "surrogate", "overlong"])
def test_invalid_utf8_on_stdin_is_refused_and_nothing_is_stored(vault_env, data):
    result = failed(vault_env.run("add", "Nobody Yet", "--new", input=data), 2)
    assert "UTF-8" in result.stderr
    failed(vault_env.run("view", "Nobody Yet"), 4)  # the client was not created

    ok(vault_env.run("add", "Existing", "-m", "first", "--new"))
    failed(vault_env.run("add", "Existing", input=data), 2)
    assert [n["text"] for n in view_json(vault_env, "Existing")["notes"]] == ["first"]
    assert [e["action"] for e in log_json(vault_env)].count("add") == 1


@pytest.mark.parametrize("how", ["m-empty", "m-spaces", "stdin-empty", "stdin-blank"])
def test_an_empty_note_is_refused_and_nothing_is_added(vault_env, how):
    args, data = {"m-empty": (["-m", ""], None), "m-spaces": (["-m", "  \n\t  "], None),
                  "stdin-empty": ([], b""), "stdin-blank": ([], b"\n \r\n\t\n")}[how]
    result = failed(vault_env.run("add", "Empty Note", "--new", *args, input=data), 2)
    assert "empty" in result.stderr
    failed(vault_env.run("view", "Empty Note"), 4)
    assert json.loads(ok(vault_env.run("list", "--json")).stdout) == []


# -- unknown clients and name matching --------------------------------------------

@pytest.fixture
def clients(vault_env):
    for name in ("Jane Doe", "Janet Doering", "Bob Smith"):
        ok(vault_env.run("add", name, "-m", f"about {name}", "--new"))
    return vault_env


NAMES = ("Jane Doe", "Janet Doering", "Bob Smith")


@pytest.mark.parametrize("cmd", [["view", "Jane Do"], ["add", "Jane Do", "-m", "typo"],
                                 ["log", "--client", "Jane Do"]])
def test_unknown_client_off_terminal_says_matches_exist_without_naming_them(clients, cmd):
    result = failed(clients.run(*cmd), 4)
    assert "no such client" in result.stderr
    assert "similar client name" in result.stderr
    for name in NAMES:
        assert name not in result.stderr
    assert "Doe" not in result.stderr.replace("Jane Do", "")


@pytest.mark.parametrize("args", [["add", "Bob", "Smith", "-m", "x"],
                                  ["view", "Bob", "Smith"],
                                  ["add", "Bob Smith", "SENTINEL secret words"]])
def test_usage_errors_do_not_echo_names_or_text(clients, args):
    result = clients.run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Smith" not in result.stderr and "SENTINEL" not in result.stderr
    assert "quotes" in result.stderr


def test_add_to_unknown_client_without_new_adds_nothing(clients):
    failed(clients.run("add", "Jane Do", "-m", "typo"), 4)
    assert [n["text"] for n in view_json(clients, "Jane Doe")["notes"]] == ["about Jane Doe"]
    assert len(json.loads(ok(clients.run("list", "--json")).stdout)) == 3


def test_unknown_client_on_a_terminal_names_the_close_match(clients, monkeypatch):
    monkeypatch.setattr("vault.cli.ui.stderr_is_tty", lambda: True)
    result = failed(clients.run("view", "Jane Do"), 4)
    assert 'did you mean "Jane Doe"' in result.stderr
    assert "Bob Smith" not in result.stderr


def test_unknown_client_with_no_close_match_gets_the_generic_hint(clients, monkeypatch):
    monkeypatch.setattr("vault.cli.ui.stderr_is_tty", lambda: True)
    result = failed(clients.run("view", "Zzyzx Qwerty"), 4)
    assert "did you mean" not in result.stderr
    assert "vault list" in result.stderr
    assert "suggest" not in [e["action"] for e in log_json(clients)]


def test_a_suggestion_is_logged_as_an_access_to_the_suggested_clients(clients):
    failed(clients.run("view", "Jane Do"), 4)
    entries = log_json(clients)
    suggests = [e for e in entries if e["action"] == "suggest"]
    assert len(suggests) == 1
    assert suggests[0]["signed"] is True
    assert suggests[0]["clients"] >= 1
    assert suggests[0]["detail"]["suggested"] == suggests[0]["clients"]
    # and it is found among the entries about the suggested client
    about_jane = json.loads(ok(clients.run("log", "--client", "Jane Doe", "--json")).stdout)
    assert "suggest" in [e["action"] for e in about_jane]
    about_bob = json.loads(ok(clients.run("log", "--client", "Bob Smith", "--json")).stdout)
    assert "suggest" not in [e["action"] for e in about_bob]


def test_names_match_case_insensitively_with_whitespace_collapsed(clients):
    shown = view_json(clients, "  jANE    dOE ")
    assert shown["client"] == "Jane Doe"
    ok(clients.run("add", "JANE DOE", "-m", "second"))
    added = json.loads(ok(clients.run("add", "jane\tdoe", "-m", "third", "--new",
                                      "--json")).stdout)
    assert added["new_client"] is False
    assert [n["text"] for n in view_json(clients, "Jane Doe")["notes"]] == [
        "about Jane Doe", "second", "third"]
    assert len(json.loads(ok(clients.run("list", "--json")).stdout)) == 3


def test_fullwidth_name_matches_its_nfkc_form(clients):
    assert view_json(clients, "Ｊａｎｅ Ｄｏｅ")["client"] == "Jane Doe"


def test_new_client_name_is_stored_with_whitespace_collapsed(vault_env):
    ok(vault_env.run("add", "  Mary   Ann  ", "-m", "x", "--new"))
    assert [c["client"] for c in json.loads(ok(vault_env.run("list", "--json")).stdout)] == [
        "Mary Ann"]
