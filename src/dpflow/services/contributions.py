"""Contributions: thread replies, `/dpflow add`, modals, shortcuts, and the edits and
deletes of captured replies.

Each reads what its lines need once, applies every line to the board in memory, and writes
the change with the lines' sources and the follow-up jobs in one transaction, before Slack
gets its answer."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from dpflow.domain import guide
from dpflow.domain.changes import Applied, CanvasItem, Changes, Needs, needs
from dpflow.domain.errors import GrammarError, OtherStage, UserError
from dpflow.domain.grammar import FORMS, parse_line, split_lines
from dpflow.domain.lines import Line, SetCanvasField
from dpflow.domain.model import Stage, Workshop
from dpflow.services import jobs
from dpflow.services.context import Actor, active_workshop, change_board, current_run
from dpflow.store.boards import Source, Stored, Thread, workshop_of
from dpflow.store.uow import UnitOfWork, UnitOfWorkFactory


class StageNotPosted(Exception):
    """A reply came between a stage message's posting and the saving of its ts: it may
    belong to that stage, so it is not answered 200 (Slack sends it again)."""


@dataclass(frozen=True)
class Message:
    """A Slack message that carries contributions: a thread reply or a shortcut's message."""

    ts: str
    text: str
    thread_ts: str | None = None


async def reply(uows: UnitOfWorkFactory, actor: Actor, message: Message) -> list[Applied] | None:
    """A reply in a stage thread; None when the thread is no stage's (or another team's),
    or the message was stored before (Slack delivers at least once)."""
    async with uows() as uow:
        thread = await uow.boards.thread(actor.channel_id, message.thread_ts or "")
        if thread is None and await uow.repo.stage_being_posted(actor.team_id,
                                                                actor.channel_id):
            raise StageNotPosted("a stage message of this channel is being posted: Slack "
                                 "resends this reply once its thread is known")
        if thread is None or thread.team_id != actor.team_id:
            return None
        try:
            texts, lines, refused = *_read(thread.stage, message.text), None
        except GrammarError as error:
            texts, lines, refused = [], [], error
        context = await uow.boards.reply_context(thread, actor.user_id, actor.channel_id,
                                                 message.ts, needs(lines))
        if context.seen:
            return None
        _require_open(context.stored.board.workshop, thread, context.run_closed)
        if refused:
            raise await _explained(uow, thread.workshop_id, refused)
        applied = await _contribute(uow, context.stored, thread.stage, actor, message, texts,
                                    lines)
        if not context.member:
            await uow.boards.join(thread.workshop_id, actor.user_id)
        await jobs.acknowledge(uow.repo, thread.workshop_id, thread.run_id, thread.stage,
                               actor.channel_id, message.ts, actor.user_id)
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
        texts, lines = await _read_explained(uow, workshop.id, Stage(run.stage), text)
        stored = await uow.boards.slice(workshop, needs(lines))
        applied = await _contribute(uow, stored, Stage(run.stage), actor,
                                    message or Message(ts="", text=text), texts, lines)
        await uow.boards.join(workshop.id, actor.user_id)
        if message is not None:
            await jobs.acknowledge(uow.repo, workshop.id, run.id, Stage(run.stage),
                                   actor.channel_id, message.ts, actor.user_id)
        else:
            await jobs.refresh_stage(uow.repo, workshop.id, run.id, Stage(run.stage),
                                     actor.user_id)
        await uow.commit()
        return applied


async def edited(uows: UnitOfWorkFactory, actor: Actor, message: Message) -> list[Applied]:
    """A reply in a stage thread was edited: line i replaces what line i did before (its
    cards keep their references), extra lines are new, missing ones are taken back."""
    async with uows() as uow:
        thread = await uow.boards.thread(actor.channel_id, message.thread_ts or "")
        if thread is None or thread.team_id != actor.team_id:
            return []
        workshop = await uow.repo.workshop(thread.workshop_id)
        run = await uow.repo.run(thread.run_id)
        _require_open(workshop_of(workshop), thread, run.closed_at is not None)
        texts, lines = await _read_explained(uow, workshop.id, thread.stage, message.text)
        before = await uow.repo.sources(actor.channel_id, message.ts)
        stored = await uow.boards.slice(workshop, _taking_back(before, lines), linked=True)
        changes, (applied, sources, ended) = await _change(
            uow, stored, actor, lambda edit: _replace(edit, before, texts, lines, actor, message))
        await uow.repo.forget_sources(ended)
        await uow.boards.save(stored, changes.change, thread.stage, sources)
        await jobs.acknowledge(uow.repo, thread.workshop_id, thread.run_id, thread.stage,
                               actor.channel_id, message.ts, actor.user_id)
        await uow.commit()
        return applied


async def deleted(uows: UnitOfWorkFactory, actor: Actor, ts: str) -> list[str]:
    """A captured reply was deleted: what it added goes too."""
    async with uows() as uow:
        before = await uow.repo.sources(actor.channel_id, ts)
        if not before:
            return []
        workshop = await uow.repo.workshop(before[0].workshop_id)
        if workshop.team_id != actor.team_id:
            return []
        stored = await uow.boards.slice(workshop, _taking_back(before), linked=True)
        changes = Changes(stored.board, actor.user_id, refs=None)
        removed = [ref for source in before for ref in _undo(changes, source)]
        await uow.repo.forget_sources([s.id for s in before])
        await uow.boards.save(stored, changes.change, Stage(workshop.stage))
        run = await uow.repo.current_run(workshop.id)
        if run is not None:
            await jobs.refresh_stage(uow.repo, workshop.id, run.id, Stage(run.stage),
                                     actor.user_id)
        await uow.commit()
        return removed


def _require_open(workshop: Workshop, thread: Thread, run_closed: bool) -> None:
    if not workshop.active:
        raise UserError(f"The workshop *{workshop.name}* is closed; nothing more is added.")
    if run_closed:
        raise UserError(
            f"This thread collected the *{thread.stage}* stage, which is closed. The workshop "
            f"is now at *{workshop.stage}*: reply in that stage's thread, or use the command.",
            f"/dpflow add {FORMS[workshop.stage]}")


def _read(stage: Stage, text: str) -> tuple[list[str], list[Line]]:
    """The lines of a message, parsed; refused whole when one of them does not parse."""
    texts = split_lines(text)
    if not texts:
        raise GrammarError("There is nothing to add in that message.", FORMS[stage])
    return texts, [_numbered(i, len(texts), parse_line, stage, text)
                   for i, text in enumerate(texts, 1)]


async def _read_explained(uow: UnitOfWork, workshop_id: str, stage: Stage,
                         text: str) -> tuple[list[str], list[Line]]:
    try:
        return _read(stage, text)
    except GrammarError as error:
        raise await _explained(uow, workshop_id, error) from None


async def _explained(uow: UnitOfWork, workshop_id: str, error: UserError) -> UserError:
    """A refused line's hint with an example from this board and, for a line written for
    another stage, where that stage's thread is."""
    workshop = await uow.repo.workshop(workshop_id)
    if error.stage is not None and error.hint and error.hint.startswith(FORMS[error.stage]):
        error.hint = guide.hint(await uow.boards.sample(workshop), error.stage)
    if isinstance(error, OtherStage):
        run = await uow.repo.last_run_of(workshop.id, error.stage.value)
        if run is None or run.message_ts is None:
            error.message += (f" The *{error.stage}* stage comes later: add the line in its "
                              "thread once it opens.")
        else:
            link = f"https://slack.com/archives/{run.channel_id}/p{run.message_ts.replace('.', '')}"
            error.message += (f" <{link}|The {error.stage} thread> is closed; a facilitator "
                              f"can reopen it with `/dpflow stage {error.stage}`.")
    return error


async def _change(uow: UnitOfWork, stored: Stored, actor: Actor, work):
    """`work` done on the board; a refusal explained with this board's own examples."""
    try:
        return await change_board(uow, stored, actor.user_id, work)
    except UserError as error:
        raise await _explained(uow, stored.board.workshop.id, error) from None


async def _contribute(uow: UnitOfWork, stored: Stored, stage: Stage, actor: Actor,
                      message: Message, texts: list[str], lines: list[Line]) -> list[Applied]:
    def apply_all(changes: Changes) -> list[Applied]:
        return [_numbered(i, len(lines), changes.apply, line)
                for i, line in enumerate(lines, 1)]

    changes, applied = await _change(uow, stored, actor, apply_all)
    sources = [Source(actor.channel_id, message.ts or None, i, text, actor.user_id, done)
               for i, (text, done) in enumerate(zip(texts, applied, strict=True), 1)]
    await uow.boards.save(stored, changes.change, stage, sources)
    return applied


def _replace(changes: Changes, before: list, texts: list[str], lines: list[Line],
             actor: Actor, message: Message) -> tuple[list[Applied], list[Source], list[int]]:
    """What the edited lines did, their new sources, and the ids of the sources they end."""
    by_line = {s.line_no: s for s in before}
    applied, sources = [], []
    for i, (text, line) in enumerate(zip(texts, lines, strict=True), 1):
        source = by_line.get(i)
        if source is not None and source.line == text:
            continue
        if source is not None and source.created and source.ref:
            done = _numbered(i, len(lines), changes.revise, source.ref, line)
        else:
            if source is not None:
                _undo(changes, source)
            done = _numbered(i, len(lines), changes.apply, line)
        applied.append(done)
        sources.append(Source(actor.channel_id, message.ts, i, text, actor.user_id, done))
    for source in before:
        if source.line_no > len(lines):
            _undo(changes, source)
    ended = [s.id for s in before if s.line_no > len(lines) or s.line != texts[s.line_no - 1]]
    return applied, sources, ended


def _undo(changes: Changes, source) -> list[str]:
    line = parse_line(Stage(source.stage), source.line)
    return changes.undo(line, source.ref, source.created, _item(source, line))


def _taking_back(before: list, lines: list[Line] = ()) -> Needs:
    """What a slice must hold to take back the lines `before` (the cards they made go) and
    to apply `lines` in their place."""
    old = [parse_line(Stage(source.stage), source.line) for source in before]
    return needs([*lines, *old], removing=[s.ref for s in before if s.created and s.ref])


def _item(source, line: Line) -> CanvasItem | None:
    if source.canvas_item_id is None or not isinstance(line, SetCanvasField):
        return None
    return CanvasItem(line.data_product, line.field, line.value, source.author,
                      source.canvas_item_id)


def _numbered(i: int, n: int, step, *args):
    """Parse or apply one line; in a message of several lines, say which one failed."""
    try:
        return step(*args)
    except UserError as e:
        if n == 1:
            raise
        numbered = copy.copy(e)
        numbered.message = (f"Line {i}: {e.message}\nNothing from this message was stored; "
                            "edit it and I will read it again.")
        raise numbered from None
