"""The terminal app: screens (modes, loaded when first opened), bindings, palette, saving."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from mailtui.tui.document import DocumentApp
from mailtui.tui.themes import ANSI_THEME, DEFAULT_THEME, NO_COLOR_THEME, load_themes

if TYPE_CHECKING:
    from textual.screen import Screen

    from mailtui.services.editor import ConfigEditor

# mode -> (module under mailtui.tui.screens, class, tab label)
PAGES: dict[str, tuple[str, str, str]] = {
    "settings": ("settings", "SettingsScreen", "Settings"),
    "properties": ("properties", "PropertiesScreen", "Server properties"),
    "templates": ("templates", "TemplatesScreen", "Templates"),
    "test_send": ("test_send", "TestSendScreen", "Test send"),
}

# Binding ids of the screens (not imported at start-up; a test keeps this list exact).
SCREEN_BINDING_IDS = ("broken.edit", "broken.reload", "broken.continue", "raw.back",
                      "preset.cancel", "keys.close",
                      "inbox.headers", "inbox.text", "inbox.html", "inbox.structure",
                      "inbox.list", "inbox.clear", "save_as.cancel",
                      "templates.locale", "templates.filter", "templates.revert",
                      "templates.browser", "templates.send_test",
                      "send.send", "send.probe", "send.cancel", "send.copy", "send.ticket",
                      "send.save", "savepath.cancel",
                      "settings.pick", "picker.cancel", "picker.parent", "properties.presets",
                      "properties.export", "properties.complete", "presets.cancel",
                      "export.close", "export.copy", "settings.leave", "properties.leave")
# Bindings of `mailtui --sandbox` only (tui/sandbox.py): [keymap] knows them everywhere.
SANDBOX_BINDING_IDS = ("go.inbox",)


def basic_terminal() -> bool:
    """A terminal that says it has only the 16 ANSI colours (TERM=xterm, linux, ...): the
    default theme is then the one that uses the terminal's own palette."""
    term = os.environ.get("TERM", "")
    if not term or os.environ.get("COLORTERM", "") in ("truecolor", "24bit"):
        return False
    return not any(deep in term for deep in ("256", "direct", "truecolor", "kitty"))


def _lazy(mode: str) -> Callable[[], Screen]:
    def make() -> Screen:
        module, cls, _ = PAGES[mode]
        return getattr(import_module(f"mailtui.tui.screens.{module}"), cls)()
    return make


class MailtuiApp(DocumentApp):
    TITLE = "mailtui"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses live elsewhere
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {m: _lazy(m) for m in PAGES}
    DEFAULT_MODE: ClassVar[str] = "settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="app.save", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+p", "command_palette", "Commands", id="app.palette", priority=True,
                show=False),
        Binding("f1,question_mark", "keys", "Keys", id="app.keys", key_display="f1"),
        Binding("1", "go('settings')", "Settings", id="go.settings", show=False),
        Binding("2", "go('properties')", "Server properties", id="go.properties", show=False),
        Binding("3", "go('templates')", "Templates", id="go.templates", show=False),
        Binding("4", "go('test_send')", "Test send", id="go.test_send", show=False),
    ]

    def __init__(self, editor: ConfigEditor, *, user_themes: Path | None = None) -> None:
        no_color = "NO_COLOR" in os.environ  # https://no-color.org: no colour at all
        super().__init__(ansi_color=True if no_color else None)
        self.editor = editor
        self.test_send_request: dict[str, Any] | None = None  # see open_test_send
        self.unsaved_edits: list[Callable[[], list[str]]] = []  # screens' edits outside the file
        themes = load_themes(user_themes)
        self.theme_sources = themes.sources
        self.startup_problems: list[tuple[str, str]] = [(p, "error") for p in themes.problems]
        for theme in themes.themes.values():
            self.register_theme(theme)
        prefs = self.preferences()
        wanted = prefs.get("ui.theme")
        if no_color:
            self.theme = NO_COLOR_THEME
        elif isinstance(wanted, str) and wanted in self.available_themes:
            self.theme = wanted
        else:
            if wanted is not None:
                self.startup_problems.append(
                    (f"{prefs.locate('ui', 'theme')}: ui.theme: unknown theme {wanted!r} "
                     f"(known: {', '.join(self.theme_sources)})", "warning"))
            self.theme = ANSI_THEME if basic_terminal() else DEFAULT_THEME
        self.keymap = self._read_keymap()
        self.set_keymap(self.keymap)
        self._refresh_title()

    # -- start-up ----------------------------------------------------------------------
    def pages(self) -> dict[str, tuple[str, str, str]]:
        """The main screens of this app (mode -> module, class, tab label)."""
        return PAGES

    def preferences(self) -> ConfigEditor:
        """Where [keymap] and [ui] are read from: the document (``mailtui --sandbox``: the
        user's own file, read only)."""
        return self.editor

    def _read_keymap(self) -> dict[str, str]:
        from mailtui.tui.keymap import parse_keymap

        ids = [b.id for b in self.BINDINGS if isinstance(b, Binding) and b.id]
        ids += [*SCREEN_BINDING_IDS, *SANDBOX_BINDING_IDS]
        prefs = self.preferences()
        keymap, problems = parse_keymap(prefs.table("keymap"), sorted(set(ids)),
                                        lambda key: prefs.locate("keymap", key))
        self.startup_problems.extend((p, "error") for p in problems)
        return keymap

    def key_for(self, binding_id: str) -> str:
        """The key a binding uses now (after [keymap]), for labels."""
        from textual.keys import format_key

        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id == binding_id:
                return format_key(self.keymap.get(binding_id, binding.key).split(",")[0])
        return "?"

    def on_mount(self) -> None:
        for message, severity in self.startup_problems:
            self.notify(message, severity=severity, timeout=15)  # type: ignore[arg-type]
        self.check_document()
        if not self.editor.exists and not self.editor.unsaved:  # first run (not --sandbox)
            from mailtui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())

    # -- navigation, keys, palette -----------------------------------------------------
    def action_go(self, mode: str) -> None:
        from mailtui.tui.screens.base import MainScreen

        if not isinstance(self.screen, MainScreen) or mode not in self.pages():
            self.bell()  # welcome, broken file, dialogs: finish first
        elif self.current_mode != mode:
            self.switch_mode(mode)

    def open_test_send(self, *, event: str, locale: str, context: dict[str, Any]) -> None:
        """Open the Test send screen for this event, locale and sample values (the template
        browser's "send this as a test"): the request waits in ``test_send_request`` until the
        Test send screen reads it (and sets it back to None) when it is shown."""
        self.test_send_request = {
            "event": event, "locale": locale, "context": dict(context)}
        self.action_go("test_send")
        self.notify(f"Test send: {event} ({locale}) with the sample values")

    def test_send(self, action: str) -> None:
        """Open the Test send screen and run one of its actions (send, probe, copy, ...)."""
        self.action_go("test_send")

        async def run() -> None:
            if getattr(self.screen, "MODE", None) == "test_send":
                await self.screen.run_action(action)

        self.call_after_refresh(run)

    def action_keys(self) -> None:
        from mailtui.tui.screens.keys import KeysScreen

        if not isinstance(self.screen, KeysScreen):
            self.push_screen(KeysScreen())

    async def action_quit(self) -> None:
        from mailtui.tui.screens.dialogs import ChoiceScreen

        if isinstance(self.screen, ChoiceScreen):
            return
        edits = [line for check in self.unsaved_edits for line in check()]
        if edits:  # e.g. template edits not yet saved as overrides

            def drop(choice: str | None) -> None:
                if choice == "discard":
                    self.unsaved_edits.clear()
                    self.call_later(self.action_quit)

            self.push_screen(ChoiceScreen(
                "Quit with unsaved template edits?", "\n".join(edits[:8]) + "\n\nctrl+s on "
                "the Templates screen saves them.", [("d", "Drop them", "discard"),
                                                     ("escape", "Cancel", "cancel")]), drop)
            return
        if not self.editor.modified:
            self.exit(0)
            return

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.save_document(then=lambda: self.exit(0))
            elif choice == "discard":
                self.exit(0)

        self.push_screen(ChoiceScreen(
            "Quit with unsaved changes?", f"{self.editor.path} has changes that are not saved.",
            [("s", "Save and quit", "save"), ("d", "Quit without saving", "discard"),
             ("escape", "Cancel", "cancel")]), chosen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from mailtui.tui.commands import palette_commands

        yield from palette_commands(self)
        for_screen = getattr(screen, "palette_commands", None)  # e.g. "templates: ..."
        if for_screen is not None:
            yield from for_screen()
