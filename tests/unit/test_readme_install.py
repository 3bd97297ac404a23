"""The README's Install block, run as written, ends with a `mailtui --version` that works
(issue 8, defect 20: the venv's bin/ is not on PATH)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mailtui import __version__

README = Path(__file__).resolve().parents[2] / "README.md"


def install_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Install"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines()
            if line.strip()]


def test_the_install_block_puts_mailtui_on_path(tmp_path: Path) -> None:
    """Every line of the block runs exactly as written, in order, in a bare `env -i`-like shell;
    only the `pip install /path/to/mailtui` line (a placeholder path, and it needs an index) is
    replaced by a stand-in that puts the installed console script into the venv's bin/."""
    script = Path(sys.executable).parent / "mailtui"
    if not script.exists():
        pytest.skip("mailtui is not installed as a console script in this environment")
    lines = install_block()
    assert lines[-1] == "mailtui --version"
    pip_lines = [i for i, line in enumerate(lines) if " install /path/to/mailtui" in line]
    assert len(pip_lines) == 1
    venv_bin = tmp_path / ".local" / "share" / "mailtui-venv" / "bin"
    stand_in = f"mkdir -p {venv_bin} && ln -sf {script} {venv_bin}/mailtui"
    steps = [stand_in if i in pip_lines else line for i, line in enumerate(lines)]
    done = subprocess.run(["bash", "-c", "set -e\n" + "\n".join(steps) + "\n"],
                          capture_output=True, text=True, timeout=180, check=False,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
                               "LANG": os.environ.get("LANG", "C.UTF-8")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"mailtui {__version__}"


def test_without_the_path_step_the_command_is_not_found(tmp_path: Path) -> None:
    """Guards the test above: a bare venv install does not give a `mailtui` command."""
    done = subprocess.run(["bash", "-c", "mailtui --version"], capture_output=True, text=True,
                          timeout=60, check=False,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 127
