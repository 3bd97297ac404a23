"""The sandbox Maildir: storing with trace headers, listing, selecting, safe printing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mailtui.errors import MailtuiError
from mailtui.sandbox.server import check_loopback
from mailtui.sandbox.store import (
    ReceivedEnvelope,
    get_message,
    list_messages,
    printable_source,
    printable_text,
    store,
)


def _delivery(**overrides: object) -> ReceivedEnvelope:
    values: dict[str, object] = {
        "mail_from": "sender@example.org",
        "rcpt_tos": ("a@example.org", "b@example.org"),
        "listener": "starttls",
        "tls": "TLSv1.3",
        "cipher": "TLS_AES_256_GCM_SHA384",
        "auth_user": "sandbox",
        "peer": "127.0.0.1",
        "helo": "client.test",
        "size": 40,
    }
    values.update(overrides)
    return ReceivedEnvelope(**values)  # type: ignore[arg-type]


def _store(path: Path, subject: str, **overrides: object) -> str:
    content = f"From: x@example.org\r\nSubject: {subject}\r\n\r\nbody\r\n".encode()
    return store(path, content, _delivery(**overrides), dt.datetime.now().astimezone())


def test_absent_maildir_is_empty(tmp_path: Path) -> None:
    assert list_messages(tmp_path / "nothing") == []


def test_store_and_list_in_arrival_order(tmp_path: Path) -> None:
    keys = [_store(tmp_path / "md", f"message {i}") for i in range(3)]
    messages = list_messages(tmp_path / "md")
    assert [m.number for m in messages] == [1, 2, 3]
    assert [m.key for m in messages] == keys
    assert [m.subject for m in messages] == ["message 0", "message 1", "message 2"]
    first = messages[0]
    assert first.rcpt_tos == ("a@example.org", "b@example.org")
    assert first.mail_from == "sender@example.org"
    assert first.tls == "TLSv1.3" and first.auth_user == "sandbox" and first.size == 40
    raw = first.read_bytes()
    assert raw.startswith(b"Received: from client.test ([127.0.0.1])")
    assert b"\r\n" not in raw  # Maildir files use LF line ends
    assert first.message()["Subject"] == "message 0"


def test_unencrypted_session_is_recorded_as_such(tmp_path: Path) -> None:
    _store(tmp_path, "plain", tls=None, cipher=None, auth_user=None)
    [message] = list_messages(tmp_path)
    assert message.tls is None and message.auth_user is None


def test_get_message_by_number_and_last(tmp_path: Path) -> None:
    for i in range(2):
        _store(tmp_path, f"m{i}")
    assert get_message(tmp_path, "1").subject == "m0"
    assert get_message(tmp_path, "last").subject == "m1"


@pytest.mark.parametrize("selector", ["0", "3", "-1"])
def test_get_message_out_of_range(tmp_path: Path, selector: str) -> None:
    for i in range(2):
        _store(tmp_path, f"m{i}")
    with pytest.raises(MailtuiError) as err:
        get_message(tmp_path, selector)
    assert err.value.exit_code == 3  # not a usage error: the message is not there
    assert f"no message {selector} (there are 2)" in err.value.message
    assert "1 to 2" in (err.value.hint or "")


def test_get_message_not_a_number_is_a_usage_error(tmp_path: Path) -> None:
    _store(tmp_path, "m0")
    with pytest.raises(MailtuiError) as err:
        get_message(tmp_path, "two")
    assert err.value.exit_code == 2
    assert "expected a message number or 'last'" in err.value.message


@pytest.mark.parametrize("selector", ["1", "99", "last", "LAST"])
def test_get_message_from_empty_maildir(tmp_path: Path, selector: str) -> None:
    with pytest.raises(MailtuiError) as err:
        get_message(tmp_path, selector)
    assert err.value.exit_code == 3
    assert f"no message {selector.lower()} (there are 0)" in err.value.message
    assert "mailtui --sandbox" in (err.value.hint or "")


def test_printable_removes_terminal_controls() -> None:
    assert printable_text("a\x1b[2Jb\r\nc\u202ed") == "a?[2Jb??c?d"
    assert printable_source("l1\n\tl2\x1b]0;x\x07") == "l1\n\tl2?]0;x?"


@pytest.mark.parametrize(
    ("host", "bound"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("127.0.0.2", "127.0.0.2"),
    ],
)
def test_loopback_hosts_accepted(host: str, bound: str) -> None:
    assert check_loopback(host) == bound
