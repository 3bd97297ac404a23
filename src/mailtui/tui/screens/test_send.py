"""Test send: recipient, message and locale, Send and Probe; the SMTP conversation streams in
as the server answers, with the stage timeline, the wait on a slow server and the result.

The network work runs in a thread worker (services.send_test / services.probe); every event
reaches the screen as a message. Cancel (escape) sets the session's CancelToken, which closes
the socket at once. The settings are the document's current ones, unsaved edits included."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Select, Static

from mailtui.tui.screens.base import MainScreen
from mailtui.tui.send_session import Finished, Line, Refused, Run, Started, Waiting
from mailtui.tui.widgets.nav import NavBar
from mailtui.tui.widgets.transcript import TimelineBar, TranscriptLog, line_text, timeline_content

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.config.model import Settings
    from mailtui.smtp.cancel import CancelToken
    from mailtui.smtp.timeline import Timeline
    from mailtui.smtp.transcript import TranscriptEvent


FLUSH = 0.04  # seconds: the longest a line waits before it is drawn
PROBE_OK = "the server offers what these properties need (no mail sent, no password tried)"


class TestSendScreen(MainScreen):
    __test__ = False  # not a pytest class, whatever its name
    MODE = "test_send"
    CSS_PATH = "test_send.tcss"
    SHOW_TIMES: ClassVar[bool] = True  # False: placeholders (stable snapshots)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "send", "Send", id="send.send"),
        Binding("f6", "probe", "Probe", id="send.probe"),
        Binding("escape", "cancel", "Cancel", id="send.cancel"),
        Binding("f7", "copy", "Copy log", id="send.copy"),
        Binding("f8", "copy_ticket", "Ticket", id="send.ticket"),
        Binding("f9", "save_transcript", "Save log", id="send.save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.events: list[TranscriptEvent] = []
        self.run_state: Run | None = None
        self.timeline: Timeline | None = None
        self._previous: float | None = None
        self._typed_recipient = False
        self._pending: list[TranscriptEvent] = []
        self._flush_scheduled = False
        self._status_text = ""
        self._variables: dict[str, Any] | None = None
        self._variables_for: str | None = None

    def compose(self) -> ComposeResult:
        from mailtui.events.catalog import load_catalog

        messages = [("plain test message", "")] + [
            (f"{e.id}", e.id) for e in load_catalog() if e.id != "test_message"]
        yield Header(icon="✉")
        yield NavBar(self.mailtui, self.MODE)
        with Horizontal(id="ts-form"):
            yield Input(id="ts-to", placeholder="recipient", compact=True)
            yield Select(messages, id="ts-message", allow_blank=False, value="", compact=True)
            yield Select([("en", "en"), ("fr", "fr")], id="ts-locale", allow_blank=False,
                         value="en", compact=True)
            yield Button("Send", id="ts-send", variant="primary", compact=True)
            yield Button("Probe", id="ts-probe", compact=True)
        yield Static(id="ts-status", markup=False)
        yield TimelineBar(id="ts-timeline")
        yield TranscriptLog(id="ts-log")
        with VerticalScroll(id="ts-result"):
            yield Static(id="ts-result-text", markup=False)
        yield Footer()

    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        from mailtui.smtp.timeline import Timeline

        event.prevent_default()  # the base screen focuses a body this screen does not have
        locale = self.editor.get("templates.locale")
        if locale in ("en", "fr"):
            self.query_one("#ts-locale", Select).value = locale
        self.timeline = Timeline()
        self.query_one("#ts-timeline", TimelineBar).update(
            timeline_content(self.timeline, times=self.SHOW_TIMES))
        self.query_one("#ts-result").display = False
        self._log = self.query_one(TranscriptLog)
        # Send has the focus: enter sends, and 1-4 still switch screens (a focused text field
        # would take the digits); tab reaches the recipient.
        self.query_one("#ts-send", Button).focus()
        # four times a second: each whole second of a wait shows within 0.25 s of it
        self.set_interval(0.25, self._tick)

    # -- the document and the form -------------------------------------------------------
    def refresh_document(self) -> None:
        if not self._typed_recipient:
            to = self.query_one("#ts-to", Input)
            with to.prevent(Input.Changed):
                to.value = str(self.editor.get("server.test_recipient") or "")
        self._show_status()

    def choose(self, event: str | None = None, locale: str | None = None,
               variables: dict[str, Any] | None = None) -> None:
        """Preselect a message (an event id, None: the plain test), its locale and the
        event's values (the template browser's samples; used while that event is chosen)."""
        self.query_one("#ts-message", Select).value = event or ""
        if locale in ("en", "fr"):
            self.query_one("#ts-locale", Select).value = locale
        self._variables, self._variables_for = (dict(variables), event) if variables else (
            None, None)

    def on_screen_resume(self) -> None:
        """A request from the template browser ("send this as a test") is taken once."""
        request = getattr(self.app, "test_send_request", None)
        if request:
            self.app.test_send_request = None  # type: ignore[attr-defined]
            self.choose(request["event"], request["locale"], request.get("context"))

    def recipient_problem(self) -> str | None:
        from mailtui.config.addresses import parse_mailbox

        value = self.query_one("#ts-to", Input).value.strip()
        if not value:
            return "recipient: empty (type an address, or set server.test_recipient)"
        try:
            parse_mailbox(value)
        except ValueError as exc:
            return f"recipient: {value!r} is not an email address: {exc}"
        return None

    @on(Input.Changed, "#ts-to")
    def _recipient_changed(self) -> None:
        self._typed_recipient = True
        self._show_status()

    def _source_text(self) -> str:
        from mailtui.tui.widgets.text import display_path

        if self.editor.unsaved:  # `mailtui --sandbox`: the sandbox's settings, in memory
            return "using the sandbox's settings (in memory: no file yet)"
        if self.editor.modified:
            return f"using unsaved changes (not yet in {display_path(self.editor.path)})"
        return f"using {display_path(self.editor.path)}"

    def _show_status(self, text: str | None = None) -> None:
        status = self.query_one("#ts-status", Static)
        problem = self.recipient_problem()
        status.set_class(bool(problem) and text is None, "-invalid")
        self._status_text = text or problem or self._source_text()
        status.update(self._status_text)

    # -- running ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self.run_state is not None and self.run_state.result is None
        if action == "cancel":
            return running
        if action in ("send", "probe"):
            return True if not running else None  # shown, disabled while a session runs
        if action in ("copy", "copy_ticket", "save_transcript"):
            return bool(self.events) or None
        return True

    @on(Button.Pressed, "#ts-send")
    def action_send(self) -> None:
        self._start("send")

    @on(Button.Pressed, "#ts-probe")
    def action_probe(self) -> None:
        self._start("probe")

    def _start(self, kind: str) -> None:
        from mailtui.smtp.cancel import CancelToken
        from mailtui.smtp.timeline import Timeline

        if self.run_state is not None and self.run_state.result is None:
            self.notify("A session is running: wait for it or cancel it (esc)")
            return
        problem = self.recipient_problem() if kind == "send" else None
        if problem:
            self.notify(problem, severity="error")
            return
        settings, issues = self.editor.check()
        self.events, self._previous = [], None
        self.timeline = Timeline()
        self.query_one(TranscriptLog).clear()
        self._redraw_timeline()
        self.run_state = Run(kind, CancelToken(), dt.datetime.now(dt.UTC).strftime(
            "%Y-%m-%d %H:%M:%S UTC"))
        if settings is None:
            errors = [str(i.message) for i in issues if i.severity == "error"]
            self.post_message(Refused("the configuration has errors: fix them first:\n  "
                                      + "\n  ".join(errors), 3))
            return
        message = self.query_one("#ts-message", Select).value
        to = self.query_one("#ts-to", Input).value.strip()
        locale = str(self.query_one("#ts-locale", Select).value)
        self.query_one("#ts-result").display = False
        self._show_status(("probing" if kind == "probe" else "sending")
                          + f"… ({self._source_text()})")
        self.refresh_bindings()
        self.query_one(TranscriptLog).focus()
        event = str(message) or None
        variables = self._variables if event is not None and event == self._variables_for else None
        self._work(kind, settings, to, event, locale, self.run_state.token, variables)

    @work(thread=True, exclusive=True, group="smtp", exit_on_error=False)
    def _work(self, kind: str, settings: Settings, to: str, event: str | None, locale: str,
              token: CancelToken, variables: dict[str, Any] | None = None) -> None:
        from mailtui.tui.send_session import run_session

        run_session(self.post_message, kind, settings, to, event, locale, token, variables)

    def on_unmount(self) -> None:
        """The app quits (or the screen goes) during a session: close its connection now
        rather than leaving the worker blocked on the server until the timeout."""
        if self.run_state is not None and self.run_state.result is None:
            self.run_state.token.cancel()

    def action_cancel(self) -> None:
        state = self.run_state
        if state is not None and state.result is None:
            state.token.cancel()  # closes the socket: the worker's session ends at once
            self._show_status("cancelling…")

    # -- messages from the worker (UI thread) -----------------------------------------
    @on(Started)
    def _started(self, message: Started) -> None:
        if self.run_state is not None:
            self.run_state.plan = message.plan
        self._show_status(f"{message.text} ({self._source_text()})")

    @on(Line)
    def _line(self, message: Line) -> None:
        # Lines are written in batches, at most every FLUSH seconds (imperceptible): one Log
        # update and one redraw per batch, so a fast server or a long session costs the UI
        # (and the worker, which shares the interpreter) little.
        self._pending.append(message.event)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.set_timer(FLUSH, self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        texts = []
        changed = False
        for event in pending:
            texts.append(line_text(event, self._previous, times=self.SHOW_TIMES))
            self._previous = event.t
            if self.timeline is not None:
                changed = self.timeline.update(event) or changed
        self.events.extend(pending)
        self._log.write_lines(texts)
        if changed:
            self._redraw_timeline()

    @on(Waiting)
    def _waiting(self, message: Waiting) -> None:
        state = self.run_state
        if state is None or state.result is not None:
            return
        state.wait = None if message.notice.done else message.notice
        state.wait_since = time.monotonic()
        self._tick()

    def _tick(self) -> None:
        state = self.run_state
        if state is None or state.result is not None or state.wait is None:
            return
        notice = state.wait
        text = notice.text(time.monotonic() - state.wait_since)
        if text != self._status_text:
            self._show_status(text)

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self._flush()  # every line before the result
        result = message.result
        if self.run_state is not None:
            self.run_state.result = result
        if self.timeline is not None:
            self.timeline.finish(result)
            self._redraw_timeline()
        self._show_result(message.notes + self.result_lines(result), ok=result.ok)

    def result_lines(self, result: Any) -> list[str]:
        """The result as the CLI words it: for a probe, what the server offers first."""
        import dataclasses

        from mailtui.smtp.render import probe_lines, result_lines

        if not self.SHOW_TIMES:
            result = dataclasses.replace(result, duration_s=None)
        if self.run_state is None or self.run_state.kind == "send":
            return result_lines(result, success_text="message accepted")[1:]
        notes = [f"  - {note}" for note in result.assessment]
        return [*probe_lines(result), *(["", "with the current properties:", *notes]
                                        if notes else []),
                *result_lines(result, success_text=PROBE_OK)]

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        if self.run_state is not None:
            self.run_state.result = message
        self._show_result([f"result: NOT SENT (exit {message.exit_code})", message.text],
                          ok=False)

    def _show_result(self, lines: list[str], *, ok: bool) -> None:
        box = self.query_one("#ts-result")
        box.display = True
        box.set_class(not ok, "-failed")
        self.query_one("#ts-result-text", Static).update("\n".join(lines).strip("\n"))
        self._show_status()
        self.refresh_bindings()
        log = self.query_one(TranscriptLog)
        self.call_after_refresh(log.scroll_end, animate=False)  # the panel took some room

    def _redraw_timeline(self) -> None:
        if self.timeline is not None:
            self.query_one("#ts-timeline", TimelineBar).update(
                timeline_content(self.timeline, times=self.SHOW_TIMES))

    # -- copy and save (always the engine's redacted events) ---------------------------
    def transcript_text(self) -> str:
        from mailtui.smtp.render import plain_transcript

        return "\n".join(plain_transcript(self.events)) + "\n"

    def ticket(self) -> str:
        from mailtui.services.send_test import ticket_text

        state = self.run_state
        if state is None or state.plan is None or not hasattr(state.result, "ok"):
            return self.transcript_text()
        if state.kind == "probe":
            return ticket_text(state.plan, state.result, self.events, title="mailtui probe",
                               started=state.started, success_text=PROBE_OK)
        return ticket_text(state.plan, state.result, self.events, started=state.started)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.transcript_text())
        self.notify(f"Transcript copied ({len(self.events)} lines, redacted; OSC 52)")

    def action_copy_ticket(self) -> None:
        self.app.copy_to_clipboard(self.ticket())
        self.notify("Plan, result and transcript copied as plain text (redacted; OSC 52)")

    def action_save_transcript(self) -> None:
        from mailtui.tui.screens.save_path import SavePathScreen

        name = f"mailtui-transcript-{dt.datetime.now():%Y%m%d-%H%M%S}.txt"
        self.app.push_screen(SavePathScreen(name, self.ticket().encode("utf-8")))
