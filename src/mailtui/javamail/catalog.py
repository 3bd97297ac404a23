"""Every JavaMail / Jakarta Mail property mailtui knows: type, JavaMail's default, meaning.

Sources: the SMTP package summary of Jakarta Mail / Angus Mail (``org.eclipse.angus.mail.smtp``,
formerly ``com.sun.mail.smtp``) and the general ``mail.*`` session properties. ``mail.smtps.*``
mirrors ``mail.smtp.*`` (``lookup`` resolves it), with the smtps defaults (port 465, SSL on).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from functools import cache

# The value types and their checks live in javamail/values.py; re-exported here, where callers
# look up a property's rules.
from mailtui.javamail.values import DSN_NOTIFY as DSN_NOTIFY
from mailtui.javamail.values import KNOWN_CLASSES as KNOWN_CLASSES
from mailtui.javamail.values import MECHANISMS, TLS_PROTOCOLS, PropertySpec, ValueType
from mailtui.javamail.values import host_problem as host_problem
from mailtui.javamail.values import idna_form as idna_form
from mailtui.javamail.values import is_forbidden_char as is_forbidden_char
from mailtui.javamail.values import line_break_problem as line_break_problem
from mailtui.javamail.values import parse_fingerprints as parse_fingerprints
from mailtui.javamail.values import validate_value as validate_value
from mailtui.javamail.values import value_fix as value_fix

SMTP = "mail.smtp."
SMTPS = "mail.smtps."


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
    _s("localhost", "ehlo", None, "name sent in EHLO/HELO (defaults to the local host name)"),
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
