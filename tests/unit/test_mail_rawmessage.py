"""The header editing of ``mailtui sendmail``: raw lines, nothing else touched."""

from __future__ import annotations

import io

import pytest

from mailtui.mail.rawmessage import (
    MessageDataError,
    RawMessage,
    addresses,
    complete_header,
    header_recipients,
    read_message,
)


def test_read_message_line_ends_dot_and_mbox_line() -> None:
    data = b"From root Tue Dec  1 10:00:00 2026\nSubject: a\r\n\nx\n.\ny\n"
    assert read_message(io.BytesIO(data), dot_ends=True) == b"Subject: a\r\n\r\nx\r\n"
    assert read_message(io.BytesIO(data), dot_ends=False) == \
        b"Subject: a\r\n\r\nx\r\n.\r\ny\r\n"


def test_folded_bcc_removed_and_other_fields_byte_for_byte() -> None:
    data = (b"X-Odd:   spaced \t\r\nBcc: a@example.org,\r\n\tb@example.org\r\n"
            b"Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nbody\r\n")
    message = RawMessage.parse(data)
    assert header_recipients(message) == ["a@example.org", "b@example.org"]
    complete_header(message, sender="App <app@example.org>")
    out = message.to_bytes()
    assert out.startswith(b"X-Odd:   spaced \t\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n")
    assert b"Bcc" not in out and b"b@example.org" not in out
    assert b"From: App <app@example.org>\r\n" in out and out.endswith(b"\r\n\r\nbody\r\n")
    assert message.added == ["From", "Date", "Message-ID"]


def test_resent_fields_win_for_t() -> None:
    message = RawMessage.parse(b"To: old@example.org\r\nResent-To: new@example.org\r\n"
                               b"Resent-Bcc: hidden@example.org\r\n\r\n")
    assert header_recipients(message) == ["new@example.org", "hidden@example.org"]
    complete_header(message, sender="a@example.org")
    assert b"hidden" not in message.to_bytes()


def test_groups_and_encoded_names() -> None:
    assert addresses(["undisclosed-recipients:;"], "To header") == []
    assert addresses(["=?utf-8?q?Zo=C3=AB?= <zoe@example.org>, x@example.org"], "To") == \
        ["zoe@example.org", "x@example.org"]


@pytest.mark.parametrize(("value", "words"), [
    ("root", "'root' is a local user name"),
    ("bob@", "'bob@' is not an email address"),
])
def test_bad_addresses_name_where(value: str, words: str) -> None:
    with pytest.raises(MessageDataError, match="To header") as info:
        addresses([value], "To header")
    assert words in str(info.value)
