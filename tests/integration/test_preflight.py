"""What is checked before connecting (issue 8 review, items E, H and I), against real loopback
servers: values that end up in SMTP commands (the EHLO name), the TLS files and the pin. A
refusal is exit 3 (sendmail: 78) naming the one key at fault, and nothing reaches the server;
the client's own safety net turns a character it cannot send into a configuration error."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.errors import ConfigError
from mailtui.mail.testmessage import build_test_message
from mailtui.smtp.stages import Stage
from mailtui.smtp.testsend import run_test_send
from tests.integration.test_smtp_cli import write_config
from tests.integration.test_smtp_session import Certs, make_plan
from tests.support.pki import Authority, Issued, self_signed_server
from tests.support.smtpserver import PASSWORD, RunningServer, start_server

pytestmark = pytest.mark.integration

RCPT = "admin@example.org"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("preflight")


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


def mailtui(*argv: str, cwd: Path | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "MAILTUI_TEST_PASSWORD": PASSWORD}
    return subprocess.run([sys.executable, "-m", "mailtui", *argv], capture_output=True,
                          text=True, timeout=60, env=env, check=False, cwd=cwd, input=stdin)


MESSAGE = "From: a@example.org\nTo: admin@example.org\nSubject: x\n\nhello\n"
COMMANDS = [(["send-test"], 3), (["probe"], 3), (["probe", "--rcpt", RCPT], 3),
            (["send", "test_message", "--to", RCPT], 3), (["sendmail", RCPT], 78)]


def assert_refused_before_connecting(proc: subprocess.CompletedProcess[str], code: int,
                                     server: RunningServer, *words: str) -> None:
    text = proc.stdout + proc.stderr
    assert proc.returncode == code, text
    for word in words:
        assert word in text, (word, text)
    assert "internal error" not in text and "Traceback" not in text
    assert "EHLO" not in proc.stdout and "connecting to" not in text  # nothing was sent
    assert server.received == []


# -- E: the EHLO name ----------------------------------------------------------------------
@pytest.mark.parametrize(("argv", "code"), COMMANDS, ids=lambda v: str(v))
def test_a_non_ascii_ehlo_name_in_the_file_is_refused_before_connecting(
        tmp_path: Path, server: RunningServer, ca_file: Path, argv: list[str],
        code: int) -> None:
    config = write_config(tmp_path / "m.toml", server.port, ca_file,
                          extra='"mail.smtp.localhost" = "hé"\n')
    proc = mailtui("--config", str(config), *argv, stdin=MESSAGE)
    assert_refused_before_connecting(proc, code, server, "mail.smtp.localhost", "xn--h-bga")


def test_a_non_ascii_ehlo_name_with_p_is_refused_naming_the_flag(
        server: RunningServer) -> None:
    proc = mailtui("send-test", "-P", "mail.smtp.host=127.0.0.1", "-P",
                   f"mail.smtp.port={server.port}", "-P", "mail.smtp.localhost=hé",
                   "--from", "a@example.org", "--to", RCPT)
    assert_refused_before_connecting(proc, 3, server, "-P mail.smtp.localhost",
                                     "use its IDNA form: xn--h-bga")


def test_check_and_import_report_the_ehlo_name_with_its_line(
        tmp_path: Path, ca_file: Path) -> None:
    config = write_config(tmp_path / "m.toml", 2525, ca_file,
                          extra='"mail.smtp.localhost" = "hé"\n')
    line = config.read_text().splitlines().index('"mail.smtp.localhost" = "hé"') + 1
    proc = mailtui("--config", str(config), "check")
    assert proc.returncode == 3
    assert f"{config}:{line}: error: mail.smtp.localhost: 'hé' is not ASCII" in proc.stdout
    props = tmp_path / "p.properties"
    props.write_text("mail.smtp.localhost=h\\u00e9\n")
    proc = mailtui("--config", str(config), "properties", "import", str(props))
    assert proc.returncode == 3 and f"{props}:1: error: mail.smtp.localhost" in proc.stdout


def test_the_client_never_lets_an_encoding_error_escape(
        good_cert: Issued, workdir: Path, ca_file: Path) -> None:
    """The safety net: a plan made without the checks (the embedding API can build one)."""
    certs = Certs(workdir=workdir, ca_file=str(ca_file), good=good_cert, wrong_host=good_cert,
                  self_signed=self_signed_server(("localhost",)))
    with start_server(mode="starttls", cert=good_cert, workdir=workdir) as srv:
        plan = make_plan(srv, certs, ehlo_name="hé.example")
        with pytest.raises(ConfigError) as info:
            run_test_send(plan, PASSWORD, build_test_message("sender@example.org", RCPT),
                          [RCPT])
    assert "the EHLO name (mail.smtp.localhost) cannot be sent" in info.value.message
    assert "'é' is not ASCII" in info.value.message and "IDNA" in (info.value.hint or "")
    assert srv.received == []


# -- H: a malformed pin --------------------------------------------------------------------
def test_a_malformed_pin_is_a_lint_error_with_its_line_not_a_stop(
        tmp_path: Path, server: RunningServer, ca_file: Path) -> None:
    config = write_config(tmp_path / "m.toml", server.port, ca_file,
                          extra='"mailtui.ssl.fingerprint" = "AB:CD"\n'
                                '"mail.smtp.auth.mechanisms" = "NOPE"\n')
    lines = config.read_text().splitlines()
    pin_line = lines.index('"mailtui.ssl.fingerprint" = "AB:CD"') + 1
    proc = mailtui("--config", str(config), "check")
    assert proc.returncode == 3
    assert f"{config}:{pin_line}: error: mailtui.ssl.fingerprint: 'AB:CD' is not a SHA-256" \
        in proc.stdout
    assert "mail.smtp.auth.mechanisms" in proc.stdout  # the other error is not hidden
    assert "properties export" not in proc.stdout
    assert "copy the SHA-256 fingerprint `mailtui probe` shows" in proc.stdout
    proc = mailtui("--config", str(config), "plan")
    assert proc.returncode == 3 and "Errors:" in proc.stdout
    assert "mailtui.ssl.fingerprint: 'AB:CD'" in proc.stdout
    for argv, code in COMMANDS:
        proc = mailtui("--config", str(config), *argv, stdin=MESSAGE)
        assert_refused_before_connecting(proc, code, server, "mailtui.ssl.fingerprint")


# -- I: the TLS files, one pre-flight check ------------------------------------------------
@pytest.mark.parametrize("key", ["mailtui.ssl.certfile", "mailtui.ssl.keyfile",
                                 "mailtui.ssl.cafile"])
@pytest.mark.parametrize(("argv", "code"), COMMANDS[:-1], ids=lambda v: str(v))
def test_a_missing_tls_file_given_with_p_stops_before_connecting(
        tmp_path: Path, server: RunningServer, ca_file: Path, client_pair: tuple[Path, Path],
        key: str, argv: list[str], code: int) -> None:
    config = write_config(tmp_path / "m.toml", server.port, ca_file)
    cert, private = client_pair
    present = {"mailtui.ssl.certfile": f"mailtui.ssl.certfile={cert}",
               "mailtui.ssl.keyfile": f"mailtui.ssl.keyfile={private}"}
    flags = [v for k, v in present.items() if k != key and key != "mailtui.ssl.cafile"]
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    proc = mailtui("--config", str(config), *argv, "-P", f"{key}=missing.pem",
                   *[a for f in flags for a in ("-P", f)], cwd=cwd, stdin=MESSAGE)
    assert_refused_before_connecting(proc, code, server, f"{key}: {cwd / 'missing.pem'}",
                                     "no such file" if key != "mailtui.ssl.cafile"
                                     else "No such file")
    others = {"mailtui.ssl.certfile", "mailtui.ssl.keyfile", "mailtui.ssl.cafile"} - {key}
    fix = next(line for line in proc.stderr.splitlines() if "fix:" in line)
    assert key in fix and not any(f"fix {o}" in fix or f"make {o}" in fix for o in others)
    assert "configuration file's folder" not in proc.stderr  # -P: the current directory
    assert "starts from its folder" not in proc.stderr


@pytest.fixture(scope="module")
def client_pair(test_ca: Authority, workdir: Path) -> tuple[Path, Path]:
    return test_ca.issue_client().write(workdir / "client", "preflight-client")


@pytest.mark.parametrize("key", ["mailtui.ssl.certfile", "mailtui.ssl.cafile"])
def test_sendmail_checks_the_tls_files_before_connecting(
        tmp_path: Path, server: RunningServer, ca_file: Path, key: str) -> None:
    config = write_config(tmp_path / "m.toml", server.port, ca_file)
    text = config.read_text().replace(f'"mailtui.ssl.cafile" = "{ca_file}"\n', "")
    config.write_text(text + f'"{key}" = "{tmp_path / "gone.pem"}"\n')
    proc = mailtui("--config", str(config), "sendmail", RCPT, stdin=MESSAGE)
    assert_refused_before_connecting(proc, 78, server, f"{key}: {tmp_path / 'gone.pem'}")


def test_a_relative_tls_file_in_the_file_names_its_folder(
        tmp_path: Path, server: RunningServer, ca_file: Path) -> None:
    config = write_config(tmp_path / "m.toml", server.port, ca_file,
                          extra='"mailtui.ssl.certfile" = "tls/c.pem"\n')
    proc = mailtui("--config", str(config), "send-test", cwd=Path("/"))
    assert_refused_before_connecting(proc, 3, server, f"{tmp_path / 'tls' / 'c.pem'}",
                                     f"a relative path in the file starts from its folder, "
                                     f"{tmp_path}")


def test_a_session_without_the_pre_flight_names_the_one_key_in_its_fix(
        good_cert: Issued, workdir: Path, ca_file: Path, tmp_path: Path) -> None:
    """The session's own TLS-configuration failure (no pre-flight: the embedding API)."""
    certs = Certs(workdir=workdir, ca_file=str(ca_file), good=good_cert, wrong_host=good_cert,
                  self_signed=self_signed_server(("localhost",)))
    with start_server(mode="starttls", cert=good_cert, workdir=workdir) as srv:
        plan = make_plan(srv, certs, client_cert=str(tmp_path / "gone.pem"))
        result = run_test_send(plan, PASSWORD, build_test_message("sender@example.org", RCPT),
                               [RCPT])
    assert result.stage == Stage.CONFIG and result.exit_code == 3
    assert result.fix == "fix mailtui.ssl.certfile"
    assert "mailtui.ssl.certfile" in (result.explanation or "")
