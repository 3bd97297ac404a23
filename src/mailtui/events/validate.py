"""Check templates (shipped and overrides): syntax, variables, missing parts, stray files."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError, meta, nodes

from mailtui.diagnostics import Diagnostic, Severity
from mailtui.events.catalog import (
    LOCALES,
    PARTS,
    TEMPLATES_DIR,
    Catalog,
    load_catalog,
    split_template_name,
    template_name,
)
from mailtui.events.environment import BUILTIN_VARIABLES, build_environment
from mailtui.events.render import subject_break_line


@dataclass
class _Parsed:
    filename: str
    names: set[str]  # variables read from the context
    lines: dict[str, int]  # first line each variable is read on
    references: list[str]  # templates it extends, imports or includes


class _Checker:
    def __init__(
        self,
        override_dir: Path | None,
        context: Mapping[str, Any] | None,
        shipped_dir: Path | None,
    ) -> None:
        self.catalog: Catalog = load_catalog()
        self.env = build_environment(override_dir, shipped_dir=shipped_dir)
        self.override_dir = override_dir
        self.shipped_dir = shipped_dir or TEMPLATES_DIR
        self.shared = (
            {v.name for v in self.catalog.shared}
            | set(context or {})
            | BUILTIN_VARIABLES
            | set(self.env.globals)
        )
        self.every_event_variable = {
            name for event in self.catalog for name in event.variable_names
        }
        self.issues: list[Diagnostic] = []
        self.parsed: dict[str, _Parsed | None] = {}

    def add(self, severity: Severity | str, path: str, line: int | None, message: str,
            event_id: str | None = None, locale: str | None = None,
            part: str | None = None) -> None:
        self.issues.append(Diagnostic(Severity(severity), message, path=path, line=line,
                                      event_id=event_id, locale=locale, part=part))

    def parse(self, name: str, event_id: str | None = None, locale: str | None = None,
              part: str | None = None) -> _Parsed | None:
        """Parse and compile one template once; syntax errors become issues (None returned)."""
        if name in self.parsed:
            return self.parsed[name]
        source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        filename = filename or name
        result: _Parsed | None = None
        try:
            tree = self.env.parse(source, name, filename)
            self.env.compile(tree, name, filename)  # unknown filters and tests fail here
        except TemplateSyntaxError as exc:
            self.add("error", filename, exc.lineno, f"syntax error: {exc.message}",
                     event_id, locale, part)
        else:
            imported = {n.target for n in tree.find_all(nodes.Import)}
            for from_import in tree.find_all(nodes.FromImport):
                imported.update(alias if isinstance(alias, str) else alias[-1]
                                for alias in from_import.names)
            names = set(meta.find_undeclared_variables(tree)) - imported
            lines: dict[str, int] = {}
            for node in tree.find_all(nodes.Name):
                if node.ctx == "load" and node.name in names:
                    lines.setdefault(node.name, node.lineno)
            references = [r for r in meta.find_referenced_templates(tree) if r is not None]
            result = _Parsed(filename, names, lines, references)
        self.parsed[name] = result
        return result

    def check_part(self, event_id: str, locale: str, part: str,
                   variables: set[str]) -> set[str] | None:
        """Issues for one event part; returns the variables it (and what it uses) reads."""
        name = template_name(event_id, locale, part)
        try:
            parsed = self.parse(name, event_id, locale, part)
        except TemplateNotFound:
            where = self.override_dir or self.shipped_dir
            self.add("error", str(Path(where) / name), None, f"missing {part} template",
                     event_id, locale, part)
            return None
        if parsed is None:
            return None
        if part == "subject":
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            line = subject_break_line(source)
            if line is not None:
                self.add("error", parsed.filename, line,
                         "a subject template must be a single line", event_id, locale, part)
        used = set(parsed.names)
        for var in sorted(parsed.names - variables - self.shared):
            self.add("error", parsed.filename, parsed.lines.get(var),
                     f"unknown variable {var!r} (not in the catalog for {event_id})",
                     event_id, locale, part)
        for ref in parsed.references:
            used |= self.check_shared_template(ref)
        return used

    def check_shared_template(self, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Layouts and macros: syntax once, variables any event could not provide."""
        if name in seen:
            return set()
        try:
            first = name not in self.parsed
            parsed = self.parse(name)
        except TemplateNotFound:
            if name not in self.parsed:
                self.parsed[name] = None
                self.add("error", str(self.shipped_dir / name), None,
                         f"template {name} is referenced but missing")
            return set()
        if parsed is None:
            return set()
        if first:
            for var in sorted(parsed.names - self.shared - self.every_event_variable):
                self.add("error", parsed.filename, parsed.lines.get(var),
                         f"unknown variable {var!r} (not a shared variable)")
        used = set(parsed.names)
        for ref in parsed.references:
            used |= self.check_shared_template(ref, seen | {name})
        return used

    def check_events(self) -> None:
        for event in self.catalog:
            variables = set(event.variable_names)
            for locale in LOCALES:
                used: set[str] = set()
                complete = True
                for part in PARTS:
                    names = self.check_part(event.id, locale, part, variables)
                    if names is None:
                        complete = False
                    else:
                        used |= names
                if not complete:
                    continue
                for var in event.variable_names:
                    if var not in used:
                        path = self.env.loader.get_source(  # type: ignore[union-attr]
                            self.env, event.template_name(locale, "html")
                        )[1]
                        self.add("warning", path or event.id, None,
                                 f"catalog variable {var!r} is never used in the {locale} "
                                 f"templates of {event.id}", event.id, locale, None)

    def check_override_files(self) -> None:
        """Files in the override directory that no event, locale or layout will ever read."""
        if self.override_dir is None:
            return
        ids = self.catalog.ids
        for path in sorted(self.override_dir.rglob("*")):
            if not path.is_file() or path.name.startswith((".", "_")):
                continue
            rel = path.relative_to(self.override_dir)
            if len(rel.parts) != 2 or rel.parts[0] not in LOCALES:
                self.add("warning", str(path), None,
                         f"not used: overrides go in {'/ or '.join(LOCALES)}/ "
                         "as <event_id>.subject.txt, .txt or .html")
                continue
            parsed = split_template_name(rel.as_posix())
            if parsed is None:
                self.add("warning", str(path), None,
                         "not used: the name must end in .subject.txt, .txt or .html")
                continue
            stem = parsed[1]
            if stem not in ids:
                close = difflib.get_close_matches(stem, ids, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]}?" if close else ""
                self.add("warning", str(path), None, f"not used: no event {stem!r}{hint}")


def validate_templates(
    override_dir: Path | None = None,
    *,
    context: Mapping[str, Any] | None = None,
    shipped_dir: Path | None = None,
) -> list[Diagnostic]:
    """Every problem in the templates an event would be rendered with, errors first.

    ``override_dir`` is ``[templates].directory``; ``context`` the keys of
    ``[templates.context]`` (extra variables overrides may use); ``shipped_dir`` replaces the
    packaged templates (for tests and packagers).
    """
    issues: list[Diagnostic] = []
    if override_dir is not None and not Path(override_dir).is_dir():
        issues.append(Diagnostic(
            Severity.WARNING, "templates directory does not exist: the shipped templates are used",
            path=str(override_dir), key="templates.directory",
        ))
        override_dir = None
    checker = _Checker(Path(override_dir) if override_dir else None, context, shipped_dir)
    checker.check_events()
    checker.check_override_files()
    issues.extend(checker.issues)
    return sorted(issues, key=lambda i: (i.severity != "error", i.path or "", i.line or 0))
