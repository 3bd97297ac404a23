"""Benchmark: a test send from the app vs ``mailtui send-test``, and a 5,000-line transcript.

1. A test send to the embedded sandbox (in-process, STARTTLS + AUTH, verified certificate):
   in the app (headless, 80x24) the time from the Send key (F5) to the final result on
   screen, against the same send by ``mailtui send-test`` as a fresh process in the same run
   (what a sysadmin pays at a shell), repetitions alternating; ratio of the medians, target
   <= 1.2. The same send through the service alone (no UI, no process) is printed too: the
   app's own cost is the difference.
2. A transcript of 5,000 lines (a batch-like session) appended to the screen through the
   same messages a worker posts: time until all are appended and drawn, time to scroll to
   the top and back, and the peak memory of the Python heap while doing it (tracemalloc,
   in a second pass so that it does not slow the timing).

    .venv/bin/python bench/bench_app_send.py [--runs 9] [--lines 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TERM", "xterm-256color")

RECIPIENT = "admin@example.org"


def write_config(path: Path, port: int, ca_file: Path, username: str) -> None:
    path.write_text(
        "[server]\nenabled = true\n"
        f'username = "{username}"\npassword_env = "BENCH_PASSWORD"\n'
        f'default_sender = "Bench <sender@example.org>"\ntest_recipient = "{RECIPIENT}"\n\n'
        "[server.properties]\n"
        f'"mail.smtp.host" = "127.0.0.1"\n"mail.smtp.port" = "{port}"\n'
        '"mail.smtp.auth" = "true"\n"mail.smtp.starttls.enable" = "true"\n'
        '"mail.smtp.starttls.required" = "true"\n'
        '"mail.smtp.localhost" = "bench.example.org"\n'
        f'"mailtui.ssl.cafile" = "{ca_file}"\n', encoding="utf-8")
    path.chmod(0o600)


def cli_send(config: Path, env: dict[str, str]) -> float:
    cmd = [sys.executable, "-m", "mailtui", "--config", str(config), "send-test"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                          timeout=60)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"send-test failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def service_send(config: Path) -> float:
    from mailtui.services.config import load
    from mailtui.services.send_test import prepare_test_send

    start = time.perf_counter()
    result = prepare_test_send(load(config)).run(lambda event: None)
    elapsed = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"service send failed: {result.explanation}")
    return elapsed


async def app_sends(config: Path, runs: int, cli: list[float], env: dict[str, str]) -> list[float]:
    """Send ``runs`` times from one app; a CLI send between each (alternating)."""
    from mailtui.services.editor import ConfigEditor
    from mailtui.tui.app import MailtuiApp
    from mailtui.tui.screens.test_send import TestSendScreen

    app = MailtuiApp(ConfigEditor(config))
    times: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TestSendScreen)
        for _ in range(runs + 1):  # the first is a warm-up (imports)
            start = time.perf_counter()
            await pilot.press("f5")
            while screen.run_state is None or screen.run_state.result is None:
                await asyncio.sleep(0.002)
            await pilot.pause()  # drawn
            times.append(time.perf_counter() - start)
            if not screen.run_state.result.ok:
                raise SystemExit("app send failed")
            cli.append(cli_send(config, env))
    return times[1:]


async def long_transcript(lines: int, config: Path) -> tuple[float, float, int]:
    """(seconds to append and draw, seconds to scroll home and end, lines kept)."""
    from mailtui.services.editor import ConfigEditor
    from mailtui.smtp.stages import Stage
    from mailtui.smtp.transcript import TranscriptEvent
    from mailtui.tui.app import MailtuiApp
    from mailtui.tui.screens.test_send import TestSendScreen
    from mailtui.tui.send_session import Line
    from mailtui.tui.widgets.transcript import TranscriptLog

    app = MailtuiApp(ConfigEditor(config))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TestSendScreen)
        events = [TranscriptEvent(i * 0.001, ("client", "server", "info")[i % 3], True,
                                  Stage.RCPT, f"RCPT TO:<user{i}@example.org>")
                  for i in range(lines)]
        log = screen.query_one(TranscriptLog)
        start = time.perf_counter()
        for event in events:
            screen.post_message(Line(event))
        while len(screen.events) < lines:
            await asyncio.sleep(0.001)
        await pilot.pause()
        appended = time.perf_counter() - start
        start = time.perf_counter()
        log.scroll_home(animate=False)
        await pilot.pause()
        log.scroll_end(animate=False)
        await pilot.pause()
        scrolled = time.perf_counter() - start
        return appended, scrolled, log.line_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--lines", type=int, default=5000)
    args = parser.parse_args()

    from mailtui.sandbox.embedded import EmbeddedSandbox
    from mailtui.sandbox.server import SANDBOX_PASSWORD

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sandbox = EmbeddedSandbox(maildir=work / "maildir", data_dir=work / "data")
        with sandbox:
            info = sandbox.info
            config = work / "mailtui.toml"
            write_config(config, info.port, info.ca_file, info.username)
            os.environ["BENCH_PASSWORD"] = SANDBOX_PASSWORD
            env = dict(os.environ, PYTHONPYCACHEPREFIX=str(work / "pycache"))
            env.pop("MAILTUI_CONFIG", None)
            cli_send(config, env)  # warm the page cache and bytecode
            service = [service_send(config) for _ in range(args.runs)]
            cli: list[float] = []
            app = asyncio.run(app_sends(config, args.runs, cli, env))
            cli = cli[1:]
            appended, scrolled, kept = asyncio.run(long_transcript(args.lines, config))
            tracemalloc.start()
            asyncio.run(long_transcript(args.lines, config))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            delivered = len(sandbox.messages())
    m_app, m_cli = statistics.median(app), statistics.median(cli)
    print(f"test send to the embedded sandbox (STARTTLS + AUTH, {args.runs} runs each, "
          f"{delivered} messages delivered)")
    print(f"  app, F5 to result on screen : median {m_app * 1000:7.1f} ms "
          f"(min {min(app) * 1000:.1f}, max {max(app) * 1000:.1f})")
    print(f"  mailtui send-test (process) : median {m_cli * 1000:7.1f} ms "
          f"(min {min(cli) * 1000:.1f}, max {max(cli) * 1000:.1f})")
    print(f"  service alone (no UI)       : median {statistics.median(service) * 1000:7.1f} ms")
    print(f"  ratio app / send-test       : {m_app / m_cli:.2f} (target <= 1.2)")
    print(f"transcript of {args.lines:,} lines: appended and drawn in {appended * 1000:.0f} ms "
          f"({appended / args.lines * 1e6:.0f} us a line), scroll home and end "
          f"{scrolled * 1000:.0f} ms, {kept:,} lines kept, peak Python heap "
          f"{peak / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
