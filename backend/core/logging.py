"""JSON log lines with the request id. Personal data is never logged: log ids, not e-mails.

Two safety nets behind that rule: libraries that would log personal data at DEBUG (SQL with
its parameters, the SMTP conversation with addresses and bodies, HTTP clients with full URLs)
are held at WARNING whatever the level, and every line is scrubbed of e-mail addresses before
it is written (an exception text such as "recipient refused: jan@example.nl" included).

The server writes its lines off the request's path (``configure_logging(background=True)``,
issue 19): a request only puts the record on a queue (``RequestQueueHandler`` keeps its
request id and message on it), and one listener thread formats and writes it. Halves what
the access log costs a request (docs/benchmarks.md, "Per-request overhead").
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import queue
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Loggers of libraries that write personal data at INFO or DEBUG; kept at WARNING.
QUIET_LIBRARIES = ("httpx", "httpcore", "sqlalchemy", "aiosmtplib", "mail.log", "authlib",
                   "multipart", "python_multipart", "meilisearch", "urllib3")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
REDACTED_EMAIL = "[e-mail]"


def redact(line: str) -> str:
    """The line without e-mail addresses."""
    return EMAIL_RE.sub(REDACTED_EMAIL, line) if "@" in line else line

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "color_message"}  # uvicorn's ANSI-coloured copy of msg


_UNSET = object()


def _request_id(record: logging.LogRecord) -> str | None:
    """The request id of the request that logged the record: kept on the record when it went
    through the queue (the listener thread has no request), else the current one."""
    rid = record.__dict__.get("_request_id", _UNSET)
    return request_id_var.get() if rid is _UNSET else rid


class RequestQueueHandler(logging.handlers.QueueHandler):
    """Puts a record on the queue with what only the logging thread knows (its request id)
    and its message made final; formatting and writing wait for the listener thread."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record._request_id = request_id_var.get()
        record.msg = record.getMessage()  # later changes to the arguments change nothing
        record.args = None
        return record


_listener: logging.handlers.QueueListener | None = None


def stop_background_logging() -> None:
    """Write what is still queued and stop the listener thread (at exit, or before the
    logging is configured again)."""
    global _listener
    if _listener is not None:
        _listener.stop()
        _listener = None


atexit.register(stop_background_logging)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = _request_id(record)
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        rid = _request_id(record)
        base = redact(super().format(record))
        return f"{base} [{rid}]" if rid else base


def configure_logging(level: str = "INFO", *, json_lines: bool = True,
                      background: bool = False) -> None:
    """JSON (or text) lines on stdout; ``background=True`` (the server) writes them from a
    listener thread, so a request only queues its records."""
    global _listener
    # No line shows the caller's file and line, thread or process: don't collect them (the
    # "Optimization" section of the logging HOWTO). Halves the cost of an access-log line.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if json_lines else
                         TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    stop_background_logging()
    if background:
        _listener = logging.handlers.QueueListener(queue.SimpleQueue(), handler)
        _listener.start()
        root.handlers[:] = [RequestQueueHandler(_listener.queue)]
    else:
        root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Loket writes its own access log (backend.core.accesslog): route templates, no raw paths.
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).handlers[:] = []
        logging.getLogger(noisy).propagate = False
    # HTTP clients log full URLs at INFO (OIDC, Meilisearch), SQLAlchemy statements with their
    # parameters, aiosmtplib the SMTP conversation: keep only their warnings.
    for chatty in QUIET_LIBRARIES:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
