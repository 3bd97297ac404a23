"""The Test send screen under Pilot at 80x24, against real aiosmtpd servers on loopback with
real TLS: the transcript streams in order and ends with the result; a stalled server leaves
the app responsive and Cancel ends the session within a second; a 535 shows the stage, the
reply and the explanation; a probe shows the capabilities and the certificate; no form of the
password is ever on screen, copied or saved."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from mailtui.tui.screens.test_send import TestSendScreen
from mailtui.tui.widgets.transcript import TranscriptLog
from tests.app.conftest import SIZE, RecordingApp, make_app
from tests.app.test_flows import palette
from tests.integration.test_smtp_cli import assert_no_credentials, write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app-send")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


def serve(good_cert: Issued, workdir: Path, **faults: object) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(**faults)) as srv:  # type: ignore[arg-type]
        deadline = time.monotonic() + 10  # forget the controller's own start-up connection
        while srv.handler.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
        srv.handler.stalled.clear()
        yield srv


@pytest.fixture
def server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    yield from serve(good_cert, workdir)


def configure(tmp_path: Path, srv: RunningServer, ca_file: Path,
              monkeypatch: pytest.MonkeyPatch, extra: str = "") -> Path:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    return write_config(tmp_path / "mailtui.toml", srv.port, ca_file, extra=extra)


def screen_text(app: RecordingApp) -> str:
    """Everything the screen shows as text: statics, inputs, the transcript, notifications."""
    screen = app.screen
    parts = [str(w.render()) for w in screen.query(Static)]
    parts += [w.value for w in screen.query(Input)]
    parts += list(screen.query_one(TranscriptLog).lines)
    parts += [note for note, _ in app.notes]
    return "\n".join(parts)


async def finish(pilot: Pilot[int], limit: float = 20.0) -> TestSendScreen:
    screen = pilot.app.screen
    assert isinstance(screen, TestSendScreen)
    deadline = time.monotonic() + limit
    while screen.run_state is None or screen.run_state.result is None:
        assert time.monotonic() < deadline, "the session did not end"
        await pilot.pause(0.05)
    await pilot.pause()
    return screen


async def test_a_send_streams_the_transcript_in_order_and_shows_the_result(
        tmp_path: Path, server: RunningServer, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(configure(tmp_path, server, ca_file, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, TestSendScreen)
        assert app.screen.query_one("#ts-to", Input).value == "admin@example.org"
        await pilot.press("f5")
        screen = await finish(pilot)
        lines = list(screen.query_one(TranscriptLog).lines)
        text = screen_text(app)
    order = ["S: 220 ", "C: EHLO ", "C: STARTTLS", "TLS C: EHLO ", "TLS C: AUTH ",
             "TLS C: MAIL FROM:", "TLS C: RCPT TO:<admin@example.org>", "TLS C: DATA",
             "TLS C: [body: ", "TLS C: QUIT"]
    positions = [next(i for i, line in enumerate(lines) if key in line) for key in order]
    assert positions == sorted(positions), lines
    assert "result: message accepted (250 2.0.0 OK queued as TEST1)" in text
    assert "✓done" in text and "✗" not in text
    assert "using tests" not in text and "using " in text
    assert [r.rcpt_tos for r in server.received] == [["admin@example.org"]]
    assert screen.events and len(lines) == len(screen.events)
    assert_no_credentials(text)


async def test_a_535_at_auth_shows_the_stage_the_reply_and_the_explanation(
        tmp_path: Path, good_cert: Issued, workdir: Path, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for srv in serve(good_cert, workdir, auth="535 5.7.8 Authentication credentials invalid"):
        app = make_app(configure(tmp_path, srv, ca_file, monkeypatch))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("4", "f5")
            screen = await finish(pilot)
            text = screen_text(app)
            assert screen.timeline is not None and screen.timeline.failed is not None
            assert screen.timeline.failed.label == "AUTH"
        assert "✗AUTH" in text
        assert "result: FAILED at AUTHENTICATION (exit 23)" in text
        assert "server: 535 5.7.8 Authentication credentials invalid" in text
        assert "why: " in text and "fix: " in text
        assert srv.received == []
        assert_no_credentials(text)


async def test_a_stalled_rcpt_keeps_the_app_responsive_and_cancel_ends_it_at_once(
        tmp_path: Path, good_cert: Issued, workdir: Path, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    slow = ('"mail.smtp.timeout" = "60000"\n')
    for srv in serve(good_cert, workdir, stall_at="rcpt", stall_seconds=60.0):
        path = configure(tmp_path, srv, ca_file, monkeypatch)
        path.write_text(path.read_text().replace('"mail.smtp.timeout" = "1000"\n', slow))
        app = make_app(path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("4", "f5")
            screen = app.screen
            assert isinstance(screen, TestSendScreen)
            deadline = time.monotonic() + 10
            while "waiting for the server's reply to RCPT TO" not in screen_text(app):
                assert time.monotonic() < deadline, screen_text(app)
                await pilot.pause(0.05)
            assert srv.handler.stalled.is_set()
            await pilot.pause(1.5)  # the 1 s timer counts the wait
            assert " s of 60 s" in screen_text(app)
            assert "waiting for the server's reply to RCPT TO… 0 s" not in screen_text(app)
            await pilot.press("1")  # another key works meanwhile: switch tab and back
            await pilot.pause()
            assert app.current_mode == "settings"
            await pilot.press("4")
            await pilot.pause()
            assert app.screen is screen and screen.run_state.result is None
            started = time.monotonic()
            await pilot.press("escape")
            await finish(pilot, limit=5.0)
            assert time.monotonic() - started < 1.0
            text = screen_text(app)
        assert "CANCELLED" in text and "(exit 130)" in text
        assert "* cancelled: the connection is closed at once" in text  # the transcript says so
        assert screen.timeline is not None and screen.timeline.failed is not None
        assert screen.timeline.failed.label == "RCPT"
        assert srv.received == []
        deadline = time.monotonic() + 5  # the server sees the connection go
        while srv.handler.open_connections:
            assert time.monotonic() < deadline
            time.sleep(0.02)


async def test_a_probe_shows_the_capabilities_and_the_certificate(
        tmp_path: Path, server: RunningServer, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(configure(tmp_path, server, ca_file, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, "send: Probe server")
        screen = await finish(pilot)
        text = screen_text(app)
    assert "before TLS: " in text and "STARTTLS yes" in text
    assert "after TLS:  " in text and "AUTH " in text
    assert "certificate subject: " in text and "certificate SHA-256: " in text
    assert "certificate names: localhost, 127.0.0.1" in text
    assert "certificate valid: " in text
    assert screen.run_state is not None and screen.run_state.result.ok
    assert server.received == []


async def test_no_password_form_on_screen_copied_or_saved(
        tmp_path: Path, server: RunningServer, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    monkeypatch.setattr(RecordingApp, "copy_to_clipboard",
                        lambda self, text: copied.append(text))
    monkeypatch.chdir(tmp_path)
    app = make_app(configure(tmp_path, server, ca_file, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "send: Send test message")
        screen = await finish(pilot)
        await pilot.press("f7", "f8")
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press(*["backspace"] * 60, *"saved.txt", "enter")
        await pilot.pause()
        text = screen_text(app)
    saved = tmp_path / "saved.txt"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    transcript, ticket = copied
    assert "C: AUTH " in transcript and "redacted" in transcript
    assert ticket.startswith("mailtui test send (") and "Server        127.0.0.1:" in ticket
    assert ticket.index("result: message accepted") < ticket.index("transcript:")
    assert saved.read_text() == ticket
    assert len(screen.events) == len(transcript.splitlines())
    assert_no_credentials(text, transcript, ticket, saved.read_text())


async def test_the_screen_says_it_uses_unsaved_changes(
        tmp_path: Path, server: RunningServer, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = configure(tmp_path, server, ca_file, monkeypatch)
    path.write_text(path.read_text().replace('test_recipient = "admin@example.org"',
                                             'test_recipient = "old@example.org"'))
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        app.editor.set_value("server.test_recipient", "new@example.org")  # another screen's edit
        await pilot.press("4")
        await pilot.pause()
        assert "using unsaved changes" in screen_text(app)
        await pilot.press("f5")
        screen = await finish(pilot)
        screen.query_one("#ts-to", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", *"not an address")
        await pilot.pause()
        assert "is not an email address" in screen_text(app)
    assert [r.rcpt_tos for r in server.received] == [["new@example.org"]]
    assert "old@example.org" in path.read_text()  # the file was not saved


async def test_an_event_in_french_is_what_the_server_receives(
        tmp_path: Path, server: RunningServer, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from email import message_from_bytes, policy

    app = make_app(configure(tmp_path, server, ca_file, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TestSendScreen)
        screen.choose("task_completed", "fr")
        await pilot.pause()
        await pilot.press("f5")
        await finish(pilot)
        assert screen.run_state is not None and screen.run_state.result.ok
    from mailtui.events.catalog import load_catalog

    title_fr = load_catalog().get("task_completed").title_for("fr")
    [received] = server.received
    subject = str(message_from_bytes(received.data, policy=policy.default)["Subject"])
    assert subject and subject != "mailtui test message"
    assert any(word in subject for word in title_fr.split() if len(word) > 4), subject
    assert title_fr != load_catalog().get("task_completed").title_for("en")


async def test_a_configuration_without_a_server_is_refused_with_exit_3(
        tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text('[server]\ntest_recipient = "admin@example.org"\n')
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "f5")
        screen = await finish(pilot)
        text = screen_text(app)
    assert "result: NOT SENT (exit 3)" in text
    assert screen.events == []


async def test_quitting_during_a_stalled_session_closes_it_and_does_not_wait(
        tmp_path: Path, good_cert: Issued, workdir: Path, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for srv in serve(good_cert, workdir, stall_at="rcpt", stall_seconds=60.0):
        path = configure(tmp_path, srv, ca_file, monkeypatch)
        path.write_text(path.read_text().replace('"mail.smtp.timeout" = "1000"',
                                                 '"mail.smtp.timeout" = "60000"'))
        app = make_app(path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("4", "f5")
            deadline = time.monotonic() + 10
            while not srv.handler.stalled.is_set():
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            started = time.monotonic()
            await pilot.press("ctrl+q")
        assert time.monotonic() - started < 10  # not the 60 s of the stall
        deadline = time.monotonic() + 5
        while srv.handler.open_connections:  # the connection was closed, not left behind
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert srv.received == []
