"""One-run overrides (``-P KEY=VALUE``, ``--from``, ``--user``, ``--timeout``, a password
source or prompt) merged over the settings: settings + overrides -> settings, never written.

Each value goes through the checks a file value gets (one line, the property's type) and a
problem names the flag it came from (``-P mail.smtp.port: 'x' is not a port number``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from mailtui.config.model import SecretRef, Settings
from mailtui.errors import ConfigError

# The longest timeout JavaMail can hold: Integer.MAX_VALUE milliseconds.
MAX_TIMEOUT_S = (2**31 - 1) / 1000.0


@dataclass(frozen=True)
class Overrides:
    """What the command line says for this run only."""

    properties: tuple[tuple[str, str], ...] = ()  # -P KEY=VALUE, in order (the last one wins)
    sender: str | None = None  # --from
    username: str | None = None  # --user
    timeout: str | None = None  # --timeout SECONDS (connect, read and write)
    password_env: str | None = None  # --password-env NAME
    password_command: str | None = None  # --password-command CMD
    password_prompt: bool = False  # --password-prompt: ask on the terminal

    @property
    def empty(self) -> bool:
        return not self.properties and not self.password_prompt and all(
            v is None for v in (self.sender, self.username, self.timeout, self.password_env,
                                self.password_command))

    def property_keys(self) -> set[str]:
        return {key for key, _ in self.properties}


class CommandLineSecret(SecretRef):
    """A password source given on the command line: its errors name the flag."""

    def resolve(self, timeout: float = 10.0) -> str | None:
        try:
            return super().resolve(timeout)
        except ConfigError as exc:
            message = exc.message.replace(f"{self.field}_env", "--password-env").replace(
                f"{self.field}_command", "--password-command")
            raise ConfigError(message, hint=exc.hint) from None


@dataclass(frozen=True)
class PromptedSecret(SecretRef):
    """``--password-prompt``: asked on the terminal, without echo, when the login needs it."""

    prompt: str = "Password: "

    @property
    def is_set(self) -> bool:
        return True

    @property
    def source(self) -> str:
        return "prompt"

    def resolve(self, timeout: float = 10.0) -> str | None:
        import getpass

        try:  # getpass falls back to reading stdin WITH echo when there is no terminal
            os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
        except OSError:
            raise ConfigError("--password-prompt needs a terminal, and there is none",
                              hint="in scripts use --password-env NAME or "
                              "--password-command CMD") from None
        try:
            secret = getpass.getpass(self.prompt)
        except EOFError:
            secret = ""
        if not secret:
            raise ConfigError("--password-prompt: no password typed")
        return secret


def apply_overrides(
    settings: Settings, overrides: Overrides, *, warn: Callable[[str], None] | None = None
) -> Settings:
    """``settings`` with ``overrides`` applied. Raises ConfigError (exit 3) naming the flag;
    ``warn`` receives what is accepted but probably a mistake (an unknown property)."""
    if overrides.empty:
        return settings
    from mailtui.javamail.view import TIMEOUT_KEYS, View, protocol_of

    server = settings.server
    props = dict(server.properties)
    for key, value in overrides.properties:
        props[key] = _checked_property(key, value, warn)
    explicit = overrides.property_keys()
    view = View(props, protocol_of(props))

    if overrides.timeout is not None:
        millis = str(_timeout_millis(overrides.timeout))
        for _, suffix, _ in TIMEOUT_KEYS:
            if view.key(suffix) not in explicit:
                props[view.key(suffix)] = millis

    username = server.username
    if overrides.username is not None:
        username = _one_line("--user", overrides.username)
        if view.key("auth") not in explicit:  # --user means: log in
            props[view.key("auth")] = "true"

    sender = server.default_sender
    if overrides.sender is not None:
        from mailtui.config.addresses import parse_mailbox

        try:
            box = parse_mailbox(_one_line("--from", overrides.sender))
        except ValueError as exc:
            raise ConfigError(f"--from: {overrides.sender!r} is not an email address: {exc}",
                              hint='use "user@example.org" or "Name <user@example.org>"'
                              ) from None
        sender = box.header_value()
        if view.key("from") in props and view.key("from") not in explicit:
            props[view.key("from")] = box.addr_spec  # the envelope follows --from too

    password = server.password
    if overrides.password_env is not None:
        name = _one_line("--password-env", overrides.password_env)
        if name not in os.environ:
            raise ConfigError(f"--password-env names ${name}, which is not set",
                              hint=f"export {name}=... in the environment that runs mailtui")
        password = CommandLineSecret("--password", env=name)
    elif overrides.password_command is not None:
        command = _one_line("--password-command", overrides.password_command)
        password = CommandLineSecret("--password", command=command)
    elif overrides.password_prompt:
        host = view.get("host") or props.get("mail.host") or "the server"
        password = PromptedSecret("--password",
                                  prompt=f"mailtui: password for {username or '?'} at {host}: ")

    new_server = replace(server, properties=props, username=username,
                         default_sender=sender, password=password)
    return replace(settings, server=new_server)


def _checked_property(key: str, value: str, warn: Callable[[str], None] | None) -> str:
    from mailtui.javamail.catalog import (
        is_secret_key,
        line_break_problem,
        lookup,
        suggest,
        validate_value,
    )

    flag = f"-P {key}"
    if is_secret_key(key):
        raise ConfigError(f"{flag}: a password never goes on the command line (other users "
                          "see it in the process list, and it stays in the shell history)",
                          hint="use --password-env NAME or --password-command CMD")
    if not key or any(ch.isspace() or not ch.isprintable() for ch in key):
        raise ConfigError(f"-P {key!r}: not a property name", hint="use -P KEY=VALUE, "
                          "e.g. -P mail.smtp.port=587")
    problem = line_break_problem(value)
    if problem:
        raise ConfigError(f"{flag}: the value holds {problem}",
                          hint="a property value is one line; it would inject SMTP commands")
    spec = lookup(key)
    if spec is None:
        if warn is not None:
            guess = suggest(key)
            warn(f"{flag}: unknown property, ignored by JavaMail"
                 + (f" (did you mean {guess}?)" if guess else ""))
        return value
    problem = validate_value(spec, value)
    if problem:
        from mailtui.javamail.propcheck import settings_value_fix

        raise ConfigError(f"{flag}: {problem}",
                          hint=settings_value_fix(spec.type, spec.choices, spec, value))
    if spec.type == "path" and value.strip():
        # A path typed on the command line means the current directory, as in every tool.
        return os.path.abspath(os.path.expanduser(value.strip()))
    return value


def _timeout_millis(text: str) -> int:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_TIMEOUT_S:
        raise ConfigError(f"--timeout: {text!r} is not a number of seconds "
                          f"(more than 0, at most {MAX_TIMEOUT_S:g})",
                          hint="e.g. --timeout 10 (connect, read and write timeouts)")
    return max(1, round(seconds * 1000))


def _one_line(flag: str, value: str) -> str:
    from mailtui.javamail.catalog import line_break_problem

    if not value.strip():
        raise ConfigError(f"{flag}: empty")
    problem = line_break_problem(value)
    if problem:
        raise ConfigError(f"{flag}: contains {problem}")
    return value.strip()
