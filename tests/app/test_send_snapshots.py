"""The Test send screen at 80x24 after a completed send to a deterministic loopback server
(fixed message bytes, times shown as placeholders), in the default and the ANSI theme.
Update on purpose: `pytest tests/app/test_send_snapshots.py --snapshot-update`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mailtui.tui.screens.test_send import TestSendScreen
from tests.app.conftest import SIZE, make_app
from tests.app.test_send_screen import serve
from tests.integration.test_smtp_cli import write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, RunningServer

pytestmark = pytest.mark.integration

MESSAGE = (b"From: Records <sender@example.org>\r\nTo: admin@example.org\r\n"
           b"Subject: mailtui test message\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nHello from mailtui.\r\n")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app-send-snap")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


@pytest.fixture
def server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    yield from serve(good_cert, workdir)


@pytest.mark.parametrize("theme", ["mailtui-dark", "mailtui-ansi"])
def test_after_a_completed_send(snap_compare: Any, theme: str, server: RunningServer,
                                test_ca: Authority, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    monkeypatch.setattr(TestSendScreen, "SHOW_TIMES", False)
    monkeypatch.setattr("mailtui.mail.testmessage.build_test_message",
                        lambda *args, **kwargs: MESSAGE)
    ca = test_ca.write_ca(tmp_path / "ca.pem")
    write_config(Path("mailtui.toml"), server.port, ca,
                 extra='"mail.smtp.localhost" = "client.example.org"\n')
    app = make_app(Path("mailtui.toml"))
    app.theme = theme

    async def send(pilot: Any) -> None:
        await pilot.press("4", "f5")
        screen = pilot.app.screen
        deadline = time.monotonic() + 20
        while screen.run_state is None or screen.run_state.result is None:
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=SIZE, run_before=send)
