"""`/dpflow due <when>` and the moments reminders and nudges go out.

Decisions: a date alone means 18:00 local (the end of a working day); a weekday, `today` or
`tomorrow` without a time also means 18:00; a weekday is its next occurrence strictly after
now (today's only if that time is still ahead); an unknown time zone counts as UTC;
deadlines more than a year ahead are refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dpflow.domain.errors import UserError

FORM = "in 2d | in 36h | in 90m | in 1w | 2025-03-14 17:00 | 2025-03-14 | friday 17:00 | off"
END_OF_DAY = time(18, 0)
MAX_AHEAD = timedelta(days=366)

_UNITS = {"s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds",
          "seconds": "seconds", "m": "minutes", "min": "minutes", "mins": "minutes",
          "minute": "minutes", "minutes": "minutes", "h": "hours", "hr": "hours",
          "hrs": "hours", "hour": "hours", "hours": "hours", "d": "days", "day": "days",
          "days": "days", "w": "weeks", "wk": "weeks", "week": "weeks", "weeks": "weeks"}
_WEEKDAYS = {name: i for i, names in enumerate([
    ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
    ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
    ("sun", "sunday")]) for name in names}
_IN = re.compile(r"in\s+(\d{1,6})\s*([a-z]+)", re.ASCII)
_DAY = re.compile(r"([a-z]+)(?:\s+(?:at\s+)?(\d{1,2}):(\d{2}))?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_when(text: str, now: datetime, tz: str) -> datetime | None:
    """The deadline `text` names, as an aware UTC datetime; None for `off`.

    Raises UserError when `text` is not a deadline or is not in the future."""
    text = " ".join(text.strip().lower().split())
    if text == "off":
        return None
    when = _relative(text, now) or _iso(text, zone(tz)) or _day(text, now, zone(tz))
    if when is None:
        raise UserError(f"“{text[:40]}” is not a deadline I understand.", FORM)
    if when <= now:
        raise UserError("That deadline has already passed; give one in the future.", FORM)
    if when - now > MAX_AHEAD:
        raise UserError("That deadline is more than a year away; give a nearer one.", FORM)
    return when.astimezone(UTC)


def _relative(text: str, now: datetime) -> datetime | None:
    m = _IN.fullmatch(text)
    if not m or m[2] not in _UNITS:
        return None
    return now + timedelta(**{_UNITS[m[2]]: int(m[1])})


def _iso(text: str, tz: ZoneInfo) -> datetime | None:
    try:
        if _DATE.fullmatch(text):
            return datetime.combine(date.fromisoformat(text), END_OF_DAY, tz)
        when = datetime.fromisoformat(text.upper())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=tz)


def _day(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    m = _DAY.fullmatch(text)
    if not m:
        return None
    try:
        at = time(int(m[2]), int(m[3])) if m[2] else END_OF_DAY
    except ValueError:
        return None
    today = now.astimezone(tz).date()
    if m[1] in ("today", "tomorrow"):
        return datetime.combine(today + timedelta(days=m[1] == "tomorrow"), at, tz)
    weekday = _WEEKDAYS.get(m[1])
    if weekday is None:
        return None
    when = datetime.combine(today + timedelta(days=(weekday - today.weekday()) % 7), at, tz)
    return when if when > now else when + timedelta(days=7)


def reminder_times(deadline: datetime, now: datetime) -> list[tuple[str, datetime]]:
    """("24h", t), ("1h", t), ("deadline", deadline); reminders already due fire once, now."""
    due = [(label, deadline - ahead) for label, ahead in
           (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))]
    if deadline <= now:
        return [("deadline", deadline)]
    passed = [label for label, at in due if at <= now]
    times = [(passed[-1], now)] if passed else []
    return [*times, *((label, at) for label, at in due if at > now), ("deadline", deadline)]


def working_hours_nudge(deadline: datetime, now: datetime, user_tz: str, start: int = 9,
                        end: int = 18) -> datetime | None:
    """The first moment of the last 24 h before the deadline, not before now, that falls
    inside the person's working hours (`start`–`end` in their time zone); None if none."""
    tz = zone(user_tz)
    begin = max(now, deadline - timedelta(hours=24))
    day = begin.astimezone(tz).date()
    while (open_at := datetime.combine(day, time(start), tz)) < deadline:
        close_at = datetime.combine(day, time(end), tz)
        moment = max(begin, open_at)
        if moment < min(close_at, deadline):
            return moment.astimezone(UTC)
        day += timedelta(days=1)
    return None
