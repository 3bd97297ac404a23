"""``mailtui smime info`` and ``mailtui smime recipients`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailtui.cli import main
from tests.support.pki import Authority

pytest.importorskip("mailtui.config.store")


def write_config(tmp_path: Path, certificate: str, extra: str = "") -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(
        "[server]\n"
        'default_sender = "Records <notifications@example.org>"\n'
        "[smime]\n"
        f'certificate = "{certificate}"\n'
        'password_env = "MAILTUI_TEST_SMIME_PW"\n'
        f"{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config(tmp_path: Path, test_ca: Authority, monkeypatch: pytest.MonkeyPatch) -> Path:
    sender = test_ca.issue_smime("notifications@example.org", common_name="Records")
    (tmp_path / "sender.p12").write_bytes(sender.p12("cli-secret"))
    test_ca.issue_smime("bob@example.org").write(tmp_path / "recipients", "bob@example.org")
    monkeypatch.setenv("MAILTUI_TEST_SMIME_PW", "cli-secret")
    extra = 'encrypt = "when-possible"\nrecipients = "recipients"\n'
    return write_config(tmp_path, "sender.p12", extra)  # relative to the config file


def test_info_text(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "smime", "info"]) == 0
    out = capsys.readouterr().out
    assert "CN=Records" in out
    assert "notifications@example.org" in out
    assert "RSA 2048 bits" in out
    assert "emailProtection" in out
    assert "when-possible" in out
    assert "Warnings" not in out
    assert "cli-secret" not in out


def test_info_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "smime", "info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "PKCS#12"
    assert data["emails"] == ["notifications@example.org"]
    assert data["key_usage"] == ["digitalSignature", "keyEncipherment"]
    assert data["warnings"] == []
    assert len(data["fingerprint_sha256"]) == 95


def test_info_warnings(
    tmp_path: Path, test_ca: Authority, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = test_ca.issue_smime("someone-else@example.org")
    other.write(tmp_path, "other")
    monkeypatch.setenv("MAILTUI_TEST_SMIME_PW", "unused")
    config = write_config(tmp_path, "other.pem")
    assert main(["--config", str(config), "smime", "info"]) == 0
    out = capsys.readouterr().out
    assert "Warnings:" in out and "matches the default sender" in out


def test_info_wrong_password_exits_3(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAILTUI_TEST_SMIME_PW", "Wrong-Pass-42")
    assert main(["--config", str(config), "smime", "info"]) == 3
    err = capsys.readouterr().err
    assert "wrong password" in err and "sender.p12" in err
    assert "Traceback" not in err and "Wrong-Pass-42" not in err


def test_info_not_pkcs12_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "junk.pfx").write_bytes(b"junk")
    config = write_config(tmp_path, "junk.pfx")
    assert main(["--config", str(config), "smime", "info"]) == 3
    assert "not a PKCS#12" in capsys.readouterr().err


def test_recipients(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "smime", "recipients", "bob@example.org"]) == 0
    assert main(["--config", str(config), "smime", "recipients", "--json",
                 "bob@example.org", "zoe@example.org"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{"):])
    assert list(data["found"]) == ["bob@example.org"]
    assert data["missing"] == {"zoe@example.org": "no certificate"}
