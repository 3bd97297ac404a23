"""The TLS files a plan names (``mailtui.ssl.cafile``, ``certfile``, ``keyfile``) loaded into
an ``ssl`` context, with errors (``TlsSettingError``) that name the one key at fault, the
file and why.

The session's context (:func:`mailtui.smtp.tls.build_context`) loads them this way, and the
lint checks them the same way before any connection.
"""

from __future__ import annotations

import os
import ssl

from mailtui.javamail.plan import Plan


class TlsSettingError(ValueError):
    """A TLS setting that cannot be used; ``key`` is the one property at fault."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _pem_culprit(cert: str, key: str | None) -> str:
    """Which of certfile / keyfile OpenSSL could not use: the file without what it must hold,
    else (a key that does not match the certificate) the key file when there is one."""
    try:
        with open(cert, "rb") as handle:
            holds_cert = b"CERTIFICATE-----" in handle.read()
    except OSError:
        holds_cert = False
    return "mailtui.ssl.keyfile" if key and holds_cert else "mailtui.ssl.certfile"


class _EncryptedKey(Exception):
    """OpenSSL asked for a key password: never prompt (cron has no terminal)."""


def _no_password() -> bytes:
    raise _EncryptedKey


def load_client_certificate(context: ssl.SSLContext, plan: Plan) -> None:
    """mailtui.ssl.certfile / keyfile into ``context``. ValueError names the file and why."""
    cert, key = plan.client_cert, plan.client_key
    if cert is None:
        if key is not None:
            raise TlsSettingError("mailtui.ssl.keyfile", f"mailtui.ssl.keyfile {key} is set "
                                  "without mailtui.ssl.certfile")
        return
    for name, path in (("certfile", cert), ("keyfile", key)):
        if path is not None and not os.path.isfile(path):
            reason = "not a file" if os.path.exists(path) else "no such file"
            raise TlsSettingError(f"mailtui.ssl.{name}", f"mailtui.ssl.{name} {path}: {reason}")
    try:
        context.load_cert_chain(cert, key, password=_no_password)
    except _EncryptedKey:
        raise TlsSettingError(
            "mailtui.ssl.keyfile" if key else "mailtui.ssl.certfile",
            f"mailtui.ssl.{'keyfile' if key else 'certfile'} {key or cert}: the private key is "
            "encrypted; mailtui needs it unencrypted (openssl pkey -in KEY -out KEY.plain, "
            "then chmod 600)") from None
    except ssl.SSLError as exc:
        culprit = _pem_culprit(cert, key)
        why = f" ({exc.reason.replace('_', ' ').lower()})" if exc.reason else ""
        if culprit == "mailtui.ssl.keyfile":
            text = (f"mailtui.ssl.keyfile {key}: not the PEM private key of the certificate in "
                    f"mailtui.ssl.certfile {cert}{why}")
        else:
            text = (f"mailtui.ssl.certfile {cert}: not a PEM certificate with its matching "
                    f"private key{why}")
        raise TlsSettingError(culprit, text) from None
    except OSError as exc:
        name = "keyfile" if key and exc.filename == key else "certfile"
        raise TlsSettingError(f"mailtui.ssl.{name}", f"mailtui.ssl.{name} "
                              f"{key if name == 'keyfile' else cert}: {exc.strerror or exc}"
                              ) from None


def load_ca_file(context: ssl.SSLContext, path: str) -> int:
    """Add ``mailtui.ssl.cafile``'s PEM certificates to ``context``; how many it holds.
    ValueError naming the file and what is wrong with it."""
    def problem(reason: str) -> ValueError:
        return TlsSettingError("mailtui.ssl.cafile", f"mailtui.ssl.cafile {path}: {reason}")

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise problem(exc.strerror or str(exc)) from None
    if b"-----BEGIN CERTIFICATE-----" not in data \
            and b"-----BEGIN TRUSTED CERTIFICATE-----" not in data:
        raise problem("holds no PEM certificate (-----BEGIN CERTIFICATE-----); for a DER "
                      "file: openssl x509 -inform der -in FILE -out FILE.pem")
    before = context.cert_store_stats()["x509"]
    try:
        context.load_verify_locations(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        raise problem(f"not readable as PEM certificates ({reason})") from None
    return context.cert_store_stats()["x509"] - before


def check_ca_file(path: str) -> str | None:
    """What is wrong with a CA file (named in the text), or None when it is usable."""
    try:
        load_ca_file(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), path)
    except ValueError as exc:
        return str(exc)
    return None
