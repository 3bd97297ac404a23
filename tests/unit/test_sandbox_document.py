"""The app's sandbox mode without Textual: the unsaved document (ConfigEditor.save_as), the
session check, the MIME tree as lines, HTML as text."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from mailtui.errors import ConfigError
from mailtui.mail.html_text import html_to_text
from mailtui.sandbox.embedded import EmbeddedSandbox, MimeNode
from mailtui.sandbox.server import SANDBOX_PASSWORD
from mailtui.services.editor import ConfigEditor, TargetExists
from mailtui.services.sandbox_session import mime_lines, points_at_session, sandbox_editor


@pytest.fixture
def sandbox(tmp_path: Path) -> EmbeddedSandbox:
    with EmbeddedSandbox(data_dir=tmp_path / "sb") as sb:
        yield sb


def test_the_sandbox_document_is_the_sandbox_settings_and_touches_no_file(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    target = tmp_path / "cfg" / "mailtui.toml"
    editor = sandbox_editor(sandbox.info, target)
    settings, issues = editor.check()
    assert settings is not None and not [i for i in issues if i.severity == "error"]
    assert settings.server.properties == sandbox.info.settings.server.properties
    assert settings.server.password.value == SANDBOX_PASSWORD
    assert editor.unsaved and not editor.exists and not editor.modified
    assert points_at_session(editor.properties(), sandbox.info)
    editor.set_value("server.test_recipient", "me@example.org")
    with pytest.raises(ConfigError, match="no file yet"):
        editor.save()
    with pytest.raises(ConfigError, match="no file yet"):
        editor.overwrite()
    editor.reload()  # drops the change, still no file
    assert editor.get("server.test_recipient") == "recipient@example.org"
    assert not target.parent.exists()


def test_save_as_a_new_file_then_edit_it(sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    target = tmp_path / "cfg" / "mailtui.toml"
    editor = sandbox_editor(sandbox.info, tmp_path / "elsewhere.toml")
    editor.set_value("server.username", "me")
    assert editor.save_as(target) == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text()
    assert text.startswith("# Made by `mailtui --sandbox`")
    assert 'username = "me"' in text
    assert not editor.unsaved and editor.path == target and not editor.modified
    editor.set_value("server.username", "you")
    editor.save()  # an ordinary file now
    assert 'username = "you"' in target.read_text()
    assert not (tmp_path / "elsewhere.toml").exists()


def test_save_as_never_replaces_an_existing_file_unless_told(
        sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    target = tmp_path / "mailtui.toml"
    target.write_text("# the real account\n")
    editor = sandbox_editor(sandbox.info, target)
    with pytest.raises(TargetExists) as refused:
        editor.save_as(target)
    assert refused.value.path == target and refused.value.exit_code == 3
    assert target.read_text() == "# the real account\n" and editor.unsaved
    editor.save_as(target, replace=True)
    assert target.read_text().startswith("# Made by `mailtui --sandbox`")
    assert (tmp_path / "mailtui.toml.bak").read_text() == "# the real account\n"


def test_save_as_a_folder_is_refused(sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    editor = sandbox_editor(sandbox.info, tmp_path / "x.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        editor.save_as(tmp_path, replace=True)
    assert editor.unsaved


def test_save_as_works_for_an_ordinary_file_too(tmp_path: Path) -> None:
    source = tmp_path / "a.toml"
    source.write_text('# mine\n[server]\nusername = "a"  # login\n')
    editor = ConfigEditor(source)
    editor.save_as(tmp_path / "b.toml")
    assert (tmp_path / "b.toml").read_text() == source.read_text()
    assert editor.path == tmp_path / "b.toml"


def test_a_document_moved_off_the_session_sandbox_is_seen(sandbox: EmbeddedSandbox) -> None:
    info = sandbox.info
    props = dict(info.settings.server.properties)
    assert points_at_session(props, info)
    assert points_at_session({**props, "mail.smtp.port": str(info.tls_port)}, info)
    assert not points_at_session({**props, "mail.smtp.port": "2525"}, info)
    assert not points_at_session({**props, "mail.smtp.host": "smtp.office365.com"}, info)


def test_mime_lines_draw_the_tree() -> None:
    tree = MimeNode("multipart/mixed", None, None, None, 3000, (
        MimeNode("multipart/alternative", None, None, None, 2000, (
            MimeNode("text/plain", "utf-8", None, None, 500),
            MimeNode("text/html", "utf-8", None, None, 1500),
        )),
        MimeNode("application/pdf", None, "attachment", "report\x1b[2J.pdf", 1000),
    ))
    assert mime_lines(tree) == [
        "multipart/mixed (2 parts, 2.9 KiB)",
        "├─ multipart/alternative (2 parts, 2.0 KiB)",
        "│  ├─ text/plain (utf-8, 500 B)",
        "│  └─ text/html (utf-8, 1.5 KiB)",
        "└─ application/pdf (attachment, 'report?[2J.pdf', 1000 B)",
    ]


def test_html_to_text_keeps_headings_links_and_tables() -> None:
    text = html_to_text(
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head><body>"
        "<h1>Task assigned</h1><p>Hello <b>Bob</b>,</p>"
        '<p>Open <a href="https://records.example.org/t/7">the task</a>.</p>'
        "<table><tr><th>Due</th><td>2026-12-03</td></tr><tr><th>By</th><td>Alice</td></tr>"
        "</table><ul><li>one</li><li>two</li></ul>\x1b[31m</body></html>")
    lines = text.splitlines()
    assert lines[0] == "Task assigned"
    assert "Hello Bob," in lines
    assert "https://records.example.org/t/7" in text and "the task" in text
    assert any(line.split() == ["Due", "2026-12-03"] for line in lines)
    assert any("one" in line and "*" in line for line in lines)
    assert "alert" not in text and "color" not in text and "\x1b" not in text
    assert "\n\n\n" not in text


def test_html_to_text_of_nothing_or_garbage_never_raises() -> None:
    assert html_to_text("") == ""
    assert html_to_text('<?xml version="1.0"?>') == ""
    assert "x" in html_to_text("<p>x</b></i></table>")
