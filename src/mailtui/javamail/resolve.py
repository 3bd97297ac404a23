"""Resolve JavaMail properties (+ the settings) into the effective connection Plan.

Semantics follow Jakarta Mail's SMTPTransport: ``mail.transport.protocol`` picks the
``mail.smtp.`` or ``mail.smtps.`` prefix; ``smtps`` or ``ssl.enable`` means implicit TLS with
default port 465; the legacy ``socketFactory.class=javax.net.ssl.SSLSocketFactory`` means implicit
TLS on ``socketFactory.port``; ``starttls.required`` implies STARTTLS. Two deliberate differences
(SPEC §3): finite default timeouts, and no credentials over a link that is not encrypted.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mailtui.config.model import Settings
from mailtui.javamail.plan import SUPPORTED_MECHANISMS, Plan, Security, Timeouts
from mailtui.javamail.view import TIMEOUT_KEYS, View, protocol_of, uses_legacy_ssl_factory

# JavaMail's default mechanism order; XOAUTH2 is disabled by default (auth.xoauth2.disable).
JAVAMAIL_MECHANISMS = ("LOGIN", "PLAIN", "DIGEST-MD5", "NTLM", "XOAUTH2")
_DISABLED_BY_DEFAULT = {"XOAUTH2"}



def security_of(view: View) -> Security:
    if view.protocol == "smtps" or view.flag("ssl.enable", False) or uses_legacy_ssl_factory(view):
        return "implicit-tls"
    required = view.flag("starttls.required", False)
    if required:
        return "starttls-required"
    if view.flag("starttls.enable", False):
        return "starttls-optional"
    return "none"


def port_of(view: View, security: Security) -> int:
    if uses_legacy_ssl_factory(view):
        factory_port = view.integer("socketFactory.port")
        if factory_port:
            return factory_port
    port = view.integer("port")
    if port and 0 < port < 65536:
        return port
    implicit = view.protocol == "smtps" or view.flag("ssl.enable", False)
    return 465 if implicit else 25


def mechanisms_of(view: View) -> tuple[str, ...]:
    listed = re.split(r"[\s,]+", (view.get("auth.mechanisms") or "").strip())
    explicit = [n for n in listed if n]
    names = explicit or list(JAVAMAIL_MECHANISMS)
    chosen: list[str] = []
    for raw in names:
        name = raw.upper()
        disable_key = f"auth.{name.lower()}.disable"
        # As Jakarta Mail: the auth.<mech>.disable flags (XOAUTH2 off by default) only
        # filter the default list; mechanisms named in auth.mechanisms are used as named.
        if not explicit and view.flag(disable_key, name in _DISABLED_BY_DEFAULT):
            continue
        if name in SUPPORTED_MECHANISMS and name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def _seconds(view: View, name: str, default: float) -> float:
    """A JavaMail millisecond timeout in seconds. 0 or unset is infinite in JavaMail:
    mailtui uses its finite default instead (lint reports it)."""
    millis = view.integer(name)
    return default if millis is None or millis <= 0 else millis / 1000.0


def envelope_sender(settings: Settings, view: View) -> str | None:
    from mailtui.config.addresses import parse_mailbox

    candidates = (view.get("from"), settings.server.default_sender, view.props.get("mail.from"))
    for candidate in candidates:
        if candidate and candidate.strip():
            try:
                return parse_mailbox(candidate).addr_spec
            except ValueError:
                return candidate.strip()
    return None


def _beside_config(settings: Settings, value: str | None) -> str | None:
    """A path property: ``~`` expanded, a relative path taken from the config file's folder."""
    if not value or not value.strip():
        return None
    from mailtui.config.paths import relative_to_config

    return str(relative_to_config(value.strip(), settings.path))


def ca_file_of(settings: Settings) -> str | None:
    """``mailtui.ssl.cafile``, a relative path taken from the configuration file's folder."""
    return _beside_config(settings, settings.server.properties.get("mailtui.ssl.cafile"))


def _fingerprints(settings: Settings, value: str | None, *, lenient: bool) -> tuple[str, ...]:
    """The pins. A malformed one stops everything (never silently unpinned), unless
    ``lenient`` (then lint reports it, with its line, and the plan holds no pin)."""
    if value is None:
        return ()
    from mailtui.javamail.catalog import parse_fingerprints

    try:
        return parse_fingerprints(value)
    except ValueError as exc:
        if lenient:
            return ()
        raise _refusal(settings, "mailtui.ssl.fingerprint", str(exc),
                       "copy the SHA-256 fingerprint `mailtui probe` shows (AB:CD:... or 64 "
                       "hex digits)") from None


def _refusal(settings: Settings, key: str, problem: str, hint: str | None) -> Exception:
    """The ConfigError (exit 3) of a value that must stop the connection before it starts."""
    from mailtui.errors import ConfigError, Location

    return ConfigError(f"server.properties: {key}: {problem}", hint=hint,
                       location=Location(str(settings.path)) if settings.path else None)


def _ehlo_name(settings: Settings, view: View, *, lenient: bool) -> str | None:
    """mail.smtp.localhost, the name sent in EHLO: checked before connecting (an SMTP command
    is ASCII, one line), unless ``lenient`` (then lint reports it)."""
    value = (view.get("localhost") or "").strip() or None
    if value is not None and not lenient:
        from mailtui.javamail.catalog import lookup, validate_value, value_fix

        spec = lookup(view.key("localhost"))
        problem = validate_value(spec, value) if spec else None
        if spec is not None and problem:
            raise _refusal(settings, view.key("localhost"), problem, value_fix(spec, value))
    return value


def resolve_plan(settings: Settings, *, with_lint: bool = False, lenient: bool = False) -> Plan:
    """The connection mailtui will make for these settings; ``with_lint`` adds the lint
    errors as ``errors`` and its warnings (and the infinite-timeout notes) as ``warnings``.

    Values that would make the connection unsafe or impossible (a malformed pin, an EHLO name
    that cannot be sent) raise ConfigError before anything connects; with ``lenient`` (and
    ``with_lint``) they are left to lint, which reports them with the others."""
    lenient = lenient or with_lint
    props = settings.server.properties
    from mailtui.javamail.catalog import line_break_problem

    for key, value in props.items():
        problem = line_break_problem(value)
        if problem:
            from mailtui.errors import ConfigError

            raise ConfigError(f"server.properties: {key}: the value holds {problem}",
                              hint="a property value is one line; it would inject SMTP commands")
    view = View(props, protocol_of(props))
    security = security_of(view)
    host = (view.get("host") or props.get("mail.host") or "").strip() or None
    trust = tuple((view.get("ssl.trust") or "").split())
    host_trusted = "*" in trust or (host is not None and host in trust)
    connect, read, write = (_seconds(view, key, default) for _, key, default in TIMEOUT_KEYS)
    username = settings.server.username or view.get("user") or props.get("mail.user")
    plan = Plan(
        host=host,
        port=port_of(view, security),
        security=security,
        auth=view.flag("auth", False),
        mechanisms=mechanisms_of(view),
        verify_certificate=not host_trusted,
        check_server_identity=view.flag("ssl.checkserveridentity", True),
        timeouts=Timeouts(connect, read, write),
        ehlo_name=_ehlo_name(settings, view, lenient=lenient),
        envelope_from=envelope_sender(settings, view),
        username=(username or "").strip() or None,
        protocol="smtps" if view.protocol == "smtps" else "smtp",
        trusted_hosts=trust,
        ca_file=ca_file_of(settings),
        tls_fingerprints=_fingerprints(settings, props.get("mailtui.ssl.fingerprint"),
                                       lenient=lenient),
        client_cert=_beside_config(settings, props.get("mailtui.ssl.certfile")),
        client_key=_beside_config(settings, props.get("mailtui.ssl.keyfile")),
        tls_protocols=tuple((view.get("ssl.protocols") or "").split()),
        tls_ciphers=tuple((view.get("ssl.ciphersuites") or "").split()),
        source_address=(view.get("localaddress") or "").strip() or None,
        source_port=view.integer("localport") or 0,
        dsn_notify=(view.get("dsn.notify") or "").strip() or None,
        dsn_ret=(view.get("dsn.ret") or "").strip().upper() or None,
        allow_8bitmime=view.flag("allow8bitmime", False),
        allow_utf8=View(props, "mime").flag("allowutf8", False),
        send_partial=view.flag("sendpartial", False),
        quit_wait=view.flag("quitwait", True),
        sasl_authzid=(view.get("sasl.authorizationid") or "").strip() or None,
    )
    if not with_lint:
        return plan
    from mailtui.javamail.lint import lint

    findings = lint(settings, plan)
    errors = [f.message for f in findings if f.severity == "error"]
    warnings = [f.message for f in findings
                if f.severity == "warning" or f.code == "timeout-default"]
    info = [f.message for f in findings if f.severity == "info"]
    return replace(plan, warnings=tuple(warnings), errors=tuple(errors), info=tuple(info))


def password_for(settings: Settings, plan: Plan) -> str | None:
    """The password, read (env, command) only when the plan authenticates."""
    return settings.server.password.resolve() if plan.auth else None
