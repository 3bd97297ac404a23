"""Address parsing: display names, IDN, and the fast path agreeing with email-validator."""

from __future__ import annotations

import email_validator
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailtui.config.addresses import (
    SPECIAL_USE,
    parse_mailbox,
    plain_ascii_address,
    validate_with_library,
)


@pytest.mark.parametrize(
    ("text", "name", "addr"),
    [
        ("Records <notifications@example.org>", "Records", "notifications@example.org"),
        ('"Doe, J." <j@Example.ORG>', "Doe, J.", "j@example.org"),
        ("<a@example.org>", "", "a@example.org"),
        ("a@bücher.de", "", "a@bücher.de"),
        ("José <josé@exemple.fr>", "José", "josé@exemple.fr"),
        ("ops@mail.test", "", "ops@mail.test"),
    ],
)
def test_parses(text: str, name: str, addr: str) -> None:
    box = parse_mailbox(text)
    assert (box.display_name, box.addr_spec) == (name, addr)


@pytest.mark.parametrize(
    ("text", "needle"),
    [("", "empty"), ("foo", "@"), ("a@b.c, d@e.f", "single address"),
     ("x <y@z.org", "single address"), ("a\nb@c.org", "line break"),
     ("a@-bad.org", "after the @-sign"), ("a@-bad.local", "after the @-sign"),
     ("a@nowhere.invalid", "special-use"), ("a@b..local", "period"),
     ("bad local@corp.local", "single address")],
)
def test_rejects(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        parse_mailbox(text)


def test_special_use_covers_the_library() -> None:
    assert set(email_validator.SPECIAL_USE_DOMAIN_NAMES) <= SPECIAL_USE


@pytest.mark.parametrize(
    ("text", "addr", "ascii_form"),
    [("root@localhost", "root@localhost", "root@localhost"),
     ("admin@corp.local", "admin@corp.local", "admin@corp.local"),
     ("Admin <admin@Corp.LOCAL>", "admin@corp.local", "admin@corp.local"),
     ("a@home.arpa", "a@home.arpa", "a@home.arpa"),
     ("admin@test.local", "admin@test.local", "admin@test.local"),
     ("a@mx", "a@mx", "a@mx"),
     ("a@bücher.local", "a@bücher.local", "a@xn--bcher-kva.local"),
     ("josé@corp.local", "josé@corp.local", None)],
)
def test_internal_domains_are_accepted_and_flagged(text: str, addr: str,
                                                   ascii_form: str | None) -> None:
    box = parse_mailbox(text)
    assert (box.addr_spec, box.ascii_addr_spec, box.internal) == (addr, ascii_form, True)


def test_public_domains_are_not_flagged() -> None:
    assert not parse_mailbox("a@example.org").internal
    assert not parse_mailbox("a@bücher.de").internal


ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
label = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?", fullmatch=True)
tld = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True) | st.sampled_from(
    sorted(SPECIAL_USE | {name.upper() for name in SPECIAL_USE}))
local = st.lists(st.text(ATEXT, min_size=1, max_size=8), min_size=1, max_size=3).map(".".join)
candidates = st.builds(lambda lo, labels, t: f"{lo}@{'.'.join([*labels, t])}", local,
                       st.lists(label, min_size=0, max_size=3), tld)


@settings(max_examples=300, deadline=None)
@given(candidates | st.text(max_size=30))
def test_fast_path_agrees_with_email_validator(addr: str) -> None:
    fast = plain_ascii_address(addr)
    if fast is None:
        return  # the library decides these
    normalised, ascii_form = validate_with_library(addr)
    assert fast == normalised == ascii_form
