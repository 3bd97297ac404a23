"""Every JavaMail / Jakarta Mail property mailtui knows: type, JavaMail's default, meaning.

Sources: the SMTP package summary of Jakarta Mail / Angus Mail (``org.eclipse.angus.mail.smtp``,
formerly ``com.sun.mail.smtp``) and the general ``mail.*`` session properties. ``mail.smtps.*``
mirrors ``mail.smtp.*`` (``lookup`` resolves it), with the smtps defaults (port 465, SSL on).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import parseaddr
from functools import cache
from typing import Literal

SMTP = "mail.smtp."
SMTPS = "mail.smtps."

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
    "string", "bool", "int", "port", "localport", "millis", "host", "hostlist", "list",
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


def _s(name: str, type_: ValueType, default: str | None, description: str, *,
       choices: tuple[str, ...] = (), ignore_case: bool = False, secret: bool = False,
       note: str = "") -> PropertySpec:
    return PropertySpec(SMTP + name, type_, default, description, choices=choices,
                        ignore_case=ignore_case, secret=secret, note=note)


_SMTP_SPECS: tuple[PropertySpec, ...] = (
    _s("host", "host", None, "SMTP server to connect to (falls back to mail.host, then localhost)"),
    _s("port", "port", "25", "SMTP server port (25 for smtp, 465 for smtps)"),
    _s("user", "string", None, "default user name for SMTP authentication"),
    _s("from", "address", None,
       "envelope sender for MAIL FROM (defaults to the message's From, then mail.from)"),
    _s("localhost", "host", None, "name sent in EHLO/HELO (defaults to the local host name)"),
    _s("localaddress", "host", None, "local address to bind the socket to"),
    _s("localport", "localport", None, "local port to bind the socket to (0 = any)"),
    _s("ehlo", "bool", "true", "false: sign on with HELO instead of EHLO"),
    _s("auth", "bool", "false", "authenticate with the AUTH command"),
    _s("auth.mechanisms", "mechanisms", "LOGIN PLAIN DIGEST-MD5 NTLM",
       "AUTH mechanisms to consider, in order (space or comma separated)",
       choices=MECHANISMS),
    _s("auth.login.disable", "bool", "false", "true: never use AUTH LOGIN"),
    _s("auth.plain.disable", "bool", "false", "true: never use AUTH PLAIN"),
    _s("auth.digest-md5.disable", "bool", "false", "true: never use AUTH DIGEST-MD5"),
    _s("auth.ntlm.disable", "bool", "false", "true: never use AUTH NTLM"),
    _s("auth.ntlm.domain", "string", None, "NTLM authentication domain"),
    _s("auth.ntlm.flags", "int", "0", "NTLM protocol flags (bit mask)"),
    _s("auth.xoauth2.disable", "bool", "true",
       "true: never use AUTH XOAUTH2 (off unless set to false or listed in auth.mechanisms)"),
    _s("submitter", "string", None, "submitter for the AUTH= parameter of MAIL FROM (relays)"),
    _s("dsn.notify", "dsn-notify", None,
       "DSN NOTIFY option of RCPT TO: NEVER, or a comma list of SUCCESS, FAILURE, DELAY"),
    _s("dsn.ret", "enum", None, "DSN RET option of MAIL FROM: FULL or HDRS",
       choices=("FULL", "HDRS"), ignore_case=True),
    _s("allow8bitmime", "bool", "false",
       "convert quoted-printable/base64 text parts to 8bit when the server offers 8BITMIME"),
    _s("sendpartial", "bool", "false",
       "send to the valid recipients even when some addresses are rejected"),
    _s("sasl.enable", "bool", "false", "choose the AUTH mechanism through Java SASL"),
    _s("sasl.mechanisms", "list", None, "SASL mechanisms to try (space or comma separated)"),
    _s("sasl.authorizationid", "string", None,
       "SASL authorization id (defaults to the user name)"),
    _s("sasl.realm", "string", None, "realm for DIGEST-MD5 authentication"),
    _s("sasl.usecanonicalhostname", "bool", "false",
       "give SASL the canonical host name instead of the name connected to"),
    _s("quitwait", "bool", "true", "wait for the reply to QUIT before closing"),
    _s("quitonsessionreject", "bool", "false",
       "send QUIT when the server rejects the session in its greeting"),
    _s("reportsuccess", "bool", "false",
       "report each accepted address through an exception (even on success)"),
    _s("connectiontimeout", "millis", None, "connect timeout in milliseconds (default infinite)"),
    _s("timeout", "millis", None, "socket read timeout in milliseconds (default infinite)"),
    _s("writetimeout", "millis", None, "socket write timeout in milliseconds (default infinite)"),
    _s("socketFactory", "object", None,
       "a SocketFactory object (Java code only; as text it is ignored)"),
    _s("socketFactory.class", "class", None,
       "class of the socket factory; javax.net.ssl.SSLSocketFactory means implicit TLS"),
    _s("socketFactory.fallback", "bool", "true",
       "fall back to a plain socket if the socket factory fails"),
    _s("socketFactory.port", "port", None, "port to connect to when a socket factory is used"),
    _s("ssl.enable", "bool", "false",
       "implicit TLS from the first byte (default true for smtps)"),
    _s("ssl.checkserveridentity", "bool", "true",
       "check that the certificate matches the host name (RFC 2595)",
       note="Jakarta Mail 2.x / Angus Mail default true; JavaMail 1.x defaulted to false"),
    _s("ssl.trust", "hostlist", None,
       "hosts whose certificates are trusted without verification ('*' = every host)"),
    _s("ssl.socketFactory", "object", None,
       "an SSLSocketFactory object (Java code only; as text it is ignored)"),
    _s("ssl.socketFactory.class", "class", None, "class of the SSL socket factory"),
    _s("ssl.socketFactory.port", "port", None,
       "port to connect to when the SSL socket factory is used"),
    _s("ssl.protocols", "tls-protocols", None,
       "TLS protocols to enable, space separated (e.g. TLSv1.2 TLSv1.3)",
       choices=TLS_PROTOCOLS),
    _s("ssl.ciphersuites", "list", None, "TLS cipher suites to enable, space separated"),
    _s("ssl.hostnameverifier", "object", None,
       "a HostnameVerifier object (Java code only; as text it is ignored)"),
    _s("ssl.hostnameverifier.class", "class", None, "class of the host name verifier"),
    _s("starttls.enable", "bool", "false",
       "upgrade to TLS with STARTTLS when the server offers it (otherwise continue in clear)"),
    _s("starttls.required", "bool", "false", "fail unless STARTTLS succeeds"),
    _s("proxy.host", "host", None, "HTTP proxy host for the connection"),
    _s("proxy.port", "port", "80", "HTTP proxy port"),
    _s("proxy.user", "string", None, "user name for the HTTP proxy"),
    _s("proxy.password", "string", None, "password for the HTTP proxy", secret=True),
    _s("socks.host", "host", None, "SOCKS5 proxy host for the connection"),
    _s("socks.port", "port", "1080", "SOCKS5 proxy port"),
    _s("mailextension", "string", None, "extension text appended to the MAIL FROM command"),
    _s("userset", "bool", "false", "use RSET instead of NOOP to test the connection"),
    _s("noop.strict", "bool", "true", "insist on a 250 reply to NOOP"),
    _s("chunksize", "int", None, "BDAT chunk size in bytes when the server offers CHUNKING"),
)

_GENERAL_SPECS: tuple[PropertySpec, ...] = (
    PropertySpec("mail.host", "host", None, "default host for every protocol"),
    PropertySpec("mail.user", "string", None, "default user name for every protocol"),
    PropertySpec("mail.from", "mailbox", None,
                 "default sender address (From and envelope sender when nothing else is set)"),
    PropertySpec("mail.transport.protocol", "enum", "smtp",
                 "transport protocol: smtp, or smtps for implicit TLS",
                 choices=("smtp", "smtps")),
    PropertySpec("mail.debug", "bool", "false", "print the protocol conversation"),
    PropertySpec("mail.debug.auth", "bool", "false",
                 "include the AUTH exchange in the debug output"),
    PropertySpec("mail.debug.auth.username", "bool", "true",
                 "include the user name in AUTH debug output"),
    PropertySpec("mail.debug.auth.password", "bool", "false",
                 "include the password in AUTH debug output (mailtui never does)"),
    PropertySpec("mail.mime.allowutf8", "bool", "false",
                 "allow UTF-8 in headers and addresses (SMTPUTF8 when offered)"),
    PropertySpec("mail.mime.charset", "string", None, "default charset for text parts"),
    PropertySpec("mailtui.ssl.cafile", "path", None,
                 "mailtui extension: PEM bundle of extra trust anchors (e.g. the sandbox CA)"),
    PropertySpec("mailtui.ssl.fingerprint", "fingerprints", None,
                 "mailtui extension: pin the server's certificate by the SHA-256 fingerprint of "
                 "its leaf certificate (AB:CD:... or plain hex; several comma-separated); it "
                 "replaces CA verification and the host name check, as msmtp's tls_fingerprint"),
    PropertySpec("mailtui.ssl.certfile", "path", None,
                 "mailtui extension: client certificate (PEM, chain allowed; may hold the key "
                 "too) for relays that require one; relative to the configuration file"),
    PropertySpec("mailtui.ssl.keyfile", "path", None,
                 "mailtui extension: the client certificate's private key (PEM, unencrypted); "
                 "relative to the configuration file"),
)

_SMTPS_DEFAULTS = {"port": "465", "ssl.enable": "true"}

_BY_NAME: dict[str, PropertySpec] = {s.name: s for s in _SMTP_SPECS + _GENERAL_SPECS}

# Frequent wrong names -> the real property suffix (after mail.smtp.), or a full name.
_TYPOS = {
    "starttls.enabled": "starttls.enable",
    "starttls": "starttls.enable",
    "starttls.enabled.required": "starttls.required",
    "starttls.require": "starttls.required",
    "tls": "starttls.enable",
    "tls.enable": "starttls.enable",
    "ssl": "ssl.enable",
    "ssl.enabled": "ssl.enable",
    "ssl.trusted": "ssl.trust",
    "ssl.protocol": "ssl.protocols",
    "ssl.checkidentity": "ssl.checkserveridentity",
    "hostname": "host",
    "server": "host",
    "smtphost": "host",
    "username": "user",
    "sender": "from",
    "auth.enable": "auth",
    "auth.enabled": "auth",
    "authenticate": "auth",
    "authentication": "auth",
    "auth.mechanism": "auth.mechanisms",
    "readtimeout": "timeout",
    "read.timeout": "timeout",
    "connecttimeout": "connectiontimeout",
    "connect.timeout": "connectiontimeout",
    "connection.timeout": "connectiontimeout",
    "write.timeout": "writetimeout",
    "helo": "localhost",
    "ehlo.name": "localhost",
    "socketfactory.classname": "socketFactory.class",
    "socketfactory.fallback.enable": "socketFactory.fallback",
}
_GENERAL_TYPOS = {
    "mail.transport": "mail.transport.protocol",
    "mail.protocol": "mail.transport.protocol",
    "mail.transport.protocols": "mail.transport.protocol",
    "mail.smtp.protocol": "mail.transport.protocol",
    "mail.hostname": "mail.host",
    "mail.sender": "mail.from",
}
# Names people expect to exist, with what to do instead (suggest() stays silent on them).
_NOT_PROPERTIES = {
    "password": "JavaMail never reads a password property; put the password in the server "
    "settings (password_env or password_command), not in the properties",
    "pass": "JavaMail never reads a password property; use the server password setting",
    "ssl.trustall": "there is no trust-all switch; mail.smtp.ssl.trust=* does that (unsafe)",
}


def all_specs() -> list[PropertySpec]:
    """Every known property (smtp and general; smtps mirrors smtp)."""
    return list(_BY_NAME.values())


def lookup(key: str) -> PropertySpec | None:
    """The spec of ``key``; ``mail.smtps.X`` resolves to the smtp spec under the smtps name."""
    spec = _BY_NAME.get(key)
    if spec is not None:
        return spec
    if key.startswith(SMTPS):
        suffix = key[len(SMTPS):]
        base = _BY_NAME.get(SMTP + suffix)
        if base is not None:
            default = _SMTPS_DEFAULTS.get(suffix, base.default)
            return replace(base, name=key, default=default)
    return None


def is_secret_key(key: str) -> bool:
    """True when the value must never be shown (passwords, tokens)."""
    from mailtui.config.secrets import is_secret_name

    spec = lookup(key)
    return (spec is not None and spec.secret) or is_secret_name(key)


def is_misplaced_password(key: str) -> bool:
    """A password or token under a name JavaMail does not know (``mail.smtp.password``): it
    belongs to the server settings, never to the properties (import refuses it, check reports
    it, export leaves it out). Known secret properties (``proxy.password``) are not."""
    return lookup(key) is None and is_secret_key(key)


_OTHER_PROTOCOL = re.compile(r"mail\.(?:imaps?|pop3s?|store|nntp|gimap)\.", re.I)


def explain_unknown(key: str) -> str | None:
    """A sentence for unknown names people commonly expect to exist (e.g. mail.smtp.password)."""
    if _OTHER_PROTOCOL.match(key):
        return "a property for reading mail (IMAP/POP3); sending never uses it"
    prefix, suffix = _split_protocol(key)
    if prefix is None:
        return _NOT_PROPERTIES.get(key.lower().removeprefix("mail."))
    return _NOT_PROPERTIES.get(suffix.lower())


def suggest(key: str) -> str | None:
    """Did-you-mean for an unknown key: known typos, case mistakes, then close matches."""
    if lookup(key) is not None or explain_unknown(key) is not None:
        return None
    prefix, suffix = _split_protocol(key)
    low = key.lower()
    if prefix is not None:
        fixed = _TYPOS.get(suffix.lower())
        if fixed is not None:
            return prefix + fixed
        candidates = _smtp_names_lower()
        canon = SMTP + suffix.lower()
    else:
        if low in _GENERAL_TYPOS:
            return _GENERAL_TYPOS[low]
        candidates = _all_names_lower()
        canon = low
    if canon in candidates:
        return _rename(candidates[canon], prefix)
    close = difflib.get_close_matches(canon, list(candidates), n=1, cutoff=0.82)
    if close:
        return _rename(candidates[close[0]], prefix)
    return None


def _split_protocol(key: str) -> tuple[str | None, str]:
    low = key.lower()
    for prefix in (SMTPS, SMTP):
        if low.startswith(prefix):
            return prefix, key[len(prefix):]
    return None, key


def _rename(name: str, prefix: str | None) -> str:
    if prefix == SMTPS and name.startswith(SMTP):
        return SMTPS + name[len(SMTP):]
    return name


@cache
def _smtp_names_lower() -> dict[str, str]:
    return {s.name.lower(): s.name for s in _SMTP_SPECS}


@cache
def _all_names_lower() -> dict[str, str]:
    return {name.lower(): name for name in _BY_NAME}


# ---------------------------------------------------------------- value validation

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
    if kind in ("host", "hostlist"):
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
