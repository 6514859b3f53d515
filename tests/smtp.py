"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder:
    """aiosmtpd handler. ``mode``: "ok" accepts, "slow" answers after ``delay`` seconds with a
    temporary failure, "hang" waits until ``release`` is set and then refuses."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.mode = "ok"
        self.delay = 2.0
        self.release = threading.Event()
        self.data_started = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_started.set()
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
            return "451 4.3.0 Too slow, try again later"
        if self.mode == "hang":
            await asyncio.to_thread(self.release.wait, 60)
            return "451 4.3.0 Try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.recorder = Recorder()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self.recorder.release.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
