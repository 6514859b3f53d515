"""Fixtures for the privacy tests: log output captured as production writes it."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from backend.core.logging import QUIET_LIBRARIES, configure_logging


class CapturedLogs:
    def __init__(self, buf: io.StringIO) -> None:
        self.buf = buf

    @property
    def text(self) -> str:
        return self.buf.getvalue()


@pytest.fixture
def captured_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[CapturedLogs]:
    """Everything logged during the test, at DEBUG, formatted by Loket's own configuration
    (``configure_logging``: JSON lines, libraries held at WARNING, addresses scrubbed)."""
    buf = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    monkeypatch.setattr(sys, "stdout", buf)
    configure_logging("DEBUG", json_lines=True)
    try:
        yield CapturedLogs(buf)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.NOTSET)
