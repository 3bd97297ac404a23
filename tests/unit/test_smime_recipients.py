"""Finding recipient certificates: a directory of <address>.pem, or one PEM bundle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mailtui.config.model import SmimeSettings
from mailtui.errors import ConfigError
from mailtui.mail.smime_recipients import recipient_certificates
from tests.support.pki import Authority, Issued

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def people(test_ca: Authority) -> dict[str, Issued]:
    return {
        "bob": test_ca.issue_smime("bob@example.org"),
        "alice": test_ca.issue_smime("Alice@Example.org"),
        "old": test_ca.issue_smime(
            "old@example.org",
            not_before=NOW - dt.timedelta(days=60),
            not_after=NOW - dt.timedelta(days=1),
        ),
        "ec": test_ca.issue_smime("ec@example.org", key_kind="ec"),
    }


def test_directory_case_insensitive(tmp_path: Path, people: dict[str, Issued]) -> None:
    people["bob"].write(tmp_path, "BOB@example.org")
    people["alice"].write(tmp_path, "alice@example.org")
    s = SmimeSettings(recipients=tmp_path)
    found, missing = recipient_certificates(
        s, ["Bob <bob@EXAMPLE.org>", "alice@example.org", "carol@example.org"]
    )
    assert found == {
        "bob@EXAMPLE.org": people["bob"].cert,
        "alice@example.org": people["alice"].cert,
    }
    assert missing == ["carol@example.org"]


def test_directory_duplicates_counted_once(tmp_path: Path, people: dict[str, Issued]) -> None:
    people["bob"].write(tmp_path, "bob@example.org")
    lookup = recipient_certificates(
        SmimeSettings(recipients=tmp_path), ["bob@example.org", "BOB@example.org", "x@y.org"]
    )
    assert list(lookup.found) == ["bob@example.org"]
    assert lookup.missing == ["x@y.org"]


def test_bundle_matches_by_san(tmp_path: Path, people: dict[str, Issued]) -> None:
    bundle = tmp_path / "recipients.pem"
    bundle.write_bytes(b"".join(p.cert_pem() for p in people.values()))
    lookup = recipient_certificates(
        SmimeSettings(recipients=bundle),
        ["alice@example.org", "bob@example.org", "nobody@example.org"],
    )
    assert lookup.found == {
        "alice@example.org": people["alice"].cert,
        "bob@example.org": people["bob"].cert,
    }
    assert lookup.missing == ["nobody@example.org"]
    assert "nobody@example.org" not in lookup.reasons


def test_unusable_certificates_are_missing_with_a_reason(
    tmp_path: Path, people: dict[str, Issued]
) -> None:
    bundle = tmp_path / "recipients.pem"
    bundle.write_bytes(people["old"].cert_pem() + people["ec"].cert_pem())
    lookup = recipient_certificates(
        SmimeSettings(recipients=bundle), ["old@example.org", "ec@example.org"]
    )
    assert lookup.found == {}
    assert lookup.reasons == {
        "old@example.org": "certificate expired",
        "ec@example.org": "certificate key is not RSA",
    }
    assert "old@example.org (certificate expired)" in lookup.describe_missing()


def test_newest_usable_certificate_wins(
    tmp_path: Path, people: dict[str, Issued], test_ca: Authority
) -> None:
    renewed = test_ca.issue_smime("old@example.org", not_after=NOW + dt.timedelta(days=700))
    bundle = tmp_path / "recipients.pem"
    bundle.write_bytes(people["old"].cert_pem() + renewed.cert_pem())
    found, _ = recipient_certificates(SmimeSettings(recipients=bundle), ["old@example.org"])
    assert found == {"old@example.org": renewed.cert}


def test_not_configured_means_all_missing() -> None:
    lookup = recipient_certificates(SmimeSettings(), ["a@example.org"])
    assert lookup.missing == ["a@example.org"]
    assert lookup.reasons["a@example.org"] == "no [smime] recipients configured"


def test_missing_recipients_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        recipient_certificates(SmimeSettings(recipients=tmp_path / "nope"), ["a@example.org"])
    assert str(tmp_path / "nope") in str(info.value)


def test_broken_certificate_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "bob@example.org.pem").write_text("-----BEGIN CERTIFICATE-----\ngarbage\n")
    with pytest.raises(ConfigError) as info:
        recipient_certificates(SmimeSettings(recipients=tmp_path), ["bob@example.org"])
    assert "bob@example.org.pem" in str(info.value)
    assert "not a certificate" in info.value.message
