"""Inbox (``mailtui --sandbox``): what the sandbox received, updating live, and a viewer for
the selected message: headers, text part, HTML part as text, MIME structure.

Arrivals come from the sandbox's server thread through ``post_message``; a message is read
(parsed, its HTML converted) in a thread worker, so a large one never freezes the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from mailtui.tui.screens.base import MainScreen
from mailtui.tui.widgets.nav import NavBar
from mailtui.tui.widgets.text import display_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult

    from mailtui.sandbox.embedded import EmbeddedSandbox, MessageDetail, MessageSummary

VIEWS = ("headers", "text", "html", "structure")
MAX_LINES = 2000  # of one part on screen; the whole message: `mailtui sandbox --show N`


class Arrived(Message):
    def __init__(self, summary: MessageSummary) -> None:
        super().__init__()
        self.summary = summary


class Read(Message):
    """A message read in the worker: its four views as text."""

    def __init__(self, key: str, views: dict[str, str]) -> None:
        super().__init__()
        self.key = key
        self.views = views


def compact_size(size: int) -> str:
    for unit, scale in (("M", 1024 * 1024), ("K", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}{unit}"
    return f"{size}B"


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def row(summary: MessageSummary) -> tuple[str, ...]:
    """#, time, from, to, size, TLS, S/MIME, subject (untrusted text made printable_text)."""
    from email.utils import parseaddr

    from mailtui.sandbox.store import printable_text

    sender = parseaddr(summary.from_header)[1] or summary.mail_from
    to = ", ".join(summary.rcpt_tos) or parseaddr(summary.to_header)[1]
    tls = summary.tls.removeprefix("TLSv") if summary.tls else "-"
    smime = ("E" if summary.encrypted else "") + ("S" if summary.signed else "") or "-"
    return (str(summary.number), f"{summary.received:%H:%M:%S}", cut(printable_text(sender), 18),
            cut(printable_text(to), 18), compact_size(summary.size), tls, smime,
            printable_text(summary.subject))


def views(detail: MessageDetail) -> dict[str, str]:
    """The viewer's four tabs for one message (bounded, printable_text)."""
    from mailtui.mail.html_text import html_to_text
    from mailtui.sandbox.store import printable_source, printable_text
    from mailtui.services.sandbox_session import mime_lines

    s = detail.summary
    locked = "(encrypted: the sandbox cannot read it)" if s.encrypted else None
    headers = [f"{name}: {printable_text(value)}" for name, value in detail.headers]
    structure = [
        f"received {s.received:%Y-%m-%d %H:%M:%S %z}, {s.size} bytes, "
        + (f"over {s.tls}" if s.tls else "not encrypted (no TLS)")
        + (f", AUTH as {printable_text(s.auth_user)}" if s.auth_user else ", no AUTH"),
        f"envelope: from <{printable_text(s.mail_from)}> to "
        + ", ".join(f"<{printable_text(r)}>" for r in s.rcpt_tos),
        "S/MIME: " + ("encrypted" if s.encrypted else "signed" if s.signed else "none"),
        f"file: {display_path(detail.path)}", "", *mime_lines(detail.structure),
    ]
    html = html_to_text(detail.html) if detail.html is not None else None
    return {
        "headers": "\n".join(headers),
        "text": _bounded(printable_source(detail.text)) if detail.text is not None
        else locked or "(no text part)",
        "html": _bounded(html) if html is not None else locked or "(no HTML part)",
        "structure": "\n".join(structure),
    }


def _bounded(text: str) -> str:
    lines = text.splitlines()
    if len(lines) <= MAX_LINES:
        return text
    return "\n".join([*lines[:MAX_LINES],
                      f"… {len(lines) - MAX_LINES} more lines (mailtui sandbox --show N)"])


class InboxScreen(MainScreen):
    MODE = "inbox"
    CSS_PATH = "inbox.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "view('headers')", "Headers", id="inbox.headers", show=False),
        Binding("t", "view('text')", "Text", id="inbox.text", show=False),
        Binding("w", "view('html')", "HTML", id="inbox.html", show=False),
        Binding("s", "view('structure')", "Structure", id="inbox.structure", show=False),
        Binding("escape", "list", "List", id="inbox.list"),
        Binding("x", "clear", "Clear", id="inbox.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._unregister_arrivals: Callable[[], None] | None = None
        self.shown_key: str | None = None

    @property
    def sandbox(self) -> EmbeddedSandbox:
        sandbox: EmbeddedSandbox = self.app.sandbox  # type: ignore[attr-defined]
        return sandbox

    def compose(self) -> ComposeResult:
        yield Header(icon="✉")
        yield NavBar(self.mailtui, self.MODE)
        yield Static(id="inbox-status", markup=False)
        table: DataTable[str] = DataTable(id="inbox-list", cursor_type="row", cell_padding=0)
        yield table
        with TabbedContent(id="inbox-view", initial="text"):
            for view, label in zip(VIEWS, ("h Headers", "t Text", "w HTML", "s Structure"),
                                   strict=True):
                with TabPane(label, id=view), VerticalScroll(classes="inbox-part"):
                    yield Static(id=f"part-{view}", markup=False)
        yield Footer()

    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        # Textual calls every class's handler along the MRO: MainScreen's would focus a
        # #body this screen does not have
        event.prevent_default()
        table = self.query_one(DataTable)
        fixed = (("#", 3), ("time", 9), ("from", 19), ("to", 19), ("size", 6), ("TLS", 4),
                 ("S/E", 4))
        for label, width in fixed:
            table.add_column(f" {label}", width=width, key=label)
        rest = self.app.size.width - sum(width for _, width in fixed) - 2  # the scrollbar
        table.add_column(" subject", width=max(rest, 12), key="subject")
        self._unregister_arrivals = self.app_sandbox_arrivals()
        self.reload_messages()
        table.focus()

    def app_sandbox_arrivals(self) -> Callable[[], None]:
        def arrived(summary: MessageSummary) -> None:  # the server's thread: post only
            self.post_message(Arrived(summary))

        return self.sandbox.on_arrival(arrived)

    def on_unmount(self) -> None:
        if self._unregister_arrivals is not None:
            self._unregister_arrivals()

    def refresh_document(self) -> None:  # on resume: the document is not shown here, but
        table = self.query_one(DataTable)  # the inbox may have been cleared meanwhile
        known = [key.value for key in table.rows]
        if known != [m.key for m in self.sandbox.messages()]:
            self.reload_messages()
        self._status()

    # -- the list ----------------------------------------------------------------------
    def reload_messages(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for summary in self.sandbox.messages():
            self._add(summary)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
        else:
            self._show_empty()
        self._status()

    def _add(self, summary: MessageSummary) -> None:
        table = self.query_one(DataTable)
        if summary.key in table.rows:
            return
        table.add_row(*(f" {cell}" for cell in row(summary)), key=summary.key)

    @on(Arrived)
    def arrived(self, message: Arrived) -> None:
        table = self.query_one(DataTable)
        follow = table.row_count == 0 or table.cursor_row == table.row_count - 1
        self._add(message.summary)
        if follow:
            table.move_cursor(row=table.row_count - 1)
        self._status()

    def _status(self) -> None:
        info = self.mailtui.sandbox_info  # type: ignore[attr-defined]
        count = self.query_one(DataTable).row_count
        self.query_one("#inbox-status", Static).update(
            f"Sandbox {info.host}:{info.port} (STARTTLS), :{info.tls_port} (TLS), user "
            f"{info.username}: {count} message{'s' if count != 1 else ''}\n"
            f"Maildir {display_path(info.maildir)}   TLS: version; S/E: signed, encrypted")

    def _show_empty(self) -> None:
        self.shown_key = None
        empty = (f"No message yet. Send one from Test send (key "
                 f"{self.mailtui.key_for('go.test_send')}), or from any SMTP client to the "
                 "ports above (user sandbox, password in the README): it appears here at once.")
        for view in VIEWS:
            self.query_one(f"#part-{view}", Static).update(empty if view == "text" else "")

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key is not None and key != self.shown_key:
            self.shown_key = key
            self.read_message(key)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        self.query_one(f"#{self._active()} .inbox-part").focus()

    @work(thread=True, exclusive=True, group="inbox-read")
    def read_message(self, key: str) -> None:
        from mailtui.errors import MailtuiError

        try:
            shown = views(self.sandbox.read(key))
        except (MailtuiError, OSError) as exc:  # deleted meanwhile, unreadable
            shown = dict.fromkeys(VIEWS, f"cannot read this message: {exc}")
        self.post_message(Read(key, shown))

    @on(Read)
    def show(self, message: Read) -> None:
        if message.key != self.shown_key:
            return  # the cursor moved on meanwhile
        for view, text in message.views.items():
            self.query_one(f"#part-{view}", Static).update(text)

    # -- keys --------------------------------------------------------------------------
    def _active(self) -> str:
        return self.query_one(TabbedContent).active or "text"

    def action_view(self, view: str) -> None:
        self.query_one(TabbedContent).active = view

    def action_list(self) -> None:
        self.query_one(DataTable).focus()

    def action_clear(self) -> None:
        self.mailtui.clear_inbox()  # type: ignore[attr-defined]
