"""Theme files and the [keymap] table: parsed and checked before Textual sees them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mailtui.errors import Location
from mailtui.tui.keymap import key_problem, parse_keymap
from mailtui.tui.themes import ThemeFileError, load_themes, parse_theme

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_themes_load_from_the_package() -> None:
    found = load_themes(Path("/nonexistent"))
    assert found.problems == []
    assert {"mailtui-dark", "mailtui-light", "mailtui-high-contrast", "mailtui-ansi"} <= set(
        found.themes)
    assert found.themes["mailtui-ansi"].ansi is True
    assert found.themes["mailtui-light"].dark is False
    assert found.sources["mailtui-dark"] == "built-in:mailtui-dark.toml"


def test_a_user_theme_is_added_and_may_replace_a_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('name = "mine"\nprimary = "#102030"\n'
                                     '[variables]\n"footer-key-foreground" = "#ffffff"\n')
    (tmp_path / "b.toml").write_text('name = "mailtui-dark"\nprimary = "red"\n')
    found = load_themes(tmp_path)
    assert found.themes["mine"].variables == {"footer-key-foreground": "#ffffff"}
    assert found.themes["mailtui-dark"].primary == "red"
    assert found.sources["mine"] == str(tmp_path / "a.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [('name = "x"\nprimary = "#12"\n', "x.toml: primary: '#12' is not a colour"),
     ('primary = "#123456"\n', "x.toml: name: required"),
     ('name = "x"\n', "x.toml: primary: required"),
     ('name = "x"\nprimary = "red"\ndark = "yes"\n', "x.toml: dark: must be true or false"),
     ('name = "x"\nprimary = "red"\ncolour = "red"\n', "x.toml: colour: unknown field"),
     ('name = "x"\nprimary = "red"\ntext_alpha = 3\n', "x.toml: text_alpha: must be a number"),
     ('name = "x"\nprimary = "red"\n[variables]\nborder = 1\n', "x.toml: variables.border"),
     ('name = "x\n', "x.toml: not valid TOML: "),
     ('name = "x"\nprimary = "red"\n[variables]\nborder = "blurple"\n',
      "x.toml: variables.border: 'blurple' is not a colour"),
     ('name = "x"\nprimary = "red"\n[variables]\n"block-cursor-text-style" = "shiny"\n',
      "x.toml: variables.block-cursor-text-style: 'shiny' is not a text style"),
     ],
)
def test_a_bad_theme_file_names_the_file_and_the_field(text: str, message: str) -> None:
    with pytest.raises(ThemeFileError) as info:
        parse_theme(text, "x.toml")
    assert message in str(info.value)


def test_an_ansi_theme_gets_the_variables_textual_needs() -> None:
    theme = parse_theme('name = "t"\nansi = true\nprimary = "ansi_blue"\n', "t.toml")
    assert theme.variables["ansi-background"] == "ansi_black"
    assert theme.variables["ansi-foreground"] == "ansi_white"


def test_a_broken_user_theme_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('name = "bad"\nprimary = "nope"\n')
    found = load_themes(tmp_path)
    assert "bad" not in found.themes
    assert found.problems == [f"{tmp_path / 'bad.toml'}: primary: 'nope' is not a colour "
                              '(use "#rrggbb", a colour name or "ansi_blue")']


@pytest.mark.parametrize("key", ["ctrl+s", "f2", "a", "?", "question_mark", "ctrl+shift+up",
                                 "escape", "space", "alt+enter", "pagedown"])
def test_keys_textual_knows(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize(("key", "message"), [
    ("", "empty key"), ("ctrl+", "is not a key"), ("cmd+s", "'cmd' is not a modifier"),
    ("ctrl+nope", "'ctrl+nope' is not a key"), ("f99", "'f99' is not a key"),
    ("ctrl+escap", "did you mean ctrl+escape?"),
])
def test_keys_textual_does_not_know(key: str, message: str) -> None:
    problem = key_problem(key)
    assert problem is not None and message in problem


def test_parse_keymap_keeps_good_entries_and_names_the_line_of_bad_ones() -> None:
    table = {"app.save": "f2, ctrl+s", "app.quti": "f10", "app.keys": 5, "go.settings": "x+y"}
    keymap, problems = parse_keymap(table, ["app.save", "app.quit", "app.keys", "go.settings"],
                                    lambda key: Location("c.toml", 7))
    assert keymap == {"app.save": "f2,ctrl+s"}
    assert problems == [
        "c.toml:7: keymap: unknown binding id 'app.quti'; did you mean app.quit?",
        'c.toml:7: keymap.app.keys: must be a string such as "ctrl+s", not 5',
        "c.toml:7: keymap.go.settings: 'x' is not a modifier (use alt, ctrl, hyper, meta, "
        "shift, super)",
    ]


@pytest.mark.integration
def test_the_wheel_ships_the_themes_and_the_stylesheets(tmp_path: Path) -> None:
    source = tmp_path / "src-copy"
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(tmp_path / "dist"), str(source)], check=True, timeout=300,
                   capture_output=True)
    wheel = next((tmp_path / "dist").glob("mailtui-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for theme in ("mailtui-dark", "mailtui-light", "mailtui-high-contrast", "mailtui-ansi"):
        assert f"mailtui/themes/{theme}.toml" in names
    assert "mailtui/tui/app.tcss" in names
    assert "mailtui/tui/screens/dialogs.tcss" in names
    assert "mailtui/tui/screens/welcome.py" in names
