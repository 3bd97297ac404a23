"""Issue 8 #2 and #21: `mailtui --sandbox COMMAND` and the one-run overrides (-P, --from,
--user, --timeout, --password-env/--password-command), against real loopback servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.cli import main
from mailtui.config.paths import resolve_config_path
from mailtui.sandbox.server import SANDBOX_PASSWORD
from mailtui.sandbox.store import default_maildir, list_messages
from tests.integration.test_smtp_cli import assert_no_credentials, write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, USERNAME, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-overrides")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


@pytest.fixture
def server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir) as srv:
        yield srv


@pytest.fixture
def config(tmp_path: Path, server: RunningServer, ca_file: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration that points at the real (loopback) server `server`."""
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    return write_config(tmp_path / "mailtui.toml", server.port, ca_file)


def mailtui(*argv: str, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    run_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "mailtui", *argv], capture_output=True,
                          text=True, timeout=timeout, env=run_env, check=False,
                          stdin=subprocess.DEVNULL)


def sandbox_messages() -> list[tuple[str, tuple[str, ...]]]:
    return [(m.mail_from, m.rcpt_tos) for m in list_messages(default_maildir())]


# -- #2: --sandbox before a command -----------------------------------------------------------
def test_sandbox_flag_sends_to_a_fresh_sandbox_never_the_configured_server(
        config: Path, server: RunningServer) -> None:
    """`mailtui --sandbox send-test` used to ignore --sandbox and send through the real
    account of the configuration file."""
    proc = mailtui("--config", str(config), "--sandbox", "send-test", "--to", "x@example.org")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert server.received == []  # the configured server got nothing
    assert sandbox_messages() == [("sender@example.org", ("x@example.org",))]
    assert f":{server.port} " not in proc.stdout
    assert "runs against a sandbox started for this run" in proc.stderr
    assert "result: message accepted" in proc.stdout
    assert_no_credentials(proc.stdout, proc.stderr)
    assert SANDBOX_PASSWORD not in proc.stdout + proc.stderr


def test_sandbox_flag_with_send_probe_plan_and_check(
        config: Path, server: RunningServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--config", str(config), "--sandbox"]
    context = tmp_path / "ctx.json"
    context.write_text(json.dumps({"task_title": "T", "completed_by": "Ann",
                                   "completed_at": "2026-01-02", "task_url": "https://x.test/"}))
    assert main([*base, "send", "task_completed", "--to", "bob@example.org",
                 "--context", str(context)]) == 0
    assert sandbox_messages() == [("sender@example.org", ("bob@example.org",))]
    capsys.readouterr()
    assert main([*base, "probe", "--json"]) == 0
    probe = json.loads(capsys.readouterr().out)
    assert probe["host"] == "127.0.0.1" and probe["port"] != server.port
    assert probe["capabilities_after_tls"]["auth"]  # the sandbox's login is offered
    assert main([*base, "plan", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["host"] == "127.0.0.1" and plan["port"] != server.port
    assert plan["username"] == "sandbox"
    assert main([*base, "check"]) == 0
    assert "the sandbox started for this run: 0 error(s)" in capsys.readouterr().out
    assert server.received == []


@pytest.mark.parametrize("argv", [
    ["preset", "gmail"],
    ["properties", "import", "-"],
    ["sandbox", "--list"],
    ["events"],
    ["send-test", "-P", "mail.smtp.host=smtp.example.org"],
    ["send-test", "-P", "mail.smtp.port=25"],
])
def test_sandbox_flag_is_a_usage_error_where_it_cannot_apply(config: Path, argv: list[str],
                                                             server: RunningServer) -> None:
    before = config.read_bytes()
    proc = mailtui("--config", str(config), "--sandbox", *argv)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--sandbox" in proc.stderr and "Traceback" not in proc.stderr
    assert config.read_bytes() == before
    assert server.received == []


# -- #21: one-run overrides -----------------------------------------------------------------
def overrides_for(server: RunningServer, ca_file: Path) -> list[str]:
    return ["-P", "mail.smtp.host=127.0.0.1", "-P", f"mail.smtp.port={server.port}",
            "-P", "mail.smtp.starttls.enable=true", "-P", "mail.smtp.starttls.required=true",
            "-P", f"mailtui.ssl.cafile={ca_file}"]


def test_send_test_with_overrides_and_no_config_file(server: RunningServer, ca_file: Path,
                                                     tmp_path: Path) -> None:
    proc = mailtui("send-test", *overrides_for(server, ca_file), "--from", "a@example.org",
                   "--to", "b@example.org", "--user", USERNAME,
                   "--password-env", "SMTP_SECRET", "--timeout", "5",
                   env={"SMTP_SECRET": PASSWORD})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [got] = server.received
    assert got.mail_from == "a@example.org" and got.rcpt_tos == ["b@example.org"]
    assert got.authenticated_as == USERNAME  # --user turned AUTH on
    assert b"From: a@example.org" in got.data
    assert not resolve_config_path().exists()  # nothing written anywhere
    assert_no_credentials(proc.stdout, proc.stderr)


def test_overrides_win_over_the_file_and_are_never_written(
        tmp_path: Path, server: RunningServer, ca_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    path = write_config(tmp_path / "m.toml", 1, ca_file,  # port 1: nothing listens there
                        extra='"mail.smtp.from" = "bounces@example.org"\n')
    before = path.read_bytes()
    proc = mailtui("--config", str(path), "send-test", "-P", f"mail.smtp.port={server.port}",
                   "--from", "Ops <ops@example.org>")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [got] = server.received
    assert got.mail_from == "ops@example.org"  # --from moved mail.smtp.from too
    assert b"From: Ops <ops@example.org>" in got.data
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.toml"]


def test_timeout_override_bounds_every_wait(good_cert: Issued, workdir: Path, ca_file: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(stall_at="greeting", stall_seconds=8)) as srv:
        code = main(["probe", "--json", *overrides_for(srv, ca_file), "--timeout", "1.5"])
    data = json.loads(capsys.readouterr().out)
    assert code == 29
    assert any("no progress within 1.5 s" in e["text"] for e in data["transcript"])
    assert main(["plan", "--json", "-P", "mail.smtp.host=h.example.org", "--timeout", "2.5",
                 "-P", "mail.smtp.timeout=9000"]) == 0
    timeouts = json.loads(capsys.readouterr().out)["timeouts"]
    assert timeouts == {"connect": 2.5, "read": 9.0, "write": 2.5}  # an explicit -P wins


@pytest.mark.parametrize(("argv", "code", "named"), [
    (["-P", "mail.smtp.port=58x7"], 3, "-P mail.smtp.port: '58x7' is not a port number"),
    (["-P", "mail.smtp.auth=yes"], 3, "-P mail.smtp.auth:"),
    (["-P", "mail.smtp.host=a\rRSET"], 3, "-P mail.smtp.host: the value holds a line break"),
    (["-P", "mail.smtp.password=Hunter2-secret"], 3, "-P mail.smtp.password: a password never"),
    (["-P", "mail.smtp.port"], 2, "-P mail.smtp.port: expected KEY=VALUE"),
    (["--timeout", "soon"], 3, "--timeout: 'soon' is not a number of seconds"),
    (["--timeout", "0"], 3, "--timeout: '0'"),
    (["--from", "bob@"], 3, "--from: 'bob@' is not an email address"),
    (["--password-env", "NOT_SET_ANYWHERE"], 3, "--password-env names $NOT_SET_ANYWHERE"),
])
def test_bad_overrides_name_the_flag_and_send_nothing(
        config: Path, server: RunningServer, argv: list[str], code: int, named: str) -> None:
    proc = mailtui("--config", str(config), "send-test", *argv)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert named in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "Hunter2-secret" not in proc.stdout + proc.stderr
    assert server.received == []


def test_password_command_override(server: RunningServer, ca_file: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "secret.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{PASSWORD}'\n")
    script.chmod(0o700)
    argv = ["send-test", *overrides_for(server, ca_file), "--to", "b@example.org",
            "--from", "a@example.org", "--user", USERNAME]
    assert main([*argv, "--password-command", str(script)]) == 0
    assert len(server.received) == 1
    failing = tmp_path / "fails.sh"
    failing.write_text("#!/bin/sh\nexit 4\n")
    failing.chmod(0o700)
    assert main([*argv, "--password-command", str(failing)]) == 3
    out, err = capsys.readouterr()
    assert "--password-command exited with status 4" in err
    assert len(server.received) == 1
    assert_no_credentials(out, err)


def test_check_and_plan_apply_the_overrides(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", "not-shown-anywhere")
    assert main(["check", "-P", "mail.smtp.host=smtp.example.org",
                 "-P", "mail.smtp.port=58x7"]) == 3
    out = capsys.readouterr().out
    assert "-P mail.smtp.port: '58x7' is not a port number" in out
    assert "(no file) with the command-line overrides: 1 error(s)" in out
    assert main(["plan", "--json", "-P", "mail.smtp.host=smtp.example.org",
                 "-P", "mail.smtp.starttls.required=true", "--user", "me@example.org",
                 "--password-env", "MAILTUI_TEST_PASSWORD", "--from", "me@example.org",
                 "-P", "mail.smtp.hots=x"]) == 0
    captured = capsys.readouterr()
    plan = json.loads(captured.out)
    assert plan["auth"] is True and plan["username"] == "me@example.org"
    assert plan["envelope_from"] == "me@example.org"
    assert "-P mail.smtp.hots: unknown property" in captured.err
    assert "did you mean mail.smtp.host?" in captured.err
    assert not resolve_config_path().exists()


def _run_on_a_terminal(argv: list[str], answer: bytes, deadline: float = 60) -> tuple[int, bytes]:
    """Run mailtui with a pseudo-terminal as its controlling terminal; type ``answer`` when
    it asks for the password. Returns (exit code, everything the terminal showed)."""
    import pty
    import select
    import time

    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once
        try:
            os.execve(sys.executable, [sys.executable, "-m", "mailtui", *argv], env)
        finally:
            os._exit(127)
    shown = b""
    answered = False
    end = time.monotonic() + deadline
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if not answered and b"password for" in shown:
                os.write(fd, answer + b"\n")
                answered = True
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown


def test_password_prompt_asks_on_the_terminal_without_echo(server: RunningServer,
                                                           ca_file: Path) -> None:
    argv = ["send-test", *overrides_for(server, ca_file), "--from", "a@example.org",
            "--to", "b@example.org", "--user", USERNAME, "--password-prompt"]
    code, shown = _run_on_a_terminal(argv, PASSWORD.encode())
    text = shown.decode("utf-8", "replace")
    assert code == 0, text
    assert f"mailtui: password for {USERNAME} at 127.0.0.1: " in text
    assert [r.authenticated_as for r in server.received] == [USERNAME]
    assert_no_credentials(text)  # not echoed, not in the transcript


def test_password_prompt_without_a_terminal_is_refused(server: RunningServer,
                                                       ca_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mailtui", "send-test", *overrides_for(server, ca_file),
         "--from", "a@example.org", "--to", "b@example.org", "--user", USERNAME,
         "--password-prompt"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        start_new_session=True, check=False)  # no controlling terminal at all
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "--password-prompt needs a terminal" in proc.stderr
    assert server.received == []


def test_no_password_source_points_at_the_one_run_flags(
        server: RunningServer, ca_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send-test", *overrides_for(server, ca_file), "--from", "a@example.org",
                 "--to", "b@example.org", "--user", USERNAME]) == 3
    out = capsys.readouterr().out
    assert "no password is available" in out
    assert "--password-env NAME, --password-command CMD or --password-prompt" in out
    assert server.received == []
