"""Templates: the 44 events and test_message by category, filtered as you type; for the selected
event the rendered preview (subject, text, HTML as terminal text), the source of each part in
an editor, the sample values the preview follows, and the checks. Edits are saved as
overrides in [templates].directory; the shipped files are never written."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Footer,
    Header,
    Input,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)
from textual.widgets.option_list import Option

from mailtui.tui.screens.base import MainScreen
from mailtui.tui.screens.template_model import PARTS, BrowserModel, PreviewResult, compute_preview
from mailtui.tui.widgets.nav import NavBar

if TYPE_CHECKING:
    from collections.abc import Iterator

    from textual.app import ComposeResult, SystemCommand
    from textual.timer import Timer
    from textual.widgets import Tab

    from mailtui.events.catalog import EventSpec

OVERRIDE_MARK = "*"
TYPING_PAUSE = 0.15  # seconds without a key before the preview follows an edit


class PreviewReady(Message):
    def __init__(self, result: PreviewResult) -> None:
        super().__init__()
        self.result = result


class TemplatesScreen(MainScreen):
    MODE = "templates"
    CSS_PATH = "templates.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "locale", "Locale", id="templates.locale"),
        Binding("ctrl+f", "filter", "Filter", id="templates.filter", show=False),
        Binding("ctrl+r", "revert", "Revert", id="templates.revert"),
        Binding("ctrl+o", "browser", "Browser", id="templates.browser"),
        Binding("ctrl+t", "send_test", "Test", id="templates.send_test"),
    ]

    def __init__(self) -> None:
        super().__init__()
        from mailtui.events.catalog import load_catalog

        self.catalog = load_catalog()
        self.event_id = "task_assigned_to_you"
        self.locale = "en"
        self.part = "subject"
        self.generation = 0
        self.last: PreviewResult | None = None
        self.model: BrowserModel | None = None
        self._loading_editor = False
        self._typing_timer: Timer | None = None

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(icon="✉")
        yield NavBar(self.mailtui, self.MODE)
        with Horizontal(id="tpl"):
            with Vertical(id="tpl-left"):
                yield Input(placeholder="filter: id or title (en/fr)", id="tpl-filter")
                yield OptionList(id="tpl-events")
            with Vertical(id="tpl-right"):
                yield Static(id="tpl-title", markup=False)
                yield Static(id="tpl-subject", markup=False)
                with TabbedContent(id="tpl-tabs"):
                    with TabPane("Text", id="tab-text"), VerticalScroll():
                        yield Static(id="pv-text", markup=False)
                    with TabPane("HTML", id="tab-html"), VerticalScroll():
                        yield Static(id="pv-html", markup=False)
                    with TabPane("Source", id="tab-source"):
                        yield Tabs(*[_part_tab(p) for p in PARTS], id="src-parts")
                        yield TextArea(id="src", show_line_numbers=True, soft_wrap=False,
                                       tab_behavior="indent")
                    with TabPane("Variables", id="tab-vars"):
                        yield VerticalScroll(id="vars")
                    with TabPane("Checks", id="tab-checks"), VerticalScroll():
                        yield Static(id="checks", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.mailtui.unsaved_edits.append(self.unsaved_edits)
        self.query_one("#tpl-events", OptionList).focus()

    def unsaved_edits(self) -> list[str]:
        """The edited parts not saved yet, one line each (the app asks before quitting)."""
        modified = self.model.modified() if self.model is not None else []
        return [f"{event_id} ({locale}, {part})" for event_id, locale, part in sorted(modified)]

    def refresh_document(self) -> None:
        """The document changed (or the screen is shown): the templates directory and
        [templates.context] may have changed; buffers of the same directory are kept."""
        from mailtui.events.overrides import TemplateOverrides
        from mailtui.tui.widgets.summary import current

        settings, _ = current(self.editor)
        overrides = TemplateOverrides.from_settings(settings.templates)
        if self.model is None:
            from mailtui.tui.screens.template_vars import known_locale

            self.locale = known_locale(settings.templates.locale)
        if self.model is None or self.model.overrides.directory != overrides.directory:
            old, self.model = self.model, BrowserModel(overrides)
            if old is not None:  # edits are never dropped
                for key in old.modified():
                    self.model.edit(*key, old.buffers[key])
        else:
            self.model.overrides = overrides
        self.fill_list()
        self.show_event()

    # -- the event list ----------------------------------------------------------------
    def fill_list(self) -> None:
        from mailtui.events.browse import filter_events

        assert self.model is not None
        query = self.query_one("#tpl-filter", Input).value
        order = list(self.catalog.categories)
        shown = sorted(filter_events(self.catalog, query),
                       key=lambda e: order.index(e.category) if e.category in order else 99)
        marked = {o.ref.event_id for o in self.model.overrides.list_overrides()}
        marked |= {key[0] for key in self.model.modified()}
        options: list[Option | None] = []
        category = None
        for event in shown:
            if event.category != category:
                category = event.category
                names = self.catalog.categories.get(category, {})
                options.append(Option(f"── {names.get(self.locale, category)}",
                                      id=f"cat-{category}", disabled=True))
            mark = OVERRIDE_MARK if event.id in marked else " "
            options.append(Option(f"{mark} {event.id}", id=event.id))
        events = self.query_one("#tpl-events", OptionList)
        events.clear_options()
        events.add_options(options or [Option(f"nothing matches {query!r}", disabled=True)])
        if any(e.id == self.event_id for e in shown):
            events.highlighted = events.get_option_index(self.event_id)

    @on(Input.Changed, "#tpl-filter")
    def _filtered(self) -> None:
        self.fill_list()
        events = self.query_one("#tpl-events", OptionList)
        if events.highlighted is None:
            first = next((i for i in range(events.option_count)
                          if not events.get_option_at_index(i).disabled), None)
            events.highlighted = first

    @on(Input.Submitted, "#tpl-filter")
    def _filter_done(self) -> None:
        self.query_one("#tpl-events", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#tpl-events")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = event.option.id
        if chosen and not chosen.startswith("cat-") and chosen != self.event_id:
            self.event_id = chosen
            self.show_event()

    # -- the selected event ------------------------------------------------------------
    @property
    def event(self) -> EventSpec:
        return self.catalog.get(self.event_id)

    def show_event(self) -> None:
        from mailtui.tui.screens.template_vars import variable_widgets

        assert self.model is not None
        event = self.event
        self.update_title()
        box = self.query_one("#vars", VerticalScroll)
        box.remove_children()
        box.mount_all(variable_widgets(event, self.model.sample_texts(event, self.locale)))
        self.load_editor()
        self.update_preview()

    def update_title(self) -> None:
        assert self.model is not None
        event = self.event
        overridden = self.model.overridden(event.id, self.locale)
        marker = f" · {OVERRIDE_MARK} override: {', '.join(overridden)}" if overridden else ""
        edited = " · edited: ctrl+s saves" if self.model.modified(event.id) else ""
        self.query_one("#tpl-title", Static).update(
            f"{event.id} · {self.locale}{marker}{edited} · {event.title_for(self.locale)}")

    def load_editor(self) -> None:
        assert self.model is not None
        area = self.query_one("#src", TextArea)
        text = self.model.source(self.event_id, self.locale, self.part)
        area.language = "html" if self.part == "html" and "html" in area.available_languages \
            else None
        if area.text != text:
            self._loading_editor = True
            area.load_text(text)

    @on(Tabs.TabActivated, "#src-parts")
    def _part_chosen(self, event: Tabs.TabActivated) -> None:
        self.part = (event.tab.id or "part-subject").removeprefix("part-")
        self.load_editor()

    @on(TextArea.Changed, "#src")
    def _edited(self, event: TextArea.Changed) -> None:
        assert self.model is not None
        if self._loading_editor:
            self._loading_editor = False
            return
        self.model.edit(self.event_id, self.locale, self.part, event.text_area.text)
        self.update_title()
        self.update_preview(typing=True)

    @on(Input.Changed, ".sample")
    def _sample_changed(self, event: Input.Changed) -> None:
        assert self.model is not None
        name = event.input.name or ""
        self.model.sample_texts(self.event, self.locale)[name] = event.value
        self.update_preview(typing=True)

    # -- preview (worker) --------------------------------------------------------------
    def update_preview(self, typing: bool = False) -> None:
        """Render again (in a worker); while typing, once the keys pause for TYPING_PAUSE."""
        self.generation += 1
        if self._typing_timer is not None:
            self._typing_timer.stop()
            self._typing_timer = None
        if typing:
            self._typing_timer = self.set_timer(TYPING_PAUSE, self._start_preview)
        else:
            self._start_preview()

    def _start_preview(self) -> None:
        assert self.model is not None
        self._typing_timer = None
        event, locale = self.event, self.locale
        sources = {p: self.model.source(event.id, locale, p) for p in PARTS}
        values, problems = self.model.values(event, locale)
        problems = [self.model.read_errors[(event.id, locale, p)] for p in PARTS
                    if (event.id, locale, p) in self.model.read_errors] + problems
        self._preview_worker(self.generation, event, locale, sources, values, problems)

    @work(thread=True, group="preview")
    def _preview_worker(self, generation: int, event: EventSpec, locale: str,
                        sources: dict[str, str], values: dict[str, object],
                        problems: list[str]) -> None:
        assert self.model is not None
        result = compute_preview(self.model.overrides, generation, event, locale, sources,
                                 values, problems)
        self.post_message(PreviewReady(result))

    @on(PreviewReady)
    def _preview_ready(self, message: PreviewReady) -> None:
        from mailtui.tui.screens.template_vars import checks_text

        result = message.result
        if result.generation != self.generation:
            return  # an older edit's preview: a newer one is on its way
        self.last = result
        errors = result.errors

        def shown(part: str, text: str | None) -> str:
            return (text or "") if part not in errors else f"Does not render:\n{errors[part]}"

        subject = shown("subject", result.subject)
        self.query_one("#tpl-subject", Static).update(f"Subject: {subject}")
        self.query_one("#pv-text", Static).update(shown("text", result.text) or "")
        self.query_one("#pv-html", Static).update(shown("html", result.html_text) or "")
        self.query_one("#checks", Static).update(checks_text(result))
        self.query_one("#tpl-tabs", TabbedContent).get_tab("tab-checks").label = (
            "Checks" + (" !" if errors or result.problems or any(
                c.severity == "error" for c in result.checks) else ""))

    # -- actions -----------------------------------------------------------------------
    def palette_commands(self) -> Iterator[SystemCommand]:
        from mailtui.tui.screens.template_vars import template_commands

        return template_commands(self)

    def action_locale(self) -> None:
        self.locale = "fr" if self.locale == "en" else "en"
        self.fill_list()
        self.show_event()

    def action_filter(self) -> None:
        self.query_one("#tpl-filter", Input).focus()

    def save_document(self) -> None:
        """ctrl+s here: the edited templates as overrides, then the configuration file."""
        from mailtui.errors import ConfigError

        assert self.model is not None
        if self.model.modified() and self.model.overrides.directory is None:
            self.ask_for_directory()
            return
        for event_id in sorted({key[0] for key in self.model.modified()}):
            try:
                written = self.model.save(event_id)
            except ConfigError as exc:
                self.notify(f"{event_id}: not saved: {exc.describe()}", severity="error",
                            timeout=15)
                return
            self.notify(f"Saved override {', '.join(written)}")
        self.fill_list()
        self.show_event()
        if self.editor.modified:
            self.mailtui.save_document()

    def ask_for_directory(self) -> None:
        """Overrides need [templates].directory: offer "templates" beside the file."""
        from mailtui.tui.screens.template_vars import directory_dialog
        from mailtui.tui.widgets.text import display_path

        folder = display_path(self.editor.path.parent / "templates")

        def chosen(choice: str | None) -> None:
            if choice != "set":
                self.notify("Not saved: overrides need [templates].directory", severity="warning")
                return
            from mailtui.events.overrides import TemplateOverrides
            from mailtui.tui.widgets.summary import current

            assert self.model is not None
            self.editor.set_value("templates.directory", "templates")
            settings, _ = current(self.editor)
            self.model.overrides = TemplateOverrides.from_settings(settings.templates)
            self.save_document()  # the overrides, then the file with the new setting

        self.app.push_screen(directory_dialog(folder), chosen)

    def action_revert(self) -> None:
        from mailtui.tui.screens.template_vars import revert_dialog

        assert self.model is not None
        event_id, locale = self.event_id, self.locale
        parts = self.model.overridden(event_id, locale)
        edited = [k for k in self.model.modified(event_id) if k[1] == locale]
        if not parts and not edited:
            self.notify(f"{event_id} ({locale}) uses the shipped templates already")
            return

        def chosen(choice: str | None) -> None:
            if choice != "revert":
                return
            assert self.model is not None
            deleted = self.model.revert(event_id, locale)
            self.notify(f"Reverted to shipped: deleted {', '.join(deleted)}" if deleted else
                        "Unsaved edits dropped")
            self.fill_list()
            self.show_event()

        self.app.push_screen(revert_dialog(event_id, locale, parts), chosen)

    def action_browser(self) -> None:
        import os

        from mailtui.events.browse import write_preview_file

        if self.last is None or self.last.html is None:
            self.notify("The HTML part does not render: nothing to open", severity="warning")
            return
        try:
            path = write_preview_file(self.last.html, self.last.event_id, self.last.locale)
        except OSError as exc:
            self.notify(f"Cannot write the preview: {exc}", severity="error")
            return
        if os.environ.get("BROWSER"):
            from textual.app import SuspendNotSupported

            from mailtui.tui.screens.template_vars import open_uri

            try:  # the app steps aside: a console browser (lynx, w3m) gets the terminal
                with self.app.suspend():
                    open_uri(path.as_uri())
            except SuspendNotSupported:  # no real terminal (tests, a web driver)
                self._open_browser(path.as_uri())
            self.notify(f"Opened {path} with $BROWSER")
        else:
            self.notify(f"HTML preview written to {path} (set $BROWSER to open it directly)",
                        timeout=15)

    @work(thread=True, group="browser")
    def _open_browser(self, uri: str) -> None:
        from mailtui.tui.screens.template_vars import open_uri

        open_uri(uri)

    def action_send_test(self) -> None:
        assert self.model is not None
        values, problems = self.model.values(self.event, self.locale)
        if problems:
            self.notify(f"Fix the sample values first: {problems[0]}", severity="error")
            return
        if self.model.modified(self.event_id):
            self.notify("Unsaved template edits are not sent: ctrl+s saves them",
                        severity="warning")
        self.mailtui.open_test_send(event=self.event_id, locale=self.locale, context=values)


def _part_tab(part: str) -> Tab:
    from textual.widgets import Tab

    return Tab(part, id=f"part-{part}")

