"""The document side of the app: the header's file and marker, saving (with the three-way
choice when the file changed on disk), reloading, presets and the theme preference. The app
class (app.py) adds the screens, bindings and palette on top."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import App

from mailtui.tui.widgets.text import display_path

if TYPE_CHECKING:
    from mailtui.services.editor import ConfigEditor


class DocumentApp(App[int]):
    editor: ConfigEditor

    def check_document(self) -> None:
        """A broken file (syntax, duplicate key, bad value): show it before anything else."""
        if self.editor.broken is not None or any(
                i.severity == "error" for i in self.editor.issues()):
            from mailtui.tui.screens.broken import BrokenScreen

            self.push_screen(BrokenScreen(), lambda _: self.document_changed())

    # -- the document ------------------------------------------------------------------
    def _refresh_title(self) -> None:
        marker = " [modified]" if self.editor.modified else ""
        broken = " [broken]" if self.editor.broken else ""
        self.sub_title = f"{display_path(self.editor.path)}{marker}{broken}"

    def document_changed(self) -> None:
        self._refresh_title()
        refresh = getattr(self.screen, "refresh_document", None)
        if refresh is not None:
            refresh()

    def action_save(self) -> None:
        screen_save = getattr(self.screen, "save_document", None)
        if screen_save is not None:  # e.g. the raw editor saves its own text
            screen_save()
        elif not self.screen.is_modal:
            self.save_document()

    def save_document(self, then: Callable[[], None] | None = None) -> None:
        from mailtui.errors import ConfigError
        from mailtui.services.editor import SaveConflict

        if self.editor.broken is None and not self._form_allows_save():
            return
        try:
            path = self.editor.save()
        except SaveConflict as conflict:
            from mailtui.tui.screens.dialogs import conflict_dialog

            self.push_screen(conflict_dialog(conflict), self._resolve_conflict)
            return
        except (ConfigError, OSError) as exc:
            text = exc.describe() if isinstance(exc, ConfigError) else str(exc)
            self.notify(f"Not saved: {text}", severity="error", timeout=10)
            return
        from mailtui.services.form import missing_fields

        missing = missing_fields(self.editor)
        self.notify(f"Saved {display_path(path)}" + (
            "; still missing: " + "; ".join(d.message for d in missing) if missing else ""),
            severity="warning" if missing else "information", timeout=10 if missing else 5)
        self.document_changed()
        if then is not None:
            then()

    def _form_allows_save(self) -> bool:
        """An invalid value (an address that does not parse, two password sources, ...)
        refuses the save, with the list; a required field still empty does not."""
        from mailtui.services.form import save_errors

        errors = save_errors(self.editor)
        show = getattr(self.screen, "show_save_errors", None)
        if show is not None:
            show(errors)
        if errors:
            self.notify("Not saved, fix first:\n" + "\n".join(e.message for e in errors),
                        severity="error", timeout=10)
        return not errors

    def _resolve_conflict(self, choice: str | None) -> None:
        from mailtui.errors import ConfigError

        try:
            if choice == "reload":
                self.editor.reload()
                self.notify("Reloaded from disk; your version is still in the .pending file")
                self.check_document()
            elif choice == "overwrite":
                bak = self.editor.overwrite()
                self.notify(f"Saved {display_path(self.editor.path)}; the other version is in "
                            f"{display_path(bak)}")
            else:
                self.editor.cancel()
                self.notify("Not saved; your changes are still here (and in the .pending file)")
        except (ConfigError, OSError) as exc:
            self.notify(f"Failed: {exc}", severity="error", timeout=10)
        self.document_changed()

    def reload_document(self) -> None:
        def reload(choice: str | None) -> None:
            if choice == "reload":
                self.editor.reload()
                self.notify(f"Reloaded {display_path(self.editor.path)}")
                self.check_document()
                self.document_changed()

        if self.editor.modified:
            from mailtui.tui.screens.dialogs import ChoiceScreen

            self.push_screen(ChoiceScreen(
                "Reload from disk?", "Your unsaved changes will be lost.",
                [("r", "Reload (lose mine)", "reload"), ("escape", "Cancel", "cancel")]), reload)
        else:
            reload("reload")

    def apply_preset(self, preset_id: str, done: Callable[[], None] | None = None) -> None:
        """Ask for parameters and show the diff, then apply (the file is saved on ctrl+s)."""
        if self.editor.broken is not None:
            self.notify("The file is broken: fix it first (nothing was changed)", severity="error")
            return
        from mailtui.tui.screens.preset import PresetScreen

        def applied(params: dict[str, str] | None) -> None:
            if params is None:
                return
            from mailtui.javamail.presets import get_preset

            preset = get_preset(preset_id)
            changes = self.editor.apply_preset(preset, params)
            self.notify(f"{preset.name}: {len(changes)} change(s); ctrl+s saves"
                        if changes else f"{preset.name}: already applied, nothing changed")
            self.document_changed()
            if done is not None:
                done()

        self.push_screen(PresetScreen(preset_id), applied)

    def choose_theme(self, name: str) -> None:
        from mailtui.errors import ConfigError

        self.theme = name
        try:
            now = self.editor.save_preference("ui.theme", name)
        except ConfigError as exc:
            self.notify(f"Theme {name} for this session only: {exc.message}", severity="warning")
            return
        self.notify(f"Theme {name} saved to {display_path(self.editor.path)}" if now else
                    f"Theme {name}: saved with your other changes on the next save")
        self.document_changed()

