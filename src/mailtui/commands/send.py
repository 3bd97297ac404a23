"""``mailtui send``: send one notification, or a batch from a JSONL file."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from mailtui.commands._common import (
    add_override_arguments,
    load_settings_from_args,
    print_json,
)

if TYPE_CHECKING:
    from mailtui.config.model import Settings

EPILOG = """\
examples:
  mailtui send task_assigned_to_you --to bob@example.org --context task.json
  mailtui send loan_reminder --to "Bob <bob@example.org>" --locale fr -v
  mailtui send --batch notifications.jsonl
  mailtui send --batch notifications.jsonl --retry-uncertain

batch lines: {"event": "task_completed", "to": "a@example.org", "context": {...},
              "locale": "fr", "id": "optional-unique-key"}
Each message's result is printed as one JSON line and appended to the results file
(default FILE.results.jsonl); a rerun skips what was sent, so an interrupted run resumes.
A message whose reply was lost (it may have been delivered) is never resent unless
--retry-uncertain. Exit 0 when every message is sent, else the stage code (see README)
of the first message that was not. Ctrl-C stops at once (exit 130): the message in flight is
recorded "cancelled" (the rerun sends it) unless its content had gone out ("uncertain").
One run at a time per results file: another one exits 3
naming the running one's PID, or waits for it with --wait.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "send",
        help="send a notification (or a batch of them) for real",
        description="Render a notification event and send it with the configured account. "
        "Refuses while server.enabled is false.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("event", nargs="?", help="event id (see `mailtui events`)")
    p.add_argument("--to", action="append", metavar="ADDR",
                   help="recipient (repeatable)")
    p.add_argument("--context", metavar="FILE", help="JSON object of variables (- for stdin)")
    p.add_argument("--locale", choices=("en", "fr"), help="default: [templates] locale")
    p.add_argument("--batch", metavar="FILE.jsonl", help="send every line of a JSONL file")
    p.add_argument("--results", metavar="FILE", help="batch results file")
    p.add_argument("--retries", type=int, default=3,
                   help="tries after a temporary failure (default 3, with backoff)")
    p.add_argument("--retry-delay", type=float, default=2.0, metavar="SECONDS",
                   help="first backoff delay, doubled each time (default 2)")
    p.add_argument("--retry-uncertain", action="store_true",
                   help="batch: resend messages whose reply was lost in an earlier run")
    p.add_argument("--retry-failed", action="store_true",
                   help="batch: resend messages that failed permanently in an earlier run")
    p.add_argument("--wait", action="store_true",
                   help="batch: when another run holds the results file, wait for it to "
                   "finish instead of refusing (exit 3)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show the SMTP conversation live")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_override_arguments(p)
    p.set_defaults(handler=run, closed_stdout_note="sending continued")


def run(args: argparse.Namespace) -> int:
    from mailtui.errors import EXIT_USAGE, MailtuiError
    from mailtui.services.send import check_sending

    if bool(args.batch) == bool(args.event):
        raise MailtuiError("give an event id, or --batch FILE (not both)",
                           hint="mailtui send EVENT --to ADDR, or mailtui send --batch FILE",
                           exit_code=EXIT_USAGE)
    _refuse_misplaced_flags(args)
    settings = load_settings_from_args(args)
    check_sending(settings)  # enabled, usable TLS files: before reading any file or connecting
    if args.batch:
        return _batch(args, settings)
    if not args.to:
        raise MailtuiError("--to ADDR is required", exit_code=EXIT_USAGE)
    return _single(args, settings)


# Flags that only mean something for one kind of send, and why (a batch line names its own
# recipients, context and locale; the batch flags mean nothing for one message).
_SINGLE_ONLY = {"to": ("--to", 'each batch line names its recipients ("to")'),
                "context": ("--context", 'each batch line carries its "context"'),
                "locale": ("--locale", 'each batch line may give its "locale"'),
                "verbose": ("-v/--verbose", "a batch prints one JSON result per message")}
_BATCH_ONLY = ("results", "retry_uncertain", "retry_failed", "wait")


def _refuse_misplaced_flags(args: argparse.Namespace) -> None:
    """A flag that does not apply is a usage error, never silently ignored."""
    from mailtui.errors import EXIT_USAGE, MailtuiError

    if args.batch:
        for attr, (flag, why) in _SINGLE_ONLY.items():
            if getattr(args, attr):
                raise MailtuiError(f"{flag} does not apply to --batch: {why}",
                                   hint=f"remove {flag}, or send one message: "
                                   "mailtui send EVENT --to ADDR", exit_code=EXIT_USAGE)
    else:
        for attr in _BATCH_ONLY:
            if getattr(args, attr):
                flag = "--" + attr.replace("_", "-")
                raise MailtuiError(f"{flag} only applies to --batch FILE",
                                   hint=f"remove {flag}", exit_code=EXIT_USAGE)


def _announce_retry(text: str) -> None:
    print(f"mailtui: {text}", file=sys.stderr, flush=True)


def _single(args: argparse.Namespace, settings: Settings) -> int:
    from mailtui.commands._interrupt import run_interruptible
    from mailtui.commands._ticker import wait_ticker
    from mailtui.events.context import load_context_file
    from mailtui.services.send import send_notification
    from mailtui.smtp.render import LiveTranscript, result_lines

    context = load_context_file(args.context) if args.context else {}
    live = LiveTranscript(sys.stdout) if args.verbose and not args.json else None
    with wait_ticker() as ticker:
        outcome = run_interruptible(lambda cancel: send_notification(  # Ctrl-C cancels it
            settings, args.event, args.to, context, locale=args.locale, retries=args.retries,
            retry_delay=args.retry_delay, on_event=live, on_retry=_announce_retry,
            on_wait=ticker, cancel=cancel))
    if args.json:
        print_json(outcome.to_json())
    else:
        if outcome.message.protection:
            print(f"S/MIME: {outcome.message.protection}")
        lines = result_lines(outcome.delivery, success_text=f"{args.event} sent to "
                             f"{', '.join(args.to)}")
        print("\n".join(lines[1:]))
    return outcome.exit_code


def _batch(args: argparse.Namespace, settings: Settings) -> int:
    from mailtui.commands._interrupt import run_interruptible
    from mailtui.commands._ticker import wait_ticker
    from mailtui.services.send import prepare_batch

    prepared = prepare_batch(args.batch, args.results)
    batch, results = prepared.path, prepared.results

    def echo(record: dict[str, Any]) -> None:
        import json

        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def lock_wait(pid: int | None) -> None:
        who = f"PID {pid}" if pid else "another run"
        print(f"mailtui: {results} is in use by another mailtui run ({who}): waiting for it "
              "to finish", file=sys.stderr, flush=True)

    with wait_ticker() as ticker:
        summary = run_interruptible(lambda cancel: prepared.run(
            settings, retries=args.retries, retry_delay=args.retry_delay,
            retry_uncertain=args.retry_uncertain, retry_failed=args.retry_failed, echo=echo,
            on_retry=_announce_retry, on_wait=ticker, wait=args.wait, on_lock_wait=lock_wait,
            cancel=cancel))
    print(f"mailtui: batch {batch}: {summary.line()}; results in {results}", file=sys.stderr)
    if summary.interrupted:
        print("mailtui: interrupted: nothing more was sent; rerun the same command to resume "
              "(a cancelled message is sent again, an uncertain one is not)", file=sys.stderr)
    if summary.aborted:
        print(f"mailtui: stopped: {summary.aborted}\n  rerun the same command to resume",
              file=sys.stderr)
    if summary.counts.get("uncertain") or summary.counts.get("unconfirmed"):
        print("mailtui: 'uncertain' messages may have been delivered (the reply was lost): "
              "check, then rerun with --retry-uncertain to send them again", file=sys.stderr)
    return summary.exit_code
