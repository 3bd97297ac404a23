"""What the stages split out of the session engine use of a session.

:mod:`mailtui.smtp.secure` (TLS and AUTH), :mod:`mailtui.smtp.transaction` (MAIL, RCPT, DATA)
and :mod:`mailtui.smtp.diagnose` (explanatory reconnects) act on the live
:class:`~mailtui.smtp.session.Session` that calls them. They are typed against this protocol,
which ``Session`` satisfies, rather than against the class: ``session`` imports them, so
importing it back would make an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mailtui.javamail.plan import Plan
    from mailtui.smtp.auth import TokenProvider
    from mailtui.smtp.cancel import CancelToken
    from mailtui.smtp.client import RecordingSMTP
    from mailtui.smtp.results import Capabilities, FailureKind, SessionError
    from mailtui.smtp.stages import Stage
    from mailtui.smtp.tls import TlsInfo
    from mailtui.smtp.transcript import Transcript


class SessionCore(Protocol):
    """The state and helpers of a session that its stages read, set and call."""

    plan: Plan
    cancel: CancelToken | None
    password: str | None
    token_provider: TokenProvider | None
    tls: TlsInfo | None
    mechanism: str | None
    _first_tls_reply: bool  # set by the handshake: the server has not answered over TLS yet
    transcript: Transcript
    sniff_memo: dict[tuple[str, int], bool] | None  # the TLS check after a silent greeting

    @property
    def cancelled(self) -> bool: ...

    def info(self, text: str) -> None: ...

    def check_cancelled(self) -> None: ...

    def ehlo(self) -> None: ...

    def _client(self) -> RecordingSMTP: ...

    def _caps(self) -> Capabilities: ...

    def _fail(self, stage: Stage, kind: FailureKind, *, code: int | None = None,
              raw: bytes | None = None, detail: str | None = None,
              recoverable: bool = False, **facts: Any) -> SessionError: ...

    def _reply_failure(self, stage: Stage, code: int, raw: bytes, *,
                       recoverable: bool = False, **facts: Any) -> SessionError: ...
