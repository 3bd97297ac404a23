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
