"""Sending one prepared message through SMTP, with the outcome said precisely enough for a
service to be crash-safe.

`Connection` opens the session (plain, STARTTLS or implicit TLS; login when a user is
configured) and `Connection.send` runs one transaction in the steps that matter:
MAIL and RCPT first, then a caller's `before_data()` hook (where the service records
that the message may now reach the server), then DATA.  What went wrong comes back as
one of three exceptions:

- `Transient`: try again later (a 4xx reply, a refused or dropped connection before
  DATA, a failed login or TLS handshake).
- `Permanent`: the server refused this message for good (a 5xx reply to every RCPT, or
  to the message itself).  A refused sender (MAIL) is transient: it is the setup that is
  wrong, and the replies must wait for it to be mended rather than be lost.
- `Ambiguous`: the connection failed while the message itself was being sent or
  acknowledged: the server may have accepted it.  Only this case can deliver twice if
  retried, so the caller must not retry it blindly.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import re
import smtplib
import socket
import ssl
from pathlib import Path
from typing import Callable, NamedTuple

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_CRLF = re.compile(rb"\r?\n")


class SmtpSettings(NamedTuple):
    """The `[smtp]` table: where to send and how to log in (the password never on the command line)."""

    host: str
    port: int = 587
    security: str = "starttls"           # starttls | tls | none
    user: str | None = None
    password_env: str | None = None      # the name of an environment variable holding the password
    password_file: str | None = None     # a file whose first line is the password
    timeout: float = 60.0


class SmtpFailure(Exception):
    def __init__(self, text: str, code: int | None = None) -> None:
        super().__init__(text)
        self.code = code


class Transient(SmtpFailure):
    """Nothing was delivered; the same message may be tried again later."""


class Permanent(SmtpFailure):
    """The server refused this message for good."""


class Ambiguous(SmtpFailure):
    """The message may or may not have been accepted."""


def password(settings: SmtpSettings, environ) -> str | None:
    """The configured password, or None when no user is configured.  A missing variable or an
    unreadable file is a `Transient` failure: fixing the deployment must not lose replies."""
    if not settings.user:
        return None
    if settings.password_env:
        value = environ.get(settings.password_env)
        if value is None:
            raise Transient(f"the environment variable {settings.password_env} (smtp.password-env) is not set")
        return value
    if settings.password_file:
        try:
            return Path(settings.password_file).read_text(encoding="utf-8").split("\n", 1)[0].rstrip("\r")
        except OSError as e:
            raise Transient(f"cannot read smtp.password-file {settings.password_file}: {e.strerror or e}") from None
    return ""


def envelope(data: bytes) -> list[str]:
    """The recipients of a prepared message: the addresses of its To and Cc, each once."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    found, seen = [], set()
    for _, addr in email.utils.getaddresses(headers.get_all("To", []) + headers.get_all("Cc", [])):
        if addr and "@" in addr and addr.lower() not in seen:
            seen.add(addr.lower())
            found.append(addr)
    return found


def _failure(e: BaseException, during: str) -> SmtpFailure:
    code = getattr(e, "smtp_code", None)
    text = getattr(e, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    detail = f"{code} {text}".strip() if code else f"{type(e).__name__}: {e}"
    if code is not None and 500 <= code < 600 and during == "message":
        return Permanent(f"{during}: {detail}", code)
    return Transient(f"{during}: {detail}", code)


class Connection:
    """One SMTP session, opened lazily, reused for the messages of one delivery round."""

    def __init__(self, settings: SmtpSettings, environ) -> None:
        self.settings = settings
        self.environ = environ
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        if self.smtp is not None:
            return
        s = self.settings
        secret = password(s, self.environ)
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            try:
                smtp.ehlo_or_helo_if_needed()
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.user:
                    smtp.login(s.user, secret or "")
            except BaseException:
                smtp.close()
                raise
        except (smtplib.SMTPException, OSError, ssl.SSLError) as e:   # refused, TLS, login: the round stops
            raise _failure(e, f"connecting to {s.host}:{s.port}") from None
        self.smtp = smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def send(self, sender: str, recipients: list[str], data: bytes,
             before_data: Callable[[], None] = lambda: None) -> dict[str, str]:
        """Send `data` to `recipients`; returns the recipients the server refused (when some were
        accepted).  `before_data` runs after the envelope was accepted, right before DATA."""
        if not recipients:
            raise Permanent("the message has no recipients (To/Cc)")
        self.open()
        smtp = self.smtp
        try:
            code, text = smtp.mail(sender)
            if code != 250:   # our own sender refused: a setup problem, never this message's fault
                smtp.rset()
                raise _failure(smtplib.SMTPSenderRefused(code, text, sender), "sender")
            refused = {}
            for rcpt in recipients:
                code, text = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))
            if len(refused) == len(recipients):
                smtp.rset()
                worst = min(c for c, _ in refused.values())   # any 4xx makes the whole refusal temporary
                detail = "; ".join(f"{r}: {c} {t}" for r, (c, t) in refused.items())
                if 500 <= worst < 600:
                    raise Permanent(f"every recipient refused: {detail}", worst)
                raise Transient(f"recipients refused: {detail}", worst)
        except SmtpFailure:
            raise
        except smtplib.SMTPServerDisconnected as e:
            self._drop()
            raise Transient(f"envelope: connection lost ({e})") from None
        except (smtplib.SMTPException, OSError) as e:
            self._drop()
            raise _failure(e, "envelope") from None
        before_data()
        try:
            code, text = smtp.data(_CRLF.sub(b"\r\n", data))   # smtplib leaves bytes as they are: SMTP wants CRLF
        except smtplib.SMTPDataError as e:    # DATA itself refused: the message was not sent
            try:
                smtp.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
            raise _failure(e, "message") from None
        except (smtplib.SMTPException, OSError, socket.timeout) as e:
            self._drop()
            raise Ambiguous(f"connection failed while sending the message: {type(e).__name__}: {e}") from None
        if code != 250:
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
            if 500 <= code < 600:
                raise Permanent(f"message: {code} {text}", code)
            raise Transient(f"message: {code} {text}", code)
        return {r: f"{c} {t}" for r, (c, t) in refused.items()}
