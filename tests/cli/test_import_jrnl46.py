"""A real jrnl 4.6 export, imported twice through the CLI (issue 15, item 4).

tests/fixtures/jrnl-4.6-export.json was written by jrnl 4.6 itself (see
tests/fixtures/README.md): nine invented entries, client tags `@c_Ann_Lee`
and friends typed in mixed case and exported in lower case, two starred
entries, two without a client tag, `@sleep` typed as `@Sleep` too, and one
`#admin` (jrnl's other tag symbol).

Covers: with `--client-map` the clients get their names back, whichever way
a map line writes the tag; tags lose jrnl's `@`/`#` so `search --tag sleep`
finds them; a star becomes the tag `starred`; `--unassigned` files the
untagged entries; the second run of the same import adds nothing and counts
every note as skipped (`--json` {"notes": 0, "new_clients": 0, "skipped": 9,
...}), its `--dry-run` says so beforehand, and a third run without the map
(lower-case names) matches the same clients; without a map, clients arrive
as "ann lee" and `vault rename` fixes one, after which the import still
skips everything; without a way to file the untagged entries, both are
reported in one run; `--skip-untagged` leaves them out and counts them.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ..checks import assert_one_error_line, code, db, ok
from ..conftest import FAST_KDF, copy_vault, private_env

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "jrnl-4.6-export.json"
CLIENT_MAP = """\
# jrnl 4.6 exports tags in lower case; the names as they should be.
@c_ann_lee = Ann Lee
c_bo_brown\tBo Brown
carl_chen = Carl Chen

@C_ZOË_EXAMPLE = Zoë Example
"""
NAMED = ["Ann Lee", "Bo Brown", "Carl Chen", "Practice Admin", "Zoë Example"]


def local(day: str, time: str) -> str:
    """jrnl keeps local time without a zone: read as this machine's local time."""
    return (datetime.fromisoformat(f"{day}T{time}").astimezone().astimezone(timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ"))


def view(venv, name):
    notes = json.loads(ok(venv.run("view", name, "--json")).stdout)["notes"]
    return sorted(((n["created"], n["tags"], n["text"]) for n in notes))


def clients(venv):
    return sorted(c["client"] for c in json.loads(ok(venv.run("list", "--json")).stdout))


def rows(venv):
    with db(venv) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("clients", "notes")}


def run_json(venv, *args):
    return json.loads(ok(venv.run("import", "jrnl", str(FIXTURE), *args, "--json")).stdout)


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory):
    venv = private_env(tmp_path_factory.mktemp("jrnl46"))
    ok(venv.run("init", *FAST_KDF))
    return venv


@pytest.fixture
def vault(empty_template, blank_env):
    return copy_vault(empty_template, blank_env)


@pytest.fixture
def client_map(tmp_path):
    path = tmp_path / "clients.map"
    path.write_text(CLIENT_MAP, encoding="utf-8")
    return str(path)


def test_the_fixture_is_what_jrnl_46_writes():
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert len(doc["entries"]) == 9
    tags = {t for e in doc["entries"] for t in e["tags"]}
    assert "@c_ann_lee" in tags and all(t == t.lower() for t in tags)
    assert "@C_CARL_CHEN" in doc["entries"][4]["title"]  # typed in capitals
    assert [e["starred"] for e in doc["entries"]].count(True) == 2


def test_imported_twice_the_second_run_adds_nothing(vault, client_map):
    args = ("--client-from-tag", "@c_", "--client-map", client_map,
            "--unassigned", "Practice Admin")
    first = run_json(vault, *args)
    assert first == {"notes": 9, "clients": 5, "new_clients": 5, "skipped": 0, "untagged": 0}
    assert clients(vault) == NAMED
    assert view(vault, "Ann Lee") == [
        (local("2024-01-08", "09:15"), ["work", "sleep"],
         "Intake with @c_Ann_Lee.\nFictional test client; talked about @sleep and @Work "
         "stress."),
        (local("2024-01-15", "10:00"), ["sleep", "starred"],
         "Follow-up with @c_Ann_Lee.\nSleep diary reviewed; better nights. @Sleep"),
        (local("2024-02-09", "09:30"), ["progress", "sleep", "starred"],
         "@c_Ann_Lee reported a good week.\nStarred for the review. @sleep @progress")]
    assert [tags for _, tags, _ in view(vault, "Bo Brown")] == [[], ["admin"]]
    assert [tags for _, tags, _ in view(vault, "Practice Admin")] == [["admin"], []]
    assert [tags for _, tags, _ in view(vault, "Carl Chen")] == [["intake", "sleep"]]
    stored = rows(vault)

    preview = json.loads(ok(vault.run("import", "jrnl", str(FIXTURE), *args, "--dry-run",
                                      "--json")).stdout)
    assert preview == {"dry_run": True, "notes": 0, "clients": 0, "new_clients": 0,
                       "skipped": 9, "untagged": 0}
    second = run_json(vault, *args)
    assert second == {"notes": 0, "clients": 0, "new_clients": 0, "skipped": 9,
                      "untagged": 0}
    assert rows(vault) == stored
    # Without the map the names arrive in lower case: still the same clients.
    third = run_json(vault, "--client-from-tag", "@c_", "--skip-untagged")
    assert third == {"notes": 0, "clients": 0, "new_clients": 0, "skipped": 7, "untagged": 2}
    assert rows(vault) == stored
    logged = [e for e in json.loads(ok(vault.run("log", "--json")).stdout)
              if e["action"] in ("import", "import-preview")]
    assert [(e["action"], e["detail"]["notes"], e["detail"]["skipped"], e["clients"])
            for e in logged] == [("import", 9, 0, 5), ("import-preview", 0, 9, 5),
                                 ("import", 0, 9, 5), ("import", 0, 7, 4)]
    ok(vault.run("check"))
    ok(vault.run("log", "verify"))


def test_tags_lose_jrnls_at_so_tag_search_finds_them(vault, client_map):
    run_json(vault, "--client-from-tag", "@c_", "--client-map", client_map,
             "--skip-untagged")
    hits = json.loads(ok(vault.run("search", "sleep", "--tag", "sleep", "--json")).stdout)
    assert sorted(h["client"] for h in hits["hits"]) == ["Ann Lee"] * 3 + ["Carl Chen"]
    starred = json.loads(ok(vault.run("search", "c_ann_lee", "--tag", "starred",
                                      "--json")).stdout)
    assert len(starred["hits"]) == 2


def test_without_a_map_clients_arrive_in_lower_case_and_rename_fixes_them(vault):
    first = run_json(vault, "--client-from-tag", "@c_", "--skip-untagged")
    assert first == {"notes": 7, "clients": 4, "new_clients": 4, "skipped": 0, "untagged": 2}
    assert clients(vault) == ["ann lee", "bo brown", "carl chen", "zoë example"]
    ok(vault.run("rename", "ann lee", "Ann Lee"))
    ok(vault.run("rename", "zoë example", "Zoë Example"))
    assert clients(vault) == sorted(["Ann Lee", "bo brown", "carl chen", "Zoë Example"])
    again = run_json(vault, "--client-from-tag", "@c_", "--skip-untagged")
    assert again == {"notes": 0, "clients": 0, "new_clients": 0, "skipped": 7, "untagged": 2}


def test_the_untagged_entries_are_all_reported_in_one_run(vault):
    before = rows(vault)
    result = code(vault.run("import", "jrnl", str(FIXTURE), "--client-from-tag", "@c_"), 1)
    assert_one_error_line(result.stderr)
    assert (f"error: {FIXTURE}: entries 3 and 7: no client tag (no tag starts with '@c_'); "
            "nothing was imported") in result.stderr
    assert "--unassigned CLIENT" in result.stderr and "--skip-untagged" in result.stderr
    for text in ("supervision", "Reflection", "admin", "ann"):
        assert text not in result.stderr.lower().replace("--unassigned", "")
    assert rows(vault) == before
