"""Mail through the municipality's own SMTP server (the EPSS_SMTP_* settings): plain text,
one message at a time, with a bounded wait. Nothing is queued here: a caller whose mail did
not go keeps what it needs to try again."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from epss.settings import Settings

TIMEOUT_SECONDS = 10.0


class MailNotSent(Exception):
    """The SMTP server could not be reached or refused the message."""


def send_mail(
    settings: Settings,
    to: list[str],
    subject: str,
    body: str,
    *,
    tls: ssl.SSLContext | None = None,
) -> None:
    """Send one message to `to`; raise MailNotSent when it did not go. `tls`: the context
    that checks the server's certificate (the system's trusted roots when None)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2].strip(">"))
    message.set_content(body)
    context = tls or ssl.create_default_context()
    try:
        if settings.smtp_security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
        with server:
            if settings.smtp_security == "starttls":
                server.starttls(context=context)
            if settings.smtp_username:
                server.login(settings.smtp_username, settings.smtp_password)
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailNotSent(f"{settings.smtp_host}:{settings.smtp_port}: {exc}") from exc
