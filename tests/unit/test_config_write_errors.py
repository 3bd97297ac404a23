"""A location mailtui cannot write to is exit 3 with the path and the reason, and the file is
left exactly as it was (issue 8, defect 6). Tests run as root, which ignores permission bits,
so the failures are made with things that stop root too: the immutable attribute (chattr +i),
a folder where a file must go, a file where a folder must go."""

from __future__ import annotations

import contextlib
import errno
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtui.cli import main
from mailtui.errors import ConfigError
from mailtui.files import WriteError, atomic_write_private

BASE = '# mine\n[server]\nusername = "me@example.org"\n'


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i`` for the duration (root cannot create, rename or delete in it either)."""
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed")
    done = subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this file system has no immutable attribute: {done.stderr!r}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("command", [["preset", "gmail"], ["properties", "import", "PROPS"]])
def test_an_immutable_folder_is_exit_3_and_the_file_is_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    cfg = folder / "mailtui.toml"
    cfg.write_text(BASE)
    props = tmp_path / "app.properties"
    props.write_text("mail.smtp.host=smtp.example.org\n")
    argv = [str(props) if a == "PROPS" else a for a in command]
    with immutable(folder):
        code, err = run(capsys, "--config", str(cfg), *argv)
    assert code == 3, err
    assert f"cannot write {cfg}" in err and "Operation not permitted" in err
    assert "was not changed" in err and "internal error" not in err
    assert cfg.read_text() == BASE
    assert files_in(folder) == ["mailtui.toml"]


def test_an_immutable_folder_refuses_a_new_file_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "mailtui.toml"
    with immutable(tmp_path):
        code, err = run(capsys, "--config", str(cfg), "preset", "office365")
    assert code == 3 and f"cannot write {cfg}" in err and "internal error" not in err
    assert not cfg.exists()


def test_an_immutable_file_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "mailtui.toml"
    cfg.write_text(BASE)
    with immutable(cfg):
        code, err = run(capsys, "--config", str(cfg), "preset", "gmail")
    assert code == 3 and f"cannot write {cfg}" in err and "internal error" not in err
    assert cfg.read_text() == BASE
    assert not [n for n in files_in(tmp_path) if n.endswith(".tmp")]


def test_a_rename_that_fails_leaves_the_file_and_no_temporary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The backup's place is taken by a non-empty folder: rename fails, even for root."""
    cfg = tmp_path / "mailtui.toml"
    cfg.write_text(BASE)
    (tmp_path / "mailtui.toml.bak").mkdir()
    (tmp_path / "mailtui.toml.bak" / "keep").write_text("x")
    code, err = run(capsys, "--config", str(cfg), "preset", "gmail")
    assert code == 3 and f"cannot write {cfg}" in err and "mailtui.toml.bak" in err
    assert "internal error" not in err
    assert cfg.read_text() == BASE
    assert files_in(tmp_path) == ["mailtui.toml", "mailtui.toml.bak"]


def test_a_file_where_the_folder_should_be_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "etc"
    blocker.write_text("not a folder")
    cfg = blocker / "mailtui" / "mailtui.toml"
    code, err = run(capsys, "--config", str(cfg), "preset", "gmail")
    assert code == 3 and f"{blocker} is a file, not a folder" in err
    assert "internal error" not in err
    code, err = run(capsys, "--config", str(cfg), "check")
    assert code == 3 and str(cfg) in err and "internal error" not in err
    assert blocker.read_text() == "not a folder"


def test_the_writer_error_is_a_config_error_and_an_os_error(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("x")
    with pytest.raises(WriteError) as info:
        atomic_write_private(target, b"data")
    assert isinstance(info.value, ConfigError) and isinstance(info.value, OSError)
    assert info.value.exit_code == 3 and info.value.errno in (errno.EISDIR, errno.ENOTEMPTY)
    assert str(target) in str(info.value)
    assert files_in(tmp_path) == ["taken"]


def test_an_unwritable_location_in_a_process_exits_3(tmp_path: Path) -> None:
    cfg = tmp_path / "mailtui.toml"
    cfg.write_text(BASE)
    with immutable(tmp_path):
        proc = subprocess.run(
            [sys.executable, "-m", "mailtui", "--config", str(cfg), "preset", "gmail"],
            capture_output=True, text=True, timeout=60, check=False,
        )
    assert proc.returncode == 3, proc.stderr
    assert str(cfg) in proc.stderr and "Traceback" not in proc.stderr
    assert cfg.read_text() == BASE


# -- issue 8 review, item J: the fix names what is really not writable ---------------------
def test_an_immutable_file_is_named_as_such_in_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "mailtui.toml"
    cfg.write_text(BASE)
    with immutable(cfg):
        code, err = run(capsys, "--config", str(cfg), "preset", "gmail")
    assert code == 3
    fix = err.split("fix:")[1]
    assert f"{cfg} is immutable (`lsattr {cfg}` shows i)" in fix
    assert f"`chattr -i {cfg}`" in fix
    assert f"make {tmp_path} writable" not in err  # the folder is not the problem


def test_an_immutable_folder_is_named_as_such_in_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    cfg = folder / "mailtui.toml"
    cfg.write_text(BASE)
    with immutable(folder):
        code, err = run(capsys, "--config", str(cfg), "preset", "gmail")
    assert code == 3
    assert f"{folder} is immutable (`lsattr -d {folder}` shows i)" in err.split("fix:")[1]


def test_without_an_attribute_the_fix_does_not_guess(tmp_path: Path) -> None:
    """A rename that fails for another reason: the file or its folder, no chattr advice."""
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("x")
    with pytest.raises(WriteError) as info:
        atomic_write_private(target, b"data")
    hint = info.value.hint or ""
    assert f"make {target} or its folder {tmp_path} writable" in hint
    assert "chattr" not in hint
