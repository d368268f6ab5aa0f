from datetime import UTC, datetime, timedelta

import pytest

from dpflow.domain.deadlines import parse_when, reminder_times, working_hours_nudge
from dpflow.domain.errors import UserError

# Wednesday 2025-03-12 15:00 UTC = 10:00 in Chicago (CDT, UTC-5)
NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)
CHI = "America/Chicago"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("in 2d", NOW + timedelta(days=2)),
    ("in 36h", NOW + timedelta(hours=36)),
    ("In 90m", NOW + timedelta(minutes=90)),
    ("in 1w", NOW + timedelta(weeks=1)),
    ("in 3 days", NOW + timedelta(days=3)),
    ("2025-03-14T17:00+02:00", utc(2025, 3, 14, 15, 0)),
    ("2025-03-14 17:00Z", utc(2025, 3, 14, 17, 0)),
    ("2025-03-14 17:00", utc(2025, 3, 14, 22, 0)),
    ("2025-03-14", utc(2025, 3, 14, 23, 0)),
    ("friday 17:00", utc(2025, 3, 14, 22, 0)),
    ("Fri 17:00", utc(2025, 3, 14, 22, 0)),
    ("wed 09:00", utc(2025, 3, 19, 14, 0)),
    ("wed 11:00", utc(2025, 3, 12, 16, 0)),
    ("tomorrow 09:00", utc(2025, 3, 13, 14, 0)),
    ("today", utc(2025, 3, 12, 23, 0)),
])
def test_parse_when(text, expected):
    when = parse_when(text, NOW, CHI)
    assert when == expected
    assert when.tzinfo is UTC


def test_off():
    assert parse_when(" OFF ", NOW, CHI) is None


@pytest.mark.parametrize(("text", "words"), [
    ("2020-01-01", "already passed"),
    ("today 08:00", "already passed"),
    ("in 400w", "more than a year"),
    ("soonish", "not a deadline"),
    ("friday 25:00", "not a deadline"),
    ("in 2 fortnights", "not a deadline"),
])
def test_parse_when_refuses(text, words):
    with pytest.raises(UserError) as info:
        parse_when(text, NOW, CHI)
    assert words in info.value.message
    assert "in 2d" in info.value.hint


def test_unknown_zone_is_utc():
    assert parse_when("2025-03-14 17:00", NOW, "Mars/Olympus") == utc(2025, 3, 14, 17, 0)


def test_reminders_ahead():
    deadline = NOW + timedelta(days=2)
    assert reminder_times(deadline, NOW) == [("24h", deadline - timedelta(hours=24)),
                                             ("1h", deadline - timedelta(hours=1)),
                                             ("deadline", deadline)]


def test_reminders_partly_passed():
    deadline = NOW + timedelta(hours=5)
    assert reminder_times(deadline, NOW) == [("24h", NOW), ("1h", deadline - timedelta(hours=1)),
                                             ("deadline", deadline)]
    soon = NOW + timedelta(minutes=30)
    assert reminder_times(soon, NOW) == [("1h", NOW), ("deadline", soon)]
    assert reminder_times(NOW - timedelta(1), NOW) == [("deadline", NOW - timedelta(1))]


def test_nudge_in_working_hours():
    # deadline Fri 14 08:00 Chicago; the last day starts Thu 08:00 → nudge Thu 09:00
    assert working_hours_nudge(utc(2025, 3, 14, 13, 0), NOW, CHI) == utc(2025, 3, 13, 14, 0)
    # deadline Fri 17:00 Chicago: the last day starts Thu 17:00, inside working hours
    deadline = utc(2025, 3, 14, 22, 0)
    assert working_hours_nudge(deadline, NOW, CHI) == utc(2025, 3, 13, 22, 0)
    # the same deadline is Sat 07:00 in Tokyo → Fri 09:00 there
    assert working_hours_nudge(deadline, NOW, "Asia/Tokyo") == utc(2025, 3, 14, 0, 0)


def test_nudge_now_and_none():
    deadline = NOW + timedelta(hours=3)  # 13:00 Chicago, now is 10:00 there
    assert working_hours_nudge(deadline, NOW, CHI) == NOW
    night = utc(2025, 3, 13, 7, 0)  # 02:00 Chicago, nothing of 09–18 before it
    assert working_hours_nudge(night, NOW + timedelta(hours=9), CHI) is None
    assert working_hours_nudge(NOW - timedelta(hours=1), NOW, CHI) is None
