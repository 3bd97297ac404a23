"""Secret sources: value, environment variable, command."""

from __future__ import annotations

import sys
import time
from pathlib import Path

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


# password_command runs with /bin/sh -c in its own process group (defect 12).

def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


posix_only = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


def test_command_runs_through_the_shell() -> None:
    ref = SecretRef("server.password", command="printf 'first\\nsecond\\n' | head -1")
    assert ref.resolve() == "first"


@posix_only
def test_command_timeout_kills_what_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    ref = SecretRef("server.password", command=f"sleep 300 & echo $! > {pidfile}; wait")
    with pytest.raises(ConfigError, match=r"did not finish within 1 s"):
        ref.resolve(timeout=1)
    grandchild = int(pidfile.read_text())
    assert _gone_within(grandchild, 10), "the background child of the command survived"


@posix_only
def test_background_child_holding_stdout_does_not_hide_the_secret(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    ref = SecretRef("server.password", command=f"sleep 300 & echo $! > {pidfile}; echo pw-bg")
    started = time.monotonic()
    assert ref.resolve(timeout=20) == "pw-bg"
    assert time.monotonic() - started < 15  # did not wait for the background child's EOF
    assert _gone_within(int(pidfile.read_text()), 10), "left a process running"


def test_shell_not_found_status_says_so() -> None:
    with pytest.raises(ConfigError) as info:
        SecretRef("server.password", command="no-such-program-mailtui show x").resolve()
    assert "status 127" in str(info.value) and "not found" in info.value.describe()


def test_timeout_error_never_shows_what_was_printed() -> None:
    ref = SecretRef("server.password", command="echo pw-leak-77; echo pw-leak-77 >&2; sleep 30")
    with pytest.raises(ConfigError) as info:
        ref.resolve(timeout=0.5)
    assert "pw-leak-77" not in info.value.describe()


def test_killed_command_is_reported() -> None:
    with pytest.raises(ConfigError, match="killed by signal 9"):
        SecretRef("server.password", command="kill -9 $$").resolve()


def test_docs_say_the_password_command_runs_with_sh() -> None:
    """Issue 8 item 12: `--password-command`'s help and the README's overrides table describe
    what really happens (``/bin/sh -c``, its own process group), never "no shell"."""
    import argparse
    import re

    from mailtui.commands._common import add_override_arguments

    parser = argparse.ArgumentParser(prog="t")
    add_override_arguments(parser)
    help_text = " ".join(parser.format_help().split())
    assert "/bin/sh -c" in help_text and "no shell" not in help_text
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `--password-env NAME`"))
    assert "/bin/sh -c" in row and "process group" in row
    assert not re.search(r"without a shell|no shell", readme)
