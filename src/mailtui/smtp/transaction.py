"""One mail transaction on an open session: MAIL FROM, RCPT TO..., DATA, the content.

Split from :mod:`mailtui.smtp.session`, which calls :func:`run_transaction` from
``Session.send`` inside its socket guard; failures are built by the session (``_fail``,
``_reply_failure``) so they carry its facts and are scrubbed by its redactor.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailtui.smtp.codes import ReplyCode
from mailtui.smtp.results import RecipientResult, SendResult, split_reply
from mailtui.smtp.stages import Stage

if TYPE_CHECKING:
    from mailtui.smtp.client import RecordingSMTP
    from mailtui.smtp.sessionapi import SessionCore


@dataclass
class _Envelope:
    """The command lines of one transaction, with the options the server allows."""

    mail_line: str
    rcpt_lines: list[str]


def has_8bit(data: bytes) -> bool:
    return not data.isascii()


def run_transaction(session: SessionCore, client: RecordingSMTP, envelope_from: str,
                    recipients: list[str], message: bytes, *, pipelining: bool,
                    on_content: Callable[[], None] | None = None) -> SendResult:
    """MAIL, RCPT..., DATA and the content; raises SessionError. ``on_content`` is called
    just before the content (the part whose final dot commits the message) is written."""
    plan = session.plan
    caps = session._caps()
    client.stage = Stage.MAIL_FROM
    envelope = _envelope(session, client, envelope_from, recipients, message)
    pipelined = pipelining and caps.pipelining
    with_data = pipelined and (len(recipients) == 1 or plan.send_partial)
    if pipelined:
        client.send_lines([envelope.mail_line, *envelope.rcpt_lines]
                          + (["DATA"] if with_data else []))
    else:
        client.send(envelope.mail_line + "\r\n")
    mail_reply = client.getreply()
    results: list[RecipientResult] = []
    raw_replies: dict[str, bytes] = {}
    client.stage = Stage.RCPT
    for address, line in zip(recipients, envelope.rcpt_lines, strict=True):
        if not pipelined:
            if mail_reply[0] != ReplyCode.OK:
                break
            client.send(line + "\r\n")
        rcode, rraw = client.getreply()
        raw_replies[address] = rraw
        enhanced, text = split_reply(rcode, rraw)
        results.append(RecipientResult(
            address, rcode in (ReplyCode.OK, ReplyCode.WILL_FORWARD), rcode, text, enhanced))
    data_reply: tuple[int, bytes] | None = None
    if with_data:
        client.stage = Stage.DATA
        data_reply = client.getreply()
    if mail_reply[0] != ReplyCode.OK:
        _abandon_data(client, data_reply)
        raise session._reply_failure(Stage.MAIL_FROM, *mail_reply, recoverable=True)
    accepted = [r for r in results if r.accepted]
    rejected = [r for r in results if not r.accepted]
    if not accepted or (rejected and not plan.send_partial):
        _abandon_data(client, data_reply)
        first = rejected[0]
        raise session._reply_failure(
            Stage.RCPT, first.code, raw_replies[first.address], recoverable=True,
            rejected=[r.address for r in rejected], accepted=[r.address for r in accepted])
    if rejected:
        client.info("recipients rejected, sending to the others (mail.smtp.sendpartial): "
                    + ", ".join(r.address for r in rejected))
    return _data(session, client, message, data_reply, tuple(results), on_content)


def _data(session: SessionCore, client: RecordingSMTP, message: bytes,
          data_reply: tuple[int, bytes] | None, results: tuple[RecipientResult, ...],
          on_content: Callable[[], None] | None) -> SendResult:
    client.stage = Stage.DATA
    if data_reply is None:
        data_reply = client.docmd("DATA")
    if data_reply[0] != ReplyCode.START_MAIL_INPUT:
        raise session._reply_failure(Stage.DATA, *data_reply, recoverable=True)
    session.check_cancelled()  # the last moment a cancel leaves the message surely unsent
    if on_content is not None:
        on_content()
    client.writing = True
    try:
        client.send_message_data(message)
    finally:
        client.writing = False
    client.stage = Stage.AFTER_DATA
    code, raw = client.getreply()
    if code != ReplyCode.OK:
        raise session._reply_failure(Stage.AFTER_DATA, code, raw, recoverable=True)
    client.command_encoding = "ascii"
    enhanced, text = split_reply(code, raw)
    return SendResult(results, code, text, enhanced)


def _envelope(session: SessionCore, client: RecordingSMTP, envelope_from: str,
              recipients: list[str], message: bytes) -> _Envelope:
    """The MAIL and RCPT lines: SMTPUTF8 or punycode, SIZE, BODY, DSN as offered."""
    plan = session.plan
    caps = session._caps()
    headers_8bit = has_8bit(message.partition(b"\r\n\r\n")[0])
    needs_utf8 = headers_8bit or not envelope_from.isascii() or not all(
        r.isascii() for r in recipients)
    use_utf8 = needs_utf8 and caps.smtputf8
    if needs_utf8 and not caps.smtputf8:
        envelope_from = ascii_address(session, envelope_from, Stage.MAIL_FROM)
        recipients = [ascii_address(session, r, Stage.RCPT) for r in recipients]
        if headers_8bit:
            raise session._fail(Stage.MAIL_FROM, "smtputf8", recoverable=True,
                                detail="the message headers contain UTF-8 but the server "
                                       "does not offer SMTPUTF8", address="message headers")
    mail_options: list[str] = []
    if caps.size is not None:
        mail_options.append(f"SIZE={len(message)}")
    if has_8bit(message):
        if caps.eightbitmime:
            mail_options.append("BODY=8BITMIME")
        else:
            client.info("the message has 8-bit data but the server does not offer 8BITMIME")
    if use_utf8:
        mail_options.append("SMTPUTF8")
        client.command_encoding = "utf-8"
    rcpt_options: list[str] = []
    if plan.dsn_ret or plan.dsn_notify:
        if caps.dsn:
            if plan.dsn_ret:
                mail_options.append(f"RET={plan.dsn_ret}")
            if plan.dsn_notify:
                rcpt_options.append(f"NOTIFY={plan.dsn_notify}")
        else:
            client.info("the server does not offer DSN: mail.smtp.dsn.* ignored")
    if not caps.esmtp:
        mail_options, rcpt_options = [], []
    mail_line = f"MAIL FROM:{smtplib.quoteaddr(envelope_from)}" + "".join(
        " " + o for o in mail_options)
    rcpt_lines = [f"RCPT TO:{smtplib.quoteaddr(r)}" + "".join(" " + o for o in rcpt_options)
                  for r in recipients]
    return _Envelope(mail_line, rcpt_lines)


def _abandon_data(client: RecordingSMTP, data_reply: tuple[int, bytes] | None) -> None:
    """A pipelined DATA that was accepted although the transaction failed: end it empty
    (RFC 2920 §3.1); only reached when no recipient was accepted."""
    if data_reply is not None and data_reply[0] == ReplyCode.START_MAIL_INPUT:
        client.send(".\r\n")
        client.getreply()


def ascii_address(session: SessionCore, address: str, stage: Stage) -> str:
    if address.isascii():
        return address
    local, _, domain = address.rpartition("@")
    if local.isascii():
        try:
            import idna

            return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
        except (ImportError, idna.IDNAError, UnicodeError):
            pass
    raise session._fail(stage, "smtputf8", recoverable=True, address=address,
                        detail=f"{address} needs SMTPUTF8, which the server does not offer")
