"""The live transcript (a capped ``Log``: appending stays cheap with thousands of lines) and
the stage timeline of the test-send screen. Both only present the engine's data: the event
texts are already redacted and the DATA section already summarised by the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.highlighter import Highlighter
from textual.content import Content
from textual.widgets import Log, Static

if TYPE_CHECKING:
    from rich.text import Text

    from mailtui.smtp.timeline import Timeline
    from mailtui.smtp.transcript import TranscriptEvent

MAX_LINES = 10_000  # the oldest lines go first; copy and save keep every event
MARKS = {"client": "C:", "server": "S:", "info": " *"}
# time (8) + delay (9) + TLS (3): the direction mark starts at this column
MARK_COLUMN = 8 + 1 + 9 + 1 + 3 + 1
STYLES = {"C:": "bold", "S:": "", " *": "dim italic"}


def line_text(event: TranscriptEvent, previous: float | None, *, times: bool = True) -> str:
    """``   0.123   +12 ms TLS S: 250 OK``: the offset since the start, the delay since the
    previous line, TLS once encrypted, the direction (C: client, S: server, * info), the
    engine's text. ``times=False`` (stable snapshots) prints placeholders of the same width."""
    if times:
        delay = "" if previous is None else f"+{(event.t - previous) * 1000:.0f} ms"
        stamp = f"{event.t:8.3f} {delay:>9}"
    else:
        stamp = f"{'-.---':>8} {'':>9}"
    return f"{stamp} {'TLS' if event.tls else '   '} {MARKS[event.dir]} {event.text}"


class DirectionHighlighter(Highlighter):
    """Styles a line by its direction mark, when it is drawn (nothing is done per append)."""

    def highlight(self, text: Text) -> None:
        style = STYLES.get(text.plain[MARK_COLUMN:MARK_COLUMN + 2])
        if style:
            text.stylize(style, MARK_COLUMN)
        text.stylize("dim", 0, MARK_COLUMN - 4)


class TranscriptLog(Log):
    DEFAULT_CSS = """
    TranscriptLog { height: 1fr; border: round $panel-lighten-2; overflow: auto auto; }
    TranscriptLog:focus { border: round $accent; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(highlight=True, max_lines=MAX_LINES, auto_scroll=True,
                         **kwargs)  # type: ignore[arg-type]
        self.highlighter = DirectionHighlighter()
        self.border_title = "Transcript"


MARKERS = {"pending": "·", "active": "▸", "done": "✓", "failed": "✗", "skipped": "-"}
STEP_STYLES = {"pending": "dim", "active": "bold reverse", "done": "", "failed": "bold reverse",
               "skipped": "dim strike"}


def timeline_content(timeline: Timeline, *, times: bool = True) -> Content:
    """``✓connect 2ms  ✓greeting 10ms  ✗AUTH 120ms  ·MAIL ...``: a marker (readable
    without colour), the stage, when it began since the start (a step never breaks across
    lines)."""
    parts: list[Content | str] = []
    for step in timeline.steps:
        when = "\u00a0" + since(step.t) if times and step.t is not None else ""
        parts.append(Content.styled(f"{MARKERS[step.state]}{step.label}{when}",
                                    STEP_STYLES[step.state]))
        parts.append("  ")
    return Content.assemble(*parts[:-1])


def since(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.1f}s"


class TimelineBar(Static):
    DEFAULT_CSS = "TimelineBar { height: auto; padding: 0 1; }"
