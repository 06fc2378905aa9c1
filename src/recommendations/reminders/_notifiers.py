"""Notifiers: how a reminder leaves the library, one per channel, found by entry point.

A notifier is a class registered in the entry-point group ``recommendations.notifiers``
under its channel's name (``email = "recommendations.reminders:SmtpNotifier"``). It is
made with the channel's settings and its secret (read from the file or the environment
variable the rules name, never from the log), and :meth:`Notifier.send` hands one
:class:`Notice` over, or raises :class:`NotifierError`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from html import escape
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol

from attrs import frozen

from recommendations import domain
from recommendations._errors import RecommendationsError

__all__ = [
    "GROUP",
    "SIGNATURE_HEADER",
    "Notice",
    "Notifier",
    "NotifierError",
    "SmtpNotifier",
    "WebhookNotifier",
    "notifier_for",
    "read_secret",
    "signature",
]

GROUP = "recommendations.notifiers"
"""The entry-point group notifiers register in: ``channel = "package.module:Class"``."""

SIGNATURE_HEADER = "Recommendations-Signature"
"""The webhook's signature header: ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``."""


class NotifierError(RecommendationsError):
    """A reminder could not be handed over (or its channel cannot be used)."""


@frozen(kw_only=True)
class Notice:
    """One reminder as a notifier sends it. ``message_id`` is the same on every attempt."""

    message_id: str
    reference: str
    rule: str
    role: str
    target: str
    deadline: str | None
    attempt: int
    subject: str
    text: str

    def html(self) -> str:
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in self.text.split("\n\n"))
        return f"<!DOCTYPE html><html><body>{paragraphs}</body></html>"

    def payload(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "reference": self.reference,
            "rule": self.rule,
            "role": self.role,
            "deadline": self.deadline,
            "attempt": self.attempt,
            "subject": self.subject,
            "text": self.text,
        }


class Notifier(Protocol):
    """What a notifier does: hand one notice over, or raise :class:`NotifierError`."""

    def send(self, notice: Notice) -> None: ...


def read_secret(channel: domain.Channel) -> str | None:
    """The channel's secret, from the environment variable or the file its rules name
    (``None`` if they name neither); :class:`NotifierError` if it cannot be read. The
    secret is never recorded or printed."""
    if channel.secret_env is not None:
        value = os.environ.get(channel.secret_env)
        if value is None:
            raise NotifierError(
                f"the environment variable {channel.secret_env} holding the secret of "
                f"channel {channel.name!r} is not set",
                field="secret_env",
                rule="secret-readable",
            )
        return value
    if channel.secret_file is not None:
        try:
            return Path(channel.secret_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise NotifierError(
                f"the secret of channel {channel.name!r} cannot be read from "
                f"{channel.secret_file}: {error.strerror}",
                field="secret_file",
                rule="secret-readable",
            ) from None
    return None


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("true", "yes", "1")


class SmtpNotifier:
    """Email over SMTP: STARTTLS when ``starttls`` is true, a login when ``username`` is
    set (the password is the channel's secret), a plain-text and an HTML body, and a
    ``Message-ID`` stable for each reminder. Settings: ``host``, ``port``, ``sender``,
    ``starttls``, ``cafile`` (the certificate authorities to trust, if not the system's),
    ``username``, ``timeout`` (seconds)."""

    def __init__(self, channel: domain.Channel, secret: str | None) -> None:
        self.host = channel.setting("host", "localhost") or "localhost"
        self.port = int(channel.setting("port", "25") or 25)
        self.sender = channel.setting("sender", "recommendations@localhost") or ""
        self.starttls = _flag(channel.setting("starttls"))
        self.username = channel.setting("username")
        self.timeout = float(channel.setting("timeout", "10") or 10)
        self.password = secret
        self.cafile = channel.setting("cafile")

    def message(self, notice: Notice) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notice.target
        message["Subject"] = notice.subject
        message["Message-ID"] = notice.message_id
        message["X-Recommendations-Attempt"] = str(notice.attempt)
        message.set_content(notice.text)
        message.add_alternative(notice.html(), subtype="html")
        return message

    def send(self, notice: Notice) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=self.cafile))
                if self.username is not None:
                    smtp.login(self.username, self.password or "")
                _hook("mid-send")
                smtp.send_message(self.message(notice))
        except (OSError, smtplib.SMTPException) as error:
            raise NotifierError(
                f"the SMTP server {self.host}:{self.port} did not take the reminder: "
                f"{type(error).__name__}: {_safe(str(error), self.password)}",
                reference=notice.reference,
                field="email",
                rule="delivered",
            ) from None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The webhook's signature header value for ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookNotifier:
    """A JSON POST to the address's URL, signed with HMAC-SHA256 over ``timestamp.body``
    under the channel's secret (header :data:`SIGNATURE_HEADER`), with the reminder's
    message id in ``Recommendations-Message-Id``. Any answer but 2xx is a failure.
    Settings: ``timeout`` (seconds)."""

    def __init__(self, channel: domain.Channel, secret: str | None) -> None:
        self.secret = secret
        self.timeout = float(channel.setting("timeout", "10") or 10)
        self.clock: Callable[[], float] = time.time

    def send(self, notice: Notice) -> None:
        body = json.dumps(notice.payload(), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "Recommendations-Message-Id": notice.message_id,
        }
        if self.secret is not None:
            headers[SIGNATURE_HEADER] = signature(self.secret, int(self.clock()), body)
        request = urllib.request.Request(notice.target, data=body, headers=headers, method="POST")
        try:
            _hook("mid-send")
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            error.close()  # it holds the answer's connection
            raise NotifierError(
                f"the webhook answered {error.code}",
                reference=notice.reference,
                field="webhook",
                rule="delivered",
            ) from None
        except (OSError, ValueError) as error:
            raise NotifierError(
                f"the webhook could not be reached: {type(error).__name__}: "
                f"{_safe(str(error), self.secret)}",
                reference=notice.reference,
                field="webhook",
                rule="delivered",
            ) from None


def _safe(text: str, secret: str | None) -> str:
    return text.replace(secret, "[secret]") if secret else text


def notifier_for(channel: domain.Channel) -> Notifier:
    """The notifier registered for ``channel``'s name, made with its settings and secret."""
    found = [ep for ep in entry_points(group=GROUP) if ep.name == channel.name]
    if not found:
        known = sorted({ep.name for ep in entry_points(group=GROUP)})
        raise NotifierError(
            f"no notifier is installed for channel {channel.name!r} (installed: "
            f"{', '.join(known) or 'none'})",
            field="channel",
            rule="notifier-installed",
        )
    factory = found[0].load()
    made: Notifier = factory(channel, read_secret(channel))
    return made


def _hook(point: str) -> None:
    """Where a test stops the process dead (``RECOMMENDATIONS_REMIND_KILL_AT``)."""
    from ._run import kill_point

    kill_point(point)
