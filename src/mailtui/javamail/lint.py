"""Lint JavaMail properties against what they will really do. Each finding has a one-line fix."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from mailtui.config.model import Settings
from mailtui.diagnostics import Diagnostic, Severity, by_severity
from mailtui.javamail.plan import SUPPORTED_MECHANISMS, Plan
from mailtui.javamail.view import (
    SSL_SOCKET_FACTORY,
    TIMEOUT_KEYS,
    View,
    protocol_of,
    uses_legacy_ssl_factory,
)

Finding = Diagnostic  # the lint's name for the diagnostics it returns
Rule = Callable[[Settings, Plan, View], Iterator[Diagnostic]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def lint(settings: Settings, plan: Plan, *, per_key: bool = True) -> list[Diagnostic]:
    """Every finding, errors first, in a stable order. ``per_key=False`` leaves out the checks
    of each property on its own (unknown key, wrong type, misplaced password): for properties
    read from text, the parser has already reported those with their lines."""
    props = settings.server.properties
    view = View(props, protocol_of(props))
    findings = list(_keys_and_values(view, per_key=per_key))
    findings += [f for check in RULES for f in check(settings, plan, view)]
    return by_severity(findings)


def _finding(severity: Severity | str, code: str, message: str, fix: str | None = None,
             key: str | None = None) -> Diagnostic:
    """A lint finding: the message names the property (or setting) it is about."""
    return Diagnostic(Severity(severity), f"{key}: {message}" if key else message, fix=fix, key=key,
                      code=code)


def _keys_and_values(view: View, *, per_key: bool) -> Iterator[Diagnostic]:
    from mailtui.javamail.catalog import lookup
    from mailtui.javamail.propcheck import check_property

    for key, value in view.props.items():
        if per_key:
            yield from check_property(key, value, in_text=False, protocol=view.protocol)
        other = "smtps" if view.protocol == "smtp" else "smtp"
        if key.startswith(f"mail.{other}.") and lookup(key) is not None:
            yield _finding("warning", "other-protocol",
                           f"ignored: mail.transport.protocol is {view.protocol}",
                           f"use {key.replace(f'mail.{other}.', f'mail.{view.protocol}.', 1)}",
                           key)


@rule
def _host(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    if plan.host is None:
        yield _finding("error", "missing-host",
                      "no SMTP host: JavaMail would silently try localhost",
                      f"set {view.key('host')}, or apply a preset (mailtui presets)",
                      view.key("host"))


@rule
def _tls(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    starttls_key = view.key("starttls.required")
    if plan.security == "starttls-optional":
        yield _finding("warning", "starttls-optional",
                      "opportunistic STARTTLS: an attacker on the path can strip it and the "
                      "mail then travels in clear (mailtui still never sends credentials in "
                      "clear: it stops at the TLS stage)",
                      f"set {starttls_key}=true", view.key("starttls.enable"))
    if plan.auth and plan.security == "none":
        yield _finding("error", "auth-without-tls",
                      "authentication is on but nothing encrypts the connection: the password "
                      "would cross the network in clear, so mailtui refuses to send it",
                      f"set {starttls_key}=true (port 587) or {view.key('ssl.enable')}=true "
                      "(port 465)", view.key("auth"))
    if plan.uses_tls and "*" in plan.trusted_hosts:
        yield _finding("warning", "trust-all",
                      "ssl.trust=* accepts any certificate from any server: anyone on the path "
                      "can read the password",
                      f"remove {view.key('ssl.trust')}; for a private CA use mailtui.ssl.cafile",
                      view.key("ssl.trust"))
    elif plan.uses_tls and not plan.verify_certificate:
        yield _finding("warning", "trust-host",
                      f"the certificate of {plan.host} is not verified (listed in ssl.trust)",
                      "remove the host from ssl.trust; for a private CA use mailtui.ssl.cafile",
                      view.key("ssl.trust"))
    if plan.uses_tls and not plan.check_server_identity:
        yield _finding("warning", "identity-off",
                      "the server's name is not checked against its certificate: any valid "
                      "certificate for any host is accepted",
                      f"remove {view.key('ssl.checkserveridentity')} (default true)",
                      view.key("ssl.checkserveridentity"))
    if view.has("starttls.required") and view.flag("starttls.required", False) and not view.flag(
        "starttls.enable", False
    ) and plan.security == "starttls-required":
        yield _finding("info", "required-without-enable",
                      "starttls.required implies STARTTLS, but older JavaMail versions also "
                      "need starttls.enable", f"also set {view.key('starttls.enable')}=true",
                      view.key("starttls.required"))


_TLS_FILE_ROLE = {
    "mailtui.ssl.cafile": "a PEM file of CA certificates",
    "mailtui.ssl.certfile": "the PEM client certificate (with its key, or the key in "
                            "mailtui.ssl.keyfile)",
    "mailtui.ssl.keyfile": "the unencrypted PEM private key of mailtui.ssl.certfile",
}


@rule
def tls_files(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    """The TLS files (CA file, client certificate, key) load, without connecting. The same
    rule is the pre-flight check of every command that connects (exit 3 before any byte)."""
    if not plan.uses_tls:
        return
    import ssl

    from mailtui.javamail.tlsfiles import (
        TlsSettingError,
        load_ca_file,
        load_client_certificate,
    )

    for load in (lambda c: load_ca_file(c, plan.ca_file) if plan.ca_file else 0,
                 lambda c: load_client_certificate(c, plan)):
        try:
            load(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
        except TlsSettingError as exc:
            code = "ca-file" if exc.key == "mailtui.ssl.cafile" else "client-cert"
            yield _finding("error", code, str(exc).removeprefix(f"{exc.key} "),
                           _tls_file_fix(settings, plan, exc.key), exc.key)


def _tls_file_fix(settings: Settings, plan: Plan, key: str) -> str:
    import os

    from mailtui.config.paths import sandbox_ca_path

    if key == "mailtui.ssl.cafile" and plan.ca_file == str(sandbox_ca_path()):
        return "start the sandbox once (mailtui sandbox): it creates its CA"
    if key == "mailtui.ssl.keyfile" and plan.client_cert is None:
        return "set mailtui.ssl.certfile too, or remove mailtui.ssl.keyfile"
    raw = (settings.server.properties.get(key) or "").strip()
    relative = bool(raw) and not os.path.isabs(os.path.expanduser(raw))
    where = (f"; a relative path in the file starts from its folder, "
             f"{settings.path.absolute().parent}" if relative and settings.path else "")
    return f"make {key} name {_TLS_FILE_ROLE[key]}{where}; or remove the key"


@rule
def _port_mode(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    implicit = plan.security == "implicit-tls"
    if plan.port == 465 and not implicit:
        yield _finding("error", "port-mode-mismatch",
                      "port 465 speaks TLS from the first byte (implicit TLS), but these "
                      "properties expect a plain-text greeting: the connection will hang or fail",
                      f"set {view.key('ssl.enable')}=true, or use port 587 with STARTTLS",
                      view.key("port"))
    if plan.port in (25, 587) and implicit:
        yield _finding("error", "port-mode-mismatch",
                      f"port {plan.port} starts in plain text (STARTTLS), but these properties "
                      "start a TLS handshake at once: it will fail",
                      f"use port 465, or replace ssl.enable with {view.key('starttls.enable')}"
                      f"=true and {view.key('starttls.required')}=true", view.key("port"))


@rule
def _legacy_factory(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    factory = view.get("socketFactory.class")
    if factory is not None and factory.strip() != SSL_SOCKET_FACTORY:
        yield _finding("warning", "custom-factory",
                      f"socket factory {factory.strip()!r} is Java code mailtui cannot run; "
                      "it is ignored",
                      "use ssl.enable or starttls.* instead", view.key("socketFactory.class"))
    if uses_legacy_ssl_factory(view):
        yield _finding("info", "legacy-ssl-factory",
                      "legacy form of implicit TLS (socketFactory.class=SSLSocketFactory)",
                      f"prefer {view.key('ssl.enable')}=true", view.key("socketFactory.class"))
        if view.flag("socketFactory.fallback", True):
            yield _finding("warning", "factory-fallback",
                          "with socketFactory.fallback (true by default) JavaMail falls back to a "
                          "plain socket when TLS fails; mailtui never does",
                          f"set {view.key('socketFactory.fallback')}=false, or use "
                          f"{view.key('ssl.enable')}=true", view.key("socketFactory.fallback"))
        port = view.integer("port")
        factory_port = view.integer("socketFactory.port")
        if factory_port and port and factory_port != port:
            yield _finding("warning", "factory-port-differs",
                          f"socketFactory.port ({factory_port}) wins over port ({port})",
                          "make them equal or drop one", view.key("socketFactory.port"))
    elif view.has("socketFactory.port"):
        yield _finding("warning", "redundant-key",
                      "socketFactory.port is ignored without socketFactory.class",
                      f"remove it; the port is {view.key('port')}",
                      view.key("socketFactory.port"))
    if view.has("socketFactory.fallback") and not uses_legacy_ssl_factory(view):
        yield _finding("info", "redundant-key", "ignored without socketFactory.class",
                      "remove it", view.key("socketFactory.fallback"))


@rule
def _redundant(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    if plan.security == "implicit-tls":
        for name in ("starttls.enable", "starttls.required"):
            if view.flag(name, False):
                yield _finding("warning", "redundant-key",
                              "STARTTLS does not apply: the connection is already TLS "
                              "(implicit TLS)", "remove it", view.key(name))
    if uses_legacy_ssl_factory(view) and view.flag("ssl.enable", False):
        yield _finding("info", "redundant-key",
                      "ssl.enable and socketFactory.class both ask for implicit TLS",
                      f"keep only {view.key('ssl.enable')}", view.key("socketFactory.class"))


@rule
def _auth(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    server = settings.server
    if plan.auth:
        if not plan.username:
            yield _finding("error", "auth-no-username",
                          "authentication is on but there is no username",
                          "set server.username", "server.username")
        if not server.password.is_set:
            yield _finding("error", "auth-no-password",
                          "authentication is on but no password source is set",
                          "set server.password_env, server.password_command or server.password",
                          "server.password")
        if not plan.mechanisms:
            yield _finding("error", "no-mechanism",
                          "no usable AUTH mechanism is left (mailtui speaks "
                          + ", ".join(SUPPORTED_MECHANISMS) + ")",
                          f"set {view.key('auth.mechanisms')}=\"LOGIN PLAIN\"",
                          view.key("auth.mechanisms"))
        listed = re.split(r"[\s,]+", (view.get("auth.mechanisms") or "").strip())
        unsupported = [m for m in listed if m and m.upper() not in SUPPORTED_MECHANISMS]
        if unsupported:
            yield _finding("info", "mechanism-unsupported",
                          f"mailtui skips {', '.join(unsupported)} (not implemented)",
                          None, view.key("auth.mechanisms"))
        if "CRAM-MD5" in plan.mechanisms:
            yield _finding("info", "cram-md5-sasl",
                          "JavaMail itself only uses CRAM-MD5 through SASL "
                          "(mail.smtp.sasl.enable=true); mailtui uses it directly", None,
                          view.key("auth.mechanisms"))
    elif server.password.is_set:
        yield _finding("warning", "password-unused",
                      "a password is configured but mail.smtp.auth is not true: mailtui will "
                      "not authenticate (JavaMail only does when the app passes credentials)",
                      f"set {view.key('auth')}=true", view.key("auth"))
    host = (plan.host or "").lower()
    if plan.auth and host in ("smtp.office365.com", "smtp-mail.outlook.com"):
        yield _finding("warning", "basic-auth-retiring",
                      "Microsoft turns Basic SMTP AUTH off by default from the end of December "
                      "2026: password login will stop working; OAuth2 (XOAUTH2) is the way "
                      "forward", "plan a move to OAuth2 or a relay", view.key("host"))


@rule
def _settings(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    server = settings.server
    if not server.default_sender:
        yield _finding("warning", "no-sender", "no default sender: messages need a From address",
                      'set server.default_sender = "Name <address@example.org>"',
                      "server.default_sender")
    if not server.enabled:
        yield _finding("info", "disabled",
                      "sending is disabled: `mailtui send` refuses (test sends still work)",
                      "set server.enabled = true when ready", "server.enabled")
    yield from _internal_addresses(settings, view)
    for name in ("proxy.host", "socks.host"):
        if view.has(name):
            yield _finding("warning", "proxy-unsupported", "mailtui does not use proxies",
                          "remove it, or run mailtui where the server is reachable",
                          view.key(name))
    if view.has("ehlo") and not view.flag("ehlo", True):
        yield _finding("warning", "helo-unsupported",
                      "mailtui always greets with EHLO (needed for STARTTLS and AUTH)",
                      "remove it", view.key("ehlo"))


def _internal_addresses(settings: Settings, view: View) -> Iterator[Diagnostic]:
    from mailtui.config.addresses import INTERNAL_NOTE, parse_mailbox

    server = settings.server
    for key, value in (("server.default_sender", server.default_sender),
                       ("server.test_recipient", server.test_recipient),
                       (view.key("from"), view.get("from")),
                       ("mail.from", view.props.get("mail.from"))):
        try:
            box = parse_mailbox(value) if value else None
        except ValueError:
            continue  # reported where the value is validated
        if box is not None and box.internal:
            yield _finding("warning", "internal-address", f"{box.addr_spec} is {INTERNAL_NOTE}",
                          "use a public address if the mail goes through a public provider",
                          key)


@rule
def _timeouts(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    for name, key, default in TIMEOUT_KEYS:
        millis = view.integer(key)
        if view.has(key) and (millis is None or millis < 0):
            continue  # not a usable number: an error of its own (bad-value), which says so
        if millis is None or millis <= 0:
            what = "not set" if millis is None else f"{millis}"
            yield _finding("info", "timeout-default",
                          f"{what} (JavaMail waits forever): mailtui uses a {name} timeout "
                          f"of {default:g} s", f"set {view.key(key)}={int(default * 1000)} so "
                          "the Java application does not hang either", view.key(key))


@rule
def _pin_and_client_cert(settings: Settings, plan: Plan, view: View) -> Iterator[Diagnostic]:
    """mailtui.ssl.fingerprint / certfile / keyfile: what they replace."""
    if plan.tls_fingerprints and plan.uses_tls:
        yield _finding("info", "pinned",
                      "the certificate is pinned: the pin replaces CA verification and the host "
                      "name check (ssl.trust and checkserveridentity no longer matter)",
                      "update the pin when the server's certificate is renewed",
                      "mailtui.ssl.fingerprint")
    if not plan.uses_tls and (plan.tls_fingerprints or plan.client_cert):
        key = "mailtui.ssl.fingerprint" if plan.tls_fingerprints else "mailtui.ssl.certfile"
        yield _finding("warning", "tls-key-unused", "ignored: the connection does not use TLS",
                      f"enable TLS ({view.key('starttls.required')}=true or "
                      f"{view.key('ssl.enable')}=true), or remove it", key)
    # files that cannot be used: see tls_files
