"""The stage timeline of a session (connect, greeting, EHLO, TLS, AUTH, MAIL, RCPT, DATA,
done), filled in from the transcript events as they come and closed by the result: which
stage was reached when, which one failed. Data only; a screen draws it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mailtui.smtp.stages import Stage
from mailtui.smtp.transcript import TranscriptEvent

State = Literal["pending", "active", "done", "failed", "skipped"]

STEPS: tuple[tuple[Stage, str], ...] = (
    (Stage.CONNECT, "connect"), (Stage.GREETING, "greeting"), (Stage.EHLO, "EHLO"),
    (Stage.TLS, "TLS"), (Stage.AUTH, "AUTH"), (Stage.MAIL_FROM, "MAIL"), (Stage.RCPT, "RCPT"),
    (Stage.DATA, "DATA"), (Stage.DONE, "done"),
)
_INDEX = {stage: index for index, (stage, _) in enumerate(STEPS)}
# Stages that are not steps of their own: where they belong on the timeline.
_ALIASES = {Stage.DNS: Stage.CONNECT, Stage.AFTER_DATA: Stage.DATA}


@dataclass
class Step:
    stage: Stage
    label: str
    state: State = "pending"
    t: float | None = None  # seconds since the start when the stage began


def step_of(stage: Stage | None) -> int | None:
    """The timeline index of ``stage`` (None for stages outside the protocol: config, ...)."""
    if stage is None:
        return None
    return _INDEX.get(_ALIASES.get(stage, stage))


class Timeline:
    """``update(event)`` as events arrive, ``finish(result)`` at the end."""

    def __init__(self) -> None:
        self.steps = [Step(stage, label) for stage, label in STEPS]
        self.current: int | None = None

    def update(self, event: TranscriptEvent) -> bool:
        """Advance to the event's stage; True when the timeline changed."""
        index = step_of(event.stage)
        if index is None or (self.current is not None and index <= self.current):
            return False
        for step in self.steps[: index]:
            if step.state in ("pending", "active"):
                step.state = "done" if step.t is not None else "skipped"
        step = self.steps[index]
        step.state, step.t = "active", event.t
        self.current = index
        return True

    def finish(self, result: Any) -> None:
        """Close the timeline with a SessionResult or ProbeResult: every stage reached is
        done, or the one where it stopped is failed (timeouts and lost connections are
        marked at the stage they happened in)."""
        if result.ok:
            for step in self.steps:
                if step.state == "active":
                    step.state = "done"
                elif step.state == "pending":
                    step.state = "skipped"
            done = self.steps[-1]
            done.state = "done"
            if done.t is None:
                done.t = result.duration_s
            return
        index = step_of(result.during) if result.during is not None else None
        if index is None:
            index = step_of(result.stage)
        if index is None:
            index = self.current
        for step in self.steps:
            if step.state == "active":
                step.state = "done"
        if index is not None:
            step = self.steps[index]
            step.state = "failed"
            if step.t is None:
                step.t = result.duration_s
            for earlier in self.steps[:index]:
                if earlier.state == "pending":
                    earlier.state = "skipped"

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps if s.state == "failed"), None)
