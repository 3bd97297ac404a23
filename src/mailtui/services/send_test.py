"""``send_test``: prepare a test send (recipient and sender checks, the plain test message or
an event's sample, S/MIME), then run it — the conversation reaches ``on_event`` as it happens
and the outcome is a :class:`~mailtui.smtp.results.SessionResult`, never an exception."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.javamail.plan import Plan
    from mailtui.outbox.build import Protection
    from mailtui.smtp.results import SessionResult
    from mailtui.smtp.transcript import EventCallback, TranscriptEvent


@dataclass(frozen=True)
class PreparedTestSend:
    """A test message ready to go: where, from whom, to whom, and the bytes."""

    plan: Plan
    sender: str  # the From of the message (the default sender, else the envelope sender)
    recipient: str  # the recipient's address (addr-spec)
    message: bytes
    event: str | None  # None: the plain test message
    protection: Protection | None  # S/MIME applied (None: none configured / not applied)
    warnings: tuple[str, ...] = ()  # accepted but worth saying (an internal domain)
    password: str | None = field(default=None, repr=False)

    def run(self, on_event: EventCallback | None = None, **options: Any) -> SessionResult:
        """Send it: connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT. ``options`` go to
        :func:`mailtui.smtp.testsend.run_test_send` (``on_wait``, ``cancel``, ...)."""
        from mailtui.smtp.testsend import run_test_send

        return run_test_send(self.plan, self.password, self.message, [self.recipient],
                             on_event, **options)


def prepare_test_send(
    settings: Settings,
    *,
    to: str | None = None,
    event: str | None = None,
    plan: Plan | None = None,
    warn: Callable[[str], None] | None = None,
    locale: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> PreparedTestSend:
    """Check what a test send needs and build its message: ``to`` (default
    ``server.test_recipient``), the plain test message or ``event``'s sample values, S/MIME
    as ``[smime]`` says. ``plan`` replaces ``resolve_plan(settings)``; ``warn`` receives the
    warnings as they are found (they are also in the result); ``locale`` replaces
    ``templates.locale`` for the event (en, fr); ``variables`` are the event's values
    (the template browser's edited samples; what they leave out takes the catalog's sample
    values). The password source is read
    here (a prompt asks now). Raises ConfigError (exit 3) or MessageBuildError (exit 30)."""
    from mailtui.config.addresses import parse_mailbox
    from mailtui.errors import ConfigError
    from mailtui.javamail.resolve import password_for, resolve_plan
    from mailtui.services._preflight import (
        internal_address_notes,
        require_server,
        require_usable_tls,
    )

    if locale is not None and locale != settings.templates.locale:
        import dataclasses

        settings = dataclasses.replace(
            settings, templates=dataclasses.replace(settings.templates, locale=locale))
    if plan is None:
        plan = resolve_plan(settings)
    server = settings.server
    require_server(plan)
    recipient = to or server.test_recipient
    if not recipient:
        raise ConfigError("no recipient for the test message",
                          hint="pass --to ADDR or set server.test_recipient")
    sender = server.default_sender or plan.envelope_from
    if not sender:
        raise ConfigError("no sender address", hint="set server.default_sender")
    try:
        rcpt_box = parse_mailbox(recipient)
    except ValueError as exc:
        where = "--to" if to else "server.test_recipient"
        raise ConfigError(f"{where}: {recipient!r} is not an email address: {exc}") from None
    warnings = internal_address_notes({"recipient": recipient, "sender": sender})
    if warn is not None:
        for note in warnings:
            warn(note)
    require_usable_tls(settings, plan)
    password = password_for(settings, plan)
    message, protection = _message(settings, plan, sender, rcpt_box.addr_spec, recipient, event,
                                   variables)
    return PreparedTestSend(plan, sender, rcpt_box.addr_spec, message, event, protection,
                            tuple(warnings), password)


def _message(settings: Settings, plan: Plan, sender: str, address: str, recipient: str,
             event: str | None, variables: Mapping[str, Any] | None = None,
             ) -> tuple[bytes, Protection | None]:
    """The bytes to send and the S/MIME protection applied to them."""
    if event is not None:
        from mailtui.outbox.build import MessageBuilder, Protection

        built = MessageBuilder(settings).build(event, recipient, variables, samples=True)
        protection = None
        if built.signed or built.encrypted:
            protection = Protection(built.data, built.signed, built.encrypted, built.protection)
        return built.data, protection
    from mailtui.mail.testmessage import build_test_message

    message = build_test_message(sender, recipient, details={
        "Server": f"{plan.host}:{plan.port} ({plan.security})",
        "Login": f"{plan.username}" if plan.auth else "none",
    })
    if not settings.smime.configured:
        return message, None
    from mailtui.outbox.build import protect_raw

    protected = protect_raw(settings, message, [address])
    return protected.data, protected



def ticket_text(plan: Plan, result: Any, events: Iterable[TranscriptEvent], *,
                title: str = "mailtui test send", started: str | None = None,
                success_text: str = "message accepted") -> str:
    """A test send (or probe) as plain text for a support ticket: the effective connection,
    the result (stage, exit code, the server's reply, why, the fix), then the transcript.
    Built only from redacted data (the plan holds no password, the events are scrubbed)."""
    from mailtui.services.plan import describe_plan
    from mailtui.smtp.render import plain_transcript, result_lines

    head = [title + (f" ({started})" if started else ""), ""]
    head += [f"{name:<14}{value}" for name, value in describe_plan(plan).rows]
    outcome = [line for line in result_lines(result, success_text=success_text) if line]
    body = plain_transcript(events)
    return "\n".join([*head, "", *outcome, "", "transcript:", *body]) + "\n"
