"""Issue 15, item 5: the typo guard suggests before it asks.

On a terminal, `vault add` with a name that is no client offers the close
matches first, numbered: a number adds the note to that client, `n` creates
the new name, Enter (or Ctrl-D, or five answers that mean nothing) adds
nothing (exit 6). The offer is logged
as `suggest`, names appear on the terminal only (not in a redirected
stderr), and it works with piped text (asked on /dev/tty) and with the
editor. With no close match the old "Create it? [y/N]" remains. Off a
terminal nothing changes: exit 4 with a hint that names no one, or --new.

Matching is accent- and case-insensitive ("Tomas Alvarez" is "Tomás
Álvarez"). A new name that looks the same as an existing one but is spelled
with other characters (a Cyrillic "а" in "Jаne Doe") draws a warning; off a
terminal it names no one.
"""

from __future__ import annotations

import json

import pytest

from vault.validate import lookalike_letters, skeleton

from ..checks import assert_one_error_line, code, ok
from .test_editor import fake_editor
from .test_tty_prompt import run_on_tty

CYRILLIC_JANE = "J\u0430ne Doe"  # the "а" is U+0430 CYRILLIC SMALL LETTER A


@pytest.fixture
def office(vault_env):
    for name in ("Priya Raman", "Tomás Álvarez", "Jane Doe"):
        ok(vault_env.run("add", name, "-m", f"first note for {name}", "--new"))
    return vault_env


def clients(venv) -> list[str]:
    return sorted(c["client"] for c in json.loads(ok(venv.run("list", "--json")).stdout))


def texts(venv, client: str) -> list[str]:
    return [n["text"] for n in json.loads(ok(venv.run("view", client, "--json")).stdout)["notes"]]


def suggests(venv) -> list[dict]:
    return [e for e in json.loads(ok(venv.run("log", "--json")).stdout)
            if e["action"] == "suggest"]


OFFER = b"Choose 1, n, or Enter to add nothing: "


# -- on a terminal: suggest first -----------------------------------------------------

def test_a_typo_offers_the_close_match_before_anything_is_created(office):
    code_, shown = run_on_tty(office.env, ["add", "Priya Ramen", "-m", "follow-up"],
                              answers=[(OFFER, b"1\n")])
    assert code_ == 0, shown
    assert 'No client named "Priya Ramen". Did you mean:' in shown
    assert "1) Priya Raman" in shown
    assert 'n) a new client named "Priya Ramen"' in shown
    assert "Create it?" not in shown
    assert "vault: added note 4\r\n" in shown  # not "to a new client"
    assert texts(office, "Priya Raman") == ["first note for Priya Raman", "follow-up"]
    assert clients(office) == ["Jane Doe", "Priya Raman", "Tomás Álvarez"]
    assert len(suggests(office)) == 1  # showing her name was logged


def test_n_creates_the_new_name(office):
    code_, shown = run_on_tty(office.env, ["add", "Priya Ramen", "-m", "a different person"],
                              answers=[(OFFER, b"n\n")])
    assert code_ == 0, shown
    assert "vault: added note 4 to a new client" in shown
    assert texts(office, "Priya Ramen") == ["a different person"]
    assert texts(office, "Priya Raman") == ["first note for Priya Raman"]


@pytest.mark.parametrize("reply", [b"\n", b"\x04"], ids=["enter", "ctrl-d"])
def test_enter_or_end_of_input_adds_nothing_exit_6(office, reply):
    code_, shown = run_on_tty(office.env, ["add", "Priya Ramen", "-m", "never stored"],
                              answers=[(OFFER, reply)])
    assert code_ == 6, shown
    assert "vault: error: no client was chosen; nothing was added" in shown
    assert clients(office) == ["Jane Doe", "Priya Raman", "Tomás Álvarez"]
    assert texts(office, "Priya Raman") == ["first note for Priya Raman"]


def test_an_answer_out_of_range_asks_again(office):
    code_, shown = run_on_tty(office.env, ["add", "Priya Ramen", "-m", "second try"],
                              answers=[(OFFER, b"7\n"), (OFFER, b"yes\n"), (OFFER, b"1\n")])
    assert code_ == 0, shown
    assert shown.count("Choose 1, n, or Enter to add nothing: ") == 3
    assert texts(office, "Priya Raman")[-1] == "second try"


def test_five_answers_that_mean_nothing_add_nothing_exit_6(office):
    code_, shown = run_on_tty(office.env, ["add", "Priya Ramen", "-m", "never stored"],
                              answers=[(OFFER, b"x\n")] * 5)
    assert code_ == 6, shown
    assert shown.count("Choose 1, n, or Enter to add nothing: ") == 5
    assert "vault: error: no client was chosen; nothing was added" in shown
    assert clients(office) == ["Jane Doe", "Priya Raman", "Tomás Álvarez"]


def test_names_go_to_the_terminal_not_to_a_redirected_stderr(office, tmp_path):
    log = tmp_path / "stderr.txt"
    code_, shown = run_on_tty(office.env, ["add", "Priya Ramen", "-m", "via /dev/tty"],
                              answers=[(OFFER, b"1\n")], stderr=log)
    assert code_ == 0, shown
    assert "1) Priya Raman" in shown
    assert "Priya" not in log.read_text()
    assert log.read_text().endswith("vault: added note 4\n")


def test_piped_text_is_offered_the_matches_on_the_terminal(office):
    code_, shown = run_on_tty(office.env, ["add", "priya ramen"], answers=[(OFFER, b"1\n")],
                              stdin=b"Follow-up from a pipe\n")
    assert code_ == 0, shown
    assert texts(office, "Priya Raman")[-1] == "Follow-up from a pipe\n"


def test_the_editor_opens_for_the_chosen_client(office, tmp_path):
    bin_dir = tmp_path / "bin"
    fake_editor(bin_dir, "my-editor")
    code_, shown = run_on_tty({**office.env, "VISUAL": str(bin_dir / "my-editor")},
                              ["add", "Priya Ramen"], answers=[(OFFER, b"1\n")])
    assert code_ == 0, shown
    assert texts(office, "Priya Raman")[-1] == "written by the fake editor\n"


def test_several_matches_are_numbered(office):
    ok(office.run("add", "Priya Rahman", "-m", "x", "--new"))
    code_, shown = run_on_tty(office.env, ["add", "Priya Ramen", "-m", "to the second"],
                              answers=[(b"Choose 1-2, n, or Enter", b"2\n")])
    assert code_ == 0, shown
    assert "1) Priya Raman" in shown and "2) Priya Rahman" in shown
    assert texts(office, "Priya Rahman")[-1] == "to the second"


def test_no_close_match_still_asks_create_it(office):
    code_, shown = run_on_tty(office.env, ["add", "Zed Quux", "-m", "hello"],
                              answers=[(b"Create it? [y/N] ", b"y\n")])
    assert code_ == 0, shown
    assert "Did you mean" not in shown
    assert texts(office, "Zed Quux") == ["hello"]


# -- off a terminal: as before ----------------------------------------------------------

def test_off_a_terminal_a_typo_is_exit_4_and_names_no_one(office):
    result = code(office.run("add", "Priya Ramen", "-m", "x"), 4)
    assert_one_error_line(result.stderr)
    assert "vault: error: no such client" in result.stderr
    assert "1 similar client name(s) exist; run on a terminal to see them" in result.stderr
    assert "Priya" not in result.stderr
    assert clients(office) == ["Jane Doe", "Priya Raman", "Tomás Álvarez"]


def test_off_a_terminal_new_creates_the_name(office):
    result = ok(office.run("add", "Priya Ramen", "-m", "x", "--new"))
    assert "added note 4 to a new client" in result.stderr
    assert "looks the same" not in result.stderr  # a typo, not a look-alike
    assert "Priya Ramen" in clients(office)


# -- accents and case -----------------------------------------------------------------

@pytest.mark.parametrize("typed", ["Tomas Alvarez", "TOMAS   alvarez", "tomás álvarez"])
def test_accents_and_case_find_the_same_client(office, typed):
    result = ok(office.run("add", typed, "-m", f"as {typed}"))
    assert "new client" not in result.stderr
    assert texts(office, "Tomás Álvarez")[-1] == f"as {typed}"
    assert clients(office) == ["Jane Doe", "Priya Raman", "Tomás Álvarez"]


def test_a_typo_without_accents_is_offered_the_accented_name(office):
    code_, shown = run_on_tty(office.env, ["add", "Tomas Alvares", "-m", "typo"],
                              answers=[(OFFER, b"1\n")])
    assert code_ == 0, shown
    assert "1) Tomás Álvarez" in shown
    assert texts(office, "Tomás Álvarez")[-1] == "typo"


# -- look-alike names -------------------------------------------------------------------

def test_skeleton_reads_look_alike_letters_as_latin():
    assert skeleton(CYRILLIC_JANE) == skeleton("Jane Doe") == "jane doe"
    assert skeleton("\u0392\u039f\u0392") == skeleton("bob")          # Greek capitals
    assert skeleton("\u0412ob") == "bob" and skeleton("\u0432ob") != "bob"  # В looks like B, в does not
    assert skeleton("Tomás Álvarez") == skeleton("tomas alvarez")
    assert skeleton("Priya Ramen") != skeleton("Priya Raman")
    assert lookalike_letters(CYRILLIC_JANE) == ["U+0430 CYRILLIC SMALL LETTER A"]
    assert lookalike_letters("Jane Doe") == []


def test_a_look_alike_new_name_is_warned_about_off_a_terminal_without_names(office):
    result = ok(office.run("add", CYRILLIC_JANE, "--new", "-m", "x"))
    assert ("vault: warning: the new client's name looks the same as 1 existing client "
            "name(s) but is spelled with other characters (such as Cyrillic or Greek "
            "letters); run on a terminal to see them, or see `vault list`") in result.stderr
    assert "Jane" not in result.stderr
    assert "added note 4 to a new client" in result.stderr
    assert len(suggests(office)) == 1


def test_a_look_alike_new_name_is_named_on_a_terminal(office):
    code_, shown = run_on_tty(office.env, ["add", CYRILLIC_JANE, "--new", "-m", "x"])
    assert code_ == 0, shown
    assert (f'vault: warning: the new client "{CYRILLIC_JANE}" looks the same as the '
            'existing client "Jane Doe" but is spelled with other characters '
            "(U+0430 CYRILLIC SMALL LETTER A)") in shown


def test_a_look_alike_is_offered_first_and_marked(office):
    code_, shown = run_on_tty(office.env, ["add", CYRILLIC_JANE, "-m", "meant Jane"],
                              answers=[(OFFER, b"1\n")])
    assert code_ == 0, shown
    assert "1) Jane Doe   (looks the same, spelled with other characters)" in shown
    assert texts(office, "Jane Doe")[-1] == "meant Jane"
    assert CYRILLIC_JANE not in clients(office)


def test_a_look_alike_off_a_terminal_without_new_is_exit_4(office):
    result = code(office.run("add", CYRILLIC_JANE, "-m", "x"), 4)
    assert "similar client name(s) exist" in result.stderr and "Jane" not in result.stderr


def test_the_same_name_in_other_case_is_no_look_alike(office):
    result = ok(office.run("add", "JANE DOE", "--new", "-m", "same person"))
    assert "warning" not in result.stderr.replace(
        "vault: warning: the passphrase file given by VAULT_PASSPHRASE_FILE can be read by "
        "other users; run `chmod 600` on it\n", "")
    assert texts(office, "Jane Doe")[-1] == "same person"
