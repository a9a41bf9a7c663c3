"""ui.literal: whatever a note contains, nothing reaches the terminal that it
would interpret, and ordinary text passes through unchanged."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from vault.cli import ui

DANGEROUS = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n", "\t"}
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@given(st.text())
def test_no_control_or_bidi_character_survives(text):
    shown = ui.literal(text)
    assert not (set(shown) & (DANGEROUS | BIDI))


@given(st.text())
def test_single_line_form_has_no_newline(text):
    assert "\n" not in ui.literal(text, multiline=False)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"),
                                      blacklist_characters="".join(BIDI))))
def test_ordinary_text_is_unchanged(text):
    assert ui.literal(text) == text


def test_escapes_are_visible_and_markup_is_kept():
    assert ui.literal("\x1b[31mred\x1b[0m [bold]x[/bold]\r") == \
        "\\x1b[31mred\\x1b[0m [bold]x[/bold]\\x0d"
    assert ui.literal("a\u202eb") == "a\\u202eb"
    assert unicodedata.category(ui.literal("\x9b")[0]) == "Po"  # a backslash


@given(st.text(), st.booleans())
def test_the_shortcut_for_printable_text_changes_no_result(text, multiline):
    """literal() returns printable text untouched without translating it:
    the same result as translating every character, for any text."""
    table = ui._MULTILINE if multiline else ui._ONE_LINE
    assert ui.literal(text, multiline) == text.translate(table)


def test_every_escaped_character_is_one_printable_text_cannot_hold():
    escaped = {chr(c) for c in (*ui._MULTILINE, *ui._ONE_LINE)}
    assert not any(c.isprintable() for c in escaped)
