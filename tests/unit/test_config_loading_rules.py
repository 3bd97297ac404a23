"""One loading rule for every command: a file TOML refuses is exit 3 with file:line, never an
internal error, whichever command reads it (issue 8, defect 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mailtui.cli import main
from mailtui.config.store import ConfigStore
from mailtui.errors import ConfigError

DUPLICATES = {
    "server": ('[server]\nusername = "a@example.org"\nusername = "b@example.org"\n',
               3, "duplicate key username (already set on line 2)"),
    "properties": ('[server]\nusername = "a@example.org"\n\n[server.properties]\n'
                   '"mail.smtp.host" = "a.example.org"\n"mail.smtp.host" = "b.example.org"\n',
                   6, "duplicate key mail.smtp.host (already set on line 5)"),
    "table-twice": ('[server.properties]\n"mail.smtp.host" = "a.example.org"\n[smime]\n'
                    '[server.properties]\n"mail.smtp.port" = "25"\n', 4, "twice"),
    "dotted-then-table": ('[server]\nproperties."mail.smtp.host" = "a.example.org"\n'
                          '[server.properties]\n"mail.smtp.port" = "25"\n', 3, "twice"),
    "inline": ('server = {username = "a", username = "b"}\n', 1, "Duplicate"),
}
COMMANDS = (
    ["check"],
    ["plan"],
    ["preset", "gmail"],
    ["preset", "gmail", "--dry-run"],
    ["properties", "import", "PROPS"],
    ["properties", "export"],
)


@pytest.mark.parametrize("case", sorted(DUPLICATES))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_a_key_set_twice_is_exit_3_with_its_line_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: list[str]
) -> None:
    text, line, needle = DUPLICATES[case]
    path = tmp_path / "mailtui.toml"
    path.write_text(text)
    props = tmp_path / "app.properties"
    props.write_text("mail.smtp.port=587\n")
    argv = [str(props) if arg == "PROPS" else arg for arg in command]
    code = main(["--config", str(path), *argv])
    err = capsys.readouterr().err
    assert code == 3, err
    assert f"{path}:{line}:" in err and needle in err
    assert "internal error" not in err and "KeyAlreadyPresent" not in err
    assert path.read_text() == text
    assert not path.with_name("mailtui.toml.bak").exists()


def test_the_store_and_the_read_only_loader_give_the_same_message(tmp_path: Path) -> None:
    from mailtui.config.store import load_settings

    path = tmp_path / "mailtui.toml"
    path.write_text(DUPLICATES["server"][0])
    with pytest.raises(ConfigError) as edit:
        ConfigStore.load(path)
    with pytest.raises(ConfigError) as read:
        load_settings(path)
    assert edit.value.describe() == read.value.describe()
    assert "keep only one of lines 2 and 3" in edit.value.describe()


def test_a_duplicate_key_in_a_process_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text(DUPLICATES["properties"][0])
    proc = subprocess.run(
        [sys.executable, "-m", "mailtui", "--config", str(path), "preset", "office365"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert f"{path}:6:" in proc.stderr and "Traceback" not in proc.stderr
