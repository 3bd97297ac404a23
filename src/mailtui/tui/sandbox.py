"""``mailtui --sandbox``: the app on a sandbox started for the session.

The document is the sandbox's settings and belongs to no file until the user saves (then a
dialog asks where, and asks again before replacing a file); the keys ([keymap]) and theme
([ui]) are the user's, read from their file, which is never written; the Inbox screen lists
what the sandbox receives, live. Arrivals and notices come from the server thread and reach the app
through ``post_message`` (thread-safe)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message

from mailtui.tui.app import PAGES, MailtuiApp
from mailtui.tui.widgets.text import display_path

if TYPE_CHECKING:
    from textual.screen import Screen

    from mailtui.sandbox.embedded import EmbeddedSandbox, MessageSummary, SandboxInfo
    from mailtui.services.editor import ConfigEditor

SANDBOX_PAGES: dict[str, tuple[str, str, str]] = {"inbox": ("inbox", "InboxScreen", "Inbox")}


def _lazy_page(mode: str) -> Callable[[], Screen]:
    def make() -> Screen:
        module, cls, _ = {**PAGES, **SANDBOX_PAGES}[mode]
        return getattr(import_module(f"mailtui.tui.screens.{module}"), cls)()
    return make


class SandboxArrival(Message):
    """A message the sandbox stored (posted from the server thread)."""

    def __init__(self, summary: MessageSummary) -> None:
        super().__init__()
        self.summary = summary


class SandboxNotice(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SandboxApp(MailtuiApp):
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {
        m: _lazy_page(m) for m in (*PAGES, *SANDBOX_PAGES)}
    BINDINGS: ClassVar[list[BindingType]] = [
        *MailtuiApp.BINDINGS,
        Binding("5", "go('inbox')", "Inbox", id="go.inbox", show=False),
    ]

    def __init__(self, editor: ConfigEditor, sandbox: EmbeddedSandbox, *,
                 user_file: ConfigEditor | None = None, **kwargs: Any) -> None:
        self.sandbox = sandbox
        self.user_file = user_file  # read for [keymap] and [ui] only; never written
        super().__init__(editor, **kwargs)
        if user_file is not None and user_file.broken is not None:
            self.startup_problems.append(
                (f"{user_file.broken.error}; its [keymap] and [ui] are not used here",
                 "warning"))
        self._unregister_arrivals: Callable[[], None] | None = None

    def preferences(self) -> ConfigEditor:
        user = self.user_file
        return user if user is not None and user.broken is None else self.editor

    @property
    def sandbox_info(self) -> SandboxInfo:
        return self.sandbox.info

    def pages(self) -> dict[str, tuple[str, str, str]]:
        return {**PAGES, **SANDBOX_PAGES}

    def _refresh_title(self) -> None:
        if not self.editor.unsaved:
            super()._refresh_title()
            return
        info = self.sandbox_info
        marker = " [modified]" if self.editor.modified else ""
        self.sub_title = f"sandbox {info.host}:{info.port} (no file yet){marker}"

    def on_mount(self) -> None:
        super().on_mount()
        def arrived(summary: MessageSummary) -> None:  # the server's thread: post only
            self.post_message(SandboxArrival(summary))

        self._unregister_arrivals = self.sandbox.on_arrival(arrived)

    def on_unmount(self) -> None:
        if self._unregister_arrivals is not None:
            self._unregister_arrivals()

    def notice(self, text: str) -> None:
        """A sandbox notice, from any thread."""
        self.post_message(SandboxNotice(text))

    def on_sandbox_arrival(self, message: SandboxArrival) -> None:
        from mailtui.sandbox.store import printable_text

        if self.current_mode != "inbox":
            summary = message.summary
            self.notify(f"Inbox: #{summary.number} {printable_text(summary.subject)[:40]!r} "
                        f"(key {self.key_for('go.inbox')})", timeout=6)

    def on_sandbox_notice(self, message: SandboxNotice) -> None:
        self.notify(f"sandbox: {message.text}", severity="warning", timeout=10)

    # -- saving: the document has no file until the user says where ---------------------
    def save_document(self, then: Callable[[], None] | None = None) -> None:
        if not self.editor.unsaved:
            super().save_document(then)
            return
        self.ask_where(self.editor.path, then)

    def ask_where(self, path: Path, then: Callable[[], None] | None = None) -> None:
        from mailtui.services.sandbox_session import points_at_session
        from mailtui.tui.screens.save_as import SaveAsScreen

        session = points_at_session(self.editor.properties(), self.sandbox_info)
        self.push_screen(SaveAsScreen(path, self.sandbox_info if session else None),
                         lambda chosen: self._save_as(chosen, then))

    def _save_as(self, path: Path | None, then: Callable[[], None] | None,
                 replace: bool = False) -> None:
        from mailtui.errors import ConfigError
        from mailtui.services.editor import TargetExists

        if path is None:
            self.notify("Not saved (no file was written)")
            return
        try:
            written = self.editor.save_as(path, replace=replace)
        except TargetExists:
            from mailtui.tui.screens.dialogs import ChoiceScreen

            def confirmed(choice: str | None) -> None:
                if choice == "replace":
                    self._save_as(path, then, replace=True)
                else:
                    self.ask_where(path, then)

            self.push_screen(ChoiceScreen(
                "Replace the existing file?",
                f"{display_path(path)} already exists (perhaps your real account).\n"
                f"Replace it? The file there now is kept as {path.name}.bak.",
                [("r", "Replace (keep .bak)", "replace"), ("escape", "Cancel", "cancel")]),
                confirmed)
            return
        except (ConfigError, OSError) as exc:
            text = exc.describe() if isinstance(exc, ConfigError) else str(exc)
            self.notify(f"Not saved: {text}", severity="error", timeout=10)
            return
        self.notify(f"Saved {display_path(written)}")
        self.document_changed()
        if then is not None:
            then()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("sandbox: Clear the inbox",
                            "delete every message the sandbox received (asks first)",
                            self.clear_inbox)

    def clear_inbox(self) -> None:
        from mailtui.tui.screens.dialogs import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice == "clear":
                count = self.sandbox.clear()
                self.notify(f"Inbox cleared: {count} message(s) deleted")
                refresh = getattr(self.screen, "reload_messages", None)
                if refresh is not None:
                    refresh()

        self.push_screen(ChoiceScreen(
            "Clear the inbox?", f"Delete every message in {display_path(self.sandbox.maildir)}.",
            [("c", "Clear", "clear"), ("escape", "Cancel", "cancel")]), chosen)


def run_sandbox_app(default_path: Path) -> int:
    """Start the sandbox on free loopback ports (Maildir and CA in the user data dir, as
    ``mailtui sandbox``), open the app on its settings, stop it when the app ends. Nothing is
    written to ``default_path`` unless the user saves there."""
    from mailtui.sandbox.embedded import EmbeddedSandbox
    from mailtui.services.editor import ConfigEditor
    from mailtui.services.sandbox_session import sandbox_editor

    apps: list[SandboxApp] = []
    def notice(text: str) -> None:
        for app in apps:
            app.notice(text)

    with EmbeddedSandbox(on_notice=notice) as sandbox:
        app = SandboxApp(sandbox_editor(sandbox.info, default_path), sandbox,
                         user_file=ConfigEditor(default_path))
        apps.append(app)
        return int(app.run() or 0)
