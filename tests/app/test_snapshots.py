"""Every screen at 80x24, in the default theme and the ANSI (terminal palette) theme.

The SVGs live in tests/app/__snapshots__/; after an intended change of the look, review them
and update with `pytest tests/app/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mailtui.sandbox.embedded import EmbeddedSandbox, SandboxInfo
from mailtui.services.sandbox_session import sandbox_editor
from mailtui.tui.sandbox import SandboxApp
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
    async def open_it(pilot: Any) -> None:
        from textual.widgets import TextArea

        await pilot.press("e")
        await pilot.pause()
        area = pilot.app.screen.query_one(TextArea)
        area.cursor_blink = False  # a blinking cursor is caught on or off by chance under load
        await pilot.pause()

    assert shot(snap_compare, theme, '[server]\nusername = "a\n', run_before=open_it)


class _StablePorts(EmbeddedSandbox):
    """The real sandbox, reporting the standard ports so that the snapshot does not change
    with the free ports it got (nothing is sent during the snapshot)."""

    @property
    def info(self) -> SandboxInfo:
        return dataclasses.replace(super().info, port=2525, tls_port=2465)


@pytest.mark.parametrize("theme", THEMES)
def test_sandbox_inbox(snap_compare: Any, theme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Inbox with one deterministic message (sent through the real server; its time
    fixed, the time zone UTC)."""
    import smtplib

    from mailtui.sandbox.certs import client_context
    from mailtui.sandbox.server import SANDBOX_PASSWORD, SANDBOX_USERNAME

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    with _StablePorts(data_dir=Path("sb"), maildir=Path("maildir")) as sandbox:
        real = EmbeddedSandbox.info.fget(sandbox)  # type: ignore[attr-defined]
        with smtplib.SMTP(real.host, real.port, timeout=10) as client:
            client.starttls(context=client_context(real.ca_file))
            client.login(SANDBOX_USERNAME, SANDBOX_PASSWORD)
            client.sendmail("records@example.org", ["bob@example.org"], SNAPSHOT_MESSAGE)
        [stored] = sandbox.messages()
        fixed = 1_764_000_000  # 2025-11-24 16:00:00 UTC
        for path in Path("maildir").glob("*/*"):
            os.utime(path, (fixed, fixed))
        app = SandboxApp(sandbox_editor(sandbox.info, Path("mailtui.toml")), sandbox)
        app.theme = theme

        async def settle(pilot: Any) -> None:
            await pilot.press("5")
            await pilot.pause()
            for _ in range(100):  # the message is read in a worker
                await pilot.pause(0.05)
                if "Hello Bob" in str(pilot.app.screen.query_one("#part-text").render()):
                    break

        assert stored.subject == "Review the retention schedule"
        assert snap_compare(app, terminal_size=SIZE, run_before=settle)
    time.tzset()


SNAPSHOT_MESSAGE = b"""\
From: Records <records@example.org>\r
To: Bob <bob@example.org>\r
Subject: Review the retention schedule\r
Message-ID: <snapshot@example.org>\r
MIME-Version: 1.0\r
Content-Type: multipart/alternative; boundary="b"\r
\r
--b\r
Content-Type: text/plain; charset="utf-8"\r
\r
Hello Bob,\r
\r
A task is assigned to you: Review the retention schedule.\r
--b\r
Content-Type: text/html; charset="utf-8"\r
\r
<p>Hello Bob,</p><p>A task is assigned to you.</p>\r
--b--\r
"""


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
