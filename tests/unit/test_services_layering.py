"""The layering of issue 9: commands only parse and print and never import one another (only
the private helpers ``commands/_*.py``); services return data and never print; the domain
packages know nothing of services, commands or the API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "mailtui"
COMMANDS = SRC / "commands"
SERVICES = SRC / "services"
DOMAIN = ("config", "javamail", "smtp", "mail", "events", "outbox", "sandbox")
COMMAND_MODULES = {p.stem for p in COMMANDS.glob("*.py") if not p.stem.startswith("_")}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(path: Path, package: str | None = None) -> set[str]:
    """Every module ``path`` imports, at any depth (lazy imports included), absolute names;
    ``from pkg import name`` counts as ``pkg.name`` too (it may be a module). ``package``:
    the package the file belongs to (default: from its place under src/mailtui)."""
    if package is None:
        package = ".".join(("mailtui", *path.relative_to(SRC).parent.parts))
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(filter(None, [*parts[: len(parts) - node.level + 1], base]))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def command_imports(path: Path, package: str | None = None) -> set[str]:
    """The command modules (not the ``_`` helpers) that ``path`` imports."""
    found = set()
    for name in imported(path, package):
        parts = name.split(".")
        if parts[:2] == ["mailtui", "commands"] and len(parts) > 2 and parts[2] in COMMAND_MODULES:
            found.add(parts[2])
    return found


def test_the_import_scanner_sees_every_spelling(tmp_path: Path) -> None:
    path = tmp_path / "sample.py"
    path.write_text("def f():\n    from mailtui.commands.plan import describe\n"
                    "    from mailtui.commands import smime\n    from . import probe\n"
                    "    from .properties import run_export\n    import mailtui.commands.check\n"
                    "    from mailtui.commands._common import warn\n"
                    "    from mailtui.commands import _ticker\n")
    assert command_imports(path, "mailtui.commands") == {
        "plan", "smime", "probe", "properties", "check"}


@pytest.mark.parametrize("path", sorted(COMMANDS.glob("*.py")), ids=lambda p: p.name)
def test_commands_do_not_import_other_commands(path: Path) -> None:
    assert command_imports(path) - {path.stem} == set(), (
        f"{path.name} imports another command module: move the shared logic to "
        "mailtui.services (or the printing to commands/_common.py)")


def _prints(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("print", "input"):
            found.append(f"{path.name}:{node.lineno}: {node.func.id}(")
        elif isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr", "stdin") \
                and isinstance(node.value, ast.Name) and node.value.id == "sys":
            found.append(f"{path.name}:{node.lineno}: sys.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "sys" and any(
                a.name in ("stdout", "stderr", "stdin") for a in node.names):
            found.append(f"{path.name}:{node.lineno}: from sys import std*")
    return found


def test_services_never_print() -> None:
    files = sorted(SERVICES.glob("*.py"))
    assert len(files) >= 8
    assert [hit for path in files for hit in _prints(path)] == []


def test_the_print_scanner_finds_prints(tmp_path: Path) -> None:
    path = tmp_path / "sample.py"
    path.write_text("import sys\nfrom sys import stderr\n\ndef f():\n    print('x')\n"
                    "    sys.stdout.write('y')\n")
    assert [hit.split(": ")[1] for hit in _prints(path)] == [
        "from sys import std*", "print(", "sys.stdout"]


def test_services_import_no_front_end() -> None:
    for path in sorted(SERVICES.glob("*.py")):
        bad = {n for n in imported(path) if n.split(".")[:2] in (
            ["mailtui", "commands"], ["mailtui", "cli"], ["mailtui", "api"], ["mailtui", "tui"])
            or n.split(".")[0] == "textual"}
        assert bad == set(), f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_packages_do_not_import_the_layers_above(package: str) -> None:
    above = (["mailtui", "services"], ["mailtui", "commands"], ["mailtui", "cli"],
             ["mailtui", "api"], ["mailtui", "tui"])
    for path in sorted((SRC / package).rglob("*.py")):
        bad = {n for n in imported(path) if n.split(".")[:2] in above}
        assert bad == set(), f"{path.relative_to(SRC)} imports {sorted(bad)}"
