"""``send``: send one notification, or a batch of them from a JSONL file, for real.

:func:`check_sending` is the pre-flight of both (sending enabled, usable TLS files);
:func:`send_notification` renders, builds and delivers one message (with retries) and returns a
:class:`SendOutcome` — a refusal or a lost reply is an outcome, never an exception;
:func:`prepare_batch` validates a batch file and :meth:`PreparedBatch.run` sends it, journaling
each result. Nothing here prints: progress reaches the callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailtui.config.model import Settings
    from mailtui.javamail.plan import Plan
    from mailtui.outbox.batch import BatchItem, BatchSummary
    from mailtui.outbox.build import Outgoing
    from mailtui.outbox.deliver import Deliverer, Delivery
    from mailtui.smtp.cancel import CancelToken
    from mailtui.smtp.transcript import EventCallback, WaitCallback


def check_sending(settings: Settings) -> Plan:
    """The pre-flight of a real send: ConfigError (exit 3) while ``server.enabled`` is false
    or when a TLS file of the plan cannot be used. Returns the effective plan."""
    from mailtui.javamail.resolve import resolve_plan
    from mailtui.outbox.deliver import require_enabled
    from mailtui.services._preflight import require_usable_tls

    require_enabled(settings)  # before reading any context or batch file
    plan = resolve_plan(settings)
    require_usable_tls(settings, plan)  # before any connection
    return plan


def deliver_once(deliverer: Deliverer, message: Outgoing) -> Delivery:
    """``deliverer.deliver(message)``, a server that cannot be used at all (DNS, TLS, AUTH)
    being a ``deferred`` delivery rather than an exception."""
    from mailtui.outbox.deliver import Delivery, DeliveryAborted

    try:
        return deliverer.deliver(message)
    except DeliveryAborted as exc:
        failure = exc.failure
        return Delivery("deferred", 1, failure.reply_code, failure.enhanced_code,
                        failure.reply, failure.stage, exc.explanation, exc.fix,
                        during=failure.during)


@dataclass(frozen=True)
class SendOutcome:
    """One notification: the message as built and what became of it."""

    event: str
    to: tuple[str, ...]  # as given
    message: Outgoing
    delivery: Delivery

    @property
    def ok(self) -> bool:
        return self.delivery.ok

    @property
    def exit_code(self) -> int:
        """0 when sent, else the stage code (as send-test's)."""
        return 0 if self.delivery.ok else self.delivery.exit_code

    def to_json(self) -> dict[str, Any]:
        """The object of ``mailtui send --json``."""
        return {"event": self.event, "to": list(self.to),
                "message_id": self.message.message_id, **self.delivery.to_record(),
                "smime": self.message.protection}


def send_notification(
    settings: Settings,
    event: str,
    to: str | Sequence[str],
    context: Mapping[str, object] | None = None,
    *,
    locale: str | None = None,
    retries: int = 3,
    retry_delay: float = 2.0,
    on_event: EventCallback | None = None,
    on_retry: Callable[[str], None] | None = None,
    on_wait: WaitCallback | None = None,
    cancel: CancelToken | None = None,
) -> SendOutcome:
    """Render ``event`` with ``context`` (``locale``: default ``[templates] locale``), build
    it (S/MIME as configured) and deliver it to ``to``, retrying temporary failures
    ``retries`` times with backoff from ``retry_delay`` (``on_retry`` is told before each
    wait). The password source is read here. Raises ConfigError or MessageBuildError (exit
    30) before connecting; SMTP failures are in the outcome."""
    from mailtui.javamail.resolve import password_for
    from mailtui.outbox.build import MessageBuilder
    from mailtui.outbox.deliver import Deliverer, require_enabled

    require_enabled(settings)
    builder = MessageBuilder(settings)
    plan = builder.plan
    with Deliverer(plan, password_for(settings, plan), on_event=on_event, retries=retries,
                   retry_delay=retry_delay, on_retry=on_retry, on_wait=on_wait,
                   cancel=cancel) as deliverer:
        message = builder.build(event, to, context, locale=locale)
        delivery = deliver_once(deliverer, message)
    recipients = (to,) if isinstance(to, str) else tuple(to)
    return SendOutcome(event, recipients, message, delivery)


def default_results_path(batch: Path) -> Path:
    """Where a batch's results go unless told: ``FILE.results.jsonl`` beside it."""
    return batch.with_name(batch.name + ".results.jsonl")


@dataclass(frozen=True)
class PreparedBatch:
    """A validated batch file and where its results are journaled."""

    path: Path
    results: Path
    items: tuple[BatchItem, ...]

    def run(self, settings: Settings, **options: Any) -> BatchSummary:
        """Send what the results file does not record as done (an interrupted run resumes).
        ``options`` go to :func:`mailtui.outbox.batch.run_batch` (``retries``,
        ``retry_delay``, ``retry_uncertain``, ``retry_failed``, ``echo``, ``on_retry``,
        ``on_wait``, ``wait``, ``on_lock_wait``, ``cancel``)."""
        from mailtui.outbox.batch import run_batch

        return run_batch(settings, list(self.items), self.results, **options)


def prepare_batch(path: str | Path, results: str | Path | None = None) -> PreparedBatch:
    """Read and validate every line of the batch file (ConfigError listing each bad line,
    ``FILE:LINE: reason``; nothing is sent). ``results`` defaults to
    :func:`default_results_path`."""
    from mailtui.outbox.batch import read_batch

    batch = Path(path)
    items = read_batch(batch)
    target = Path(results) if results else default_results_path(batch)
    return PreparedBatch(batch, target, tuple(items))
