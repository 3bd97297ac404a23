"""The ``sandbox`` preset and ``sandbox_settings`` describe a clean, verified connection."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mailtui.config.model import Settings
from mailtui.javamail.lint import lint
from mailtui.javamail.presets import builtin_presets
from mailtui.javamail.resolve import resolve_plan
from mailtui.sandbox import Sandbox, sandbox_settings
from mailtui.sandbox.certs import sandbox_ca_path
from tests.support.pki import Authority


@dataclasses.dataclass
class _Running:
    host: str = "127.0.0.1"
    port: int = 2525
    tls_port: int = 2465
    ca_file: Path = Path("/data/sandbox/ca.pem")


def test_preset_points_at_the_sandbox_ca() -> None:
    props = builtin_presets()["sandbox"].render()
    assert props["mailtui.ssl.cafile"] == str(sandbox_ca_path())
    assert props["mail.smtp.port"] == "2525"
    plan = resolve_plan(Settings(server=dataclasses.replace(Settings().server, properties=props)))
    assert plan.security == "starttls-required"
    assert plan.auth and plan.verify_certificate and plan.check_server_identity
    assert plan.ca_file == str(sandbox_ca_path())


@pytest.mark.parametrize("implicit", [False, True])
def test_settings_lint_clean(implicit: bool, tmp_path: Path, test_ca: Authority) -> None:
    ca_file = test_ca.write_ca(tmp_path / "ca.pem")  # lint checks that the CA file is usable
    settings = sandbox_settings(_Running(ca_file=ca_file), implicit_tls=implicit)
    plan = resolve_plan(settings)
    assert lint(settings, plan) == []
    assert plan.security == ("implicit-tls" if implicit else "starttls-required")
    assert plan.port == (2465 if implicit else 2525)
    assert plan.ca_file == str(ca_file)
    assert plan.username == "sandbox" and plan.mechanisms


def test_settings_need_a_started_sandbox(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="start the sandbox first"):
        sandbox_settings(Sandbox(port=0, tls_port=0, data_dir=tmp_path))
