"""commands/imports.py's readers as pure functions on files in tmp_path (issue 5).

Covers: read_jrnl (title and body joined, local time to UTC, client from a
tag or the fallback, the client tag removed from the tags, every malformed
case naming the entry), read_dir (folder per client, mtime, subfolders,
suffixes, hidden files, symlinks), read_jsonl (a `view --json` document per
line, blank lines, offsets to UTC), tag_client; and two Hypothesis
properties: any valid client name, text and tags written as `vault view
--json` writes them read back as equal `Incoming` values, and hostile input
(arbitrary bytes, arbitrary JSON, deep nesting, huge numbers, wrong types in
every field) raises nothing but ImportFailed or UsageError. Dates are checked
to be storable (years 1000 to 9999 in UTC, whatever the offset or local
zone); read_dir fails on any folder or file it cannot read rather than
skipping it, skips named pipes, reads any depth of folders, and never names a
client's folder in an error (nor lets a control character through), which a
Hypothesis property checks on arbitrary folder names, file names and bytes.

Issue 15, item 4: plain_tag and tag_client in any case; the client map
parser (every way of writing a tag, comments, blank lines, a byte-order
mark, line numbers in errors, all bad lines at once); read_jrnl_export
(stars, untagged entries filed, left out and counted, or reported together
with every other problem). Hypothesis: a client map written from any tags
and names reads back as those names, and one of hostile text fails only
with ImportFailed whose message holds none of the text; a jrnl export
written from any entries reads back equal, with jrnl 4.6's lower-cased
tags named again by a map; and a hostile export's errors never hold its
entries' text.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import tempfile
import threading
import time
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault.cli import ui
from vault.validate import check_name, check_tags, check_text, normalise_name
from vault.errors import UsageError
from vault.commands.import_common import numbered
from vault.commands.import_jrnl import map_key
from vault.commands.imports import (ImportFailed, Incoming, parse_client_map, plain_tag,
                                    read_client_map, read_dir, read_jrnl, read_jrnl_export,
                                    read_jsonl, tag_client)

UTC = timezone.utc
FILE_SETTINGS = settings(max_examples=60, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])


def write(path: Path, content) -> Path:
    if not isinstance(content, (bytes, str)):
        content = json.dumps(content)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def view_line(client: str, notes: list[tuple[str, tuple[str, ...], datetime]]) -> str:
    """A line exactly as `vault view CLIENT --json` prints it (cli.base._json)."""
    doc = {"client": client, "notes": [
        {"id": i, "created": dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "tags": list(tags), "text": text} for i, (text, tags, dt) in enumerate(notes, 1)]}
    return ui.json_safe(json.dumps(doc, ensure_ascii=False, separators=(", ", ": "))) + "\n"


# -- tag_client ----------------------------------------------------------------------

@pytest.mark.parametrize("tag,prefix,expected", [
    ("@Jane_Doe", "@", "Jane Doe"), ("@c_Jane_Doe", "@c_", "Jane Doe"),
    ("@", "@", None), ("work", "@", None), ("@c_", "@c_", None), ("@work", "@c_", None)])
def test_tag_client(tag, prefix, expected):
    assert tag_client(tag, prefix) == expected


# -- read_jrnl -----------------------------------------------------------------------

def local(day: str, time: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{time}").astimezone().astimezone(UTC)


def test_jrnl_entries_become_incoming_notes(tmp_path):
    src = write(tmp_path / "j.json", {"tags": {}, "entries": [
        {"title": " Title ", "body": " Body\n", "date": "2020-02-29", "time": "23:59",
         "tags": ["@c_Jane_Doe", "@mood"], "starred": True},
        {"title": "Only a title", "date": "2020-03-01", "tags": []},
    ]})
    assert read_jrnl(src, client="Fallback", tag_prefix="@c_") == [
        Incoming("Jane Doe", "Title\nBody", ("mood", "starred"), local("2020-02-29", "23:59")),
        Incoming("Fallback", "Only a title", (), local("2020-03-01", "00:00"))]
    # with one client for all, every tag is a tag, without jrnl's @
    assert read_jrnl(src, client="Someone")[0].tags == ("c_Jane_Doe", "mood", "starred")
    with pytest.raises(ImportFailed):  # both tags start with "@"
        read_jrnl(src, tag_prefix="@")


def test_jrnl_dates_carry_their_offset_when_given(tmp_path):
    src = write(tmp_path / "j.json", {"entries": [
        {"title": "t", "date": "2020-01-01", "time": "10:00+02:00"}]})
    assert read_jrnl(src, client="A")[0].created == datetime(2020, 1, 1, 8, tzinfo=UTC)


def test_jrnl_needs_a_client_or_a_prefix(tmp_path):
    src = write(tmp_path / "j.json", {"entries": []})
    with pytest.raises(UsageError):
        read_jrnl(src)
    assert read_jrnl(src, client="A") == []


@pytest.mark.parametrize("doc,words", [
    ({"entries": [{"title": "t", "date": "2020-01-01", "tags": ["@A"]},
                  {"title": "t", "date": "x", "tags": ["@A"]}]}, "entry 2"),
    ({"entries": [{"title": "t", "date": "2020-01-01", "tags": ["@A", "@B"]}]}, "2 tags"),
    ({"entries": [{"title": "t", "date": "2020-01-01", "tags": ["@A"]},
                  {"title": "t", "date": "2020-01-01", "tags": []}]}, "entry 2"),
    ({"entries": [{"title": "", "body": " ", "date": "2020-01-01", "tags": ["@A"]}]}, "empty"),
    ({"entries": [{"title": None, "date": "2020-01-01", "tags": ["@A"]}]}, "strings"),
    ({"entries": [7]}, "not an object"),
    ({"entries": "none"}, "entries"),
])
def test_jrnl_problems_say_where(tmp_path, doc, words):
    src = write(tmp_path / "j.json", doc)
    with pytest.raises(ImportFailed) as e:
        read_jrnl(src, tag_prefix="@")
    assert words in e.value.message


# -- read_dir ------------------------------------------------------------------------

def test_dir_reads_a_folder_per_client(tmp_path):
    root = tmp_path / "notes"
    (root / "Ann" / "2024").mkdir(parents=True)
    (root / "Bo").mkdir()
    (root / ".trash").mkdir()
    files = {root / "Ann" / "b.md": 20, root / "Ann" / "2024" / "a.txt": 10,
             root / "Bo" / "x.TXT": 30}
    for i, (path, when) in enumerate(files.items()):
        write(path, f"note {i}\n")
        os.utime(path, (1_600_000_000 + when,) * 2)
    write(root / "Ann" / "skip.rtf", "rtf")
    write(root / "Ann" / ".swap.md", "editor swap file")
    write(root / ".trash" / "gone.md", "deleted")
    write(root / "top.md", "no client")
    (root / "Bo" / "alias.md").symlink_to(root / "Ann" / "b.md")
    (root / "Cy").symlink_to(root / "Ann")
    got = read_dir(root)
    at = lambda s: datetime.fromtimestamp(1_600_000_000 + s, UTC)  # noqa: E731
    assert sorted(got, key=lambda n: (n.client, n.created)) == [
        Incoming("Ann", "note 1\n", (), at(10)), Incoming("Ann", "note 0\n", (), at(20)),
        Incoming("Bo", "note 2\n", (), at(30))]


def test_dir_problems(tmp_path):
    with pytest.raises(ImportFailed):
        read_dir(tmp_path / "missing")
    write(tmp_path / "file", "x")
    with pytest.raises(ImportFailed):
        read_dir(tmp_path / "file")
    (tmp_path / "root" / "Ann").mkdir(parents=True)
    write(tmp_path / "root" / "Ann" / "bad.md", b"\xff\xfe")
    with pytest.raises(ImportFailed) as e:
        read_dir(tmp_path / "root")
    assert "bad.md" in e.value.message and "nothing was imported" in e.value.message


def unreadable(monkeypatch, *blocked: Path) -> None:
    """As if these folders or files had mode 000 (the tests may run as root,
    who reads everything): listing or opening them fails with EACCES."""
    real_scandir, real_open = os.scandir, os.open
    denied = {os.fspath(p) for p in blocked}

    def check(path):
        if os.fspath(path) in denied:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))

    def scandir(path="."):
        check(path)
        return real_scandir(path)

    def open_(path, flags, *args, **kwargs):
        check(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)


@pytest.fixture
def client_tree(tmp_path):
    """root/Ann/{a.md, sub/b.md} and root/Secret Client/{c.md, deeper/d.md}."""
    root = tmp_path / "root"
    for rel in ("Ann/a.md", "Ann/sub/b.md", "Secret Client/c.md",
                "Secret Client/deeper/d.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        write(root / rel, f"note {rel[-4]}")
    return root


@pytest.mark.parametrize("blocked", ["", "Secret Client", "Secret Client/deeper",
                                     "Secret Client/deeper/d.md"])
def test_dir_an_unreadable_folder_or_file_is_an_error_not_skipped(client_tree, monkeypatch,
                                                                   blocked):
    """os.walk skipped folders it could not list: the import went ahead
    without those notes. The root's iterdir raised PermissionError: internal error."""
    assert len(read_dir(client_tree)) == 4
    unreadable(monkeypatch, client_tree / blocked if blocked else client_tree)
    with pytest.raises(ImportFailed) as e:
        read_dir(client_tree)
    assert "cannot read" in e.value.message and "permission denied" in e.value.message
    assert "nothing was imported" in e.value.message
    assert "Secret Client" not in e.value.message  # the folder is the client's name
    if blocked:
        assert "<client folder 2>" in e.value.message
        assert e.value.file == str(client_tree / blocked)  # for a terminal only


def test_dir_errors_number_the_client_folder_instead_of_naming_it(client_tree):
    write(client_tree / "Secret Client" / "deeper" / "d.md", b"caf\xe9")
    with pytest.raises(ImportFailed) as e:
        read_dir(client_tree)
    assert "root/<client folder 2>/deeper/d.md: the note is not valid UTF-8" in e.value.message
    assert "Secret" not in e.value.message and "Secret" not in (e.value.hint or "")


def shown_raw(message: str) -> list[str]:
    """Characters that could move the cursor, recolour or reorder a terminal line,
    or that are not text at all (a surrogate from an undecodable file name)."""
    return [ch for ch in message
            if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")]


@pytest.mark.parametrize("folder", ["Bad\x1b[2JName", "Bidi\u202eName", b"Latin1 \xe9"])
def test_dir_a_client_folder_with_control_characters_or_bad_bytes(tmp_path, folder):
    """Refused as the name would be if typed, and the error carries no raw
    control character or undecodable byte, nor the name."""
    root = tmp_path / "root"
    root.mkdir()
    made = os.path.join(os.fsencode(root), folder) if isinstance(folder, bytes) \
        else os.path.join(root, folder)
    os.mkdir(made)
    write(Path(os.fsdecode(made)) / "a\x07.md", "text")
    with pytest.raises(ImportFailed) as e:
        read_dir(root)
    assert "control or invisible characters" in e.value.message
    assert "Name" not in e.value.message and "Latin1" not in e.value.message
    assert "a\\x07.md" in e.value.message
    assert not shown_raw(e.value.message), ascii(e.value.message)


def test_dir_a_named_pipe_is_skipped_not_waited_on(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: forever."""
    (tmp_path / "root" / "Ann").mkdir(parents=True)
    write(tmp_path / "root" / "Ann" / "a.md", "a note")
    fifo = tmp_path / "root" / "Ann" / "pipe.md"
    os.mkfifo(fifo)
    got: list = []
    reader = threading.Thread(target=lambda: got.append(read_dir(tmp_path / "root")),
                              daemon=True)
    reader.start()
    reader.join(20)
    if reader.is_alive():  # free the reader before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("read_dir waited on a named pipe")
    assert [n.text for n in got[0]] == ["a note"]


def test_dir_a_tree_deeper_than_the_recursion_limit_is_read_whole(tmp_path):
    """os.walk recursed once per level: RecursionError, 'internal error'."""
    root = tmp_path / "root"
    deepest = root / "Ann"
    deepest.mkdir(parents=True)
    depth = sys.getrecursionlimit() + 100
    for _ in range(depth):
        deepest = deepest / "d"
        deepest.mkdir()
    write(deepest / "n.md", "at the bottom")
    write(root / "Ann" / "top.md", "at the top")
    try:
        assert sorted(n.text for n in read_dir(root)) == ["at the bottom", "at the top"]
    finally:  # shutil.rmtree recurses too: take the tree down by hand
        (deepest / "n.md").unlink()
        for _ in range(depth):
            deepest.rmdir()
            deepest = deepest.parent


@pytest.mark.parametrize("mtime", [1e12, -1e12, -32_000_000_000.0])
def test_dir_a_modification_time_out_of_range_is_an_import_error(tmp_path, monkeypatch,
                                                                  mtime):
    """tmpfs, btrfs and XFS store years past 9999 (fromtimestamp raised
    ValueError: internal error) and before 1000 (stored unreadably)."""
    (tmp_path / "root" / "Ann").mkdir(parents=True)
    write(tmp_path / "root" / "Ann" / "a.md", "a note")
    real_fstat = os.fstat

    def fstat(fd):
        st = real_fstat(fd)
        return os.stat_result(tuple(st)[:10], {"st_mtime": mtime})

    monkeypatch.setattr(os, "fstat", fstat)
    with pytest.raises(ImportFailed) as e:
        read_dir(tmp_path / "root")
    assert "outside the years 1000 to 9999" in e.value.message


# "Ψ" marks the client's folder name, and only it, so that the error can be
# searched for it.
file_names = st.text(st.characters(blacklist_characters="/\x00Ψ;"), min_size=1, max_size=30)


@FILE_SETTINGS
@given(file_names.map(lambda s: "Ψ" + s),
       st.tuples(file_names, st.sampled_from([".md", ".TXT", ""])).map("".join),
       st.binary(max_size=100) | st.text(max_size=50).map(str.encode))
def test_hostile_folders_fail_cleanly_and_never_name_the_client(tmp_path, folder, name, data):
    with tempfile.TemporaryDirectory(dir=tmp_path) as root:
        try:
            os.mkdir(os.path.join(root, folder))
            with open(os.path.join(root, folder, name), "wb") as f:
                f.write(data)
        except (OSError, UnicodeEncodeError):  # ".", "..", too long, a lone surrogate
            return
        try:
            read_dir(Path(root))
        except ImportFailed as e:
            assert not shown_raw(e.message), ascii(e.message)
            assert "Ψ" not in e.message
            assert "; nothing was added" not in e.message, e.message


# -- read_jsonl ----------------------------------------------------------------------

def test_jsonl_reads_view_json_lines(tmp_path):
    t = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    src = write(tmp_path / "in.jsonl", "\n" + view_line("Ann  Lee", [("a", ("x",), t)])
                + "\n\n" + json.dumps({"client": "Bo", "notes": [
                    {"created": "2024-05-06T09:08:09.5+02:00", "text": "b"}]}) + "\n")
    assert read_jsonl(src) == [Incoming("Ann Lee", "a", ("x",), t),
                               Incoming("Bo", "b", (), t)]


def test_jsonl_problems_say_which_line(tmp_path):
    src = write(tmp_path / "in.jsonl", view_line("A", [("a", (), datetime.now(UTC))]) + "{\n")
    with pytest.raises(ImportFailed) as e:
        read_jsonl(src)
    assert "line 2" in e.value.message


@pytest.mark.parametrize("created", ["9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00+00:01"])
def test_jsonl_dates_that_overflow_in_utc_are_import_errors(tmp_path, created):
    src = write(tmp_path / "in.jsonl", {"client": "A", "notes": [
        {"created": created, "tags": [], "text": "t"}]})
    with pytest.raises(ImportFailed):
        read_jsonl(src)


@pytest.mark.parametrize("created", ["0999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
                                     "1000-01-01T00:30:00+01:00"])
def test_jsonl_dates_before_the_year_1000_are_import_errors(tmp_path, created):
    """They were imported, then stored as `999-12-31T...` (%Y is not padded),
    which no reader parses: the client's file no longer opened (exit 5)."""
    src = write(tmp_path / "in.jsonl", {"client": "A", "notes": [
        {"created": created, "tags": [], "text": "t"}]})
    with pytest.raises(ImportFailed) as e:
        read_jsonl(src)
    assert "line 1: the date is outside the years 1000 to 9999" in e.value.message


def test_jsonl_the_first_and_last_storable_dates(tmp_path):
    src = write(tmp_path / "in.jsonl", {"client": "A", "notes": [
        {"created": c, "text": "t"} for c in ("1000-01-01T00:00:00Z",
                                              "9999-12-31T23:59:59.999999Z")]})
    assert [n.created for n in read_jsonl(src)] == [
        datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)]


@pytest.fixture
def local_zone(monkeypatch):
    """Set this process's local time zone (POSIX TZ, no zone database needed)."""
    def set_zone(tz: str) -> None:
        monkeypatch.setenv("TZ", tz)
        time.tzset()
    yield set_zone
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("tz,day,hour", [("EST+5", "9999-12-31", "23:00"),
                                         ("ABC-5", "0001-01-01", "01:00"),
                                         ("ABC-5", "1000-01-01", "01:00")])
def test_jrnl_local_dates_out_of_range_in_utc_are_import_errors(tmp_path, local_zone,
                                                                  tz, day, hour):
    """jrnl's dates are local time: at the edges of the calendar their UTC
    form may not exist (OverflowError) or be unstorable (before 1000)."""
    local_zone(tz)
    src = write(tmp_path / "j.json", {"entries": [{"title": "t", "date": day, "time": hour}]})
    with pytest.raises(ImportFailed) as e:
        read_jrnl(src, client="A")
    assert "entry 1" in e.value.message


# -- property: what `view --json` writes reads back the same -------------------------------

def valid(check, value) -> bool:
    try:
        check(value)
    except UsageError:
        return False
    return True


# Names and tags may hold any character but controls and invisible ones
# (core._FORBIDDEN_CATEGORIES); note text may hold anything.
label_chars = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn"))
names = st.text(label_chars, min_size=1, max_size=40).filter(lambda s: valid(check_name, s))
texts = st.text(min_size=1, max_size=200).filter(lambda s: valid(check_text, s))
tag_lists = st.lists(st.text(label_chars, min_size=1, max_size=20), max_size=4).filter(
    lambda t: valid(check_tags, t)).map(lambda t: check_tags(t))
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                       timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))
documents = st.lists(st.tuples(names, st.lists(st.tuples(texts, tag_lists, moments),
                                               min_size=1, max_size=3)),
                     min_size=1, max_size=3)


@FILE_SETTINGS
@given(documents)
def test_view_json_lines_read_back_equal(tmp_path, docs):
    src = write(tmp_path / "roundtrip.jsonl", "".join(view_line(c, n) for c, n in docs))
    expected = [Incoming(check_name(c), text, tuple(tags), dt)
                for c, notes in docs for text, tags, dt in notes]
    assert read_jsonl(src) == expected


offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda m: timezone(timedelta(minutes=m)))


@FILE_SETTINGS
@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9000, 1, 1),
                    timezones=offsets))
def test_any_offset_is_read_as_the_same_instant_in_utc(tmp_path, moment):
    src = write(tmp_path / "offset.jsonl", {"client": "A", "notes": [
        {"created": moment.isoformat(), "tags": [], "text": "t"}]})
    [got] = read_jsonl(src)
    assert got.created == moment.astimezone(UTC).replace(microsecond=0)
    assert got.created.tzinfo == UTC


# -- property: hostile input fails cleanly -------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=20)
fields = st.sampled_from(["client", "notes", "created", "tags", "text", "entries", "title",
                          "body", "date", "time", "id"])
hostile_objects = st.recursive(
    json_values,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(fields, inner, max_size=6),
    max_leaves=30)


def only_clean_errors(read) -> None:
    try:
        read()
    except (ImportFailed, UsageError):
        pass


def readers(path: Path):
    return [lambda: read_jsonl(path), lambda: read_jrnl(path, client="A"),
            lambda: read_jrnl(path, tag_prefix="@"),
            lambda: read_jrnl(path, client="B", tag_prefix="@c_"),
            lambda: read_jrnl(path, tag_prefix="@c_", skip_untagged=True)]


@FILE_SETTINGS
@given(st.lists(hostile_objects, min_size=1, max_size=3))
def test_hostile_json_fails_cleanly(tmp_path, docs):
    path = write(tmp_path / "hostile.json", "\n".join(json.dumps(d) for d in docs))
    for read in readers(path):
        only_clean_errors(read)


@FILE_SETTINGS
@given(st.binary(max_size=300))
def test_hostile_bytes_fail_cleanly(tmp_path, data):
    path = write(tmp_path / "hostile.bin", data)
    for read in readers(path):
        only_clean_errors(read)


@FILE_SETTINGS
@given(st.fixed_dictionaries({}, optional={
    "client": json_values, "created": json_values | st.sampled_from(
        ["2024-01-01", "2024-01-01T00:00:00", "2024-01-01T00:00:00Z", "Z", "", "nan"]),
    "tags": json_values, "text": json_values}))
def test_wrong_types_in_a_jsonl_note_fail_cleanly(tmp_path, note):
    doc = {"client": note.pop("client", "Ann"), "notes": [note]}
    path = write(tmp_path / "note.jsonl", json.dumps(doc))
    only_clean_errors(lambda: read_jsonl(path))


@FILE_SETTINGS
@given(st.fixed_dictionaries({}, optional={
    k: json_values | st.text(max_size=12) for k in ("title", "body", "date", "time", "tags")}))
def test_wrong_types_in_a_jrnl_entry_fail_cleanly(tmp_path, e):
    path = write(tmp_path / "entry.json", {"entries": [e]})
    for read in readers(path)[1:]:
        only_clean_errors(read)


@pytest.mark.parametrize("content", [
    b"[" * 200_000 + b"]" * 200_000,
    b'{"entries": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"client": "A", "notes": [{"created": ' + b"1" * 100_000 + b', "text": "t"}]}',
    b'{"client": "A", "notes": [{"created": 1e999, "text": "t", "tags": []}]}',
    b'{"client": "A", "notes": [{"created": "2024-01-01T00:00:00Z", "text": "t", '
    b'"tags": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}]}",
    b'{"entries": [{"title": "t", "date": "2024-01-01", "time": "99999999999999:00"}]}',
    b"\xef\xbb\xbf{}",  # a byte-order mark
    b'"just a string"', b"null", b"NaN", b"",
])
def test_hostile_edge_cases_fail_cleanly(tmp_path, content):
    path = write(tmp_path / "edge.json", content)
    for read in readers(path):
        only_clean_errors(read)


# -- issue 15: jrnl 4.6 -----------------------------------------------------------------

@pytest.mark.parametrize("tag,plain", [("@sleep", "sleep"), ("#sleep", "sleep"),
                                       ("@@x", "@x"), ("@", "@"), ("sleep", "sleep"),
                                       ("", "")])
def test_plain_tag(tag, plain):
    assert plain_tag(tag) == plain


def test_tag_client_matches_the_prefix_in_any_case():
    assert tag_client("@c_ann_lee", "@C_") == "ann lee"
    assert tag_client("@C_ANN", "@c_") == "ANN"


@pytest.mark.parametrize("numbers,words", [
    ([4], "entry 4"), ([2, 5], "entries 2 and 5"), ([1, 2, 9], "entries 1, 2 and 9"),
    (list(range(1, 31)), "entries 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 20 more")])
def test_numbered(numbers, words):
    assert numbered("entry", numbers) == words


@pytest.mark.parametrize("written", ["@c_ann_lee", "c_ann_lee", "ann_lee", "Ann Lee",
                                     "@C_ANN_LEE", "  ann_lee  "])
def test_a_map_tag_with_or_without_the_prefix(written):
    assert parse_client_map(f"{written} = Ann Lee", "@c_", "m") == {"ann lee": "Ann Lee"}
    assert map_key("@c_ann_lee", "@c_") == "ann lee"


def test_a_map_without_a_prefix_keeps_the_tag_whole():
    cmap = parse_client_map("@c_ann_lee = Ann Lee\n#bo\tBo Brown\nbo = Bo Brown", None, "m")
    assert cmap == {"c ann lee": "Ann Lee", "bo": "Bo Brown"}  # "#bo" is a comment


def test_the_map_syntax():
    text = ("\ufeff# names as they should be\r\n\r\n  @c_a = Ann = Lee \r\n"
            "@c_b\tBo\t Brown\n@c_a = ANN = LEE\n\t\n")
    assert parse_client_map(text, "@c_", "m") == {"a": "Ann = Lee", "b": "Bo Brown"}
    assert parse_client_map("", "@c_", "m") == {}


def test_map_errors_give_every_bad_line_and_no_name(tmp_path):
    with pytest.raises(ImportFailed) as e:
        parse_client_map("@c_a = Secret One\nno separator Secret\n@c_a = Secret Two\n"
                         "@c_b =\n", "@c_", "client map m")
    assert e.value.message == "client map m: 3 problems; nothing was imported"
    assert e.value.problems == (
        'client map m: line 2: no "=" or tab between the tag and the client\'s name',
        "client map m: line 3: the tag is mapped to another client on line 1",
        "client map m: line 4: the client's name is empty")
    assert "Secret" not in repr((e.value.message, e.value.problems, e.value.hint))
    write(tmp_path / "m", b"@c_a = Jos\xe9")
    with pytest.raises(ImportFailed, match="not valid UTF-8"):
        read_client_map(tmp_path / "m", "@c_")


def test_jrnl_stars_and_untagged_entries(tmp_path):
    src = write(tmp_path / "j.json", {"entries": [
        {"title": "a", "date": "2020-01-01", "tags": ["@c_x", "@sleep"], "starred": True},
        {"title": "b", "date": "2020-01-02", "tags": ["@sleep"]},
        {"title": "c", "date": "2020-01-03", "tags": ["@c_x", "@starred"], "starred": True}]})
    got = read_jrnl_export(src, tag_prefix="@c_", skip_untagged=True)
    assert got.untagged == 1
    assert [(n.client, n.text, n.tags) for n in got.notes] == [
        ("x", "a", ("sleep", "starred")), ("x", "c", ("starred",))]
    filed = read_jrnl(src, "Admin", "@c_")
    assert [(n.client, n.tags) for n in filed][1] == ("Admin", ("sleep",))
    with pytest.raises(ImportFailed) as e:
        read_jrnl(src, tag_prefix="@c_")
    assert "entry 2: no client tag" in e.value.message
    with pytest.raises(UsageError):
        read_jrnl(src, "Admin", "@c_", skip_untagged=True)


def test_jrnl_every_problem_at_once(tmp_path):
    src = write(tmp_path / "j.json", {"entries": [
        {"title": "t", "date": "x", "tags": []}, 5, {"title": "t", "date": "2020-01-01"},
        {"title": "t", "date": "2020-01-01", "tags": ["@c_a", "@c_b"]},
        {"title": "t", "date": "2020-01-01", "tags": []}]})
    with pytest.raises(ImportFailed) as e:
        read_jrnl(src, tag_prefix="@c_")
    where = str(src)
    assert e.value.problems == (
        f"{where}: entry 1: the date is not YYYY-MM-DD with time HH:MM",
        f"{where}: entry 2: not an object",
        f"{where}: entries 3 and 5: no client tag (no tag starts with '@c_')",
        f"{where}: entry 4: 2 tags name different clients")
    assert e.value.message == f"{where}: 4 problems; nothing was imported"
    assert "--unassigned" in e.value.hint and "such as @c_" in e.value.hint


def test_many_problems_are_listed_up_to_a_limit(tmp_path):
    src = write(tmp_path / "j.json", {"entries": [7] * 50})
    with pytest.raises(ImportFailed) as e:
        read_jrnl(src, client="A")
    assert len(e.value.problems) == 21
    assert e.value.problems[-1] == f"{src}: and 30 more problem(s)"


# -- properties of the client map -----------------------------------------------------

# A tag as jrnl writes one: a symbol, then word characters; a client's name
# as typed. "Ψ" marks input text, so that an error can be searched for it.
# Not starting with the client prefix "c_" (any case): such a tag names a
# second client, which the import refuses as ambiguous (tested on its own).
tag_words = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_]{0,15}", fullmatch=True).filter(
    lambda t: not t.lower().startswith("c_"))
client_names = st.from_regex(r"[A-Z][a-zë]{0,8}( [A-Z][a-zé]{0,8}){0,2}", fullmatch=True)


@FILE_SETTINGS
@given(st.sampled_from(["@c_", "#c_", "c_", "@", "", "@C_"]),
       st.sampled_from([" = ", "=", "\t", " \t "]), st.booleans(), st.data())
def test_a_map_reads_back_as_written(tmp_path, written_prefix, sep, crlf, data):
    pairs = data.draw(st.lists(
        st.tuples(tag_words, client_names).filter(
            lambda p: map_key(written_prefix + p[0], "@c_")),
        max_size=8, unique_by=lambda p: map_key(written_prefix + p[0], "@c_")))
    lines = [f"{written_prefix}{tag}{sep}{name}" for tag, name in pairs]
    text = ("\r\n" if crlf else "\n").join(["# the map", "", *lines])
    expected = {} if written_prefix.startswith("#") else {  # "#...": a comment
        map_key(written_prefix + tag, "@c_"): name for tag, name in pairs}
    assert parse_client_map(text, "@c_", "m") == expected
    assert read_client_map(write(tmp_path / "m.map", text), "@c_") == expected


hostile_lines = st.lists(st.text(st.characters(blacklist_characters="\n") | st.just("Ψ"),
                                 max_size=30).map(lambda t: "Ψ" + t if t else t), max_size=6)


@FILE_SETTINGS
@given(hostile_lines, st.sampled_from(["@c_", None]))
def test_a_hostile_map_fails_cleanly_and_never_echoes_it(lines, prefix):
    try:
        parse_client_map("\n".join(lines), prefix, "client map m")
    except ImportFailed as e:
        said = repr((e.message, e.problems, e.hint))
        assert "Ψ" not in said, said
        assert not shown_raw(e.message)


# -- properties of the jrnl reader ---------------------------------------------------

entries = st.lists(st.tuples(
    client_names, st.lists(tag_words, max_size=3),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
        lambda t: t.strip()),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)).map(
        lambda d: d.replace(second=0, microsecond=0)),
    st.booleans()), min_size=1, max_size=6)


def export(items, lower: bool) -> dict:
    """As jrnl writes it; jrnl 4.6 writes every tag in lower case."""
    case = str.lower if lower else (lambda t: t)
    return {"tags": {}, "entries": [
        {"title": title, "body": body, "date": when.strftime("%Y-%m-%d"),
         "time": when.strftime("%H:%M"), "starred": star,
         "tags": [case("@c_" + name.replace(" ", "_"))] + [case("@" + t) for t in tags]}
        for name, tags, title, body, when, star in items]}


def expected_notes(items, name_of) -> list[Incoming]:
    return [Incoming(name_of(name), title.strip() + ("\n" + body.strip() if body.strip()
                                                    else ""),
                     check_tags([t for t in tags] + (["starred"] if star else [])),
                     when.astimezone().astimezone(UTC))
            for name, tags, title, body, when, star in items]


@FILE_SETTINGS
@given(entries)
def test_a_jrnl_export_reads_back_equal(tmp_path, items):
    src = write(tmp_path / "j.json", export(items, lower=False))
    assert read_jrnl(src, tag_prefix="@c_") == expected_notes(items, lambda n: n)


@FILE_SETTINGS
@given(entries)
def test_a_lower_case_export_gets_its_names_back_from_a_map(tmp_path, items):
    src = write(tmp_path / "j.json", export(items, lower=True))
    names = {normalise_name(name): name for name, *_ in items}
    cmap = write(tmp_path / "names.map", "".join(
        f"@c_{key.replace(' ', '_')} = {name}\n" for key, name in names.items()))
    got = read_jrnl(src, tag_prefix="@c_", client_map=cmap)
    want = expected_notes(items, lambda n: names[normalise_name(n)])
    assert [(n.client, n.text, n.created) for n in got] == \
        [(n.client, n.text, n.created) for n in want]
    assert [n.tags for n in got] == [tuple(t.lower() if t != "starred" else t for t in n.tags)
                                     for n in want]


@FILE_SETTINGS
@given(st.lists(st.fixed_dictionaries({}, optional={
    "title": st.just("Ψ title") | json_values, "body": st.just("Ψ body") | json_values,
    "date": st.sampled_from(["2020-01-01", "Ψ", "2020-13-01"]) | json_values,
    "time": st.sampled_from(["10:00", "Ψ"]) | json_values,
    "starred": st.booleans() | json_values,
    "tags": st.lists(st.sampled_from(["@c_Ψ_name", "@Ψ", "@c_", "@c_a", "@c_b", "Ψ\x1b"]),
                     max_size=3) | json_values}), max_size=5))
def test_a_hostile_export_never_echoes_its_entries(tmp_path, items):
    path = write(tmp_path / "entries.json", {"entries": items})
    for read in readers(path)[1:]:
        try:
            read()
        except (ImportFailed, UsageError) as e:
            said = repr((e.message, getattr(e, "problems", ()), e.hint))
            assert "Ψ" not in said, said
            assert not shown_raw(e.message)
