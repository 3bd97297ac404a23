"""Export: Java-correct escaping, and parse -> export -> parse round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailtui.javamail.catalog import lookup, validate_value
from mailtui.javamail.export import format_properties
from mailtui.javamail.parser import java_load, parse_properties


def test_plain_lines_one_per_item_in_order() -> None:
    items = [("mail.smtp.host", "smtp.example.com"), ("mail.smtp.port", "587")]
    assert format_properties(items) == "mail.smtp.host=smtp.example.com\nmail.smtp.port=587\n"
    assert format_properties({"a.b": "1"}.items()) == "a.b=1\n"
    assert format_properties([]) == ""


@pytest.mark.parametrize(
    ("key", "value", "line"),
    [
        ("a key", "v", "a\\ key=v"),
        ("a=b:c#d!e", "v", "a\\=b\\:c\\#d\\!e=v"),
        ("#lead", "v", "\\#lead=v"),
        ("k", "  two leading", "k=\\  two leading"),
        ("k", "inner  spaces  ", "k=inner  spaces  "),
        ("k", "=:#! are fine in values", "k==:#! are fine in values"),
        ("k", "back\\slash", "k=back\\\\slash"),
        ("k", "tab\tnl\ncr\rff\f", "k=tab\\tnl\\ncr\\rff\\f"),
        ("k", "caf\u00e9 \u20ac", "k=caf\\u00E9 \\u20AC"),
        ("k", "\U0001f600", "k=\\uD83D\\uDE00"),
        ("k", "\x01\x7f", "k=\\u0001\\u007F"),
        ("\u00fcber", "x", "\\u00FCber=x"),
        ("", "", "="),
    ],
)
def test_escaping(key: str, value: str, line: str) -> None:
    text = format_properties([(key, value)])
    assert text == line + "\n"
    assert java_load(text) == [(key, value, 1)]


def test_header_is_comment_lines_java_skips() -> None:
    text = format_properties([("a.b", "1")], header="mailtui export\nsecond line \u00e9")
    assert text == "# mailtui export\n# second line \\u00E9\na.b=1\n"
    assert java_load(text) == [("a.b", "1", 3)]


def test_export_of_the_repaired_gmail_paste_is_what_java_should_get() -> None:
    pasted = ("mail.smtp.host=smtp.gmail.com\n\nmail.smtp.socketFactory.class=javax.net.ssl. "
              "SSLSocketFactory \u00a0 \u00a0 **Optional, if SSL\nmail.smtp.port=465\n")
    exported = format_properties(parse_properties(pasted).properties().items())
    assert exported == ("mail.smtp.host=smtp.gmail.com\n"
                        "mail.smtp.socketFactory.class=javax.net.ssl.SSLSocketFactory\n"
                        "mail.smtp.port=465\n")
    again = parse_properties(exported)
    assert again.diagnostics == []


_ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=20) | st.lists(
    st.sampled_from([*" =:#!\\\t\n\r\fu\u00a0\u201cx.", "\\u00", "mail.smtp.", "true"]),
    max_size=12).map("".join)
_ITEMS = st.lists(st.tuples(_ANY_TEXT, _ANY_TEXT), max_size=6)


@settings(max_examples=150, deadline=None)
@given(_ITEMS)
def test_java_reads_back_exactly_what_was_exported(items: list[tuple[str, str]]) -> None:
    assert [(k, v) for k, v, _ in java_load(format_properties(items))] == items


@settings(max_examples=150, deadline=None)
@given(_ITEMS)
def test_parse_export_parse_is_stable(items: list[tuple[str, str]]) -> None:
    first = parse_properties(format_properties(items)).properties()
    second = parse_properties(format_properties(first.items())).properties()
    assert second == first


_CLEAN_VALUES = {
    "mail.smtp.host": st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z]{2,6}){1,2}",
                                    fullmatch=True),
    "mail.smtp.port": st.integers(1, 65535).map(str),
    "mail.smtp.auth": st.sampled_from(["true", "false"]),
    "mail.smtp.timeout": st.integers(0, 2**31 - 1).map(str),
    "mail.smtp.user": st.text(alphabet=st.characters(categories=("L", "Nd"), max_codepoint=0x2FFF)
                              | st.sampled_from("@.-_+ "), min_size=1, max_size=20)
    .map(str.strip).filter(bool),
}


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries(_CLEAN_VALUES))
def test_clean_settings_round_trip_unchanged_and_silent(props: dict[str, str]) -> None:
    for key, value in props.items():
        spec = lookup(key)
        assert spec is not None and validate_value(spec, value) is None
    result = parse_properties(format_properties(props.items()))
    assert result.properties() == props
    assert result.diagnostics == []
