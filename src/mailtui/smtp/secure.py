"""The securing stages of a session: STARTTLS or implicit TLS with its checks, then AUTH.

Split from :mod:`mailtui.smtp.session` (``Session.connect`` calls these in order); failures
are built by the session so that they carry its facts and are scrubbed by its redactor.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

from mailtui.smtp import diagnose
from mailtui.smtp import tls as tlsmod
from mailtui.smtp.auth import authenticate, choose_mechanism
from mailtui.smtp.codes import ReplyCode
from mailtui.smtp.stages import Stage

if TYPE_CHECKING:
    from mailtui.smtp.sessionapi import SessionCore


def negotiate_tls(session: SessionCore, *, authenticate: bool) -> None:
    """STARTTLS (then EHLO again) as the plan says; never AUTH over a clear connection."""
    plan = session.plan
    caps = session._caps()
    if plan.security in ("starttls-optional", "starttls-required"):
        if caps.starttls:
            _starttls(session)
            session.ehlo()
            return
        if plan.security == "starttls-required":
            raise session._fail(Stage.TLS, "tls-not-offered",
                                detail="STARTTLS is required but the server did not offer it")
        if authenticate and plan.auth:
            raise session._fail(Stage.TLS, "tls-needed-for-auth",
                                detail="STARTTLS not offered; refusing to send the password "
                                       "over an unencrypted connection")
        session.info("STARTTLS not offered: continuing unencrypted (no credentials will be "
                     "sent; mail.smtp.starttls.required=true would stop here)")
    elif plan.security == "none" and authenticate and plan.auth:
        raise session._fail(Stage.TLS, "auth-needs-tls",
                            detail="authentication is on but the connection is not encrypted",
                            starttls_offered=caps.starttls)


def _starttls(session: SessionCore) -> None:
    client = session._client()
    client.stage = Stage.TLS
    session.check_cancelled()
    code, raw = client.docmd("STARTTLS")
    if code != ReplyCode.SERVICE_READY:
        raise session._reply_failure(Stage.TLS, code, raw)
    handshake(session)
    # RFC 3207: forget everything learnt before TLS.
    client.helo_resp = None
    client.ehlo_resp = None
    client.esmtp_features = {}
    client.does_esmtp = False


def handshake(session: SessionCore) -> None:
    """The TLS handshake (implicit TLS, or after STARTTLS), verification and pinning."""
    plan = session.plan
    client = session._client()
    client.stage = Stage.TLS
    assert plan.host is not None
    client.info(f"TLS handshake (server name {plan.host})")
    try:
        context = tlsmod.build_context(plan)
    except (ValueError, OSError) as exc:
        raise session._fail(Stage.CONFIG, "tls-config", detail=str(exc),
                            tls_key=getattr(exc, "key", None)) from None
    try:
        sock = client.start_tls_layer(context, plan.host)
    except TimeoutError:
        raise
    except ssl.SSLCertVerificationError as exc:
        client.close()
        session.check_cancelled()
        raise diagnose.certificate_failure(session, exc) from None
    except OSError as exc:
        client.close()
        session.check_cancelled()
        raise diagnose.handshake_failure(session, exc) from None
    identity_ok: bool | None = None
    cert = tlsmod.CertificateInfo.from_socket(sock)
    if plan.client_cert:
        client.info(f"client certificate offered: {plan.client_cert}")
    if (not tlsmod.verifies_chain(plan) and plan.check_server_identity
            and not plan.tls_fingerprints):
        identity_ok = cert is not None and tlsmod.name_matches(plan.host, cert)
    session.tls = tlsmod.describe_session(sock, plan, identity_ok)
    session._first_tls_reply = True
    for line in session.tls.lines():
        client.info(line)
    if plan.tls_fingerprints and not tlsmod.pin_matches(plan, cert):
        failure = session._fail(Stage.TLS, "cert-pin-mismatch",
                                detail="the certificate does not match mailtui.ssl.fingerprint",
                                expected=", ".join(plan.tls_fingerprints),
                                actual=cert.sha256 if cert else "no certificate")
        failure.failure.certificate = cert
        raise failure
    if identity_ok is False:
        failure = session._fail(Stage.TLS, "cert-hostname",
                                detail=f"certificate is not valid for {plan.host}")
        failure.failure.certificate = cert
        raise failure


def login(session: SessionCore) -> None:
    """AUTH with the first mechanism of the plan the server offers (over TLS only)."""
    plan = session.plan
    client = session._client()
    client.stage = Stage.AUTH
    caps = session._caps()
    if not client.tls_active:  # never, in any mode
        raise session._fail(Stage.TLS, "auth-needs-tls",
                            detail="refusing to authenticate over an unencrypted connection",
                            starttls_offered=caps.starttls)
    if not caps.auth:
        raise session._fail(Stage.AUTH, "auth-not-offered",
                            detail="the server does not offer AUTH")
    mechanism = choose_mechanism(plan.mechanisms, caps.auth,
                                 have_token=session.token_provider is not None)
    if mechanism is None:
        raise session._fail(Stage.AUTH, "auth-no-mechanism",
                            detail="no AUTH mechanism in common",
                            offered=list(caps.auth), mechanisms=list(plan.mechanisms))
    assert plan.username is not None
    client.info(f"authenticating as {plan.username} with {mechanism}")
    code, raw = authenticate(client, mechanism, plan.username, session.password,
                             authzid=plan.sasl_authzid, token_provider=session.token_provider)
    if code not in (ReplyCode.AUTH_SUCCEEDED, ReplyCode.BAD_SEQUENCE):
        raise session._reply_failure(Stage.AUTH, code, raw, mechanism=mechanism)
    session.mechanism = mechanism
