"""Issue 11: one name normaliser for lookup, suggestions and search, and one
duration grammar for --retain and --timeout.

Through the real CLI: `view Jose` finds José (as `search jose` always did),
a note added as "JOSE" goes to José's file instead of opening a second one,
two clients who differ only by accents are still told apart when the exact
spelling is given, and the documented duration spellings keep their meaning
(`18m` is months for --retain and minutes for --timeout) beside the explicit
`mo` and `min`. Hypothesis checks the grammar below the CLI.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault.errors import UsageError
from vault.validate import (calendar_date, clock_seconds, normalise_name, parse_duration)

from ..checks import assert_one_error_line, code, ok


def clients(venv) -> list[str]:
    return [c["client"] for c in json.loads(ok(venv.run("list", "--json")).stdout)]


# -- names --------------------------------------------------------------------

def test_view_finds_a_client_whatever_the_accents(vault_env):
    ok(vault_env.run("add", "José Núñez", "--new", "-m", "Intake."))
    for typed in ("Jose Nunez", "JOSÉ NÚÑEZ", "jose nu\u0301n\u0303ez", "Ｊｏｓｅ Nunez"):
        shown = json.loads(ok(vault_env.run("view", typed, "--json")).stdout)
        assert shown["client"] == "José Núñez"
        assert [n["text"] for n in shown["notes"]] == ["Intake."]


def test_a_note_for_an_unaccented_spelling_goes_to_the_existing_file(vault_env):
    ok(vault_env.run("add", "Zoë Ångström", "--new", "-m", "First."))
    result = ok(vault_env.run("add", "zoe angstrom", "-m", "Second."))
    assert "new client" not in result.stderr
    assert clients(vault_env) == ["Zoë Ångström"]
    notes = json.loads(ok(vault_env.run("view", "Zoë Ångström", "--json")).stdout)["notes"]
    assert [n["text"] for n in notes] == ["First.", "Second."]


def test_new_with_an_accent_variant_adds_to_the_existing_file(vault_env):
    """A typo or a missing accent never opens a second file for one person."""
    ok(vault_env.run("add", "Rene Roy", "--new", "-m", "Plain."))
    result = ok(vault_env.run("add", "René Roy", "--new", "-m", "Accented."))
    assert "new client" not in result.stderr
    assert clients(vault_env) == ["Rene Roy"]


def test_an_unknown_name_still_fails_with_exit_4_and_no_name_in_the_error(vault_env):
    ok(vault_env.run("add", "José Núñez", "--new", "-m", "Intake."))
    result = code(vault_env.run("view", "Josefina"), 4)
    assert result.stdout == ""
    assert_one_error_line(result.stderr.split("vault: hint:")[0])
    assert "José" not in result.stderr and "Josefina" not in result.stderr


@given(st.text(max_size=30))
def test_normalise_name_is_idempotent_and_ignores_case_and_spacing(name):
    once = normalise_name(name)
    assert normalise_name(once) == once
    assert normalise_name(name.upper()) == normalise_name(name.lower()) or not name.isascii()
    assert normalise_name(f"  {name}\t ") == once


# -- durations ----------------------------------------------------------------

@pytest.mark.parametrize("spec,due", [
    ("7y", "2033-03-15"), ("18m", "2027-09-15"), ("18mo", "2027-09-15"),
    ("90d", "2026-06-13"), ("2w", "2026-03-29"), ("1y6mo", "2027-09-15")])
def test_retain_reads_the_documented_spellings(spec, due):
    assert calendar_date(spec, "--retain", date(2026, 3, 15)) == date.fromisoformat(due)


@pytest.mark.parametrize("spec,seconds", [
    ("15m", 900), ("15min", 900), ("1h", 3600), ("90s", 90), ("1h30m", 5400),
    ("24h", 86400), ("1d", 86400), ("90sec", 90)])
def test_timeout_reads_the_documented_spellings(spec, seconds):
    assert clock_seconds(spec, "--timeout", 1, 86400) == seconds


@pytest.mark.parametrize("spec", ["", "15", "m", "1x", "-5m", "1h1h", "1y", "1mo", "1 h",
                                  "1h 30m", "h1"])
def test_timeout_refuses_what_the_grammar_does_not_hold(spec):
    with pytest.raises(UsageError, match="--timeout takes a duration"):
        clock_seconds(spec, "--timeout", 1, 86400)


@pytest.mark.parametrize("spec", ["", "7", "0d", "1h", "90s", "1min", "7y7y", "36601d"])
def test_retain_refuses_what_the_grammar_does_not_hold(spec):
    with pytest.raises(UsageError, match="--retain takes a duration"):
        calendar_date(spec, "--retain", date(2026, 3, 15))


@given(h=st.integers(0, 99), m=st.integers(0, 999), s=st.integers(0, 9999))
def test_clock_parts_add_up_in_any_order(h, m, s):
    parts = [f"{h}h", f"{m}min", f"{s}s"]
    for order in (parts, parts[::-1]):
        d = parse_duration("".join(order), calendar=False)
        assert d is not None and d.seconds == h * 3600 + m * 60 + s


@given(y=st.integers(0, 50), mo=st.integers(0, 600), d=st.integers(0, 3000))
def test_calendar_parts_never_cut_a_retention_short(y, mo, d):
    today = date(2026, 1, 31)
    spec = f"{y}y{mo}mo{d}d"
    if y == mo == d == 0:
        return
    due = calendar_date(spec, "--retain", today)
    months = today.year * 12 + today.month - 1 + y * 12 + mo
    moved = date.fromordinal(due.toordinal() - d)
    # The months land on the same day of the month or, when the month is
    # shorter, on the 1st of the next one: never earlier than asked.
    if (moved.year * 12 + moved.month - 1) == months:
        assert moved.day == today.day
    else:
        assert (moved.year * 12 + moved.month - 1) == months + 1 and moved.day == 1


def test_close_retain_with_the_explicit_month_unit_through_the_cli(vault_env):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "Intake."))
    ok(vault_env.run("close", "Ann Lee", "--retain", "18mo"))
    shown = json.loads(ok(vault_env.run("list", "--json")).stdout)[0]
    ok(vault_env.run("reopen", "Ann Lee"))
    ok(vault_env.run("close", "Ann Lee", "--retain", "18m"))
    assert json.loads(ok(vault_env.run("list", "--json")).stdout)[0]["retain_until"] \
        == shown["retain_until"]


def test_close_refuses_a_clock_unit_for_retention(vault_env):
    ok(vault_env.run("add", "Ann Lee", "--new", "-m", "Intake."))
    result = code(vault_env.run("close", "Ann Lee", "--retain", "90min"), 2)
    assert "--retain takes a duration such as 7y, 18m or 90d" in result.stderr
    assert_one_error_line(result.stderr)


def test_unlock_refuses_a_calendar_unit_for_the_timeout(vault_env):
    result = code(vault_env.run("unlock", "--timeout", "1mo"), 2)
    assert "--timeout takes a duration such as 15m, 1h or 90s" in result.stderr
