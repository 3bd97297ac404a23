"""The session engine against real aiosmtpd servers on loopback: modes and the fault matrix."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mailtui.javamail.plan import Plan, Timeouts
from mailtui.mail.testmessage import build_test_message
from mailtui.smtp.session import Session, SessionError, SessionResult
from mailtui.smtp.stages import Stage
from mailtui.smtp.testsend import run_test_send
from mailtui.smtp.transcript import EventLog
from tests.support.pki import Authority, Issued, self_signed_server
from tests.support.smtpserver import (
    PASSWORD,
    USERNAME,
    Faults,
    RunningServer,
    credential_forms,
    free_port,
    start_server,
)

pytestmark = pytest.mark.integration

SENDER = "Records <sender@example.org>"
RCPT = "admin@example.org"
MAX_SECONDS = 10.0  # proves "no hang"; not a performance threshold


@dataclass
class Certs:
    workdir: Path
    ca_file: str
    good: Issued
    wrong_host: Issued
    self_signed: Issued


@pytest.fixture(scope="module")
def certs(test_ca: Authority, tmp_path_factory: pytest.TempPathFactory) -> Certs:
    workdir = tmp_path_factory.mktemp("smtp-certs")
    return Certs(
        workdir=workdir,
        ca_file=str(test_ca.write_ca(workdir / "ca.pem")),
        good=test_ca.issue_server(("localhost", "127.0.0.1")),
        wrong_host=test_ca.issue_server(("mail.other.test", "smtp.other.test")),
        self_signed=self_signed_server(("localhost", "127.0.0.1")),
    )


SECURITY = {"plain": "none", "starttls": "starttls-required", "implicit": "implicit-tls"}


def make_plan(server: RunningServer | None, certs: Certs, **overrides: Any) -> Plan:
    mode = server.mode if server else "plain"
    base = Plan(
        host="127.0.0.1",
        port=server.port if server else free_port(),
        security=SECURITY[mode],  # type: ignore[arg-type]
        auth=mode != "plain",
        mechanisms=("LOGIN", "PLAIN"),
        verify_certificate=True,
        check_server_identity=True,
        timeouts=Timeouts(connect=2.0, read=1.0, write=2.0),
        ehlo_name="client.example.org",
        envelope_from="sender@example.org",
        username=USERNAME,
        ca_file=certs.ca_file,
    )
    return dataclasses.replace(base, **overrides)


def send(plan: Plan, *, password: str | None = PASSWORD, to: list[str] | None = None,
         message: bytes | None = None) -> SessionResult:
    recipients = to or [RCPT]
    msg = message or build_test_message(SENDER, recipients[0])
    return run_test_send(plan, password, msg, recipients, EventLog())


def assert_clean(result: SessionResult, *, max_seconds: float = MAX_SECONDS) -> None:
    assert result.duration_s < max_seconds
    text = "\n".join(e.text for e in result.transcript) + repr(result.to_json())
    for form in credential_forms():
        assert form not in text


@contextlib.contextmanager
def server(certs: Certs, mode: str = "starttls", cert: Issued | None = None,
           **kwargs: Any) -> Iterator[RunningServer]:
    with start_server(mode=mode, cert=cert or certs.good, workdir=certs.workdir,  # type: ignore[arg-type]
                      **kwargs) as srv:
        yield srv


# -- success over each security mode -------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "security", "mechanisms", "auth"),
    [
        ("plain", "none", ("LOGIN",), False),
        ("starttls", "starttls-required", ("LOGIN", "PLAIN"), True),
        ("starttls", "starttls-optional", ("PLAIN",), True),
        ("implicit", "implicit-tls", ("CRAM-MD5",), True),
        ("implicit", "implicit-tls", ("PLAIN",), True),
    ],
)
def test_success_in_each_mode(certs: Certs, mode: str, security: str,
                              mechanisms: tuple[str, ...], auth: bool) -> None:
    with server(certs, mode) as srv:
        plan = make_plan(srv, certs, security=security, mechanisms=mechanisms, auth=auth)
        result = send(plan)
        assert result.ok, result.explanation
        assert (result.stage, result.exit_code) == (Stage.DONE, 0)
        assert result.reply_code == 250
        assert len(srv.received) == 1
        got = srv.received[0]
        assert got.rcpt_tos == [RCPT]
        assert got.mail_from == "sender@example.org"
        assert b"Auto-Submitted: auto-generated" in got.data
        assert got.authenticated_as == (USERNAME if auth else None)
    assert_clean(result)
    texts = [e.text for e in result.transcript]
    if auth:
        assert f"authenticating as {USERNAME} with {mechanisms[0]}" in texts
        auth_lines = [e for e in result.transcript if e.stage == Stage.AUTH and e.dir == "client"]
        assert all(e.tls for e in auth_lines)
        assert any("redacted" in e.text for e in auth_lines)
    if mode != "plain":
        assert result.tls is not None
        assert "certificate chain verified" in result.tls.verification
        assert any(t.startswith("certificate SHA-256: ") for t in texts)
    # The body is summarised, never shown.
    assert any(t.startswith("[body: ") for t in texts)
    assert not any("This is a test message" in t for t in texts)


def test_events_are_live_and_ordered(certs: Certs) -> None:
    seen: list[str] = []
    with server(certs) as srv:
        plan = make_plan(srv, certs)
        msg = build_test_message(SENDER, RCPT)
        result = run_test_send(plan, PASSWORD, msg, [RCPT], lambda e: seen.append(e.text))
    assert result.ok
    assert seen == [e.text for e in result.transcript]
    times = [e.t for e in result.transcript]
    assert times == sorted(times)
    assert result.transcript[0].dir == "info"
    assert any(e.dir == "server" and e.text.startswith("220 ") for e in result.transcript)


# -- the fault matrix ------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    stage: Stage
    faults: Faults | None = None
    mode: str = "starttls"
    plan: tuple[tuple[str, Any], ...] = ()
    during: Stage | None = None
    says: str = ""  # expected in the explanation (case-insensitive)
    cert: str = "good"
    password: str | None = PASSWORD
    server: tuple[tuple[str, Any], ...] = ()


CASES = [
    Case("greeting-421", Stage.GREETING, Faults(greeting="421 4.3.2 Service not available"),
         says="temporary"),
    Case("greeting-554", Stage.GREETING, Faults(greeting="554 5.7.1 No SMTP service here"),
         says="refused the connection at the greeting"),
    Case("ehlo-421", Stage.EHLO, Faults(ehlo="421 4.7.0 Try again later"), says="temporary"),
    Case("ehlo-550", Stage.EHLO, Faults(ehlo="550 5.7.1 Go away"), says="EHLO"),
    Case("starttls-454", Stage.TLS, Faults(starttls="454 4.7.0 TLS not available"),
         says="refused to start TLS"),
    Case("auth-535", Stage.AUTH, Faults(auth="535 5.7.8 Authentication credentials invalid"),
         says="username or password"),
    Case("auth-454", Stage.AUTH, Faults(auth="454 4.7.0 Temporary authentication failure"),
         says="temporary"),
    Case("auth-wrong-password", Stage.AUTH, password="not-the-password", says="password"),
    Case("auth-cram-535", Stage.AUTH, Faults(auth="535 5.7.8 Bad"),
         plan=(("mechanisms", ("CRAM-MD5",)),), says="username or password"),
    Case("gmail-534-app-password", Stage.AUTH,
         Faults(auth="534 5.7.9 Application-specific password required. gsmtp"),
         says="app password"),
    Case("gmail-535-bad-credentials", Stage.AUTH,
         Faults(auth="535 5.7.8 Username and Password not accepted. gsmtp"),
         says="app password"),
    Case("o365-535-smtp-auth-disabled", Stage.AUTH,
         Faults(auth="535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                     "disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled"),
         says="disabled for the tenant"),
    Case("o365-535-5.7.3", Stage.AUTH,
         Faults(auth="535 5.7.3 Authentication unsuccessful [X.PROD.OUTLOOK.COM]"),
         says="OAuth2"),
    Case("mail-530-starttls-first", Stage.MAIL_FROM,
         Faults(mail="530 5.7.0 Must issue a STARTTLS command first"), says="STARTTLS"),
    Case("mail-550-sendas-denied", Stage.MAIL_FROM,
         Faults(mail="550 5.7.60 SMTP; Client does not have permissions to send as this "
                     "sender"), says="not allowed to send as sender@example.org"),
    Case("mail-554-sendasdenied", Stage.MAIL_FROM,
         Faults(mail="554 5.2.252 SendAsDenied; sender@example.org not allowed to send as "
                     "boss@example.org"), says="not allowed to send as"),
    Case("mail-451", Stage.MAIL_FROM, Faults(mail="451 4.3.0 Temporary lookup failure"),
         says="temporary"),
    Case("rcpt-550", Stage.RCPT, Faults(rcpt="550 5.1.1 User unknown"), says="does not exist"),
    Case("rcpt-450-greylisted", Stage.RCPT,
         Faults(rcpt="450 4.7.1 Recipient address rejected: Greylisted, try again later"),
         says="greylist"),
    Case("data-554", Stage.DATA, Faults(data="554 5.5.1 No valid recipients"),
         says="refused to receive the message data"),
    Case("data-451", Stage.DATA, Faults(data="451 4.3.0 Try later"), says="temporary"),
    Case("after-data-552", Stage.AFTER_DATA,
         Faults(after_data="552 5.3.4 Message size exceeds fixed limit"), says="larger"),
    Case("after-data-550", Stage.AFTER_DATA,
         Faults(after_data="550 5.7.1 Message rejected as spam"), says="after receiving it"),
    Case("after-data-451", Stage.AFTER_DATA, Faults(after_data="451 4.3.0 Queue full"),
         says="temporary"),
    Case("close-at-greeting", Stage.CONNECTION_LOST, Faults(close_at="greeting"),
         during=Stage.GREETING, says="before greeting"),
    Case("close-at-ehlo", Stage.CONNECTION_LOST, Faults(close_at="ehlo"), during=Stage.EHLO),
    Case("close-at-auth", Stage.CONNECTION_LOST, Faults(close_at="auth"), during=Stage.AUTH,
         says="during authentication"),
    Case("close-at-mail", Stage.CONNECTION_LOST, Faults(close_at="mail"),
         during=Stage.MAIL_FROM),
    Case("close-mid-data", Stage.CONNECTION_LOST, Faults(close_after_354=True),
         says="not delivered"),
    Case("stall-greeting", Stage.TIMEOUT, Faults(stall_at="greeting"), during=Stage.GREETING,
         says="no greeting"),
    Case("stall-ehlo", Stage.TIMEOUT, Faults(stall_at="ehlo"), during=Stage.EHLO),
    Case("stall-rcpt", Stage.TIMEOUT, Faults(stall_at="rcpt"), during=Stage.RCPT,
         says="did not answer within 1 s"),
    Case("stall-after-data", Stage.TIMEOUT, Faults(stall_at="after-data"),
         during=Stage.AFTER_DATA, says="may or may not have been delivered"),
    Case("starttls-stripped-required", Stage.TLS, Faults(strip_starttls=True),
         says="did not offer STARTTLS"),
    Case("starttls-stripped-optional-auth", Stage.TLS, Faults(strip_starttls=True),
         plan=(("security", "starttls-optional"),), says="never sends credentials"),
    Case("auth-not-offered", Stage.AUTH, Faults(strip_auth=True),
         says="does not offer authentication"),
    Case("auth-no-common-mechanism", Stage.AUTH, plan=(("mechanisms", ("XOAUTH2",)),),
         says="none of which"),
    Case("plain-link-with-auth", Stage.TLS, mode="plain", plan=(("auth", True),),
         says="never sends credentials in clear"),
    Case("self-signed-certificate", Stage.TLS, cert="self_signed", says="self-signed"),
    Case("self-signed-implicit", Stage.TLS, mode="implicit", cert="self_signed",
         says="self-signed"),
    Case("wrong-host-certificate", Stage.TLS, cert="wrong_host",
         says="mail.other.test, smtp.other.test"),
    Case("wrong-host-trusted-chain-still-checks-name", Stage.TLS, cert="wrong_host",
         plan=(("trusted_hosts", ("127.0.0.1",)), ("verify_certificate", False)),
         says="mail.other.test"),
    Case("plaintext-server-on-implicit-port", Stage.TLS, mode="plain",
         plan=(("security", "implicit-tls"),), says="speaks plain SMTP"),
    Case("tls-server-on-plaintext-port", Stage.TIMEOUT, mode="implicit",
         plan=(("security", "none"), ("auth", False)), during=Stage.GREETING,
         says="implicit-TLS port"),
    Case("no-username", Stage.CONFIG, plan=(("username", None),), says="no username"),
    Case("no-password", Stage.CONFIG, password=None, says="no password"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault_matrix(certs: Certs, case: Case) -> None:
    cert = getattr(certs, case.cert)
    with server(certs, case.mode, cert, faults=case.faults, **dict(case.server)) as srv:
        plan = make_plan(srv, certs, **dict(case.plan))
        result = send(plan, password=case.password)
        received = list(srv.received)
    assert not result.ok
    assert result.stage == case.stage, (result.explanation, result.transcript)
    assert result.exit_code == case.stage.exit_code
    if case.during is not None:
        assert result.during == case.during
    assert case.says.lower() in result.explanation.lower(), result.explanation
    assert result.fix
    assert not received
    assert_clean(result)


def test_stage_exit_codes_match_the_spec() -> None:
    codes = {s.exit_code for s in Stage}
    # 130: cancelled (issue 9: cancel() or Ctrl-C; 128 + SIGINT, as shells report it)
    assert {0, 3, 10, 11, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 130} == codes


def test_refused(certs: Certs) -> None:
    result = send(make_plan(None, certs))
    assert (result.stage, result.exit_code) == (Stage.CONNECT, 11)
    assert "connection refused" in result.explanation
    assert_clean(result)


def test_dns_failure(certs: Certs) -> None:
    result = send(make_plan(None, certs, host="no-such-host.invalid"))
    assert (result.stage, result.exit_code) == (Stage.DNS, 10)
    assert "could not be resolved" in result.explanation


def test_connect_timeout_names_the_stage(certs: Certs) -> None:
    # A listening socket that never accepts: the backlog fills, then SYNs go unanswered.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(8):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                fillers.append(s)
            result = send(make_plan(None, certs, port=port,
                                    timeouts=Timeouts(connect=0.5, read=0.5, write=0.5)))
        finally:
            for s in fillers:
                s.close()
    # Depending on the kernel the connection is queued (greeting times out) or not.
    assert result.stage == Stage.TIMEOUT
    assert result.during in (Stage.CONNECT, Stage.GREETING)
    assert result.duration_s < MAX_SECONDS


# -- trust semantics ---------------------------------------------------------------------------
def test_ssl_trust_star_accepts_self_signed(certs: Certs) -> None:
    with server(certs, cert=certs.self_signed) as srv:
        plan = make_plan(srv, certs, trusted_hosts=("*",), verify_certificate=False)
        result = send(plan)
    assert result.ok, result.explanation
    assert result.tls is not None
    assert "NOT verified" in result.tls.verification
    assert "name 127.0.0.1 matches" in result.tls.verification


def test_check_server_identity_off_accepts_wrong_name(certs: Certs) -> None:
    with server(certs, cert=certs.wrong_host) as srv:
        result = send(make_plan(srv, certs, check_server_identity=False))
    assert result.ok, result.explanation
    assert result.tls is not None
    assert "host name NOT checked" in result.tls.verification


def test_ssl_cert_file_is_honoured(certs: Certs, monkeypatch: pytest.MonkeyPatch) -> None:
    with server(certs) as srv:
        without = send(make_plan(srv, certs, ca_file=None))
        monkeypatch.setenv("SSL_CERT_FILE", certs.ca_file)
        with_env = send(make_plan(srv, certs, ca_file=None))
    assert (without.stage, without.ok) == (Stage.TLS, False)
    assert with_env.ok, with_env.explanation


def test_tls_protocol_pinning(certs: Certs) -> None:
    with server(certs) as srv:
        result = send(make_plan(srv, certs, tls_protocols=("TLSv1.2",)))
    assert result.ok
    assert result.tls is not None and result.tls.version == "TLSv1.2"


# -- recipients, SMTPUTF8, DSN, pipelining, reuse ------------------------------------------------
def test_partial_recipients_stop_by_default(certs: Certs) -> None:
    faults = Faults(rcpt={"bad@example.org": "550 5.1.1 User unknown"})
    with server(certs, faults=faults) as srv:
        result = send(make_plan(srv, certs), to=[RCPT, "bad@example.org"])
        assert not srv.received
    assert (result.stage, result.exit_code) == (Stage.RCPT, 25)
    assert not result.message_sent


def test_partial_recipients_with_sendpartial(certs: Certs) -> None:
    faults = Faults(rcpt={"bad@example.org": "550 5.1.1 User unknown"})
    with server(certs, faults=faults) as srv:
        result = send(make_plan(srv, certs, send_partial=True), to=[RCPT, "bad@example.org"])
        assert [r.rcpt_tos for r in srv.received] == [[RCPT]]
    assert (result.stage, result.exit_code) == (Stage.RCPT, 25)
    assert result.message_sent
    assert "bad@example.org" in result.explanation
    assert [r.accepted for r in result.recipients] == [True, False]


def test_smtputf8_used_when_an_address_needs_it(certs: Certs) -> None:
    with server(certs) as srv:
        result = send(make_plan(srv, certs), to=["jürgen@example.org"])
        assert result.ok, result.explanation
        assert srv.received[0].rcpt_tos == ["jürgen@example.org"]
        assert "SMTPUTF8" in srv.received[0].mail_options


def test_idn_domain_goes_out_as_punycode_without_smtputf8(certs: Certs) -> None:
    with server(certs, smtputf8=False) as srv:
        result = send(make_plan(srv, certs), to=["info@bücher.example"])
        assert result.ok, result.explanation
        assert srv.received[0].rcpt_tos == ["info@xn--bcher-kva.example"]


def test_utf8_local_part_without_smtputf8_is_explained(certs: Certs) -> None:
    with server(certs, smtputf8=False) as srv:
        result = send(make_plan(srv, certs), to=["jürgen@example.org"])
    assert (result.stage, result.exit_code) == (Stage.RCPT, 25)
    assert "SMTPUTF8" in result.explanation


def test_dsn_options_when_offered(certs: Certs) -> None:
    with server(certs, faults=Faults(advertise=("DSN",))) as srv:
        result = send(make_plan(srv, certs, dsn_notify="SUCCESS,FAILURE", dsn_ret="HDRS"))
        assert result.ok, result.explanation
        assert "RET=HDRS" in srv.received[0].mail_options
        assert "NOTIFY=SUCCESS,FAILURE" in srv.received[0].rcpt_options


def test_dsn_options_ignored_when_not_offered(certs: Certs) -> None:
    with server(certs) as srv:
        result = send(make_plan(srv, certs, dsn_notify="FAILURE"))
        assert result.ok
        assert not srv.received[0].rcpt_options
    assert any("does not offer DSN" in e.text for e in result.transcript)


def test_one_connection_many_messages_pipelined(certs: Certs) -> None:
    faults = Faults(advertise=("PIPELINING",), rcpt={"bad@example.org": "550 5.1.1 Unknown"})
    log = EventLog()
    with server(certs, faults=faults) as srv:
        plan = make_plan(srv, certs)
        with Session(plan, password=PASSWORD, on_event=log) as session:
            caps = session.connect()
            assert caps.pipelining
            for i in range(3):
                msg = build_test_message(SENDER, f"user{i}@example.org")
                result = session.send("sender@example.org", [f"user{i}@example.org"], msg,
                                      pipelining=True)
                assert result.accepted == (f"user{i}@example.org",)
            with pytest.raises(SessionError) as err:
                session.send("sender@example.org", ["bad@example.org"],
                             build_test_message(SENDER, "bad@example.org"), pipelining=True)
            assert err.value.recoverable
            assert err.value.failure.stage == Stage.RCPT
            again = session.send("sender@example.org", [RCPT], build_test_message(SENDER, RCPT))
            assert again.accepted == (RCPT,)
        assert [r.rcpt_tos for r in srv.received] == [
            ["user0@example.org"], ["user1@example.org"], ["user2@example.org"], [RCPT]]
    greetings = [e for e in log.events if e.text.startswith("220 mx.test")]
    assert len(greetings) == 1  # one connection
    # MAIL, RCPT and DATA went out before their replies came back.
    texts = [(e.dir, e.text.split(" ")[0]) for e in log.events]
    start = texts.index(("client", "MAIL"))
    assert texts[start : start + 3] == [("client", "MAIL"), ("client", "RCPT"),
                                        ("client", "DATA")]


def test_message_bytes_are_sent_exactly(certs: Certs) -> None:
    message = (b"From: Someone <sender@example.org>\r\nTo: admin@example.org\r\n"
               b"Subject: dots\r\n\r\n.leading dot\r\n..two\r\nFrom the start\r\n")
    with server(certs) as srv:
        result = send(make_plan(srv, certs), message=message)
        assert result.ok
        assert srv.received[0].data == message


@pytest.mark.parametrize("token_ok", [True, False])
def test_xoauth2_hook(certs: Certs, token_ok: bool) -> None:
    token = "ya29.test-access-token-0123456789"
    with server(certs, oauth_token=token) as srv:
        plan = make_plan(srv, certs, mechanisms=("XOAUTH2", "PLAIN"))
        msg = build_test_message(SENDER, RCPT)
        result = run_test_send(plan, None, msg, [RCPT], EventLog(),
                               token_provider=lambda: token if token_ok else token[::-1])
        assert srv.handler.login_attempts == [("XOAUTH2", USERNAME.encode())]
    assert result.ok is token_ok
    if not token_ok:
        assert (result.stage, result.reply_code) == (Stage.AUTH, 535)
    text = "\n".join(e.text for e in result.transcript)
    assert "AUTH XOAUTH2 [token redacted: " in text
    for secret in (token, token[::-1]):
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode()[4:-4] not in text


def test_certificate_details_same_with_and_without_verification(certs: Certs) -> None:
    with server(certs, "implicit") as srv:
        verified = send(make_plan(srv, certs))
        trusted = send(make_plan(srv, certs, trusted_hosts=("*",), verify_certificate=False))
    assert verified.ok and trusted.ok
    assert verified.tls is not None and trusted.tls is not None
    assert verified.tls.certificate == trusted.tls.certificate
