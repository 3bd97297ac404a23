"""The SMTP reply codes mailtui acts on, by name (RFC 5321 §4.2, RFC 3207, RFC 4954).

``ReplyCode`` is an ``IntEnum``: its members compare equal to the plain ``int`` codes that
``smtplib`` returns, so ``code == ReplyCode.OK`` reads as the protocol does.
"""

from __future__ import annotations

from enum import IntEnum


class ReplyCode(IntEnum):
    SERVICE_READY = 220  # the greeting; STARTTLS: go ahead with the handshake
    CLOSING = 221  # the answer to QUIT
    AUTH_SUCCEEDED = 235
    OK = 250
    WILL_FORWARD = 251  # user not local: the server forwards (RCPT accepted)
    AUTH_CONTINUE = 334  # the server's challenge during AUTH
    START_MAIL_INPUT = 354  # the answer to DATA: send the message
    SERVICE_NOT_AVAILABLE = 421  # the server is closing the connection
    MAILBOX_BUSY = 450
    LOCAL_ERROR = 451
    INSUFFICIENT_STORAGE = 452
    TEMPORARY_AUTH_FAILURE = 454
    PARAMETERS_NOT_ACCOMMODATED = 455
    SYNTAX_ERROR_IN_PARAMETERS = 501
    BAD_SEQUENCE = 503  # e.g. AUTH after an earlier AUTH
    PARAMETER_NOT_IMPLEMENTED = 504
    AUTH_REQUIRED = 530  # (or: STARTTLS first)
    MECHANISM_TOO_WEAK = 534
    INVALID_CREDENTIALS = 535
    ENCRYPTION_REQUIRED_FOR_MECHANISM = 538
    MAILBOX_UNAVAILABLE = 550
    EXCEEDED_STORAGE = 552
    TRANSACTION_FAILED = 554


# smtplib's code for a line that is not an SMTP reply (or a connection closed mid-reply).
NOT_A_REPLY = -1


def is_transient(code: int) -> bool:
    """A 4xx reply: the same command may succeed later."""
    return 400 <= code <= 499


def is_permanent(code: int) -> bool:
    """A 5xx reply: repeating the command unchanged will fail again."""
    return 500 <= code <= 599
