"""The secrets scans (tests/checks.py files_under) walk /tmp while other
tests run: one of them (test_importing.py) makes a tree deeper than
Python's recursion limit, on which os.walk raised RecursionError in an
editor test running beside it."""

from __future__ import annotations

import os
import sys

from ..checks import files_under


def test_a_tree_deeper_than_the_recursion_limit_is_walked_to_the_bottom(tmp_path):
    deepest = tmp_path / "root"
    deepest.mkdir()
    depth = sys.getrecursionlimit() + 100
    for _ in range(depth):
        deepest = deepest / "d"
        deepest.mkdir()
    (deepest / "bottom.txt").write_text("secret")
    (tmp_path / "top.txt").write_text("secret")
    try:
        assert {p.name for p in files_under(tmp_path)} == {"bottom.txt", "top.txt"}
    finally:  # shutil.rmtree recurses too: take the tree down by hand
        (deepest / "bottom.txt").unlink()
        for _ in range(depth):
            deepest.rmdir()
            deepest = deepest.parent


def test_links_are_not_followed(tmp_path):
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "note.txt").write_text("x")
    os.symlink(tmp_path, tmp_path / "inside" / "loop")
    os.symlink(tmp_path / "inside" / "note.txt", tmp_path / "link.txt")
    assert [p.name for p in files_under(tmp_path)] == ["note.txt"]
