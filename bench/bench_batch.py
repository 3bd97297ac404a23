"""Benchmark: ``mailtui send --batch`` throughput vs a plain smtplib loop, in one run.

Against one local aiosmtpd server (loopback, plain SMTP, PIPELINING advertised):
  - mailtui: render + compose + send N notifications from a JSONL batch (one connection,
    results journal written), measured in-process around ``run_batch``;
  - baseline: a plain ``smtplib`` loop sending the same messages, pre-built, over one
    connection;
  - for comparison: one ``mailtui send`` process per message.
Prints messages per second for each and the ratio mailtui / baseline (target >= 0.8).

    .venv/bin/python bench/bench_batch.py [--messages 300] [--processes 10]
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.smtpserver import Faults, start_server  # noqa: E402

from mailtui.config.store import load_settings  # noqa: E402
from mailtui.events.catalog import load_catalog  # noqa: E402
from mailtui.outbox.batch import read_batch, run_batch  # noqa: E402
from mailtui.outbox.build import MessageBuilder  # noqa: E402

EVENTS = ("task_assigned_to_you", "loan_reminder", "security_new_ip_login", "record_shared")


def write_inputs(work: Path, port: int, count: int) -> tuple[Path, Path]:
    config = work / "mailtui.toml"
    config.write_text(
        '[server]\nenabled = true\ndefault_sender = "Records <records@example.org>"\n'
        '[server.properties]\n"mail.smtp.host" = "127.0.0.1"\n'
        f'"mail.smtp.port" = "{port}"\n')
    catalog = load_catalog()
    lines = []
    for i in range(count):
        event = EVENTS[i % len(EVENTS)]
        context = catalog.get(event).samples("en")
        lines.append(json.dumps({"event": event, "to": f"user{i}@example.org",
                                 "context": context, "locale": "fr" if i % 2 else "en"},
                                default=str))
    batch = work / "batch.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    return config, batch


def bench_mailtui(config: Path, batch: Path) -> tuple[float, int]:
    settings = load_settings(config)
    items = read_batch(batch)
    results = batch.with_name(f"results-{time.monotonic_ns()}.jsonl")
    started = time.perf_counter()
    summary = run_batch(settings, items, results)
    elapsed = time.perf_counter() - started
    assert summary.counts == {"sent": len(items)}, summary.counts
    return elapsed, len(items)


def bench_smtplib(config: Path, batch: Path, port: int) -> tuple[float, int]:
    settings = load_settings(config)
    builder = MessageBuilder(settings)
    prebuilt = [builder.build(i.event, i.to, i.context, locale=i.locale)
                for i in read_batch(batch)]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for message in prebuilt:
            smtp.sendmail(message.envelope_from, list(message.recipients), message.data)
    return time.perf_counter() - started, len(prebuilt)


def bench_deliver(config: Path, batch: Path) -> tuple[float, int]:
    """mailtui's transport alone: the same pre-built messages through its Deliverer."""
    from mailtui.javamail.resolve import resolve_plan
    from mailtui.outbox.deliver import Deliverer

    settings = load_settings(config)
    builder = MessageBuilder(settings)
    prebuilt = [builder.build(i.event, i.to, i.context, locale=i.locale)
                for i in read_batch(batch)]
    started = time.perf_counter()
    with Deliverer(resolve_plan(settings, with_lint=False), None) as deliverer:
        for message in prebuilt:
            assert deliverer.deliver(message).ok
    return time.perf_counter() - started, len(prebuilt)


def bench_processes(config: Path, batch: Path, count: int) -> tuple[float, int]:
    item = read_batch(batch)[0]
    context = batch.with_name("context.json")
    context.write_text(json.dumps(item.context, default=str))
    mailtui = [sys.executable, "-m", "mailtui", "--config", str(config), "send", item.event,
               "--to", item.to[0], "--context", str(context)]
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(batch.parent / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else every process recompiles everything
    subprocess.run(mailtui, check=True, capture_output=True, env=env)  # warm the cache
    started = time.perf_counter()
    for _ in range(count):
        subprocess.run(mailtui, check=True, capture_output=True, env=env)
    return time.perf_counter() - started, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--processes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_server(
        mode="plain", auth=False, faults=Faults(advertise=("PIPELINING",))
    ) as server:
        work = Path(tmp)
        config, batch = write_inputs(work, server.port, args.messages)
        bench_smtplib(config, batch, server.port)  # warm-up: imports, templates, server
        rows = []
        for name, run in (("smtplib loop (pre-built)", lambda: bench_smtplib(
                              config, batch, server.port)),
                          ("mailtui send --batch", lambda: bench_mailtui(config, batch)),
                          ("mailtui transport (pre-built)", lambda: bench_deliver(config,
                                                                                  batch))):
            best = min((run() for _ in range(3)), key=lambda r: r[0] / r[1])
            rows.append((name, best[1] / best[0]))
        per_process = bench_processes(config, batch, args.processes)
        print(f"batch throughput, {args.messages} notifications, loopback aiosmtpd "
              "(best of 3 runs each)")
        for name, rate in rows:
            print(f"  {name:<30}: {rate:8.1f} msg/s")
        print(f"  {'one mailtui process/message':<30}: "
              f"{per_process[1] / per_process[0]:8.1f} msg/s ({args.processes} processes)")
        print(f"  ratio mailtui / smtplib     : {rows[1][1] / rows[0][1]:.2f} (target >= 0.8; "
              "mailtui renders and composes each message, the loop sends pre-built ones)")
        print(f"  ratio transport / smtplib   : {rows[2][1] / rows[0][1]:.2f} (same pre-built "
              "messages on both sides)")
        print(f"  server received {len(server.received)} messages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
