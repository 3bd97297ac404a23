"""Mail addresses in settings: RFC 5322 mailboxes, display names and IDN allowed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mailbox:
    display_name: str
    addr_spec: str  # normalised by email-validator (domain in Unicode form)
    ascii_addr_spec: str | None  # the punycode form when the local part is ASCII, else None

    @property
    def domain(self) -> str:
        return self.addr_spec.rpartition("@")[2]

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
    import email_validator

    raw = text.strip()
    if not raw:
        raise ValueError("is empty")
    if any(ch in raw for ch in "\r\n\0"):
        raise ValueError("contains a line break or NUL")
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
    try:
        result = email_validator.validate_email(
            addr, check_deliverability=False, allow_smtputf8=True
        )
    except email_validator.EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return Mailbox(
        display_name=display_name,
        addr_spec=result.normalized,
        ascii_addr_spec=result.ascii_email,
    )
