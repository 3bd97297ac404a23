"""The first run as the README tells it (issue 8, defect 20): `preset` on a new or empty file
leaves a [server] table to fill in, and `preset sandbox` + the password is enough for
`send-test` against a real sandbox."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mailtui.cli import main
from mailtui.config.store import load_settings
from mailtui.javamail.presets import builtin_presets
from mailtui.sandbox import Sandbox
from mailtui.sandbox.server import SANDBOX_PASSWORD, SANDBOX_USERNAME
from mailtui.sandbox.settings import SANDBOX_RECIPIENT, SANDBOX_SENDER

SKELETON_KEYS = ("enabled", "username", "password_env", "default_sender", "test_recipient")


def mailtui(cfg: Path, *argv: str, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mailtui", "--config", str(cfg), *argv],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})})


def uncomment(text: str) -> str:
    """What the user does in $EDITOR: remove the '# ' before each suggested key."""
    keys = "|".join(SKELETON_KEYS)
    return re.sub(rf"^# ((?:{keys}) = )", r"\1", text, flags=re.M)


@pytest.mark.parametrize("start", ["missing", "empty", "blank-lines"])
def test_preset_on_a_new_file_leaves_a_server_table_to_fill_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    cfg = tmp_path / "mailtui.toml"
    if start != "missing":
        cfg.write_text("" if start == "empty" else "\n\n")
    assert main(["--config", str(cfg), "preset", "office365"]) == 0
    out = capsys.readouterr().out
    assert "fill in the commented keys of [server]" in out
    text = cfg.read_text()
    server = text[text.index("[server]\n"):text.index("[server.properties]")]
    for key in SKELETON_KEYS:
        assert re.search(rf"^# {key} = ", server, re.M), key
    # comments only: the file means what it meant; uncommented, every key is valid
    assert load_settings(cfg).server.username is None
    cfg.write_text(uncomment(text))
    settings = load_settings(cfg)
    assert settings.server.enabled is True
    assert settings.server.username and settings.server.default_sender
    assert settings.server.test_recipient and settings.server.password.env == "MAILTUI_PASSWORD"
    assert settings.server.properties["mail.smtp.host"] == "smtp.office365.com"


def test_an_existing_server_table_gets_no_skeleton(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "mailtui.toml"
    cfg.write_text('[server]\nusername = "me@example.org"\n')
    assert main(["--config", str(cfg), "preset", "gmail"]) == 0
    text = cfg.read_text()
    assert text.startswith('[server]\nusername = "me@example.org"\n\n[server.properties]\n')
    assert "fill in" not in capsys.readouterr().out


def test_properties_import_into_a_new_file_leaves_the_skeleton_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "mailtui.toml"
    props = tmp_path / "app.properties"
    props.write_text("mail.smtp.host=smtp.example.org\nmail.smtp.port=587\n")
    assert main(["--config", str(cfg), "properties", "import", str(props)]) == 0
    assert re.search(r"^# default_sender = ", cfg.read_text(), re.M)


def test_the_sandbox_preset_fills_only_what_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preset = builtin_presets()["sandbox"]
    assert preset.server == {"username": SANDBOX_USERNAME, "default_sender": SANDBOX_SENDER,
                             "test_recipient": SANDBOX_RECIPIENT}
    cfg = tmp_path / "mailtui.toml"
    cfg.write_text('[server]\nusername = "me"\ndefault_sender = ""\n')
    assert main(["--config", str(cfg), "preset", "sandbox"]) == 0
    out = capsys.readouterr().out
    assert f"+ server.default_sender = {SANDBOX_SENDER}" in out
    assert "server.username" not in out
    server = load_settings(cfg).server
    assert server.username == "me"  # kept
    assert server.default_sender == SANDBOX_SENDER and server.test_recipient == SANDBOX_RECIPIENT
    # a dry run says it, changes nothing
    cfg.write_text('[server]\nusername = "me"\n')
    assert main(["--config", str(cfg), "preset", "sandbox", "--dry-run"]) == 0
    assert "+ server.test_recipient" in capsys.readouterr().out
    assert cfg.read_text() == '[server]\nusername = "me"\n'


def test_preset_sandbox_and_the_password_are_enough_for_send_test(tmp_path: Path) -> None:
    """The README's sandbox steps, as processes, against a running sandbox."""
    cfg = tmp_path / "mailtui.toml"
    with Sandbox(port=0, tls_port=0, maildir=tmp_path / "maildir") as sb:
        done = mailtui(cfg, "preset", "sandbox")
        assert done.returncode == 0, done.stderr
        # the sandbox listens on a free port here, not 2525; then the login step
        text = cfg.read_text().replace('"mail.smtp.port" = "2525"',
                                       f'"mail.smtp.port" = "{sb.port}"')
        cfg.write_text(text.replace('# password_env = "MAILTUI_PASSWORD"',
                                    'password_env = "MAILTUI_PASSWORD"'))
        done = mailtui(cfg, "send-test", env={"MAILTUI_PASSWORD": SANDBOX_PASSWORD})
        assert done.returncode == 0, done.stdout + done.stderr
        assert SANDBOX_PASSWORD not in done.stdout + done.stderr
        [stored] = sb.messages()
    assert stored.rcpt_tos == ("recipient@example.org",)
    assert stored.mail_from == "sender@example.org" and stored.auth_user == SANDBOX_USERNAME


def test_a_user_preset_cannot_set_a_password(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "mailtui" / "presets"
    folder.mkdir(parents=True)
    (folder / "corp.toml").write_text('id = "corp"\n[properties]\n"mail.smtp.host" = "r.example"\n'
                                      '[server]\npassword = "Hunter-2-secret"\n')
    assert main(["presets"]) == 0
    err = capsys.readouterr().err
    assert "corp.toml" in err and "[server] may only set username" in err
    assert "Hunter-2-secret" not in err
