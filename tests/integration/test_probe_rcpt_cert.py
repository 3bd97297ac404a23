"""Issue 8 #22 and #24 (part): `probe --rcpt` (MAIL FROM / RCPT TO, then RSET, no DATA) and
`probe --save-cert FILE`, against real loopback servers."""

from __future__ import annotations

import hashlib
import json
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from mailtui.cli import main
from tests.integration.test_smtp_cli import _env, assert_no_credentials, write_config
from tests.support.pki import Authority, Issued, self_signed_server
from tests.support.smtpserver import PASSWORD, USERNAME, Faults, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("probe-rcpt")


@pytest.fixture(scope="module")
def ca_file(test_ca: Authority, workdir: Path) -> Path:
    return test_ca.write_ca(workdir / "ca.pem")


@pytest.fixture(scope="module")
def good_cert(test_ca: Authority) -> Issued:
    return test_ca.issue_server(("localhost", "127.0.0.1"))


@pytest.fixture
def server(good_cert: Issued, workdir: Path) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(rcpt={"nobody@example.org": "550 5.1.1 <nobody@example.org>"
                                                                ": Recipient address rejected: "
                                                                "User unknown"})) as srv:
        yield srv


@pytest.fixture
def config(tmp_path: Path, server: RunningServer, ca_file: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    return write_config(tmp_path / "mailtui.toml", server.port, ca_file)


def client_lines(data: dict) -> list[str]:
    return [e["text"] for e in data["transcript"] if e["dir"] == "client"]


# -- #22: probe --rcpt ----------------------------------------------------------------------
def test_rcpt_accepted_goes_through_auth_mail_rcpt_then_rset(
        config: Path, server: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "probe", "--rcpt", "ok@example.org", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    sent = client_lines(data)
    assert sent[-4:] == [f"MAIL FROM:<{USERNAME}>", "RCPT TO:<ok@example.org>", "RSET", "QUIT"]
    assert any(line.startswith("AUTH ") for line in sent)  # the plan authenticates
    assert "DATA" not in sent
    assert data["ok"] is True and data["exit_code"] == 0
    assert data["rcpt"]["accepted"] is True and data["rcpt"]["reply_code"] == 250
    assert data["rcpt"]["sender"] == USERNAME and data["rcpt"]["address"] == "ok@example.org"
    assert data["rcpt"]["mail_from"]["reply_code"] == 250
    assert server.received == []
    assert_no_credentials(out, err)


def test_rcpt_refused_exits_25_with_the_explanation(
        config: Path, server: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(config), "probe", "--rcpt", "nobody@example.org",
                 "--from", "ops@example.org"])
    out, err = capsys.readouterr()
    assert code == 25
    assert "C: MAIL FROM:<ops@example.org>" in out
    assert "C: RSET" in out and "C: DATA" not in out
    assert "result: FAILED at RCPT TO (exit 25)" in out
    assert "server: 550 5.1.1 <nobody@example.org>: Recipient address rejected" in out
    assert "why: " in out
    assert server.received == []
    assert_no_credentials(out, err)


def test_sender_refused_exits_24(good_cert: Issued, workdir: Path, ca_file: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(mail="553 5.7.1 Sender address rejected: not owned by "
                                    "user")) as srv:
        path = write_config(tmp_path / "m.toml", srv.port, ca_file)
        code = main(["--config", str(path), "probe", "--rcpt", "ok@example.org", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 24
    assert data["stage"] == "mail-from" and data["reply_code"] == 553
    assert data["rcpt"]["accepted"] is None and data["rcpt"]["mail_from"]["reply_code"] == 553
    assert "RCPT TO:<ok@example.org>" not in client_lines(data)
    assert data["explanation"]


def test_rcpt_without_auth_and_plain_text_result(good_cert: Issued, workdir: Path,
                                                 ca_file: Path, tmp_path: Path) -> None:
    with start_server(mode="starttls", cert=good_cert, workdir=workdir, auth=False) as srv:
        path = write_config(tmp_path / "m.toml", srv.port, ca_file)
        path.write_text(path.read_text().replace('"mail.smtp.auth" = "true"\n', ""))
        proc = subprocess.run(
            [sys.executable, "-m", "mailtui", "--config", str(path), "probe",
             "--rcpt", "Bob <bob@example.org>"],
            capture_output=True, text=True, timeout=60, env=_env(), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "AUTH" not in "".join(line for line in proc.stdout.splitlines() if " C: " in line)
    assert "C: RCPT TO:<bob@example.org>" in proc.stdout
    assert (f"result: the server accepts mail from {USERNAME} to bob@example.org "
            "(250 2.1.5 OK)") in proc.stdout
    assert "then RSET: no mail sent" in proc.stdout
    assert srv.received == []


def test_rcpt_with_a_bad_address_or_no_sender_is_a_config_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["probe", "-P", "mail.smtp.host=127.0.0.1", "-P", "mail.smtp.port=1"]
    assert main([*base, "--rcpt", "bob@", "--from", "a@example.org"]) == 3
    assert "--rcpt: 'bob@' is not an email address" in capsys.readouterr().err
    assert main([*base, "--rcpt", "bob@example.org"]) == 3
    err = capsys.readouterr().err
    assert "no sender for MAIL FROM" in err and "--from" in err


# -- #24 (part): probe --save-cert --------------------------------------------------------------
def pem_chain(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def colon_sha256(cert: x509.Certificate) -> str:
    digest = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def test_save_cert_of_a_verified_server(config: Path, good_cert: Issued, test_ca: Authority,
                                        tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "certs" / "server.pem"
    target.parent.mkdir()
    assert main(["--config", str(config), "probe", "--save-cert", str(target)]) == 0
    out = capsys.readouterr().out
    chain = pem_chain(target)
    assert chain == [good_cert.cert, test_ca.cert]  # what the server sent, leaf first
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert f"save-cert: 2 certificate(s) saved to {target}" in out
    assert "NOT verified" not in out and "to trust it" not in out
    assert f"SHA-256 {colon_sha256(good_cert.cert)}" in out
    assert f"SHA-256 {colon_sha256(test_ca.cert)}" in out
    assert [p.name for p in target.parent.iterdir()] == ["server.pem"]  # no temporary left


def test_save_cert_of_an_untrusted_server_then_trust_it(workdir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """The usual way to trust a self-signed relay: save what it presents, check the
    fingerprint, then use the file as mailtui.ssl.cafile."""
    own = self_signed_server(("localhost", "127.0.0.1"))
    target = tmp_path / "relay.pem"
    with start_server(mode="starttls", cert=own, workdir=workdir, auth=False) as srv:
        base = ["probe", "-P", "mail.smtp.host=127.0.0.1", "-P", f"mail.smtp.port={srv.port}",
                "-P", "mail.smtp.starttls.required=true"]
        assert main([*base, "--save-cert", str(target), "--json"]) == 22  # not trusted
        data = json.loads(capsys.readouterr().out)
        assert data["saved_certificates"]["verified"] is False
        assert data["saved_certificates"]["certificates"][0]["sha256"] == colon_sha256(own.cert)
        assert pem_chain(target) == [own.cert]
        assert main([*base, "--save-cert", str(target)]) == 22
        out = capsys.readouterr().out
        assert "NOT verified: compare the fingerprint" in out
        assert f'"mailtui.ssl.cafile" = "{target}"' in out
        assert main([*base, "-P", f"mailtui.ssl.cafile={target}"]) == 0
    out = capsys.readouterr().out
    assert "certificate chain verified" in out


def test_save_cert_nothing_to_save_or_unwritable(good_cert: Issued, workdir: Path,
                                                 ca_file: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with start_server(mode="plain", auth=False) as srv:
        code = main(["probe", "-P", "mail.smtp.host=127.0.0.1", "-P",
                     f"mail.smtp.port={srv.port}", "--save-cert", str(tmp_path / "x.pem")])
    assert code == 22
    assert "save-cert: nothing saved" in capsys.readouterr().out
    assert not (tmp_path / "x.pem").exists()
    with start_server(mode="starttls", cert=good_cert, workdir=workdir) as srv:
        missing = tmp_path / "no" / "such" / "dir" / "c.pem"
        code = main(["probe", "-P", "mail.smtp.host=127.0.0.1", "-P",
                     f"mail.smtp.port={srv.port}", "-P", f"mailtui.ssl.cafile={ca_file}",
                     "-P", "mail.smtp.starttls.enable=true", "--save-cert", str(missing)])
    assert code == 3
    out, err = capsys.readouterr()
    assert f"--save-cert {missing}: cannot write: its directory does not exist" in err
    assert "Traceback" not in err
    assert out == ""  # refused before connecting


def test_peer_chain_reads_what_the_server_sent(good_cert: Issued, test_ca: Authority,
                                               workdir: Path, ca_file: Path) -> None:
    from mailtui.smtp.probe import peer_chain

    with start_server(mode="implicit", cert=good_cert, workdir=workdir) as srv:
        import socket

        context = ssl.create_default_context(cafile=str(ca_file))
        with socket.create_connection(("127.0.0.1", srv.port), 5) as raw, \
                context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            chain = peer_chain(sock)
    assert [x509.load_der_x509_certificate(c) for c in chain] == [good_cert.cert, test_ca.cert]


def test_rcpt_with_a_wrong_password_stops_at_auth_and_still_saves_the_verified_chain(
        config: Path, server: RunningServer, good_cert: Issued, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", "Wr0ng-but-secret")
    target = tmp_path / "chain.pem"
    code = main(["--config", str(config), "probe", "--rcpt", "ok@example.org", "--json",
                 "--save-cert", str(target)])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert code == 23 and data["stage"] == "auth"
    assert data["rcpt"]["accepted"] is None and data["rcpt"]["mail_from"]["reply_code"] is None
    assert "MAIL FROM:<sender@example.org>" not in client_lines(data)
    # The session ended before the chain could be read from it: fetched again, and known
    # to be the chain this probe verified (same leaf).
    assert data["saved_certificates"]["verified"] is True
    assert pem_chain(target)[0] == good_cert.cert
    assert "Wr0ng-but-secret" not in out + err
    assert server.received == []


def test_rcpt_replies_are_split_by_the_one_reply_parser(
        config: Path, server: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    """MAIL FROM's reply too: the enhanced status code apart, not left in the text (JSON), and
    both replies shown once each in the plain-text output."""
    assert main(["--config", str(config), "probe", "--rcpt", "ok@example.org", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rcpt"]["mail_from"] == {"reply_code": 250, "enhanced_code": "2.1.0",
                                         "reply": "OK"}
    assert (data["rcpt"]["enhanced_code"], data["rcpt"]["reply"]) == ("2.1.5", "OK")
    assert main(["--config", str(config), "probe", "--rcpt", "ok@example.org"]) == 0
    out = capsys.readouterr().out
    assert "MAIL FROM: 250 2.1.0 OK\n" in out and "RCPT TO:   250 2.1.5 OK\n" in out


def test_explanations_quote_the_reply_with_its_enhanced_code(
        good_cert: Issued, workdir: Path, ca_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The explanation's ``{reply}`` is built by the same reply formatter as `server:`."""
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)
    with start_server(mode="starttls", cert=good_cert, workdir=workdir,
                      faults=Faults(auth="535 5.7.8 Bad login")) as srv:
        path = write_config(tmp_path / "m.toml", srv.port, ca_file)
        code = main(["--config", str(path), "probe", "--rcpt", "ok@example.org", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 23
    assert (data["enhanced_code"], data["reply"]) == ("5.7.8", "Bad login")
    assert "(535 5.7.8 Bad login)" in data["explanation"]
