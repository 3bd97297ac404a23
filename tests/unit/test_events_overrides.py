"""User templates in [templates].directory: they win, and their mistakes are pinpointed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mailtui.errors import MessageBuildError
from mailtui.events.catalog import TEMPLATES_DIR
from mailtui.events.render import Renderer
from mailtui.events.validate import validate_templates


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_win_part_by_part(tmp_path: Path) -> None:
    shipped_before = (TEMPLATES_DIR / "en" / "task_completed.subject.txt").read_text()
    write(tmp_path, "en/task_completed.subject.txt",
          "Done: {{ task_title }} ({{ completed_by }})\n")
    write(tmp_path, "fr/task_completed.txt", "Fini : {{ task_title }}\n")
    renderer = Renderer(override_dir=tmp_path)
    en = renderer.render("task_completed")
    assert en.subject == "Done: Review the 2025 retention schedule (Luc Bergeron)"
    assert en.text.startswith("Task completed\n")  # shipped text part
    fr = renderer.render("task_completed", locale="fr")
    assert fr.text == "Fini : Réviser le calendrier de conservation 2025\n"
    assert fr.subject.startswith("Tâche terminée")  # shipped subject
    assert (TEMPLATES_DIR / "en" / "task_completed.subject.txt").read_text() == shipped_before


def test_override_can_extend_the_shipped_layout(tmp_path: Path) -> None:
    write(tmp_path, "en/loan_reminder.html",
          '{% extends "en/_layout.html" %}{% block heading %}Bring it back{% endblock %}'
          "{% block intro %}Due {{ return_on|date }}.{% endblock %}"
          "{% block cta_label %}Open{% endblock %}"
          "{% block cta_url %}{{ record_url }}{% endblock %}")
    html = Renderer(override_dir=tmp_path).render("loan_reminder").html
    assert "Bring it back" in html and "Due June 19, 2025." in html and "Records" in html


def test_broken_override_names_file_and_line_and_spares_other_events(tmp_path: Path) -> None:
    broken = write(tmp_path, "en/task_reminder.html", "<p>\n{{ task_title }\n</p>\n")
    renderer = Renderer(override_dir=tmp_path)
    with pytest.raises(MessageBuildError) as info:
        renderer.render("task_reminder")
    assert info.value.location is not None
    assert info.value.location.path == str(broken.resolve())
    assert info.value.location.line == 2
    assert f"{broken.resolve()}:2" in info.value.describe()
    assert renderer.render("task_completed").subject.startswith("Task completed")
    assert renderer.render("task_reminder", locale="fr").subject.startswith("Rappel")
    issues = [i for i in validate_templates(tmp_path) if i.severity == "error"]
    assert [(i.path, i.line, i.event_id, i.locale, i.part) for i in issues] == [
        (str(broken), 2, "task_reminder", "en", "html")
    ]


def test_undefined_variable_in_override_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "fr/loan_reminder.subject.txt", "Rappel : {{ titre }}\n")
    with pytest.raises(MessageBuildError, match="'titre' is undefined") as info:
        Renderer(override_dir=tmp_path).render("loan_reminder", locale="fr")
    assert info.value.location is not None and info.value.location.line == 1
    issues = validate_templates(tmp_path)
    unknown = [i for i in issues if "unknown variable 'titre'" in i.message]
    assert len(unknown) == 1 and unknown[0].path == str(path) and unknown[0].line == 1
    assert unknown[0].severity == "error"


def test_catalog_variables_never_used_are_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "fr/test_message.subject.txt", "Test\n")
    write(tmp_path, "fr/test_message.txt", "Test via {{ smtp_host }}\n")
    write(tmp_path, "fr/test_message.html", "<p>Test</p>\n")
    issues = validate_templates(tmp_path)
    found = [(i.severity, i.event_id, i.locale) for i in issues]
    assert found == [("warning", "test_message", "fr")]
    assert "'sent_at' is never used" in issues[0].message


def test_context_keys_are_known_variables(tmp_path: Path) -> None:
    write(tmp_path, "en/test_message.subject.txt", "{{ site_code }} test via {{ smtp_host }}\n")
    assert any("site_code" in i.message for i in validate_templates(tmp_path))
    issues = validate_templates(tmp_path, context={"site_code": "QC-1"})
    assert not [i for i in issues if i.severity == "error"]
    out = Renderer(override_dir=tmp_path, context={"site_code": "QC-1"}).render("test_message")
    assert out.subject == "QC-1 test via smtp.office365.com"


def test_subject_with_a_literal_line_break_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "en/task_completed.subject.txt", "Done:\n{{ task_title }}\n")
    with pytest.raises(MessageBuildError, match="single line") as info:
        Renderer(override_dir=tmp_path).render("task_completed")
    assert info.value.location is not None and info.value.location.line == 1
    assert any(i.path == str(path) and "single line" in i.message
               for i in validate_templates(tmp_path))


def test_missing_parts_are_reported(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shutil.copytree(TEMPLATES_DIR, shipped)
    (shipped / "fr" / "loan_returned.html").unlink()
    (shipped / "en" / "task_completed.subject.txt").unlink()
    issues = validate_templates(None, shipped_dir=shipped)
    missing = {(i.event_id, i.locale, i.part) for i in issues if "missing" in i.message}
    assert missing == {("loan_returned", "fr", "html"), ("task_completed", "en", "subject")}
    assert all(i.severity == "error" for i in issues if "missing" in i.message)


def test_stray_override_files_are_flagged(tmp_path: Path) -> None:
    write(tmp_path, "en/task_asigned_to_you.html", "x")
    write(tmp_path, "de/task_completed.html", "x")
    write(tmp_path, "en/_partials.html", "shared by my overrides")
    issues = validate_templates(tmp_path)
    messages = [i.message for i in issues]
    assert any("did you mean task_assigned_to_you" in m for m in messages)
    assert any(i.path.endswith("de/task_completed.html") for i in issues)
    assert not any("_partials" in i.path for i in issues)
    assert all(i.severity == "warning" for i in issues)


def test_missing_override_directory_is_a_warning(tmp_path: Path) -> None:
    issues = validate_templates(tmp_path / "nope")
    assert len(issues) == 1 and issues[0].severity == "warning"
    assert Renderer(override_dir=tmp_path / "nope").render("task_completed").subject
