"""Batch sending from a JSONL file, with a results journal that makes a run resumable.

Each input line is ``{"event": ID, "to": ADDR | [ADDR...], "context": {...}, "locale": "fr",
"id": "optional unique key"}``. Each message gets journal lines (JSON) in the results file:
``sending`` just before its content is transmitted (after MAIL, RCPT and DATA were accepted),
then ``sent``, ``failed``, ``deferred``, ``uncertain``, ``cancelled`` or ``invalid``. A rerun
skips what is ``sent``; it also skips ``uncertain`` messages (and those left ``sending`` by a
crash), whose content went out but whose reply was lost and which may have been delivered,
unless asked to retry them: a message is never sent twice behind your back. Such
skipped-but-unconfirmed messages keep the run's exit code non-zero. A run cancelled (Ctrl-C)
before a message's content went out records it ``cancelled`` and the rerun sends it. Messages
are keyed by their ``id``, else by their content, so editing the file does not resend what was
sent.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mailtui.config.model import LOCALES, Settings
from mailtui.errors import (
    EXIT_CANCELLED,
    EXIT_MESSAGE_BUILD,
    ConfigError,
    Location,
    MailtuiError,
)
from mailtui.smtp.stages import Stage

if TYPE_CHECKING:
    from mailtui.smtp.cancel import CancelToken

BATCH_FIELDS = ("event", "to", "context", "locale", "id")


@dataclass(frozen=True)
class BatchItem:
    line: int
    key: str
    event: str
    to: tuple[str, ...]
    context: dict[str, Any]
    locale: str | None


def read_batch(path: Path) -> list[BatchItem]:
    """Parse and validate every line; ConfigError listing each bad line (file:line)."""
    from mailtui.events.catalog import load_catalog

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the batch file: {exc}",
                          location=Location(str(path))) from None
    catalog = load_catalog()
    items: list[BatchItem] = []
    problems: list[str] = []
    keys: dict[str, int] = {}
    seen: dict[str, int] = {}  # identical messages: the 1st, 2nd, ... of their kind
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = _item(raw, number, catalog, seen)
        except ValueError as exc:
            problems.append(f"{path}:{number}: {exc}")
            continue
        if item.key in keys:
            problems.append(f"{path}:{number}: id {item.key!r} already used on line "
                            f"{keys[item.key]}")
            continue
        keys[item.key] = number
        items.append(item)
    if problems:
        raise ConfigError(
            f"{len(problems)} bad line(s) in the batch file, nothing was sent:\n  "
            + "\n  ".join(problems[:50]) + ("\n  ..." if len(problems) > 50 else ""),
            hint='each line: {"event": "task_completed", "to": "a@example.org", '
            '"context": {...}}',
        )
    if not items:
        raise ConfigError("the batch file has no message", location=Location(str(path)))
    return items


def _item(raw: str, number: int, catalog: Any, seen: dict[str, int]) -> BatchItem:
    from mailtui.config.addresses import parse_mailbox

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    unknown = sorted(set(data) - set(BATCH_FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)} "
                         f"(known: {', '.join(BATCH_FIELDS)})")
    event = data.get("event")
    if not isinstance(event, str) or event not in catalog.ids:
        raise ValueError(f"unknown event {event!r} (see `mailtui events`)")
    to = data.get("to")
    recipients = [to] if isinstance(to, str) else to
    if not isinstance(recipients, list) or not recipients or not all(
        isinstance(r, str) for r in recipients
    ):
        raise ValueError('"to" must be an address or a non-empty list of addresses')
    for address in recipients:
        try:
            parse_mailbox(address)
        except ValueError as exc:
            raise ValueError(f"to: {address!r} {exc}") from None
    context = data.get("context", {})
    if not isinstance(context, dict):
        raise ValueError('"context" must be a JSON object')
    locale = data.get("locale")
    if locale is not None and locale not in LOCALES:
        raise ValueError(f"locale must be one of {', '.join(LOCALES)}, not {locale!r}")
    key = data.get("id")
    if key is None:
        # Keyed by content, not by line number: editing or reordering the file does not make
        # a sent message look new; identical lines are told apart by their rank.
        content = json.dumps([event, recipients, context, locale], sort_keys=True,
                             ensure_ascii=False)
        digest = hashlib.sha256(content.encode()).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        key = f"{digest}-{seen[digest]}"
    elif not isinstance(key, str) or not key:
        raise ValueError('"id" must be a non-empty string')
    return BatchItem(number, key, event, tuple(recipients), context, locale)


def read_journal(path: Path) -> dict[str, dict[str, Any]]:
    """The last record of each key in a results file (missing file: empty)."""
    last: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return last
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the results file: {exc}",
                          location=Location(str(path)),
                          hint="give another --results file") from None
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            last[str(record["key"])] = record
        except (json.JSONDecodeError, KeyError, TypeError):
            if raw.startswith('{"key": '):
                continue  # a record torn by a crash: the one before it (e.g. "sending") stands
            raise ConfigError(f"{path}:{number}: not a results line",
                              hint="give another --results file, or repair this one") from None
    return last


@dataclass
class BatchSummary:
    counts: dict[str, int] = field(default_factory=dict)
    exit_code: int = 0
    aborted: str | None = None
    interrupted: bool = False  # cancelled (Ctrl-C): the rerun resumes
    duration_s: float = 0.0
    connections: int = 0

    def add(self, status: str, exit_code: int) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        if exit_code and not self.exit_code:
            self.exit_code = exit_code

    def line(self) -> str:
        order = ("sent", "failed", "deferred", "uncertain", "cancelled", "invalid", "skipped",
                 "unconfirmed", "failed earlier", "invalid earlier", "left")
        parts = [f"{self.counts.get(k, 0)} {k}" for k in order if self.counts.get(k)]
        sent = self.counts.get("sent", 0)
        rate = f", {sent / self.duration_s:.1f} msg/s" if sent and self.duration_s else ""
        text = (", ".join(parts) or "nothing to do") + f" in {self.duration_s:.2f} s{rate}"
        return text + f" over {self.connections} connection(s)"


class Journal:
    """Appends result records, one JSON object per line, flushed at once."""

    def __init__(self, path: Path, echo: Callable[[dict[str, Any]], None] | None) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handle: TextIO = path.open("a+", encoding="utf-8")
            if self.handle.tell():  # a line torn by a crash must not swallow the next record
                self.handle.seek(self.handle.tell() - 1)
                torn = self.handle.read(1) != "\n"
                self.handle.seek(0, 2)
                if torn:
                    self.handle.write("\n")
        except OSError as exc:
            raise ConfigError(f"cannot write the results file: {exc.strerror or exc}",
                              location=Location(str(path)),
                              hint="give a writable --results FILE") from None
        self.echo = echo

    def write(self, record: dict[str, Any], *, echo: bool = True) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()
        if echo and self.echo:
            self.echo(record)

    def close(self) -> None:
        self.handle.close()


def pending(
    items: list[BatchItem], journal: dict[str, dict[str, Any]], *, retry_uncertain: bool,
    retry_failed: bool,
) -> Iterator[tuple[BatchItem, str | None, int]]:
    """Each item with how an earlier run left it: (item, None, 0) to send it, else the summary
    bucket it is skipped into and the exit code it still stands for (0 once sent)."""
    for item in items:
        record = journal.get(item.key, {})
        status = record.get("status")
        if status == "sent":
            yield item, "skipped", 0
        elif status in ("uncertain", "sending") and not retry_uncertain:
            code = int(record.get("exit_code") or 28)
            # Cancelled while waiting for the reply: later runs are not interrupted; what
            # the message stands for is a lost reply.
            yield item, "unconfirmed", 28 if code == EXIT_CANCELLED else code
        elif status in ("failed", "invalid") and not retry_failed:
            yield item, f"{status} earlier", int(record.get("exit_code") or 3)
        else:
            yield item, None, 0


def run_batch(
    settings: Settings,
    items: list[BatchItem],
    results: Path,
    *,
    retries: int = 3,
    retry_delay: float = 2.0,
    retry_uncertain: bool = False,
    retry_failed: bool = False,
    echo: Callable[[dict[str, Any]], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
    on_wait: Callable[[Any], None] | None = None,
    wait: bool = False,
    on_lock_wait: Callable[[int | None], None] | None = None,
    cancel: CancelToken | None = None,
) -> BatchSummary:
    """Send ``items``, journaling each result in ``results``. The results file is locked for
    the whole run (see :mod:`mailtui.outbox.lock`): another run holding it is an error naming
    its PID, or, with ``wait``, is waited for (``on_lock_wait(pid)`` says so first).
    ``cancel`` stops the run at once (``summary.interrupted``, exit 130); the message in
    flight is recorded as it truly is (``cancelled``, or ``uncertain`` if all of its content
    had gone out)."""
    from mailtui.javamail.resolve import password_for
    from mailtui.outbox.build import MessageBuilder
    from mailtui.outbox.deliver import Deliverer, require_enabled
    from mailtui.outbox.lock import LockWaitCancelled, hold_run_lock

    require_enabled(settings)
    builder = MessageBuilder(settings)
    password = password_for(settings, builder.plan)
    try:
        with hold_run_lock(results, wait=wait, on_wait=on_lock_wait, cancel=cancel):
            deliverer = Deliverer(builder.plan, password, retries=retries,
                                  retry_delay=retry_delay, on_retry=on_retry,
                                  on_wait=on_wait, cancel=cancel)
            return _run_locked(builder, deliverer, items, results,
                               retry_uncertain=retry_uncertain, retry_failed=retry_failed,
                               echo=echo)
    except LockWaitCancelled:  # still waiting for another run: nothing was sent
        left = sum(1 for _item, skip, _code in pending(
            items, read_journal(results), retry_uncertain=retry_uncertain,
            retry_failed=retry_failed) if not skip)
        return BatchSummary(counts={"left": left}, exit_code=EXIT_CANCELLED, interrupted=True)


def _run_locked(
    builder: Any, deliverer: Any, items: list[BatchItem], results: Path, *,
    retry_uncertain: bool, retry_failed: bool,
    echo: Callable[[dict[str, Any]], None] | None,
) -> BatchSummary:
    started = time.monotonic()
    summary = BatchSummary()
    done = read_journal(results)
    journal = Journal(results, echo)
    cancel = deliverer.cancel
    todo = pending(items, done, retry_uncertain=retry_uncertain, retry_failed=retry_failed)
    try:
        for item, skip, skipped_code in todo:
            if cancel is not None and cancel.cancelled:
                summary.interrupted = True
                summary.add("left", 0)
                break
            if skip:
                summary.add(skip, skipped_code)
                continue
            if not _send_one(builder, deliverer, item, journal, summary):
                break
        if summary.interrupted:  # what the rerun will send (besides a cancelled message)
            for _item, skip, _code in todo:
                if not skip:
                    summary.add("left", 0)
    finally:
        deliverer.close()
        journal.close()
        summary.connections = deliverer.connections
        summary.duration_s = time.monotonic() - started
    if summary.interrupted:
        summary.exit_code = EXIT_CANCELLED
    return summary


def _send_one(builder: Any, deliverer: Any, item: BatchItem, journal: Journal,
              summary: BatchSummary) -> bool:
    """Build, send and journal one message; False when the run must stop."""
    from mailtui.outbox.deliver import DeliveryAborted

    base: dict[str, Any] = {"key": item.key, "line": item.line, "event": item.event,
                            "to": list(item.to)}
    try:
        message = builder.build(item.event, item.to, item.context, locale=item.locale)
    except MailtuiError as exc:
        journal.write({**base, "status": "invalid", "stage": "message-build",
                       "exit_code": EXIT_MESSAGE_BUILD, "explanation": str(exc),
                       "time": _now()})
        summary.add("invalid", EXIT_MESSAGE_BUILD)
        return True
    base["message_id"] = message.message_id

    def committing() -> None:  # the content goes out now: from here a crash is uncertain
        journal.write({**base, "status": "sending", "time": _now()}, echo=False)

    try:
        delivery = deliverer.deliver(message, on_content=committing)
    except DeliveryAborted as exc:
        journal.write({**base, "status": "not-sent", "stage": str(exc.failure.stage),
                       "exit_code": exc.failure.exit_code, "time": _now()}, echo=False)
        summary.aborted = exc.explanation + (f"\n  fix: {exc.fix}" if exc.fix else "")
        summary.add("deferred", exc.failure.exit_code)
        return False
    journal.write({**base, **delivery.to_record(), "time": _now()})
    summary.add(delivery.status, delivery.exit_code)
    if delivery.stage == Stage.CANCELLED:
        summary.interrupted = True
        return False
    return True


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
