"""The layer rules of docs/architecture.md, checked on every test run
(issue 11): the import-linter contracts in pyproject.toml, no import cycle
anywhere in vault/, the imports that hide in strings, module sizes, and a
map that names every module."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "vault"
MAX_LINES = 400


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("vault", include_external_packages=True, cache_dir=None)


def test_the_import_linter_contracts_hold():
    """The same check as `lint-imports` by hand; its report on failure."""
    run = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import "
                          "lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_anywhere_in_vault(graph):
    """Module by module, function-level (lazy) imports included."""
    internal = {m for m in graph.modules if m == "vault" or m.startswith("vault.")}
    edges = {m: {d for d in graph.find_modules_directly_imported_by(m) if d in internal}
             for m in internal}
    assert _cycles(edges) == []


# Imports that static analysis cannot see: `lazy("vault.x")` in the CLI and
# importlib calls. Each must obey the same rules as an import statement.
_STRING_IMPORT = re.compile(r"""(?:lazy|import_module)\(\s*["'](vault(?:\.\w+)*)["']""")
_CLI_MAY_NAME = ("vault.commands", "vault.agent", "vault.cli", "vault.errors",
                 "vault.models", "vault.paths", "vault.validate")


def test_imports_written_as_strings_follow_the_layer_rules():
    found = 0
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for target in _STRING_IMPORT.findall(path.read_text(encoding="utf-8")):
            found += 1
            if module.startswith("vault.cli"):
                assert target.startswith(_CLI_MAY_NAME), (module, target)
            else:
                pytest.fail(f"{module} imports {target} by name; only the CLI may")
    assert found > 0  # the CLI's lazy commands are seen, so the scan works


def test_the_cli_never_loads_the_lower_layers_when_only_asked_for_help():
    """`vault --help` and `vault status` start fast: typer and the agent's
    client only, no crypto, SQLite or command modules."""
    code = ("import sys; from vault.cli import app; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('vault', 'nacl', "
            "'argon2', 'sqlite3')))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT).stdout.split()
    assert not [m for m in loaded if m.startswith(("nacl", "argon2", "sqlite3",
                                                   "vault.commands", "vault.vaultfile",
                                                   "vault.text", "vault.crypto"))], loaded


def test_no_module_is_over_400_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in PACKAGE.rglob("*.py")}
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_the_architecture_map_names_every_module():
    """docs/architecture.md describes what is there: every module of vault/."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(PACKAGE)
        name = rel.stem if len(rel.parts) == 1 else f"{rel.parts[0]}/{rel.stem}"
        if f"{rel.stem}.py" not in text and name not in text:
            missing.append(str(rel))
    assert missing == []
