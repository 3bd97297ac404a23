"""`mailtui --sandbox` in the app, under Pilot at 80x24 against the real embedded sandbox:
the inbox lists what arrives (sent with the real engine), the viewer shows headers, text,
HTML and structure, and saving asks where, never touching the user's file unless confirmed."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TabbedContent

from mailtui.sandbox.embedded import EmbeddedSandbox
from mailtui.sandbox.server import SANDBOX_PASSWORD
from mailtui.services.sandbox_session import sandbox_editor
from mailtui.services.send_test import prepare_test_send
from mailtui.tui.sandbox import SandboxApp
from mailtui.tui.screens.dialogs import ChoiceScreen
from mailtui.tui.screens.save_as import SaveAsScreen
from mailtui.tui.screens.welcome import WelcomeScreen
from tests.app.conftest import SIZE


class RecordingSandboxApp(SandboxApp):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.notes: list[str] = []
        super().__init__(*args, **kwargs)

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append(str(message))
        super().notify(message, *args, **kwargs)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(data_dir=tmp_path / "sb", maildir=tmp_path / "maildir") as sb:
        yield sb


def app_on(sandbox: EmbeddedSandbox, default: Path) -> RecordingSandboxApp:
    return RecordingSandboxApp(sandbox_editor(sandbox.info, default), sandbox)


async def send_test(app: SandboxApp, event: str | None = None) -> None:
    """A test send with the real engine, from the settings the app holds (in a thread)."""
    settings, _ = app.editor.check()
    assert settings is not None
    result = await asyncio.to_thread(lambda: prepare_test_send(settings, event=event).run())
    assert result.ok, result


async def until(pilot: Pilot[int], condition: Any, what: str) -> None:
    for _ in range(200):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError(f"timed out waiting for {what}")


def part(app: SandboxApp, view: str) -> str:
    return str(app.screen.query_one(f"#part-{view}", Static).render())


async def test_sandbox_mode_skips_the_welcome_and_says_where_it_sends(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    default = tmp_path / "config" / "mailtui.toml"
    app = app_on(sandbox, default)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, WelcomeScreen)
        assert f"sandbox {sandbox.info.host}:{sandbox.info.port}" in app.sub_title
        assert "5 Inbox" in str(app.screen.query_one("#nav", Static).render())
        content = str(app.screen.query_one("#connection", Static).render())
        assert f"127.0.0.1:{sandbox.info.port}, STARTTLS required, AUTH as sandbox" in content
        assert SANDBOX_PASSWORD not in content
        await pilot.press("f1")
        await pilot.pause()
        ids = {str(row[2]) for row in (app.screen.query_one(DataTable).get_row_at(i)
                                       for i in range(app.screen.query_one(DataTable).row_count))}
        assert "go.inbox" in ids and "app.save" in ids
    assert not default.parent.exists()


async def test_the_inbox_lists_a_message_as_it_arrives_and_views_it(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    app = app_on(sandbox, tmp_path / "mailtui.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 0
        assert "No message yet" in part(app, "text")
        await send_test(app, "task_assigned_to_you")
        await until(pilot, lambda: table.row_count == 1, "the message in the list")
        cells = [str(c).strip() for c in table.get_row_at(0)]
        assert cells[0] == "1" and cells[2] == "sender@example.org"
        assert cells[3].startswith("recipient@example") and cells[5] == "1.3"
        assert cells[6] == "-" and "task" in cells[7].lower()
        await until(pilot, lambda: "http" in part(app, "text"), "the text part")
        await pilot.press("h")
        assert app.screen.query_one(TabbedContent).active == "headers"
        headers = part(app, "headers")
        assert "X-Sandbox-Mail-From: <sender@example.org>" in headers
        assert "Subject: " in headers
        await pilot.press("w")
        assert app.screen.query_one(TabbedContent).active == "html"
        html = part(app, "html")
        assert "<p" not in html and "<a " not in html and "</" not in html
        assert "(no HTML part)" not in html and " <http" in html  # a link with its URL
        await pilot.press("s")
        structure = part(app, "structure")
        assert "multipart/alternative (2 parts" in structure
        assert "└─ text/html (utf-8" in structure and "AUTH as sandbox" in structure
        await pilot.press("t", "enter")
        assert app.focused is not None and app.focused.has_class("inbox-part")
        await pilot.press("escape")
        assert app.focused is table
        assert SANDBOX_PASSWORD not in headers + html + structure + part(app, "text")


async def test_an_arrival_elsewhere_is_announced_and_listed_later(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    app = app_on(sandbox, tmp_path / "mailtui.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await send_test(app)
        await until(pilot, lambda: any(n.startswith("Inbox: #1") for n in app.notes),
                    "the arrival notification")
        await pilot.press("5")
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 1


async def test_save_asks_where_and_writes_only_there(sandbox: EmbeddedSandbox,
                                                     tmp_path: Path) -> None:
    default = tmp_path / "config" / "mailtui.toml"
    app = app_on(sandbox, default)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveAsScreen)
        assert app.screen.query_one(Input).value == str(default)
        body = str(app.screen.query_one("#dialog-body", Static).render())
        assert f"this session's sandbox (127.0.0.1:{sandbox.info.port})" in body
        await pilot.press("escape")
        await pilot.pause()
        assert not default.parent.exists() and app.editor.unsaved
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SaveAsScreen)
        assert not app.editor.unsaved and app.sub_title.endswith("mailtui.toml")
    assert stat.S_IMODE(default.stat().st_mode) == 0o600
    assert f'"mail.smtp.port" = "{sandbox.info.port}"' in default.read_text()


async def test_save_over_an_existing_file_asks_and_cancel_keeps_it(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    default = tmp_path / "mailtui.toml"
    mine = '# my real account\n[server]\nusername = "me@example.org"\n'
    default.write_text(mine)
    app = app_on(sandbox, default)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already there" in str(app.screen.query_one("#save-status", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # the default button is Cancel
        await pilot.pause()
        assert isinstance(app.screen, SaveAsScreen)  # asked again, path kept
        assert default.read_text() == mine
        other = tmp_path / "sandbox.toml"
        await pilot.press(*["backspace"] * 40, *str(other)[-40:])
        await pilot.pause()
        app.screen.query_one(Input).value = str(other)
        await pilot.press("enter")
        await pilot.pause()
        assert other.exists() and default.read_text() == mine
        assert not (tmp_path / "mailtui.toml.bak").exists()


async def test_save_over_an_existing_file_when_confirmed_keeps_a_bak(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    default = tmp_path / "mailtui.toml"
    default.write_text("# mine\n")
    app = app_on(sandbox, default)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert not app.editor.unsaved
    assert default.read_text().startswith("# Made by `mailtui --sandbox`")
    assert (tmp_path / "mailtui.toml.bak").read_text() == "# mine\n"


async def test_quit_with_changes_then_save_asks_where(sandbox: EmbeddedSandbox,
                                                      tmp_path: Path) -> None:
    default = tmp_path / "mailtui.toml"
    app = app_on(sandbox, default)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.editor.set_value("server.test_recipient", "me@example.org")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveAsScreen)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 0
    assert 'test_recipient = "me@example.org"' in default.read_text()


async def test_clear_asks_then_empties_the_inbox_and_the_maildir(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    app = app_on(sandbox, tmp_path / "mailtui.toml")
    async with app.run_test(size=SIZE) as pilot:
        await send_test(app)
        await pilot.press("5")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 1, "the message")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 1 and len(sandbox.messages()) == 1
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert table.row_count == 0 and sandbox.messages() == []
        assert "No message yet" in part(app, "text")
        await send_test(app)  # cleared from the palette on another screen: in sync on return
        await until(pilot, lambda: table.row_count == 1, "the next message")
        await pilot.press("1")
        await pilot.pause()
        app.clear_inbox()
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        assert table.row_count == 0


async def test_the_users_keys_and_theme_apply_and_their_file_is_never_written(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    from mailtui.services.editor import ConfigEditor

    mine = tmp_path / "mailtui.toml"
    text = ('# mine\n[server]\nusername = "me@example.org"\n[ui]\ntheme = "mailtui-light"\n'
            '[keymap]\n"go.inbox" = "i"\n')
    mine.write_text(text)
    app = RecordingSandboxApp(sandbox_editor(sandbox.info, mine), sandbox,
                              user_file=ConfigEditor(mine))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "mailtui-light"
        await pilot.press("i")
        await pilot.pause()
        assert app.current_mode == "inbox"
        app.choose_theme("mailtui-dark")  # saved with the sandbox document, if ever
        await pilot.pause()
        assert not [n for n in app.notes if "keymap" in n]
    assert mine.read_text() == text


async def test_a_broken_user_file_is_named_and_left_alone(sandbox: EmbeddedSandbox,
                                                          tmp_path: Path) -> None:
    from mailtui.services.editor import ConfigEditor

    mine = tmp_path / "mailtui.toml"
    mine.write_text("[server\n")
    app = RecordingSandboxApp(sandbox_editor(sandbox.info, mine), sandbox,
                              user_file=ConfigEditor(mine))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("[keymap] and [ui] are not used" in n and "mailtui.toml" in n
                   for n in app.notes)
        assert not isinstance(app.screen, WelcomeScreen)
    assert mine.read_text() == "[server\n"


async def test_go_inbox_is_a_known_keymap_id_outside_sandbox_mode_too(tmp_path: Path) -> None:
    from tests.app.conftest import make_app

    mine = tmp_path / "mailtui.toml"
    mine.write_text('[keymap]\n"go.inbox" = "i"\n')
    app = make_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not [n for n, _ in app.notes if "keymap" in n]
