"""Issue 15 items 7 and 8, and the file variants of item 3, through the real
CLI: `vault tags`, `view --tag`, `search --tag` without a term, tags that
compare in any case; `--since` with words and durations; `--text-file`,
`--query-file` and `--reason-file` that keep free text out of argv."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault.errors import UsageError
from vault.validate import parse_since

from ..checks import assert_one_error_line, code, ok

NOW = datetime(2026, 3, 31, 15, 0, tzinfo=timezone.utc)   # a Tuesday


def import_notes(venv, client: str, notes: list[tuple[str, str, list[str]]]) -> None:
    doc = {"client": client, "notes": [{"created": when, "tags": tags, "text": text}
                                       for text, when, tags in notes]}
    ok(venv.run("import", "jsonl", "-", input=json.dumps(doc) + "\n"))


@pytest.fixture
def tagged(vault_env):
    import_notes(vault_env, "Ann Lee", [("sleep talk", "2026-01-05T10:00:00Z", ["Sleep"]),
                                        ("work talk", "2026-01-06T10:00:00Z", ["work"]),
                                        ("more sleep", "2026-01-07T10:00:00Z", ["SLEEP"])])
    import_notes(vault_env, "Bo Chan", [("bo sleeps", "2026-02-01T10:00:00Z", ["sleep"])])
    return vault_env


# -- tags ------------------------------------------------------------------------

def test_tags_lists_each_tag_once_in_any_case_with_counts(tagged):
    listed = json.loads(ok(tagged.run("tags", "--json")).stdout)
    assert listed == [{"tag": "Sleep", "notes": 3, "clients": 2},
                      {"tag": "work", "notes": 1, "clients": 1}]
    one = json.loads(ok(tagged.run("tags", "--client", "bo chan", "--json")).stdout)
    assert one == [{"tag": "sleep", "notes": 1, "clients": 1}]
    human = ok(tagged.run("tags")).stdout
    assert "Sleep\t3\t2" in human and "work\t1\t1" in human


def test_tags_is_logged_and_an_unknown_client_is_exit_4(tagged):
    ok(tagged.run("tags"))
    actions = [e["action"] for e in json.loads(ok(tagged.run("log", "--json")).stdout)]
    assert "tags" in actions
    result = code(tagged.run("tags", "--client", "Nobody"), 4)
    assert result.stdout == ""


def test_tags_on_an_empty_vault(vault_env):
    assert json.loads(ok(vault_env.run("tags", "--json")).stdout) == []
    assert "no tags" in ok(vault_env.run("tags")).stderr


def test_view_tag_filters_in_any_case(tagged):
    notes = json.loads(ok(tagged.run("view", "Ann Lee", "--tag", "sleep", "--json")).stdout)
    assert [n["text"] for n in notes["notes"]] == ["sleep talk", "more sleep"]
    last = json.loads(ok(tagged.run("view", "Ann Lee", "--tag", "SLEEP", "--last", "1",
                                    "--json")).stdout)
    assert [n["text"] for n in last["notes"]] == ["more sleep"]
    none = ok(tagged.run("view", "Ann Lee", "--tag", "nothing"))
    assert "no notes match" in none.stderr


def test_search_by_tag_alone_lists_the_notes_with_it(tagged):
    hits = json.loads(ok(tagged.run("search", "--tag", "Sleep", "--json")).stdout)["hits"]
    assert [(h["client"], h["excerpt"]) for h in hits] == [
        ("Ann Lee", "sleep talk"), ("Ann Lee", "more sleep"), ("Bo Chan", "bo sleeps")]
    assert all(h["spans"] == [] and h["matches"] == 0 for h in hits)


def test_search_needs_a_term_or_a_tag(tagged):
    result = code(tagged.run("search"), 2)
    assert "give a search term, --tag TAG, or both" in result.stderr
    assert_one_error_line(result.stderr)


def test_add_keeps_one_of_tags_that_differ_only_in_case(vault_env):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "x", "--tag", "Sleep", "--tag", "sleep",
                     "--tag", "SLÉEP", "--tag", "work"))
    notes = json.loads(ok(vault_env.run("view", "Ann Lee", "--json")).stdout)["notes"]
    assert notes[0]["tags"] == ["Sleep", "work"]


# -- --since -------------------------------------------------------------------

def local_midnight(days_back: int) -> datetime:
    day = NOW.astimezone().date() - timedelta(days=days_back)
    return datetime(day.year, day.month, day.day).astimezone()


@pytest.mark.parametrize("word,days_back", [
    ("today", 0), ("yesterday", 1), ("monday", 1), ("last monday", 1), ("tuesday", 7),
    ("Last  Sunday", 2), ("3d", 3), ("2w", 14)])
def test_since_words_and_durations(word, days_back):
    assert parse_since(word, NOW) == local_midnight(days_back)


def test_since_months_and_years_land_on_a_real_day():
    assert parse_since("1mo", NOW).date().isoformat() == "2026-02-28"   # 31 March - 1 month
    assert parse_since("6mo", NOW).date().isoformat() == "2025-09-30"
    assert parse_since("1y", NOW).date().isoformat() == "2025-03-31"


@pytest.mark.parametrize("bad", ["tomorrow", "last", "3", "3h", "31/01/2026", "monday next"])
def test_since_refuses_what_it_does_not_know(bad):
    with pytest.raises(UsageError, match="--since takes a date"):
        parse_since(bad, NOW)


@given(st.integers(0, 3000))
def test_since_n_days_is_n_days_before_today(n):
    assert parse_since(f"{n}d", NOW) == local_midnight(n)


def test_since_yesterday_through_the_cli(vault_env):
    now = datetime.now(timezone.utc)
    import_notes(vault_env, "Ann Lee", [
        ("old", (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), []),
        ("new", now.strftime("%Y-%m-%dT%H:%M:%SZ"), [])])
    for since in ("yesterday", "2w", "today"):
        notes = json.loads(ok(vault_env.run("view", "Ann Lee", "--since", since,
                                            "--json")).stdout)["notes"]
        assert [n["text"] for n in notes] == ["new"], since
    result = code(vault_env.run("view", "Ann Lee", "--since", "someday"), 2)
    assert "--since takes a date" in result.stderr


# -- free text from a file -----------------------------------------------------

def test_redact_text_file_strikes_what_the_file_names(vault_env, tmp_path):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "Met Tom Tailor today."))
    words = tmp_path / "strike.txt"
    words.write_text("Tom Tailor\n")
    ok(vault_env.run("redact", "Ann Lee", "--text-file", str(words), "--yes"))
    notes = json.loads(ok(vault_env.run("view", "Ann Lee", "--json")).stdout)["notes"]
    assert notes[0]["text"] == "Met [REDACTED] today."


def test_redact_text_from_stdin(vault_env):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "Met Tom Tailor today."))
    result = ok(vault_env.run("redact", "Ann Lee", "--text-file", "-", "--dry-run",
                              "--json", input="Tom Tailor\n"))
    assert json.loads(result.stdout)["spans"] == 1


def test_hold_reason_file_and_its_errors(vault_env, tmp_path):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "x"))
    both = code(vault_env.run("hold", "Ann Lee", "--reason", "a", "--reason-file", "-",
                              input="b"), 2)
    assert "give --reason or --reason-file, not both" in both.stderr
    neither = code(vault_env.run("hold", "Ann Lee"), 2)
    assert "give --reason TEXT or --reason-file PATH" in neither.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    assert "is empty" in code(vault_env.run("hold", "Ann Lee", "--reason-file", str(empty)),
                              2).stderr
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Dossier Müller".encode("latin-1"))
    bad = code(vault_env.run("hold", "Ann Lee", "--reason-file", str(latin1)), 2)
    assert "not valid UTF-8" in bad.stderr and "M" not in bad.stderr.split("UTF-8")[0][-20:]
    missing = code(vault_env.run("hold", "Ann Lee", "--reason-file", str(tmp_path / "no")), 1)
    assert "cannot read the file given to --reason-file" in missing.stderr
    reason = tmp_path / "reason.txt"
    reason.write_text("litigation 2026-17\n")
    ok(vault_env.run("hold", "Ann Lee", "--reason-file", str(reason)))
    refused = code(vault_env.run("shred", "Ann Lee", "--yes"), 6)
    assert "litigation 2026-17" in refused.stderr


def test_search_query_file_keeps_the_term_out_of_argv(vault_env, tmp_path):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "Talked about insomnia."))
    query = tmp_path / "q.txt"
    query.write_text("INSOMNIA\n")
    hits = json.loads(ok(vault_env.run("search", "--query-file", str(query),
                                       "--json")).stdout)["hits"]
    assert [h["client"] for h in hits] == ["Ann Lee"]
    result = code(vault_env.run("search", "x", "--query-file", str(query)), 2)
    assert "give TERM or --query-file, not both" in result.stderr


def test_a_fifo_without_a_writer_times_out(vault_env, tmp_path, monkeypatch):
    from vault.cli import argfile
    monkeypatch.setattr(argfile, "TIMEOUT_S", 0.2)
    fifo = tmp_path / "q.fifo"
    os.mkfifo(fifo)
    result = code(vault_env.run("search", "--query-file", str(fifo)), 1)
    assert "gave nothing within" in result.stderr
