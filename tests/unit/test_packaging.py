"""README's install command (`pip install .`, not editable) must ship every
subpackage: `packages = ["vault"]` once silently left out vault/cli."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_included_in_the_distribution():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [".".join(p.parent.relative_to(ROOT).parts)
                for p in (ROOT / "vault").rglob("__init__.py")]
    assert "vault.cli" in packages
    for package in packages:
        assert any(fnmatch.fnmatch(package, pattern) for pattern in include), package


def test_the_commands_are_scripts_that_call_the_guarded_entry():
    """`vault` and `client-vault` are bin/ scripts (script-files), each calling
    vault.entry.main, whose Ctrl-C guard covers the imports; no entry-point
    wrapper (it imports `re` before the thin client runs)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "scripts" not in config["project"]
    scripts = config["tool"]["setuptools"]["script-files"]
    assert sorted(scripts) == ["bin/client-vault", "bin/vault"]
    for script in scripts:
        text = (ROOT / script).read_text(encoding="utf-8")
        assert text.startswith("#!python\n"), script   # pip writes the interpreter there
        assert "from vault.entry import main" in text and "sys.exit(main())" in text, script


def test_every_data_file_is_shipped_as_package_data():
    """The anonymizer reads vault/data/words.txt.gz through importlib.resources;
    a wheel without it would fail only when suspects() is first called."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["vault"]
    files = [p.relative_to(ROOT / "vault").as_posix()
             for p in (ROOT / "vault" / "data").rglob("*") if p.is_file()]
    assert "data/words.txt.gz" in files
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
