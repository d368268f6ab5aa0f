"""Text that no database stores the same way: NUL bytes (PostgreSQL refuses them) and lone
surrogates (neither database takes them). Slack can deliver both inside JSON escapes."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value):
    """The same value with NUL removed and lone surrogates shown as U+FFFD, in place."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(lambda m: "" if m[0] == "\x00" else "\ufffd", value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = storable(item)
    elif isinstance(value, list):
        value[:] = [storable(item) for item in value]
    return value
