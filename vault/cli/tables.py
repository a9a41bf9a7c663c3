"""Tables on a terminal (ui.table), drawn by rich, or, for a long table
that fits the terminal's width, line by line the way rich draws it.

Rich measures, wraps and styles every cell: `vault list` of 10,000 clients
took 3.5 s on a terminal. A table whose columns fit side by side needs
none of that: each column is as wide as its widest cell, two spaces apart.
Rich draws its header (one row, widths fixed), so the styles are its own
on any terminal; the rows are padded here with rich's own measure of a
cell's width. The two give the same bytes (tests/unit/test_tables.py);
a table too wide for the terminal is left to rich, which wraps it.
"""

from __future__ import annotations

from typing import Any

# Below this many rows rich draws the table itself, at no noticeable cost.
PLAIN_FROM = 200


def draw(console: Any, columns: list[str], cells: list[list[str]],
         plain_from: int = PLAIN_FROM) -> None:
    """`cells`: each row's cells, already literal (ui.literal)."""
    from rich.table import Table
    from rich.text import Text
    if len(cells) >= plain_from and _plain(console, columns, cells):
        return
    t = Table(*columns, box=None, header_style="bold", pad_edge=False)
    for row in cells:
        t.add_row(*(Text(c) for c in row))
    console.print(t)


def _plain(console: Any, columns: list[str], cells: list[list[str]]) -> bool:
    """Draw the table as rich would if it fits the console's width; False
    (nothing written) if it does not."""
    from rich.cells import cell_len
    from rich.table import Table
    widths = [cell_len(c) for c in columns]
    lengths = []   # each row's cell widths, measured once
    for row in cells:
        if any("\t" in c for c in row):   # rich expands a tab (one-line literal() keeps it)
            return False
        measured = [cell_len(c) for c in row]
        lengths.append(measured)
        for i, n in enumerate(measured):
            if n > widths[i]:
                widths[i] = n
    if not widths or sum(widths) + 2 * (len(widths) - 1) > console.width:
        return False
    header = Table(box=None, header_style="bold", pad_edge=False)
    for name, width in zip(columns, widths):
        header.add_column(name, width=width, no_wrap=True)
    console.print(header)
    gaps = [" " * w for w in range(max(widths) + 1)]
    lines = []
    for row, measured in zip(cells, lengths):
        lines.append("  ".join([c + gaps[w - n] for c, w, n in zip(row, widths, measured)]))
    if lines:
        console.file.write("\n".join(lines) + "\n")
        console.file.flush()
    return True
