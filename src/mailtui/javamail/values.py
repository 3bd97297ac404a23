"""What a JavaMail property value must look like: the value types of the catalog, their
checks (``validate_value``, the message names the problem) and one-line fixes (``value_fix``).

The catalog (:mod:`mailtui.javamail.catalog`) says which property has which type; this module
knows nothing about property names.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal

# The one-line rule lives at the bottom of the domain (config reads it too); re-exported here.
from mailtui.config.oneline import is_forbidden_char as is_forbidden_char
from mailtui.config.oneline import line_break_problem as line_break_problem

# Mechanisms JavaMail's SMTP transport implements itself (mail.smtp.auth.mechanisms).
MECHANISMS = ("LOGIN", "PLAIN", "DIGEST-MD5", "NTLM", "XOAUTH2")
TLS_PROTOCOLS = ("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3", "SSLv2Hello")
DSN_NOTIFY = ("SUCCESS", "FAILURE", "DELAY")
# Socket factory classes people paste; used to repair case mistakes and suggest fixes.
KNOWN_CLASSES = (
    "javax.net.ssl.SSLSocketFactory",
    "javax.net.SocketFactory",
    "com.sun.mail.util.MailSSLSocketFactory",
    "org.eclipse.angus.mail.util.MailSSLSocketFactory",
)


# What a value must look like (``validate_value``); "string" and "list" accept any text.
ValueType = Literal[
    "string", "bool", "int", "port", "localport", "millis", "host", "ehlo", "hostlist", "list",
    "mechanisms", "tls-protocols", "class", "enum", "dsn-notify", "address", "mailbox",
    "object", "path", "fingerprints"]


@dataclass(frozen=True)
class PropertySpec:
    """One property: its type (see ``validate_value``), JavaMail's default and meaning."""

    name: str
    type: ValueType
    default: str | None  # JavaMail's default as text; None = unset (or infinite for timeouts)
    description: str
    choices: tuple[str, ...] = ()
    ignore_case: bool = False  # for enum: JavaMail compares case-insensitively
    secret: bool = False  # never echo the value
    note: str = ""  # version differences and caveats


_INT_RE = re.compile(r"[+-]?[0-9]+")
_JAVA_INT = (-(2**31), 2**31 - 1)
_CLASS_RE = re.compile(r"[^\W\d][\w$]*(?:\.[^\W\d][\w$]*)*")
_MECH_RE = re.compile(r"[A-Za-z0-9_-]+")
_LABEL_RE = re.compile(r"(?!-)[\w-]{1,63}(?<!-)")


def validate_value(spec: PropertySpec, value: str) -> str | None:
    """None if JavaMail reads ``value`` as intended, else a plain-language error message."""
    check = _CHECKS.get(spec.type)
    return check(spec, value) if check else None


def _show(spec: PropertySpec, value: str) -> str:
    return "the value" if spec.secret else repr(value)


def _bool(spec: PropertySpec, value: str) -> str | None:
    if value.lower() in ("true", "false"):
        return None
    default = spec.default or "false"
    if default == "true":
        reading = "anything but 'false' as true"
    else:
        reading = "anything but 'true' as false"
    return f"{_show(spec, value)} is not true or false (JavaMail reads {reading})"


def _java_int(value: str) -> int | None:
    if not _INT_RE.fullmatch(value):
        return None
    number = int(value)
    return number if _JAVA_INT[0] <= number <= _JAVA_INT[1] else None


def _int(spec: PropertySpec, value: str) -> str | None:
    if _java_int(value) is None:
        return f"{_show(spec, value)} is not a whole number"
    return None


def _port(spec: PropertySpec, value: str) -> str | None:
    number = _java_int(value)
    if number is None or not 1 <= number <= 65535:
        return f"{_show(spec, value)} is not a port number (1-65535)"
    return None


def _localport(spec: PropertySpec, value: str) -> str | None:
    number = _java_int(value)
    if number is None or not 0 <= number <= 65535:
        return f"{_show(spec, value)} is not a local port number (0-65535, 0 = any)"
    return None


def _millis(spec: PropertySpec, value: str) -> str | None:
    number = _java_int(value)
    if number is None or number < 0:
        return f"{_show(spec, value)} is not a timeout in milliseconds (a whole number >= 0)"
    return None


def host_problem(value: str) -> str | None:
    """Why ``value`` is not a host name or IP address (a phrase after the value), or None."""
    if not value:
        return "is empty"
    if "://" in value:
        return "is a URL, not a host name"
    if "@" in value:
        return "is an email address, not a host name"
    bare = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        ipaddress.ip_address(bare)
        return None
    except ValueError:
        pass
    if re.fullmatch(r"[^:\s]+:[0-9]+", value):
        name, port = value.rsplit(":", 1)
        return f"includes a port: use {name} and put {port} in the port property"
    name = value[:-1] if value.endswith(".") else value
    if len(name) > 253 or any(not _LABEL_RE.fullmatch(label) for label in name.split(".")):
        return "is not a host name"
    return None


def _host(spec: PropertySpec, value: str) -> str | None:
    problem = host_problem(value)
    return f"{value!r} {problem}" if problem else None


def idna_form(value: str) -> str | None:
    """The ASCII (IDNA, xn--) form of a host name, or None when it has none."""
    try:
        return value.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _ehlo(spec: PropertySpec, value: str) -> str | None:
    """The EHLO name goes into an SMTP command as it is: a host name in ASCII."""
    problem = _host(spec, value)
    if problem or value.isascii():
        return problem
    ascii_form = idna_form(value)
    return (f"{value!r} is not ASCII: an SMTP command cannot carry it"
            + (f" (its IDNA form is {ascii_form})" if ascii_form else ""))


def _hostlist(spec: PropertySpec, value: str) -> str | None:
    tokens = value.split()
    if not tokens:
        return "empty host list (use '*' or host names separated by spaces)"
    if tokens == ["*"]:
        return None
    for token in tokens:
        if token == "*":
            return "'*' cannot be mixed with host names"
        if host_problem(token):
            return f"{token!r} in {value!r} is not a host name (separate hosts with spaces)"
    return None


def _list(spec: PropertySpec, value: str) -> str | None:
    return None if value.strip() else "empty list"


def _mechanisms(spec: PropertySpec, value: str) -> str | None:
    tokens = [t for t in re.split(r"[\s,]+", value) if t]
    if not tokens:
        return "no mechanism listed"
    for token in tokens:
        if not _MECH_RE.fullmatch(token):
            return f"{token!r} is not a mechanism name"
        if token.upper() not in (*MECHANISMS, "CRAM-MD5"):
            return (f"{token!r} is not a mechanism JavaMail implements "
                    f"({', '.join(MECHANISMS)}; mailtui also speaks CRAM-MD5); "
                    "it would be skipped")
    return None


def _tls_protocols(spec: PropertySpec, value: str) -> str | None:
    tokens = value.split()
    if not tokens:
        return "no protocol listed"
    for token in tokens:
        if token not in TLS_PROTOCOLS:
            near = [p for p in TLS_PROTOCOLS if p.lower() == token.lower().rstrip(",")]
            hint = f" (write {near[0]}; separate with spaces)" if near else \
                f" (known: {', '.join(TLS_PROTOCOLS[:2])})"
            return f"{token!r} is not a TLS protocol name Java knows{hint}"
    return None


def _class(spec: PropertySpec, value: str) -> str | None:
    if _CLASS_RE.fullmatch(value):
        return None
    if re.search(r"\s", value) and _CLASS_RE.fullmatch(re.sub(r"\s+", "", value)):
        return f"{value!r} is not a Java class name (stray whitespace inside it)"
    return f"{value!r} is not a Java class name"


def _enum(spec: PropertySpec, value: str) -> str | None:
    ok = value.upper() in (c.upper() for c in spec.choices) if spec.ignore_case \
        else value in spec.choices
    if ok:
        return None
    return f"{_show(spec, value)} is not one of {', '.join(spec.choices)}"


def _dsn_notify(spec: PropertySpec, value: str) -> str | None:
    if value.upper() == "NEVER":
        return None
    parts = value.split(",")
    upper = [p.upper() for p in parts]
    if any(p != p.strip() for p in parts):
        return f"{value!r} has spaces (JavaMail sends it as is; write e.g. SUCCESS,FAILURE)"
    if "NEVER" in upper:
        return "NEVER cannot be combined with other NOTIFY values"
    if not all(p in DSN_NOTIFY for p in upper) or len(set(upper)) != len(upper):
        return (f"{value!r} is not NEVER or a comma list of "
                f"{', '.join(DSN_NOTIFY)} (each at most once)")
    return None


def _address(spec: PropertySpec, value: str) -> str | None:
    if re.fullmatch(r"[^\s@<>,]+@[^\s@<>,]+", value):
        return None
    return f"{value!r} is not a bare email address (like sender@example.com)"


def _mailbox(spec: PropertySpec, value: str) -> str | None:
    _name, addr = parseaddr(value)
    if addr and re.fullmatch(r"[^\s@<>,]+@[^\s@<>,]+", addr):
        return None
    return f"{value!r} is not an address (like sender@example.com or Name <sender@example.com>)"


def _object(spec: PropertySpec, value: str) -> str | None:
    return (f"{spec.name} takes a Java object set in code; as text JavaMail ignores it "
            f"(use {spec.name}.class with a class name)")


def _path(spec: PropertySpec, value: str) -> str | None:
    return None if value.strip() else "empty path"


def parse_fingerprints(value: str) -> tuple[str, ...]:
    """SHA-256 fingerprints as ``AB:CD:...`` (upper case) from ``ab:cd:...``, ``ABCD...`` or
    a comma-separated list of them; ValueError says what is wrong."""
    found = []
    for item in value.split(","):
        text = item.strip()
        if not text:
            continue
        digits = text.replace(":", "").replace(" ", "")
        if not re.fullmatch(r"[0-9A-Fa-f]{64}", digits):
            kind = (f"{len(digits) // 2} bytes" if re.fullmatch(r"[0-9A-Fa-f]*", digits)
                    else "not hexadecimal")
            raise ValueError(f"{text!r} is not a SHA-256 fingerprint ({kind}; 32 bytes "
                             "expected, as AB:CD:... or 64 hex digits)")
        digits = digits.upper()
        found.append(":".join(digits[i:i + 2] for i in range(0, 64, 2)))
    if not found:
        raise ValueError("no fingerprint given")
    return tuple(found)


def _fingerprints(spec: PropertySpec, value: str) -> str | None:
    try:
        parse_fingerprints(value)
    except ValueError as exc:
        return str(exc)
    return None


_CHECKS: dict[ValueType, Callable[[PropertySpec, str], str | None]] = {
    "bool": _bool,
    "int": _int,
    "port": _port,
    "localport": _localport,
    "millis": _millis,
    "host": _host,
    "ehlo": _ehlo,
    "hostlist": _hostlist,
    "list": _list,
    "mechanisms": _mechanisms,
    "tls-protocols": _tls_protocols,
    "class": _class,
    "enum": _enum,
    "dsn-notify": _dsn_notify,
    "address": _address,
    "mailbox": _mailbox,
    "object": _object,
    "path": _path,
    "fingerprints": _fingerprints,
}


def value_fix(spec: PropertySpec, value: str) -> str | None:
    """A one-line suggested fix for a value ``validate_value`` rejected."""
    kind = spec.type
    if kind == "bool":
        return "write exactly true or false"
    if kind in ("port", "localport"):
        digits = re.sub(r"\D", "", value)
        return f"write a number such as {digits}" if digits and digits != value else \
            "write a port number such as 587"
    if kind in ("int", "millis"):
        return "write a whole number of milliseconds, e.g. 30000" if kind == "millis" else \
            "write a whole number"
    if kind == "ehlo" and not value.isascii() and not host_problem(value):
        ascii_form = idna_form(value.strip())
        return f"use its IDNA form: {ascii_form}" if ascii_form else \
            "use an ASCII host name such as mail.example.org"
    if kind in ("host", "hostlist", "ehlo"):
        match = re.fullmatch(r"(?:[a-z][a-z0-9+.-]*://)?([^/:\s@]+\.[^/:\s@]+)(?::(\d+))?/?",
                             value.strip(), re.I)
        if match and match.group(2):
            return f"use {match.group(1)} and set the port property to {match.group(2)}"
        if match and match.group(1) != value.strip() and not host_problem(match.group(1)):
            return f"use {match.group(1)}"
        return "use a host name such as smtp.example.com" + \
            (" (several hosts: separate with spaces)" if kind == "hostlist" else "")
    if kind == "class":
        squeezed = re.sub(r"\s+", "", value)
        close = difflib.get_close_matches(squeezed.lower(), [c.lower() for c in KNOWN_CLASSES],
                                          n=1, cutoff=0.6)
        if close:
            return "use " + next(c for c in KNOWN_CLASSES if c.lower() == close[0])
        if _CLASS_RE.fullmatch(squeezed):
            return f"use {squeezed}"
        return "use a class name such as javax.net.ssl.SSLSocketFactory"
    if kind == "enum":
        return "use one of " + ", ".join(spec.choices)
    if kind == "dsn-notify":
        return "use NEVER, or a comma list such as SUCCESS,FAILURE"
    if kind == "mechanisms":
        return "use some of " + " ".join(MECHANISMS)
    if kind == "tls-protocols":
        return "use e.g. TLSv1.2 TLSv1.3 (separated by spaces)"
    if kind in ("address", "mailbox"):
        return "use an address such as sender@example.com"
    if kind == "object":
        return f"set {spec.name}.class instead, or remove the line"
    if kind == "fingerprints":
        return "copy the SHA-256 fingerprint `mailtui probe` shows (AB:CD:... or 64 hex digits)"
    return None
