"""Text from the vault is printed literally, never interpreted.

Covers: rich markup (`[bold red]x[/]`, `:smile:`) in note text, client names
and tags shows verbatim in `view` and `list` (plain and rich-table output);
terminal escapes (CSI, OSC title, BEL, CR, DEL, C1 CSI) and the bidi override
U+202E in note text never reach stdout raw in human output but are shown as
escapes; `--json` round-trips all of it exactly; names and tags with control
or invisible characters are refused at `add` (exit 2, nothing created).
"""

from __future__ import annotations

import json

import pytest
from ..checks import assert_one_error_line, code, ok

MARKUP = "[bold red]x[/]"
EVIL_TEXT = ("plain [bold red]x[/] :smile: "
             "csi \x1b[31mred\x1b[0m osc \x1b]0;title\x07 cr a\rb del \x7f "
             "c1 \x9b2J bidi \u202eevil\u202c end")
EVIL_NAME = "[bold red]Mallory[/] :smile: [link=http://x.test]y[/link]"
EVIL_TAG = "[blink]tag[/blink]"
RAW_BYTES = [b"\x1b", b"\x07", b"\r", b"\x7f", "\x9b".encode(), "\u202e".encode(),
             "\u202c".encode()]


@pytest.fixture
def evil(vault_env):
    ok(vault_env.run("add", EVIL_NAME, "-m", EVIL_TEXT, "--new", "--tag", EVIL_TAG,
                     "--tag", MARKUP))
    return vault_env


def test_view_shows_markup_verbatim_and_never_sends_raw_control_bytes(evil):
    result = ok(evil.run("view", EVIL_NAME))
    raw = result.stdout_bytes
    for b in RAW_BYTES:
        assert b not in raw, b
    out = result.stdout
    assert f"client: {EVIL_NAME}\n" in out
    assert f"#{EVIL_TAG} #{MARKUP}" in out
    assert "plain [bold red]x[/] :smile: " in out
    # every control character is shown as a visible escape, in place
    for shown in (r"csi \x1b[31mred\x1b[0m", r"osc \x1b]0;title\x07", r"cr a\x0db",
                  r"del \x7f", r"c1 \x9b2J", r"bidi \u202eevil\u202c end"):
        assert shown in out, shown


def test_view_json_round_trips_every_character_exactly(evil):
    result = ok(evil.run("view", EVIL_NAME, "--json"))
    assert b"\x1b" not in result.stdout_bytes and b"\x07" not in result.stdout_bytes
    assert result.stdout.count("\n") == 1
    data = json.loads(result.stdout)
    assert data["client"] == EVIL_NAME
    assert data["notes"][0]["text"] == EVIL_TEXT
    assert data["notes"][0]["tags"] == [EVIL_TAG, MARKUP]


def test_list_plain_output_shows_names_verbatim(evil):
    out = ok(evil.run("list")).stdout
    assert out.startswith(EVIL_NAME + "\t1\t"), out
    data = json.loads(ok(evil.run("list", "--json")).stdout)
    assert [c["client"] for c in data] == [EVIL_NAME]


def test_list_table_on_a_terminal_shows_markup_verbatim(evil, monkeypatch):
    monkeypatch.setattr("vault.cli.ui.stdout_is_tty", lambda: True)
    result = ok(evil.run("list"))
    assert b"\x1b" not in result.stdout_bytes
    assert "[bold red]Mallory[/]" in result.stdout
    assert ":smile:" in result.stdout and "\U0001f604" not in result.stdout
    assert "[link=http://x.test]y[/link]" in result.stdout


def test_multiline_text_with_escapes_keeps_its_newlines_and_tabs(vault_env):
    text = "one\x1b[2J\n\ttwo\r\nthree\n"
    ok(vault_env.run("add", "Lines", "-m", text, "--new"))
    out = ok(vault_env.run("view", "Lines")).stdout
    assert "one\\x1b[2J\n\ttwo\\x0d\nthree\n" in out
    assert json.loads(ok(vault_env.run("view", "Lines", "--json")).stdout)[
        "notes"][0]["text"] == text


BAD_LABELS = {"esc": "Evil\x1b[31mName", "bel": "ding\x07", "nul": "a\x00b",
              "del": "a\x7fb", "c1": "a\x9bb", "bidi": "abc\u202edef",
              "zero-width": "a\u200bb", "osc": "x\x1b]0;pwned\x07"}


@pytest.mark.parametrize("label", BAD_LABELS.values(), ids=BAD_LABELS.keys())
def test_client_name_with_control_characters_is_refused(vault_env, label):
    result = vault_env.run("add", label, "-m", "text", "--new")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "control or invisible" in result.stderr
    for b in RAW_BYTES:
        assert b not in result.stderr_bytes
    assert json.loads(ok(vault_env.run("list", "--json")).stdout) == []


@pytest.mark.parametrize("label", BAD_LABELS.values(), ids=BAD_LABELS.keys())
def test_tag_with_control_characters_is_refused(vault_env, label):
    result = vault_env.run("add", "Tag Test", "-m", "text", "--new", "--tag", "fine",
                           "--tag", label)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "control or invisible" in result.stderr
    assert json.loads(ok(vault_env.run("list", "--json")).stdout) == []


def test_a_path_in_an_error_never_sends_raw_control_bytes(vault_env, tmp_path):
    """Error lines are escaped where they are written (ui), not by each
    command: a DEST with terminal escapes in its name is shown, not obeyed."""
    # Two missing levels: backup creates only the last one (issue 15).
    dest = str(tmp_path / "no\x1b[31mfolder\u202e" / "deeper") + "/"
    result = code(vault_env.run("backup", dest), 1)
    assert_one_error_line(result.stderr)
    for b in RAW_BYTES[:1] + RAW_BYTES[5:6]:
        assert b not in result.stderr_bytes, b
    assert r"no\x1b[31mfolder\u202e" in result.stderr
