"""Shared fixtures."""

from __future__ import annotations

import pytest

from tests.support.pki import Authority


@pytest.fixture(scope="session")
def test_ca() -> Authority:
    """One test CA for the whole run (key generation is the slow part)."""
    return Authority()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Never read or write the real user's config, data dir or SMTP settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("MAILTUI_CONFIG", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
