"""The properties parser: exact Java reading, then the repairs and diagnostics for pasted text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailtui.errors import ConfigError
from mailtui.javamail.parser import (
    Diagnostic,
    ParseResult,
    PropertiesError,
    java_load,
    parse_properties,
)

SEED = Path("/work/shared/seed/email-server.txt")

# The seed's two examples, verbatim (blank lines and the non-breaking spaces included).
GMAIL = (
    "mail.smtp.host=smtp.gmail.com\n"
    "\n"
    "mail.smtp.socketFactory.port=465\n"
    "\n"
    "mail.smtp.socketFactory.class=javax.net.ssl. SSLSocketFactory "
    "\u00a0 \u00a0 \u00a0 \u00a0 **Optional, if SSL\n"
    "\n"
    "mail.smtp.auth=true\n"
    "\n"
    "mail.smtp.port=465\n"
)
OFFICE365 = (
    "mail.smtp.socketFactory.port=587\n"
    "\n"
    "mail.smtp.host=smtp.office365.com\n"
    "\n"
    "mail.smtp.port=587\n"
    "\n"
    "mail.smtp.auth=true\n"
    "\n"
    "mail.smtp.starttls.enable=true\n"
    "\n"
    "mail.smtp.starttls.required=true\n"
)


def only(result: ParseResult, needle: str) -> Diagnostic:
    """The single diagnostic whose message contains ``needle``."""
    found = [d for d in result.diagnostics if needle in d.message]
    assert len(found) == 1, result.report()
    return found[0]


def pairs(text: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v, _ in java_load(text)]


# ------------------------------------------------------------------ exact Java semantics


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=b", [("a", "b")]),
        ("a:b", [("a", "b")]),
        ("a b", [("a", "b")]),
        ("a\tb", [("a", "b")]),
        ("a\fb", [("a", "b")]),
        ("  a  =  b  ", [("a", "b  ")]),  # leading whitespace skipped, trailing kept
        ("a = = b", [("a", "= b")]),  # only one separator is consumed
        ("a:=b", [("a", "=b")]),
        ("a b c", [("a", "b c")]),
        ("a", [("a", "")]),
        ("a=", [("a", "")]),
        ("=b", [("", "b")]),
        ("a\\=b=c", [("a=b", "c")]),
        ("a\\:b:c", [("a:b", "c")]),
        ("a\\ b c", [("a b", "c")]),
        ("a=b=c:d", [("a", "b=c:d")]),
    ],
)
def test_separators(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_comments_blank_lines_and_line_numbers() -> None:
    text = "# comment\n! bang comment\n\n   # indented comment\na=1\n\n\tb=2\n"
    assert java_load(text) == [("a", "1", 5), ("b", "2", 7)]


def test_comment_ending_in_backslash_does_not_continue() -> None:
    assert pairs("# note \\\na=1\n") == [("a", "1")]


def test_continuation_drops_leading_whitespace_of_next_line() -> None:
    text = "a=one \\\n      two\\\n\tthree\nb=2\n"
    assert java_load(text) == [("a", "one twothree", 1), ("b", "2", 4)]


def test_continuation_rules() -> None:
    assert pairs("a=x\\\\\nb=y") == [("a", "x\\"), ("b", "y")]  # even backslashes: no join
    assert pairs("a=x\\") == [("a", "x")]  # at end of input the backslash is dropped
    assert pairs("a=x\\\n\nb=y") == [("a", "x"), ("b", "y")]  # empty line ends it
    assert pairs("a=x\\\n#y") == [("a", "x#y")]  # a continued line is never a comment
    assert pairs("ke\\\n   y=v") == [("key", "v")]  # keys continue too
    assert pairs("a=x\\\r\n  y\rb=z\r\n") == [("a", "xy"), ("b", "z")]


def test_line_numbers_with_every_line_ending() -> None:
    text = "a=1\r\nb=2\rc=3\n\\\n\nd=4"
    assert [line for _, _, line in java_load(text)] == [1, 2, 3, 6]


@pytest.mark.parametrize(
    ("escaped", "value"),
    [
        ("\\t\\n\\r\\f", "\t\n\r\f"),
        ("\\u0041\\u00e9\\u00E9", "A\u00e9\u00e9"),
        ("\\uD83D\\uDE00", "\U0001f600"),  # UTF-16 surrogate pair -> one character
        ("\\=\\:\\#\\!\\\\", "=:#!\\"),
        ("\\q\\z\\ ", "qz "),  # backslash before any other character is dropped
        ("\\ lead", " lead"),
    ],
)
def test_escapes(escaped: str, value: str) -> None:
    assert pairs(f"k={escaped}") == [("k", value)]


def test_java_load_refuses_malformed_unicode_escape_like_java() -> None:
    with pytest.raises(PropertiesError) as err:
        java_load("a=1\nb=\\u12G4\n", source="x.properties")
    assert err.value.location is not None
    assert (err.value.location.path, err.value.location.line) == ("x.properties", 2)


def test_parse_reports_malformed_unicode_escape_instead_of_crashing() -> None:
    result = parse_properties("a.b=1\nmail.smtp.user=me\\u12Gx\n")
    d = only(result, "malformed \\uxxxx")
    assert (d.line, d.severity, d.key) == (2, "error", "mail.smtp.user")
    assert result.properties()["mail.smtp.user"] == "me\\u12Gx"  # kept literally
    assert result.errors == [d]


def test_lone_surrogate_escape_becomes_replacement_character() -> None:
    assert pairs("k=\\uD83Dx") == [("k", "\ufffdx")]


# ------------------------------------------------------------------ the seed's examples


def test_seed_gmail_example_verbatim() -> None:
    result = parse_properties(GMAIL, source="gmail")
    assert result.properties() == {
        "mail.smtp.host": "smtp.gmail.com",
        "mail.smtp.socketFactory.port": "465",
        "mail.smtp.socketFactory.class": "javax.net.ssl.SSLSocketFactory",
        "mail.smtp.auth": "true",
        "mail.smtp.port": "465",
    }
    assert result.errors == []
    note = only(result, "annotation")
    assert (note.line, note.key, note.applied) == (5, "mail.smtp.socketFactory.class", True)
    assert "**Optional, if SSL" in note.message
    spaces = only(result, "stray spaces inside the class name")
    assert spaces.line == 5 and spaces.applied
    assert spaces.fix == "use javax.net.ssl.SSLSocketFactory"
    assert len(result.diagnostics) == 2
    entry = next(e for e in result.entries if e.key == "mail.smtp.socketFactory.class")
    assert entry.raw.startswith("javax.net.ssl. SSLSocketFactory \u00a0")  # what Java reads
    assert entry.raw.endswith("**Optional, if SSL")


def test_seed_office365_example_verbatim_is_clean() -> None:
    result = parse_properties(OFFICE365)
    assert result.diagnostics == []
    assert result.properties() == {
        "mail.smtp.socketFactory.port": "587",
        "mail.smtp.host": "smtp.office365.com",
        "mail.smtp.port": "587",
        "mail.smtp.auth": "true",
        "mail.smtp.starttls.enable": "true",
        "mail.smtp.starttls.required": "true",
    }
    assert [e.line for e in result.entries] == [1, 3, 5, 7, 9, 11]


@pytest.mark.skipif(not SEED.exists(), reason="seed document not available")
def test_whole_seed_document_pasted_by_mistake() -> None:
    text = SEED.read_text(encoding="utf-8")
    result = parse_properties(text, source="seed")
    assert result.errors == []
    lines = text.splitlines()
    # every entry comes from a mail.* line of the examples; the prose is ignored with warnings
    assert all(lines[e.line - 1].startswith("mail.smtp.") for e in result.entries)
    assert len(result.entries) == 11
    prose = [d for d in result.diagnostics if "not properties" in d.message]
    assert prose and prose[0].line == 1 and all(d.severity == "warning" for d in prose)
    dup = only(result, "mail.smtp.host is set on line")
    assert dup.line == lines.index("mail.smtp.host=smtp.office365.com") + 1
    assert str(lines.index("mail.smtp.host=smtp.gmail.com") + 1) in dup.message
    assert result.properties()["mail.smtp.host"] == "smtp.office365.com"  # last one wins


# ------------------------------------------------------------------ repairs and diagnostics


def test_trailing_hash_comment_after_value() -> None:
    result = parse_properties("a.b=1\nmail.smtp.host=smtp.example.com   # our relay\n")
    assert result.properties()["mail.smtp.host"] == "smtp.example.com"
    d = only(result, "annotation")
    assert (d.line, d.applied, d.key) == (2, True, "mail.smtp.host")
    assert "# our relay" in d.message


def test_parenthesised_annotation_after_value() -> None:
    result = parse_properties("mail.smtp.starttls.enable=true (optional)\n")
    assert result.properties() == {"mail.smtp.starttls.enable": "true"}
    assert only(result, "'(optional)'").applied


def test_parentheses_inside_a_display_name_are_kept() -> None:
    result = parse_properties("mail.from=Ops (night shift) <ops@example.com>\n")
    assert result.properties() == {"mail.from": "Ops (night shift) <ops@example.com>"}
    assert result.diagnostics == []


def test_smart_quotes_around_value() -> None:
    result = parse_properties("\n\nmail.smtp.host=\u201csmtp.example.com\u201d\n")
    assert result.properties() == {"mail.smtp.host": "smtp.example.com"}
    assert only(result, "typographic quotes").line == 3
    assert only(result, "quotes around the value").applied


def test_smart_quotes_kept_when_value_has_other_unicode_text() -> None:
    text = "mail.from=J\u00fcrgen \u201eDer Chef\u201c <j@example.com>\n"
    result = parse_properties(text)
    assert result.properties()["mail.from"] == "J\u00fcrgen \u201eDer Chef\u201c <j@example.com>"
    assert only(result, "typographic quotes").applied is False


def test_straight_quotes_around_value() -> None:
    result = parse_properties("mail.smtp.port='587'\nmail.smtp.host=\"smtp.example.com\"\n")
    assert result.properties() == {"mail.smtp.port": "587", "mail.smtp.host": "smtp.example.com"}
    assert [d.line for d in result.diagnostics] == [1, 2]


def test_non_breaking_spaces_around_separator() -> None:
    result = parse_properties("mail.smtp.host\u00a0=\u00a0smtp.example.com\n")
    assert result.properties() == {"mail.smtp.host": "smtp.example.com"}
    d = only(result, "non-breaking spaces")
    assert d.applied and "'mail.smtp.host\\xa0'" in d.message  # says what Java would read


def test_non_breaking_space_after_value() -> None:
    result = parse_properties("mail.smtp.port=587\u00a0\n")
    assert result.properties() == {"mail.smtp.port": "587"}
    assert only(result, "non-breaking spaces").applied


def test_zero_width_characters() -> None:
    result = parse_properties("\ufeffmail.smtp.auth=true\nmail.smtp.user=\u200bme@example.com\n")
    assert result.properties() == {"mail.smtp.auth": "true", "mail.smtp.user": "me@example.com"}
    d = only(result, "in the value")
    assert d.line == 2 and "invisible" in d.message
    assert only(result, "in the key").line == 1


def test_fullwidth_characters() -> None:
    result = parse_properties("mail.smtp.port\uff1d\uff15\uff18\uff17\n")
    assert result.properties() == {"mail.smtp.port": "587"}
    assert any("fullwidth" in d.message for d in result.diagnostics)
    assert result.errors == []


@pytest.mark.parametrize("marker", ["\u2022 ", "- ", "* ", "1. ", "2) ", "\u2013 ", "-"])
def test_list_markers_before_key(marker: str) -> None:
    result = parse_properties(f"mail.smtp.auth=true\n  {marker}mail.smtp.port=465\n")
    assert result.properties() == {"mail.smtp.auth": "true", "mail.smtp.port": "465"}
    d = only(result, "list marker")
    assert (d.line, d.key, d.applied) == (2, "mail.smtp.port", True)
    assert "Java would read the key as" in d.message


def test_boolean_with_trailing_space_says_java_reads_false() -> None:
    result = parse_properties("mail.smtp.host=h.example.com\nmail.smtp.auth=true \n")
    assert result.properties()["mail.smtp.auth"] == "true"
    entry = result.entries[1]
    assert entry.raw == "true "
    d = only(result, "whitespace")
    assert d.line == 2 and d.applied and "reads it as false" in d.message


def test_boolean_with_junk_after_it() -> None:
    result = parse_properties("mail.smtp.starttls.required=true  required by O365\n")
    assert result.properties() == {"mail.smtp.starttls.required": "true"}
    d = only(result, "not part of it")
    assert "as false" in d.message and d.applied


def test_boolean_with_default_true_reads_junk_as_true() -> None:
    result = parse_properties("mail.smtp.ssl.checkserveridentity=false \n")
    assert "reads it as true" in only(result, "whitespace").message


def test_key_without_value_is_a_warning() -> None:
    result = parse_properties("mail.smtp.host\nmail.smtp.port=\n")
    assert [(d.line, d.severity) for d in result.diagnostics] == [(1, "warning"), (2, "warning")]
    assert all("has no value" in d.message for d in result.diagnostics)
    assert result.properties() == {"mail.smtp.host": "", "mail.smtp.port": ""}  # as Java


def test_duplicate_keys_name_both_lines_and_last_wins() -> None:
    text = "mail.smtp.port=465\nmail.smtp.host=a.example.com\n\nmail.smtp.port=587\n"
    result = parse_properties(text)
    d = only(result, "is set on line")
    assert (d.line, d.severity) == (4, "warning")
    assert "line 1" in d.message and "line 4" in d.message
    assert list(result.properties().items()) == [
        ("mail.smtp.port", "587"), ("mail.smtp.host", "a.example.com")]


def test_prose_lines_are_ignored_with_a_warning() -> None:
    text = (
        "Here's a functional example based on Gmail\n"
        "You will need to change the property values.\n"
        "\n"
        "mail.smtp.host=smtp.gmail.com\n"
        "Note: the port depends on the provider\n"
        "PDF\n"
    )
    result = parse_properties(text)
    assert result.properties() == {"mail.smtp.host": "smtp.gmail.com"}
    prose = [d for d in result.diagnostics if "not propert" in d.message]
    assert [(d.line, d.severity) for d in prose] == [(1, "warning"), (5, "warning")]
    assert "lines 1-2" in prose[0].message and "lines 5-6" in prose[1].message


def test_broken_property_line_is_reported_on_its_own() -> None:
    result = parse_properties("Some text\nmail smtp host = smtp.example.com\n")
    d = only(result, "looks like a property")
    assert d.line == 2 and result.entries == []


def test_several_properties_on_one_line_are_split() -> None:
    text = "mail.smtp.host=smtp.gmail.com mail.smtp.port=465 mail.smtp.auth=true"
    result = parse_properties(text)
    assert result.properties() == {
        "mail.smtp.host": "smtp.gmail.com", "mail.smtp.port": "465", "mail.smtp.auth": "true"}
    assert only(result, "several properties").applied


def test_java_code_lines_are_read_as_properties() -> None:
    text = 'props.put("mail.smtp.auth", "true");\nprops.setProperty("mail.smtp.port", 465);\n'
    result = parse_properties(text)
    assert result.properties() == {"mail.smtp.auth": "true", "mail.smtp.port": "465"}
    assert [d.line for d in result.diagnostics] == [1, 2]


def test_json_style_line() -> None:
    result = parse_properties('"mail.smtp.host": "smtp.example.com",\n')
    assert result.properties() == {"mail.smtp.host": "smtp.example.com"}


def test_class_name_case_is_repaired() -> None:
    result = parse_properties("mail.smtp.socketFactory.class=javax.net.ssl.sslsocketfactory\n")
    assert result.properties()["mail.smtp.socketFactory.class"] == "javax.net.ssl.SSLSocketFactory"


def test_class_name_that_cannot_be_repaired_is_an_error() -> None:
    result = parse_properties("mail.smtp.socketFactory.class=javax.net.ssl.SSL-SocketFactory\n")
    d = result.errors[0]
    assert d.line == 1 and d.fix == "use javax.net.ssl.SSLSocketFactory"


def test_dsn_notify_spaces_and_tls_protocol_names_are_repaired() -> None:
    text = ("mail.smtp.dsn.notify=SUCCESS, FAILURE\nmail.smtp.ssl.protocols=tlsv1.2,TLSv1.3\n"
            "mail.smtp.ssl.trust=a.example.com, b.example.com\n")
    assert parse_properties(text).properties() == {
        "mail.smtp.dsn.notify": "SUCCESS,FAILURE",
        "mail.smtp.ssl.protocols": "TLSv1.2 TLSv1.3",
        "mail.smtp.ssl.trust": "a.example.com b.example.com",
    }


def test_wrong_types_are_errors_with_line_and_fix() -> None:
    text = "mail.smtp.host=smtp.example.com\nmail.smtp.port=58x7\nmail.smtp.auth=yes\n"
    result = parse_properties(text)
    assert [(d.line, d.key) for d in result.errors] == [
        (2, "mail.smtp.port"), (3, "mail.smtp.auth")]
    assert "'58x7' is not a port number (1-65535)" in result.errors[0].message
    assert result.errors[1].fix == "write exactly true or false"


def test_host_with_port_is_an_error_suggesting_the_split() -> None:
    result = parse_properties("mail.smtp.host=smtp.example.com:587\n")
    assert result.errors[0].fix == "use smtp.example.com and set the port property to 587"


def test_unknown_keys_get_did_you_mean() -> None:
    text = "mail.smtp.starttls.enabled=true\nmail.smtps.ssl.enabled=true\n"
    result = parse_properties(text)
    assert [d.fix for d in result.diagnostics] == [
        "did you mean mail.smtp.starttls.enable?", "did you mean mail.smtps.ssl.enable?"]
    assert all(d.severity == "warning" for d in result.diagnostics)


def test_validate_false_skips_catalog_checks() -> None:
    result = parse_properties("mail.smtp.port=58x7\nfoo.bar=1\n", validate=False)
    assert result.diagnostics == []


def test_secrets_are_never_echoed_or_changed() -> None:
    text = 'mail.smtp.proxy.password="hunter2"  # mine\nmail.smtp.password=hunter2\n'
    result = parse_properties(text)
    assert "hunter2" not in result.report()
    assert result.properties()["mail.smtp.proxy.password"] == '"hunter2"  # mine'
    assert any("password" in d.message for d in result.diagnostics if d.line == 2)


def test_invisible_only_line_is_info() -> None:
    result = parse_properties("mail.smtp.auth=true\n\u00a0\nmail.smtp.port=25\n")
    assert [(d.line, d.severity) for d in result.diagnostics] == [(2, "info")]
    assert len(result.entries) == 2


def test_describe_names_source_line_and_fix() -> None:
    result = parse_properties("mail.smtp.port=58x7\n", source="app.properties")
    text = result.errors[0].describe("app.properties")
    assert text.startswith("app.properties:1:16: error: mail.smtp.port:")
    assert "\n  fix: " in text


# ------------------------------------------------------------------ the parser's own error


def test_input_that_is_not_text_raises_properties_error() -> None:
    with pytest.raises(PropertiesError) as err:
        parse_properties("a=1\nb=\x00\n", source="bin")
    assert isinstance(err.value, ConfigError) and err.value.exit_code == 3
    assert err.value.location is not None and err.value.location.line == 2
    with pytest.raises(PropertiesError):
        parse_properties(b"a=1")  # type: ignore[arg-type]
    with pytest.raises(PropertiesError):
        parse_properties("a=1\n" * 300_000)


_TRICKY = st.sampled_from([
    *"\\u=:#! \t\n\r\f\u00a0\u200b\u201c\u201d\u2022-*1.()aZ",
    "mail.smtp.", "true", "\\u00", "**", "\uff1d", "javax.net.ssl. SSL"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TRICKY, st.text(max_size=4)), max_size=40).map("".join))
def test_arbitrary_text_never_crashes(text: str) -> None:
    if "\x00" in text:
        with pytest.raises(PropertiesError):
            parse_properties(text)
        return
    result = parse_properties(text)  # no exception at all, not even PropertiesError
    assert all(d.line >= 1 for d in result.diagnostics)
    assert all(e.line >= 1 for e in result.entries)
    result.properties()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=50))
def test_anything_else_only_ever_raises_properties_error(data: str | bytes) -> None:
    try:
        result = parse_properties(data)  # type: ignore[arg-type]
    except PropertiesError as err:
        assert err.exit_code == 3 and err.message
        assert isinstance(data, bytes) or "\x00" in data
    else:
        assert isinstance(result, ParseResult)
