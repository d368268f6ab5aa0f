"""Logs for operators: one structured line per request and per job (JSON when
`DPFLOW_LOG_FORMAT=json`), and incident ids that tie what a person was shown to the line
that explains it."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

_FIELDS = "dpflow_fields"
_noted: ContextVar[dict | None] = ContextVar("dpflow_noted", default=None)


def new_incident() -> str:
    """A short id a person can quote and an operator can grep for."""
    return uuid.uuid4().hex[:8]


def setup(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Bolt logs the body of a request whose signature fails; dpflow refuses those before
    # Bolt sees them, and says no more than their size
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    # each retry of a Web API call is an INFO line of slack_sdk's; the outcome is ours to say
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)


def structured(logger: logging.Logger, message: str, level: int = logging.INFO,
               exc_info=None, **fields) -> None:
    """One line: `message` and its fields (None values left out)."""
    kept = {k: v for k, v in fields.items() if v is not None}
    logger.log(level, message, exc_info=exc_info, extra={_FIELDS: kept})


def note(**fields) -> None:
    """Adds to the line of the request being handled (team, workshop, incident…)."""
    noted = _noted.get()
    if noted is not None:
        noted.update({k: v for k, v in fields.items() if v is not None and k not in noted})


@contextlib.contextmanager
def request_line(logger: logging.Logger, **fields) -> Iterator[dict]:
    """Collects what the request's handling notes; logs one line when it ends. Set
    `outcome` in the yielded dict."""
    noted = dict(fields)
    token = _noted.set(noted)
    started = time.perf_counter()
    try:
        yield noted
    finally:
        _noted.reset(token)
        noted["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        failed = str(noted.get("outcome", "")).startswith(("5", "error"))
        structured(logger, "request", logging.WARNING if failed else logging.INFO, **noted)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, _FIELDS, None)
        if not fields:
            return text
        head, _, rest = text.partition("\n")
        pairs = " ".join(f"{k}={_text(v)}" for k, v in fields.items())
        return f"{head} {pairs}" + (f"\n{rest}" if rest else "")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname.lower(), "logger": record.name,
                "message": record.getMessage(), **getattr(record, _FIELDS, {})}
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def _text(value) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or " " in text or "=" in text \
        else text
