"""The thin recording layer over ``smtplib.SMTP``.

What it changes: every client line and server reply is recorded as it happens; connect,
read and write timeouts are applied separately; a timeout stays a ``TimeoutError`` (smtplib
turns it into "disconnected"); secrets and the message body are sent through methods that
record a marker or a summary instead of the bytes. Everything else (EHLO parsing, MAIL/RCPT
formatting, SMTPUTF8 command encoding) is smtplib's.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

from mailtui.javamail.plan import Timeouts
from mailtui.smtp.stages import STAGE_LABELS, Stage
from mailtui.smtp.transcript import Direction, Transcript, body_summary

if TYPE_CHECKING:
    from mailtui.smtp.cancel import CancelToken

MAX_LINE = 8192
CHUNK = 64 * 1024


def printable(text: str, limit: int = 500) -> str:
    """A server line made safe to print: control characters escaped, length bounded."""
    out = "".join(ch if ch.isprintable() or ch == "\t" else f"\\x{ord(ch):02x}" for ch in text)
    return out if len(out) <= limit else out[:limit] + f"... [{len(out) - limit} more]"


class RecordingSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that records the conversation into a :class:`Transcript`."""

    ehlo_msg = "EHLO"

    def __init__(self, transcript: Transcript, timeouts: Timeouts, local_hostname: str, *,
                 cancel: CancelToken | None = None) -> None:
        super().__init__(local_hostname=local_hostname, timeout=timeouts.connect)
        self.cancel = cancel
        self._abort_handle: socket.socket | None = None  # a dup of the live socket's fd
        self._unregister: Callable[[], None] | None = None
        self.transcript = transcript
        self.timeouts = timeouts
        self.stage = Stage.CONNECT
        self.tls_active = False
        self.peer: str | None = None
        self.writing = False  # sending the message data: the write timeout is the one that counts
        self.last_command: str | None = None  # what the next reply answers (waiting notices)

    # -- recording ---------------------------------------------------------------------
    def record(self, direction: Direction, text: str) -> None:
        self.transcript.add(direction, text, stage=self.stage, tls=self.tls_active)

    def info(self, text: str) -> None:
        self.record("info", text)

    def waiting_for(self) -> str:
        """What the next reply answers, in words: "the greeting", "the server's reply to
        RCPT TO", ... (a pipelined transaction reads its replies stage by stage)."""
        stage, command = self.stage, self.last_command
        if stage == Stage.GREETING:
            return "the greeting"
        if command == ".":
            return "the server's reply to the message data"
        if stage == Stage.AUTH:
            return "the server's reply to AUTH"
        if stage in (Stage.MAIL_FROM, Stage.RCPT, Stage.DATA) and command in (
                "MAIL FROM", "RCPT TO", "DATA"):
            command = STAGE_LABELS[stage]
        return f"the server's reply to {command or STAGE_LABELS.get(stage, str(stage))}"

    def _note_command(self, line: str) -> None:
        head = line[:9].upper()
        for command in ("MAIL FROM", "RCPT TO"):
            if head.startswith(command):
                self.last_command = command
                return
        self.last_command = line.split(" ", 1)[0].upper() or None

    # -- connection --------------------------------------------------------------------
    def open_socket(self, host: str, port: int, source: tuple[str, int] | None) -> None:
        """Resolve (stage DNS) and connect (stage CONNECT); raises the socket errors."""
        self.stage = Stage.DNS
        is_literal = _is_ip_literal(host)
        if not is_literal:
            self.info(f"resolving {host}")
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        if not is_literal:
            addresses = list(dict.fromkeys(str(i[4][0]) for i in infos))
            self.info(f"{host} is {', '.join(addresses)}")
        self.stage = Stage.CONNECT
        last_error: OSError | None = None
        for family, kind, proto, _name, address in infos:
            ip, ip_port = str(address[0]), int(address[1])  # an AF_INET/AF_INET6 address
            self.info(f"connecting to {ip} port {ip_port}"
                      + (f" from {source[0]}" if source else ""))
            sock = socket.socket(family, kind, proto)
            self._watch(sock)
            try:
                sock.settimeout(self.timeouts.connect)
                if source:
                    sock.bind(source)
                with self.transcript.waiting(
                        Stage.CONNECT, f"the connection to {ip} port {ip_port}",
                        self.timeouts.connect):
                    sock.connect(address)
            except OSError as exc:
                self._unwatch()
                sock.close()
                last_error = exc
                self.info(f"could not connect to {address[0]}: {os_error_text(exc)}")
                continue
            self.sock = sock
            self.file = None
            self._host = host
            self.peer = str(address[0])
            self.info("connected")
            return
        assert last_error is not None
        raise last_error

    def _watch(self, sock: socket.socket) -> None:
        """Let ``cancel()`` shut this socket down from another thread, whatever wraps it
        later (TLS replaces the socket object, not the connection)."""
        if self.cancel is None:
            return
        self._unwatch()
        self._abort_handle = sock.dup()
        self._unregister = self.cancel.register(self.abort)

    def _unwatch(self) -> None:
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        handle, self._abort_handle = self._abort_handle, None
        if handle is not None:
            handle.close()

    def abort(self) -> None:
        """From any thread: shut the connection down at once, so that a ``recv``, ``send``,
        ``connect`` or TLS handshake blocked on it returns now (the peer sees the close).
        The Python socket objects are left alone (closing them under a reader would race);
        the session closes them as it unwinds, without QUIT."""
        handle = self._abort_handle
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._unwatch()

    def start_tls_layer(self, context: ssl.SSLContext, server_hostname: str) -> ssl.SSLSocket:
        """Wrap the socket in TLS (handshake bounded by the connect timeout)."""
        assert self.sock is not None
        self.sock.settimeout(self.timeouts.connect)
        # Discard anything buffered before the handshake (STARTTLS command injection).
        self.file = None
        with self.transcript.waiting(Stage.TLS, "the TLS handshake", self.timeouts.connect):
            tls_sock = context.wrap_socket(self.sock, server_hostname=server_hostname)
        self.sock = tls_sock
        self.tls_active = True
        return tls_sock

    # -- writing -----------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        self.sock.settimeout(self.timeouts.write)
        try:
            for start in range(0, len(data), CHUNK):  # the write timeout applies per chunk
                self.sock.sendall(data[start : start + CHUNK])
        except TimeoutError:
            raise
        except OSError as exc:
            self.close()
            raise smtplib.SMTPServerDisconnected(f"connection lost: {os_error_text(exc)}") \
                from exc

    def putcmd(self, cmd: str, args: str = "") -> None:
        """Commands in upper case, as every other client writes them."""
        super().putcmd(cmd.upper() if cmd.isalpha() else cmd, args)

    def _encode(self, line: str) -> bytes:
        """A command line as bytes. A character the command encoding (ASCII unless SMTPUTF8
        is in use) cannot carry is a configuration error naming the command and the
        character, never a UnicodeEncodeError (the callers check values before connecting;
        this is the safety net)."""
        try:
            return line.encode(self.command_encoding)
        except UnicodeEncodeError as exc:
            from mailtui.errors import ConfigError

            verb = line.split(" ", 1)[0].split(":", 1)[0].upper()
            bad = line[exc.start:exc.end]
            what = {"EHLO": "the EHLO name (mail.smtp.localhost)",
                    "HELO": "the HELO name (mail.smtp.localhost)"}.get(verb, f"the {verb} command")
            raise ConfigError(
                f"{what} cannot be sent: {bad!r} is not {self.command_encoding.upper()} "
                f"(in {printable(line.rstrip(chr(13) + chr(10)))!r}); nothing more was sent",
                hint="SMTP commands are ASCII: write a host name in its IDNA form (xn--...); "
                "a non-ASCII address needs a server that offers SMTPUTF8") from None

    def send(self, s: str | bytes) -> None:  # type: ignore[override]
        """A command line (smtplib's putcmd lands here): recorded, then written."""
        data = self._encode(s) if isinstance(s, str) else s
        if any(c in data.rstrip(b"\r\n") for c in (b"\r", b"\n")):
            raise ValueError("a line break inside an SMTP command")  # never inject commands
        text = data.decode("utf-8", "replace").rstrip("\r\n")
        self.record("client", text)
        self._note_command(text)
        self._write(data)

    def send_secret(self, line: str, shown: str) -> None:
        """A line that carries credentials: only ``shown`` (a redaction marker) is recorded."""
        if "\r" in line or "\n" in line:
            raise ValueError("line break in an AUTH line")
        self.transcript.redactor.add_payload(line.encode("ascii", "replace"))
        self.record("client", shown)
        self.last_command = "AUTH"
        self._write(line.encode("ascii") + b"\r\n")

    def send_lines(self, lines: list[str]) -> None:
        """Several command lines in one write (PIPELINING), each recorded."""
        if any("\r" in line or "\n" in line for line in lines):
            raise ValueError("a line break inside an SMTP command")
        payload = b"".join(self._encode(f"{ln}\r\n") for ln in lines)  # before recording
        for line in lines:
            self.record("client", line)
        self._note_command(lines[0])
        self._write(payload)

    def send_message_data(self, message: bytes) -> None:
        """The DATA content: dot-stuffed, terminated; recorded as headers + a summary."""
        if self.transcript.listening:
            headers, summary = body_summary(message)
            for line in headers:
                self.record("client", printable(line))
            self.record("client", summary)
            self.record("client", ".")
        self.last_command = "."
        payload = smtplib._quote_periods(message)  # type: ignore[attr-defined]
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        self._write(payload + b".\r\n")

    # -- reading -----------------------------------------------------------------------
    def getreply(self) -> tuple[int, bytes]:
        """One (possibly multi-line) reply; each line recorded as it arrives."""
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        if self.file is None:
            self.file = self.sock.makefile("rb")
        self.sock.settimeout(self.timeouts.read)
        lines: list[bytes] = []
        code = -1
        while True:
            try:
                if self.transcript.on_wait is None:
                    line = self.file.readline(MAX_LINE + 1)
                else:
                    with self.transcript.waiting(self.stage, self.waiting_for(),
                                                 self.timeouts.read):
                        line = self.file.readline(MAX_LINE + 1)
            except TimeoutError:
                raise
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"connection lost: {os_error_text(exc)}") from exc
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("connection closed by the server")
            self.record("server", printable(line.decode("utf-8", "replace").rstrip("\r\n")))
            if len(line) > MAX_LINE:
                self.close()
                raise smtplib.SMTPResponseException(500, b"reply line too long")
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                code = -1
                lines[-1] = line.strip()
                break
            if line[3:4] != b"-":
                break
        return code, b"\n".join(lines)


def _is_ip_literal(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def os_error_text(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


_LOCAL_HOSTNAME: str | None = None


def local_hostname() -> str:
    """JavaMail's default EHLO name: the local host name (a literal if it is not a FQDN)."""
    global _LOCAL_HOSTNAME
    if _LOCAL_HOSTNAME is None:
        name = socket.gethostname()
        if "." not in name:
            try:
                fqdn = socket.getfqdn(name)
            except OSError:
                fqdn = name
            name = fqdn if "." in fqdn else name
        _LOCAL_HOSTNAME = name if "." in name else f"[{_primary_ip()}]"
    return _LOCAL_HOSTNAME


def _primary_ip() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
