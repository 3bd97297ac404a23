"""Benchmark: ``diagnose_properties`` (parse + lint + plan of a properties text, what the
app's properties editor runs on every keystroke) vs ``parse_properties`` alone, in one run.

The text is 60 lines: 21 properties of a STARTTLS + AUTH account (timeouts, DSN and TLS
options) between comments and blank lines, with a few pasted-text repairs (a note after a
value, quotes, a trailing space), an unknown key and a bad value, as a real paste would hold.
The two functions run alternately ``--runs`` times each after a warm-up (so both see the same
machine load); prints the medians and the ratio diagnose / parse.

    .venv/bin/python bench/bench_diagnose.py [--runs 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mailtui.config.model import SecretRef, ServerSettings, Settings  # noqa: E402
from mailtui.javamail.diagnose import diagnose_properties  # noqa: E402
from mailtui.javamail.parser import parse_properties  # noqa: E402

LINES = [
    "# Outgoing mail, pasted from the application's documentation",
    "mail.transport.protocol=smtp",
    "mail.smtp.host=smtp.example.org",
    "mail.smtp.port=587   # submission",
    "mail.smtp.auth=true",
    "mail.smtp.starttls.enable=true",
    'mail.smtp.starttls.required="true"',
    "mail.smtp.ssl.checkserveridentity=true",
    "mail.smtp.ssl.protocols=TLSv1.2 TLSv1.3",
    "mail.smtp.connectiontimeout=30000",
    "mail.smtp.timeout=60000 ",
    "mail.smtp.writetimeout=60000",
    "mail.smtp.from=notifications@example.org",
    "mail.smtp.localhost=app01.example.org",
    "mail.smtp.dsn.notify=SUCCESS,FAILURE",
    "mail.smtp.dsn.ret=HDRS",
    "mail.smtp.allow8bitmime=true",
    "mail.smtp.auth.mechanisms=LOGIN PLAIN",
    "mail.smtp.sendpartial=false",
    "mail.smtp.quitwait=true",
    "mail.smtp.starttls.enabled=true",
    "mail.smtp.localport=58x7",
]


def sixty_lines() -> str:
    lines = list(LINES)
    while len(lines) < 60:
        n = len(lines)
        lines += ["", f"# section {n}: see the vendor's documentation for the details"]
    return "\n".join(lines[:60]) + "\n"


def medians_ms(funcs: list[Callable[[], object]], runs: int) -> list[float]:
    """Median time of each function, the functions run in turn."""
    for func in funcs:
        for _ in range(10):
            func()
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for func, spent in zip(funcs, times, strict=True):
            start = time.perf_counter()
            func()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1000 for spent in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    text = sixty_lines()
    settings = Settings(server=ServerSettings(
        enabled=True, username="notifications@example.org",
        default_sender="App <notifications@example.org>",
        password=SecretRef("server.password", env="MAILTUI_PASSWORD")))
    report = diagnose_properties(text, settings)
    print(f"text: {text.count(chr(10))} lines, {len(report.properties)} properties, "
          f"{len(report.diagnostics)} diagnostics")
    parse, diagnose = medians_ms([lambda: parse_properties(text),
                                  lambda: diagnose_properties(text, settings)], args.runs)
    print(f"parse_properties alone     {parse:8.3f} ms (median of {args.runs})")
    print(f"diagnose_properties        {diagnose:8.3f} ms (median of {args.runs})")
    print(f"ratio diagnose / parse     {diagnose / parse:8.2f}")


if __name__ == "__main__":
    main()
