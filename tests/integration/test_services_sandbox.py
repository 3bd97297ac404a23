"""services.sandbox without any CLI (issue 9): the sandbox of one run and the demo's, on free
loopback ports; a real test send reaches them; nothing is printed."""

from __future__ import annotations

import socket

import pytest

from mailtui.errors import MailtuiError
from mailtui.javamail.overrides import Overrides
from mailtui.sandbox.server import SANDBOX_PASSWORD, SANDBOX_USERNAME
from mailtui.services.sandbox import (
    SandboxDemo,
    refuse_server_overrides,
    sandbox_demo,
    sandbox_for_run,
    server_keys,
)
from mailtui.services.send_test import prepare_test_send

pytestmark = pytest.mark.integration


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_a_run_gets_a_fresh_sandbox_and_its_settings(
        capsys: pytest.CaptureFixture[str]) -> None:
    notices: list[str] = []
    with sandbox_for_run(Overrides(properties=(("mail.debug", "true"),)),
                         on_notice=notices.append) as info:
        assert info.host == "127.0.0.1" and info.port > 0 and info.username == SANDBOX_USERNAME
        props = info.settings.server.properties
        assert props["mail.smtp.port"] == str(info.port)
        assert props["mailtui.ssl.cafile"] == str(info.ca_file)
        result = prepare_test_send(info.settings).run()
        assert result.ok, result.explanation
        assert len(list(info.maildir.glob("*/*"))) == 1
        port = info.port
    assert refused(port)  # stopped when the block ended
    assert SANDBOX_PASSWORD not in repr(info)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("key", ["mail.smtp.host", "mail.smtp.port", "mail.smtps.port",
                                 "mail.smtp.socketFactory.port", "mail.host"])
def test_overrides_naming_a_server_are_refused_before_starting(key: str) -> None:
    overrides = Overrides(properties=((key, "elsewhere"),))
    with pytest.raises(MailtuiError, match=f"-P {key} cannot be combined") as caught:
        refuse_server_overrides(overrides)
    assert caught.value.exit_code == 2
    with pytest.raises(MailtuiError), sandbox_for_run(overrides):
        pytest.fail("the sandbox started")  # pragma: no cover


def test_server_keys() -> None:
    assert server_keys(["mail.smtp.port", "mail.smtp.auth", "mail.host"]) == [
        "mail.host", "mail.smtp.port"]
    assert server_keys([]) == []
    refuse_server_overrides(None)
    refuse_server_overrides(Overrides(properties=(("mail.smtp.auth", "true"),)))


def test_the_demo_collects_arrivals_and_finds_the_last_message(
        capsys: pytest.CaptureFixture[str]) -> None:
    with sandbox_demo() as demo:
        assert isinstance(demo, SandboxDemo)
        assert demo.arrivals == [] and demo.last_message() is None
        assert demo.info.settings.server.properties["mail.smtp.port"] == str(demo.info.port)
        assert demo.info.tls_settings.server.properties["mail.smtp.port"] == str(
            demo.info.tls_port)
        result = prepare_test_send(demo.info.settings).run()
        assert result.ok, result.explanation
        [arrival] = demo.arrivals
        assert arrival.number == 1 and "auth sandbox" in arrival.line()
        last = demo.last_message()
        assert last is not None and last.key == arrival.key and last.number == 1
        assert last.message()["Subject"] == "mailtui test message"
        port = demo.info.port
    assert refused(port)
    assert capsys.readouterr() == ("", "")
