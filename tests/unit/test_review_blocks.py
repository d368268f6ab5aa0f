"""The review thread's messages keep Slack's limits for any number of findings."""

from __future__ import annotations

import json

from dpflow.domain.model import Finding, FindingKind, FindingStatus
from dpflow.domain.review import domain_name
from dpflow.services.review import FindingCard
from dpflow.slack.blocks.review import findings_message, findings_messages
from dpflow.slack.ids import Action
from dpflow.slack.metadata import AnswerValue


def cards(n: int) -> list[FindingCard]:
    kinds = list(FindingKind)
    return [FindingCard(i, Finding(kinds[i % len(kinds)], f"P{i}", "<!channel> " + "x" * 4000,
                                   details={"answers": {}, "recommendation": "ask"}))
            for i in range(1, n + 1)]


def test_many_findings_split_over_messages_within_limits():
    chunks = findings_messages(cards(230))
    assert [c.id for chunk in chunks for c in chunk] == list(range(1, 231))
    for chunk in chunks:
        blocks = findings_message(chunk)["blocks"]
        assert len(blocks) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
        assert "<!channel>" not in json.dumps(blocks)
    assert len(chunks) > 5


def test_a_decided_finding_shows_who_decided_and_no_buttons():
    card = FindingCard(7, Finding(FindingKind.NO_OWNER, "DP2", "No owner",
                                  status=FindingStatus.DISMISSED), decided_by="U1")
    blocks = findings_message([card])["blocks"]
    assert blocks[-1]["elements"][0]["text"] == "*Dismissed* by <@U1>"
    assert not [b for b in blocks if b["type"] == "actions"]


def test_boundary_findings_ask_the_three_questions_with_buttons():
    card = next(c for c in cards(3) if c.finding.kind is FindingKind.CONSUMER_BOUNDARY)
    actions = next(b for b in findings_message([card])["blocks"] if b["type"] == "actions")
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [Action.ANSWER_BOUNDARY] * 6 + [Action.APPLY_FINDING, Action.DISMISS_FINDING]
    assert AnswerValue.read(actions["elements"][0]["value"]) == AnswerValue(
        finding=card.id, question="same_process", yes=True)


def test_domain_names_for_table_like_ports():
    assert domain_name("fact_orders") == "Orders"
    assert domain_name("dim_customer_address") == "Customer address"
    assert domain_name("order_lines") == "Order lines"
