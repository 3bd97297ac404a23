"""MIME composition: headers, encodings, 7-bit bodies, SMTPUTF8 detection."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from mailtui.errors import ConfigError, MessageBuildError
from mailtui.events.render import Rendered, Renderer
from mailtui.mail.compose import compose, message_bytes, needs_smtputf8

SENDER = "Records <notifications@example.org>"


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return Renderer().render("task_completed", locale="fr")


def test_headers_and_structure(rendered: Rendered) -> None:
    when = datetime(2025, 6, 12, 13, 30, tzinfo=UTC)
    msg = compose(rendered, sender=SENDER, to=["bob@example.org", "Ann <ann@example.org>"],
                  cc=["c@example.org"], reply_to="help@example.org", date=when)
    raw = message_bytes(msg)
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["From"] == SENDER
    assert parsed["To"] == "bob@example.org, Ann <ann@example.org>"
    assert parsed["Cc"] == "c@example.org" and parsed["Reply-To"] == "help@example.org"
    assert parsed["Subject"] == rendered.subject
    assert parsed["Date"] == "Thu, 12 Jun 2025 13:30:00 +0000"
    assert parsed["Message-ID"].endswith("@example.org>")
    assert parsed["MIME-Version"] == "1.0"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parsed["Content-Language"] == "fr"
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = list(parsed.iter_parts())
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert text.get_content().replace("\r\n", "\n") == rendered.text
    assert html.get_content().replace("\r\n", "\n") == rendered.html
    assert text["MIME-Version"] is None


def test_message_is_seven_bit_with_crlf_and_stable(rendered: Rendered) -> None:
    msg = compose(rendered, sender="Équipe des archives <notifications@example.org>",
                  to=["Marie-Ève Côté <marie@example.org>"])
    raw = message_bytes(msg)
    assert max(raw) < 128
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    for part in msg.iter_parts():
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "=?utf-8?" in head and "Équipe" not in head and "Côté" not in head
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["From"].addresses[0].display_name == "Équipe des archives"
    assert parsed["To"].addresses[0].display_name == "Marie-Ève Côté"
    assert parsed["Subject"] == rendered.subject
    assert message_bytes(msg) == raw  # boundary fixed: every serialisation is identical


def test_message_id_domain(rendered: Rendered) -> None:
    idn = compose(rendered, sender="n@bücher.example", to=["bob@example.org"])
    assert idn["Message-ID"].endswith("@xn--bcher-kva.example>")
    assert str(idn["From"]) == "n@xn--bcher-kva.example"
    assert not needs_smtputf8(idn)
    chosen = compose(
        rendered, sender=SENDER, to=["b@example.org"], message_id_domain="mx.example.net"
    )
    assert chosen["Message-ID"].endswith("@mx.example.net>")
    first = compose(rendered, sender=SENDER, to=["b@example.org"])
    assert first["Message-ID"] != chosen["Message-ID"]


def test_internationalised_address_needs_smtputf8(rendered: Rendered) -> None:
    msg = compose(rendered, sender=SENDER, to=["josé@example.org"])
    assert needs_smtputf8(msg)
    with pytest.raises(MessageBuildError, match="SMTPUTF8") as info:
        message_bytes(msg)
    assert info.value.exit_code == 30
    raw = message_bytes(msg, utf8=True)
    assert "To: josé@example.org\r\n".encode() in raw
    for part in msg.iter_parts():  # bodies stay 7-bit either way
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    assert not needs_smtputf8(compose(rendered, sender=SENDER, to=["jose@example.org"]))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"sender": "not an address", "to": ["b@example.org"]}, "From"),
    ({"sender": SENDER, "to": ["b@example.org", "bob@"]}, "To"),
    ({"sender": SENDER, "to": ["b@example.org"], "cc": ["x@@y"]}, "Cc"),
    ({"sender": SENDER, "to": ["b@example.org"], "reply_to": "a\r\nBcc: x@y.org"}, "Reply-To"),
])
def test_bad_addresses_name_the_field(rendered: Rendered, kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        compose(rendered, **kwargs)
    assert str(info.value).startswith(f"{field}: ")


def test_no_recipient(rendered: Rendered) -> None:
    with pytest.raises(ConfigError, match="no recipient"):
        compose(rendered, sender=SENDER, to=[])


def test_subject_from_a_foreign_rendered_is_kept_on_one_line() -> None:
    odd = Rendered("x", "en", "Hi\r\nBcc: v@example.net", "text\n", "<p>x</p>\n")
    raw = message_bytes(compose(odd, sender=SENDER, to=["b@example.org"]))
    assert b"\r\nBcc:" not in raw and b"Subject: Hi Bcc: v@example.net\r\n" in raw
