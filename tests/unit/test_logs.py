"""Operators' log lines: key=value text by default, one JSON object per line on request."""

from __future__ import annotations

import json
import logging

from dpflow.logs import JsonFormatter, TextFormatter, structured


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _record(**fields) -> logging.LogRecord:
    logger = logging.getLogger("dpflow.test")
    logger.setLevel(logging.INFO)
    lines = Lines()
    logger.addHandler(lines)
    try:
        structured(logger, "request", **fields)
    finally:
        logger.removeHandler(lines)
    return lines.records[0]


def test_json_is_one_object_per_line_with_the_fields():
    line = JsonFormatter().format(_record(kind="event message", team="T1", outcome=200,
                                          latency_ms=1.5, workshop=None))
    assert "\n" not in line
    assert json.loads(line) | {"time": None} == {
        "time": None, "level": "info", "logger": "dpflow.test", "message": "request",
        "kind": "event message", "team": "T1", "outcome": 200, "latency_ms": 1.5}


def test_text_is_key_value_pairs_after_the_message():
    line = TextFormatter().format(_record(kind="event message", outcome=200))
    assert line.endswith('dpflow.test: request kind="event message" outcome=200')
