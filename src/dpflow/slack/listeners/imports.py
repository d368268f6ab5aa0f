"""`/dpflow import [file name]`: the board file a facilitator shared in the channel, a form
asking what each of its colours stands for, and the import when it is sent."""

from __future__ import annotations

import hashlib

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from dpflow.domain import importing
from dpflow.domain.errors import UserError
from dpflow.domain.stickies import FORMATS, MAX_BYTES, Sticky, check_size, name_of, read_board
from dpflow.services import imports
from dpflow.services.context import Actor
from dpflow.slack.blocks.imports import import_form, import_result
from dpflow.slack.client import FileRefused, Slack
from dpflow.slack.deps import Deps
from dpflow.slack.envelope import submitter
from dpflow.slack.forms import read_import_form
from dpflow.slack.ids import Callback
from dpflow.slack.metadata import ImportContext

SHARE = ("Share the board's file in this channel first (drop it into the message box), then "
         "run `/dpflow import` again. dpflow reads " + FORMATS + ".")


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Callback.IMPORT_FORM)
    async def import_submitted(ack, body: dict, view: dict) -> None:
        ctx = ImportContext.read(view["private_metadata"])
        actor = submitter(body, ctx.channel)
        slack = await deps.slack.for_team(actor.team_id)
        file = await slack.file(ctx.file)
        if file is None:
            raise UserError("That file is gone from Slack; nothing was stored. " + SHARE)
        stickies = await _stickies(slack, file)
        colours = [c.colour for c in importing.colours(stickies)]
        if _digest(colours) != ctx.colours:
            raise UserError("That file reads differently now; nothing was stored. Run "
                            "`/dpflow import` again.")
        form = read_import_form(view, colours)
        outcome = await imports.run(
            deps.uows, actor, stickies, form.mapping,
            name=form.name or name_of(file["name"]), domain=form.domain,
            form=imports.FromForm(view["id"], ctx.workshop))
        if outcome is None:
            await ack()
            return
        await ack(response_action="update", view=import_result(outcome, file["name"]))
        deps.jobs_queued()


async def command(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    """`/dpflow import [file name]`: the newest file of that name (or any) the person shared
    here, read, and the form opened."""
    workshop = await imports.target(deps.uows, actor)
    slack = await deps.slack.for_team(actor.team_id)
    try:
        file = await slack.shared_file(actor.channel_id, actor.user_id, rest.strip())
    except SlackApiError as e:
        if e.response.get("error") not in ("not_in_channel", "channel_not_found"):
            raise
        raise UserError("dpflow is not in this channel, so it cannot see the file: invite it "
                        "with `/invite @dpflow`, then run `/dpflow import` again.") from None
    if file is None:
        named = f" called *{rest.strip()}*" if rest.strip() else ""
        raise UserError(f"I found no file{named} that you shared in this channel lately. "
                        + SHARE, "/dpflow import [file name]")
    stickies = await _stickies(slack, file)
    found = importing.colours(stickies)
    ctx = ImportContext(channel=actor.channel_id, file=file["id"],
                        workshop=workshop.id if workshop else None,
                        colours=_digest([c.colour for c in found]))
    await slack.open_view(command["trigger_id"],
                          import_form(file["name"], len(stickies), found, ctx))
    return {}


def _digest(colours: list[str]) -> str:
    return hashlib.sha256("\n".join(colours).encode()).hexdigest()[:16]


async def _stickies(slack: Slack, file: dict) -> list[Sticky]:
    """The stickies of a shared file, or why it cannot be imported."""
    name = file.get("name") or "That file"
    if str(file.get("mimetype") or "").startswith(("image/", "video/", "audio/")):
        raise UserError(f"*{name}* is a picture or a recording; dpflow cannot read stickies "
                        "from it. It reads " + FORMATS + ".")
    check_size(int(file.get("size") or 0))
    try:
        data = await slack.download(file, MAX_BYTES)
    except FileRefused:
        raise UserError(f"Slack did not hand *{name}* over to dpflow; nothing was stored. Try "
                        "again in a moment; if it keeps happening, the app may lack the "
                        "`files:read` permission (reinstall it from manifest.yml).") from None
    return read_board(data, file.get("name") or "")

