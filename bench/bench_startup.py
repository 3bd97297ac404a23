"""Benchmark: launch to first full screen of ``mailtui --config FILE`` vs a bare Textual app.

Both run in a real terminal (tmux, 80x24) and are measured the same way, from outside: the
time from asking tmux to start the process until the pane shows the screen's marker (polled
with capture-pane), then the process's peak RSS (VmHWM in /proc/PID/status) before it is
ended. The baseline is the smallest Textual app with the same frame: Header + Static + Footer.
Runs alternate (and alternate which goes first); the figures are medians. Targets: time
ratio <= 1.3, peak RSS ratio <= 1.3.

    .venv/bin/python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BARE = """\
from textual.app import App
from textual.widgets import Footer, Header, Static


class Bare(App):
    BINDINGS = [("ctrl+s", "bell", "Save")]

    def compose(self):
        yield Header()
        yield Static("Connection  bare app ready")
        yield Footer()


Bare().run()
"""

CONFIG = """\
# benchmark configuration
[server]
username = "notifications@example.org"
default_sender = "Records <notifications@example.org>"
test_recipient = "admin@example.org"

[server.properties]
"mail.smtp.host" = "smtp.office365.com"
"mail.smtp.port" = "587"
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"""


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10,
                          check=True).stdout


def measure(argv: list[str], markers: tuple[str, ...], env: dict[str, str]) -> tuple[float, int]:
    """Seconds until every marker is on screen, and the peak RSS in KiB."""
    session = f"bench-{uuid.uuid4().hex[:8]}"
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"exec env {exports} {shlex.join(argv)}"
    start = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        deadline = start + 60
        while True:
            screen = tmux("capture-pane", "-p", "-t", session)
            if all(m in screen for m in markers):
                elapsed = time.perf_counter() - start
                break
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no marker {markers} after 60 s:\n{screen}")
            time.sleep(0.005)
        pid = int(tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
        status = Path(f"/proc/{pid}/status").read_text()
        hwm = next(int(line.split()[1]) for line in status.splitlines()
                   if line.startswith("VmHWM:"))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       timeout=10, check=False)
    return elapsed, hwm


Cases = dict[str, tuple[list[str], tuple[str, ...]]]


def run_all(cases: Cases, env: dict[str, str], runs: int
            ) -> tuple[dict[str, list[float]], dict[str, list[int]]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, list[int]] = {name: [] for name in cases}
    for argv, markers in cases.values():  # warm-up: file cache, bytecode
        measure(argv, markers, env)
    for run in range(runs):
        order = list(cases) if run % 2 == 0 else list(reversed(cases))
        for name in order:
            elapsed, hwm = measure(*cases[name], env)
            times[name].append(elapsed)
            peaks[name].append(hwm)
    return times, peaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is required", file=sys.stderr)
        return 2
    mailtui = Path(sys.executable).with_name("mailtui")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bare.py").write_text(BARE)
        config = folder / "mailtui.toml"
        config.write_text(CONFIG)
        config.chmod(0o600)
        env = {"HOME": str(folder), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        cases = {
            "mailtui": ([str(mailtui), "--config", str(config)],
                        ("smtp.office365.com:587", "Quit")),
            "bare": ([sys.executable, str(folder / "bare.py")], ("bare app ready", "Save")),
        }
        keepalive = f"bench-keepalive-{uuid.uuid4().hex[:8]}"  # one tmux server for all runs
        tmux("new-session", "-d", "-s", keepalive, "sleep 3600")
        try:
            times, peaks = run_all(cases, env, args.runs)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", keepalive], capture_output=True,
                           timeout=10, check=False)
    t_app, t_bare = (statistics.median(times[n]) for n in ("mailtui", "bare"))
    m_app, m_bare = (statistics.median(peaks[n]) for n in ("mailtui", "bare"))
    print(f"runs: {args.runs} each, alternating; tmux 80x24; medians")
    print(f"first full screen  mailtui {t_app * 1000:7.1f} ms   "
          f"bare Textual {t_bare * 1000:7.1f} ms   ratio {t_app / t_bare:.2f} (target <= 1.3)")
    print(f"peak RSS           mailtui {m_app / 1024:7.1f} MiB  "
          f"bare Textual {m_bare / 1024:7.1f} MiB  ratio {m_app / m_bare:.2f} (target <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
