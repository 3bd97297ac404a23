"""The checks of one event's templates as an editor holds them (unsaved text included): syntax
errors with their line, unknown and unused variables, subject length. The same rules as
``mailtui check`` (events/validate.py), applied to the buffers instead of the files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader

from mailtui.diagnostics import Diagnostic, Severity
from mailtui.events.catalog import PARTS, load_catalog, template_name
from mailtui.events.render import SUBJECT_MAX

SUBJECT_COMFORT = 78  # many mail clients cut a longer subject in the message list


def check_event_sources(
    event_id: str,
    locale: str,
    sources: Mapping[str, str],
    *,
    override_dir: Path | None = None,
    context: Mapping[str, Any] | None = None,
    subject: str | None = None,
) -> list[Diagnostic]:
    """Problems of the three parts of ``event_id`` in ``locale``, where ``sources`` (part ->
    text) replaces the files for the parts it has; ``subject`` is the rendered subject (its
    length is checked). Errors first."""
    from mailtui.events.validate import _Checker

    catalog = load_catalog()
    event = catalog.get(event_id)
    checker = _Checker(override_dir, context, None)
    labels = {part: template_name(event_id, locale, part) for part in sources}
    assert checker.env.loader is not None
    checker.env.loader = ChoiceLoader([DictLoader({labels[p]: s for p, s in sources.items()}),
                                      checker.env.loader])
    variables = set(event.variable_names)
    used: set[str] = set()
    complete = True
    for part in PARTS:
        names = checker.check_part(event_id, locale, part, variables)
        if names is None:
            complete = False
        else:
            used |= names
    issues = list(checker.issues)
    if complete:
        issues += [Diagnostic(Severity.WARNING, f"variable {var!r} is not used in any part",
                              fix="use it, or ignore this if it is not needed",
                              event_id=event_id, locale=locale)
                   for var in event.variable_names if var not in used]
    if subject is not None:
        if len(subject) >= SUBJECT_MAX and subject.endswith("…"):
            issues.append(Diagnostic(
                Severity.WARNING, f"the subject is cut at {SUBJECT_MAX} characters",
                fix="shorten it", event_id=event_id, locale=locale, part="subject"))
        elif len(subject) > SUBJECT_COMFORT:
            issues.append(Diagnostic(
                Severity.INFO, f"the subject is {len(subject)} characters: many mail clients "
                f"show only about {SUBJECT_COMFORT}", fix="put the important words first",
                event_id=event_id, locale=locale, part="subject"))
    return sorted(issues, key=lambda i: (i.severity != "error", i.part or "", i.line or 0))
