"""Stages of an SMTP session and their exit codes (SPEC §4)."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    CONFIG = "config"
    DNS = "dns"
    CONNECT = "connect"
    GREETING = "greeting"
    EHLO = "ehlo"
    TLS = "tls"
    AUTH = "auth"
    MAIL_FROM = "mail-from"
    RCPT = "rcpt"
    DATA = "data"
    AFTER_DATA = "after-data"
    CONNECTION_LOST = "connection-lost"
    TIMEOUT = "timeout"
    MESSAGE_BUILD = "message-build"
    CANCELLED = "cancelled"  # cancel() from another thread, or Ctrl-C
    DONE = "done"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self]


EXIT_CODES: dict[Stage, int] = {
    Stage.DONE: 0,
    Stage.CONFIG: 3,
    Stage.DNS: 10,
    Stage.CONNECT: 11,
    Stage.GREETING: 20,
    Stage.EHLO: 21,
    Stage.TLS: 22,
    Stage.AUTH: 23,
    Stage.MAIL_FROM: 24,
    Stage.RCPT: 25,
    Stage.DATA: 26,
    Stage.AFTER_DATA: 27,
    Stage.CONNECTION_LOST: 28,
    Stage.TIMEOUT: 29,
    Stage.MESSAGE_BUILD: 30,
    Stage.CANCELLED: 130,  # mailtui.errors.EXIT_CANCELLED: 128 + SIGINT, as a shell reports Ctrl-C
}

# Words for each stage, for explanations and the result line.
STAGE_LABELS: dict[Stage, str] = {
    Stage.CONFIG: "configuration",
    Stage.DNS: "name resolution",
    Stage.CONNECT: "connecting",
    Stage.GREETING: "the greeting",
    Stage.EHLO: "EHLO",
    Stage.TLS: "TLS",
    Stage.AUTH: "authentication",
    Stage.MAIL_FROM: "MAIL FROM",
    Stage.RCPT: "RCPT TO",
    Stage.DATA: "DATA",
    Stage.AFTER_DATA: "the end of the message data",
    Stage.CONNECTION_LOST: "connection lost",
    Stage.TIMEOUT: "timeout",
    Stage.MESSAGE_BUILD: "message build",
    Stage.CANCELLED: "cancelled",
    Stage.DONE: "QUIT",
}
