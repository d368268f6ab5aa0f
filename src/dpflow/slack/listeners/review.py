"""The review thread: Apply, Dismiss, the boundary questions and the fix forms."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import review
from dpflow.services.context import Actor
from dpflow.slack.blocks.review import FixContext, findings_message, fix_form, fix_values
from dpflow.slack.deps import Deps
from dpflow.slack.ids import Action, Callback
from dpflow.slack.listeners.actions import action_actor


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.APPLY_FINDING)
    async def apply(ack, body: dict, action: dict, respond, client) -> None:
        await ack()
        actor, ts = action_actor(body), _message_ts(body)
        outcome = await review.apply(deps.uows, actor, int(action["value"]), ts)
        if isinstance(outcome, review.FixForm):
            ctx = FixContext(team=actor.team_id, channel=actor.channel_id,
                             finding=outcome.card.id, message_ts=ts)
            await client.views_open(trigger_id=body["trigger_id"], view=fix_form(outcome, ctx))
            return
        await respond(**findings_message(outcome.findings), replace_original=True)
        deps.jobs_queued()

    @app.action(Action.DISMISS_FINDING)
    async def dismiss(ack, body: dict, action: dict, respond) -> None:
        await ack()
        shown = await review.dismiss(deps.uows, action_actor(body), int(action["value"]),
                                     _message_ts(body))
        await respond(**findings_message(shown.findings), replace_original=True)
        deps.jobs_queued()

    @app.action(Action.ANSWER_BOUNDARY)
    async def answer(ack, body: dict, action: dict, respond) -> None:
        await ack()
        finding, question, word = action["value"].split(":")
        shown = await review.answer(deps.uows, action_actor(body), int(finding), question,
                                    word == "yes", _message_ts(body))
        await respond(**findings_message(shown.findings), replace_original=True)
        deps.jobs_queued()

    @app.view(Callback.FIX_FINDING)
    async def fixed(ack, body: dict, view: dict, client) -> None:
        ctx = FixContext.model_validate_json(view["private_metadata"])
        actor = Actor(ctx.team, ctx.channel, body["user"]["id"])
        shown = await review.fix(deps.uows, actor, ctx.finding, ctx.message_ts,
                                 fix_values(view))
        await ack()
        if shown.ts:
            await client.chat_update(channel=shown.channel_id, ts=shown.ts,
                                     **findings_message(shown.findings))
        deps.jobs_queued()


def _message_ts(body: dict) -> str | None:
    return (body.get("container") or {}).get("message_ts")
