"""``mailtui sendmail``: the sendmail-compatible entry, as a process, against real servers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_smtp_cli import assert_no_credentials, write_config
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import PASSWORD, USERNAME, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sendmail")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


@pytest.fixture
def server(cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=cert, workdir=workdir) as srv:
        yield srv


def sendmail(config: Path, *args: str, data: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "MAILTUI_TEST_PASSWORD": PASSWORD}
    return subprocess.run([sys.executable, "-m", "mailtui", "--config", str(config),
                           "sendmail", *args], input=data, capture_output=True, env=env,
                          timeout=60, check=False)


def config_for(tmp_path: Path, srv: RunningServer, ca_file: Path, **kw: bool) -> Path:
    return write_config(tmp_path / "mailtui.toml", srv.port, ca_file, **kw)


def head_and_body(data: bytes) -> tuple[str, bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode("utf-8"), body


def test_t_reads_to_cc_bcc_and_removes_bcc(tmp_path: Path, server: RunningServer,
                                           ca_file: Path) -> None:
    message = (b"To: Ann <ann@example.org>, bob@example.org\n"
               b"Cc: carol@example.org\n"
               b"Bcc: hidden@example.org,\n  other-hidden@example.org\n"
               b"Subject: nightly backup\n\nAll good.\n")
    proc = sendmail(config_for(tmp_path, server, ca_file), "-t", "-i", data=message)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"" and proc.stderr == b""  # silent on success, as sendmail
    [got] = server.received
    assert got.rcpt_tos == ["ann@example.org", "bob@example.org", "carol@example.org",
                            "hidden@example.org", "other-hidden@example.org"]
    assert got.mail_from == USERNAME
    head, body = head_and_body(got.data)
    assert "hidden" not in head and "Bcc" not in head
    assert "Subject: nightly backup" in head
    assert f"From: Records <{USERNAME}>" in head  # added from server.default_sender
    assert "\r\nDate: " in head and "\r\nMessage-ID: <" in head and "@example.org>" in head
    assert body == b"All good.\r\n"


def test_command_line_recipients_and_existing_headers_kept(
        tmp_path: Path, server: RunningServer, ca_file: Path) -> None:
    message = (b"From: App <app@example.org>\nDate: Tue, 1 Dec 2026 10:00:00 +0000\n"
               b"Message-ID: <keep@example.org>\nTo: listed@example.org\nSubject: x\n\nhi\n")
    proc = sendmail(config_for(tmp_path, server, ca_file), "-f", "bounce@example.org",
                    "a@example.org, b@example.org", "c@example.org", data=message)
    assert proc.returncode == 0, proc.stderr
    [got] = server.received
    # without -t the headers' recipients are not used
    assert got.rcpt_tos == ["a@example.org", "b@example.org", "c@example.org"]
    assert got.mail_from == "bounce@example.org"
    head, _ = head_and_body(got.data)
    assert head.count("From:") == 1 and "From: App <app@example.org>" in head
    assert head.count("Date:") == 1 and head.count("Message-ID:") == 1
    assert "Message-ID: <keep@example.org>" in head


def test_f_and_F_make_the_missing_from(tmp_path: Path, server: RunningServer,
                                       ca_file: Path) -> None:
    proc = sendmail(config_for(tmp_path, server, ca_file), "-FCronDaemon", "-f",
                    "cron@example.org", "admin@example.org", data=b"Subject: cron\n\nout\n")
    assert proc.returncode == 0, proc.stderr
    head, _ = head_and_body(server.received[0].data)
    assert "From: CronDaemon <cron@example.org>" in head
    assert server.received[0].mail_from == "cron@example.org"


def test_lone_dot_ends_input_unless_i(tmp_path: Path, server: RunningServer,
                                      ca_file: Path) -> None:
    config = config_for(tmp_path, server, ca_file)
    message = b"Subject: dots\n\nbefore\n.\nafter\n"
    assert sendmail(config, "admin@example.org", data=message).returncode == 0
    assert sendmail(config, "-oi", "admin@example.org", data=message).returncode == 0
    first, second = (head_and_body(r.data)[1] for r in server.received)
    assert first == b"before\r\n"
    assert second == b"before\r\n.\r\nafter\r\n"  # dot-stuffed on the wire, intact on arrival


def test_cron_and_php_flags_are_accepted(tmp_path: Path, server: RunningServer,
                                         ca_file: Path) -> None:
    # Debian cron, cronie and PHP's usual command lines.
    config = config_for(tmp_path, server, ca_file)
    for flags in (["-FCronDaemon", "-i", "-B8BITMIME", "-oem", "admin@example.org"],
                  ["-FCronDaemon", "-odi", "-oem", "-oi", "-t"],
                  ["-ti", "-f", "web@example.org"]):
        proc = sendmail(config, *flags, data=b"To: admin@example.org\nSubject: s\n\nb\n")
        assert proc.returncode == 0, (flags, proc.stderr)
    assert len(server.received) == 3


def test_8bit_and_utf8_message_goes_out_unchanged(tmp_path: Path, server: RunningServer,
                                                  ca_file: Path) -> None:
    message = ("To: zoë@example.org\nSubject: Résumé prêt ✓\n"
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
               "\nCafé crème — 日本語\n").encode()
    proc = sendmail(config_for(tmp_path, server, ca_file), "-t", data=message)
    assert proc.returncode == 0, proc.stderr
    [got] = server.received
    assert got.rcpt_tos == ["zoë@example.org"]
    assert "SMTPUTF8" in got.mail_options and "BODY=8BITMIME" in got.mail_options
    head, body = head_and_body(got.data)
    assert "Subject: Résumé prêt ✓" in head
    assert body == "Café crème — 日本語\r\n".encode()


def test_message_without_header_is_all_body(tmp_path: Path, server: RunningServer,
                                            ca_file: Path) -> None:
    proc = sendmail(config_for(tmp_path, server, ca_file), "admin@example.org",
                    data=b"backup finished\nsecond line\n")
    assert proc.returncode == 0, proc.stderr
    head, body = head_and_body(server.received[0].data)
    assert "From: Records" in head and "backup" not in head
    assert body == b"backup finished\r\nsecond line\r\n"


def test_verbose_transcript_on_stderr_without_secrets(tmp_path: Path, server: RunningServer,
                                                      ca_file: Path) -> None:
    proc = sendmail(config_for(tmp_path, server, ca_file), "-v", "admin@example.org",
                    data=b"Subject: v\n\nb\n")
    assert proc.returncode == 0
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert "C: STARTTLS" in err and "AUTH LOGIN" in err and "RCPT TO:<admin@example.org>" in err
    assert "result: sent to admin@example.org" in err
    assert_no_credentials(err)


@pytest.mark.parametrize(("faults", "expected", "words"), [
    (Faults(rcpt="550 5.1.1 No such user"), 67, "550 5.1.1 No such user"),
    (Faults(rcpt="450 4.2.0 Greylisted, try again later"), 75, "450"),
    (Faults(auth="535 5.7.8 Authentication credentials invalid"), 77, "535"),
    (Faults(mail="553 5.7.1 Sender not allowed"), 69, "553"),
    (Faults(after_data="554 5.7.1 Spam"), 69, "554"),
    (Faults(close_at="after-data"), 74, "may have been delivered"),
    (Faults(stall_at="rcpt", stall_seconds=3), 75, "timeout"),
    (Faults(ehlo="502 5.5.2 Error: command not recognized"), 76, "502"),
])
def test_server_refusals_map_to_sysexits(tmp_path: Path, cert: Issued, workdir: Path,
                                         ca_file: Path, faults: Faults, expected: int,
                                         words: str) -> None:
    with start_server(mode="starttls", cert=cert, workdir=workdir, faults=faults) as srv:
        proc = sendmail(config_for(tmp_path, srv, ca_file), "admin@example.org",
                        data=b"Subject: s\n\nb\n")
    assert proc.returncode == expected, proc.stderr
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("mailtui sendmail: ")  # one line
    assert words in err and "Traceback" not in err
    assert_no_credentials(err)


def test_connection_refused_is_tempfail(tmp_path: Path, ca_file: Path) -> None:
    from tests.support.smtpserver import free_port

    config = write_config(tmp_path / "mailtui.toml", free_port(), ca_file)
    proc = sendmail(config, "admin@example.org", data=b"Subject: s\n\nb\n")
    assert proc.returncode == 75, proc.stderr
    assert b"refused" in proc.stderr


@pytest.mark.parametrize(("args", "data", "expected", "words"), [
    ((), b"Subject: s\n\nb\n", 64, "no recipient"),
    (("-t",), b"Subject: no To\n\nb\n", 64, "no recipient"),
    (("root",), b"Subject: s\n\nb\n", 65, "'root' is a local user name"),
    (("-t",), b"To: bob@\nSubject: s\n\nb\n", 65, "To header: 'bob@' is not an email address"),
    (("--no-such-flag", "a@example.org"), b"", 64, "--no-such-flag"),
    (("-bp",), b"", 64, "-bp is not supported"),
    (("-N", "sometimes", "a@example.org"), b"", 64, "-N"),
])
def test_bad_input_exits_with_sysexits(tmp_path: Path, server: RunningServer, ca_file: Path,
                                       args: tuple[str, ...], data: bytes, expected: int,
                                       words: str) -> None:
    proc = sendmail(config_for(tmp_path, server, ca_file), *args, data=data)
    assert proc.returncode == expected, proc.stderr
    assert words in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()
    assert server.received == []


def test_disabled_account_refuses_with_ex_config(tmp_path: Path, server: RunningServer,
                                                 ca_file: Path) -> None:
    config = config_for(tmp_path, server, ca_file, enabled=False)
    proc = sendmail(config, "admin@example.org", data=b"Subject: s\n\nb\n")
    assert proc.returncode == 78
    assert b"sending is disabled" in proc.stderr
    assert server.received == []


def test_missing_config_is_ex_config(tmp_path: Path) -> None:
    proc = sendmail(tmp_path / "absent.toml", "admin@example.org", data=b"x\n")
    assert proc.returncode == 78
    assert b"absent.toml" in proc.stderr
