"""The plain test message of send-test."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from mailtui.errors import MessageBuildError
from mailtui.mail.testmessage import build_test_message


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_headers_and_crlf() -> None:
    when = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    data = build_test_message("Records <notifications@example.org>", "admin@example.org",
                              details={"Server": "smtp.example.org:587"}, now=when)
    assert b"\n" not in data.replace(b"\r\n", b"")
    msg = parse(data)
    assert msg["From"] == "Records <notifications@example.org>"
    assert msg["To"] == "admin@example.org"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"] == "Sat, 01 Mar 2025 12:00:00 +0000"
    assert msg["Message-ID"].endswith("@example.org>")
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert "Server: smtp.example.org:587" in msg.get_content()


def test_idn_domain_is_punycode_in_headers() -> None:
    data = build_test_message("Bücher <info@bücher.example>", "admin@example.org")
    msg = parse(data)
    assert "info@xn--bcher-kva.example" in msg["From"]
    assert msg["From"].addresses[0].display_name == "Bücher"
    assert data.isascii()


def test_utf8_local_part_uses_utf8_headers() -> None:
    data = build_test_message("jürgen@example.org", "admin@example.org")
    assert "jürgen@example.org".encode() in data


def test_bad_address_is_a_message_build_error() -> None:
    with pytest.raises(MessageBuildError) as err:
        build_test_message("not an address", "admin@example.org")
    assert err.value.exit_code == 30
    assert "server.default_sender" in str(err.value)


def test_non_ascii_subject_is_encoded_and_line_breaks_refused() -> None:
    data = build_test_message("a@example.org", "b@example.org", subject="Essai réussi")
    assert data.isascii()
    assert parse(data)["Subject"] == "Essai réussi"
    with pytest.raises(MessageBuildError):
        build_test_message("a@example.org", "b@example.org", subject="x\r\nBcc: c@example.org")
