"""Transcript events, redaction and the DATA summary."""

from __future__ import annotations

import base64

from mailtui.smtp.stages import Stage
from mailtui.smtp.transcript import EventLog, Redactor, Transcript, body_summary

PASSWORD = "pässword-Sekret-42"
USER = "me@example.org"


def b64(data: str) -> str:
    return base64.b64encode(data.encode()).decode()


def test_redactor_scrubs_clear_and_base64_forms() -> None:
    r = Redactor()
    r.add_secret(PASSWORD)
    for prefix in ("", "x", "xy", f"\0{USER}\0"):
        encoded = b64(prefix + PASSWORD + "tail")
        assert PASSWORD not in r.scrub(f"said {PASSWORD}!")
        scrubbed = r.scrub(f"AUTH PLAIN {encoded}")
        # the alignment-independent middle of the password's base64 is gone
        assert scrubbed != f"AUTH PLAIN {encoded}", prefix
    assert r.scrub(b64(PASSWORD)) == Redactor.MARK


def test_redactor_ignores_tiny_secrets() -> None:
    r = Redactor()
    r.add_secret("ab")
    assert r.scrub("abc") == "abc"


def test_transcript_emits_live_and_scrubs() -> None:
    log = EventLog()
    t = Transcript(log)
    t.redactor.add_secret(PASSWORD)
    event = t.add("client", f"oops {PASSWORD}", stage=Stage.AUTH, tls=True)
    assert log.events == [event] == t.events
    assert PASSWORD not in event.text
    assert event.to_json() == {"t": round(event.t, 4), "dir": "client", "tls": True,
                               "stage": "auth", "text": event.text}


def test_body_summary_shows_headers_only() -> None:
    body = b"line one\r\nline two\r\n" * 1000
    message = b"From: a@example.org\r\nSubject: big\r\n folded\r\n\r\n" + body
    headers, summary = body_summary(message)
    assert headers == ["From: a@example.org", "Subject: big", " folded"]
    assert summary == f"[body: 2000 lines, {len(body):,} bytes]"


def test_body_summary_names_smime() -> None:
    signed = (b'Content-Type: multipart/signed; protocol="application/pkcs7-signature";\r\n'
              b' micalg=sha-256; boundary="b"\r\n\r\n--b\r\n')
    encrypted = (b'Content-Type: application/pkcs7-mime; smime-type=enveloped-data;\r\n'
                 b' name="smime.p7m"\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n')
    assert body_summary(signed)[1].endswith("S/MIME signed]")
    assert body_summary(encrypted)[1].endswith("S/MIME encrypted]")
    assert "S/MIME" not in body_summary(b"Subject: x\r\n\r\nhi\r\n")[1]
