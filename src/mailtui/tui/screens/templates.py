"""Templates: a placeholder until the template browser lands (next milestone)."""

from __future__ import annotations

from mailtui.tui.screens.base import MainScreen


class TemplatesScreen(MainScreen):
    MODE = "templates"

    def body_text(self) -> str:
        locale = self.editor.get("templates.locale") or "en"
        directory = self.editor.get("templates.directory") or "(none: the shipped templates)"
        return (
            "Templates\n\n"
            "The template browser (preview, edit overrides, en/fr) comes in the next version.\n"
            "Until then, from a shell:\n\n"
            "  mailtui events                       the 44 notifications and test_message\n"
            "  mailtui render task_assigned_to_you  render one (--locale fr, --format html)\n\n"
            f"Locale: {locale}    Overrides: {directory}"
        )
