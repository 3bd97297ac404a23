"""Secret sources: value, environment variable, command."""

from __future__ import annotations

import sys

import pytest

from mailtui.config.model import SecretRef
from mailtui.errors import ConfigError


def test_plain_value() -> None:
    assert SecretRef("server.password", value="s3cret").resolve() == "s3cret"


def test_unset_is_none() -> None:
    assert SecretRef("server.password").resolve() is None


def test_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MT_PW", "from-env")
    assert SecretRef("server.password", env="MT_PW").resolve() == "from-env"


def test_env_missing_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MT_MISSING", raising=False)
    with pytest.raises(ConfigError, match=r"server.password_env names \$MT_MISSING"):
        SecretRef("server.password", env="MT_MISSING").resolve()


def test_command_stdout_trimmed() -> None:
    ref = SecretRef("server.password", command=f"{sys.executable} -c \"print('  pw-cmd  ')\"")
    assert ref.resolve() == "pw-cmd"


def test_command_failure_shows_its_stderr() -> None:
    cmd = (f"{sys.executable} -c \"import sys; "
           "sys.stderr.write('vault sealed'); sys.exit(4)\"")
    with pytest.raises(ConfigError) as info:
        SecretRef("smime.password", command=cmd).resolve()
    text = info.value.describe()
    assert "smime.password_command exited with status 4: vault sealed" in text


def test_command_timeout() -> None:
    sleeper = f"{sys.executable} -c \"import time; time.sleep(5)\""
    ref = SecretRef("server.password", command=sleeper)
    with pytest.raises(ConfigError, match=r"did not finish within 0\.5 s"):
        ref.resolve(timeout=0.5)


def test_command_not_found() -> None:
    with pytest.raises(ConfigError, match="not found"):
        SecretRef("server.password", command="/nonexistent/pass show x").resolve()


def test_command_empty_output() -> None:
    with pytest.raises(ConfigError, match="printed nothing"):
        SecretRef("server.password", command=f"{sys.executable} -c pass").resolve()


def test_repr_never_shows_the_value() -> None:
    assert "s3cret" not in repr(SecretRef("server.password", value="s3cret"))


def test_command_failure_after_printing_does_not_show_stderr() -> None:
    cmd = (f"{sys.executable} -c \"import sys; print('pw-123'); "
           "sys.stderr.write('+ echo pw-123'); sys.exit(1)\"")
    with pytest.raises(ConfigError) as info:
        SecretRef("smime.password", command=cmd).resolve()
    assert "exited with status 1" in str(info.value)
    assert "pw-123" not in info.value.describe()
