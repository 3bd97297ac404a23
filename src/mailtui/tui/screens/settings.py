"""Settings: read-only for now (the form with inline validation lands next)."""

from __future__ import annotations

from mailtui.tui.screens.base import MainScreen
from mailtui.tui.widgets.summary import (
    connection_line,
    current,
    issue_lines,
    lint_lines,
    plan_of,
    secret_source,
)
from mailtui.tui.widgets.text import display_path, rows


class SettingsScreen(MainScreen):
    MODE = "settings"

    def body_text(self) -> str:
        settings, issues = current(self.editor)
        plan = plan_of(settings)
        server, smime = settings.server, settings.smime
        table = rows([
            ("Enabled", "yes" if server.enabled else "no (send refuses; tests work)"),
            ("Username", server.username or "-"),
            ("Default sender", server.default_sender or "-"),
            ("Password", secret_source(server.password)),
            ("Test recipient", server.test_recipient or "-"),
            ("S/MIME cert", str(smime.certificate) if smime.certificate else "-"),
            ("Connection", connection_line(plan)),
        ])
        problems = issue_lines(issues) + lint_lines(settings, plan)
        text = f"Settings (read-only here for now)\n\n{table}\n"
        if problems:
            text += ("\nProblems (`mailtui check` has the full report):\n"
                     + "\n".join(f"  {p}" for p in problems) + "\n")
        return text + (f"\nTo edit: $EDITOR {display_path(self.editor.path)}, then "
                       "`mailtui check`.\nPresets: ctrl+p, then type preset.")
