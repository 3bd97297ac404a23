"""Server properties: read-only for now (the editor with diagnostics lands next)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailtui.tui.screens.base import MainScreen
from mailtui.tui.widgets.summary import connection_line, current, plan_of

if TYPE_CHECKING:
    from mailtui.javamail.plan import Plan


class PropertiesScreen(MainScreen):
    MODE = "properties"

    def body_text(self) -> str:
        from mailtui.javamail.catalog import is_secret_key

        settings, _ = current(self.editor)
        props = self.editor.properties()
        lines = [f"  {k} = {'********' if is_secret_key(k) and v else v}"
                 for k, v in props.items()] or ["  (none: apply a preset with ctrl+p)"]
        plan = plan_of(settings)
        detail = _described(plan) if not isinstance(plan, str) else [plan]
        return (
            "Server properties (read-only here for now)\n\n" + "\n".join(lines)
            + f"\n\nConnection: {connection_line(plan)}\n\n" + "\n".join(detail)
        )


def _described(plan: Plan) -> list[str]:
    from mailtui.services.plan import describe_plan

    return [f"{name:<14}{value}" for name, value in describe_plan(plan).rows]
