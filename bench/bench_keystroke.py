"""Benchmark: one keystroke in the Server-properties editor, for a 60-line properties text
(the text of ``bench_diagnose.py``), against the 16 ms frame budget.

Measured in one run, alternating, median per edit:
- ``diagnose_properties`` alone (the domain call of every edit);
- ``ConfigEditor.set_properties_text`` (the model: diagnose, then [server.properties] kept
  in sync in the TOML document);
- the whole app under Pilot (80x24): a key event ("1", then backspace) at the end of the port
  line, posted as the terminal driver posts it, then the event loop runs until the
  effective-connection panel shows the new port (model, marks, panel, diagnostics list, help
  line; the screen's repaint is not waited for);
- the baseline: the same keystroke in a bare Textual app (a TextArea and a Static showing the
  port line, updated on every change), measured the same way. Prints app / baseline.

    .venv/bin/python bench/bench_keystroke.py [--edits 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Static, TextArea  # noqa: E402

from bench_diagnose import medians_ms, sixty_lines  # noqa: E402
from mailtui.config.model import SecretRef, ServerSettings, Settings  # noqa: E402
from mailtui.javamail.diagnose import diagnose_properties  # noqa: E402
from mailtui.services.editor import ConfigEditor  # noqa: E402
from mailtui.tui.app import MailtuiApp  # noqa: E402

FRAME_MS = 16.0
PORT_LINE = 3  # 0-based: "mail.smtp.port=587   # submission"


class BareApp(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, id="text")
        yield Static(id="panel")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        for panel in self.query("#panel").results(Static):  # not yet there at the first load
            panel.update(event.text_area.document.get_line(PORT_LINE))


async def keystrokes(app: App[object], edits: int,
                     ready: Callable[[Pilot[object]], Awaitable[None]],
                     shown: Callable[[App[object], str], bool]) -> list[float]:
    """Per edit: press "1" (or backspace) at the end of the port line, wait until ``shown``."""
    times: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        area = app.screen.query_one(TextArea)
        area.focus()
        line = area.document.get_line(PORT_LINE)
        area.move_cursor((PORT_LINE, len(line.split("   ")[0])))
        await pilot.pause()
        for n in range(edits + 5):
            key, char, expect = (("1", "1", "5871") if n % 2 == 0
                                 else ("backspace", None, "587"))
            start = time.perf_counter()
            app.post_message(events.Key(key, char))  # as the driver does, without Pilot's
            for _ in range(100_000):                 # idle waits (they sleep)
                if shown(app, expect):
                    break
                await asyncio.sleep(0)
            else:
                raise SystemExit(f"the screen never showed {expect}")
            if n >= 5:  # warm-up edits left out
                times.append(time.perf_counter() - start)
    return times


def panel_shows(app: App[object], port: str) -> bool:
    panel = str(app.screen.query_one("#panel-text", Static).render())
    return f":{port}\n" in panel


def bare_shows(app: App[object], port: str) -> bool:
    return f"port={port} " in str(app.screen.query_one("#panel", Static).render())


async def app_times(text: str, edits: int, folder: Path) -> tuple[list[float], list[float]]:
    props = "\n".join(f'"{k}" = "{v}"' for k, v in
                      diagnose_properties(text).properties.items())
    path = folder / "mailtui.toml"
    path.write_text('[server]\nusername = "notifications@example.org"\npassword_env = "PW"\n'
                    f'default_sender = "App <notifications@example.org>"\n\n'
                    f"[server.properties]\n{props}\n")
    path.chmod(0o600)

    async def open_properties(pilot: Pilot[object]) -> None:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        area = pilot.app.screen.query_one(TextArea)
        area.load_text(text)  # the 60 lines as pasted (comments, repairs)
        await pilot.pause()

    async def bare_ready(pilot: Pilot[object]) -> None:
        await pilot.pause()

    app_runs: list[float] = []
    bare_runs: list[float] = []
    for _ in range(2):  # alternate, so both see the same machine load
        app_runs += await keystrokes(MailtuiApp(ConfigEditor(path)), edits // 2,
                                     open_properties, panel_shows)
        bare_runs += await keystrokes(BareApp(text), edits // 2, bare_ready, bare_shows)
    return app_runs, bare_runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=60)
    args = parser.parse_args()
    text = sixty_lines()
    settings = Settings(server=ServerSettings(
        enabled=True, username="notifications@example.org",
        default_sender="App <notifications@example.org>",
        password=SecretRef("server.password", env="PW")))
    other = text.replace("port=587", "port=5871")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.toml"
        path.write_text("[server]\n")
        editor = ConfigEditor(path)
        flip = [text, other]
        diagnose, model = medians_ms(
            [lambda: diagnose_properties(flip.reverse() or flip[0], settings),
             lambda: editor.set_properties_text(flip.reverse() or flip[0], settings)], 200)
        app_runs, bare_runs = asyncio.run(app_times(text, args.edits, Path(folder)))
    app_ms = statistics.median(app_runs) * 1000
    bare_ms = statistics.median(bare_runs) * 1000
    print(f"text: {text.count(chr(10))} lines; frame budget {FRAME_MS:g} ms")
    for label, value in (("diagnose_properties (domain)", diagnose),
                         ("set_properties_text (model)", model),
                         ("app: keystroke to panel (Pilot)", app_ms),
                         ("baseline: bare TextArea app", bare_ms)):
        print(f"{label:<34}{value:8.2f} ms  {value / FRAME_MS:5.2f} frame"
              f"  {'ok' if value <= FRAME_MS else 'OVER'}")
    print(f"ratio app / baseline              {app_ms / bare_ms:8.2f} "
          f"(medians of {len(app_runs)} and {len(bare_runs)} edits)")


if __name__ == "__main__":
    main()
