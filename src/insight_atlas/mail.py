"""Outgoing mail: SMTP in production, a local outbox (files + log line) by default."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Annotated, Protocol

import aiosmtplib
from fastapi import Depends, Request

from insight_atlas.ops.logging import get_logger
from insight_atlas.private_files import private_directory, write_private_file
from insight_atlas.settings import MailBackend, Settings

_log = get_logger("insight_atlas.mail")


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain="insight-atlas.local")
    message.set_content(mail.body)
    return message


class OutboxMailer:
    """Keeps each message as an .eml file and logs it, so a local user can follow links."""

    def __init__(self, directory: Path, sender: str) -> None:
        self._directory = directory
        self._sender = sender

    async def send(self, mail: Mail) -> None:
        message = build_message(mail, self._sender)
        # Microseconds, so names sort in sending order; no address in the name: directory
        # listings and backups would show who got mail.
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self._directory / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        await asyncio.to_thread(self._write, path, message.as_bytes())
        _log.info("mail_outbox", to=mail.to, subject=mail.subject, body=mail.body, file=str(path))

    def _write(self, path: Path, data: bytes) -> None:
        private_directory(self._directory)
        write_private_file(path, data)


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, mail: Mail) -> None:
        settings = self._settings
        message = build_message(mail, settings.mail_from)
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            use_tls=settings.smtp_ssl,
            start_tls=settings.smtp_starttls and not settings.smtp_ssl,
            timeout=settings.smtp_timeout_seconds,
        )
        # The body may hold a live reset link: never log it in this backend.
        _log.info("mail_sent", to=mail.to, subject=mail.subject)


def create_mailer(settings: Settings) -> Mailer:
    if settings.mail_backend is MailBackend.SMTP:
        return SmtpMailer(settings)
    return OutboxMailer(settings.outbox_dir, settings.mail_from)


async def send_quietly(mailer: Mailer, mail: Mail) -> None:
    """Send after the response; a mail failure is logged, never shown to the requester."""
    try:
        await mailer.send(mail)
    except Exception:
        _log.exception("mail_failed", to=mail.to, subject=mail.subject)


async def app_mailer(request: Request) -> Mailer:
    mailer: Mailer = request.app.state.mailer
    return mailer


MailerDep = Annotated[Mailer, Depends(app_mailer)]
