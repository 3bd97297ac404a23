"""The checks of one property on its own: a password where none belongs, an unknown key (with
a did-you-mean), a value of the wrong type. Decided here once, for the properties parser (text,
``in_text=True``: a line of text is deleted) and for the lint of a configuration file's
``[server.properties]`` table (``in_text=False``: a key is removed), so no problem is found by
two checkers. The two wordings are kept as ``properties import`` and ``check`` always printed
them. The rules about how properties combine are the lint's (``mailtui.javamail.lint``).
"""

from __future__ import annotations

from mailtui.diagnostics import Diagnostic, Severity
from mailtui.javamail.catalog import (
    PropertySpec,
    explain_unknown,
    is_misplaced_password,
    lookup,
    suggest,
    validate_value,
    value_fix,
)

PASSWORD = "password-in-properties"
UNKNOWN = "unknown-key"
BAD_VALUE = "bad-value"


def check_property(key: str, value: str, *, in_text: bool,
                   protocol: str = "smtp") -> list[Diagnostic]:
    """Every problem ``key=value`` has on its own (none: an empty list). ``protocol`` is the
    one ``mail.transport.protocol`` selects (it names the timeout keys)."""
    found = misplaced_password(key, in_text=in_text) or unknown_key(key, in_text=in_text) \
        or bad_value(key, value, in_text=in_text, protocol=protocol)
    return [found] if found else []


def misplaced_password(key: str, *, in_text: bool) -> Diagnostic | None:
    """A password or token under a name JavaMail does not read (``mail.smtp.password``)."""
    if not is_misplaced_password(key):
        return None
    if in_text:
        return Diagnostic(
            Severity.ERROR, f"{key}: a password does not belong in the server properties "
            "(JavaMail never reads it; mailtui neither uses nor exports it)",
            fix="delete the line and set server.password_env, server.password_command or "
            "server.password in the configuration file", key=key, code=PASSWORD, refused=True)
    return Diagnostic(
        Severity.ERROR, f"{key}: a password does not belong in the server properties: "
        "JavaMail never reads it, mailtui neither uses it nor exports it, and `properties "
        "import` refuses it", fix="move it: delete the key and set server.password_env, "
        "server.password_command or server.password", key=key, code=PASSWORD)


def unknown_key(key: str, *, in_text: bool) -> Diagnostic | None:
    """A key neither JavaMail nor mailtui reads, with a did-you-mean when one is close."""
    if lookup(key) is not None:
        return None
    why = explain_unknown(key) if in_text else None
    if why:
        return Diagnostic(Severity.WARNING, f"{key}: {why}", fix="delete the line", key=key,
                          code=UNKNOWN)
    guess = suggest(key)
    fix = f"did you mean {guess}?" if guess else ("delete the line" if in_text else "remove it")
    if in_text:
        where = "JavaMail" if key.startswith("mail.") else "JavaMail or mailtui"
        message = f"{key} is not a property {where} knows; it has no effect"
    else:
        message = f"{key}: unknown property, ignored by JavaMail"
    return Diagnostic(Severity.WARNING, message, fix=fix, did_you_mean=guess, key=key,
                      code=UNKNOWN)


def bad_value(key: str, value: str, *, in_text: bool,
              protocol: str = "smtp") -> Diagnostic | None:
    """A value of the wrong type for a known key (``mail.smtp.port=58x7``)."""
    spec = lookup(key)
    problem = validate_value(spec, value) if spec is not None else None
    if spec is None or problem is None:
        return None
    if in_text:
        return Diagnostic(Severity.ERROR, f"{key}: {problem}", fix=value_fix(spec, value),
                          key=key, code=BAD_VALUE)
    return Diagnostic(Severity.ERROR, f"{key}: {problem}{_timeout_consequence(protocol, key)}",
                      fix=settings_value_fix(spec.type, spec.choices, spec, value), key=key,
                      code=BAD_VALUE)


def _timeout_consequence(protocol: str, key: str) -> str:
    """What an unusable timeout value does: JavaMail ignores it (waits forever), mailtui
    falls back to its finite default."""
    from mailtui.javamail.view import TIMEOUT_KEYS

    for name, suffix, default in TIMEOUT_KEYS:
        if key == f"mail.{protocol}.{suffix}":
            return (f"; JavaMail ignores it and waits forever, mailtui uses its default {name} "
                    f"timeout of {default:g} s")
    return ""


def settings_value_fix(kind: str, choices: tuple[str, ...], spec: PropertySpec | None = None,
                       value: str | None = None) -> str:
    """The fix for a bad value set in the configuration file or with ``-P``; with ``spec`` and
    ``value``, the catalog's fix for that value when the kind has no general one (e.g. the
    IDNA form of a non-ASCII EHLO name)."""
    if choices:
        return "use one of " + ", ".join(choices)
    fixed = {
        "bool": "use exactly true or false",
        "port": "use a port number such as 587",
        "int": "use a whole number",
        "millis": "use milliseconds as a whole number, e.g. 30000",
        "class": "use a Java class name such as javax.net.ssl.SSLSocketFactory",
    }.get(kind)
    if fixed is None and spec is not None and value is not None:
        fixed = value_fix(spec, value)
    if fixed is None and spec is not None:
        fixed = f"give {spec.name} a valid value ({spec.description})"
    return fixed or "see `mailtui properties export` for the expected form"
