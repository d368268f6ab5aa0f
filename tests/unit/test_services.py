"""The use cases over a unit of work on an in-memory database: milliseconds, no Slack."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dpflow.domain.changes import Changes
from dpflow.domain.errors import NotAllowed, UserError
from dpflow.domain.model import FindingStatus, Stage
from dpflow.services import boards, contributions, replays, stages, workshops
from dpflow.services.context import Actor
from dpflow.services.contributions import Message
from dpflow.store.models import ReceivedRow, utcnow
from dpflow.store.uow import opened

FACILITATOR = Actor("T1", "C1", "UFACIL")
ALICE, BOB = Actor("T1", "C1", "UALICE"), Actor("T1", "C1", "UBOB")
THREAD = "1000.0001"


@pytest.fixture
async def uows():
    async with opened("sqlite+aiosqlite://") as uows:
        await workshops.start(uows, FACILITATOR, "Library lending", "Public library")
        await stages.posted(uows, 1, THREAD)  # the events stage message is in the channel
        yield uows


async def events(uows) -> list[tuple[str, str]]:
    board = await boards.current_board(uows, FACILITATOR)
    return [(e.ref, e.text) for e in board.events]


def reply(ts: str, text: str) -> Message:
    return Message(ts, text, THREAD)


async def test_a_reply_adds_its_lines_once_whatever_the_redeliveries(uows):
    first = await contributions.reply(uows, ALICE, reply("1.1", "Book reserved\nBook lent"))
    again = await contributions.reply(uows, ALICE, reply("1.1", "Book reserved\nBook lent"))
    assert [a.ref for a in first] == ["E1", "E2"] and again is None
    assert await events(uows) == [("E1", "Book reserved"), ("E2", "Book lent")]


async def test_one_refused_line_stores_nothing_of_its_message(uows):
    await contributions.reply(uows, ALICE, reply("1.1", "Book lent"))
    with pytest.raises(UserError) as refused:
        await contributions.reply(uows, BOB, reply("1.2", "Book returned\nbook LENT"))
    assert refused.value.message.startswith("Line 2: E1 already says")
    assert await events(uows) == [("E1", "Book lent")]


async def test_an_edited_reply_keeps_refs_adds_and_takes_back(uows):
    await contributions.reply(uows, ALICE, reply("1.1", "Book reserved\nBook lent\nFine paid"))
    await contributions.edited(uows, ALICE, reply("1.1", "Book reserved\nBook loaned"))
    assert await events(uows) == [("E1", "Book reserved"), ("E2", "Book loaned")]
    await contributions.edited(uows, ALICE, reply("1.1", "Book reserved\nBook loaned\nLost"))
    assert await events(uows) == [("E1", "Book reserved"), ("E2", "Book loaned"),
                                  ("E4", "Lost")]
    assert await contributions.deleted(uows, ALICE, "1.1") == ["E1", "E2", "E4"]
    assert await events(uows) == []


async def test_an_edited_line_takes_back_links_it_never_named(uows):
    """An edit reads the cards it touches, not the board: a support added by a review fix
    (as `review.fix` saves it) goes when the port's line is edited to name other ones."""
    await contributions.reply(uows, ALICE, reply("1.1", "Book lent\nBook returned"))
    for stage, line in (("aggregates", "Loans: E1, E2"),
                        ("decisions", "E1: Decide the loan period\nE2: Decide a fine")):
        await workshops.go_to(uows, FACILITATOR, stage)
        await contributions.add(uows, ALICE, line)
    await workshops.go_to(uows, FACILITATOR, "ports")
    await stages.posted(uows, 4, "4000.0001")  # the fourth stage run: events was the first
    port = Message("4.1", "DP1: Loans due for D1", "4000.0001")
    await contributions.reply(uows, ALICE, port)
    async with uows() as uow:  # the review's fix: P1 supports D2 too
        workshop = await uow.repo.workshop((await uow.repo.sources("C1", "4.1"))[0].workshop_id)
        stored = await uow.boards.whole(workshop, [])
        changes = Changes(stored.board, "UFACIL", refs=None)
        changes.support("P1", ("D2",))
        await uow.boards.save(stored, changes.change, Stage.REVIEW)
        await uow.commit()

    await contributions.edited(uows, ALICE, Message("4.1", "DP1: Loans overdue for D1",
                                                    "4000.0001"))
    board = await boards.current_board(uows, FACILITATOR)
    assert [(p.ref, p.name, p.supports) for p in board.ports] == [("P1", "Loans overdue", ["D1"])]


async def test_a_sample_holds_the_first_cards_of_each_kind_with_their_links(uows):
    await contributions.add(uows, ALICE, "Book lent\nBook returned\nFine paid")
    await workshops.go_to(uows, FACILITATOR, "aggregates")
    await contributions.add(uows, ALICE, "Loans: E1, E2")
    await workshops.go_to(uows, FACILITATOR, "decisions")
    await contributions.add(uows, ALICE, "E1: Decide the loan period\nE2: Decide a fine")
    await workshops.go_to(uows, FACILITATOR, "ports")
    await contributions.add(uows, ALICE, "DP1: Loans due for D2, D1")
    await boards.move_event(uows, FACILITATOR, "E3", "before", "E1")
    async with uows.read() as uow:
        workshop = await uow.repo.active_workshop("T1", "C1")
        sample = await uow.boards.sample(workshop, per_kind=2)
    assert [e.ref for e in sample.events] == ["E3", "E1"]  # the timeline's first two
    assert [d.ref for d in sample.decisions] == ["D1", "D2"]
    assert [(p.ref, p.supports) for p in sample.ports] == [("P1", ["D2", "D1"])]


async def test_only_the_author_or_a_facilitator_changes_a_card(uows):
    await contributions.add(uows, ALICE, "Book lent")
    with pytest.raises(NotAllowed):
        await boards.edit_card(uows, BOB, "E1", "Book loaned")
    assert await boards.edit_card(uows, FACILITATOR, "e1", "Book loaned") == "E1 Book loaned"


async def test_deleting_what_others_depend_on_asks_first(uows):
    await contributions.add(uows, ALICE, "Book lent")
    await workshops.next_stage(uows, FACILITATOR)
    await workshops.go_to(uows, FACILITATOR, "decisions")
    await contributions.add(uows, BOB, "E1: Decide how long the loan lasts")
    asked = await boards.delete_card(uows, FACILITATOR, "E1", confirmed=False)
    assert asked.removed == [] and asked.dependents == ["E1 has 1 decision: D1"]
    done = await boards.delete_card(uows, FACILITATOR, "E1", confirmed=True)
    assert done.removed == ["E1", "D1"]


async def test_findings_resolve_when_their_cause_is_gone(uows):
    await contributions.add(uows, ALICE, "Book lent")
    await workshops.go_to(uows, FACILITATOR, "aggregates")
    await contributions.add(uows, ALICE, "Loans: E1")
    await workshops.go_to(uows, FACILITATOR, "review")
    board = await boards.current_board(uows, FACILITATOR)
    assert {(f.key, f.status) for f in board.findings} == {("no-owner:DP1", FindingStatus.OPEN)}

    await contributions.add(uows, ALICE, "DP1 owner: Lending team")  # allowed in review
    board = await boards.current_board(uows, FACILITATOR)
    assert {(f.key, f.status) for f in board.findings} == {
        ("no-owner:DP1", FindingStatus.RESOLVED)}


async def test_a_signature_is_remembered_while_slack_could_send_it_again():
    async with opened("sqlite+aiosqlite://") as uows:
        start = utcnow()
        uows.clock = lambda: start
        assert await replays.first_time(uows, "v0=first")
        assert not await replays.first_time(uows, "v0=first")
        uows.clock = lambda: start + replays.REMEMBERED + timedelta(seconds=1)
        assert await replays.first_time(uows, "v0=later")
        async with uows.read() as uow:
            remembered = list(await uow.repo.s.scalars(select(ReceivedRow.key)))
        assert remembered == ["sig:v0=later"]
