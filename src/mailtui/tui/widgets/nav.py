"""The tab bar of the main screens: one tab per screen, labelled with its key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Tab, Tabs

if TYPE_CHECKING:
    from mailtui.tui.app import MailtuiApp


class NavTabs(Tabs):
    """Tabs that switch the app's screen (mode); left/right when focused, or the 1-4 keys."""

    def __init__(self, app: MailtuiApp, active: str) -> None:
        from mailtui.tui.app import PAGES

        tabs = [Tab(f"{app.key_for('go.' + mode)} {label}", id=f"tab-{mode}")
                for mode, (_, _, label) in PAGES.items()]
        super().__init__(*tabs, active=f"tab-{active}")

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        mode = (event.tab.id or "").removeprefix("tab-")
        if mode and mode != self.app.current_mode:
            self.app.switch_mode(mode)
