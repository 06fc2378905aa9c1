"""Real servers on 127.0.0.1 for the reminder tests: an SMTP server (aiosmtpd) that counts
what it receives, and webhook receivers that accept, refuse, time out, or drop."""

from __future__ import annotations

import email
import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """What the SMTP server received, each message parsed; ``file``: also appended to,
    one Message-ID a line (for servers that outlive the test's processes)."""

    def __init__(self, file: Path | None = None) -> None:
        self.messages: list[Message] = []
        self.file = file
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
            if self.file is not None:
                with self.file.open("a") as out:
                    out.write(f"{message['Message-ID']}\n")
        return "250 OK"

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(file: Path | None = None, **options: Any) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox(file)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]]
    mode: str

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.mode == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if self.mode == "slow":
            threading.Event().wait(2)
        self.received.append((dict(self.headers.items()), body))
        self.send_response(500 if self.mode == "refuse" else 204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def webhook_server(
    mode: str = "accept",
) -> Iterator[tuple[list[tuple[dict[str, str], bytes]], str]]:
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("Hook", (_Hook,), {"received": received, "mode": mode})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
