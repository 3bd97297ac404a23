"""SPEC §7: only tui/ imports Textual; headless commands never do, and start lean."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "mailtui"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_tui_imports_textual() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if "tui" in path.relative_to(SRC).parts[:1]:
            continue
        if any(n == "textual" or n.startswith("textual.") for n in imported_modules(path)):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


# Records every attempt to import a watched package, installed or not, then runs the CLI.
GUARD = """
import sys
WATCH = {watch!r}
seen = []
class Guard:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in WATCH:
            seen.append(name)
        return None
sys.meta_path.insert(0, Guard())
from mailtui.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print("IMPORTED:" + ",".join(sorted(set(n.split(".")[0] for n in seen))))
"""


def run_guarded(argv: list[str], watch: set[str], tmp_path: Path) -> set[str]:
    config = tmp_path / "mailtui.toml"
    config.write_text('[server.properties]\n"mail.smtp.host" = "smtp.example.org"\n')
    code = GUARD.format(watch=watch, argv=["--config", str(config), *argv])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=False).stdout
    line = [x for x in out.splitlines() if x.startswith("IMPORTED:")][-1]
    return {x for x in line.removeprefix("IMPORTED:").split(",") if x}


@pytest.mark.parametrize(
    "argv",
    [[], ["--help"], ["--version"], ["check"], ["plan", "--json"], ["presets"], ["events"],
     ["properties", "export"]],
)
def test_headless_commands_never_import_textual(argv: list[str], tmp_path: Path) -> None:
    assert "textual" not in run_guarded(argv, {"textual"}, tmp_path)


def test_help_stays_lean(tmp_path: Path) -> None:
    heavy = {"textual", "jinja2", "cryptography", "aiosmtpd", "tomlkit", "email_validator",
             "smtplib", "ssl"}
    assert run_guarded(["--help"], heavy, tmp_path) == set()


def test_no_command_without_a_terminal_explains_and_prints_the_help(tmp_path: Path) -> None:
    # `mailtui` alone opens the app, which needs a terminal: piped, it says so (exit 2)
    proc = subprocess.run([sys.executable, "-m", "mailtui", "--config",
                           str(tmp_path / "mailtui.toml")], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "the app needs a terminal" in proc.stderr
    assert "usage: mailtui" in proc.stderr
    assert re.search(r"^\s+send-test\s+\S", proc.stderr, re.M), proc.stderr  # every command
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "mailtui.toml").exists()


def test_opening_the_app_imports_no_command_module(tmp_path: Path) -> None:
    code = ("import sys\nfrom mailtui.cli import build_parser\n"
            "build_parser(['--config', 'x.toml'])\n"
            "print(sorted(m for m in sys.modules if m.startswith('mailtui.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "[]"


# --- issue 9 #7: the layers (pyproject.toml [tool.importlinter]) and one name per concept ----

ROOT = SRC.parents[1]
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"
CONTRACTS = (
    "The domain never imports a front end (cli, commands, api, services, tui)",
    "config is the bottom of the domain: it never imports javamail",
    "Domain packages depend downwards only",
    "No import cycles between sibling modules or packages",
)


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` (import-linter) with the contracts of ``cwd``'s pyproject.toml."""
    return subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_layering_contracts_hold() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in CONTRACTS:
        assert f"{name} KEPT" in done.stdout


def test_the_layering_contracts_catch_each_kind_of_violation(tmp_path: Path) -> None:
    """The check can fail: a copy of the package with one violation of each contract."""
    import shutil

    copy = tmp_path / "mailtui"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    violations = {
        "smtp/stages.py": "import mailtui.commands.check",  # the domain imports a front end
        "config/model.py": "import mailtui.javamail.catalog",  # config -> javamail
        "events/catalog.py": "import mailtui.mail.compose",  # upwards: mail -> events -> mail
        "javamail/lint.py": "import mailtui.javamail.resolve",  # resolve -> lint -> resolve
    }
    for name, line in violations.items():
        with (copy / name).open("a", encoding="utf-8") as handle:
            handle.write(f"\n{line}\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    for name in CONTRACTS:
        assert f"{name} BROKEN" in done.stdout, done.stdout
    assert "mailtui.smtp.stages -> mailtui.commands.check" in done.stdout
    assert "mailtui.config.model -> mailtui.javamail.catalog" in done.stdout
    assert "No cycles are allowed in mailtui.javamail" in done.stdout


def defined_names(path: Path) -> set[str]:
    """Public classes, functions and constants a module defines (imports excluded)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


def test_one_name_per_concept() -> None:
    """No two modules of the domain define the same public name (``commands/*`` share the
    ``register``/``run`` protocol on purpose): two ``Delivery`` or two ``RULES`` meaning
    different things invite the wrong import."""
    where: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] in ("commands", "tui"):
            continue
        for name in defined_names(path):
            where.setdefault(name, []).append(str(relative))
    shared = {n: files for n, files in where.items() if len(files) > 1}
    assert shared == {}


MAX_MODULE_LINES = 420  # "no module over ~400 lines"


def test_no_module_is_over_about_400_lines() -> None:
    long = {str(path.relative_to(SRC)): n for path in SRC.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}
