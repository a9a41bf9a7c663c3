"""Issue 15 item 10, the smaller fixes, through the real CLI.

Covers: `vault export` in Markdown says what the JSON says (status, the
retention date, a legal hold, the client's own aliases and the people around
them), keeping its first lines byte for byte, and the JSON gains
`retain_until` and `hold`; `vault backup DEST` creates a missing folder 0700
(DEST ending in /, or the folder of a file DEST), says so on stderr and in
--json, never creates the folder above it (exit 1, nothing made), refuses a
DEST/ that is a file, and removes the new folder again when the backup
fails; the sealed-inbox question at unlock offers the close matches,
numbered, on a terminal (a number picks one; logged as `suggest`) and
nothing changes off a terminal; `vault --help` no longer cuts off the
summaries of import, export, export-anonymized, backup and restore; usage
lines print CLIENT, never {CLIENT}.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from ..checks import assert_one_error_line, code, ok
from .test_terminal import run_on_tty

ALICE = "Alice Whitcombe"
BOB = "Bob Ferrante"


@pytest.fixture
def office(vault_env):
    ok(vault_env.run("add", ALICE, "-m", "quokka intake", "--new"))
    ok(vault_env.run("add", ALICE, "-m", "quokka second", "--tag", "follow-up"))
    ok(vault_env.run("add", BOB, "-m", "rhubarb first", "--new"))
    return vault_env


def log_json(venv) -> list[dict]:
    return json.loads(ok(venv.run("log", "--json")).stdout)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- export in Markdown: what the JSON says ----------------------------------------------

def test_markdown_of_a_plain_client_keeps_its_first_lines(office):
    out = ok(office.run("export", BOB, "--yes")).stdout
    created = json.loads(ok(office.run("export", BOB, "--yes", "--format", "json")).stdout)
    day = created["created"][:10]
    assert out.startswith(f"# {BOB}\n\nClient since {day}; 1 note(s).\n\n- Status: open\n\n## ")
    assert out.endswith("\n\nrhubarb first\n")


def test_markdown_has_status_retention_hold_and_aliases(office):
    ok(office.run("alias", "add", ALICE, "Allie"))
    ok(office.run("alias", "add", ALICE, "Tom Whitcombe", "--relation", "husband"))
    ok(office.run("alias", "add", ALICE, "Sue", "--relation", "sister"))
    ok(office.run("close", ALICE, "--retain-until", "2031-05-01"))
    ok(office.run("hold", ALICE, "--reason", "Zeppelin v. Quokka subpoena"))
    out = ok(office.run("export", ALICE, "--yes")).stdout
    head = out.split("\n## ")[0]
    assert head.splitlines()[4:] == [
        "- Status: closed; kept until 2031-05-01",
        "- Under legal hold",
        "- Also known as: Allie",
        "- People around the client: Tom Whitcombe (husband); Sue (sister)"]
    assert "Zeppelin" not in out           # the hold's reason is the practice's own
    assert out.count("\n## ") == 2
    data = json.loads(ok(office.run("export", ALICE, "--yes", "--format", "json")).stdout)
    assert (data["status"], data["retain_until"], data["hold"]) == ("closed", "2031-05-01",
                                                                   True)
    assert data["aliases"] == [{"alias": "Allie", "relation": None},
                               {"alias": "Tom Whitcombe", "relation": "husband"},
                               {"alias": "Sue", "relation": "sister"}]


def test_markdown_of_a_closed_file_without_a_date(office):
    ok(office.run("close", BOB))
    out = ok(office.run("export", BOB, "--yes")).stdout
    assert "\n- Status: closed\n" in out and "kept until" not in out
    assert "legal hold" not in out and "Also known as" not in out


# -- backup DEST: a missing folder is created ---------------------------------------------

def test_a_missing_folder_is_created_private_and_said_so(office, tmp_path):
    folder = tmp_path / "vault-backups"
    result = ok(office.run("backup", f"{folder}/", "--json"))
    assert f"vault: created folder {folder} (mode 0700)" in result.stderr.splitlines()
    assert mode(folder) == 0o700
    info = json.loads(result.stdout)
    assert info["created_folder"] == str(folder)
    assert Path(info["path"]).parent == folder and Path(info["path"]).is_file()
    # the next time the folder is there: nothing is said
    again = ok(office.run("backup", f"{folder}/second.vaultbackup", "--json"))
    assert "created folder" not in again.stderr
    assert json.loads(again.stdout)["created_folder"] is None
    assert len(os.listdir(folder)) == 2 and mode(folder) == 0o700


def test_the_folder_of_a_file_dest_is_created_too(office, tmp_path):
    dest = tmp_path / "nightly" / "vault.vaultbackup"
    result = ok(office.run("backup", str(dest)))
    assert "created folder" in result.stderr
    assert dest.is_file() and mode(dest.parent) == 0o700


def test_only_one_folder_is_created(office, tmp_path):
    before = sorted(os.listdir(tmp_path))
    for dest in (f"{tmp_path}/a/b/", f"{tmp_path}/a/b/c.vb"):
        result = code(office.run("backup", dest), 1)
        assert_one_error_line(result.stderr)
        assert f"vault: error: cannot write the backup: there is no folder {tmp_path}/a" \
            in result.stderr
        assert result.stdout == ""
    assert sorted(os.listdir(tmp_path)) == before


def test_folder_names_are_shown_escaped_never_obeyed(office, tmp_path):
    """The message about the new folder, and the error about a missing one,
    print a folder name with terminal escapes as escapes."""
    odd = "odd\x1b[31mname\u202e"
    made = ok(office.run("backup", f"{tmp_path}/{odd}/"))
    failed = code(office.run("backup", f"{tmp_path}/{odd}x/deeper/"), 1)
    for result in (made, failed):
        assert b"\x1b" not in result.stderr_bytes
        assert "\u202e".encode() not in result.stderr_bytes
    assert r"created folder " in made.stderr and r"odd\x1b[31mname\u202e (mode 0700)" \
        in made.stderr
    assert r"there is no folder " in failed.stderr and r"odd\x1b[31mname\u202ex" \
        in failed.stderr


def test_a_dest_with_a_slash_that_is_a_file_is_refused(office, tmp_path):
    (tmp_path / "plain").write_text("not a folder\n")
    result = code(office.run("backup", f"{tmp_path}/plain/"), 1)
    assert_one_error_line(result.stderr)
    assert "is not a folder" in result.stderr
    assert (tmp_path / "plain").read_text() == "not a folder\n"


def test_a_failed_backup_removes_the_folder_it_made(office, tmp_path, monkeypatch):
    import vault.commands.backup
    from vault.errors import VaultError

    def read_only(*args, **kwargs):
        raise VaultError("cannot write the vault: it is read-only")
    monkeypatch.setattr(vault.commands.backup, "record_locked", read_only)
    result = code(office.run("backup", f"{tmp_path}/fresh/"), 1)
    assert "read-only" in result.stderr and "created folder" not in result.stderr
    assert not (tmp_path / "fresh").exists()


def test_the_vault_itself_is_still_refused(office):
    result = code(office.run("backup", str(office.path), "--force"), 2)
    assert "the vault itself" in result.stderr


# -- the sealed-inbox question offers close matches ------------------------------------------

SEALED_TEXT = "Marmalade incident, call back Thursday"


def seal(venv, name: str) -> None:
    ok(venv.run("add", "--sealed", name, "-m", SEALED_TEXT,
                env={"VAULT_PASSPHRASE_FILE": None}))


def notes_of(venv, name: str) -> list[str]:
    return [n["text"] for n in json.loads(ok(venv.run("view", name, "--json")).stdout)["notes"]]


def test_a_number_picks_a_close_match(office):
    seal(office, "Alice Whitcomb")
    status, output = run_on_tty(office.env, ["list"], [(b"inbox): ", b"1\n")])
    assert status == 0, output
    assert "Close matches:" in output
    assert re.search(r"^\s+1\. Alice Whitcombe\s*$", output, re.MULTILINE), output
    assert "a number above or a client's name" in output
    assert SEALED_TEXT in notes_of(office, ALICE)
    actions = [e["action"] for e in log_json(office)]
    assert "suggest" in actions and "inbox-file" in actions
    assert actions.index("suggest") < actions.index("inbox-file")


def test_a_name_can_still_be_typed(office):
    seal(office, "Bobby F.")
    status, output = run_on_tty(office.env, ["list"], [(b"inbox): ", f"{BOB}\n".encode())])
    assert status == 0, output
    assert SEALED_TEXT in notes_of(office, BOB)


def test_without_close_matches_the_question_is_as_before(office):
    seal(office, "Zygmunt Quill")
    status, output = run_on_tty(office.env, ["list"], [(b"inbox): ", b"\n")])
    assert status == 0, output
    assert "Close matches" not in output
    assert ('A note added while locked names "Zygmunt Quill", which is no client. '
            "File it under (a client's name; Enter to leave it in the inbox): ") in output
    assert "suggest" not in [e["action"] for e in log_json(office)]
    assert len(json.loads(ok(office.run("inbox", "--json")).stdout)) == 1


def test_a_number_out_of_range_is_taken_as_a_name(office):
    seal(office, "Alice Whitcomb")
    status, output = run_on_tty(office.env, ["list"], [(b"inbox): ", b"7\n"),
                                                       (b"Create it?", b"n\n")])
    assert status == 0, output
    assert 'No client named "7"' in output
    assert len(json.loads(ok(office.run("inbox", "--json")).stdout)) == 1


def test_off_a_terminal_nothing_is_offered_or_logged(office):
    seal(office, "Alice Whitcomb")
    result = ok(office.run("list"))
    assert "Alice Whitcombe" not in result.stderr and "Close matches" not in result.stderr
    assert "suggest" not in [e["action"] for e in log_json(office)]
    assert len(json.loads(ok(office.run("inbox", "--json")).stdout)) == 1


# -- help text ----------------------------------------------------------------------------

def test_the_overview_cuts_off_none_of_these_summaries(vault_env):
    out = ok(vault_env.run("--help")).stdout
    lines = {line.split()[0]: line for line in out.splitlines()
             if line.startswith("  ") and line.split()}
    for command in ("import", "export", "export-anonymized", "backup", "restore"):
        assert not lines[command].endswith("..."), lines[command]
    assert lines["import"].split(None, 1)[1] == "Import notes from other tools, all or nothing."


def command_paths(command, path=()):
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield (*path, name)
        yield from command_paths(sub, (*path, name))


def test_usage_lines_print_plain_metavars(vault_env):
    import typer.main

    from vault.cli import app
    braced = []
    for path in command_paths(typer.main.get_command(app)):
        usage = ok(vault_env.run(*path, "--help")).stdout.splitlines()[0]
        assert usage.startswith(f"Usage: vault {' '.join(path)} "), usage
        if "{" in usage or "}" in usage:
            braced.append(usage)
    assert braced == []
    assert ok(vault_env.run("view", "--help")).stdout.startswith(
        "Usage: vault view [OPTIONS] CLIENT\n")
