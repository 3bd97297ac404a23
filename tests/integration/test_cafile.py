"""``mailtui.ssl.cafile``: relative to the configuration file, checked, named (defect 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pki import Authority
from tests.support.smtpserver import PASSWORD, USERNAME, RunningServer, start_server

pytestmark = pytest.mark.integration


@pytest.fixture
def server(test_ca: Authority, tmp_path: Path) -> Iterator[RunningServer]:
    with start_server(mode="starttls", cert=test_ca.issue_server(("127.0.0.1",)),
                      workdir=tmp_path) as srv:
        yield srv


def write_config(folder: Path, port: int, cafile: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mailtui.toml"
    path.write_text(f"""\
[server]
username = "{USERNAME}"
password_env = "MAILTUI_TEST_PASSWORD"
default_sender = "{USERNAME}"
test_recipient = "admin@example.org"

[server.properties]
"mail.smtp.host" = "127.0.0.1"
"mail.smtp.port" = "{port}"
"mail.smtp.auth" = "true"
"mail.smtp.starttls.enable" = "true"
"mail.smtp.starttls.required" = "true"
"mail.smtp.connectiontimeout" = "5000"
"mail.smtp.timeout" = "5000"
"mail.smtp.writetimeout" = "5000"
"mailtui.ssl.cafile" = "{cafile}"
""")
    path.chmod(0o600)
    return path


def mailtui(config: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MAILTUI_TEST_PASSWORD": PASSWORD,
           "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "mailtui", "--config", str(config), *argv],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_relative_cafile_is_read_from_the_config_folder(
    server: RunningServer, test_ca: Authority, tmp_path: Path
) -> None:
    conf = tmp_path / "etc"
    conf.mkdir()
    test_ca.write_ca(conf / "ca.pem")
    config = write_config(conf, server.port, "ca.pem")
    elsewhere = tmp_path / "elsewhere"  # no ca.pem here

    plan = mailtui(config, elsewhere, "plan", "--json")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert json.loads(plan.stdout)["ca_file"] == str(conf / "ca.pem")
    assert mailtui(config, elsewhere, "check").returncode == 0

    sent = mailtui(config, elsewhere, "send-test")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "result: message accepted" in sent.stdout
    assert [r.rcpt_tos for r in server.received] == [["admin@example.org"]]


@pytest.mark.parametrize(("content", "reason"), [
    (None, "No such file or directory"),
    (b"just some text\n", "holds no PEM certificate"),
    (b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
     "not readable as PEM certificates"),
])
def test_unusable_cafile_is_named_by_check_plan_send_test_and_probe(
    server: RunningServer, tmp_path: Path, content: bytes | None, reason: str
) -> None:
    conf = tmp_path / "etc"
    conf.mkdir()
    if content is not None:
        (conf / "ca.pem").write_bytes(content)
    config = write_config(conf, server.port, "ca.pem")
    named = f"{conf / 'ca.pem'}: {reason}"

    check = mailtui(config, tmp_path, "check")
    assert check.returncode == 3
    assert f"{config}:16: error: mailtui.ssl.cafile: {named}" in check.stdout

    plan = mailtui(config, tmp_path, "plan")
    assert plan.returncode == 3 and named in plan.stdout.split("Errors:")[1]

    for command in ("send-test", "probe"):
        result = mailtui(config, tmp_path, command)
        output = result.stdout + result.stderr
        assert result.returncode == 3, output
        assert named in output and "Traceback" not in output
        assert "connecting to" not in output  # stopped before the network
    assert server.received == []
