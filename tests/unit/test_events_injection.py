"""Hostile values and hostile override templates: no header injection, no sandbox escape."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from mailtui.errors import MessageBuildError
from mailtui.events.render import Renderer
from mailtui.mail.compose import compose, message_bytes

SSTI_VALUE = "{{ ''.__class__.__mro__ }}"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def headers_of(raw: bytes) -> list[str]:
    return list(message_from_bytes(raw, policy=policy.default).keys())


@pytest.mark.parametrize("payload", [
    "Budget\r\nBcc: victim@example.net",
    "Budget\nX-Injected: 1",
    "Budget\rSubject: second",
    "Budget\u2028Bcc: victim@example.net",
    "Budget\x00\x0bBcc: victim@example.net",
])
def test_line_breaks_in_values_cannot_add_headers(renderer: Renderer, payload: str) -> None:
    out = renderer.render("task_completed", {"task_title": payload})
    assert "\r" not in out.subject and "\n" not in out.subject
    assert "\x00" not in out.text + out.html
    msg = compose(out, sender="Records <notifications@example.org>", to=["bob@example.org"])
    raw = message_bytes(msg)
    names = headers_of(raw)
    assert "Bcc" not in names and "X-Injected" not in names
    assert names.count("Subject") == 1
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"].startswith("Task completed: Budget")


def test_template_syntax_in_values_is_not_evaluated(renderer: Renderer) -> None:
    out = renderer.render("task_completed", {"task_title": "{{ 7*7 }}", "comment": SSTI_VALUE})
    assert out.subject == "Task completed: {{ 7*7 }}"
    assert "49" not in out.subject + out.text
    assert "{{ 7*7 }}" in out.text and SSTI_VALUE in out.text
    assert "{{ 7*7 }}" in out.html
    assert "{{ &#39;&#39;.__class__.__mro__ }}" in out.html
    assert "<class" not in out.text + out.html


def test_markup_in_values_is_escaped_and_unsafe_links_are_neutralised(renderer: Renderer) -> None:
    out = renderer.render("task_completed", {
        "comment": "<script>alert(1)</script>",
        "task_url": "javascript:alert(document.cookie)",
    })
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert 'href="javascript:' not in out.html and 'href="#"' in out.html


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ task_title.__class__.__base__.__subclasses__() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{% set x = [] %}{{ x.append(1) }}",
])
def test_override_cannot_escape_the_sandbox(tmp_path: Path, payload: str) -> None:
    (tmp_path / "en").mkdir()
    broken = tmp_path / "en" / "task_completed.txt"
    broken.write_text("Hello\n" + payload + "\n", encoding="utf-8")
    renderer = Renderer(override_dir=tmp_path)
    with pytest.raises(MessageBuildError) as info:
        renderer.render("task_completed")
    err = info.value
    assert err.exit_code == 30
    assert err.location is not None and err.location.path == str(broken.resolve())
    assert err.location.line == 2
    assert "task_completed (en, text)" in str(err)
    # The other events still render.
    assert renderer.render("task_reminder").subject.startswith("Reminder:")
