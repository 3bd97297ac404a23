"""TLS context construction and certificate name matching."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import pytest

from mailtui.javamail.plan import Plan
from mailtui.smtp.auth import choose_mechanism
from mailtui.smtp.tls import CertificateInfo, build_context, name_matches
from tests.support.pki import Authority


def plan(**kw: object) -> Plan:
    base = dict(host="smtp.example.org", port=587, security="starttls-required", auth=True,
                mechanisms=("LOGIN",), verify_certificate=True, check_server_identity=True)
    base.update(kw)
    return Plan(**base)  # type: ignore[arg-type]


def cert(*names: str, cn: str = "x") -> CertificateInfo:
    now = dt.datetime.now(dt.UTC)
    return CertificateInfo(f"CN={cn}", "CN=ca", names, now, now, "00", False)


def test_default_context_verifies() -> None:
    ctx = build_context(plan())
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname


def test_ssl_trust_disables_chain_verification_only_for_listed_hosts() -> None:
    assert build_context(plan(trusted_hosts=("smtp.example.org",))).verify_mode == ssl.CERT_NONE
    assert build_context(plan(trusted_hosts=("*",))).verify_mode == ssl.CERT_NONE
    assert build_context(plan(trusted_hosts=("other.org",))).verify_mode == ssl.CERT_REQUIRED


def test_check_server_identity_off() -> None:
    ctx = build_context(plan(check_server_identity=False))
    assert ctx.verify_mode == ssl.CERT_REQUIRED and not ctx.check_hostname


def test_protocols_and_ca_file(test_ca: Authority, tmp_path: Path) -> None:
    ca = test_ca.write_ca(tmp_path / "ca.pem")
    ctx = build_context(plan(tls_protocols=("TLSv1.2", "TLSv1.3"), ca_file=str(ca)))
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert ctx.maximum_version == ssl.TLSVersion.TLSv1_3
    subjects = [c["subject"] for c in ctx.get_ca_certs()]
    assert any(("commonName", "mailtui test CA") in rdn for s in subjects for rdn in s)
    with pytest.raises(ValueError, match="TLSv9"):
        build_context(plan(tls_protocols=("TLSv9",)))


def test_name_matching() -> None:
    assert name_matches("smtp.example.org", cert("smtp.example.org"))
    assert name_matches("SMTP.Example.org.", cert("smtp.example.org"))
    assert name_matches("smtp.example.org", cert("*.example.org"))
    assert not name_matches("a.smtp.example.org", cert("*.example.org"))
    assert not name_matches("example.org", cert("*.example.org"))
    assert name_matches("127.0.0.1", cert("localhost", "127.0.0.1"))
    assert not name_matches("127.0.0.2", cert("127.0.0.1"))
    assert name_matches("legacy.example.org", cert(cn="legacy.example.org"))


def test_mechanism_choice_follows_the_plan_order() -> None:
    assert choose_mechanism(("LOGIN", "PLAIN"), ("PLAIN", "LOGIN")) == "LOGIN"
    assert choose_mechanism(("PLAIN", "LOGIN"), ("LOGIN", "PLAIN", "CRAM-MD5")) == "PLAIN"
    assert choose_mechanism(("XOAUTH2", "PLAIN"), ("XOAUTH2", "PLAIN")) == "PLAIN"
    assert choose_mechanism(("XOAUTH2", "PLAIN"), ("XOAUTH2", "PLAIN"), have_token=True) \
        == "XOAUTH2"
    assert choose_mechanism(("LOGIN",), ("NTLM", "GSSAPI")) is None
    assert choose_mechanism(("DIGEST-MD5",), ("DIGEST-MD5",)) is None
