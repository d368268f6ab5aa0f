"""Buttons, forms, select options and boundary answers act only where their workshop lives
(its team and channel, as Slack signed them), and a replayed signed request acts once."""

from __future__ import annotations

import json

import aiohttp
import pytest

from dpflow.domain.model import FindingKind, Stage
from dpflow.slack.emulator import payloads
from dpflow.slack.emulator.driver import SlackDriver
from dpflow.slack.ids import Action, Block, Callback
from dpflow.slack.metadata import (
    AddContext,
    AnswerValue,
    CardValue,
    FindingValue,
    FixContext,
    PageValue,
)
from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR, SECRET, exported
from tests.e2e.shop import finding_button, run_to_review

OTHER_TEAM, OTHER_CHANNEL = "T2", "C0ELSEWHERE"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Each test on SQLite, and on PostgreSQL when DPFLOW_TEST_POSTGRES_URL is set."""
    if request.param == "postgresql":
        return request.getfixturevalue("fresh_database")
    return f"sqlite+aiosqlite:///{tmp_path / 'dpflow.db'}"


@pytest.fixture
async def intruder(workspace):
    """The same people and channel ids, sent as another workspace's requests."""
    workspace.slack.state.add_channel(OTHER_CHANNEL, "elsewhere")
    async with SlackDriver(workspace.app.url, SECRET, workspace.slack,
                           team=OTHER_TEAM) as driver:
        yield driver


async def board(w) -> dict:
    return await exported(w.database_url, CHANNEL)


def stage_button(w, stage: str, action: str) -> tuple[str, str]:
    thread = w.stage_thread(stage)
    value = next(e["value"] for b in w.state.message(CHANNEL, thread)["blocks"]
                 if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action)
    return thread, value


def refusal(w, user: str) -> str:
    return w.state.ephemerals(user)[-1].text


def notice(w, user: str) -> str:
    """What a refusal on the Home tab says (a modal: there is no message to answer)."""
    return json.dumps(w.state.views_for(user)[-1]["blocks"])


def add_forms(w, user: str) -> list[dict]:
    return [v for v in w.state.views_for(user) if v.get("callback_id") == Callback.ADD_FORM]


async def home_lists_a_workshop(w, user: str) -> bool:
    await w.driver.home_opened(user)
    return "Order fulfilment" in json.dumps(w.state.home_view(user)["blocks"])


async def test_join_add_and_mute_from_another_team_are_refused(workspace, intruder):
    w = workspace
    await w.command("start Order fulfilment")
    thread, join = stage_button(w, "events", Action.JOIN)
    _, add = stage_button(w, "events", Action.ADD)

    for action, value in ((Action.JOIN, join), (Action.ADD, add)):
        response = await intruder.click(BOB, action, channel=CHANNEL, message_ts=thread,
                                        value=value)
        assert response.status == 200
        assert "not in this workspace" in refusal(w, BOB)
    await intruder.click(BOB, Action.MUTE, value=join)  # as if from BOB's Home tab
    assert "not in this workspace" in notice(w, BOB)
    assert add_forms(w, BOB) == []
    assert not await home_lists_a_workshop(w, BOB)


async def test_a_button_acts_only_in_its_workshops_channel(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    await w.command("start Elsewhere", channel=OTHER_CHANNEL)
    _, join = stage_button(w, "events", Action.JOIN)
    elsewhere = w.stage_thread("events", channel=OTHER_CHANNEL)
    await w.driver.click(BOB, Action.JOIN, channel=OTHER_CHANNEL, message_ts=elsewhere,
                         value=join)
    assert "workshop in another channel" in refusal(w, BOB)
    assert not await home_lists_a_workshop(w, BOB)


async def test_home_and_dm_buttons_need_a_member(workspace):
    """The Home tab and DMs are in no workshop's channel: only its members act there."""
    w = workspace
    await w.command("start Order fulfilment")
    _, add = stage_button(w, "events", Action.ADD)
    _, join = stage_button(w, "events", Action.JOIN)
    for action, value in ((Action.ADD, add), (Action.MUTE, join)):
        await w.driver.click(BOB, action, value=value)
        assert "You do not take part in *Order fulfilment*" in notice(w, BOB)
    assert add_forms(w, BOB) == [] and not await home_lists_a_workshop(w, BOB)
    await w.driver.click(FACILITATOR, Action.ADD, value=add)  # a member, from the Home tab
    assert len(add_forms(w, FACILITATOR)) == 1


async def test_forms_options_pages_and_deletes_from_another_team_find_no_workshop(
        workspace, intruder):
    w = workspace
    await w.command("start Order fulfilment")
    await w.command("add Order placed\nOrder paid")
    context = AddContext(channel=CHANNEL, stage=Stage.EVENTS).dump()
    typed = {Block.LINE: {Block.LINE: {"type": "plain_text_input", "value": "Order lost"}}}
    submitted = await intruder.submit(BOB, typed, callback_id=Callback.ADD_FORM,
                                      private_metadata=context)
    assert "no workshop running in this channel" in submitted.json["errors"][Block.LINE]

    view = payloads.modal_view(Callback.ADD_FORM, {}, context, "V0FORGED", OTHER_TEAM)
    options = await intruder.send(payloads.interaction({
        "type": "block_suggestion", "user": {"id": BOB, "team_id": OTHER_TEAM},
        "team": {"id": OTHER_TEAM}, "action_id": Block.EVENT.value,
        "block_id": Block.EVENT.value, "value": "", "view": view}))
    assert options.status == 200 and "Order placed" not in options.text

    thread = w.stage_thread("events")
    for action, value in ((Action.LIST_PAGE, PageValue(kind="events", page=1).dump()),
                          (Action.CONFIRM_DELETE, CardValue(ref="E1").dump())):
        await intruder.click(FACILITATOR, action, channel=CHANNEL, message_ts=thread,
                             value=value)
        assert "no workshop running in this channel" in refusal(w, FACILITATOR)
    assert [e["text"] for e in (await board(w))["events"]] == ["Order placed", "Order paid"]


async def test_review_buttons_answers_and_fix_forms_stay_in_their_workshop(workspace, intruder):
    w = workspace
    await run_to_review(w)
    before = await board(w)
    ts, boundary = finding_button(w, FindingKind.CONSUMER_BOUNDARY, "DP4")
    answer = AnswerValue(finding=boundary, question="same_process", yes=True).dump()

    await w.driver.click(ALICE, Action.ANSWER_BOUNDARY, channel=CHANNEL, message_ts=ts,
                         value=answer)
    assert "Only facilitators can answer the boundary questions" in refusal(w, ALICE)
    _, owner = finding_button(w, FindingKind.NO_OWNER, "DP3")
    for action, value in ((Action.ANSWER_BOUNDARY, answer),
                          (Action.APPLY_FINDING, FindingValue(finding=owner).dump()),
                          (Action.DISMISS_FINDING, FindingValue(finding=owner).dump())):
        await intruder.click(FACILITATOR, action, channel=CHANNEL, message_ts=ts, value=value)
        assert "not in this workspace" in refusal(w, FACILITATOR)
    fix = FixContext(channel=CHANNEL, finding=owner, message_ts=ts).dump()
    typed = {Block.LINE: {Block.LINE: {"type": "plain_text_input", "value": "Intruders"}}}
    submitted = await intruder.submit(FACILITATOR, typed, callback_id=Callback.FIX_FINDING,
                                      private_metadata=fix)
    assert "not in this workspace" in submitted.json["errors"][Block.LINE]
    assert await board(w) == before
    assert [v.get("callback_id") for v in w.state.views_for(FACILITATOR)] == []


async def replayed(w, request: payloads.Request) -> list[aiohttp.ClientResponse]:
    """The same signed bytes, sent twice within Slack's five-minute window."""
    body, content_type = request
    headers = {"Content-Type": content_type, **payloads.sign(SECRET, body)}
    answers = []
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.post(f"{w.app.url}/slack/events", data=body,
                                 headers=headers) as response:
                answers.append((response.status, await response.text()))
    await w.settle()
    return answers


async def test_a_replayed_command_acts_once(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    url = w.slack.response_url(FACILITATOR, CHANNEL)
    await replayed(w, payloads.slash_command("add Order placed", FACILITATOR, CHANNEL, "T1",
                                             url))
    (first, _), (second, again) = await replayed(
        w, payloads.slash_command("next", FACILITATOR, CHANNEL, "T1", url))
    assert first == second == 200 and again == ""
    doc = await board(w)
    assert [e["text"] for e in doc["events"]] == ["Order placed"]
    assert doc["workshop"]["stage"] == "flow"


async def test_a_replayed_click_acts_once(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    thread, join = stage_button(w, "events", Action.JOIN)
    url = w.slack.response_url(BOB, CHANNEL, thread)
    message = w.state.message(CHANNEL, thread)
    answers = await replayed(w, payloads.block_actions(
        BOB, CHANNEL, Action.JOIN, join, thread, None, None, url, "actions", "T1", message))
    assert [status for status, _ in answers] == [200, 200]
    assert [e.text for e in w.state.ephemerals(BOB)] == ["You joined Order fulfilment."]
    assert await home_lists_a_workshop(w, BOB)
