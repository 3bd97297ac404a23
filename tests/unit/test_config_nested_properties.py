"""A dotted key written without quotes in ``[server.properties]`` (``mail.smtp.host = "a"``,
which TOML reads as ``mail = {smtp = {host = "a"}}``) and other values that are not text:
an error naming the TOML line and the fix for every command, and never a Python repr
written into the file (issue 8 review, item G)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailtui.cli import main

HEAD = '# mine\n[server]\nusername = "me@example.org"\n\n[server.properties]\n'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(HEAD + '"mail.smtp.port" = "587"\nmail.smtp.host = "smtp.example.org"\n')
    return path


def test_check_names_the_line_and_the_quoted_fix(cfg: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--config", str(cfg), "check")
    assert code == 3
    assert f"{cfg}:7: error: server.properties: mail.smtp.host is written without quotes" in out
    assert 'fix: quote the key: "mail.smtp.host" = "smtp.example.org"' in out
    assert "server.properties.mail must be a string" not in out


@pytest.mark.parametrize("argv", [["plan"], ["send-test", "--to", "a@example.org"],
                                  ["probe"], ["properties", "export"]])
def test_every_reading_command_stops_with_exit_3(
        cfg: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, "--config", str(cfg), *argv)
    assert code == 3, err
    assert f"{cfg}:7:" in err and '"mail.smtp.host" = "smtp.example.org"' in err
    assert "internal error" not in err


@pytest.mark.parametrize("argv", [["preset", "gmail"], ["properties", "import", "PROPS"],
                                  ["properties", "import", "--replace", "PROPS"]])
def test_writers_refuse_and_leave_the_file_untouched(
        cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    props = tmp_path / "app.properties"
    props.write_text("mail.smtp.auth=true\n")
    before = cfg.read_bytes()
    code, out, err = run(capsys, "--config", str(cfg),
                         *[str(props) if a == "PROPS" else a for a in argv])
    assert code == 3, out + err
    assert f"{cfg}:7:" in err and "was not changed" in err
    assert cfg.read_bytes() == before
    assert not cfg.with_name("mailtui.toml.bak").exists()
    assert "{'smtp'" not in cfg.read_text()


def test_a_sub_table_header_is_located_too(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(HEAD + '"mail.smtp.port" = "587"\n\n[server.properties.mail.smtp]\n'
                    'host = "smtp.example.org"\n')
    code, out, _ = run(capsys, "--config", str(path), "check")
    assert code == 3 and f"{path}:9: error: server.properties: mail.smtp.host" in out


@pytest.mark.parametrize(("value", "words"), [
    ('["a", "b"]', "must be a string, not ['a', 'b']"),
    ("1.5", "must be a string, not 1.5"),
    ("1979-05-27", "must be a string, not datetime.date"),
])
def test_other_values_that_are_not_text_are_never_written_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, words: str) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(HEAD + f'"mail.smtp.localhost" = {value}\n')
    code, out, _ = run(capsys, "--config", str(path), "check")
    assert code == 3 and f"{path}:6: error:" in out and words.split(", not")[0] in out
    before = path.read_bytes()
    code, _, err = run(capsys, "--config", str(path), "preset", "office365")
    assert code == 3 and f"{path}:6:" in err and path.read_bytes() == before


def test_a_secret_under_a_dotted_key_is_not_echoed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(HEAD + 'mail.smtp.proxy.password = "hunter2"\n')
    code, out, err = run(capsys, "--config", str(path), "check")
    assert code == 3 and "hunter2" not in out + err
    assert '"mail.smtp.proxy.password" = "..."' in out


def test_plain_booleans_and_integers_are_still_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(HEAD + '"mail.smtp.port" = 587\n"mail.smtp.auth" = true\n')
    code, out, err = run(capsys, "--config", str(path), "preset", "office365", "--dry-run")
    assert code == 0, out + err
