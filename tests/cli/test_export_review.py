"""Issue 14: the reviewer's levers on `vault export-anonymized`, through the
real CLI: --keep WORD (repeatable) and --keep-file PATH release words the
detectors replace, --also WORD (repeatable) forces a replacement, --strict
replaces every capitalised word and code outside the vocabulary; the report
lists what is left with its offsets; none of them releases a registered
client's name; the log entry counts the words, never names them; bad input
is refused before unlocking (a usage error; an unreadable --keep-file
exits 1, as --text-file does).
"""

from __future__ import annotations

import json

from ..checks import code, ok

CLIENT = "Harold Jennings"
NOTE = ("Seen with Dr. Okonjo at Burnside Clinic in Beaverton. Harold says the "
        "metformin helps; his friend Zebedee joined. Lasix 40MG daily. "
        "Plan reviewed with QUORVEX staff.")


def setup(venv) -> None:
    ok(venv.run("add", CLIENT, "-m", NOTE, "--new"))


def texts(venv, *args: str) -> list[str]:
    out = ok(venv.run("export-anonymized", "--dates", "keep", *args)).stdout
    return [json.loads(line)["text"] for line in out.splitlines()]


def report(venv, *args: str) -> dict:
    path = venv.root / "report.json"
    ok(venv.run("export-anonymized", "--report", str(path), "--force", *args))
    return json.loads(path.read_text(encoding="utf-8"))


def last_detail(venv) -> dict:
    entries = json.loads(ok(venv.run("log", "--json")).stdout)
    return next(e for e in reversed(entries) if e["action"] == "export-anonymized")["detail"]


def test_by_default_people_places_and_organisations_nobody_registered_go(vault_env):
    setup(vault_env)
    (text,) = texts(vault_env)
    for word in ("Okonjo", "Burnside", "Beaverton", "Zebedee", "Harold", "Jennings"):
        assert word not in text, word
    # ordinary and clinical words stay: "metformin", "Lasix", "40MG", "daily"
    for word in ("metformin", "Lasix 40MG daily", "Plan reviewed"):
        assert word in text, word


def test_keep_releases_a_word_and_keep_file_releases_more(vault_env):
    setup(vault_env)
    (text,) = texts(vault_env, "--keep", "Beaverton", "--keep", "okonjo")
    assert "in Beaverton" in text and "Dr. Okonjo" in text
    assert "Burnside" not in text and "Zebedee" not in text
    keep = vault_env.root / "keep.txt"
    keep.write_text("# released after review\nBurnside Clinic\n\nZebedee\n", encoding="utf-8")
    (text,) = texts(vault_env, "--keep-file", str(keep))
    assert "at Burnside Clinic" in text and "friend Zebedee" in text
    assert "Okonjo" not in text and "Beaverton" not in text
    assert last_detail(vault_env)["kept_words"] == 2


def test_keep_never_releases_a_registered_name(vault_env):
    setup(vault_env)
    (text,) = texts(vault_env, "--keep", "Harold", "--keep", "Jennings")
    assert "Harold" not in text and "Jennings" not in text


def test_also_forces_a_replacement_in_any_case(vault_env):
    setup(vault_env)
    (text,) = texts(vault_env)
    assert "QUORVEX" in text          # in capitals, in no list: left, and reported
    assert "QUORVEX" in {c["text"] for c in report(vault_env)["candidates"]}
    (text,) = texts(vault_env, "--also", "quorvex", "--also", "metformin")
    assert "QUORVEX" not in text and "metformin" not in text
    assert text.count("[REDACTED]") == 2
    detail = last_detail(vault_env)
    assert detail["also_words"] == 2 and "quorvex" not in json.dumps(detail).lower()


def test_strict_replaces_what_the_default_leaves(vault_env):
    setup(vault_env)
    (default,) = texts(vault_env)
    (strict,) = texts(vault_env, "--strict")
    assert "QUORVEX" in default and "QUORVEX" not in strict
    assert "metformin" in strict and "Plan reviewed" in strict   # words stay
    assert report(vault_env, "--strict")["strict"] is True
    assert last_detail(vault_env)["strict"] is True


def test_the_report_gives_offsets_into_the_exported_text(vault_env):
    setup(vault_env)
    (text,) = texts(vault_env)
    data = report(vault_env)
    assert data["candidates"], data
    for c in data["candidates"]:
        assert c["client"].startswith("Client-") and c["note"] == 1 and c["field"] == "text"
        assert c["why"]
    # a second export is a fresh one, but the texts agree outside pseudonyms
    # and placeholders: the offsets point at the word in this export's text
    (again,) = texts(vault_env)
    for c in data["candidates"]:
        assert c["text"] in again


def test_bad_options_are_usage_errors_before_unlocking(vault_env):
    setup(vault_env)
    code(vault_env.run("export-anonymized", "--keep", " "), 2)
    code(vault_env.run("export-anonymized", "--also", ""), 2)
    missing = code(vault_env.run("export-anonymized", "--keep-file",
                                 str(vault_env.root / "none.txt")), 1)   # as --text-file
    assert "cannot read the file given to --keep-file" in missing.stderr
    empty = vault_env.root / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    code(vault_env.run("export-anonymized", "--keep-file", str(empty)), 2)
    entries = json.loads(ok(vault_env.run("log", "--json")).stdout)
    assert not [e for e in entries if e["action"] == "export-anonymized"]
