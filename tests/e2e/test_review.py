"""The review stage in Slack: findings in the thread, Apply and Dismiss, the fix forms, the
boundary questions, re-running the review."""

from __future__ import annotations

import json

import pytest

from dpflow.domain.model import FindingKind, Stage
from dpflow.slack.blocks.review import KINDS
from dpflow.slack.ids import Action, Block
from dpflow.slack.metadata import AnswerValue, FindingValue, StageValue
from tests.conftest import ALICE, CHANNEL, FACILITATOR
from tests.e2e.shop import HEADINGS, buttons, finding_button, run_to_review


async def export(w) -> dict:
    return await w.exported()


def findings_of(doc: dict) -> dict[tuple[str, str], str]:
    return {(f["kind"], f["subject"]): f["status"] for f in doc["findings"]}


async def click(w, action: str, kind: FindingKind, subject: str, user: str = FACILITATOR,
                value: str | None = None):
    ts, finding = finding_button(w, kind, subject)
    response = await w.driver.click(user, action, channel=CHANNEL, message_ts=ts,
                                    value=value or FindingValue(finding=finding).dump())
    assert response.status == 200, response.text
    await w.settle()
    return ts, finding


async def submit(w, values: dict):
    view = w.state.views_for(FACILITATOR)[-1]
    response = await w.driver.submit(FACILITATOR, values, view_id=view["id"])
    assert response.status == 200, response.text
    await w.settle()
    return view, response


def text_value(text: str) -> dict:
    return {Block.LINE: {Block.LINE: {"type": "plain_text_input", "value": text}}}


def thread_text(w) -> str:
    return json.dumps(w.state.messages(CHANNEL, w.stage_thread("review")))


@pytest.fixture
async def reviewed(workspace):
    await run_to_review(workspace)
    return workspace


async def test_findings_are_posted_grouped_with_apply_and_dismiss(reviewed):
    w = reviewed
    messages = w.state.messages(CHANNEL, w.stage_thread("review"))
    headings = [b["text"]["text"].split(" (")[0] for m in messages for b in m["blocks"]
                if b["type"] == "section" and b["text"]["text"].startswith(HEADINGS)]
    assert headings == [f"*{name}*" for name, _ in KINDS.values()]
    assert all(len(m["blocks"]) <= 50 for m in messages)
    assert buttons(messages[0]).count(Action.APPLY_FINDING) == len((await export(w))["findings"])
    assert buttons(messages[0]).count(Action.DISMISS_FINDING) \
        == buttons(messages[0]).count(Action.APPLY_FINDING)


async def test_applying_mixed_planes_updates_the_message_and_posts_what_it_raised(reviewed):
    w = reviewed
    ts, _ = await click(w, Action.APPLY_FINDING, FindingKind.MIXED_PLANES, "DP1")
    message = w.state.message(CHANNEL, ts)
    assert f"*Applied* by <@{FACILITATOR}>" in json.dumps(message)
    assert "made DP5: rename it with `/dpflow edit DP5 <name>`" in json.dumps(message)
    doc = await export(w)
    product = next(p for p in doc["data_products"] if p["ref"] == "DP5")
    assert (product["name"], product["kind"], product["reads"]) == (
        "Orders decision support", "consumer-aligned", ["P1"])
    assert findings_of(doc)[("mixed-planes", "DP1")] == "applied"
    newest = w.state.messages(CHANNEL, w.stage_thread("review"))[-1]
    assert newest["ts"] != ts and "*DP5*" in json.dumps(newest)  # DP5 has no owner yet


async def test_a_participant_cannot_apply_or_dismiss(reviewed):
    w = reviewed
    before = await export(w)
    for action in (Action.APPLY_FINDING, Action.DISMISS_FINDING):
        await click(w, action, FindingKind.MIXED_PLANES, "DP1", user=ALICE)
        refusal = w.state.ephemerals(ALICE)[-1].text
        assert "Only facilitators can apply or dismiss review findings" in refusal
        assert f"<@{FACILITATOR}>" in refusal
    assert await export(w) == before
    assert finding_button(w, FindingKind.MIXED_PLANES, "DP1")


async def test_a_table_like_name_is_renamed_in_a_form(reviewed):
    w = reviewed
    ts, _ = await click(w, Action.APPLY_FINDING, FindingKind.TABLE_LIKE_NAME, "P2")
    view = w.state.views_for(FACILITATOR)[-1]
    assert view["blocks"][1]["element"]["initial_value"] == "Orders"
    _, refused = await submit(w, text_value("orders_v2"))
    assert "table name" in refused.json["errors"][Block.LINE]
    assert findings_of(await export(w))[("table-like-name", "P2")] == "open"
    await submit(w, text_value("Orders as placed"))
    doc = await export(w)
    assert "Orders as placed" in [p["name"] for dp in doc["data_products"]
                                  for p in dp["output_ports"]]
    assert findings_of(doc)[("table-like-name", "P2")] == "applied"
    assert f"*Applied* by <@{FACILITATOR}>" in json.dumps(w.state.message(CHANNEL, ts))


async def test_owner_port_and_supports_are_fixed_in_forms(reviewed):
    w = reviewed
    await click(w, Action.APPLY_FINDING, FindingKind.NO_OWNER, "DP3")
    await submit(w, text_value("Customer care"))
    await click(w, Action.APPLY_FINDING, FindingKind.UNSUPPORTED_DECISION, "D4")
    await submit(w, {**text_value("Returns by reason"),
                     Block.PRODUCT: {Block.PRODUCT: {"type": "static_select",
                                                     "selected_option": {"value": "DP3"}}}})
    await click(w, Action.APPLY_FINDING, FindingKind.UNUSED_PORT, "P2")
    await submit(w, {Block.SUPPORTS: {Block.SUPPORTS: {
        "type": "multi_static_select", "selected_options": [{"value": "D1"}]}}})
    doc = await export(w)
    products = {p["ref"]: p for p in doc["data_products"]}
    assert products["DP3"]["owner"] == "Customer care"
    assert [(p["name"], p["supports"]) for p in products["DP3"]["output_ports"]] == [
        ("Returns by reason", ["D4"])]
    assert next(p for p in products["DP1"]["output_ports"] if p["ref"] == "P2")["supports"] \
        == ["D1"]
    findings = findings_of(doc)
    assert [findings[k] for k in (("no-owner", "DP3"), ("unsupported-decision", "D4"),
                                  ("unused-port", "P2"))] == ["applied"] * 3


async def test_boundary_questions_turn_into_advice_and_a_split(reviewed):
    w = reviewed
    await click(w, Action.APPLY_FINDING, FindingKind.CONSUMER_BOUNDARY, "DP4")
    assert "Answer the three questions first" in w.state.ephemerals(FACILITATOR)[-1].text
    _, finding = finding_button(w, FindingKind.CONSUMER_BOUNDARY, "DP4")
    answer = AnswerValue(finding=finding, question="different_ownership", yes=True).dump()
    await click(w, Action.ANSWER_BOUNDARY, FindingKind.CONSUMER_BOUNDARY, "DP4", value=answer)
    assert "Split them into separate data products" in thread_text(w)
    assert "Could they have different owners in the long run? *yes*" in thread_text(w)
    await click(w, Action.APPLY_FINDING, FindingKind.CONSUMER_BOUNDARY, "DP4")
    await submit(w, text_value("Express delivery"))
    doc = await export(w)
    products = {p["name"]: p for p in doc["data_products"]}
    assert [p["name"] for p in products["Express delivery"]["output_ports"]] == ["Express slots"]
    assert products["Express delivery"]["kind"] == "consumer-aligned"
    assert [p["name"] for p in products["Delivery promise"]["output_ports"]] == [
        "Delivery time per region"]
    assert findings_of(doc)[("consumer-boundary", "DP4")] == "applied"


async def test_dismissed_findings_stay_dismissed_when_the_review_runs_again(reviewed):
    w = reviewed
    ts, _ = await click(w, Action.DISMISS_FINDING, FindingKind.UNUSED_PORT, "P2")
    assert f"*Dismissed* by <@{FACILITATOR}>" in json.dumps(w.state.message(CHANNEL, ts))
    first = await export(w)
    assert findings_of(first)[("unused-port", "P2")] == "dismissed"
    response = await w.command("stage review")
    assert "review" in response.json["text"]
    again = await export(w)
    assert again["findings"] == first["findings"]
    assert len({(f["kind"], f["subject"], f["message"]) for f in again["findings"]}) \
        == len(again["findings"])
    assert "*Dismissed* by" in thread_text(w)  # the new thread shows the list again
    assert finding_button(w, FindingKind.MIXED_PLANES, "DP1")


async def test_a_clean_board_says_so_and_suggests_moving_on(workspace):
    w = workspace
    await w.command("start Checkout")
    await w.command("add Order placed")
    for stage, line in (("aggregates", "Orders: E1"), ("decisions", "E1: Accept the order"),
                        ("ports", "DP1: Orders to accept for D1"),
                        ("canvases", "DP1 owner: Checkout team")):
        await w.command(f"stage {stage}")
        await w.command(f"add {line}")
    await w.command("stage review")
    messages = w.state.messages(CHANNEL, w.stage_thread("review"))
    assert "nothing to fix" in messages[-1]["text"]
    assert buttons(messages[-1]) == [Action.NEXT_STAGE]
    assert (await export(w))["findings"] == []
    await w.driver.click(FACILITATOR, Action.NEXT_STAGE, channel=CHANNEL,
                         message_ts=messages[-1]["ts"],
                         value=StageValue(stage=Stage.REVIEW).dump())
    await w.settle()
    assert (await export(w))["workshop"]["stage"] == "canvases"


async def test_a_finding_whose_cause_is_fixed_is_resolved_everywhere(reviewed):
    """The no-owner finding asks for `DP2 owner: …`; typed in the review thread, it is
    stored, and the finding shows resolved in its message, in status and in the export."""
    w = reviewed
    ts, _ = finding_button(w, FindingKind.NO_OWNER, "DP2")
    reply = await w.driver.reply(CHANNEL, w.stage_thread("review"), "DP2 owner: Warehouse team",
                                 user=ALICE)
    assert reply.status == 200 and not w.state.ephemerals(ALICE)
    assert findings_of(await export(w))[("no-owner", "DP2")] == "resolved"
    await w.settle(seconds=30)

    assert f"*Resolved* by <@{ALICE}>" in json.dumps(w.state.message(CHANNEL, ts))
    status = await w.command("status")
    assert "DP2 (no-owner)" not in json.dumps(status.json)
    await w.command("next")
    canvas = next(c.markdown for c in w.state.canvases.values() if "(`DP2`)" in c.markdown)
    assert f"**DP2 · no-owner** — _resolved by {ALICE} · " in canvas
