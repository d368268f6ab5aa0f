"""The review stage: findings computed from the board, kept with their status, and the
fixes facilitators apply or the findings they dismiss."""

from __future__ import annotations

from dataclasses import dataclass

from dpflow.domain.changes import Changes
from dpflow.domain.errors import UserError
from dpflow.domain.grammar import MAX_NAME
from dpflow.domain.lines import AddPort, SetCanvasField
from dpflow.domain.model import (
    Alignment,
    Board,
    CanvasField,
    Finding,
    FindingKind,
    FindingStatus,
    Stage,
)
from dpflow.domain.review import (
    BOUNDARY_QUESTIONS,
    SplitFix,
    automated_decision_fix,
    is_table_like,
    mixed_planes_fix,
)
from dpflow.services import jobs
from dpflow.services.context import Actor, change_board, require_facilitator, scoped
from dpflow.services.jobs import Job
from dpflow.store.boards import Stored
from dpflow.store.models import FindingRow, WorkshopRow
from dpflow.store.repo import Repository, finding_of
from dpflow.store.uow import UnitOfWorkFactory

KIND_ORDER = list(FindingKind)


@dataclass(frozen=True)
class FindingCard:
    """A finding as the review thread shows it."""

    id: int
    finding: Finding
    decided_by: str | None = None


@dataclass(frozen=True)
class Posting:
    team_id: str
    channel_id: str
    thread_ts: str | None
    findings: list[FindingCard]
    everything: bool  # the whole review, not only what a fix brought up


@dataclass(frozen=True)
class Shown:
    """One review message after a change: the findings it shows, to render it again."""

    channel_id: str
    ts: str | None
    findings: list[FindingCard]


@dataclass(frozen=True)
class FixForm:
    """Apply needs more from the facilitator: the form for this finding, on this board."""

    card: FindingCard
    board: Board


@dataclass(frozen=True)
class Fix:
    """What a fix form sent: a name (port, owner, data product), a data product, decisions."""

    text: str = ""
    product: str | None = None
    decisions: tuple[str, ...] = ()


NEEDS_FORM = {FindingKind.TABLE_LIKE_NAME, FindingKind.NO_OWNER,
              FindingKind.UNSUPPORTED_DECISION, FindingKind.UNUSED_PORT}


@dataclass(frozen=True)
class Rerun:
    fresh: list[FindingRow]  # new on the board: to post
    changed: list[FindingRow]  # resolved, or open again: their messages to update


async def run_review(repo: Repository, workshop: WorkshopRow, by: str | None = None) -> Rerun:
    """Keep on record the findings as the board shows them now (`live`): a known one keeps
    its row, answers and decision; one `by` resolved says so; one gone off the record
    (decided long ago, found no more) stops being current."""
    board = await repo.board(workshop)
    known = {row.key: row for row in await repo.findings(workshop.id, current_only=False)}
    fresh, changed = [], []
    for finding in board.findings:
        row = known.pop(finding.key, None)
        if row is None or not row.current:
            row = row or _added(repo, workshop, finding)
            fresh.append(row)
        elif row.status != finding.status:
            changed.append(row)
            # resolved by the last to change the card it is about (the owner set on DP2
            # resolves DP2's no-owner), else by who changed the board last
            row.decided_by, row.decided_at = (
                (await repo.last_to_change(workshop.id, finding.subject) or by, repo.now())
                if finding.status is FindingStatus.RESOLVED else (None, None))
        row.kind, row.subject, row.message = finding.kind.value, finding.subject, finding.message
        row.status, row.details, row.current = finding.status.value, finding.details, True
    for row in known.values():
        row.current = False
    await repo.flush()
    return Rerun(fresh, changed)


def _added(repo: Repository, workshop: WorkshopRow, finding: Finding) -> FindingRow:
    row = FindingRow(workshop_id=workshop.id, key=finding.key)
    repo.add(row)
    return row


async def recheck(uows: UnitOfWorkFactory, workshop_id: str, by: str | None) -> list[Shown]:
    """After a change to a reviewed board: the findings follow it. New ones are posted in
    the review thread (a job); the messages whose findings were resolved or opened again
    are returned, to update."""
    async with uows() as uow:
        workshop = await uow.repo.workshop(workshop_id)
        rerun = await _rerun(uow.repo, workshop, by)
        stale = {row.message_ts: row for row in rerun.changed if row.message_ts}
        shown = [await _shown(uow.repo, workshop, row, ts) for ts, row in stale.items()]
        await uow.commit()
        return shown


async def to_post(uows: UnitOfWorkFactory, run_id: int, only: list[int] | None) -> Posting:
    """The findings to post in the review thread: all of them, or those of `only`."""
    async with uows.read() as uow:
        run = await uow.repo.run(run_id)
        workshop = await uow.repo.workshop(run.workshop_id)
        rows = [r for r in await uow.repo.findings(workshop.id) if only is None or r.id in only]
        return Posting(workshop.team_id, run.channel_id, run.message_ts, _ordered(rows),
                       everything=only is None)


async def posted(uows: UnitOfWorkFactory, finding_ids: list[int], ts: str) -> None:
    async with uows() as uow:
        for finding_id in finding_ids:
            (await uow.repo.finding(finding_id)).message_ts = ts
        await uow.commit()


async def dismiss(uows: UnitOfWorkFactory, actor: Actor, finding_id: int,
                  message_ts: str | None) -> Shown:
    async with uows() as uow:
        workshop, row = await _decidable(uow.repo, actor, finding_id)
        return await _decided(uow, workshop, row, FindingStatus.DISMISSED, actor, message_ts)


async def apply(uows: UnitOfWorkFactory, actor: Actor, finding_id: int,
                message_ts: str | None) -> Shown | FixForm:
    """Apply what the finding proposes, or say which form it needs first."""
    async with uows() as uow:
        workshop, row = await _decidable(uow.repo, actor, finding_id)
        stored = await uow.boards.whole(workshop, await uow.repo.facilitators(workshop.id))
        finding = finding_of(row)
        if finding.kind in NEEDS_FORM or _advice(finding) == "split":
            return FixForm(_card(row), stored.board)
        if _advice(finding) == "ask":
            raise UserError("Answer the three questions first: the advice to keep the two "
                            "ports together or to split them follows from the answers.")
        fix = {FindingKind.MIXED_PLANES: mixed_planes_fix,
               FindingKind.AUTOMATED_DECISION: automated_decision_fix}.get(finding.kind)
        if fix is not None:
            split = fix(stored.board, finding)
            made = await _change(uow, stored, actor, lambda changes: _split(changes, split))
            row.details = {**row.details, "made": made}
        return await _decided(uow, workshop, row, FindingStatus.APPLIED, actor, message_ts)


async def fix(uows: UnitOfWorkFactory, actor: Actor, finding_id: int, message_ts: str | None,
              given: Fix) -> Shown:
    """Apply a finding with what its form asked for."""
    async with uows() as uow:
        workshop, row = await _decidable(uow.repo, actor, finding_id)
        stored = await uow.boards.whole(workshop, await uow.repo.facilitators(workshop.id))
        finding, fixer = finding_of(row), _FIXES[FindingKind(row.kind)]
        await _change(uow, stored, actor, lambda changes: fixer(changes, finding, given))
        return await _decided(uow, workshop, row, FindingStatus.APPLIED, actor, message_ts)


async def _change(uow, stored: Stored, actor: Actor, work):
    changes, done = await change_board(uow, stored, actor.user_id, work)
    await uow.boards.save(stored, changes.change, stored.board.workshop.stage)
    return done


async def answer(uows: UnitOfWorkFactory, actor: Actor, finding_id: int, question: str,
                 yes: bool, message_ts: str | None) -> Shown:
    """An answer to one of the three boundary questions; the advice follows the answers."""
    if question not in BOUNDARY_QUESTIONS:
        raise UserError("That is not one of the three boundary questions.")
    async with uows() as uow:
        workshop, row = await _decidable(uow.repo, actor, finding_id,
                                         "answer the boundary questions")
        answers = {**row.details.get("answers", {}), question: yes}
        row.details = {**row.details, "answers": answers}
        await uow.repo.flush()
        await _rerun(uow.repo, workshop)
        shown = await _shown(uow.repo, workshop, row, message_ts)
        await uow.commit()
        return shown


async def _open_finding(repo: Repository, actor: Actor,
                        finding_id: int) -> tuple[WorkshopRow, FindingRow]:
    row = await repo.finding(finding_id)
    workshop = await scoped(repo, actor, row.workshop_id if row else "")
    if not row.current or not workshop.active:
        raise UserError("That finding is no longer on the board: the review was run again "
                        "or the workshop is closed.", "/dpflow list findings")
    if row.status != FindingStatus.OPEN:
        raise UserError(f"{row.subject} ({row.kind}) was already {row.status} by "
                        f"<@{row.decided_by}>.", "/dpflow list findings",
                        people=(row.decided_by,))
    return workshop, row


async def _decidable(repo: Repository, actor: Actor, finding_id: int,
                     what: str = "apply or dismiss review findings",
                     ) -> tuple[WorkshopRow, FindingRow]:
    workshop, row = await _open_finding(repo, actor, finding_id)
    await require_facilitator(repo, workshop, actor.user_id, what)
    return workshop, row


async def _decided(uow, workshop: WorkshopRow, row: FindingRow, status: FindingStatus,
                   actor: Actor, message_ts: str | None) -> Shown:
    row.status, row.decided_by, row.decided_at = status.value, actor.user_id, uow.now()
    await uow.repo.flush()
    await _rerun(uow.repo, workshop)
    shown = await _shown(uow.repo, workshop, row, message_ts)
    await uow.commit()
    return shown


async def _rerun(repo: Repository, workshop: WorkshopRow, by: str | None = None) -> Rerun:
    """Findings follow the board; what a change brought up is posted in the review thread."""
    rerun = await run_review(repo, workshop, by)
    run = await repo.last_run_of(workshop.id, Stage.REVIEW.value)
    if rerun.fresh and run is not None:
        await jobs.post(repo, Job.POST_FINDINGS, run, findings=[r.id for r in rerun.fresh])
    return rerun


async def _shown(repo: Repository, workshop: WorkshopRow, row: FindingRow,
                 message_ts: str | None) -> Shown:
    same = [r for r in await repo.findings(workshop.id)
            if message_ts and r.message_ts == message_ts]
    return Shown(workshop.channel_id, message_ts, _ordered(same or [row]))


def _card(row: FindingRow) -> FindingCard:
    return FindingCard(row.id, finding_of(row), row.decided_by)


def _ordered(rows: list[FindingRow]) -> list[FindingCard]:
    rows = sorted(rows, key=lambda r: (KIND_ORDER.index(FindingKind(r.kind)), r.id))
    return [_card(r) for r in rows]


def _advice(finding: Finding) -> str | None:
    return finding.details.get("recommendation")


# --- the fixes ---------------------------------------------------------------------------


def _split(changes: Changes, split: SplitFix) -> str:
    """A new consumer-aligned data product takes over the decision support; its ref."""
    changes.apply(split.consumer)
    for port, decision in split.unlink:
        changes.stop_support(port, decision)
    return changes.board.product_named(split.consumer.name).ref


def _rename_port(changes: Changes, finding: Finding, given: Fix) -> None:
    name = _name(given.text, "The port's name")
    if is_table_like(name):
        raise UserError(f"“{name}” still reads like a table name: say in a few plain words "
                        "what people find there.", "Orders waiting for pickup")
    changes.rename_port(finding.subject, name)


def _set_owner(changes: Changes, finding: Finding, given: Fix) -> None:
    changes.apply(SetCanvasField(finding.subject, CanvasField.OWNER,
                                 _name(given.text, "The owner")))


def _add_port(changes: Changes, finding: Finding, given: Fix) -> None:
    if not given.product:
        raise UserError("Choose the data product that offers the port.")
    changes.apply(AddPort(given.product, _name(given.text, "The port's name"),
                          (finding.subject,)))


def _link_decisions(changes: Changes, finding: Finding, given: Fix) -> None:
    if not given.decisions:
        raise UserError("Choose at least one decision that the port supports.")
    changes.support(finding.subject, given.decisions)


def _move_port(changes: Changes, finding: Finding, given: Fix) -> None:
    """Split a consumer boundary: the second port moves into a new consumer-aligned data
    product, which reads what the first one read."""
    name = _name(given.text, "The data product's name")
    before = changes.board.product(finding.subject)
    existing = changes.board.product_named(name)
    if existing is not None and (existing.kind is Alignment.SOURCE or existing is before):
        raise UserError(f"{existing.name} ({existing.ref}) is {existing.kind}"
                        + (" and holds both ports" if existing is before else "")
                        + ": give the new consumer-aligned data product a name of its own.")
    changes.move_port(finding.details["ports"][1], changes.product(name, Alignment.CONSUMER))


def _name(text: str, what: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise UserError(f"{what} is missing.")
    if len(text) > MAX_NAME:
        raise UserError(f"{what} is {len(text)} characters long; keep it under {MAX_NAME}.")
    return text


_FIXES = {
    FindingKind.TABLE_LIKE_NAME: _rename_port,
    FindingKind.NO_OWNER: _set_owner,
    FindingKind.UNSUPPORTED_DECISION: _add_port,
    FindingKind.UNUSED_PORT: _link_decisions,
    FindingKind.CONSUMER_BOUNDARY: _move_port,
}
