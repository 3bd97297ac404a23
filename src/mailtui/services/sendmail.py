"""``sendmail``: send an RFC 5322 message as /usr/sbin/sendmail does (cron, PHP's mail()).

:func:`prepare_sendmail` checks the account and chooses the envelope sender and the From
header to add, before the message is read; :meth:`PreparedSendmail.run` takes the message
bytes, collects the recipients, completes the header (From, Date, Message-ID; Bcc removed),
applies S/MIME and delivers it once (no retries). The outcome is a :class:`SendmailOutcome`
whose ``exit_code`` follows sysexits.h; refusals before sending are :class:`SendmailError`
(each with its sysexits code), never a printed line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mailtui.errors import EXIT_CONFIG, EXIT_MESSAGE_BUILD, EXIT_USAGE, MailtuiError

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.javamail.plan import Plan
    from mailtui.mail.rawmessage import RawMessage
    from mailtui.outbox.deliver import Delivery
    from mailtui.smtp.transcript import EventCallback

# sysexits.h
EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_NOUSER = 67
EX_UNAVAILABLE = 69
EX_SOFTWARE = 70
EX_OSERR = 71
EX_IOERR = 74
EX_TEMPFAIL = 75
EX_PROTOCOL = 76
EX_NOPERM = 77
EX_CONFIG = 78


class SendmailError(MailtuiError):
    """A refusal before anything is sent; ``sysexit`` is its sysexits.h code (EX_USAGE,
    EX_CONFIG, EX_IOERR, ...). ``exit_code`` is mailtui's own (2 usage, 3 configuration)."""

    def __init__(self, sysexit: int, message: str) -> None:
        super().__init__(message, exit_code=EXIT_USAGE if sysexit == EX_USAGE else EXIT_CONFIG)
        self.sysexit = sysexit


def error_sysexit(exc: MailtuiError) -> int:
    """The sysexits.h code of an error raised before sending: its own for a SendmailError,
    EX_DATAERR for a message that cannot be built, else EX_CONFIG."""
    if isinstance(exc, SendmailError):
        return exc.sysexit
    return EX_DATAERR if exc.exit_code == EXIT_MESSAGE_BUILD else EX_CONFIG


def check_dsn_notify(notify: str | None) -> None:
    """SendmailError (EX_USAGE) when ``notify`` (-N) is not a DSN NOTIFY value."""
    if not notify:
        return
    from mailtui.javamail.catalog import lookup, validate_value

    spec = lookup("mail.smtp.dsn.notify")
    assert spec is not None
    problem = validate_value(spec, notify.upper())
    if problem:
        raise SendmailError(EX_USAGE, f"-N: {problem}")


@dataclass(frozen=True)
class SendmailMessage:
    """The message as it goes out: header completed, S/MIME applied."""

    recipients: tuple[str, ...]  # envelope recipients (addr-specs), duplicates removed
    data: bytes
    message_id: str
    subject: str
    added: tuple[str, ...] = ()  # the header fields mailtui added (From, Date, Message-ID)


@dataclass(frozen=True)
class SendmailOutcome:
    """What became of the message. ``exit_code``: 0 when sent, else its sysexits.h code."""

    delivery: Delivery
    message: SendmailMessage
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.delivery.ok

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.message.recipients


@dataclass(frozen=True)
class PreparedSendmail:
    """The account checked, the envelope sender and the From header chosen; the message
    comes next (:meth:`compose`, :meth:`run`)."""

    settings: Settings = field(repr=False)
    plan: Plan
    envelope_from: str  # "" is the null sender
    recipients: tuple[str, ...] = ()  # as given: checked with the message (EX_DATAERR)
    read_recipients: bool = False  # also To, Cc, Bcc (Resent-* if present) of the message
    sender_given: str | None = None  # -f as given
    full_name: str | None = None  # -F

    @property
    def from_header(self) -> str:
        """The From field added to a message that has none."""
        return from_header(self.settings, self.envelope_from, self.sender_given,
                           self.full_name)

    def compose(self, data: bytes) -> SendmailMessage:
        """Parse ``data`` (CRLF line ends, as ``read_message`` returns), collect the
        recipients, complete the header and apply S/MIME. MessageDataError (EX_DATAERR) for
        a bad address; SendmailError (EX_USAGE) when there is no recipient at all."""
        from mailtui.mail import rawmessage as raw

        message = raw.RawMessage.parse(data)
        recipients = raw.addresses(self.recipients, "recipient")
        if self.read_recipients:
            recipients += raw.header_recipients(message)
        recipients = raw.unique(recipients)
        if not recipients:
            raise SendmailError(EX_USAGE, "no recipient: give addresses on the command line, "
                                "or -t with To/Cc/Bcc in the message")
        raw.complete_header(message, sender=self.from_header)
        out = message.to_bytes()
        if self.settings.smime.configured:
            from mailtui.outbox.build import protect_raw

            out = protect_raw(self.settings, out, recipients).data
        return SendmailMessage(tuple(recipients), out, _first(message, "message-id"),
                               _first(message, "subject"), tuple(message.added))

    def run(self, data: bytes | SendmailMessage, on_event: EventCallback | None = None,
            **options: Any) -> SendmailOutcome:
        """Compose (unless given a composed message) and deliver once: one connection, no
        retry. The password source is read here. A refusal, a timeout or a lost reply is an
        outcome, never an exception. ``options`` go to the
        :class:`~mailtui.outbox.deliver.Deliverer` (``on_wait``, ``cancel``, ...)."""
        from mailtui.javamail.resolve import password_for
        from mailtui.outbox.build import Outgoing
        from mailtui.outbox.deliver import Deliverer
        from mailtui.services.send import deliver_once

        message = data if isinstance(data, SendmailMessage) else self.compose(data)
        password = password_for(self.settings, self.plan)
        outgoing = Outgoing("sendmail", self.envelope_from, message.recipients, message.data,
                            message.message_id, message.subject)
        with Deliverer(self.plan, password, on_event=on_event, retries=0,
                       **options) as deliverer:
            delivery = deliver_once(deliverer, outgoing)
        return SendmailOutcome(delivery, message,
                               EX_OK if delivery.ok else exit_code(delivery))


def prepare_sendmail(
    settings: Settings,
    *,
    recipients: tuple[str, ...] | list[str] = (),
    read_recipients: bool = False,
    envelope_from: str | None = None,
    full_name: str | None = None,
    dsn_notify: str | None = None,
    dsn_ret: str | None = None,
    plan: Plan | None = None,
) -> PreparedSendmail:
    """Check what sending needs before the message is read: sending enabled, a server, usable
    TLS files, valid DSN options, a sender. ``envelope_from`` is sendmail's -f ("" or "<>":
    the null sender; default: the plan's envelope sender), ``full_name`` its -F (the display
    name of an added From). ``plan`` replaces ``resolve_plan(settings)``. Raises ConfigError
    (EX_CONFIG) or SendmailError (with its sysexits code)."""
    import dataclasses

    from mailtui.outbox.deliver import require_enabled
    from mailtui.services._preflight import require_usable_tls

    check_dsn_notify(dsn_notify)
    require_enabled(settings)
    if plan is None:
        from mailtui.javamail.resolve import resolve_plan

        plan = resolve_plan(settings)
    if not plan.host:
        raise SendmailError(EX_CONFIG, "no SMTP server: mail.smtp.host is not set")
    require_usable_tls(settings, plan)  # EX_CONFIG before connecting
    if dsn_notify or dsn_ret:
        plan = dataclasses.replace(plan, dsn_notify=dsn_notify.upper() if dsn_notify
                                   else plan.dsn_notify,
                                   dsn_ret=(dsn_ret or plan.dsn_ret or "").upper() or None)
    sender = choose_envelope_from(plan, envelope_from)
    return PreparedSendmail(settings, plan, sender, tuple(recipients), read_recipients,
                            envelope_from, full_name)


def choose_envelope_from(plan: Plan, given: str | None) -> str:
    """The envelope sender: ``given`` (-f) when there is one ("" or "<>": the null sender,
    for bounces and auto-replies), else the plan's. SendmailError: EX_USAGE when ``given``
    is not one address, EX_CONFIG when there is no sender at all."""
    from mailtui.mail.rawmessage import addresses

    if given is not None:
        if given.strip() in ("", "<>"):
            return ""  # the null sender (bounces, auto-replies)
        found = addresses([given], "-f")
        if len(found) != 1:
            raise SendmailError(EX_USAGE, f"-f: {given!r} is not one address")
        return found[0]
    if not plan.envelope_from:
        raise SendmailError(EX_CONFIG, "no sender address: set server.default_sender (or "
                            "pass -f)")
    return str(plan.envelope_from)


def from_header(settings: Settings, envelope_from: str, given: str | None,
                full_name: str | None) -> str:
    """The From field added to a message that has none: ``full_name`` (-F) with the -f
    address (``given``), else the default sender (its display name unless -F)."""
    from mailtui.config.addresses import parse_mailbox
    from mailtui.mail.rawmessage import sender_header

    if given and envelope_from:
        return sender_header(envelope_from, full_name)
    default = settings.server.default_sender or envelope_from
    try:
        box = parse_mailbox(default)
    except ValueError:
        return sender_header(default, full_name)
    return sender_header(box.ascii_addr_spec or box.addr_spec, full_name or box.display_name)


def exit_code(delivery: Delivery) -> int:
    """The sysexits.h code of a failed delivery (see the README's table)."""
    from mailtui.smtp.codes import is_transient
    from mailtui.smtp.stages import Stage

    stage = delivery.stage
    if delivery.status == "uncertain":
        return EX_IOERR  # the reply to the whole message was lost: retrying may duplicate it
    if delivery.reply_code is not None and is_transient(delivery.reply_code):
        return EX_TEMPFAIL
    if stage in (Stage.DNS, Stage.CONNECT, Stage.TIMEOUT, Stage.CONNECTION_LOST):
        return EX_TEMPFAIL
    if stage in (Stage.MAIL_FROM, Stage.RCPT) and delivery.reply_code is None:
        return EX_DATAERR  # an address the server cannot take (SMTPUTF8 not offered)
    return {
        Stage.CONFIG: EX_CONFIG,
        Stage.GREETING: EX_UNAVAILABLE,
        Stage.EHLO: EX_PROTOCOL,
        Stage.TLS: EX_UNAVAILABLE,
        Stage.AUTH: EX_NOPERM,
        Stage.MAIL_FROM: EX_UNAVAILABLE,
        Stage.RCPT: EX_NOUSER,
        Stage.DATA: EX_UNAVAILABLE,
        Stage.AFTER_DATA: EX_UNAVAILABLE,
        Stage.MESSAGE_BUILD: EX_DATAERR,
    }.get(stage, EX_SOFTWARE)


def _first(message: RawMessage, name: str) -> str:
    values = message.values(name)
    return values[0] if values else ""
