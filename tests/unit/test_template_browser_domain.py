"""The domain functions the template browser presents: HTML as terminal text, and the checks
of one event's unsaved template text."""

from __future__ import annotations

from mailtui.events.checks import check_event_sources
from mailtui.events.render import Renderer
from mailtui.mail.html_text import html_to_text


def test_html_to_text_headings_paragraphs_links_tables() -> None:
    html = ('<div style="display:none">preheader</div><h1>Task</h1><p>Hello</p><p>Open '
            '<a href="https://x.org/t/1">the task</a> or https://x.org/t/1</p>'
            '<table><tr><td>Due</td><td>2025-06-13</td></tr>'
            '<tr><td>Status</td><td>Open</td></tr></table>')
    text = html_to_text(html)
    lines = text.splitlines()
    assert lines[:2] == ["Task", "===="]
    assert "Hello" in lines and "preheader" not in text
    assert "the task <https://x.org/t/1>" in text
    assert any(line.split() == ["Due", "2025-06-13"] for line in lines)
    due = next(line for line in lines if line.startswith("Due"))
    status = next(line for line in lines if line.startswith("Status"))
    assert due.index("2025") == status.index("Open")  # a column, not run-on text
    assert "\n\n\n" not in text and not any(line != line.rstrip() for line in lines)


def test_html_to_text_of_a_shipped_template_in_french() -> None:
    html = Renderer().render_part("task_assigned_to_you", "html", locale="fr")
    text = html_to_text(html)
    assert "Une tâche vous est assignée\n===" in text
    assert "<https://records.example.org/#!displayTask/00000042>" in text
    assert "<td" not in text and "style=" not in text


def test_html_to_text_never_raises_on_junk() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<!-- only a comment -->") == ""
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold\n"


def test_checks_clean_for_the_shipped_templates() -> None:
    assert check_event_sources("task_assigned_to_you", "fr", {}) == []


def test_checks_report_syntax_line_unknown_and_unused_variables() -> None:
    broken = check_event_sources("task_completed", "en", {"text": "one\ntwo {% if %}\n"})
    assert [(i.severity, i.part, i.line) for i in broken] == [("error", "text", 2)]
    assert "syntax error" in broken[0].message
    issues = check_event_sources("task_completed", "en",
                                 {"subject": "Done: {{ nope }}", "text": "x", "html": "<p>x</p>"})
    unknown = [i for i in issues if "nope" in i.message]
    assert unknown and unknown[0].severity == "error" and unknown[0].line == 1
    unused = {i.message for i in issues if i.severity == "warning"}
    assert any("'task_title' is not used" in m for m in unused)


def test_checks_subject_length() -> None:
    long = check_event_sources("task_completed", "en", {}, subject="x" * 90)
    assert [(i.severity, i.part) for i in long] == [("info", "subject")]
    cut = check_event_sources("task_completed", "en", {}, subject="x" * 149 + "…")
    assert [(i.severity, i.part) for i in cut] == [("warning", "subject")]
    assert check_event_sources("task_completed", "en", {}, subject="Short") == []


def test_filter_events_by_id_and_titles_in_both_languages() -> None:
    from mailtui.events.browse import filter_events
    from mailtui.events.catalog import load_catalog

    catalog = load_catalog()
    assert len(filter_events(catalog, "")) == len(catalog) == 45
    by_fr = [e.id for e in filter_events(catalog, "vous est assignée")]
    assert by_fr == ["task_assigned_to_you"]
    assert [e.id for e in filter_events(catalog, "VOUS EST ASSIGNEE")] == by_fr  # no accents
    assert "task_assigned_to_you" in [e.id for e in filter_events(catalog, "assigned to you")]
    assert [e.id for e in filter_events(catalog, "task_assigned_to_you")] == by_fr
    assert filter_events(catalog, "no such event at all") == []


def test_samples_as_text_and_back() -> None:
    import pytest

    from mailtui.errors import ConfigError
    from mailtui.events.browse import format_sample, parse_sample
    from mailtui.events.catalog import Variable

    users = Variable("candidate_users", "list", "who")
    assert format_sample(["Marie", "Luc"]) == "Marie; Luc"
    assert parse_sample(users, "Marie; Luc ;") == ["Marie", "Luc"]
    count = Variable("count", "integer", "how many")
    assert parse_sample(count, " 12 ") == 12
    with pytest.raises(ConfigError, match="count: 'x' is not a whole number"):
        parse_sample(count, "x")
    assert parse_sample(Variable("comment", "text", "c"), r"a\nb") == "a\nb"
    assert format_sample(None) == "" and format_sample(3) == "3"


def test_preview_file_is_private() -> None:
    import stat

    from mailtui.events.browse import write_preview_file

    path = write_preview_file("<p>é</p>", "task_completed", "fr")
    try:
        assert path.read_text(encoding="utf-8") == "<p>é</p>"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        path.unlink()
        path.parent.rmdir()
