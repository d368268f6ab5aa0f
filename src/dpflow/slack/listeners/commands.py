"""`/dpflow <subcommand>`: parse, call one service, answer ephemerally."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp

from dpflow.domain.errors import UserError
from dpflow.services import boards, canvases, contributions, exports, workshops
from dpflow.services.context import Actor
from dpflow.slack.blocks import answers
from dpflow.slack.blocks import canvases as canvas_blocks
from dpflow.slack.deps import Deps
from dpflow.slack.listeners import deadlines, imports

Handler = Callable[[Deps, Actor, str, dict], Awaitable[dict]]
_DOMAIN = re.compile(r"\s+domain:\s*(?P<domain>.+)$", re.IGNORECASE)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command("/dpflow")
    async def dpflow(ack, command: dict) -> None:
        actor = Actor(command["team_id"], command["channel_id"], command["user_id"])
        word, _, rest = command.get("text", "").strip().partition(" ")
        handler = SUBCOMMANDS.get(word.lower(), _unknown)
        await ack(**await handler(deps, actor, rest.strip(), command))
        deps.jobs_queued()


async def _help(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    return answers.help_text(workshops.parse_stage(rest) if rest else None)


async def _unknown(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    word = command.get("text", "").split(" ", 1)[0]
    raise UserError(f"`{word}` is not a dpflow command.", "/dpflow help")


async def _start(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    name, domain = rest, None
    if match := _DOMAIN.search(rest):
        name, domain = rest[: match.start()].strip(), match["domain"].strip()
    if not name:
        raise UserError("Give the workshop a name.",
                        "/dpflow start Order fulfilment domain: Online shop")
    workshop = await workshops.start(deps.uows, actor, name[:200], domain and domain[:200])
    return answers.started(workshop)


async def _next(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    return answers.moved(await workshops.next_stage(deps.uows, actor))


async def _stage(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    if not rest:
        raise UserError("Name the stage to go to.", "/dpflow stage decisions")
    return answers.moved(await workshops.go_to(deps.uows, actor, rest))


async def _add(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    return answers.added(await contributions.add(deps.uows, actor, rest))


async def _status(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    return answers.status(await boards.status(deps.uows, actor))


async def _list(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    board = await boards.current_board(deps.uows, actor)
    return answers.listing(board, rest.strip().lower() or "all", page=1)


async def _edit(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    ref, _, text = rest.partition(" ")
    if not ref or not text.strip():
        raise UserError("Say which card and its new text.", "/dpflow edit E3 Order shipped")
    return answers.edited(await boards.edit_card(deps.uows, actor, ref, text.strip()))


async def _delete(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    if not rest:
        raise UserError("Say which card to delete.", "/dpflow delete E3")
    outcome = await boards.delete_card(deps.uows, actor, rest.split()[0], confirmed=False)
    return answers.deleted(outcome)


async def _move(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    match = re.fullmatch(r"(\S+)\s+(before|after)\s+(\S+)", rest, re.IGNORECASE)
    if match is None:
        raise UserError("Say which event goes where.", "/dpflow move E5 after E2")
    refs = await boards.move_event(deps.uows, actor, match[1], match[2].lower(), match[3])
    return answers.moved_event(refs)


async def _facilitator(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    verb, _, who = rest.partition(" ")
    if verb.lower() != "add":
        raise UserError("Facilitators are added one command at a time.",
                        "/dpflow facilitator add @user")
    return answers.facilitators_added(await workshops.add_facilitator(deps.uows, actor, who))


async def _close(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    return answers.closed(await workshops.close(deps.uows, actor))


async def _canvas(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    products = await canvases.request(deps.uows, actor, rest.split()[0] if rest else None)
    return canvas_blocks.canvas_requested(products)


async def _export(deps: Deps, actor: Actor, rest: str, command: dict) -> dict:
    fmt, *flags = rest.lower().split() or [""]
    to_channel = any(flag.lstrip("-") == "channel" for flag in flags)
    name, chosen = await exports.request(deps.uows, actor, fmt, to_channel)
    return canvas_blocks.export_requested(name, chosen.title, to_channel)


SUBCOMMANDS: dict[str, Handler] = {
    "": _help, "help": _help, "start": _start, "next": _next, "stage": _stage, "add": _add,
    "status": _status, "list": _list, "edit": _edit, "delete": _delete, "move": _move,
    "facilitator": _facilitator, "close": _close, "canvas": _canvas, "export": _export,
    "due": deadlines.due, "summary": deadlines.summary, "import": imports.command,
}
