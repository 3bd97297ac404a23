"""The Python API: send the application's notifications with the mailtui configuration.

    from mailtui import load_config, Mailer

    config = load_config("/etc/mailtui/mailtui.toml")
    with Mailer(config) as mailer:
        mailer.send_event("task_assigned_to_you", to="bob@example.org",
                          context={"task_title": "Review the retention schedule", ...})
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from mailtui.config.model import Settings
from mailtui.errors import MailtuiError
from mailtui.services.send import default_results_path as default_results_path

if TYPE_CHECKING:  # the SMTP and message layers load on first use, not on import
    from collections.abc import Callable

    from mailtui.outbox.build import Outgoing
    from mailtui.outbox.deliver import Delivery
    from mailtui.smtp.cancel import CancelToken
    from mailtui.smtp.transcript import EventCallback, WaitCallback


def load_config(path: str | os.PathLike[str] | None = None) -> Settings:
    """Load and validate a configuration file (default: $MAILTUI_CONFIG, then the user config
    dir). Raises ConfigError naming the file, line and field."""
    from mailtui.services.config import load

    return load(path)


class SendError(MailtuiError):
    """A message was not (or may not have been) sent. ``delivery`` has the details."""

    def __init__(self, message: str, delivery: Delivery, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, exit_code=delivery.exit_code)
        self.delivery = delivery


class Mailer:
    """Sends notifications over one reused SMTP connection (reopened when it drops).

    ``send_event`` returns a Delivery (status ``sent``) or raises SendError (permanent or
    temporary failure, or ``uncertain`` when the reply to the message was lost), ConfigError,
    or MessageBuildError (template, address, S/MIME).
    """

    def __init__(
        self,
        config: Settings,
        *,
        retries: int = 2,
        retry_delay: float = 2.0,
        on_event: EventCallback | None = None,
        on_retry: Callable[[str], None] | None = None,
        on_wait: WaitCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        from mailtui.javamail.resolve import password_for
        from mailtui.outbox.build import MessageBuilder
        from mailtui.outbox.deliver import Deliverer, require_enabled

        require_enabled(config)
        self.config = config
        self.builder = MessageBuilder(config)
        plan = self.builder.plan
        self._deliverer = Deliverer(plan, password_for(config, plan), on_event=on_event,
                                    retries=retries, retry_delay=retry_delay,
                                    on_retry=on_retry, on_wait=on_wait, cancel=cancel)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._deliverer.close()

    def send_event(
        self,
        event_id: str,
        *,
        to: str | Sequence[str],
        context: Mapping[str, object] | None = None,
        locale: str | None = None,
    ) -> Delivery:
        """Render ``event_id`` with ``context`` and send it to ``to``."""
        message = self.builder.build(event_id, to, context, locale=locale)
        return self.send(message)

    def send(self, message: Outgoing) -> Delivery:
        """Send an already built ``mailtui.outbox.build.Outgoing``."""
        from mailtui.outbox.deliver import DeliveryAborted

        try:
            delivery = self._deliverer.deliver(message)
        except DeliveryAborted as exc:
            from mailtui.outbox.deliver import Delivery

            failure = exc.failure
            delivery = Delivery("deferred", 1, failure.reply_code, failure.enhanced_code,
                                failure.reply, failure.stage, exc.explanation, exc.fix,
                                during=failure.during)
        if not delivery.ok:
            raise SendError(f"{delivery.status}: {delivery.explanation}", delivery,
                            hint=delivery.fix)
        return delivery

