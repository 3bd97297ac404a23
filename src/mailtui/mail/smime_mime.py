"""MIME plumbing for S/MIME: split a message into envelope headers and a 7-bit CRLF body entity.

The body entity is written here, byte by byte, once; those exact bytes are signed and then
copied verbatim into the final message, so nothing can change them after signing.
"""

from __future__ import annotations

import base64
import binascii
import email.policy
import secrets
from email.message import Message

from mailtui.errors import MessageBuildError

CRLF = b"\r\n"
# Headers describing the body: they move into the signed entity.
_CONTENT_PREFIX = "content-"
# Headers that never go out: the lists of hidden recipients, and ones we write ourselves.
_DROPPED = {"bcc", "resent-bcc", "mime-version", "content-transfer-encoding"}
_HEADER_POLICY = email.policy.SMTP.clone(max_line_length=78)
_BASE64_LINE = 76
_SAFE_7BIT_LINE = 76


def new_boundary() -> str:
    # "=_" cannot occur in quoted-printable or base64 text, so the boundary never collides.
    return f"----=_mailtui_{secrets.token_hex(12)}"


def fold_header(name: str, value: str) -> bytes:
    """One header, folded and RFC 2047-encoded as needed, ending in CRLF (7-bit)."""
    try:
        text = _HEADER_POLICY.fold(name, value)
    except Exception as exc:
        raise MessageBuildError(f"header {name} cannot be encoded: {exc}") from None
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        raise MessageBuildError(
            f"header {name} is not 7-bit after encoding",
            hint="use ASCII addresses (internationalised local parts cannot be signed here)",
        ) from None


def envelope_headers(message: Message) -> list[tuple[str, str]]:
    """The headers that stay on the outer message (everything but Content-*, Bcc, ...)."""
    return [
        (name, value)
        for name, value in message.items()
        if not name.lower().startswith(_CONTENT_PREFIX) and name.lower() not in _DROPPED
    ]


def write_headers(headers: list[tuple[str, str]]) -> bytes:
    return b"".join(fold_header(name, value) for name, value in headers)


def body_entity(message: Message) -> bytes:
    """The body of ``message`` as a MIME entity: Content-* headers, blank line, 7-bit body.

    Text leaves are sent 7bit when already safe, else quoted-printable (with a line-leading
    ``From `` written ``=46rom `` so no agent mangles it); other leaves are base64. All line
    ends are CRLF. These bytes are exactly what gets signed.
    """
    return _entity(message)


def _content_headers(part: Message) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in part.items()
        if name.lower().startswith(_CONTENT_PREFIX)
        and name.lower() != "content-transfer-encoding"
    ]


def _entity(part: Message) -> bytes:
    headers = _content_headers(part)
    ctype = part.get_content_type()
    if part.get_content_maintype() == "message":
        raise MessageBuildError(f"cannot sign a {ctype} part (not supported by mailtui)")
    if part.is_multipart():
        return _multipart_entity(part, headers)
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    if part.get_content_maintype() == "text":
        body, cte = _text_body(data)
        if part.get("Content-Type") is None:
            charset = "us-ascii" if data.isascii() else "utf-8"
            headers = [("Content-Type", f"text/plain; charset={charset}"), *headers]
    else:
        body, cte = _base64_body(data), "base64"
    out = write_headers([*headers, ("Content-Transfer-Encoding", cte)])
    return out + CRLF + body


def _multipart_entity(part: Message, headers: list[tuple[str, str]]) -> bytes:
    subparts = part.get_payload()  # a multipart's payload: the list of its parts
    children = [_entity(sub) for sub in subparts if isinstance(sub, Message)]
    boundary = new_boundary()
    while any(boundary.encode() in child for child in children):  # pragma: no cover
        boundary = new_boundary()
    params = [(k, v) for k, v in (part.get_params(header="content-type") or [])[1:]
              if k != "boundary"]
    ctype = part.get_content_type()
    value = ctype + "".join(f'; {k}="{v}"' if v else f"; {k}" for k, v in params)
    value += f'; boundary="{boundary}"'
    others = [(n, v) for n, v in headers if n.lower() != "content-type"]
    out = write_headers([("Content-Type", value), *others]) + CRLF
    delim = b"--" + boundary.encode()
    for child in children:
        out += delim + CRLF + child + CRLF
    return out + delim + b"--"


def _canonical_lines(data: bytes) -> list[bytes]:
    text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if text.endswith(b"\n"):
        text = text[:-1]
    return text.split(b"\n")


def _is_safe_7bit(lines: list[bytes]) -> bool:
    for line in lines:
        if not line.isascii() or len(line) > _SAFE_7BIT_LINE:
            return False
        if line.startswith(b"From ") or line.rstrip(b" \t") != line:
            return False
        if any(b < 32 and b != 9 for b in line) or b"\x7f" in line:
            return False
    return True


def _text_body(data: bytes) -> tuple[bytes, str]:
    lines = _canonical_lines(data)
    if _is_safe_7bit(lines):
        return CRLF.join(lines) + CRLF, "7bit"
    encoded = binascii.b2a_qp(b"\n".join(lines) + b"\n", quotetabs=False, istext=True)
    out_lines = _canonical_lines(encoded)
    for i, line in enumerate(out_lines):
        if line.startswith(b"From "):
            out_lines[i] = b"=46rom " + line[5:]
    return CRLF.join(out_lines) + CRLF, "quoted-printable"


def _base64_body(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    lines = [encoded[i : i + _BASE64_LINE] for i in range(0, len(encoded), _BASE64_LINE)]
    return CRLF.join(lines) + CRLF if lines else b""


def base64_lines(data: bytes) -> bytes:
    """``data`` in base64, 76 characters a line, CRLF line ends."""
    return _base64_body(data)


def split_envelope(message: Message) -> tuple[list[tuple[str, str]], bytes]:
    """(outer envelope headers, signed body entity)."""
    if not isinstance(message, Message):
        raise MessageBuildError("S/MIME needs an email.message.Message")
    return envelope_headers(message), body_entity(message)

