"""The template overrides API an editor uses: list, read, preview unsaved text, save, revert."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mailtui.config.store import load_settings
from mailtui.errors import ConfigError
from mailtui.events.catalog import (
    LOCALES,
    PARTS,
    TEMPLATES_DIR,
    load_catalog,
    split_template_name,
    template_name,
)
from mailtui.events.overrides import (
    OverrideConflictError,
    Part,
    PartRef,
    TemplateOverrides,
)
from mailtui.events.render import Renderer

SHIPPED_SUBJECT = (TEMPLATES_DIR / "en" / "task_completed.subject.txt").read_text("utf-8")


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tpl(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "templates"  # does not exist yet: save creates it


def test_save_read_list_revert_round_trip(tpl: Path) -> None:
    overrides = TemplateOverrides(tpl)
    assert overrides.list_overrides() == []
    before = overrides.read("task_completed", "subject", "en")
    assert before.shipped == SHIPPED_SUBJECT and before.override is None
    assert not before.overridden and before.effective == SHIPPED_SUBJECT
    assert before.override_path == tpl.resolve() / "en" / "task_completed.subject.txt"

    saved = overrides.save("task_completed", "subject", "en", "Done: {{ task_title }}\n")
    assert saved.created and saved.diagnostic is None
    assert saved.path == before.override_path
    assert stat.S_IMODE(saved.path.stat().st_mode) == 0o600
    assert not list(saved.path.parent.glob(".*"))  # no temporary file left behind
    again = overrides.save("task_completed", "subject", "en", "Finished: {{ task_title }}\n")
    assert not again.created

    [listed] = overrides.list_overrides()
    assert listed.ref == PartRef("task_completed", "en", Part.SUBJECT)
    assert listed.path == saved.path and listed.size == len("Finished: {{ task_title }}\n")
    after = overrides.read("task_completed", "subject", "en")
    assert after.override == after.effective == "Finished: {{ task_title }}\n"
    rendered = Renderer(override_dir=tpl).render("task_completed")
    assert rendered.subject == "Finished: Review the 2025 retention schedule"

    reverted = overrides.revert("task_completed", "subject", "en")
    assert reverted.existed and reverted.path == saved.path and not saved.path.exists()
    assert overrides.list_overrides() == []
    assert overrides.read("task_completed", "subject", "en").override is None
    assert not overrides.revert("task_completed", "subject", "en").existed
    assert (TEMPLATES_DIR / "en" / "task_completed.subject.txt").read_text() == SHIPPED_SUBJECT


def test_render_command_prints_the_override_then_the_shipped_text(tmp_path: Path) -> None:
    config = tmp_path / "mailtui.toml"
    config.write_text('[templates]\ndirectory = "tpl"\n', encoding="utf-8")
    overrides = TemplateOverrides.from_settings(load_settings(config).templates)
    overrides.save("task_completed", "subject", "en", "OVERRIDDEN {{ task_title }}\n")
    overrides.save("task_completed", "text", "fr", "Fini : {{ task_title }}\n")

    def render(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "mailtui", "--config", str(config), "render",
             "task_completed", *args],
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert render().startswith("Subject: OVERRIDDEN Review the 2025 retention schedule\n")
    assert render("--locale", "fr").endswith(
        "\n\nFini : Réviser le calendrier de conservation 2025\n")
    assert overrides.revert("task_completed", "subject", "en").existed
    assert overrides.revert("task_completed", "text", "fr").existed
    assert render().startswith("Subject: Task completed: Review the 2025 retention schedule\n")
    assert "Fini :" not in render("--locale", "fr")


def test_preview_renders_the_buffer_not_the_file(tpl: Path) -> None:
    overrides = TemplateOverrides(tpl, context={"app_name": "Archives"})
    overrides.save("task_completed", "subject", "en", "On disk {{ task_title }}\n")
    first = overrides.render_unsaved("task_completed", "subject", "en",
                                     "[{{ app_name }}] {{ task_title }}")
    assert first.ok and first.text == "[Archives] Review the 2025 retention schedule"
    second = overrides.render_unsaved("task_completed", "subject", "en", "Next {{ task_title }}",
                                      {"task_title": "Mine"})
    assert second.text == "Next Mine"
    assert overrides.read("task_completed", "subject", "en").override == (
        "On disk {{ task_title }}\n")
    assert Renderer(override_dir=tpl).render("task_completed").subject.startswith("On disk")


def test_preview_applies_the_subject_rules_and_html_escaping(tpl: Path) -> None:
    overrides = TemplateOverrides(tpl)
    hostile = {"task_title": "<b>x</b>\r\nBcc: victim@example.org"}
    subject = overrides.render_unsaved("task_completed", "subject", "en", "Re: {{ task_title }}",
                                       hostile)
    assert subject.text == "Re: <b>x</b> Bcc: victim@example.org"
    long = overrides.render_unsaved("task_completed", "subject", "en", "x" * 400)
    assert long.text is not None and len(long.text) <= 150 and long.text.endswith("…")
    html = overrides.render_unsaved(
        "task_completed", "html", "en",
        '{% extends "en/_layout.html" %}{% block heading %}{{ task_title }}{% endblock %}'
        "{% block cta_label %}Open{% endblock %}{% block cta_url %}{{ task_url }}{% endblock %}",
        hostile,
    )
    assert html.ok and html.text is not None
    assert "&lt;b&gt;x&lt;/b&gt;" in html.text and "<b>x</b>" not in html.text
    text = overrides.render_unsaved("task_completed", "text", "en", "{{ task_title }}", hostile)
    assert text.text is not None and "<b>x</b>" in text.text


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("Task {{ task_title }}\nline two {{ task_title }\n", 2, None, "syntax error"),
        ("ok\n\n  {{ titre }}\n", 3, 6, "'titre' is undefined"),
        ("ok\n{{ task_title.nope.deeper }}\n", 2, 15, "has no attribute 'nope'"),
        ("{{ ().__class__.__subclasses__() }}\n", 1, None, "sandbox"),
        ("{% for x in range(3) %}\n{{ x }\n{% endfor %}\n", 2, None, "syntax error"),
    ],
)
def test_broken_text_gives_a_diagnostic_with_its_line(
    tpl: Path, source: str, line: int, column: int | None, message: str
) -> None:
    preview = TemplateOverrides(tpl).render_unsaved("task_completed", "text", "en", source)
    assert preview.text is None and not preview.ok
    diagnostic = preview.diagnostic
    assert diagnostic is not None and diagnostic.in_buffer
    assert message in diagnostic.message
    assert not diagnostic.message.startswith("task_completed")  # no event prefix in an editor
    assert diagnostic.line == line
    if column is not None:
        assert diagnostic.column == column
    assert diagnostic.location.path == str(tpl.resolve() / "en" / "task_completed.txt")


def test_unknown_extended_template_is_located(tpl: Path) -> None:
    preview = TemplateOverrides(tpl).render_unsaved("task_completed", "html", "en",
                                                    'x\n\n  {% extends "en/nope.html" %}\n')
    assert preview.diagnostic is not None and "en/nope.html not found" in (
        preview.diagnostic.message)
    assert (preview.diagnostic.line, preview.diagnostic.column) == (3, 15)


def test_text_that_cannot_be_utf8_is_refused_with_its_line(tpl: Path) -> None:
    overrides = TemplateOverrides(tpl)
    with pytest.raises(ConfigError, match="cannot be written as UTF-8") as info:
        overrides.save("task_completed", "text", "en", "ok\nbad \ud800 here\n", force=True)
    assert info.value.location is not None and info.value.location.line == 2
    assert not (tpl / "en" / "task_completed.txt").exists()


def test_unexpected_token_gets_a_column(tpl: Path) -> None:
    preview = TemplateOverrides(tpl).render_unsaved("task_completed", "subject", "en",
                                                    "Done {{ task_title }")
    assert preview.diagnostic is not None
    assert (preview.diagnostic.line, preview.diagnostic.column) == (1, 20)


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [
        ("Done:\n{{ task_title }}\n", "single line", 1),
        ("{{ '' }}\n", "the subject is empty", 1),
    ],
)
def test_subject_diagnostics(tpl: Path, source: str, message: str, line: int) -> None:
    preview = TemplateOverrides(tpl).render_unsaved("task_completed", "subject", "en", source)
    assert preview.diagnostic is not None and message in preview.diagnostic.message
    assert preview.diagnostic.line == line


def test_runaway_template_is_a_diagnostic_not_a_crash(tpl: Path) -> None:
    preview = TemplateOverrides(tpl).render_unsaved("task_completed", "text", "en",
                                                    "{{ 'a' * 10**13 }}")
    assert preview.diagnostic is not None and "too much" in preview.diagnostic.message


def test_problem_in_a_layout_override_names_that_file(tpl: Path) -> None:
    layout = write(tpl, "en/_layout.html", "<p>\n{{ no_such_variable }}\n</p>\n")
    preview = TemplateOverrides(tpl).render_unsaved(
        "task_completed", "html", "en", '{% extends "en/_layout.html" %}')
    diagnostic = preview.diagnostic
    assert diagnostic is not None and not diagnostic.in_buffer
    assert diagnostic.location.path == str(layout.resolve()) and diagnostic.line == 2


def test_preview_follows_the_buffer_over_a_cached_file(tpl: Path) -> None:
    overrides = TemplateOverrides(tpl)
    # The html buffer pulls the text part from disk into the environment's cache...
    assert overrides.render_unsaved("task_completed", "html", "en",
                                    '{% include "en/task_completed.txt" %}').ok
    # ...which must not hide the buffer when that text part is the one being edited.
    preview = overrides.render_unsaved("task_completed", "text", "en", "Buffer text")
    assert preview.text == "Buffer text\n"
    # And once the buffer is gone, the include reads the file again.
    html = overrides.render_unsaved("task_completed", "html", "en",
                                    '{% include "en/task_completed.txt" %}')
    assert html.text is not None and "Buffer text" not in html.text


def test_save_refuses_text_that_does_not_render_unless_forced(tpl: Path) -> None:
    overrides = TemplateOverrides(tpl)
    broken = "Done\n{{ task_title }\n"
    with pytest.raises(ConfigError) as info:
        overrides.save("task_completed", "text", "en", broken)
    assert "not saved" in str(info.value) and info.value.location is not None
    assert info.value.location.line == 2
    assert not (tpl / "en" / "task_completed.txt").exists()
    forced = overrides.save("task_completed", "text", "en", broken, force=True)
    assert forced.diagnostic is not None and forced.diagnostic.line == 2
    assert forced.path.read_text(encoding="utf-8") == broken


def test_save_with_a_base_refuses_to_overwrite_a_change_on_disk(tpl: Path) -> None:
    overrides = TemplateOverrides(tpl)
    base = overrides.read("task_completed", "subject", "en")  # not overridden yet
    write(tpl, "en/task_completed.subject.txt", "Someone else's {{ task_title }}\n")
    with pytest.raises(OverrideConflictError, match="changed on disk"):
        overrides.save("task_completed", "subject", "en", "Mine {{ task_title }}\n", base=base)
    path = tpl / "en" / "task_completed.subject.txt"
    assert path.read_text(encoding="utf-8") == "Someone else's {{ task_title }}\n"
    fresh = overrides.read("task_completed", "subject", "en")
    overrides.save("task_completed", "subject", "en", "Mine {{ task_title }}\n", base=fresh)
    assert path.read_text(encoding="utf-8") == "Mine {{ task_title }}\n"


def test_without_a_templates_directory(tmp_path: Path) -> None:
    overrides = TemplateOverrides(None)
    assert overrides.list_overrides() == []
    source = overrides.read("task_completed", "subject", "en")
    assert source.override is None and source.override_path is None
    assert overrides.render_unsaved("task_completed", "subject", "en", "Hi {{ task_title }}").ok
    with pytest.raises(ConfigError, match="no templates directory"):
        overrides.save("task_completed", "subject", "en", "Hi\n")
    reverted = overrides.revert("task_completed", "subject", "en")
    assert reverted.path is None and not reverted.existed


def test_list_shows_only_event_parts_in_catalog_order(tpl: Path) -> None:
    for name in ["fr/task_completed.html", "en/task_completed.txt", "en/loan_reminder.subject.txt",
                 "en/task_completed.subject.txt", "en/_layout.html", "en/notes.md",
                 "en/no_such_event.txt", "de/task_completed.txt", "en/.task_completed.txt.swp",
                 "en/task_completed.txt~"]:
        write(tpl, name, "x\n")
    (tpl / "en" / "task_deleted.txt").mkdir()
    listed = [(o.ref.event_id, o.ref.locale, o.ref.part.value)
              for o in TemplateOverrides(tpl).list_overrides()]
    order = load_catalog().ids
    assert listed == sorted(listed, key=lambda r: (order.index(r[0]), LOCALES.index(r[1]),
                                                   PARTS.index(r[2])))
    assert set(listed) == {("task_completed", "en", "subject"), ("task_completed", "en", "text"),
                           ("task_completed", "fr", "html"), ("loan_reminder", "en", "subject")}


@pytest.mark.parametrize(
    ("event_id", "part", "locale", "message"),
    [
        ("task_complted", "subject", "en", "did you mean task_completed"),
        ("task_completed", "body", "en", "unknown template part 'body'"),
        ("task_completed", "subject", "de", "unknown locale 'de'"),
    ],
)
def test_unknown_event_part_or_locale_is_a_clear_error(
    tpl: Path, event_id: str, part: str, locale: str, message: str
) -> None:
    overrides = TemplateOverrides(tpl)
    for call in (overrides.read, overrides.revert):
        with pytest.raises(ConfigError) as info:
            call(event_id, part, locale)
        assert message in info.value.describe()
    with pytest.raises(ConfigError):
        overrides.render_unsaved(event_id, part, locale, "x")
    with pytest.raises(ConfigError):
        overrides.save(event_id, part, locale, "x")
    assert not tpl.exists()


@pytest.mark.parametrize("event_id", ["../../outside", "../task_completed", "en/../../x",
                                      "/etc/passwd", "task_completed/../../x", "..", ""])
def test_path_traversal_in_an_event_id_is_refused(tmp_path: Path, event_id: str) -> None:
    tpl = tmp_path / "a" / "b" / "templates"
    victim = write(tmp_path, "outside.subject.txt", "keep me\n")
    overrides = TemplateOverrides(tpl)
    with pytest.raises(ConfigError, match="not an event id"):
        overrides.save(event_id, "subject", "en", "pwned\n", force=True)
    with pytest.raises(ConfigError, match="not an event id"):
        overrides.revert(event_id, "subject", "en")
    with pytest.raises(ConfigError, match="not an event id"):
        overrides.read(event_id, "subject", "en")
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["outside.subject.txt"]


def test_regional_locale_maps_to_its_language(tpl: Path) -> None:
    saved = TemplateOverrides(tpl).save("task_completed", "subject", "fr-CA", "Fini\n")
    assert saved.ref.locale == "fr" and saved.path == tpl.resolve() / "fr" / (
        "task_completed.subject.txt")


def test_one_template_name_rule() -> None:
    catalog = load_catalog()
    for event in catalog:
        for locale in LOCALES:
            for part in PARTS:
                name = template_name(event.id, locale, part)
                assert event.template_name(locale, part) == name
                assert (TEMPLATES_DIR / name).is_file()
                assert split_template_name(name) == (locale, event.id, part)
    assert template_name("task_completed", "fr", "subject") == "fr/task_completed.subject.txt"
    assert split_template_name("en/_layout.html") == ("en", "_layout", "html")
    for stray in ["de/task_completed.txt", "task_completed.txt", "en/x/task_completed.txt",
                  "en/task_completed.md", "en/.txt"]:
        assert split_template_name(stray) is None
    with pytest.raises(ConfigError):
        template_name("task_completed", "en", "body")
