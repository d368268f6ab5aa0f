"""Adding through forms: the Add button and its modal, the options of the modal's long
selects, and the *Add to workshop* message shortcut. Each is the same service as a reply."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from dpflow.services import boards, contributions, stages
from dpflow.services.contributions import Message
from dpflow.slack.blocks.kit import reply
from dpflow.slack.deps import Deps
from dpflow.slack.envelope import clicker, submitter
from dpflow.slack.forms import add_form, options, read_form
from dpflow.slack.ids import Action, Block, Callback
from dpflow.slack.metadata import AddContext, RunValue

SELECTS = re.compile("^(" + "|".join(
    b.value for b in (Block.EVENT, Block.EVENTS, Block.DECISION, Block.SUPPORTS,
                      Block.PRODUCT, Block.READS)) + ")$")


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.ADD)
    async def open_add_form(ack, body: dict, action: dict, client) -> None:
        await ack()
        view = await stages.to_add(deps.uows, clicker(body), RunValue.read(action["value"]).run)
        ctx = AddContext(channel=view.workshop.channel_id, stage=view.stage)
        await client.views_open(trigger_id=body["trigger_id"], view=add_form(view.board, ctx))

    @app.view(Callback.ADD_FORM)
    async def add_submitted(ack, body: dict, view: dict) -> None:
        form = read_form(view)
        if form.errors:
            await ack(response_action="errors", errors=form.errors)
            return
        await contributions.add(deps.uows, submitter(body, form.ctx.channel), form.text,
                                delivery=f"view:{view['id']}", stage=form.ctx.stage)
        await ack()
        deps.jobs_queued()

    @app.options(SELECTS)
    async def select_options(ack, body: dict) -> None:
        ctx = AddContext.read(body["view"]["private_metadata"])
        board = await boards.to_choose_from(deps.uows, submitter(body, ctx.channel))
        await ack(options=options(board, ctx.stage, body["action_id"], body.get("value", "")))

    @app.shortcut(Callback.ADD_TO_WORKSHOP)
    async def add_to_workshop(ack, body: dict, respond) -> None:
        await ack()
        actor = clicker(body)
        message = Message(body["message"]["ts"], body["message"].get("text", ""))
        # keyed like a thread reply: a message already on the board is not added twice
        applied = await contributions.add(deps.uows, actor, message.text, message=message,
                                          delivery=f"msg:{actor.channel_id}:{message.ts}")
        if not applied:
            await respond(**reply("That message is already on the board."))
        deps.jobs_queued()
