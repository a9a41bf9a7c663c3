"""Issue 15 items 1 and 6, through the real CLI: notes come back in the order
of their dates (also after an import of older notes), and the conventions
people expect of a command-line tool (--version, -h, `vault help`, shell
completion that never offers client names, an unknown option named with the
nearest one, global options after the command, a `client-vault` script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vault import __version__

from ..checks import assert_one_error_line, code, ok

ROOT = Path(__file__).resolve().parents[2]


def import_old_notes(venv, client: str, dated: dict[str, str]) -> None:
    doc = {"client": client, "notes": [{"created": when, "tags": [], "text": text}
                                       for text, when in dated.items()]}
    ok(venv.run("import", "jsonl", "-", input=json.dumps(doc) + "\n"))


@pytest.fixture
def imported(vault_env):
    """Jane's file: one note written today, then older ones imported after it,
    in an order that is neither by date nor by id."""
    ok(vault_env.run("add", "Jane Doe", "--new", "-m", "today"))
    import_old_notes(vault_env, "Jane Doe", {
        "december": "2025-12-01T10:00:00Z", "september": "2025-09-01T10:00:00Z",
        "october-2": "2025-10-20T10:00:00Z", "october-1": "2025-10-02T10:00:00Z"})
    return vault_env


def test_view_orders_notes_by_date_not_by_id(imported):
    notes = json.loads(ok(imported.run("view", "Jane Doe", "--json")).stdout)["notes"]
    assert [n["text"] for n in notes] == ["september", "october-1", "october-2", "december",
                                          "today"]
    human = ok(imported.run("view", "Jane Doe")).stdout
    positions = [human.index(t) for t in ("september", "october-1", "october-2", "december",
                                          "today")]
    assert positions == sorted(positions)


def test_last_n_means_the_n_most_recent_by_date(imported):
    notes = json.loads(ok(imported.run("view", "Jane Doe", "--last", "2", "--json")).stdout)
    assert [n["text"] for n in notes["notes"]] == ["december", "today"]


def test_notes_of_one_date_keep_the_order_they_were_added(vault_env):
    import_old_notes(vault_env, "Ann Lee", {"b": "2025-01-01T00:00:00Z"})
    import_old_notes(vault_env, "Ann Lee", {"a": "2025-01-01T00:00:00Z"})
    notes = json.loads(ok(vault_env.run("view", "Ann Lee", "--json")).stdout)["notes"]
    assert [n["text"] for n in notes] == ["b", "a"]
    assert notes[0]["id"] < notes[1]["id"]


def test_export_and_search_follow_the_same_order(imported, tmp_path):
    out = tmp_path / "jane.json"
    ok(imported.run("export", "Jane Doe", "--format", "json", "-o", str(out), "--yes"))
    exported = json.loads(out.read_text())
    texts = [n["text"] for n in exported["notes"]]
    assert texts == ["september", "october-1", "october-2", "december", "today"]
    hits = json.loads(ok(imported.run("search", "e", "--json")).stdout)["hits"]
    dates = [h["created"] for h in hits]
    assert dates == sorted(dates)


# -- conventions ---------------------------------------------------------------

@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(vault_env, flag):
    result = ok(vault_env.run(flag))
    assert result.stdout == f"vault {__version__}\n"


def test_dash_h_is_help_for_the_root_and_every_command(vault_env):
    assert ok(vault_env.run("-h")).stdout == ok(vault_env.run("--help")).stdout
    assert ok(vault_env.run("add", "-h")).stdout == ok(vault_env.run("add", "--help")).stdout
    assert "Usage: vault log verify" in ok(vault_env.run("log", "verify", "-h")).stdout


def test_help_command_prints_the_same_text_as_dash_dash_help(vault_env):
    assert ok(vault_env.run("help")).stdout == ok(vault_env.run("--help")).stdout
    assert ok(vault_env.run("help", "add")).stdout == ok(vault_env.run("add", "--help")).stdout
    assert (ok(vault_env.run("help", "log", "verify")).stdout
            == ok(vault_env.run("log", "verify", "--help")).stdout)


def test_help_for_an_unknown_command_never_repeats_the_word(vault_env):
    result = code(vault_env.run("help", "Jane"), 2)
    assert "no such command" in result.stderr and "Jane" not in result.stderr
    assert_one_error_line(result.stderr.split("vault: hint:")[0])


def test_an_unknown_option_is_named_with_the_nearest_one(vault_env):
    result = code(vault_env.run("view", "X", "--jsn"), 2)
    assert "no such option: --jsn (did you mean --json?)" in result.stderr
    assert "see `vault view --help`" in result.stderr


@pytest.mark.parametrize("typed", ["--Jane", "--Jane Doe", "--jane.doe@example.org"])
def test_an_unknown_option_that_may_be_a_name_is_not_repeated(vault_env, typed):
    result = code(vault_env.run("view", "X", typed), 2)
    assert "no such option" in result.stderr
    assert "Jane" not in result.stderr and "jane" not in result.stderr


def test_global_options_after_the_command(vault_env, tmp_path):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "in the usual vault"))
    other = tmp_path / "other" / "vault.sqlite"
    moved = dict(vault_env.env, VAULT_PATH=str(tmp_path / "nowhere" / "v.sqlite"))
    listed = vault_env.run("list", "--json", "--vault", str(vault_env.path), env=moved)
    assert [c["client"] for c in json.loads(ok(listed).stdout)] == ["Ann Lee"]
    # after the command wins over before it
    result = vault_env.run("--vault", str(other), "list", "--vault", str(vault_env.path),
                           "--json")
    assert json.loads(ok(result).stdout)[0]["client"] == "Ann Lee"
    status = ok(vault_env.run("status", "--json", "--vault", str(other)))
    assert json.loads(status.stdout)["vault"] == str(other)
    # and in a group's command
    assert ok(vault_env.run("log", "verify", "--vault", str(vault_env.path),
                            "--no-unlock")).exit_code == 0


def test_debug_after_the_command_shows_the_traceback(vault_env):
    script = ("import sys, vault.commands.notes as n\n"
              "def broken(*a, **k): raise ZeroDivisionError('injected')\n"
              "n.list_clients = broken\n"
              "from vault.cli import main\nraise SystemExit(main(sys.argv[1:]))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in vault_env.env.items() if v is not None})
    plain = subprocess.run([sys.executable, "-c", script, "list"], env=env,
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    debug = subprocess.run([sys.executable, "-c", script, "list", "--debug"], env=env,
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    assert plain.returncode == debug.returncode == 1
    assert b"Traceback" not in plain.stderr and b"Traceback" in debug.stderr


def complete(venv, words: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in venv.env.items() if v is not None})
    env.update(_VAULT_COMPLETE="complete_bash", COMP_WORDS=words,
               COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    run = subprocess.run([sys.executable, "-m", "vault"], env=env, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_completion_offers_commands_and_options_never_client_names(vault_env):
    ok(vault_env.run("add", "Jane Doe", "--new", "-m", "x"))
    assert "view" in complete(vault_env, "vault vi")
    assert "--last" in complete(vault_env, "vault view X --la")
    assert complete(vault_env, "vault view J") == []
    assert complete(vault_env, "vault view ") == []


def test_the_install_and_show_completion_options_exist(vault_env):
    shown = ok(vault_env.run("--help")).stdout
    assert "--install-completion" in shown and "--show-completion" in shown


def test_a_client_vault_command_is_installed_beside_vault():
    """Both names are bin/ scripts (tests/unit/test_packaging.py checks what
    they run); the package's own name is there for people who also have
    HashiCorp's `vault` on their PATH."""
    text = (ROOT / "pyproject.toml").read_text()
    assert 'script-files = ["bin/vault", "bin/client-vault"]' in text


def test_no_command_summary_is_cut_off_in_the_overview(vault_env):
    """Issue 15 item 10: `vault --help` cut summaries off with "..."."""
    shown = ok(vault_env.run("--help")).stdout
    commands = shown[shown.index("Commands:"):]
    assert "..." not in commands, commands
