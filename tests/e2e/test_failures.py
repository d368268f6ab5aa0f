"""Failures are never a silent 200: what stored nothing is answered so that Slack resends
it (and the resend is stored once), and a person who sees the failure sees its incident
id, which the operator's log line carries too."""

from __future__ import annotations

import logging
import re
import sqlite3

from sqlalchemy.engine import make_url

from dpflow.slack.ids import Action
from tests.conftest import ALICE, CHANNEL

INCIDENT = re.compile(r"error id `([0-9a-f]{8})`")


async def _events(w) -> list[str]:
    return [e["text"] for e in (await w.exported())["events"]]


def _cards_fail(w, failing: bool) -> None:
    """A database fault: while it is on, storing a card raises."""
    with sqlite3.connect(make_url(w.database_url).database) as db:
        db.execute("CREATE TABLE IF NOT EXISTS fault (on_ INTEGER)")
        db.execute("CREATE TRIGGER IF NOT EXISTS cards_fault BEFORE INSERT ON cards "
                   "WHEN EXISTS (SELECT 1 FROM fault) BEGIN SELECT RAISE(ABORT, 'fault'); END")
        db.execute("DELETE FROM fault")
        if failing:
            db.execute("INSERT INTO fault VALUES (1)")


def _logged_incidents(caplog) -> set[str]:
    return {r.dpflow_fields["incident"] for r in caplog.records
            if "incident" in getattr(r, "dpflow_fields", {})}


async def test_a_reply_that_failed_is_answered_500_and_slacks_resend_is_stored_once(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    thread = w.stage_thread("events")
    _cards_fail(w, True)
    first = await w.driver.reply(CHANNEL, thread, "Order placed", user=ALICE)
    assert first.status == 500
    assert await _events(w) == []
    assert w.state.ephemerals(ALICE) == []  # Slack resends it: nothing to tell yet

    _cards_fail(w, False)
    for retry in (1, 2):
        again = await w.driver.reply(CHANNEL, thread, "Order placed", user=ALICE, ts=first.ts,
                                     event_id=first.event_id, retry_num=retry)
        assert again.status == 200
    assert await _events(w) == ["Order placed"]
    await w.settle()
    assert w.state.reactions_on(CHANNEL, first.ts) == ["white_check_mark"]


async def test_after_slacks_last_resend_the_author_is_told_with_the_incident_id(workspace,
                                                                                caplog):
    w = workspace
    await w.command("start Order fulfilment")
    thread = w.stage_thread("events")
    _cards_fail(w, True)
    first = await w.driver.reply(CHANNEL, thread, "Order placed", user=ALICE)
    statuses = [first.status]
    for retry in (1, 2, 3):
        again = await w.driver.reply(CHANNEL, thread, "Order placed", user=ALICE, ts=first.ts,
                                     event_id=first.event_id, retry_num=retry)
        statuses.append(again.status)
    assert statuses == [500, 500, 500, 500]
    [told] = w.state.ephemerals(ALICE)
    assert told.thread_ts == thread
    [incident] = INCIDENT.findall(told.text)
    assert incident in _logged_incidents(caplog)
    assert await _events(w) == []


async def test_a_command_that_failed_answers_with_the_incident_id(workspace, caplog):
    w = workspace
    await w.command("start Order fulfilment")
    w.slack.fail("users.info")  # the asker's time zone
    answer = await w.driver.command("due in 2d", user="UFACIL", channel=CHANNEL)
    assert answer.status == 200  # Slack never resends a command: the answer is all there is
    [incident] = INCIDENT.findall(answer.text)
    assert incident in _logged_incidents(caplog)


async def test_a_button_that_failed_shows_the_incident_id_and_is_marked_failed(workspace,
                                                                              caplog):
    w = workspace
    await w.command("start Order fulfilment")
    thread = w.stage_thread("events")
    add = next(e for b in w.state.message(CHANNEL, thread)["blocks"] if b["type"] == "actions"
               for e in b["elements"] if e["action_id"] == Action.ADD)
    w.slack.fail("views.open")
    clicked = await w.driver.click(ALICE, Action.ADD, channel=CHANNEL, message_ts=thread,
                                   value=add["value"])
    assert clicked.status == 500
    [told] = [r for r in w.state.responses if r.user == ALICE]
    [incident] = INCIDENT.findall(told.payload["text"])
    assert incident in _logged_incidents(caplog)


async def test_a_failing_auth_test_after_the_start_loses_no_reply(workspace):
    """The token was checked at start; Bolt does not check it again on the first request
    (a failure there would be answered 200 and the reply lost)."""
    w = workspace
    w.slack.fail("auth.test", times=100)
    await w.command("start Order fulfilment")
    reply = await w.driver.reply(CHANNEL, w.stage_thread("events"), "Order placed", user=ALICE)
    assert reply.status == 200
    assert await _events(w) == ["Order placed"]


async def test_each_request_is_one_log_line_with_what_an_operator_needs(workspace, caplog):
    w = workspace
    await w.command("start Order fulfilment")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dpflow"):
        await w.driver.reply(CHANNEL, w.stage_thread("events"), "Order placed", user=ALICE)
    [line] = [r.dpflow_fields for r in caplog.records if r.getMessage() == "request"]
    assert line["kind"] == "event message"
    assert (line["team"], line["channel"], line["outcome"]) == ("T1", CHANNEL, 200)
    assert line["workshop"] and line["latency_ms"] > 0
