"""Benchmark: ``mailtui send-test`` vs a minimal ``smtplib`` script, same message, same server.

Both run as fresh processes (what a sysadmin or a cron job pays), against one local aiosmtpd
server started here; the repetitions alternate; the figure is the ratio of the medians of the
process wall times. Target: <= 1.3.

    .venv/bin/python bench/bench_send_test.py [--runs 15] [--tls]

``--tls`` runs both over STARTTLS + AUTH PLAIN with a verified certificate (a CA made here).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.pki import Authority  # noqa: E402
from tests.support.smtpserver import PASSWORD, USERNAME, start_server  # noqa: E402

RECIPIENT = "admin@example.org"

# The engine alone (no CLI, no config file): what this package's SMTP layer costs.
ENGINE = """\
import sys
from mailtui.javamail.plan import Plan
from mailtui.smtp.testsend import run_test_send
host, port, tls, path = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
plan = Plan(host=host, port=port, security="starttls-required" if tls else "none", auth=tls,
            mechanisms=("PLAIN",), verify_certificate=True, check_server_identity=True,
            ehlo_name="bench.example.org", username=sys.argv[6], ca_file=sys.argv[5])
result = run_test_send(plan, sys.argv[7], open(path, "rb").read(), [sys.argv[9]],
                       envelope_from=sys.argv[8])
sys.exit(result.exit_code)
"""

BASELINE = """\
import smtplib, ssl, sys
host, port, tls, path = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
message = open(path, "rb").read()
with smtplib.SMTP(host, port, timeout=30, local_hostname="bench.example.org") as smtp:
    if tls:
        context = ssl.create_default_context()  # system store + the test CA, as mailtui
        context.load_verify_locations(cafile=sys.argv[5])
        smtp.starttls(context=context)
        smtp.login(sys.argv[6], sys.argv[7])
    smtp.sendmail(sys.argv[8], [sys.argv[9]], message)
"""


def write_config(path: Path, port: int, tls: bool, ca_file: Path | None) -> None:
    props = ['"mail.smtp.host" = "127.0.0.1"', f'"mail.smtp.port" = "{port}"',
             '"mail.smtp.localhost" = "bench.example.org"']
    if tls:
        props += ['"mail.smtp.auth" = "true"', '"mail.smtp.starttls.enable" = "true"',
                  '"mail.smtp.starttls.required" = "true"',
                  '"mail.smtp.auth.mechanisms" = "PLAIN"',
                  f'"mailtui.ssl.cafile" = "{ca_file}"']
    path.write_text(
        "[server]\nenabled = true\n"
        f'username = "{USERNAME}"\npassword_env = "BENCH_PASSWORD"\n'
        f'default_sender = "Bench <{USERNAME}>"\ntest_recipient = "{RECIPIENT}"\n\n'
        "[server.properties]\n" + "\n".join(props) + "\n", encoding="utf-8")
    path.chmod(0o600)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                          timeout=60)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tls", action="store_true", help="STARTTLS + AUTH on both sides")
    args = parser.parse_args()

    from mailtui.mail.testmessage import build_test_message

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ca = Authority()
        ca_file = ca.write_ca(work / "ca.pem")
        cert = ca.issue_server(("localhost", "127.0.0.1"))
        mode = "starttls" if args.tls else "plain"
        with start_server(mode=mode, cert=cert, workdir=work) as server:
            config = work / "mailtui.toml"
            write_config(config, server.port, args.tls, ca_file)
            message = work / "message.eml"
            message.write_bytes(build_test_message(f"Bench <{USERNAME}>", RECIPIENT))
            # Bytecode as an installed package has it (pip compiles at install time), kept out
            # of the source tree: a private pycache, filled by the warm-up runs.
            env = dict(os.environ, BENCH_PASSWORD=PASSWORD,
                       PYTHONPYCACHEPREFIX=str(work / "pycache"))
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env.pop("MAILTUI_CONFIG", None)
            mailtui = [sys.executable, "-m", "mailtui", "--config", str(config), "send-test"]
            baseline = [sys.executable, "-c", BASELINE, "127.0.0.1", str(server.port),
                        "1" if args.tls else "0", str(message), str(ca_file), USERNAME,
                        PASSWORD, USERNAME, RECIPIENT]
            engine = [sys.executable, "-c", ENGINE, *baseline[3:]]
            timed(mailtui, env)  # warm the page cache and bytecode
            timed(baseline, env)
            timed(engine, env)
            ours: list[float] = []
            theirs: list[float] = []
            engine_only: list[float] = []
            for _ in range(args.runs):
                ours.append(timed(mailtui, env))
                theirs.append(timed(baseline, env))
                engine_only.append(timed(engine, env))
            delivered = len(server.received)
    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
    label = "STARTTLS + AUTH PLAIN" if args.tls else "plain SMTP, no AUTH"
    print(f"send-test vs minimal smtplib script ({label}, {args.runs} runs each, "
          f"{delivered} messages delivered)")
    print(f"  mailtui send-test : median {m_ours * 1000:7.1f} ms "
          f"(min {min(ours) * 1000:.1f}, max {max(ours) * 1000:.1f})")
    print(f"  smtplib script    : median {m_theirs * 1000:7.1f} ms "
          f"(min {min(theirs) * 1000:.1f}, max {max(theirs) * 1000:.1f})")
    m_engine = statistics.median(engine_only)
    print(f"  engine only       : median {m_engine * 1000:7.1f} ms "
          "(run_test_send from a Plan: no CLI, no config file)")
    print(f"  ratio             : {m_ours / m_theirs:.2f} (target <= 1.3)")
    print(f"  ratio engine only : {m_engine / m_theirs:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
