"""``mailtui send-test`` and ``mailtui probe`` end to end: config file -> CLI -> real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.cli import main
from tests.support.pki import Authority, Issued
from tests.support.smtpserver import (
    PASSWORD,
    USERNAME,
    Faults,
    RunningServer,
    credential_forms,
    start_server,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("smtp-cli")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


@pytest.fixture
def starttls_server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(advertise=("PIPELINING",))) as srv:
        yield srv


def write_config(path: Path, port: int, ca_file: Path, *, extra: str = "",
                 enabled: bool = True) -> Path:
    path.write_text(f"""\
[server]
enabled = {"true" if enabled else "false"}
username = "{USERNAME}"
password_env = "MAILTUI_TEST_PASSWORD"
default_sender = "Records <{USERNAME}>"
test_recipient = "admin@example.org"

[server.properties]
"mail.smtp.host" = "127.0.0.1"
"mail.smtp.port" = "{port}"
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"mail.smtp.connectiontimeout" = "2000"
"mail.smtp.timeout" = "1000"
"mail.smtp.writetimeout" = "2000"
"mailtui.ssl.cafile" = "{ca_file}"
{extra}""", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def config(tmp_path: Path, starttls_server: RunningServer, ca_file: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    return write_config(tmp_path / "mailtui.toml", starttls_server.port, ca_file)


def assert_no_credentials(*texts: str) -> None:
    joined = "\n".join(texts)
    for form in credential_forms():
        assert form not in joined


def test_send_test_streams_transcript(config: Path, starttls_server: RunningServer,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(config), "send-test"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "S: 220 " in out
    assert "C: EHLO " in out
    assert "C: STARTTLS" in out
    assert "🔒 C: AUTH LOGIN" in out
    assert "[LOGIN password redacted:" in out
    assert "C: [body: " in out
    assert "(+" in out and " ms)" in out  # per-step timings
    assert "result: message accepted (250 2.0.0 OK queued as TEST1)" in out
    assert [r.rcpt_tos for r in starttls_server.received] == [["admin@example.org"]]
    assert_no_credentials(out, err)


def test_send_test_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(config), "send-test", "--to", "other@example.org", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    for key in ("ok", "stage", "reply_code", "enhanced_code", "reply", "explanation",
                "duration_s", "transcript"):
        assert key in data
    assert data["ok"] is True and data["stage"] == "done"
    assert data["reply_code"] == 250 and data["enhanced_code"] == "2.0.0"
    assert {"t", "dir", "tls", "text"} <= set(data["transcript"][0])
    assert {e["dir"] for e in data["transcript"]} == {"client", "server", "info"}
    assert any(e["text"] == "RCPT TO:<other@example.org>" for e in data["transcript"])
    assert_no_credentials(out, err)


def test_send_test_works_when_disabled(tmp_path: Path, starttls_server: RunningServer,
                                       ca_file: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    path = write_config(tmp_path / "m.toml", starttls_server.port, ca_file, enabled=False)
    assert main(["--config", str(path), "send-test", "--json"]) == 0
    capsys.readouterr()


def test_send_test_wrong_password_exit_23(config: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    wrong = "Wr0ng-but-secret-pw"
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", wrong)
    code = main(["--config", str(config), "send-test"])
    out, err = capsys.readouterr()
    assert code == 23
    assert "result: FAILED at AUTHENTICATION (exit 23)" in out
    assert "server: 535 5.7.8" in out
    assert "why: " in out and "fix: " in out
    assert_no_credentials(out, err)
    assert wrong not in out + err
    import base64

    assert base64.b64encode(wrong.encode()).decode() not in out + err


def test_send_test_unknown_event_suggests(config: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(config), "send-test", "--event", "task_complete"])
    _out, err = capsys.readouterr()
    assert code == 3
    assert "task_completed" in err  # did you mean


def test_send_test_needs_a_recipient(tmp_path: Path, ca_file: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path / "m.toml", 25, ca_file)
    path.write_text(path.read_text().replace('test_recipient = "admin@example.org"\n', ""))
    code = main(["--config", str(path), "send-test"])
    _out, err = capsys.readouterr()
    assert code == 3
    assert "--to" in err


def test_send_test_fault_exit_codes(tmp_path: Path, good_cert: Issued, workdir: Path,
                                    ca_file: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    for faults, expected in (
        (Faults(rcpt="550 5.1.1 User unknown"), 25),
        (Faults(strip_starttls=True), 22),
        (Faults(stall_at="mail"), 29),
        (Faults(close_at="ehlo"), 28),
    ):
        with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                          faults=faults) as srv:
            path = write_config(tmp_path / "f.toml", srv.port, ca_file)
            code = main(["--config", str(path), "send-test"])
        out, err = capsys.readouterr()
        assert code == expected, out + err
        assert_no_credentials(out, err)


def test_probe(config: Path, capsys: pytest.CaptureFixture[str],
               starttls_server: RunningServer) -> None:
    code = main(["--config", str(config), "probe"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "before TLS: SIZE 33,554,432 bytes, AUTH not offered, STARTTLS yes" in out
    assert "after TLS:  SIZE 33,554,432 bytes, AUTH CRAM-MD5 LOGIN PLAIN" in out
    assert "PIPELINING yes" in out
    assert "certificate SHA-256:" in out
    assert "STARTTLS required and offered" in out
    assert f"would authenticate as {USERNAME} with LOGIN" in out
    assert "C: MAIL" not in out and "AUTH LOGIN" not in out
    assert not starttls_server.received
    assert_no_credentials(out, err)


def test_probe_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "probe", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["capabilities_before_tls"]["starttls"] is True
    assert data["capabilities_before_tls"]["auth"] == []
    assert data["capabilities_after_tls"]["auth"] == ["CRAM-MD5", "LOGIN", "PLAIN"]
    assert data["capabilities_after_tls"]["pipelining"] is True
    assert data["tls"]["certificate"]["names"] == ["localhost", "127.0.0.1"]
    assert data["tls"]["version"].startswith("TLSv1.")
    assert data["ok"] is True and data["exit_code"] == 0


def test_probe_predicts_missing_auth(tmp_path: Path, good_cert: Issued, workdir: Path,
                                     ca_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(strip_auth=True)) as srv:
        path = write_config(tmp_path / "p.toml", srv.port, ca_file)
        code = main(["--config", str(path), "probe"])
    out, _err = capsys.readouterr()
    assert code == 23
    assert "the server offers no AUTH" in out


def test_probe_untrusted_certificate_shows_names(tmp_path: Path, workdir: Path, ca_file: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    other = Authority("another CA").issue_server(("mx.elsewhere.test",))
    with start_server(mode="starttls", cert=other, workdir=workdir) as srv:
        path = write_config(tmp_path / "p.toml", srv.port, ca_file)
        code = main(["--config", str(path), "probe"])
    out, _err = capsys.readouterr()
    assert code == 22
    assert "certificate names: mx.elsewhere.test" in out
    assert "not trusted" in out


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["MAILTUI_TEST_PASSWORD"] = PASSWORD
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def test_subprocess_send_test_and_probe(config: Path) -> None:
    for command, expected in ((["send-test"], 0), (["probe", "--json"], 0)):
        proc = subprocess.run(
            [sys.executable, "-m", "mailtui", "--config", str(config), *command],
            capture_output=True, text=True, timeout=30, env=_env(),
        )
        assert proc.returncode == expected, proc.stdout + proc.stderr
        assert_no_credentials(proc.stdout, proc.stderr)


def test_subprocess_failure(tmp_path: Path, good_cert: Issued, workdir: Path,
                            ca_file: Path) -> None:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(auth="535 5.7.8 Authentication credentials invalid")) as srv:
        path = write_config(tmp_path / "s.toml", srv.port, ca_file)
        proc = subprocess.run(
            [sys.executable, "-m", "mailtui", "--config", str(path), "send-test", "--json"],
            capture_output=True, text=True, timeout=30, env=_env(),
        )
    assert proc.returncode == 23
    data = json.loads(proc.stdout)
    assert data["stage"] == "auth" and data["reply_code"] == 535
    assert_no_credentials(proc.stdout, proc.stderr)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_echoing_credentials_is_scrubbed_everywhere(
    tmp_path: Path, good_cert: Issued, workdir: Path, ca_file: Path, mechanism: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """A broken or hostile server repeats what it was sent in its error reply: the reply,
    the explanation, the JSON and the batch journal must still hold no credential."""
    import base64

    echoed = " ".join([
        PASSWORD,
        base64.b64encode(f"\0{USERNAME}\0{PASSWORD}".encode()).decode(),
        base64.b64encode(PASSWORD.encode()).decode(),
        base64.b64encode(f"{USERNAME}\0{PASSWORD}".encode()).decode(),
    ])
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(auth=f"535 5.7.8 rejected: {echoed}")) as srv:
        path = write_config(tmp_path / "echo.toml", srv.port, ca_file,
                            extra=f'"mail.smtp.auth.mechanisms" = "{mechanism}"\n')
        outputs = []
        for argv in (["send-test"], ["send-test", "--json"]):
            assert main(["--config", str(path), *argv]) == 23
            out, err = capsys.readouterr()
            assert "rejected" in out
            outputs += [out, err]
    assert_no_credentials(*outputs)
