"""The notifiers against real servers on 127.0.0.1: SMTP with STARTTLS and a login, a
server that refuses, one that never answers, one that drops the connection; a webhook
signed with HMAC-SHA256, one that refuses, one too slow, one that drops. Secrets come from
the environment or a file, and are never recorded or printed."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

import recommendations as r
from recommendations import domain
from recommendations.reminders import (
    SIGNATURE_HEADER,
    Notice,
    NotifierError,
    SmtpNotifier,
    WebhookNotifier,
)

from .helpers import fill, record_rules, reminders, rules
from .servers import free_port, smtp_server, webhook_server

PASSWORD = "correct horse battery staple"


def _notice(target: str = "hpp@example.org") -> Notice:
    return Notice(
        message_id="<m1@recommendations>",
        reference="1.1",
        rule="overdue",
        role="owner",
        target=target,
        deadline="2017-06-30",
        attempt=1,
        subject="Overdue: recommendation 1.1",
        text="Overdue: recommendation 1.1.\n\nDue on: 2017-06-30.",
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _authenticator(
    server: object, session: object, envelope: object, mechanism: str, data: object
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_starttls_and_a_login_with_the_password_from_the_environment(
    tracker: r.Tracker,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with smtp_server(
        tls_context=context, require_starttls=True, auth_required=True, authenticator=_authenticator
    ) as (inbox, port):
        channel = domain.Channel(
            "email",
            (
                ("cafile", str(cert)),
                ("host", "127.0.0.1"),
                ("port", str(port)),
                ("starttls", "true"),
                ("timeout", "5"),
                ("username", "tracker"),
            ),
            secret_env="TRACKER_SMTP_PASSWORD",
        )
        record_rules(tracker, rules(port, channels=(channel,)), date(2017, 3, 1))
        fill(tracker, ["1.1"], due_on=date(2017, 6, 30))
        monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "wrong")
        first = reminders(tracker).run(date(2017, 7, 1))
        assert [d.rule for d, _ in first.failed] == ["overdue"]
        assert "wrong" not in first.failed[0][1]
        monkeypatch.setenv("TRACKER_SMTP_PASSWORD", PASSWORD)
        tracker._clock.jump_to(tracker._clock.now.replace(year=2018))  # type: ignore[attr-defined]
        second = reminders(tracker).run(date(2017, 7, 2))
        assert [d.rule for d in second.sent] == ["overdue"]
        assert len(inbox.messages) == 1
        assert inbox.messages[0]["X-Recommendations-Attempt"] == "2"
        stored = [repr(logged.event) for logged in tracker.log()]
        assert not any(PASSWORD in text or "wrong" in text for text in stored)
        assert PASSWORD not in capsys.readouterr().out


@contextmanager
def _silent_server(mode: str) -> Iterator[int]:
    """A TCP server that accepts and then says nothing (``mute``) or hangs up (``drop``)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            if mode == "drop":
                connection.close()
            else:
                held.append(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


@pytest.mark.parametrize("mode", ["refuse", "mute", "drop"])
def test_an_smtp_server_that_refuses_times_out_or_drops_is_a_failure(mode: str) -> None:
    @contextmanager
    def refusing() -> Iterator[int]:
        yield free_port()  # nothing listens there

    with refusing() if mode == "refuse" else _silent_server(mode) as port:
        notifier = SmtpNotifier(
            domain.Channel(
                "email", (("host", "127.0.0.1"), ("port", str(port)), ("timeout", "0.5"))
            ),
            None,
        )
        with pytest.raises(NotifierError) as failed:
            notifier.send(_notice())
    assert failed.value.rule == "delivered" and failed.value.reference == "1.1"


def test_the_webhook_is_signed_over_timestamp_and_body(tmp_path: Path) -> None:
    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text("s3cret\n")
    with webhook_server() as (received, url):
        channel = domain.Channel("webhook", secret_file=str(secret_file))
        from recommendations.reminders import notifier_for

        notifier = notifier_for(channel)
        assert isinstance(notifier, WebhookNotifier)
        notifier.clock = lambda: 1_500_000_000.0
        notifier.send(_notice(url))
    headers, body = received[0]
    signed = headers[SIGNATURE_HEADER]
    assert signed.startswith("t=1500000000,v1=")
    expected = hmac.new(b"s3cret", b"1500000000." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signed.split("v1=")[1], expected)
    assert headers["Recommendations-Message-Id"] == "<m1@recommendations>"
    assert json.loads(body)["reference"] == "1.1"


@pytest.mark.parametrize("mode", ["refuse", "slow", "drop"])
def test_a_webhook_that_refuses_is_too_slow_or_drops_is_a_failure(mode: str) -> None:
    with webhook_server(mode) as (_, url):
        notifier = WebhookNotifier(domain.Channel("webhook", (("timeout", "0.5"),)), "s3cret")
        with pytest.raises(NotifierError) as failed:
            notifier.send(_notice(url))
    assert failed.value.rule == "delivered"
    assert "s3cret" not in str(failed.value)


def test_a_secret_is_never_recorded() -> None:
    from recommendations.reminders import rules_from_toml

    with pytest.raises(r.ConfigurationError) as refused:
        rules_from_toml('[reminders.channels.email]\npassword = "hunter2"\n')
    assert refused.value.rule == "secret-not-recorded"
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize("store_url", ["memory"], indirect=True)
def test_a_run_posts_to_the_webhook_and_retries_a_refusal_with_the_same_message_id(
    tracker: r.Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", "s3cret")
    channel = domain.Channel("webhook", (("timeout", "2"),), secret_env="TRACKER_WEBHOOK_SECRET")
    with webhook_server("refuse") as (refused, url):
        book = (domain.Address("Head of Public Protection", "webhook", url),)
        record_rules(tracker, rules(0, addresses=book, channels=(channel,)), date(2017, 3, 1))
        fill(tracker, ["1.1"], due_on=date(2017, 6, 30))
        first = reminders(tracker).run(date(2017, 7, 1))
    assert [d.rule for d, _ in first.failed] == ["overdue"] and len(refused) == 1
    with webhook_server() as (received, url):
        book = (domain.Address("Head of Public Protection", "webhook", url),)
        record_rules(tracker, rules(0, addresses=book, channels=(channel,)), date(2017, 4, 1))
        tracker._clock.jump_to(tracker._clock.now.replace(year=2018))  # type: ignore[attr-defined]
        second = reminders(tracker).run(date(2017, 7, 2))
    assert [d.rule for d in second.sent] == ["overdue"]
    headers, body = received[0]
    assert headers["Recommendations-Message-Id"] == refused[0][0]["Recommendations-Message-Id"]
    assert json.loads(body)["attempt"] == 2
