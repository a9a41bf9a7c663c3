"""A client's sealed record is padded so that its size does not tell how
many aliases it holds (issue 12): up to 20 aliases of ordinary length fit the
size of a record with none (docs/format.md, "Padded size")."""

from __future__ import annotations

from ..checks import db, ok


def record_sizes(venv) -> dict[int, int]:
    with db(venv) as conn:
        return dict(conn.execute("SELECT id, length(sealed) FROM records"))


def test_twenty_ordinary_aliases_leave_the_record_the_size_of_none(vault_env):
    ok(vault_env.run("add", "Maximiliana Featherstonehaugh-Wolfe", "-m", "intake", "--new"))
    ok(vault_env.run("add", "Al Bo", "-m", "intake", "--new"))
    for i in range(20):
        ok(vault_env.run("alias", "add", "Maximiliana Featherstonehaugh-Wolfe",
                         f"Maximiliana Feather {i:02d}", "--relation", f"her cousin no {i:02d}"))
    sizes = record_sizes(vault_env)
    assert sizes[1] == sizes[2] == 1792 + 40


def test_a_record_far_beyond_ordinary_still_grows_by_buckets(vault_env):
    ok(vault_env.run("add", "Al Bo", "-m", "intake", "--new"))
    for i in range(60):
        ok(vault_env.run("alias", "add", "Al Bo", f"A rather long alias number {i:03d}"))
    size = record_sizes(vault_env)[1]
    assert size > 1792 + 40 and (size - 40) % 64 == 0
