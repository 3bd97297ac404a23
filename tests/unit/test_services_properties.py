"""services.properties without any CLI (issue 9): the import's refusal rules (never, unless
--force, --as-is), a dry run that saves nothing, the merge, and the export."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from mailtui.config.model import ServerSettings, Settings
from mailtui.errors import ConfigError
from mailtui.services.properties import (
    export_properties,
    prepare_import,
    read_properties_file,
)

BASE = ('# keep me\n[server]\nusername = "me@example.org"\n\n[server.properties]\n'
        '"mail.debug" = "true"\n"mail.smtp.host" = "old.example.org"\n')


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "mailtui.toml"
    path.write_text(BASE)
    return path


def test_a_clean_import_merges_previews_then_saves(cfg: Path) -> None:
    preview = prepare_import("mail.smtp.host=smtp.example.org\nmail.smtp.port=587\n",
                             source="app.properties", config=cfg)
    assert preview.refusal is None and preview.path == cfg
    assert {c.key: (c.old, c.new) for c in preview.changes} == {
        "mail.smtp.host": ("old.example.org", "smtp.example.org"),
        "mail.smtp.port": (None, "587")}
    assert cfg.read_text() == BASE  # a preview writes nothing
    assert preview.save() is True
    text = cfg.read_text()
    assert text.startswith("# keep me") and '"mail.debug" = "true"' in text
    assert '"mail.smtp.port" = "587"' in text and stat.S_IMODE(cfg.stat().st_mode) == 0o600


def test_replace_drops_the_other_properties(cfg: Path) -> None:
    preview = prepare_import("mail.smtp.host=smtp.example.org\n", config=cfg, replace=True)
    assert ("mail.debug", "true", None) in [(c.key, c.old, c.new) for c in preview.changes]


def test_an_error_refuses_unless_force_and_the_dry_run_says_so(cfg: Path) -> None:
    text = "mail.smtp.host=smtp.example.org\nmail.smtp.auth=yes\n"
    refused = prepare_import(text, source="p", config=cfg)
    assert refused.refusal is not None and refused.store is None and refused.changes == ()
    assert refused.refusal.message == "p: 1 error(s) above; nothing was saved"
    assert "--force" in (refused.refusal.hint or "")
    with pytest.raises(ConfigError):
        refused.save()
    dry = prepare_import(text, source="p", config=cfg, dry_run=True)
    assert dry.refusal is not None
    assert dry.refusal.message == "p: 1 error(s) above; the import would save nothing"
    forced = prepare_import(text, source="p", config=cfg, force=True)
    assert forced.refusal is None
    assert ("mail.smtp.auth", None, "yes") in [(c.key, c.old, c.new) for c in forced.changes]
    assert cfg.read_text() == BASE
    assert forced.save() and '"mail.smtp.auth" = "yes"' in cfg.read_text()


def test_a_line_break_is_refused_even_with_force(cfg: Path) -> None:
    preview = prepare_import("mail.smtp.host=h.example.org\nmail.smtp.localhost=a\\r\\nRSET\n",
                             source="p", config=cfg, force=True, as_is=True)
    assert preview.refusal is not None and "line(s) 2 can never be imported" in \
        preview.refusal.message
    assert [d.line for d in preview.diagnostics if d.refused] == [2]
    assert cfg.read_text() == BASE


def test_as_is_keeps_what_java_reads_and_flags_what_only_the_repair_made_valid(
        cfg: Path) -> None:
    text = 'mail.smtp.port="587"\n'
    repaired = prepare_import(text, source="p", config=cfg)
    [quotes] = repaired.diagnostics
    assert repaired.repaired(quotes) and repaired.refusal is None
    assert [(c.key, c.new) for c in repaired.changes] == [("mail.smtp.port", "587")]
    as_is = prepare_import(text, source="p", config=cfg, as_is=True)
    assert not as_is.repaired(quotes)
    assert [(e.line, e.key) for e in as_is.as_is_errors] == [(1, "mail.smtp.port")]
    assert as_is.refusal is not None
    forced = prepare_import(text, source="p", config=cfg, as_is=True, force=True)
    assert [(c.key, c.new) for c in forced.changes] == [("mail.smtp.port", '"587"')]


def test_nothing_to_import_and_an_unreadable_config(cfg: Path, tmp_path: Path) -> None:
    empty = prepare_import("# only a comment\n", source="p", config=cfg)
    assert empty.refusal is not None and empty.refusal.message == "p: no properties found"
    broken = tmp_path / "broken.toml"
    broken.write_text("[server\n")
    preview = prepare_import("mail.smtp.port=587\n", config=broken)
    assert preview.refusal is not None and preview.refusal.location is not None
    assert preview.refusal.location.path == str(broken)
    with pytest.raises(ConfigError, match=r"nothing\.properties"):
        read_properties_file(str(tmp_path / "nothing.properties"))


def test_export_adds_the_secure_defaults_and_never_a_secret() -> None:
    settings = Settings(server=ServerSettings(properties={
        "mail.smtp.host": "smtp.example.org", "mail.smtp.port": "587",
        "mail.smtp.starttls.enable": "true", "mail.smtp.starttls.required": "true",
        "mail.smtp.password": "export-secret", "mailtui.ssl.cafile": "/x/ca.pem"}))
    exported = export_properties(settings)
    assert exported.skipped == ("mail.smtp.password", "mailtui.ssl.cafile")
    assert dict(exported.added) == {"mail.smtp.connectiontimeout": "30000",
                                    "mail.smtp.timeout": "60000",
                                    "mail.smtp.writetimeout": "60000",
                                    "mail.smtp.ssl.checkserveridentity": "true"}
    assert "export-secret" not in exported.text
    assert "mail.smtp.host=smtp.example.org" in exported.text
    as_is = export_properties(settings, as_is=True)
    assert as_is.added == () and "mail.smtp.timeout" not in as_is.text
