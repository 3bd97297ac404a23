"""SMTP AUTH: mechanism choice in JavaMail's order, and exchanges that never record secrets."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Iterable

from mailtui.javamail.plan import SUPPORTED_MECHANISMS
from mailtui.smtp.client import RecordingSMTP
from mailtui.smtp.codes import ReplyCode

# Returns an OAuth2 access token for the account (a later issue provides real ones).
TokenProvider = Callable[[], str]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def choose_mechanism(
    wanted: Iterable[str], offered: Iterable[str], *, have_token: bool = False
) -> str | None:
    """The first of ``wanted`` (the plan's JavaMail order) that the server offers.

    Like JavaMail, only that one mechanism is tried: a failure is not retried with another
    (which would only burn attempts against the account's lockout counter).
    """
    offered_set = {m.upper() for m in offered}
    for name in wanted:
        name = name.upper()
        if name not in SUPPORTED_MECHANISMS or name not in offered_set:
            continue
        if name == "XOAUTH2" and not have_token:
            continue
        return name
    return None


def authenticate(
    client: RecordingSMTP,
    mechanism: str,
    username: str,
    password: str | None,
    *,
    authzid: str | None = None,
    token_provider: TokenProvider | None = None,
) -> tuple[int, bytes]:
    """Run one AUTH exchange; return the final reply. Payloads are recorded as markers."""
    mechanism = mechanism.upper()
    if mechanism == "PLAIN":
        assert password is not None
        payload = _b64(f"{authzid or ''}\0{username}\0{password}".encode())
        client.transcript.redactor.add_payload(payload.encode())
        client.send_secret(f"AUTH PLAIN {payload}",
                           f"AUTH PLAIN [credentials redacted: {len(payload)} bytes]")
        code, reply = client.getreply()
        # A challenge here: the server ignored the initial response. Cancel, do not resend.
        if code == ReplyCode.AUTH_CONTINUE:
            client.send("*\r\n")
            code, reply = client.getreply()
        return code, reply
    if mechanism == "LOGIN":
        assert password is not None
        code, reply = client.docmd("AUTH", "LOGIN")
        steps = [("username", username), ("password", password)]
        for what, value in steps:
            if code != ReplyCode.AUTH_CONTINUE:
                return code, reply
            payload = _b64(value.encode())  # send_secret registers it with the redactor
            client.send_secret(payload, f"[LOGIN {what} redacted: {len(payload)} bytes]")
            code, reply = client.getreply()
        return code, reply
    if mechanism == "CRAM-MD5":
        assert password is not None
        code, reply = client.docmd("AUTH", "CRAM-MD5")
        if code != ReplyCode.AUTH_CONTINUE:
            return code, reply
        challenge = base64.b64decode(reply.strip() or b"")
        digest = hmac.new(password.encode(), challenge, "md5").hexdigest()
        payload = _b64(f"{username} {digest}".encode())  # registered by send_secret
        client.send_secret(payload, f"[CRAM-MD5 response redacted: {len(payload)} bytes]")
        return client.getreply()
    if mechanism == "XOAUTH2":
        if token_provider is None:
            raise ValueError("XOAUTH2 needs a token provider")
        token = token_provider()
        client.transcript.redactor.add_secret(token)
        payload = _b64(f"user={username}\x01auth=Bearer {token}\x01\x01".encode())
        client.transcript.redactor.add_payload(payload.encode())
        client.send_secret(f"AUTH XOAUTH2 {payload}",
                           f"AUTH XOAUTH2 [token redacted: {len(payload)} bytes]")
        code, reply = client.getreply()
        # A challenge here is an error report (base64 JSON): acknowledge with an empty line.
        if code == ReplyCode.AUTH_CONTINUE:
            client.send("\r\n")
            code, reply = client.getreply()
        return code, reply
    raise ValueError(f"unsupported AUTH mechanism {mechanism}")
