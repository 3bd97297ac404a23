"""The failure explainer's table: which failures (kind, protocol stage, reply code, enhanced
status code, text, provider) get which words and fix.

Most specific rule first: :func:`mailtui.smtp.explain.find_rule` takes the first that matches.
``{placeholders}`` are filled by the explainer from the failure and the plan (host, port,
names on the certificate, offered mechanisms, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mailtui.smtp.codes import ReplyCode as R
from mailtui.smtp.results import FAILURE_KINDS, FailureKind
from mailtui.smtp.stages import Stage

if TYPE_CHECKING:
    from mailtui.smtp.results import Failure

Provider = Literal["gmail", "office365"]  # providers with rules of their own
_ALL_SENDING = frozenset({Stage.MAIL_FROM, Stage.RCPT, Stage.DATA, Stage.AFTER_DATA})


@dataclass(frozen=True)
class FailureRule:
    explanation: str
    fix: str
    kinds: frozenset[FailureKind] = frozenset()  # empty: any kind
    during: frozenset[Stage] = frozenset()  # empty: any stage
    codes: frozenset[int] = frozenset()
    enhanced: tuple[str, ...] = ()  # prefixes of the enhanced status code
    text: str | None = None  # regex searched (case-insensitive) in the reply and detail
    provider: Provider | None = None
    fact: str | None = None  # a fact the engine found out (failure.facts) must be true

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - FAILURE_KINDS
        if unknown:  # a misspelt kind would never match
            raise ValueError(f"unknown failure kind(s) {sorted(unknown)} in {self.explanation!r}")

    def matches(self, failure: Failure, provider: Provider | None) -> bool:
        if self.kinds and failure.kind not in self.kinds:
            return False
        if self.during and failure.during not in self.during:
            return False
        if self.codes and failure.reply_code not in self.codes:
            return False
        if self.enhanced and not (
            failure.enhanced_code and failure.enhanced_code.startswith(self.enhanced)
        ):
            return False
        if self.text is not None:
            haystack = f"{failure.reply or ''} {failure.detail or ''}"
            if not re.search(self.text, haystack, re.IGNORECASE):
                return False
        if self.fact and not failure.facts.get(self.fact):
            return False
        return not (self.provider and self.provider != provider)


def _r(explanation: str, fix: str, **kw: Any) -> FailureRule:
    for key in ("kinds", "during", "codes"):
        if key in kw:
            kw[key] = frozenset(kw[key])
    return FailureRule(explanation, fix, **kw)


_PORTS = ("use port 587 with STARTTLS (mail.smtp.starttls.enable=true) or port 465 with "
          "implicit TLS (mail.smtp.ssl.enable=true)")

FAILURE_RULES: tuple[FailureRule, ...] = (
    # --- configuration -------------------------------------------------------------------
    _r("No SMTP server is configured.", "set mail.smtp.host (or apply a preset: "
       "`mailtui presets`)", kinds={"no-host"}),
    _r("Authentication is on (mail.smtp.auth=true) but no username is set.",
       "set server.username (usually the full mailbox address)", kinds={"no-username"}),
    _r("Authentication is on (mail.smtp.auth=true) but no password is available.",
       "set one of server.password, server.password_env or server.password_command (for one "
       "run: --password-env NAME, --password-command CMD or --password-prompt)",
       kinds={"no-password"}),
    _r("There is no sender address for the envelope.",
       "set server.default_sender (or mail.smtp.from)", kinds={"no-sender"}),
    _r("The TLS settings cannot be used: {detail}.", "fix {tls_key}", kinds={"tls-config"}),
    # --- cancelled (cancel() or Ctrl-C): the connection was closed at once, without QUIT ---
    _r("Cancelled while waiting for the server to confirm the message: all of it was sent, "
       "so it may have been delivered.", "check the recipient's mailbox before sending it "
       "again", kinds={"cancelled"}, during={Stage.AFTER_DATA}),
    _r("Cancelled during {stage}, before the message was complete: it was not sent.",
       "send it again when ready", kinds={"cancelled"}, during=_ALL_SENDING),
    _r("Cancelled during {stage}: no message was sent.", "run it again when ready",
       kinds={"cancelled"}),
    # --- network -----------------------------------------------------------------------
    _r("The host name {host} could not be resolved: {detail}.",
       "check mail.smtp.host for typos, and this machine's DNS (`getent hosts {host}`)",
       kinds={"dns"}),
    _r("Nothing accepts connections on {host} port {port} (connection refused).",
       "check mail.smtp.port ({ports_hint}); check that the server runs and that no "
       "firewall rejects the port", kinds={"refused"}),
    _r("{host} port {port} cannot be reached: {detail}.",
       "check the network route and firewall from this machine to {host}",
       kinds={"unreachable"}),
    _r("No answer from {host} port {port} within {timeout} s: the connection attempt was "
       "silently dropped, typically by a firewall (many hosting providers block outgoing "
       "port 25, some also 465 and 587).",
       "check that outgoing connections to {host}:{port} are allowed; try the other "
       "submission port ({ports_hint}); raise mail.smtp.connectiontimeout on slow links",
       kinds={"timeout"}, during={Stage.DNS, Stage.CONNECT}),
    # --- wrong port / TLS mode -----------------------------------------------------------
    _r("Port {port} speaks plain SMTP (it answered {greeting!r}), but the properties expect "
       "implicit TLS, so the TLS handshake failed.",
       "for this port use STARTTLS: mail.smtp.ssl.enable=false and "
       "mail.smtp.starttls.enable=true (usually port 587); or keep implicit TLS and use "
       "port 465", kinds={"plaintext-on-tls-port"}),
    _r("The server accepted the connection but sent no greeting within {timeout} s, and "
       "port {port} completes a TLS handshake when asked: it is an implicit-TLS port.",
       "set mail.smtp.ssl.enable=true (implicit TLS) for this port, or use the STARTTLS "
       "port (usually 587) with mail.smtp.starttls.enable=true",
       kinds={"timeout"}, during={Stage.GREETING}, fact="speaks_tls"),
    _r("The server accepted the connection but sent no greeting within {timeout} s. Port "
       "{port} {tls_port_hint}",
       "if this is an implicit-TLS port (usually 465), set mail.smtp.ssl.enable=true; "
       "otherwise raise mail.smtp.timeout (some servers delay the greeting on purpose)",
       kinds={"timeout"}, during={Stage.GREETING}),
    _r("The server closed the connection before greeting: it may refuse this machine's IP "
       "address (block list, rate limit, not allowed to relay), or the port expects TLS.",
       "check the server's logs or ask the provider; check the port and TLS mode "
       "({ports_hint})", kinds={"lost"}, during={Stage.GREETING}),
    _r("The server's first answer is not SMTP: {reply}. Port {port} is probably another "
       "service (or a TLS port used without TLS).",
       "check mail.smtp.host and mail.smtp.port ({ports_hint})", kinds={"not-smtp"}),
    # --- certificates --------------------------------------------------------------------
    _r("The server's certificate is not valid for {host}: it names {names}.",
       "set mail.smtp.host to a name the certificate carries (e.g. {first_name}); only as a "
       "last resort, mail.smtp.ssl.checkserveridentity=false", kinds={"cert-hostname"}),
    _r("The server's certificate has expired ({detail}); it names {names} and was valid "
       "until {not_after}.",
       "the server's administrator must renew the certificate; until then mailtui will not "
       "trust it", kinds={"cert-expired"}),
    _r("The server's certificate is self-signed ({detail}): no trusted authority vouches for "
       "it. It names {names}.",
       "add that certificate as a trust anchor with mailtui.ssl.cafile=/path/to/cert.pem "
       "(or SSL_CERT_FILE); or trust this host without verification with "
       "mail.smtp.ssl.trust={host} (not recommended)",
       kinds={"cert-self-signed"}),
    _r("The server's certificate is not trusted: {detail}. It was issued by {issuer} for "
       "{names}.",
       "if the server uses a private CA, add the CA certificate with "
       "mailtui.ssl.cafile=/path/to/ca.pem (or SSL_CERT_FILE); or trust this host with "
       "mail.smtp.ssl.trust={host} (not recommended)", kinds={"cert-untrusted"}),
    _r("The server's certificate does not match the pinned fingerprint "
       "(mailtui.ssl.fingerprint): expected SHA-256 {expected}, the server presented SHA-256 "
       "{actual} ({subject}, issued by {issuer}, valid until {not_after}).",
       "if the server's certificate was renewed, check the new fingerprint out of band "
       "(`mailtui probe` shows it) and update mailtui.ssl.fingerprint; if it was not, someone "
       "may be intercepting the connection: do not send", kinds={"cert-pin-mismatch"}),
    _r("The server closed the connection right after the TLS handshake ({detail}): it did not "
       "accept the client certificate {client_cert} (issued by a CA it does not trust, "
       "expired, or not made for client authentication).",
       "check it with `openssl x509 -in {client_cert} -noout -issuer -dates -ext "
       "extendedKeyUsage` and ask the relay's administrator which CA it trusts",
       kinds={"tls-closed-after-handshake"}, fact="client_cert"),
    _r("The server ended the TLS session right after the handshake, before saying anything "
       "({detail}): the usual reason is a relay that requires a client certificate, and none "
       "is configured (or the server refuses this machine's address).",
       "set mailtui.ssl.certfile (and mailtui.ssl.keyfile) to the client certificate the "
       "relay expects; otherwise read the server's log for its TLS policy",
       kinds={"tls-closed-after-handshake"}),
    _r("The server refused the TLS handshake over the client certificate ({detail}).",
       "set mailtui.ssl.certfile / mailtui.ssl.keyfile to a certificate the relay accepts",
       kinds={"tls-handshake"},
       text=r"certificate.required|did not return a certificate|bad.certificate|unknown.ca"),
    _r("The TLS handshake timed out after {timeout} s.",
       "check the port and TLS mode ({ports_hint}); a plain-SMTP port waits for a command "
       "and never answers a handshake", kinds={"timeout"}, during={Stage.TLS}),
    _r("The server closed the connection during the TLS handshake ({detail}).",
       "check the TLS mode for port {port} ({ports_hint}); the server may reject the TLS "
       "versions or ciphers offered (mail.smtp.ssl.protocols)",
       kinds={"tls-handshake"}, text=r"EOF|reset|closed"),
    _r("The TLS handshake failed: {detail}.",
       "check the TLS mode for port {port} ({ports_hint}) and mail.smtp.ssl.protocols / "
       "ciphersuites", kinds={"tls-handshake"}),
    # --- STARTTLS ---------------------------------------------------------------------------
    _r("The server did not offer STARTTLS, and the properties require it "
       "(mail.smtp.starttls.required=true).",
       "check the port ({ports_hint}); if the server normally offers STARTTLS, something on "
       "the network path (antivirus, firewall 'SMTP inspection') is stripping it",
       kinds={"tls-not-offered"}),
    _r("The server did not offer STARTTLS and a password is needed. mailtui never sends "
       "credentials over an unencrypted connection (JavaMail's opportunistic mode would).",
       "use a port that offers STARTTLS or implicit TLS ({ports_hint}); if the server "
       "normally offers STARTTLS, something on the network path is stripping it",
       kinds={"tls-needed-for-auth"}),
    _r("Authentication is on but the connection is not encrypted, and mailtui never sends "
       "credentials in clear. {starttls_hint}",
       "set mail.smtp.starttls.enable=true and mail.smtp.starttls.required=true (port 587), "
       "or mail.smtp.ssl.enable=true (port 465)", kinds={"auth-needs-tls"}),
    _r("The server refused to start TLS: {reply}.",
       "a 454 is temporary: retry later; if it persists the server's TLS setup is broken",
       during={Stage.TLS}, kinds={"reply"}),
    # --- AUTH ------------------------------------------------------------------------------
    _r("The server does not offer authentication (no AUTH in its EHLO reply{after_tls}).",
       "port 25 is for server-to-server relay: use the submission port ({ports_hint}); if "
       "this server relays without a password (local relay, IP allow-list), set "
       "mail.smtp.auth=false", kinds={"auth-not-offered"}),
    _r("The server offers AUTH {offered}, none of which mailtui may use with "
       "mail.smtp.auth.mechanisms = {mechanisms}.",
       "allow one of PLAIN, LOGIN or CRAM-MD5 in mail.smtp.auth.mechanisms (XOAUTH2 needs "
       "OAuth2 support)", kinds={"auth-no-mechanism"}),
    _r("Gmail requires an app password for this account (2-Step Verification is on): the "
       "normal account password is refused for SMTP.",
       "create an app password at https://myaccount.google.com/apppasswords and use it as "
       "the password; the username is the full Gmail address",
       codes={R.MECHANISM_TOO_WEAK}, enhanced=("5.7.9",)),
    _r("Google blocked the sign-in and wants it confirmed in a browser.",
       "sign in to the account at https://accounts.google.com, then use an app password "
       "(https://myaccount.google.com/apppasswords)", codes={R.MECHANISM_TOO_WEAK},
       enhanced=("5.7.14",)),
    _r("Gmail did not accept the username or password. Gmail no longer accepts the "
       "account's normal password for SMTP: it needs an app password.",
       "use an app password (needs 2-Step Verification): "
       "https://myaccount.google.com/apppasswords; the username is the full address",
       codes={R.INVALID_CREDENTIALS}, enhanced=("5.7.8",), provider="gmail"),
    _r("Office 365: SMTP AUTH (authenticated client submission) is disabled for the tenant "
       "or for this mailbox.",
       "enable 'Authenticated SMTP' for the mailbox (Microsoft 365 admin center > Users > "
       "Mail > Manage email apps) or tenant-wide (Set-TransportConfig "
       "-SmtpClientAuthenticationDisabled $false); note that Microsoft is retiring Basic "
       "authentication for SMTP AUTH: plan for OAuth2 (XOAUTH2)",
       codes={R.INVALID_CREDENTIALS}, enhanced=("5.7.139",),
       text=r"SmtpClientAuthentication is disabled"),
    _r("Office 365 refused Basic authentication (a password) for this account: it is "
       "blocked by security defaults or a policy, or retired for SMTP AUTH.",
       "Microsoft is retiring Basic authentication for SMTP AUTH: move to OAuth2 "
       "(XOAUTH2), or ask the tenant administrator to exempt this mailbox",
       codes={R.INVALID_CREDENTIALS}, enhanced=("5.7.139",),
       text=r"basic auth|security defaults|policy"),
    _r("Office 365 refused the login ({enhanced}): the password is wrong, the account uses "
       "MFA, SMTP AUTH is disabled for the tenant or mailbox, or Basic authentication is "
       "retired for it (then only OAuth2 works).",
       "check the password; enable 'Authenticated SMTP' for the mailbox (admin center > "
       "Users > Mail > Manage email apps); if Basic authentication is blocked, move to "
       "OAuth2 (XOAUTH2)", codes={R.INVALID_CREDENTIALS}, enhanced=("5.7.139", "5.7.3")),
    _r("The server requires STARTTLS before this command ({reply}).",
       "set mail.smtp.starttls.enable=true and mail.smtp.starttls.required=true",
       codes={R.AUTH_REQUIRED}, text=r"STARTTLS|TLS first"),
    _r("The server requires authentication before accepting mail ({reply}).",
       "set mail.smtp.auth=true with server.username and a password",
       codes={R.AUTH_REQUIRED}, during=_ALL_SENDING),
    _r("The server rejected the username or password ({reply}).",
       "check server.username (often the full mailbox address) and the password; some "
       "providers need an app password instead of the account password",
       codes={R.INVALID_CREDENTIALS}),
    _r("The server rejected the authentication ({reply}).",
       "check the username, the password and mail.smtp.auth.mechanisms",
       during={Stage.AUTH},
       codes={R.SYNTAX_ERROR_IN_PARAMETERS, R.PARAMETER_NOT_IMPLEMENTED, R.MECHANISM_TOO_WEAK,
              R.ENCRYPTION_REQUIRED_FOR_MECHANISM, R.TEMPORARY_AUTH_FAILURE}),
    # --- sender, recipients, content -----------------------------------------------------------
    _r("The login {username} is not allowed to send as {sender} ({reply}).",
       "make server.default_sender (and mail.smtp.from) the mailbox you log in with, or "
       "have the administrator grant 'Send As' on {sender} to {username}",
       enhanced=("5.7.60", "5.2.252"), text=None),
    _r("The login {username} is not allowed to send as {sender} ({reply}).",
       "make server.default_sender (and mail.smtp.from) the mailbox you log in with, or "
       "grant this login the right to use that address",
       text=r"SendAsDenied|not owned by|sender address rejected|not authorized to send"),
    _r("The recipient's mailbox is full ({reply}).", "the recipient must make room; retry "
       "later", enhanced=("5.2.2", "4.2.2")),
    _r("The message ({message_size} bytes) is larger than the server accepts{size_hint}.",
       "send a smaller message (attachments)", codes={R.EXCEEDED_STORAGE}),
    _r("The message is larger than the server accepts{size_hint}.", "send a smaller message",
       enhanced=("5.3.4",)),
    _r("The server greylists: it turns away mail from unknown senders for a few minutes and "
       "accepts it when sent again ({reply}).",
       "wait 5 to 15 minutes and send again (a queueing mail server retries by itself)",
       codes={R.MAILBOX_BUSY, R.LOCAL_ERROR, R.INSUFFICIENT_STORAGE},
       text=r"gr[ae]y.?list|try again later|4\.7\.1"),
    _r("The server closed the session for a temporary reason (421: overloaded, rate "
       "limited, or this IP is throttled): {reply}.",
       "retry later; check the account's sending limits", codes={R.SERVICE_NOT_AVAILABLE}),
    _r("The recipient address {address} does not exist on the receiving server ({reply}).",
       "check the recipient address", during={Stage.RCPT}, enhanced=("5.1.1",)),
    _r("The server will not relay mail for you to that recipient ({reply}).",
       "authenticate (mail.smtp.auth=true with username and password) or send from an "
       "address/IP the server relays for", during={Stage.RCPT},
       text=r"relay|5\.7\.1"),
    _r("Some recipients were rejected ({rejected}); with mail.smtp.sendpartial=true the "
       "message went to the others ({accepted}).",
       "check the rejected addresses", kinds={"partial"}),
    _r("The address {address} contains non-ASCII characters in its local part and the "
       "server does not offer SMTPUTF8.",
       "use an ASCII address, or a server that supports internationalised mail (SMTPUTF8)",
       kinds={"smtputf8"}),
    _r("The server reported a temporary failure at {stage}: {reply}.",
       "retry later; a 452 at RCPT often means too many recipients or a full mailbox",
       codes={R.MAILBOX_BUSY, R.LOCAL_ERROR, R.INSUFFICIENT_STORAGE, R.TEMPORARY_AUTH_FAILURE,
              R.PARAMETERS_NOT_ACCOMMODATED}),
    # --- timeouts and lost connections -----------------------------------------------------
    _r("The server accepted the message data but did not confirm it within {timeout} s; it "
       "may or may not have been delivered.",
       "check the recipient's mailbox before sending again; content scanning of large "
       "messages can be slow: raise mail.smtp.timeout", kinds={"timeout"},
       during={Stage.AFTER_DATA}),
    _r("Sending the message data made no progress within {timeout} s.",
       "raise mail.smtp.writetimeout for large messages or slow links", kinds={"timeout"},
       during={Stage.DATA}),
    _r("The server did not answer within {timeout} s.",
       "raise mail.smtp.timeout if the server is just slow; otherwise check the server and "
       "the network path", kinds={"timeout"}),
    _r("The connection dropped during the message transfer: the server did not confirm the "
       "message, so consider it not delivered.",
       "a size limit, a content filter or antivirus, or a middlebox cutting long transfers "
       "are the usual causes: check the server's logs, then retry",
       kinds={"lost"}, during={Stage.DATA, Stage.AFTER_DATA}),
    _r("The server dropped the connection ({detail}); some servers disconnect instead of "
       "answering 535 after failed logins.",
       "check the username and password; wait before retrying in case of a lockout",
       kinds={"lost"}, during={Stage.AUTH}),
    _r("The server closed the connection ({detail}).",
       "retry; if it persists, check the server's logs (rate limits, block lists)",
       kinds={"lost"}),
    # --- by stage, generic -------------------------------------------------------------------
    _r("The server refused the connection at the greeting: {reply}.",
       "the server does not accept mail from this machine (block list, policy) or is "
       "overloaded; check with its administrator", during={Stage.GREETING}),
    _r("The server rejected EHLO {ehlo_name}: {reply}.",
       "some servers check the EHLO name: set mail.smtp.localhost to this machine's "
       "fully-qualified name", during={Stage.EHLO}),
    _r("The server refused the sender {sender}: {reply}.",
       "check server.default_sender / mail.smtp.from: many servers only accept the "
       "authenticated mailbox as sender", during={Stage.MAIL_FROM}),
    _r("The server refused the recipient: {reply}.", "check the recipient address",
       during={Stage.RCPT}),
    _r("The server refused to receive the message data: {reply}.",
       "read the server's text; this often follows a rejected recipient", during={Stage.DATA}),
    _r("The server refused the message after receiving it: {reply}.",
       "content filters (spam, virus, DMARC/SPF alignment of the From address) are the usual "
       "cause: read the server's text", during={Stage.AFTER_DATA}),
    _r("The server refused the authentication: {reply}.",
       "check the username, the password and mail.smtp.auth.mechanisms", during={Stage.AUTH}),
)

FALLBACK = FailureRule("The session failed at {stage}: {reply_or_detail}.",
                       "read the transcript above for the server's exact words")
