"""The review thread: Apply, Dismiss, the boundary questions and the fix forms."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from dpflow.services import review
from dpflow.slack.blocks.review import findings_message, fix_form
from dpflow.slack.deps import Deps
from dpflow.slack.envelope import clicker, submitter
from dpflow.slack.forms import read_fix
from dpflow.slack.ids import Action, Callback
from dpflow.slack.metadata import AnswerValue, FindingValue, FixContext


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.APPLY_FINDING)
    async def apply(ack, body: dict, action: dict, respond, client) -> None:
        await ack()
        actor, ts = clicker(body), _message_ts(body)
        finding = FindingValue.read(action["value"]).finding
        outcome = await review.apply(deps.uows, actor, finding, ts)
        if isinstance(outcome, review.FixForm):
            ctx = FixContext(channel=actor.channel_id, finding=finding, message_ts=ts)
            await client.views_open(trigger_id=body["trigger_id"], view=fix_form(outcome, ctx))
            return
        await respond(**findings_message(outcome.findings), replace_original=True)
        deps.jobs_queued()

    @app.action(Action.DISMISS_FINDING)
    async def dismiss(ack, body: dict, action: dict, respond) -> None:
        await ack()
        shown = await review.dismiss(deps.uows, clicker(body),
                                     FindingValue.read(action["value"]).finding,
                                     _message_ts(body))
        await respond(**findings_message(shown.findings), replace_original=True)
        deps.jobs_queued()

    @app.action(Action.ANSWER_BOUNDARY)
    async def answer(ack, body: dict, action: dict, respond) -> None:
        await ack()
        given = AnswerValue.read(action["value"])
        shown = await review.answer(deps.uows, clicker(body), given.finding, given.question,
                                    given.yes, _message_ts(body))
        await respond(**findings_message(shown.findings), replace_original=True)
        deps.jobs_queued()

    @app.view(Callback.FIX_FINDING)
    async def fixed(ack, body: dict, view: dict, client) -> None:
        ctx = FixContext.read(view["private_metadata"])
        shown = await review.fix(deps.uows, submitter(body, ctx.channel), ctx.finding,
                                 ctx.message_ts, read_fix(view))
        await ack()
        if shown.ts:
            await client.chat_update(channel=shown.channel_id, ts=shown.ts,
                                     **findings_message(shown.findings))
        deps.jobs_queued()


def _message_ts(body: dict) -> str | None:
    return (body.get("container") or {}).get("message_ts")
