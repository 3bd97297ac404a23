"""The stage timeline (filled from transcript events, closed by the result) and the plain
text "for a ticket" (plan, result, transcript; never a secret)."""

from __future__ import annotations

from mailtui.javamail.plan import Plan
from mailtui.services.send_test import ticket_text
from mailtui.smtp.render import plain_transcript
from mailtui.smtp.results import SessionResult
from mailtui.smtp.stages import Stage
from mailtui.smtp.timeline import Timeline, step_of
from mailtui.smtp.transcript import TranscriptEvent


def ev(t: float, stage: Stage, text: str = "x", direction: str = "server",
       tls: bool = False) -> TranscriptEvent:
    return TranscriptEvent(t, direction, tls, stage, text)  # type: ignore[arg-type]


def result(ok: bool, stage: Stage, during: Stage | None = None, **kw: object) -> SessionResult:
    fields: dict = dict(reply_code=None, enhanced_code=None, reply=None, explanation="",
                        fix=None, duration_s=0.5, transcript=[])
    fields.update(kw)
    return SessionResult(ok=ok, stage=stage, exit_code=stage.exit_code, during=during,
                         **fields)


def states(timeline: Timeline) -> dict[str, str]:
    return {s.label: s.state for s in timeline.steps}


def test_a_successful_session_fills_every_stage_with_its_time() -> None:
    timeline = Timeline()
    for t, stage in [(0.0, Stage.CONNECT), (0.01, Stage.GREETING), (0.02, Stage.EHLO),
                     (0.03, Stage.TLS), (0.05, Stage.EHLO), (0.06, Stage.AUTH),
                     (0.07, Stage.MAIL_FROM), (0.08, Stage.RCPT), (0.09, Stage.DATA),
                     (0.10, Stage.AFTER_DATA), (0.11, Stage.DONE)]:
        timeline.update(ev(t, stage))
    assert states(timeline)["TLS"] == "done" and states(timeline)["done"] == "active"
    timeline.finish(result(True, Stage.DONE))
    assert set(states(timeline).values()) == {"done"}
    assert [s.t for s in timeline.steps] == [0.0, 0.01, 0.02, 0.03, 0.06, 0.07, 0.08, 0.09,
                                            0.11]
    assert timeline.failed is None


def test_a_535_marks_auth_failed_and_the_rest_not_reached() -> None:
    timeline = Timeline()
    for t, stage in [(0.0, Stage.CONNECT), (0.01, Stage.GREETING), (0.02, Stage.EHLO),
                     (0.03, Stage.TLS), (0.04, Stage.AUTH)]:
        timeline.update(ev(t, stage))
    timeline.finish(result(False, Stage.AUTH, Stage.AUTH, reply_code=535))
    assert states(timeline) == {"connect": "done", "greeting": "done", "EHLO": "done",
                                "TLS": "done", "AUTH": "failed", "MAIL": "pending",
                                "RCPT": "pending", "DATA": "pending", "done": "pending"}
    assert timeline.failed is not None and timeline.failed.t == 0.04


def test_a_timeout_is_marked_where_it_happened_and_unused_stages_are_skipped() -> None:
    timeline = Timeline()
    for t, stage in [(0.0, Stage.CONNECT), (0.01, Stage.GREETING), (0.02, Stage.EHLO),
                     (0.03, Stage.MAIL_FROM), (0.04, Stage.RCPT)]:
        timeline.update(ev(t, stage))
    timeline.finish(result(False, Stage.TIMEOUT, Stage.RCPT))
    got = states(timeline)
    assert (got["TLS"], got["AUTH"], got["MAIL"], got["RCPT"]) == ("skipped", "skipped",
                                                                    "done", "failed")
    assert step_of(Stage.CONFIG) is None and step_of(Stage.DNS) == 0


def test_plain_transcript_is_ascii_with_the_cli_marks() -> None:
    lines = plain_transcript([ev(0.0, Stage.GREETING, "220 hi"),
                              ev(0.1, Stage.AUTH, "AUTH PLAIN [redacted]", "client", True),
                              ev(0.15, Stage.AUTH, "235 ok", "server", True)])
    assert lines[0] == "[   0.000]       S: 220 hi"
    assert lines[1] == "[   0.100] [tls] C: AUTH PLAIN [redacted]"
    assert lines[2] == "[   0.150] [tls] S: 235 ok   (+50 ms)"
    assert all(line.isascii() for line in lines)


def test_ticket_text_has_the_plan_then_the_result_then_the_transcript() -> None:
    plan = Plan(host="smtp.example.org", port=587, security="starttls-required", auth=True,
                mechanisms=("PLAIN",), username="me@example.org", verify_certificate=True,
                check_server_identity=True,
                envelope_from="me@example.org")
    events = [ev(0.0, Stage.GREETING, "220 hi"), ev(0.2, Stage.AUTH, "535 5.7.8 no")]
    text = ticket_text(plan, result(False, Stage.AUTH, Stage.AUTH, reply_code=535,
                                    enhanced_code="5.7.8", reply="no",
                                    explanation="the server refused the login",
                                    fix="check the password"), events,
                       started="2026-01-02 03:04:05 UTC")
    lines = text.splitlines()
    assert lines[0] == "mailtui test send (2026-01-02 03:04:05 UTC)"
    assert "Server        smtp.example.org:587 (smtp)" in lines
    server = lines.index("Server        smtp.example.org:587 (smtp)")
    failed = next(i for i, line in enumerate(lines) if line.startswith("result: FAILED at "
                                                                       "AUTHENTICATION"))
    assert "(exit 23)" in lines[failed]
    assert "server: 535 5.7.8 no" in lines and "why: the server refused the login" in lines
    assert "fix: check the password" in lines
    transcript = lines.index("transcript:")
    assert server < failed < transcript
    assert lines[transcript + 1:] == plain_transcript(events)
