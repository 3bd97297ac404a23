"""TLS options against real servers: certificate pinning (mailtui.ssl.fingerprint) and client
certificates (mailtui.ssl.certfile / keyfile) for relays that require one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from mailtui.cli import main
from tests.integration.test_smtp_cli import assert_no_credentials, write_config
from tests.support.pki import Authority, Issued, self_signed_server
from tests.support.smtpserver import PASSWORD, start_server

pytestmark = pytest.mark.integration


def fingerprint(issued: Issued) -> str:
    from cryptography.hazmat.primitives import hashes

    digest = issued.cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, 64, 2))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls-options")


@pytest.fixture(scope="module")
def pinned_cert() -> Issued:
    # Self-signed and for another name: neither the chain nor the host name could be verified.
    return self_signed_server(("relay.internal.example",))


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTUI_TEST_PASSWORD", PASSWORD)


def run(config: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--config", str(config), *argv])
    out, err = capsys.readouterr()
    assert_no_credentials(out, err)
    assert "Traceback" not in out + err
    return code, out + err


def test_matching_pin_accepts_an_untrusted_certificate(
        tmp_path: Path, workdir: Path, pinned_cert: Issued, test_ca: Authority,
        capsys: pytest.CaptureFixture[str]) -> None:
    ca_file = test_ca.write_ca(workdir / "ca.pem")
    pin = fingerprint(pinned_cert)
    with start_server(mode="starttls", cert=pinned_cert, workdir=workdir) as srv:
        config = write_config(tmp_path / "m.toml", srv.port, ca_file,
                              extra=f'"mailtui.ssl.fingerprint" = "{pin}"\n')
        code, text = run(config, "send-test", capsys=capsys)
        assert code == 0, text
        assert len(srv.received) == 1
        assert "certificate pinned (mailtui.ssl.fingerprint): SHA-256 matches" in text
        code, text = run(config, "probe", capsys=capsys)
        assert code == 0, text
        assert "SHA-256 matches" in text
    # Without the pin the same server is refused: the pin is what made it acceptable.
    with start_server(mode="starttls", cert=pinned_cert, workdir=workdir) as srv:
        config = write_config(tmp_path / "m.toml", srv.port, ca_file)
        code, text = run(config, "send-test", capsys=capsys)
        assert code == 22 and srv.received == []


def test_pin_forms_plain_hex_and_lists(tmp_path: Path, workdir: Path, pinned_cert: Issued,
                                       test_ca: Authority,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    ca_file = test_ca.write_ca(workdir / "ca.pem")
    plain = fingerprint(pinned_cert).replace(":", "").lower()
    other = "AB" * 32
    with start_server(mode="implicit", cert=pinned_cert, workdir=workdir) as srv:
        config = write_config(tmp_path / "m.toml", srv.port, ca_file, extra=(
            f'"mailtui.ssl.fingerprint" = "{other}, {plain}"\n'
            '"mail.smtp.ssl.enable" = "true"\n'))
        config.write_text(config.read_text().replace(
            '"mail.smtp.starttls.enable" = "true"\n"mail.smtp.starttls.required" = "true"\n',
            ""))
        code, text = run(config, "send-test", capsys=capsys)
    assert code == 0, text
    code, text = run(config, "plan", capsys=capsys)
    assert f"pinned (SHA-256 {':'.join(['AB'] * 32)}, {fingerprint(pinned_cert)})" in text
    code = main(["--config", str(config), "plan", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["tls_fingerprints"] == [":".join(["AB"] * 32), fingerprint(pinned_cert)]
    assert data["verify_certificate"] is True  # unchanged: the pin replaces it at TLS time


def test_pin_mismatch_fails_at_tls_showing_both(tmp_path: Path, workdir: Path,
                                                test_ca: Authority,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    ca_file = test_ca.write_ca(workdir / "ca.pem")
    trusted = test_ca.issue_server(("localhost", "127.0.0.1"))  # even a fully valid one
    expected = "12:34:" + ":".join(["56"] * 30)
    with start_server(mode="starttls", cert=trusted, workdir=workdir) as srv:
        config = write_config(tmp_path / "m.toml", srv.port, ca_file,
                              extra=f'"mailtui.ssl.fingerprint" = "{expected}"\n')
        code, text = run(config, "send-test", capsys=capsys)
        assert code == 22, text
        assert srv.received == [] and srv.handler.login_attempts == []  # no password sent
    assert f"expected SHA-256 {expected}" in text
    assert f"presented SHA-256 {fingerprint(trusted)}" in text
    assert "AUTH" not in text.split("SHA-256 does NOT match")[1]


@pytest.mark.parametrize("value", ["AB:CD", "zz" * 32, "AB" * 31 + "ABC"])
def test_bad_fingerprint_is_a_config_error_naming_the_key(
        tmp_path: Path, workdir: Path, test_ca: Authority, value: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "m.toml", 2525, test_ca.write_ca(workdir / "ca.pem"),
                          extra=f'"mailtui.ssl.fingerprint" = "{value}"\n')
    for command in ("check", "send-test", "plan"):
        code, text = run(config, command, capsys=capsys)
        assert code == 3, (command, text)
        assert "mailtui.ssl.fingerprint" in text and "SHA-256 fingerprint" in text


# -- client certificates -------------------------------------------------------------------
@pytest.fixture(scope="module")
def client_files(test_ca: Authority, workdir: Path) -> tuple[Path, Path]:
    return test_ca.issue_client().write(workdir / "client", "relay-client")


def relay_config(tmp_path: Path, port: int, ca_file: Path, extra: str = "") -> Path:
    return write_config(tmp_path / "m.toml", port, ca_file, extra=extra)


def test_client_certificate_required_by_the_relay(
        tmp_path: Path, workdir: Path, test_ca: Authority, client_files: tuple[Path, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    ca_file = test_ca.write_ca(workdir / "ca.pem")
    cert_path, key_path = client_files
    # relative paths: from the configuration file's folder, not the current directory
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "c.pem").write_bytes(cert_path.read_bytes())
    (tmp_path / "tls" / "c.key").write_bytes(key_path.read_bytes())
    with start_server(mode="starttls", cert=test_ca.issue_server(), workdir=workdir,
                      client_ca=ca_file) as srv:
        config = relay_config(tmp_path, srv.port, ca_file, '"mailtui.ssl.certfile" = '
                              '"tls/c.pem"\n"mailtui.ssl.keyfile" = "tls/c.key"\n')
        code, text = run(config, "send-test", capsys=capsys)
        assert code == 0, text
        assert f"client certificate offered: {tmp_path / 'tls' / 'c.pem'}" in text
        assert len(srv.received) == 1

        config = relay_config(tmp_path, srv.port, ca_file)
        code, text = run(config, "send-test", capsys=capsys)
        assert code == 22, text
        assert "requires a client certificate, and none is configured" in text
        assert "mailtui.ssl.certfile" in text  # the fix
        assert len(srv.received) == 1 and srv.handler.login_attempts[1:] == []

    code, text = run(relay_config(tmp_path, 25, ca_file, '"mailtui.ssl.certfile" = '
                                  '"tls/c.pem"\n"mailtui.ssl.keyfile" = "tls/c.key"\n'),
                     "plan", capsys=capsys)
    assert f"Client cert   {tmp_path / 'tls' / 'c.pem'} (key {tmp_path / 'tls' / 'c.key'})" \
        in text


def test_client_certificate_the_relay_does_not_trust(
        tmp_path: Path, workdir: Path, test_ca: Authority,
        capsys: pytest.CaptureFixture[str]) -> None:
    ca_file = test_ca.write_ca(workdir / "ca.pem")
    stranger = Authority("another CA").issue_client()
    cert_path, key_path = stranger.write(tmp_path, "stranger")
    # the key inside the certificate file (no keyfile)
    cert_path.write_bytes(cert_path.read_bytes() + key_path.read_bytes())
    with start_server(mode="implicit", cert=test_ca.issue_server(), workdir=workdir,
                      client_ca=ca_file) as srv:
        config = relay_config(tmp_path, srv.port, ca_file,
                              f'"mailtui.ssl.certfile" = "{cert_path}"\n'
                              '"mail.smtp.ssl.enable" = "true"\n')
        config.write_text(config.read_text().replace(
            '"mail.smtp.starttls.enable" = "true"\n"mail.smtp.starttls.required" = "true"\n',
            ""))
        code, text = run(config, "send-test", capsys=capsys)
    assert code == 22, text
    assert f"did not accept the client certificate {cert_path}" in text


def test_unusable_client_certificate_files(tmp_path: Path, workdir: Path, test_ca: Authority,
                                           client_files: tuple[Path, Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    ca_file = test_ca.write_ca(workdir / "ca.pem")
    cert_path, _ = client_files
    issued = test_ca.issue_client()
    encrypted = tmp_path / "enc.key"
    encrypted.write_bytes(issued.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))
    (tmp_path / "enc.pem").write_bytes(issued.cert_pem())
    cases = [
        ('"mailtui.ssl.certfile" = "missing.pem"\n', f"{tmp_path / 'missing.pem'}: no such file"),
        ('"mailtui.ssl.certfile" = "enc.pem"\n"mailtui.ssl.keyfile" = "enc.key"\n',
         "the private key is encrypted"),
        (f'"mailtui.ssl.certfile" = "{cert_path}"\n', "not a PEM certificate with its matching"),
        ('"mailtui.ssl.keyfile" = "enc.key"\n', "without mailtui.ssl.certfile"),
    ]
    for extra, words in cases:
        config = relay_config(tmp_path, 2525, ca_file, extra)
        code, text = run(config, "check", capsys=capsys)
        assert code == 3, text
        assert words in text and "error" in text


def test_sendmail_process_through_a_pinned_relay(tmp_path: Path, workdir: Path,
                                                 pinned_cert: Issued,
                                                 test_ca: Authority) -> None:
    ca_file = test_ca.write_ca(workdir / "ca.pem")
    with start_server(mode="starttls", cert=pinned_cert, workdir=workdir) as srv:
        for pin, expected in ((fingerprint(pinned_cert), 0), ("AB" * 32, 69)):
            config = write_config(tmp_path / "m.toml", srv.port, ca_file,
                                  extra=f'"mailtui.ssl.fingerprint" = "{pin}"\n')
            proc = subprocess.run(
                [sys.executable, "-m", "mailtui", "--config", str(config), "sendmail",
                 "admin@example.org"], input=b"Subject: pinned\n\nbody\n",
                capture_output=True, timeout=60, check=False,
                env={**os.environ, "MAILTUI_TEST_PASSWORD": PASSWORD})
            assert proc.returncode == expected, proc.stderr
        assert len(srv.received) == 1
    assert b"does not match the pinned fingerprint" in proc.stderr
