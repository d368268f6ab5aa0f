"""Buttons on stage messages and answers (Add is in add.py, the Home tab's in home.py)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import boards, workshops
from dpflow.slack.blocks import answers
from dpflow.slack.deps import Deps
from dpflow.slack.envelope import clicker
from dpflow.slack.ids import Action
from dpflow.slack.metadata import CardValue, PageValue, StageValue, WorkshopValue


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.JOIN)
    async def join(ack, body: dict, action: dict, respond) -> None:
        await ack()
        workshop = await workshops.join(deps.uows, clicker(body),
                                        WorkshopValue.read(action["value"]).workshop)
        await respond(**answers.joined(workshop), replace_original=False)

    @app.action(Action.NEXT_STAGE)
    async def next_stage(ack, body: dict, action: dict, respond) -> None:
        await ack()
        after = StageValue.read(action["value"]).stage
        moved = await workshops.next_stage(deps.uows, clicker(body), after)
        await respond(**answers.moved(moved), replace_original=False)
        deps.jobs_queued()

    @app.action(Action.LIST_PAGE)
    async def list_page(ack, body: dict, action: dict, respond) -> None:
        await ack()
        shown = PageValue.read(action["value"])
        board = await boards.current_board(deps.uows, clicker(body))
        await respond(**answers.listing(board, shown.kind, shown.page), replace_original=True)

    @app.action(Action.CONFIRM_DELETE)
    async def confirm_delete(ack, body: dict, action: dict, respond) -> None:
        await ack()
        outcome = await boards.delete_card(deps.uows, clicker(body),
                                           CardValue.read(action["value"]).ref, confirmed=True)
        await respond(**answers.deleted(outcome), replace_original=True)
        deps.jobs_queued()

    @app.action(Action.CANCEL)
    async def cancel(ack, respond) -> None:
        await ack()
        await respond(delete_original=True)

    @app.action(Action.OPEN_THREAD)
    async def link_opened(ack) -> None:
        await ack()
