"""Rendering every event in both locales, and the pieces rendering relies on."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from mailtui.errors import ConfigError, MessageBuildError
from mailtui.events.catalog import LOCALES, load_catalog
from mailtui.events.render import Renderer, normalize_locale, one_line_subject
from mailtui.events.validate import validate_templates

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
CASES = [(e.id, loc) for e in load_catalog() for loc in LOCALES]


class BalancedHTML(HTMLParser):
    """Fails on a closing tag that does not match the last opened one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.links: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()}, open: {self.stack[-3:]}")
        else:
            self.stack.pop()


def check_html(html: str) -> BalancedHTML:
    parser = BalancedHTML()
    parser.feed(html)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed: {parser.stack}"
    return parser


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize(("event_id", "locale"), CASES)
def test_every_event_renders_with_its_samples(
    renderer: Renderer, event_id: str, locale: str
) -> None:
    event = load_catalog().get(event_id)
    out = renderer.render(event_id, locale=locale)
    assert out.event_id == event_id and out.locale == locale
    assert out.subject and "\n" not in out.subject and len(out.subject) <= 150
    assert "{{" not in out.subject + out.text + out.html
    # HTML: balanced, a real document, with the call-to-action link.
    parsed = check_html(out.html)
    cta = str(renderer.values(event, locale=locale)[event.cta])
    assert cta in parsed.links
    assert out.html.startswith("<!DOCTYPE html>") and f'<html lang="{locale}">' in out.html
    assert "<style" not in out.html and "<img" not in out.html and "src=" not in out.html
    # Text: no markup, reads on its own, same link, footer.
    assert not TAG.search(out.text), TAG.search(out.text)
    assert cta in out.text
    assert "\n-- \n" in out.text
    assert ("because" if locale == "en" else "parce que") in " ".join(out.text.split())


def test_french_is_french(renderer: Renderer) -> None:
    out = renderer.render("task_assigned_to_you", locale="fr")
    assert out.subject == "Tâche qui vous est assignée : Réviser le calendrier de conservation 2025"
    assert "Échéance :" in out.text and "13 juin 2025" in out.text
    assert "Bonjour Marie Tremblay," in out.text
    assert "Ouvrir la tâche" in out.html


def test_english_text_part_reads_well(renderer: Renderer) -> None:
    text = renderer.render("task_assigned_to_you").text
    assert text.startswith("A task is assigned to you\n=========================\n")
    assert "Due:             June 13, 2025\n" in text
    assert "Also offered to: Marie Tremblay and Luc Bergeron\n" in text
    assert "Open the task:\nhttps://records.example.org/#!displayTask/00000042\n" in text


def test_user_values_override_samples_and_are_escaped_in_html(renderer: Renderer) -> None:
    out = renderer.render("task_completed", {"task_title": "R&D <budget> \"2026\""})
    assert out.subject == 'Task completed: R&D <budget> "2026"'
    assert 'R&D <budget> "2026"' in out.text
    assert str(escape('R&D <budget> "2026"')) in out.html
    assert "<budget>" not in out.html


def test_context_supplies_shared_variables_and_rebases_sample_links() -> None:
    renderer = Renderer(context={"app_name": "Archives", "app_url": "https://arch.example.net"})
    out = renderer.render("task_reminder")
    assert "Archives" in out.html and "https://arch.example.net/#!displayTask/00000042" in out.text
    assert "records.example.org" not in out.text


def test_empty_optional_values_are_left_out(renderer: Renderer) -> None:
    out = renderer.render("task_assigned_to_you", {"due_on": "", "candidate_users": [],
                                                   "task_description": ""})
    assert "Due:" not in out.text and "Also offered" not in out.text
    assert "Description" not in out.text and "Description" not in out.html


def test_without_samples_missing_variables_are_an_error(renderer: Renderer) -> None:
    with pytest.raises(MessageBuildError, match="missing variable"):
        renderer.render("task_completed", {"task_title": "X"}, fill_samples=False)
    full = {name: "x" for name in load_catalog().get("test_message").variable_names}
    out = renderer.render("test_message", full, fill_samples=False)
    assert "Hello" not in out.text  # no recipient_name: no greeting


def test_dates_lists_and_times_follow_the_locale(renderer: Renderer) -> None:
    values = {"occurred_at": "2025-06-01T14:05:00+00:00", "ip_address": "192.0.2.1"}
    en = renderer.render("security_password_changed", values).text
    fr = renderer.render("security_password_changed", values, locale="fr").text
    assert "June 1, 2025 at 2:05 PM (UTC)" in en
    assert "1er juin 2025 à 14 h 05 (UTC)" in fr
    fr = renderer.render("security_suspicious_logins", locale="fr").text
    assert "203.0.113.42 et 198.51.100.7" in fr
    odd = renderer.render("task_reminder", {"due_on": "next Monday"}).text
    assert "Due:         next Monday" in odd


def test_locale_names() -> None:
    assert normalize_locale("fr-CA") == "fr"
    assert normalize_locale("EN_us") == "en"
    with pytest.raises(ConfigError, match="unknown locale 'de'"):
        normalize_locale("de")


def test_long_subjects_are_trimmed_with_an_ellipsis(renderer: Renderer) -> None:
    out = renderer.render("task_completed", {"task_title": "word " * 60})
    assert len(out.subject) <= 150 and out.subject.endswith("…")
    assert one_line_subject("a\r\nb\tc\u2028d") == "a b c d"


def test_shipped_templates_validate_clean() -> None:
    assert validate_templates(None) == []
