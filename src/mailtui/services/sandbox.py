"""``sandbox``: a sandbox started for one run (``mailtui --sandbox COMMAND``) and the demo
(``mailtui --sandbox``): start the embedded server on free loopback ports, hand out the
settings that point mailtui at it (in memory: the configuration file is not used), collect
what it says and receives, stop it. Nothing here prints."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtui.javamail.overrides import Overrides
    from mailtui.sandbox.embedded import SandboxInfo
    from mailtui.sandbox.server import Arrival
    from mailtui.sandbox.store import StoredMessage

# Properties that would take a run away from the sandbox (they name another server).
SERVER_KEYS = frozenset(f"mail.{proto}.{name}" for proto in ("smtp", "smtps")
                        for name in ("host", "port", "socketFactory.port")) | {"mail.host"}


def server_keys(keys: Iterable[str]) -> list[str]:
    """The keys among ``keys`` that choose the server (sorted): a run against the sandbox
    cannot take them."""
    return sorted(set(keys) & SERVER_KEYS)


def refuse_server_overrides(overrides: Overrides | None) -> None:
    """MailtuiError (usage, exit 2) when the one-run overrides name a server: the sandbox
    chooses it."""
    if overrides is None:
        return
    clash = server_keys(overrides.property_keys())
    if clash:
        from mailtui.errors import EXIT_USAGE, MailtuiError

        raise MailtuiError(
            f"--sandbox chooses the server: -P {clash[0]} cannot be combined with it",
            hint="drop --sandbox to use another server", exit_code=EXIT_USAGE)


@contextlib.contextmanager
def sandbox_for_run(overrides: Overrides | None = None, *,
                    on_notice: Callable[[str], None] | None = None) -> Iterator[SandboxInfo]:
    """Start a sandbox on free loopback ports for one run and yield its
    :class:`~mailtui.sandbox.embedded.SandboxInfo` (``settings``: the sandbox preset with its
    login); it stops when the block ends. ``overrides`` naming a server are refused first
    (:func:`refuse_server_overrides`); ``on_notice`` receives the server's notices (from its
    thread)."""
    from mailtui.sandbox.embedded import EmbeddedSandbox

    refuse_server_overrides(overrides)
    with EmbeddedSandbox(port=0, tls_port=0, on_notice=on_notice) as sandbox:
        yield sandbox.info


@dataclass
class SandboxDemo:
    """The demo's sandbox while it runs: where it listens and the settings to send to it,
    and what it received and said so far (appended from the server thread)."""

    info: SandboxInfo
    arrivals: list[Arrival] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _messages: Callable[[], list[StoredMessage]] = field(default=list, repr=False)

    def last_message(self) -> StoredMessage | None:
        """The stored message of the last arrival (None: nothing arrived, or it is gone)."""
        if not self.arrivals:
            return None
        stored = {m.key: m for m in self._messages()}
        return stored.get(self.arrivals[-1].key)


@contextlib.contextmanager
def sandbox_demo() -> Iterator[SandboxDemo]:
    """Start a sandbox on free loopback ports for the demo (``mailtui --sandbox``); the
    yielded :class:`SandboxDemo` collects arrivals and notices; it stops when the block
    ends."""
    from mailtui.sandbox.embedded import SandboxInfo
    from mailtui.sandbox.server import Sandbox
    from mailtui.sandbox.settings import sandbox_settings

    arrivals: list[Arrival] = []
    notices: list[str] = []
    with Sandbox(port=0, tls_port=0, on_arrival=arrivals.append,
                 on_notice=notices.append) as sb:
        info = SandboxInfo(host=sb.host, port=sb.port, tls_port=sb.tls_port,
                           username=sb.username, ca_file=sb.ca_file, maildir=sb.maildir,
                           settings=sandbox_settings(sb),
                           tls_settings=sandbox_settings(sb, implicit_tls=True))
        yield SandboxDemo(info, arrivals, notices, sb.messages)
