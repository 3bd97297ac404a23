"""The test-send screen's session, run in its thread worker: prepare (services), run with the
cancel token, and post what happens to the screen as messages (``post_message`` is
thread-safe). No widget here: the screen's handlers own the UI state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.javamail.plan import Plan
    from mailtui.smtp.cancel import CancelToken
    from mailtui.smtp.transcript import TranscriptEvent, WaitNotice


class Line(Message):
    def __init__(self, event: TranscriptEvent) -> None:
        super().__init__()
        self.event = event


class Waiting(Message):
    def __init__(self, notice: WaitNotice) -> None:
        super().__init__()
        self.notice = notice


class Started(Message):
    def __init__(self, plan: Plan, text: str) -> None:
        super().__init__()
        self.plan, self.text = plan, text


class Finished(Message):
    """The session's result (SessionResult, or ProbeResult for a probe) and the notes."""

    def __init__(self, result: Any, notes: list[str]) -> None:
        super().__init__()
        self.result, self.notes = result, notes


class Refused(Message):
    """Nothing was sent: the configuration (exit 3) or the message (exit 30) is wrong."""

    def __init__(self, text: str, exit_code: int) -> None:
        super().__init__()
        self.text, self.exit_code = text, exit_code


@dataclass
class Run:
    kind: str  # "send" or "probe"
    token: CancelToken
    started: str  # wall-clock time, for the saved text
    plan: Plan | None = None
    result: Any = None
    wait: WaitNotice | None = None
    wait_since: float = 0.0  # monotonic time the wait notice arrived


def run_session(post: Callable[[Message], object], kind: str, settings: Settings, to: str,
                event: str | None, locale: str, token: CancelToken,
                variables: dict[str, Any] | None = None) -> None:
    """A test send (``kind`` "send") or a probe, start to end; every outcome is a message."""
    from mailtui.errors import MailtuiError

    def wait(notice: WaitNotice) -> None:
        post(Waiting(notice))

    def line(event: TranscriptEvent) -> None:
        post(Line(event))

    try:
        if kind == "send":
            from mailtui.services.send_test import prepare_test_send

            prepared = prepare_test_send(settings, to=to, event=event, locale=locale,
                                         variables=variables)
            post(Started(prepared.plan, started_text(prepared)))
            result = prepared.run(line, cancel=token, on_wait=wait)
            post(Finished(result, [f"note: {w}" for w in prepared.warnings]))
        else:
            from mailtui.services.probe import prepare_probe

            probe = prepare_probe(settings)
            post(Started(probe.plan, f"probe: {probe.plan.host}:{probe.plan.port} "
                         f"({probe.plan.security})"))
            post(Finished(probe.run(line, cancel=token, on_wait=wait).result, []))
    except MailtuiError as exc:
        post(Refused(exc.describe(), exc.exit_code))
    except Exception as exc:  # the engine returns results; never leave the screen waiting
        post(Refused(f"the session stopped: {type(exc).__name__}: {exc}", 1))


def started_text(prepared: Any) -> str:
    plan = prepared.plan
    auth = f", AUTH as {plan.username}" if plan.auth else ", no AUTH"
    what = f"event {prepared.event}" if prepared.event else "the test message"
    smime = f"; S/MIME: {prepared.protection.summary}" if prepared.protection else ""
    return (f"sending {what} to {prepared.recipient} via {plan.host}:{plan.port} "
            f"({plan.security}{auth}){smime}")
