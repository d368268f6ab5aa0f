"""Nothing a person typed becomes a mention, a broadcast or a link on any surface: every
Block Kit builder gets a board whose every typed field is hostile, and what it builds must
keep that text literal and pass python-slack-sdk's block models."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import BlockElement, Option

from dpflow.domain.changes import Applied
from dpflow.domain.importing import Colour, Imported, Kind, LeftOut
from dpflow.domain.lines import AddEvent
from dpflow.domain.model import (
    Alignment,
    Board,
    DataProduct,
    Decision,
    Event,
    Finding,
    FindingKind,
    FindingStatus,
    Mode,
    Opportunity,
    Port,
    Stage,
    StageRun,
    Workshop,
)
from dpflow.domain.stickies import Sticky
from dpflow.domain.summary import Counted, StageSummary
from dpflow.render.canvas import render_canvas
from dpflow.render.index import BoardIndex
from dpflow.services.boards import Deletion, Status
from dpflow.services.deadlines import Due, Reminder
from dpflow.services.home import HomePage, HomeWorkshop
from dpflow.services.imports import Outcome
from dpflow.services.jobs import Alert, Job
from dpflow.services.review import NEEDS_FORM, FindingCard, FixForm
from dpflow.services.stages import Closing, StageView
from dpflow.services.workshops import Moved
from dpflow.slack import blocks, forms
from dpflow.slack.blocks import (
    alerts,
    answers,
    canvases,
    deadlines,
    home,
    imports,
    listing,
    review,
    stage,
)
from dpflow.slack.emulator import checks
from dpflow.slack.ids import Block as BlockId
from dpflow.slack.metadata import AddContext, FixContext, ImportContext
from dpflow.slack.text import said
from tests.hostile import HOSTILE, markdown_from_people, markup_from_people, strings

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def hostile_board(t: list[str]) -> Board:
    """Every field a person types, from `t` (30 strings)."""
    workshop = Workshop("w1", t[0], "T1", "C1", Stage.CANVASES, domain=t[1],
                        facilitators=["UFACIL"])
    events = [Event("E1", t[2], 1, "UA", t[3], t[4], t[5], t[6], "DP1"),
              Event("E2", t[7], 2, "UB", data_product="DP1")]
    decisions = [Decision("D1", t[8], "E1"), Decision("D2", t[9])]
    opportunities = [Opportunity("O1", Mode.AUTOMATE, t[10], "D1"),
                     Opportunity("O2", Mode.IDEA, t[11])]
    products = [
        DataProduct("DP1", t[12], Alignment.SOURCE, t[13], t[14], t[15], [t[16]], [t[17]],
                    [t[18]], [t[19]]),
        DataProduct("DP2", t[20], Alignment.CONSUMER, reads=["P1"]),
    ]
    ports = [Port("P1", t[21], "DP1", ["D1"]), Port("P2", t[22], "DP2", ["D2"]),
             Port("P3", t[23], "DP2")]
    findings = [Finding(kind, subject, t[24 + i % 6],
                        details={"ports": ["P2", "P3"], "answers": {"same_process": True},
                                 "recommendation": "split"})
                for i, (kind, subject) in enumerate(_SUBJECTS.items())]
    findings.append(Finding(FindingKind.NO_OWNER, "DP1", t[29], FindingStatus.DISMISSED,
                            key="dismissed"))
    return Board(workshop, events, decisions, opportunities, products, ports, findings)


_SUBJECTS = {FindingKind.MIXED_PLANES: "DP1", FindingKind.AUTOMATED_DECISION: "D1",
             FindingKind.CONSUMER_BOUNDARY: "DP2", FindingKind.UNSUPPORTED_DECISION: "D2",
             FindingKind.UNUSED_PORT: "P3", FindingKind.NO_OWNER: "DP2",
             FindingKind.TABLE_LIKE_NAME: "P1"}


def built(board: Board, t: list[str]) -> dict[str, object]:
    """What every builder makes of this board: builder name → its output."""
    w, index, product = board.workshop, BoardIndex.of(board), board.data_products[0]
    run = StageRun(7, w.id, Stage.FLOW, "C1", "1.2", NOW, deadline=NOW + timedelta(hours=5))
    view = StageView(run, board, board.sizes())
    cards = [FindingCard(i, f, "UFACIL") for i, f in enumerate(board.findings, 1)]
    summary = StageSummary(Stage.FLOW, {Counted.FLOW: 2}, {"UA": 2, "UB": 1}, [t[2], t[8]])
    found = [Colour(t[27][:40], 3, t[26], Kind.EVENT), Colour("", 1, "", Kind.SKIP)]
    workshop_home = HomeWorkshop("w1", t[0], "C1", "flow", True, 7, "1.2", NOW, 3,
                                 ["E1"], False, True)
    outputs = {
        "answers.help_text": answers.help_text(),
        "answers.started": answers.started(w),
        "answers.moved": answers.moved(Moved(w, "events", "flow")),
        "answers.added": answers.added([Applied("E1", f"E1 {t[2]}", True)]),
        "answers.edited": answers.edited(f"E1 {t[2]}"),
        "answers.deleted": [answers.deleted(Deletion("E1", ["E1", "D1"], [])),
                            answers.deleted(Deletion("E1", [], [f"D1 {t[8]}"]))],
        "answers.moved_event": answers.moved_event(["E2", "E1"]),
        "answers.facilitators_added": answers.facilitators_added("<@UNEW>"),
        "answers.closed": answers.closed(w),
        "answers.status": answers.status(Status(board, Stage.FLOW, NOW, 3)),
        "answers.listing": answers.listing(board, "all", 1),
        "answers.joined": answers.joined(w),
        "alerts.job_failing": alerts.job_failing(
            Alert(workshop="w1", failing=Job.NUDGE, incident="abc123", since=NOW,
                  error=t[5]), w.name, "C1"),
        "canvases.canvas_url": canvases.canvas_url("https://x.slack.com", "T1", "F1"),
        "canvases.canvas_summary": canvases.canvas_summary(index, product, "https://x/c"),
        "canvases.canvases_refused": canvases.canvases_refused(t[1]),
        "canvases.pictures_comment": canvases.pictures_comment(w.name, 2, 1),
        "canvases.export_comment": canvases.export_comment(w.name, "md"),
        "canvases.canvas_requested": canvases.canvas_requested(board.data_products),
        "canvases.export_requested": canvases.export_requested(w.name, "json", True),
        "deadlines.when": deadlines.when(NOW, "Europe/Rome"),
        "deadlines.due_set": [deadlines.due_set(Due(Stage.FLOW, NOW, "Europe/Rome")),
                              deadlines.due_set(Due(Stage.FLOW, None, "UTC"))],
        "deadlines.reminder_message": deadlines.reminder_message(
            Reminder(view, ["UA"], ["UB"]), NOW),
        "deadlines.nudge_message": deadlines.nudge_message(view, "https://x/p1"),
        "deadlines.deadline_message": deadlines.deadline_message(
            view, stage.summary_blocks(summary, None, {})),
        "home.thread_url": home.thread_url("https://x.slack.com", "C1", "1.2"),
        "imports.import_form": imports.import_form(t[25], 9, found, ImportContext(
            channel="C1", file="F1", workshop=None, colours="0123abcd")),
        "imports.import_result": imports.import_result(Outcome(w, True, Imported(
            [(AddEvent(t[2]), Applied("E1", f"E1 {t[2]}", True))],
            [LeftOut(Sticky(t[26], t[27], "row 2"), t[28])])), t[25]),
        "home.home_view": home.home_view(HomePage("UA", [workshop_home], 1),
                                         "https://x.slack.com"),
        "listing.card_lines": [listing.card_lines(board, kind) for kind in listing.KINDS],
        "listing.listing_blocks": listing.listing_blocks(board, "all", 1),
        "review.findings_message": review.findings_message(cards),
        "review.findings_messages": [review.findings_message(chunk)
                                     for chunk in review.findings_messages(cards)],
        "review.finding_blocks": [review.finding_blocks(c) for c in cards],
        "review.nothing_found": review.nothing_found(),
        "review.fix_form": [review.fix_form(FixForm(c, board),
                                            FixContext(channel="C1", finding=c.id))
                            for c in cards if c.finding.kind in {
                                *NEEDS_FORM, FindingKind.CONSUMER_BOUNDARY}],
        "stage.title": stage.title(Stage.FLOW),
        "stage.deadline_text": stage.deadline_text(NOW),
        "stage.add_button": stage.add_button(7),
        "stage.stage_message": [
            stage.stage_message(StageView(replace(run, stage=s), board, board.sizes()), closed)
            for s in Stage for closed in (False, True)],
        "stage.summary_blocks": stage.summary_blocks(summary, "https://x/p1",
                                                     {"UA": t[3], "UB": t[4]}),
        "stage.workshop_closed": stage.workshop_closed(
            Closing(board, {"events": "1.2"}, {"DP1": "F1"}), "https://x.slack.com"),
        "forms.add_form": [forms.add_form(board, AddContext(channel="C1", stage=s))
                           for s in Stage if s is not Stage.REVIEW],
        "forms.options": [forms.options(board, s, b, "") for s in Stage for b in BlockId],
    }
    return outputs


def slack_errors(node) -> list[str]:
    """What python-slack-sdk's models (and the emulator's strict checks) refuse."""
    if isinstance(node, list):
        return [e for item in node for e in slack_errors(item)]
    if not isinstance(node, dict):
        return []
    if node.get("type") in ("modal", "home"):
        return checks.view_errors(node)
    if "blocks" in node:
        return checks.message_errors(node.get("text"), node["blocks"])
    if node.get("type") == "button":
        BlockElement.parse(node).validate_json()
        return []
    if "type" in node:
        return checks.block_errors(node)
    if "value" in node and "text" in node:
        Option(**node).validate_json()
    return []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HOSTILE, min_size=30, max_size=30))
@example(["<<@UHOSTILE>>", "<<!channel>|x>", "<<<https://evil.example>>>"] * 10)  # nested
def test_no_builder_lets_typed_text_become_markup(typed):
    for name, output in built(hostile_board(typed), typed).items():
        leaks = [m for s in strings(output) for m in markup_from_people(s)]
        assert leaks == [], f"{name}: {leaks}"
        assert slack_errors(output) == [], name


def test_every_builder_is_covered():
    covered = set(built(hostile_board(["x"] * 30), ["x"] * 30))
    modules = [m for _, m in inspect.getmembers(blocks, inspect.ismodule)
               if m.__name__ != "dpflow.slack.blocks.kit"]
    public = {f"{m.__name__.rsplit('.', 1)[1]}.{name}"
              for m in modules for name, f in inspect.getmembers(m, inspect.isfunction)
              if f.__module__ == m.__name__ and not name.startswith("_")}
    assert public <= covered, public - covered


@settings(max_examples=40, deadline=None)
@given(st.lists(HOSTILE, min_size=30, max_size=30))
def test_canvases_keep_typed_text_literal(typed):
    board = hostile_board(typed)
    for product in board.data_products:
        assert markdown_from_people(render_canvas(board, product.ref)) == []


@given(HOSTILE)
def test_refusals_quote_people_literally(text):
    shown = said(f"Only facilitators can do that: <@UFACIL>. You typed “{text}”.",
                 people=("UFACIL",))
    assert markup_from_people(shown) == [] and "<@UFACIL>" in shown
