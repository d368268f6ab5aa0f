"""Buttons on stage messages and answers (the Home tab's are in home.py)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.domain.errors import UserError
from dpflow.domain.model import Stage
from dpflow.services import boards, stages, workshops
from dpflow.services.context import Actor
from dpflow.slack.blocks import answers
from dpflow.slack.deps import Deps
from dpflow.slack.forms import FormContext, add_form
from dpflow.slack.ids import Action


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.ADD)
    async def open_add_form(ack, body: dict, action: dict, client) -> None:
        await ack()
        view = await stages.view(deps.uows, int(action["value"]))
        if view.run.closed_at is not None or not view.workshop.active:
            raise UserError(f"The *{view.run.stage}* stage is closed; the workshop is at "
                            f"*{view.workshop.stage}*.")
        ctx = FormContext(team=view.workshop.team_id, channel=view.workshop.channel_id,
                          stage=Stage(view.run.stage))
        await client.views_open(trigger_id=body["trigger_id"], view=add_form(view.board, ctx))

    @app.action(Action.JOIN)
    async def join(ack, body: dict, action: dict, respond) -> None:
        await ack()
        workshop = await workshops.join(deps.uows, action["value"], body["user"]["id"])
        await respond(**answers.joined(workshop), replace_original=False)

    @app.action(Action.NEXT_STAGE)
    async def next_stage(ack, body: dict, action: dict, respond) -> None:
        await ack()
        moved = await workshops.next_stage(deps.uows, action_actor(body), action.get("value"))
        await respond(**answers.moved(moved), replace_original=False)
        deps.jobs_queued()

    @app.action(Action.LIST_PAGE)
    async def list_page(ack, body: dict, action: dict, respond) -> None:
        await ack()
        kind, _, page = action["value"].rpartition(":")
        board = await boards.current_board(deps.uows, action_actor(body))
        await respond(**answers.listing(board, kind, int(page)), replace_original=True)

    @app.action(Action.CONFIRM_DELETE)
    async def confirm_delete(ack, body: dict, action: dict, respond) -> None:
        await ack()
        outcome = await boards.delete_card(deps.uows, action_actor(body), action["value"],
                                           confirmed=True)
        await respond(**answers.deleted(outcome), replace_original=True)
        deps.jobs_queued()

    @app.action(Action.CANCEL)
    async def cancel(ack, respond) -> None:
        await ack()
        await respond(delete_original=True)

    @app.action(Action.OPEN_THREAD)
    async def link_opened(ack) -> None:
        await ack()


def action_actor(body: dict) -> Actor:
    """Who clicked, in which channel (a message's or the Home tab's container)."""
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
        "channel_id", "")
    return Actor(body["user"].get("team_id") or body["team"]["id"], channel, body["user"]["id"])
