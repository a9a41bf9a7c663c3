"""Meta-test of the command tree: every command, subcommand, argument and
option has help text, and every command and long option is documented in
docs/cli.md (skipped while that file does not exist)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from vault.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def walk(command, path=()):
    """(path, command) for every command below the root, depth first."""
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield (*path, name), sub
        yield from walk(sub, (*path, name))


ROOT = typer.main.get_command(app)
ALL = list(walk(ROOT))
IDS = [" ".join(p) for p, _ in ALL]


def test_the_tree_has_the_expected_commands():
    assert set(IDS) >= {"init", "add", "view", "list", "log", "log verify",
                        "log checkpoint"}


def test_root_has_help():
    assert (ROOT.help or "").strip()


@pytest.mark.parametrize("path,command", ALL, ids=IDS)
def test_every_command_has_help_text(path, command):
    assert (command.help or "").strip(), path
    assert (command.get_short_help_str() or "").strip(), path


@pytest.mark.parametrize("path,command", ALL, ids=IDS)
def test_every_parameter_has_help_text(path, command):
    for param in command.params:
        if param.name == "help":
            continue
        assert (getattr(param, "help", None) or "").strip(), (path, param.name)


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=IDS)
def test_every_command_is_in_the_cli_reference(path):
    if not DOCS.exists():
        pytest.skip("docs/cli.md is not written yet")
    text = DOCS.read_text(encoding="utf-8")
    assert f"vault {' '.join(path)}" in text, path


@pytest.mark.parametrize("path,command", ALL, ids=IDS)
def test_every_option_is_in_the_cli_reference(path, command):
    if not DOCS.exists():
        pytest.skip("docs/cli.md is not written yet")
    text = DOCS.read_text(encoding="utf-8")
    for param in command.params:
        for flag in getattr(param, "opts", []):
            if flag.startswith("--") and flag != "--help":
                assert flag in text, (path, flag)
