"""Contributions: thread replies, `/dpflow add`, modals, shortcuts, and the edits and
deletes of captured replies."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from dpflow.domain import guide, rules
from dpflow.domain.errors import GrammarError, OtherStage, UserError
from dpflow.domain.grammar import FORMS, parse_line, split_lines
from dpflow.domain.model import Stage
from dpflow.services import jobs
from dpflow.services.cards import Applied, Place, apply, remove, revise, unapply
from dpflow.services.context import Actor, active_workshop, current_run
from dpflow.store.models import SourceRow, StageRunRow, WorkshopRow, utcnow
from dpflow.store.repo import Repository
from dpflow.store.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Message:
    """A Slack message that carries contributions: a thread reply or a shortcut's message."""

    ts: str
    text: str
    thread_ts: str | None = None


async def reply(uows: UnitOfWorkFactory, actor: Actor, message: Message,
                delivery: str) -> list[Applied] | None:
    """A reply in a stage thread; None when the thread is no stage's or was seen before."""
    async with uows() as uow:
        run = await uow.repo.run_by_thread(actor.channel_id, message.thread_ts or "")
        if run is None or not await uow.repo.first_delivery(delivery):
            return None
        workshop = await uow.repo.workshop(run.workshop_id)
        _require_open(workshop, run)
        applied = await _contribute(uow.repo, Place(uow.repo, workshop, run, actor.user_id),
                                    actor.channel_id, message)
        await jobs.acknowledge(uow.repo, run, actor.channel_id, message.ts)
        await uow.commit()
        return applied


async def add(uows: UnitOfWorkFactory, actor: Actor, text: str, *,
              message: Message | None = None, delivery: str | None = None,
              stage: Stage | None = None) -> list[Applied]:
    """`/dpflow add`, the Add modal and the message shortcut, into the current stage
    (or refused, when the form was opened for a stage that has closed since)."""
    async with uows() as uow:
        if delivery is not None and not await uow.repo.first_delivery(delivery):
            return []
        workshop = await active_workshop(uow.repo, actor)
        run = await current_run(uow.repo, workshop)
        if stage is not None and stage != Stage(run.stage):
            raise UserError(f"The workshop moved on from *{stage}* to *{run.stage}* while "
                            "the form was open; nothing was stored.",
                            f"/dpflow add {FORMS[Stage(run.stage)]}")
        place = Place(uow.repo, workshop, run, actor.user_id)
        applied = await _contribute(uow.repo, place, actor.channel_id,
                                    message or Message(ts="", text=text))
        if message is not None:
            await jobs.acknowledge(uow.repo, run, actor.channel_id, message.ts)
        else:
            await jobs.refresh_stage(uow.repo, run)
        await uow.commit()
        return applied


async def edited(uows: UnitOfWorkFactory, actor: Actor, message: Message) -> list[Applied]:
    """A reply in a stage thread was edited: its cards follow and keep their references."""
    async with uows() as uow:
        repo = uow.repo
        run = await repo.run_by_thread(actor.channel_id, message.thread_ts or "")
        if run is None:
            return []
        workshop = await repo.workshop(run.workshop_id)
        _require_open(workshop, run)
        place = Place(repo, workshop, run, actor.user_id)
        sources = await repo.sources(actor.channel_id, message.ts)
        applied = await _replace(repo, place, actor.channel_id, message, sources)
        await jobs.acknowledge(repo, run, actor.channel_id, message.ts)
        await uow.commit()
        return applied


async def deleted(uows: UnitOfWorkFactory, actor: Actor, ts: str) -> list[str]:
    """A captured reply was deleted: what it added goes too."""
    async with uows() as uow:
        repo = uow.repo
        sources = await repo.sources(actor.channel_id, ts)
        removed = [ref for source in sources for ref in await _undo(repo, source)]
        await repo.forget_sources(actor.channel_id, ts)
        if sources:
            run = await repo.current_run(sources[0].workshop_id)
            if run is not None:
                await jobs.refresh_stage(repo, run)
        await uow.commit()
        return removed


def _require_open(workshop: WorkshopRow, run: StageRunRow) -> None:
    if not workshop.active:
        raise UserError(f"The workshop *{workshop.name}* is closed; nothing more is added.")
    if run.closed_at is not None:
        raise UserError(
            f"This thread collected the *{run.stage}* stage, which is closed. The workshop is "
            f"now at *{workshop.stage}*: reply in that stage's thread, or use the command.",
            f"/dpflow add {FORMS[Stage(workshop.stage)]}")


async def _contribute(repo: Repository, place: Place, channel_id: str,
                      message: Message) -> list[Applied]:
    texts = _texts(place.run, message.text)
    lines = await _parse_all(repo, place.workshop, Stage(place.run.stage), texts)
    applied = []
    for i, (text, line) in enumerate(zip(texts, lines, strict=True), 1):
        await _check(repo, place.workshop, line, i, len(texts))
        done = await apply(line, place)
        applied.append(done)
        _record(repo, place, channel_id, message.ts or None, i, text, done)
        await repo.flush()
    await repo.join(place.workshop.id, place.author)
    return applied


async def _replace(repo: Repository, place: Place, channel_id: str, message: Message,
                   sources: list[SourceRow]) -> list[Applied]:
    """Line i of the edited reply replaces what line i did before; extra lines are new."""
    texts = _texts(place.run, message.text)
    lines = await _parse_all(repo, place.workshop, Stage(place.run.stage), texts)
    applied, by_line = [], {s.line_no: s for s in sources}
    for i, (text, line) in enumerate(zip(texts, lines, strict=True), 1):
        source = by_line.pop(i, None)
        if source is not None and source.line == text:
            continue
        await _check(repo, place.workshop, line, i, len(texts))
        card = await repo.card_by_id(source.card_id) if source and source.created else None
        if card is not None and card.deleted_at is None:
            done = await revise(line, card, place)
        else:
            if source is not None:
                await _undo(repo, source)
            done = await apply(line, place)
        applied.append(done)
        if source is not None:
            await repo.delete(source)
            await repo.flush()
        _record(repo, place, channel_id, message.ts, i, text, done)
        await repo.flush()
    for source in by_line.values():
        await _undo(repo, source)
        await repo.delete(source)
    await repo.join(place.workshop.id, place.author)
    return applied


def _texts(run: StageRunRow, text: str) -> list[str]:
    texts = split_lines(text)
    if not texts:
        raise UserError("There is nothing to add in that message.", FORMS[Stage(run.stage)])
    return texts


async def _parse_all(repo: Repository, workshop: WorkshopRow, stage: Stage,
                     texts: list[str]) -> list:
    try:
        return [_numbered(parse_line, i, len(texts), stage, text)
                for i, text in enumerate(texts, 1)]
    except GrammarError as error:
        raise await explained(repo, workshop, error) from None


async def explained(repo: Repository, workshop: WorkshopRow,
                    error: GrammarError) -> GrammarError:
    """A refused line's hint with an example from this board and, for a line written for
    another stage, where that stage's thread is."""
    if error.stage is not None and error.hint and error.hint.startswith(FORMS[error.stage]):
        error.hint = guide.hint(await repo.board(workshop), error.stage)
    if isinstance(error, OtherStage):
        run = await repo.last_run_of(workshop.id, error.stage.value)
        if run is None or run.message_ts is None:
            error.message += (f" The *{error.stage}* stage comes later: add the line in its "
                              "thread once it opens.")
        else:
            link = f"https://slack.com/archives/{run.channel_id}/p{run.message_ts.replace('.', '')}"
            error.message += (f" <{link}|The {error.stage} thread> is closed; a facilitator "
                              f"can reopen it with `/dpflow stage {error.stage}`.")
    return error


async def _check(repo: Repository, workshop: WorkshopRow, line, i: int, n: int) -> None:
    board = await repo.board(workshop)
    _numbered(rules.check, i, n, board, line)


def _numbered(step, i: int, n: int, *args):
    """Parse or check one line; in a message of several lines, say which one failed."""
    try:
        return step(*args)
    except UserError as e:
        if n == 1:
            raise
        numbered = copy.copy(e)
        numbered.message = (f"Line {i}: {e.message}\nNothing from this message was stored; "
                            "edit it and I will read it again.")
        raise numbered from None


def _record(repo: Repository, place: Place, channel_id: str, ts: str | None, line_no: int,
            text: str, done: Applied) -> None:
    repo.add(SourceRow(workshop_id=place.workshop.id, channel_id=channel_id, message_ts=ts,
                       line_no=line_no, line=text, stage=place.run.stage, author=place.author,
                       card_id=done.card_id,
                       canvas_item_id=done.canvas_item_id, created=done.created))


async def _undo(repo: Repository, source: SourceRow) -> list[str]:
    """Take back what one captured line did."""
    if source.canvas_item_id is not None:
        item = await repo.canvas_item(source.canvas_item_id)
        if item is not None:
            item.deleted_at = utcnow()
        return []
    card = await repo.card_by_id(source.card_id) if source.card_id else None
    if card is None or card.deleted_at is not None:
        return []
    if source.created:
        return await remove(repo, card)
    workshop = await repo.workshop(source.workshop_id)
    run = await repo.current_run(workshop.id)
    await unapply(parse_line(Stage(source.stage), source.line),
                  Place(repo, workshop, run, source.author))
    return []
