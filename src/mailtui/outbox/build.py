"""Build a notification ready for SMTP: render the event, compose MIME, apply S/MIME."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mailtui.config.model import Settings
from mailtui.errors import ConfigError
from mailtui.javamail.plan import Plan


@dataclass(frozen=True)
class Outgoing:
    """One message as it will cross the wire."""

    event_id: str
    envelope_from: str
    recipients: tuple[str, ...]  # envelope recipients (addr-specs)
    data: bytes  # CRLF, final bytes
    message_id: str
    subject: str
    signed: bool = False
    encrypted: bool = False
    protection: str | None = None  # S/MIME summary for the transcript, e.g. "signed (SHA-256…)"


class MessageBuilder:
    """Builds messages for one configuration; the S/MIME certificate is loaded once."""

    def __init__(self, settings: Settings, plan: Plan | None = None) -> None:
        from mailtui.events.render import Renderer

        if not settings.server.default_sender:
            raise ConfigError("server.default_sender is not set: messages need a From address",
                              hint='set server.default_sender = "Name <app@example.org>"')
        if plan is None:
            from mailtui.javamail.resolve import resolve_plan

            plan = resolve_plan(settings)
        self.settings = settings
        self.plan = plan
        self.envelope_from = plan.envelope_from or ""
        templates = settings.templates
        self.renderer = Renderer(locale=templates.locale, override_dir=templates.directory,
                                 context=templates.context)
        self._signer: Any = None

    @property
    def signer(self) -> Any:
        if self._signer is None and self.settings.smime.configured:
            from mailtui.mail.smime import load_signer

            self._signer = load_signer(self.settings.smime)
        return self._signer

    def build(
        self,
        event_id: str,
        to: str | Sequence[str],
        variables: Mapping[str, Any] | None = None,
        *,
        locale: str | None = None,
        samples: bool = False,
    ) -> Outgoing:
        """Render ``event_id`` for ``to``. ``samples=True`` fills missing variables with the
        catalog's sample values (test sends); otherwise a missing variable is an error."""
        from mailtui.mail.compose import compose, parse_addresses

        recipients = parse_addresses([to] if isinstance(to, str) else list(to), "to")
        if not recipients:
            raise ConfigError("to: at least one recipient is needed")
        values = dict(variables or {})
        values.setdefault("recipient_email", recipients[0].addr_spec)
        if recipients[0].display_name:
            values.setdefault("recipient_name", recipients[0].display_name)
        rendered = self.renderer.render(event_id, values, locale=locale, fill_samples=samples)
        message = compose(rendered, sender=self.settings.server.default_sender or "",
                          to=[r.header_value() for r in recipients])
        return self.finish(event_id, message, [r.addr_spec for r in recipients])

    def finish(self, event_id: str, message: Any, recipients: Sequence[str]) -> Outgoing:
        """Apply ``[smime]`` to a composed message and freeze it as an Outgoing."""
        protection = protect_message(self.settings, message, recipients, signer=self.signer)
        return Outgoing(event_id, self.envelope_from, tuple(recipients), protection.data,
                        str(message.get("Message-ID", "")), str(message.get("Subject", "")),
                        protection.signed, protection.encrypted, protection.summary)


@dataclass(frozen=True)
class Protection:
    data: bytes
    signed: bool = False
    encrypted: bool = False
    summary: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"signed": self.signed, "encrypted": self.encrypted, "summary": self.summary}


def protect_message(settings: Settings, message: Any, recipients: Sequence[str], *,
                    signer: Any = None) -> Protection:
    """The final bytes of ``message``: signed / encrypted as ``[smime]`` says, else as is."""
    from mailtui.mail.compose import message_bytes, needs_smtputf8

    if not settings.smime.configured:
        return Protection(message_bytes(message, utf8=needs_smtputf8(message)))
    from mailtui.mail.smime import protect_with_settings

    protected = protect_with_settings(message, settings.smime, list(recipients), signer=signer)
    return Protection(protected.data, protected.signed, protected.encrypted, protected.summary)


def protect_raw(settings: Settings, data: bytes, recipients: Sequence[str]) -> Protection:
    """``protect_message`` for a message that is already bytes (the plain test message)."""
    if not settings.smime.configured:
        return Protection(data)
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.SMTP)
    return protect_message(settings, message, recipients)
