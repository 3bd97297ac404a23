"""Internal domains (``root@localhost``, ``admin@corp.local``, ``a@home.arpa``) are accepted
with a warning, their syntax still checked (defect 3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.cli import main
from tests.support.smtpserver import RunningServer, start_server

pytestmark = pytest.mark.integration

NOTE = "is an internal domain: fine for a server on your network, refused by public mail " \
    "providers"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with start_server(mode="plain", auth=False, workdir=tmp_path) as srv:
        yield srv


def write_config(tmp_path: Path, port: int, sender: str, recipient: str) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(f"""\
[server]
enabled = true
default_sender = "{sender}"
test_recipient = "{recipient}"

[server.properties]
"mail.smtp.host" = "127.0.0.1"
"mail.smtp.port" = "{port}"
"mail.smtp.connectiontimeout" = "5000"
"mail.smtp.timeout" = "5000"
"mail.smtp.writetimeout" = "5000"
""")
    path.chmod(0o600)
    return path


def test_send_test_to_localhost_from_a_local_domain(
    server: RunningServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, server.port, "Ops <ops@corp.local>", "admin@test.local")
    code = main(["--config", str(config), "send-test", "--to", "root@localhost"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert [r.rcpt_tos for r in server.received] == [["root@localhost"]]
    assert server.received[0].mail_from == "ops@corp.local"
    assert f"mailtui: warning: recipient root@localhost {NOTE}" in err
    assert f"mailtui: warning: sender ops@corp.local {NOTE}" in err


def test_check_and_plan_accept_them_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, 25, "Ops <ops@corp.local>", "a@home.arpa")
    assert main(["--config", str(config), "check"]) == 0
    out = capsys.readouterr().out
    assert f"{config}:3: warning: server.default_sender: ops@corp.local {NOTE}" in out
    assert f"{config}:4: warning: server.test_recipient: a@home.arpa {NOTE}" in out

    assert main(["--config", str(config), "plan", "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert f"server.default_sender: ops@corp.local {NOTE}" in warnings


def test_a_batch_line_to_an_internal_domain_is_read(tmp_path: Path) -> None:
    from mailtui.outbox.batch import read_batch

    batch = tmp_path / "b.jsonl"
    batch.write_text("".join(json.dumps({"event": "task_completed", "to": to}) + "\n"
                             for to in ("admin@corp.local", "root@localhost", "a@mx")))
    assert [item.to for item in read_batch(batch)] == [
        ("admin@corp.local",), ("root@localhost",), ("a@mx",)]


def test_syntax_is_still_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, 25, "ops@-corp.local", "a@home.arpa")
    assert main(["--config", str(config), "check"]) == 3
    assert "server.default_sender: 'ops@-corp.local'" in capsys.readouterr().out
