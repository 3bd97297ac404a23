"""Every screen at 80x24, in the default theme and the ANSI (terminal palette) theme.

The SVGs live in tests/app/__snapshots__/; after an intended change of the look, review them
and update with `pytest tests/app/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import EXAMPLE, SIZE, make_app

THEMES = ["mailtui-dark", "mailtui-ansi"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the config is ./mailtui.toml: the same text in every run


def home_config(text: str | None) -> Path:
    path = Path("mailtui.toml")
    if text is not None:
        path.write_text(text)
    return path


def shot(snap_compare: Any, theme: str, text: str | None, press: list[str] | None = None,
         run_before: Callable[..., Any] | None = None) -> bool:
    app = make_app(home_config(text))
    app.theme = theme
    return bool(snap_compare(app, terminal_size=SIZE, press=press or [], run_before=run_before))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("key", ["1", "2", "4"])  # 3: test_templates (waits for its preview)
def test_main_screens(snap_compare: Any, theme: str, key: str) -> None:
    assert shot(snap_compare, theme, EXAMPLE, press=[key])


@pytest.mark.parametrize("theme", THEMES)
def test_welcome(snap_compare: Any, theme: str) -> None:
    assert shot(snap_compare, theme, None)


@pytest.mark.parametrize("theme", THEMES)
def test_broken_file(snap_compare: Any, theme: str) -> None:
    assert shot(snap_compare, theme, '# mine\n[server]\nusername = "a"\nusername = "b"\n')


@pytest.mark.parametrize("theme", THEMES)
def test_preset_dialog(snap_compare: Any, theme: str) -> None:
    async def open_it(pilot: Any) -> None:
        pilot.app.apply_preset("amazon-ses")
        await pilot.pause()

    assert shot(snap_compare, theme, EXAMPLE, run_before=open_it)


@pytest.mark.parametrize("theme", THEMES)
def test_conflict_dialog(snap_compare: Any, theme: str) -> None:
    async def conflict(pilot: Any) -> None:
        pilot.app.editor.set_value("server.username", "me@example.org")
        home_config(EXAMPLE.replace('"25"', '"2525"'))
        pilot.app.save_document()
        await pilot.pause()

    assert shot(snap_compare, theme, EXAMPLE, run_before=conflict)


@pytest.mark.parametrize("theme", THEMES)
def test_keys(snap_compare: Any, theme: str) -> None:
    assert shot(snap_compare, theme, EXAMPLE, press=["f1"])


@pytest.mark.parametrize("theme", THEMES)
def test_raw_editor(snap_compare: Any, theme: str) -> None:
    assert shot(snap_compare, theme, '[server]\nusername = "a\n', press=["e"])


async def _templates(pilot: Any, *keys: str) -> None:
    await pilot.press("3", *keys)
    for _ in range(3):  # the preview is rendered in a worker
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
def test_templates(snap_compare: Any, theme: str) -> None:
    assert shot(snap_compare, theme, EXAMPLE, run_before=_templates)


@pytest.mark.parametrize("theme", THEMES)
def test_templates_source_in_french(snap_compare: Any, theme: str) -> None:
    async def source(pilot: Any) -> None:
        await _templates(pilot, "ctrl+l")
        pilot.app.screen.query_one("#tpl-tabs").active = "tab-source"
        await _templates(pilot)

    assert shot(snap_compare, theme, EXAMPLE, run_before=source)
