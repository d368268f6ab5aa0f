"""The options of long selects in the Add forms, and the *Add to workshop* shortcut."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from dpflow.services import boards, contributions
from dpflow.services.context import Actor
from dpflow.services.contributions import Message
from dpflow.slack.blocks.kit import reply
from dpflow.slack.deps import Deps
from dpflow.slack.forms import FormContext, options
from dpflow.slack.ids import Block, Callback

SELECTS = re.compile("^(" + "|".join(
    b.value for b in (Block.EVENT, Block.EVENTS, Block.DECISION, Block.SUPPORTS,
                      Block.PRODUCT, Block.READS)) + ")$")


def register(app: AsyncApp, deps: Deps) -> None:
    @app.options(SELECTS)
    async def select_options(ack, body: dict) -> None:
        ctx = FormContext.model_validate_json(body["view"]["private_metadata"])
        board = await boards.current_board(deps.uows,
                                           Actor(ctx.team, ctx.channel, body["user"]["id"]))
        await ack(options=options(board, ctx.stage, body["action_id"], body.get("value", "")))

    @app.shortcut(Callback.ADD_TO_WORKSHOP)
    async def add_to_workshop(ack, body: dict, respond) -> None:
        await ack()
        actor = Actor(body["team"]["id"], body["channel"]["id"], body["user"]["id"])
        message = Message(body["message"]["ts"], body["message"].get("text", ""))
        # keyed like a thread reply: a message already on the board is not added twice
        applied = await contributions.add(deps.uows, actor, message.text, message=message,
                                          delivery=f"msg:{actor.channel_id}:{message.ts}")
        if not applied:
            await respond(**reply("That message is already on the board."))
        deps.jobs_queued()
