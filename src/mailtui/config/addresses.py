"""Mail addresses in settings: RFC 5322 mailboxes, display names and IDN allowed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mailbox:
    display_name: str
    addr_spec: str  # normalised by email-validator (domain in Unicode form)
    ascii_addr_spec: str | None  # the punycode form when the local part is ASCII, else None

    @property
    def domain(self) -> str:
        return self.addr_spec.rpartition("@")[2]

    @property
    def internal(self) -> bool:
        """A domain only a local or private network knows (``localhost``, ``corp.local``,
        ``home.arpa``, a name without a dot): accepted, but public providers refuse it."""
        return is_internal_domain(self.domain)

    def header_value(self) -> str:
        """``Name <addr>`` in Unicode, the display name quoted when RFC 5322 needs it."""
        if not self.display_name:
            return self.addr_spec
        name = self.display_name
        if any(ch in _SPECIALS for ch in name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{self.addr_spec}>"


_SPECIALS = '()<>[]:;@\\,."'


def parse_mailbox(text: str) -> Mailbox:
    """Parse ``Name <user@example.org>`` or ``user@example.org``; ValueError explains why not.

    The addr-spec is checked by email-validator (IDN domains and UTF-8 local parts allowed).
    """
    raw = text.strip()
    if not raw:
        raise ValueError("is empty")
    from mailtui.config.oneline import line_break_problem

    problem = line_break_problem(raw)
    if problem:
        raise ValueError(f"contains {problem}")
    display_name, addr = "", raw
    if raw.endswith(">"):
        opening = raw.rfind("<")
        if opening < 0:
            raise ValueError("has a '>' without a matching '<'")
        display_name, addr = raw[:opening].strip(), raw[opening + 1 : -1].strip()
        if len(display_name) >= 2 and display_name[0] == display_name[-1] == '"':
            display_name = display_name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif any(ch in display_name for ch in '<>"'):
            raise ValueError("has an unbalanced '<', '>' or quote in the display name")
    if any(ch in addr for ch in "<>, \t"):
        raise ValueError(f"{addr!r} is not a single address (found '<', '>', ',' or a space)")
    plain = plain_ascii_address(addr)
    if plain is not None:
        return Mailbox(display_name=display_name, addr_spec=plain, ascii_addr_spec=plain)
    return Mailbox(display_name, *validate_with_library(addr))


def validate_with_library(addr: str) -> tuple[str, str | None]:
    """email-validator's verdict: (normalised address, ASCII form or None).

    Internal domains are accepted, their syntax checked all the same: names without a dot
    (``root@mx``) and the special-use names the library refuses (``localhost``, ``.local``,
    ``.arpa``, ...), which mail servers on private networks use and swaks and msmtp send to.
    """
    import email_validator

    def validate(text: str) -> Any:
        return email_validator.validate_email(
            text, check_deliverability=False, allow_smtputf8=True,
            globally_deliverable=False, test_environment=True,
        )

    try:
        result = validate(addr)
    except email_validator.EmailNotValidError as exc:
        # The library's only objection to a special-use name is the name itself: check the
        # rest with a placeholder of the same length in its place, then put it back.
        local, at, domain = addr.rpartition("@")
        head, dot, last = domain.rpartition(".")
        special = unicodedata.normalize("NFKC", last).lower()
        if not at or "special-use" not in str(exc) or special == "invalid" or \
                special not in email_validator.SPECIAL_USE_DOMAIN_NAMES:  # .invalid: never
            raise ValueError(str(exc)) from None
        placeholder = "x" * len(special)
        try:
            result = validate(f"{local}@{head}{dot}{placeholder}")
        except email_validator.EmailNotValidError as again:
            raise ValueError(str(again)) from None

        def restore(spec: str) -> str:
            return spec.removesuffix(placeholder) + special

        return restore(result.normalized), result.ascii_email and restore(result.ascii_email)
    return result.normalized, result.ascii_email


# The common case, decided without importing email-validator (whose import alone costs more
# than a whole SMTP exchange on loopback): an ASCII dot-atom local part and a host name whose
# labels are letters, digits and inner hyphens, within RFC 5321's lengths. email-validator
# accepts exactly these unchanged, bar the domain's case (a test checks the agreement).
_PLAIN = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
)


def plain_ascii_address(addr: str) -> str | None:
    """The normalised form of a plain ASCII address, or None to ask email-validator."""
    found = _PLAIN.fullmatch(addr)
    if found is None or len(found["local"]) > 64 or len(addr) > 254:
        return None
    domain = found["domain"].lower()
    if len(domain) > 253 or "xn--" in domain or domain.rpartition(".")[2] == "invalid":
        return None  # punycode to decode, or never deliverable: the library decides
    return f"{found['local']}@{domain}"


def is_internal_domain(domain: str) -> bool:
    """No dot, or a top-level name reserved for local and private use (RFC 6761, 6762, 8375,
    7686, 2606): public mail providers refuse such addresses."""
    return "." not in domain or domain.rpartition(".")[2].lower() in SPECIAL_USE


INTERNAL_NOTE = "an internal domain: fine for a server on your network, refused by public " \
    "mail providers"


# Reserved top-level names (RFC 6761, 6762, 7686, 8375 and common private suffixes): accepted
# with a warning (a test keeps this a superset of email-validator's SPECIAL_USE_DOMAIN_NAMES).
SPECIAL_USE = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test", "example",
                         "internal", "home", "lan", "localdomain"})
