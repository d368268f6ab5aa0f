"""`/dpflow due <when>` and `/dpflow summary` (entries of the SUBCOMMANDS table)."""

from __future__ import annotations

from dpflow.domain.deadlines import FORM
from dpflow.domain.errors import UserError
from dpflow.services import deadlines
from dpflow.services.context import Actor
from dpflow.slack.blocks.deadlines import due_set
from dpflow.slack.deps import Deps


async def due(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    if not rest:
        raise UserError("Say when the current stage is due.", f"/dpflow due {FORM}")
    tz = await (await deps.slack.for_team(actor.team_id)).time_zone(actor.user_id)
    return due_set(await deadlines.set_due(deps.uows, actor, rest, deps.clock(), tz))


async def summary(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    """Answers with nothing: the summary itself appears in the stage thread."""
    await deadlines.request_summary(deps.uows, actor)
    return {}
