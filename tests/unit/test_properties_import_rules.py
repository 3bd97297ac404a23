"""``properties import``: what is never stored, in any mode, and a dry run that answers as the
import would (issue 8, defects 8, 9 and 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailtui.cli import main
from mailtui.javamail.parser import parse_properties

BASE = '[server]\nusername = "me@example.org"\n'
MODES = ([], ["--as-is"], ["--force"], ["--as-is", "--force"], ["--dry-run"],
         ["--dry-run", "--force"], ["--replace", "--force"])


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(BASE)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- defect 8: a line break is refused, never cut ------------------------------------------

@pytest.mark.parametrize(("line", "char"), [
    ("mail.smtp.localhost=a\\r\\nRSET", "carriage return and a line feed"),
    ("mail.smtp.from=x@example.org\\nRCPT TO:<evil@example.org>", "line feed"),
    ("mail.smtp.localhost=a\\u000D\\u000AQUIT", "carriage return"),
    ("mail.smtp.localhost=a\\u0000b", "NUL"),
    ('props.put("mail.smtp.localhost", "a\\r\\nRSET");', "carriage return"),
])
def test_the_parser_refuses_a_value_with_a_line_break_and_does_not_cut_it(
    line: str, char: str
) -> None:
    result = parse_properties(f"mail.smtp.host=smtp.example.org\n{line}\n", source="p")
    refused = [d for d in result.diagnostics if d.refused]
    assert len(refused) == 1 and refused[0].line == 2 and refused[0].severity == "error"
    assert char in refused[0].message
    fixed = [d for d in result.diagnostics if d.applied and "Java code" not in d.message]
    assert not fixed  # not cut to 'a' "(fixed)"
    entry = result.entries[-1]
    assert entry.value == entry.raw and ("\n" in entry.raw or "\0" in entry.raw)


def test_a_continuation_line_is_not_a_line_break(cfg: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    props = tmp_path / "p.properties"
    props.write_text("mail.smtp.host=smtp.\\\n    example.org\n")
    code, _, err = run(capsys, "--config", str(cfg), "properties", "import", str(props))
    assert code == 0, err
    assert '"mail.smtp.host" = "smtp.example.org"' in cfg.read_text()


@pytest.mark.parametrize("mode", MODES, ids=" ".join)
def test_a_line_break_is_refused_in_every_mode(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: list[str]
) -> None:
    props = tmp_path / "p.properties"
    props.write_text("mail.smtp.host=smtp.example.org\nmail.smtp.localhost=a\\r\\nRSET\n")
    code, out, err = run(capsys, "--config", str(cfg), "properties", "import", *mode,
                         str(props))
    assert code == 3
    assert f"{props}:2: error: mail.smtp.localhost:" in out and "line feed" in out
    assert "can never be imported" in err and "(fixed)" not in out
    assert "\nRSET" not in out + err  # never echoed as a real line break
    assert cfg.read_text() == BASE
    assert not cfg.with_name("mailtui.toml.bak").exists()


def test_the_file_stays_usable_after_a_refused_import(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    props = tmp_path / "p.properties"
    props.write_text("mail.smtp.host=smtp.example.org\nmail.smtp.localhost=a\\nb\n")
    assert run(capsys, "--config", str(cfg), "properties", "import", "--as-is", "--force",
               str(props))[0] == 3
    code, out, err = run(capsys, "--config", str(cfg), "properties", "export")
    assert code == 0, err
    assert "localhost" not in out


# -- defect 9: --dry-run exits as the import would -----------------------------------------

@pytest.mark.parametrize(("text", "extra", "expected"), [
    ("mail.smtp.host=h.example.org\nmail.smtp.port=58x7\n", [], 3),
    ("mail.smtp.host=h.example.org\nmail.smtp.port=58x7\n", ["--force"], 0),
    ("mail.smtp.host=h.example.org\nmail.smtp.port=587\n", [], 0),
    ("mail.smtp.host=h.example.org\nmail.smtp.auth=true   # note\n", [], 0),  # fixed
    ("mail.smtp.host=h.example.org\nmail.smtp.port=587  # note\n", ["--as-is"], 3),
])
def test_a_dry_run_exits_with_what_the_import_would(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
    extra: list[str], expected: int
) -> None:
    props = tmp_path / "p.properties"
    props.write_text(text)
    code, out, err = run(capsys, "--config", str(cfg), "properties", "import", "--dry-run",
                         *extra, str(props))
    assert code == expected, out + err
    assert cfg.read_text() == BASE
    if expected:
        assert "would save nothing" in err
    else:
        assert "dry run" in out
    real, _, _ = run(capsys, "--config", str(cfg), "properties", "import", *extra, str(props))
    assert real == expected


# -- defect 10: a password in the properties is refused, and check/export agree ------------

@pytest.mark.parametrize("key", ["mail.smtp.password", "mail.smtps.password", "mail.password",
                                 "mail.smtp.passwd", "mail.smtp.auth.token"])
@pytest.mark.parametrize("mode", [[], ["--force"], ["--as-is", "--force"], ["--dry-run"]],
                         ids=" ".join)
def test_a_password_in_a_paste_is_refused_with_the_fix(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, mode: list[str]
) -> None:
    props = tmp_path / "p.properties"
    props.write_text(f"mail.smtp.host=h.example.org\n{key}=Hunter-2-secret\n")
    code, out, err = run(capsys, "--config", str(cfg), "properties", "import", *mode,
                         str(props))
    assert code == 3
    assert f"{props}:2: error: {key}: a password does not belong" in out
    assert "server.password_env" in out and "server.password_command" in out
    assert "Hunter-2-secret" not in out + err
    assert cfg.read_text() == BASE


def test_check_and_export_tell_the_same_story_about_a_stored_password(
    cfg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg.write_text(BASE + '\n[server.properties]\n"mail.smtp.host" = "h.example.org"\n'
                   '"mail.smtp.password" = "Hunter-2-secret"\n')
    code, checked, _ = run(capsys, "--config", str(cfg), "check")
    assert code == 3
    finding = next(line for line in checked.splitlines() if "mail.smtp.password" in line)
    assert f"{cfg}:6: error:" in finding and "nor exports it" in finding
    assert "would be exported" not in checked
    code, exported, _ = run(capsys, "--config", str(cfg), "properties", "export")
    assert code == 0
    assert "not exported (secret or mailtui-only): mail.smtp.password" in exported
    assert "mail.smtp.password=" not in exported and "Hunter-2-secret" not in exported + checked


def test_a_known_secret_property_is_still_imported(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    props = tmp_path / "p.properties"
    props.write_text("mail.smtp.host=h.example.org\nmail.smtp.proxy.password=Prox-y-pw\n")
    code, out, err = run(capsys, "--config", str(cfg), "properties", "import", str(props))
    assert code == 0, err
    assert "+ mail.smtp.proxy.password = ********" in out and "Prox-y-pw" not in out + err


# -- the same line-break rule for presets ---------------------------------------------------

def test_a_preset_parameter_with_a_line_break_is_refused(
    cfg: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "xdg" / "mailtui" / "presets"
    folder.mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (folder / "corp.toml").write_text('id = "corp"\n[parameters.site]\ndefault = "paris"\n'
                                      '[properties]\n"mail.smtp.host" = "relay-{site}.example"\n')
    code, _, err = run(capsys, "--config", str(cfg), "preset", "corp", "--param",
                       "site=x\r\nRSET")
    assert code == 3 and "--param site holds a line break" in err
    (folder / "evil.toml").write_text('id = "evil"\n[properties]\n'
                                      '"mail.smtp.localhost" = "a\\r\\nRSET"\n')
    code, _, err = run(capsys, "--config", str(cfg), "preset", "evil")
    assert code == 3 and "server.properties.mail.smtp.localhost: a line break" in err
    assert cfg.read_text() == BASE


# -- review item F: every line separator and control character, not only CR / LF / NUL ------
SEPARATORS = ["\\u0085", "\\u2028", "\\u2029", "\\u000B", "\\u000C", "\\u001C", "\\u001D",
              "\\u001E", "\\u0007", "\\u001B", "\\u007F"]


@pytest.mark.parametrize("escape", SEPARATORS)
def test_every_line_separator_and_control_character_is_refused_not_cut(escape: str) -> None:
    result = parse_properties(f"mail.smtp.host=smtp.example.org\nmail.smtp.localhost=a{escape}b\n",
                              source="p")
    refused = [d for d in result.diagnostics if d.refused]
    assert len(refused) == 1 and refused[0].line == 2, result.diagnostics
    assert f"U+{escape[2:].upper()}" in refused[0].message
    assert not [d for d in result.diagnostics if d.applied]  # not cut to 'a' "(fixed)"
    assert result.entries[-1].value == f"a{chr(int(escape[2:], 16))}b"


def test_a_raw_separator_pasted_in_the_value_is_refused_too() -> None:
    result = parse_properties("mail.smtp.localhost=a\u2028RSET\n", source="p")
    assert [d.line for d in result.diagnostics if d.refused] == [1]


def test_a_tab_inside_a_value_is_not_a_line_break() -> None:
    result = parse_properties("mail.smtp.ssl.protocols=TLSv1.2\tTLSv1.3\n", source="p")
    assert not [d for d in result.diagnostics if d.refused]


@pytest.mark.parametrize("escape", ["\\u0085", "\\u2028", "\\u000B"])
@pytest.mark.parametrize("mode", MODES, ids=" ".join)
def test_a_line_separator_is_refused_in_every_mode(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: list[str],
    escape: str
) -> None:
    props = tmp_path / "p.properties"
    props.write_text(f"mail.smtp.host=smtp.example.org\nmail.smtp.localhost=a{escape}b\n")
    code, out, err = run(capsys, "--config", str(cfg), "properties", "import", *mode,
                         str(props))
    assert code == 3, out + err
    assert f"{props}:2: error: mail.smtp.localhost:" in out and "(fixed)" not in out
    assert "can never be imported" in err
    assert cfg.read_text() == BASE


@pytest.mark.parametrize("char", ["\u2028", "\u0085", "\u000b", "\u001e"])
def test_a_separator_written_by_hand_in_the_file_is_an_error_for_every_command(
    cfg: Path, capsys: pytest.CaptureFixture[str], char: str
) -> None:
    escaped = f"\\u{ord(char):04X}"
    cfg.write_text(BASE + '[server.properties]\n"mail.smtp.host" = "smtp.example.org"\n'
                   f'"mail.smtp.localhost" = "a{escaped}b"\n')
    code, out, err = run(capsys, "--config", str(cfg), "check")
    assert code == 3 and f"{cfg}:5: error: server.properties.mail.smtp.localhost" in out
    assert f"U+{ord(char):04X}" in out
    for argv in (["send-test", "--to", "a@example.org"], ["probe"], ["plan"]):
        code, out, err = run(capsys, "--config", str(cfg), *argv)
        assert code == 3 and "internal error" not in err, (argv, err)
        assert "mail.smtp.localhost" in err
    before = cfg.read_text()
    code, out, err = run(capsys, "--config", str(cfg), "preset", "gmail")
    assert code == 3 and "mail.smtp.localhost" in err and cfg.read_text() == before


@pytest.mark.parametrize("argv", [["-P", "mail.smtp.localhost=a\u2028b"],
                                  ["--from", "a@example.org\u0085RSET"],
                                  ["--user", "me\u000bx"]])
def test_command_line_values_with_a_separator_are_refused(
    cfg: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = run(capsys, "--config", str(cfg), "plan", *argv)
    assert code == 3 and "line break or control character" in err, err
