"""Server properties: the JavaMail ``key=value`` text (typed or pasted), each diagnosed line
marked with its messages listed below, the property under the cursor explained, and the live
effective connection beside it. Every edit goes to the document model
(``ConfigEditor.set_properties_text``), which diagnoses it and keeps ``[server.properties]``
in sync."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static, TextArea

from mailtui.tui.screens.base import MainScreen
from mailtui.tui.widgets.nav import NavBar
from mailtui.tui.widgets.props_area import PropertiesArea

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from mailtui.config.model import Settings
    from mailtui.diagnostics import Diagnostic
    from mailtui.javamail.diagnose import PropertiesReport


class PropertiesScreen(MainScreen):
    MODE = "properties"
    CSS_PATH = "properties.tcss"
    AUTO_FOCUS = ""  # nothing: keys 1-4 switch screens until tab enters the text
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "presets", "Presets", id="properties.presets"),
        Binding("ctrl+r", "export", "Export", id="properties.export"),
        Binding("escape", "leave_text", "Leave text", id="properties.leave", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.report: PropertiesReport | None = None
        self._settings: Settings | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="✉")
        yield NavBar(self.mailtui, self.MODE)
        with Horizontal(id="props-main"):
            yield PropertiesArea(self.editor.properties_text(), id="props-text")
            with VerticalScroll(id="panel", can_focus=False):
                yield Static(id="panel-text", markup=False)
        yield Static(id="props-help", markup=False)
        with VerticalScroll(id="diagnostics"):
            yield Static(id="diag-text", markup=False)
        yield Footer()

    def action_leave_text(self) -> None:
        """Escape in the text: out of it, where the screen keys work again."""
        self.set_focus(None)

    @property
    def area(self) -> PropertiesArea:
        return self.query_one(PropertiesArea)

    def refresh_document(self) -> None:
        """Shown again, saved, reloaded, a preset applied: the text follows the document
        (the text as typed is kept while it still means what the document holds)."""
        from mailtui.services.form import form_settings

        if self.editor.broken is not None:
            return
        self._settings = form_settings(self.editor)
        if self.report is None or self.report.properties != self.editor.properties():
            self.area.load_text(self.editor.properties_text())
        self.update_from_text()

    @on(TextArea.Changed)
    def _edited(self, event: TextArea.Changed) -> None:
        self.update_from_text()

    @on(TextArea.SelectionChanged)
    def _moved(self, event: TextArea.SelectionChanged) -> None:
        self._show_help()

    def update_from_text(self) -> None:
        from mailtui.errors import ConfigError

        if self.editor.broken is not None:
            return
        try:
            self.report = self.editor.set_properties_text(self.area.text, self._settings)
        except ConfigError as exc:  # e.g. a value the store can never hold
            self._set("#diag-text", f"error: {exc.message}")
            return
        self.mailtui._refresh_title()
        marks: dict[int, str] = {}
        for d in self.report.diagnostics:
            if d.line is not None and d.line - 1 not in marks:  # in order: errors first
                marks[d.line - 1] = str(min((x.severity for x in self.report.at_line(d.line)),
                                            key=lambda s: s.rank))
        self.area.set_marks(marks)
        self._set("#panel-text", panel_text(self.report))
        self._set("#diag-text", "\n".join(diagnostic_line(d) for d in self.report.diagnostics)
                  or "no problems in these lines")
        self._show_help()

    def _set(self, selector: str, text: str) -> None:
        """Update a Static only when its text changes (an update lays the screen out)."""
        widget = self.query_one(selector, Static)
        if getattr(widget, "shown_text", None) != text:
            widget.shown_text = text  # type: ignore[attr-defined]
            widget.update(text)

    def _show_help(self) -> None:
        from mailtui.javamail.complete import describe_key

        area = self.area
        row = area.cursor_location[0]
        line = area.document.get_line(row) if row < area.document.line_count else ""
        key = line.split("=", 1)[0].split(":", 1)[0].strip()
        if area.completions:
            text = "→/tab: " + "  ".join(area.completions)
        else:
            text = describe_key(key) or (f"{key}: not a known property" if key else
                                         "type a property name (tab completes it), "
                                         "ctrl+t: presets")
        if self.report is not None:
            here = self.report.at_line(row + 1)
            if here:
                text = diagnostic_line(here[0]) + "\n" + text
        self._set("#props-help", text)

    # -- presets and export ------------------------------------------------------------
    def action_presets(self) -> None:
        from mailtui.tui.screens.preset_list import PresetListScreen

        def chosen(preset_id: str | None) -> None:
            if preset_id:
                self.mailtui.apply_preset(preset_id)

        self.app.push_screen(PresetListScreen(), chosen)

    def action_export(self) -> None:
        from mailtui.errors import ConfigError
        from mailtui.services.properties import export_properties
        from mailtui.tui.screens.export import ExportScreen

        settings = self._settings
        if settings is None or self.report is None:
            return
        from dataclasses import replace

        current = replace(settings, server=replace(settings.server,
                                                   properties=self.report.properties))
        try:
            exported = export_properties(current)
        except ConfigError as exc:
            self.notify(f"Cannot export: {exc.message}", severity="error")
            return
        self.app.push_screen(ExportScreen(exported.text, self.editor.path.parent))


def diagnostic_line(d: Diagnostic) -> str:
    where = f"L{d.line} " if d.line else ""
    text = f"{where}{d.severity}: {d.message}"
    if d.did_you_mean and d.did_you_mean not in text:
        text += f" (did you mean {d.did_you_mean}?)"
    if d.fix:
        text += f" - fix{' (applied)' if d.applied else ''}: {d.fix}"
    return text


def panel_text(report: PropertiesReport) -> str:
    from mailtui.services.plan import describe_plan
    from mailtui.tui.widgets.text import SECURITY_SHORT

    plan = report.plan
    rows = dict(describe_plan(plan).rows)
    t = plan.timeouts
    lines = ["Effective connection",
             f"{plan.host or '(no host)'}:{plan.port}",
             SECURITY_SHORT[plan.security],
             ("AUTH as " + (plan.username or "(no username)") + "; "
              + (", ".join(plan.mechanisms) or "no mechanism")) if plan.auth else "no AUTH",
             "certificate " + rows["Certificate"],
             f"timeouts {t.connect:g}/{t.read:g}/{t.write:g} s (connect/read/write)"]
    for kind, items in (("error", plan.errors), ("warning", plan.warnings)):
        lines += [f"{kind}: {m}" for m in items]
    return "\n".join(lines)
