"""For a properties editor: the key names that complete what is typed, and what one property
means (its type, default and description), from the catalog."""

from __future__ import annotations

from mailtui.javamail.catalog import SMTP, SMTPS, all_specs, lookup


def complete_key(prefix: str, limit: int = 6) -> list[str]:
    """Known property names that start with ``prefix`` (case-insensitive), shortest first;
    ``mail.smtps.`` names mirror the ``mail.smtp.`` ones. Nothing for an empty prefix or
    an exact known name."""
    low = prefix.strip().lower()
    if not low or lookup(prefix.strip()) is not None:
        return []
    names = [spec.name for spec in all_specs()]
    if low.startswith(SMTPS):
        names = [SMTPS + n[len(SMTP):] for n in names if n.startswith(SMTP)]
    found = sorted((n for n in names if n.lower().startswith(low)), key=lambda n: (len(n), n))
    return found[:limit]


def describe_key(key: str) -> str | None:
    """``mail.smtp.port (int, default 25): the port to connect to``; None when unknown."""
    spec = lookup(key.strip())
    if spec is None:
        return None
    default = spec.default if spec.default is not None else "unset"
    text = f"{spec.name} ({spec.type}, default {default}): {spec.description}"
    return text + (f" [{spec.note}]" if spec.note else "")
