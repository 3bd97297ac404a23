"""The settings field schema: every field validated alone (no document re-validated),
required-when, ``ConfigStore.set_value`` type checks, loading through it, and the README's
configuration reference listing exactly its fields. No CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mailtui.config.model import SecretRef, ServerSettings, Settings, SmimeSettings
from mailtui.config.schema import FIELDS, FIELDS_LIST, FieldContext, validate_field
from mailtui.config.store import ConfigStore
from mailtui.errors import ConfigError

README = Path(__file__).resolve().parents[2] / "README.md"

GOOD: dict[str, Any] = {
    "server.enabled": True,
    "server.username": "notifications@example.org",
    "server.default_sender": "Records <notifications@example.org>",
    "server.password": "hunter2",
    "server.password_env": "MAILTUI_PASSWORD",
    "server.password_command": "pass show smtp",
    "server.test_recipient": "admin@example.org",
    "server.properties": {"mail.smtp.host": "smtp.example.org"},
    "smime.certificate": "sender.p12",
    "smime.password": "hunter2",
    "smime.password_env": "MAILTUI_SMIME_PASSWORD",
    "smime.password_command": "pass show smime",
    "smime.encrypt": "never",
    "smime.recipients": "recipients",
    "templates.locale": "fr",
    "templates.directory": "templates",
    "templates.context": {"app_name": "Records"},
}
WRONG_TYPE: dict[str, Any] = {key: (["hunter2"] if FIELDS[key].type != "bool" else "yes")
                              for key in GOOD}


def test_every_field_has_a_good_example() -> None:
    assert set(GOOD) == set(FIELDS)
    assert all(f.help for f in FIELDS_LIST)


@pytest.mark.parametrize("key", sorted(GOOD))
def test_each_field_alone_accepts_a_good_value(key: str) -> None:
    assert validate_field(key, GOOD[key]) == []


@pytest.mark.parametrize("key", sorted(GOOD))
def test_each_field_alone_refuses_a_wrong_type_naming_it(key: str) -> None:
    [problem] = validate_field(key, WRONG_TYPE[key])
    assert problem.severity == "error" and problem.key == key
    assert problem.message.startswith(f"{key} must be ")
    if FIELDS[key].secret or "password" in key:
        assert "hunter2" not in problem.message  # "a list", never the value


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("server.default_sender", "bob@", "server.default_sender: 'bob@'"),
        ("server.test_recipient", "a@b.invalid", "server.test_recipient"),
        ("smime.encrypt", "sometimes", "smime.encrypt must be one of never, when-possible, "
                                       "always, not 'sometimes'"),
        ("templates.locale", "de", "templates.locale must be one of en, fr"),
    ],
)
def test_validators(key: str, value: str, needle: str) -> None:
    [problem] = validate_field(key, value)
    assert needle in problem.message


def test_one_field_is_checked_against_the_others_not_the_whole_document() -> None:
    broken = Settings(server=ServerSettings(properties={"mail.smtp.port": "58x7"},
                                            password=SecretRef("server.password", env="PW")))
    context = FieldContext(settings=broken)
    assert validate_field("server.username", "u@example.org", context) == []
    [two] = validate_field("server.password_command", "pass show smtp", context)
    assert two.message == "server: set only one of password_env, password_command"
    assert validate_field("server.password_env", "OTHER", context) == []  # replaces it
    [encrypt] = validate_field("smime.encrypt", "always", context)
    assert "smime.certificate is not" in encrypt.message
    with_cert = FieldContext(settings=Settings(smime=SmimeSettings(certificate=Path("/c.p12"))))
    assert validate_field("smime.encrypt", "always", with_cert) == []


def test_required_when() -> None:
    auth = FieldContext(authenticates=True)
    [user] = validate_field("server.username", None, auth)
    assert user.message.startswith("server.username is required: the connection authenticates")
    assert validate_field("server.username", None, FieldContext(authenticates=False)) == []
    from_props = Settings(server=ServerSettings(properties={"mail.smtp.user": "u"}))
    assert validate_field("server.username", None,
                          FieldContext(settings=from_props, authenticates=True)) == []
    assert validate_field("server.password_env", None, auth)[0].severity == "error"
    has_source = Settings(server=ServerSettings(password=SecretRef("server.password",
                                                                   env="PW")))
    assert validate_field("server.password", None,
                          FieldContext(settings=has_source, authenticates=True)) == []
    encrypting = FieldContext(settings=Settings(smime=SmimeSettings(encrypt="always")))
    assert "smime.encrypt is 'always'" in validate_field("smime.certificate", None,
                                                          encrypting)[0].message
    assert validate_field("smime.certificate", None) == []


def test_an_unknown_field_gets_a_did_you_mean() -> None:
    [found] = validate_field("server.usernme", "x")
    assert found.severity == "warning" and found.did_you_mean == "server.username"


def test_a_path_is_relative_to_the_configuration_file(tmp_path: Path) -> None:
    spec = FIELDS["smime.certificate"]
    context = FieldContext(path=tmp_path / "mailtui.toml")
    assert spec.convert("certs/a.p12", context) == tmp_path / "certs" / "a.p12"
    assert spec.convert("  ", context) is None


# ------------------------------------------------------------------ the store


def test_set_value_type_checks_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    path.write_text('[server]\nenabled = false\nusername = "a@example.org"\n')
    store = ConfigStore.load(path)
    before = store.text()
    for key, value, needle in (
        ("server.enabled", "yes", "server.enabled must be true or false, not 'yes'"),
        ("server.username", 42, "server.username must be a string, not 42"),
        ("server.password", 1234, "server.password must be a string, not a int"),
        ("templates.context", "x", "templates.context must be a table"),
        ("server.usernme", "x", "unknown key server.usernme (did you mean server.username?)"),
    ):
        with pytest.raises(ConfigError) as err:
            store.set_value(key, value)
        assert needle in err.value.message and key in err.value.message
        assert "1234" not in err.value.message
        assert store.text() == before
    store.set_value("server.enabled", True)
    store.set_value("server.username", None)
    store.set_value("other.anything", 3)  # a table the schema does not own: kept as given
    store.save()
    settings = ConfigStore.load(path).settings()
    assert settings.server.enabled is True and settings.server.username is None


def test_loading_reads_every_schema_field(tmp_path: Path) -> None:
    path = tmp_path / "mailtui.toml"
    lines: dict[str, list[str]] = {}
    for key, value in GOOD.items():
        if "password" in key and not key.endswith("password_env"):
            continue  # one source per table
        table, _, name = key.rpartition(".")
        if isinstance(value, dict):
            lines.setdefault(f"{table}.{name}", []).extend(
                f'"{k}" = "{v}"' for k, v in value.items())
        else:
            shown = "true" if value is True else f'"{value}"'
            lines.setdefault(table, []).append(f"{name} = {shown}")
    path.write_text("".join(f"[{t}]\n" + "\n".join(body) + "\n\n" for t, body in lines.items()))
    settings, issues = ConfigStore.load(path).check()
    assert issues == [] and settings is not None
    assert settings.templates.locale == "fr" and settings.smime.certificate == tmp_path / \
        "sender.p12"
    assert settings.server.password.env == "MAILTUI_PASSWORD"


# ------------------------------------------------------------------ the docs


def readme_config_keys() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("| key | type | meaning |", 1)[1].split("\n\n", 1)[0]
    keys: set[str] = set()
    for row in table.splitlines()[2:]:
        first = row.split(" | ")[0].lstrip("| ")
        names = re.findall(r"`([^`]+)`", first)
        for name in names:
            keys.add(names[0] + name if name.startswith("_") else name)
    return keys


def test_the_readme_reference_lists_exactly_the_schema_fields() -> None:
    assert readme_config_keys() == set(FIELDS)
