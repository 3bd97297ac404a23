"""Every write keeps the file's line-ending style and its byte order mark (issue 8, defect 17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailtui.cli import main

BOM = b"\xef\xbb\xbf"
WINDOWS = (
    '# written on Windows\r\n[server]\r\nusername = "me@example.org"\r\n'
    'default_sender = "me@example.org"\r\n\r\n[server.properties]\r\n'
    '"mail.smtp.host" = "old.example.org"\r\n"mail.smtp.timeout" = "20000"   # keep\r\n'
)


def bare_lf(data: bytes) -> int:
    return len(re.findall(rb"(?<!\r)\n", data))


@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_preset_keeps_crlf_and_the_bom(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       bom: bool) -> None:
    cfg = tmp_path / "mailtui.toml"
    original = (BOM if bom else b"") + WINDOWS.encode()
    cfg.write_bytes(original)
    assert main(["--config", str(cfg), "preset", "gmail"]) == 0
    data = cfg.read_bytes()
    assert data.startswith(BOM) is bom
    assert bare_lf(data) == 0 and data.count(b"\r\n") > WINDOWS.count("\r\n")
    assert b'"mail.smtp.host" = "smtp.gmail.com"\r\n' in data
    assert b'"mail.smtp.timeout" = "20000"   # keep\r\n' in data  # untouched line, same bytes
    assert data.startswith((BOM if bom else b"") + b"# written on Windows\r\n[server]\r\n")
    assert cfg.with_name("mailtui.toml.bak").read_bytes() == original
    # the saved file is what the store now remembers: a second write is not a "concurrent edit"
    assert main(["--config", str(cfg), "preset", "office365"]) == 0
    data = cfg.read_bytes()
    assert data.startswith(BOM) is bom and bare_lf(data) == 0
    capsys.readouterr()
    # every command reads it back (plan itself exits 3 here: office365 authenticates and the
    # file names no password source yet)
    assert main(["--config", str(cfg), "properties", "export"]) == 0, capsys.readouterr()
    assert "mail.smtp.host=smtp.office365.com" in capsys.readouterr().out


def test_import_creating_a_table_in_a_crlf_file_uses_crlf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "mailtui.toml"
    cfg.write_bytes(BOM + b'[server]\r\nusername = "me@example.org"\r\n')
    props = tmp_path / "app.properties"
    props.write_text("mail.smtp.host=smtp.example.org\nmail.smtp.port=587\n")
    assert main(["--config", str(cfg), "properties", "import", str(props)]) == 0
    data = cfg.read_bytes()
    assert data.startswith(BOM + b'[server]\r\nusername = "me@example.org"\r\n')
    assert b"[server.properties]\r\n" in data and bare_lf(data) == 0


def test_an_lf_file_stays_lf_without_a_bom(tmp_path: Path) -> None:
    cfg = tmp_path / "mailtui.toml"
    text = WINDOWS.replace("\r\n", "\n")
    cfg.write_text(text)
    assert main(["--config", str(cfg), "preset", "gmail"]) == 0
    data = cfg.read_bytes()
    assert b"\r" not in data and not data.startswith(BOM)
    assert data.startswith(text.split("[server.properties]")[0].encode())


def test_a_new_file_is_lf_without_a_bom(tmp_path: Path) -> None:
    cfg = tmp_path / "mailtui.toml"
    assert main(["--config", str(cfg), "preset", "gmail"]) == 0
    data = cfg.read_bytes()
    assert b"\r" not in data and not data.startswith(BOM)
