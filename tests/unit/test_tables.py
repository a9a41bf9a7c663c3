"""A long table on a terminal is drawn line by line (vault/cli/tables.py)
instead of by rich, which took 3.5 s for `vault list` of 10,000 clients:
the bytes must be rich's own, whatever the cells (wide and combining
characters, empty cells, one column or many), on a terminal with colour
or without, and a table wider than the terminal is still rich's."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from vault.cli import tables

CELL = st.text(alphabet="ab Z9-:()東京é\u0301", max_size=14)


def _drawn(width: int, columns: list[str], rows: list[list[str]], plain_from: int,
           **console: object) -> str:
    f = io.StringIO()
    tables.draw(Console(file=f, width=width, force_terminal=True, highlight=False, **console),
                columns, rows, plain_from=plain_from)
    return f.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(st.text(alphabet="abc xyz", min_size=1, max_size=10), min_size=n, max_size=n),
    st.lists(st.lists(CELL, min_size=n, max_size=n), max_size=12))),
       st.integers(20, 160), st.booleans())
def test_the_plain_drawing_is_richs(table, width, no_color):
    columns, rows = table
    assert _drawn(width, columns, rows, 0, no_color=no_color) == \
        _drawn(width, columns, rows, 10**9, no_color=no_color)


def test_a_long_list_fits_and_is_drawn_plainly_but_too_wide_is_wrapped_by_rich():
    rows = [[f"Client {i:05d}", str(i), "2026-12-06 19:14", "open", "-"] for i in range(300)]
    columns = ["client", "notes", "last", "status", "retain until"]
    wide = _drawn(100, columns, rows, tables.PLAIN_FROM)
    assert wide.count("\n") == 301 and "Client 00299  299  " in wide
    narrow = _drawn(30, columns, rows, tables.PLAIN_FROM)   # rich wraps each row
    assert narrow == _drawn(30, columns, rows, 10**9) and narrow.count("\n") > 301
