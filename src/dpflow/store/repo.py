"""Queries and writes, in the method's terms. One class: the board is one aggregate."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from dpflow.domain.model import Board, Finding, FindingKind, FindingStatus, Stage, StageRun
from dpflow.domain.review import live
from dpflow.store.boards import Boards, Threads
from dpflow.store.db import Transaction
from dpflow.store.jobs import JobQueue
from dpflow.store.models import (
    CardRow,
    FindingRow,
    MemberRow,
    MentionRow,
    PostedCanvasRow,
    PostedPicturesRow,
    ReceivedRow,
    SourceRow,
    StageRunRow,
    WorkshopRow,
    utcnow,
)

SUPPORTS = "supports"  # port → decision
READS = "reads"  # data product → port
CLAIM_LEASE = timedelta(minutes=5)  # a job claimed longer ago than this was lost in a crash


class Repository:
    def __init__(self, transaction: Transaction, now=utcnow):
        self.transaction, self.now = transaction, now
        self.jobs = JobQueue(transaction, now)  # queued in the same transaction as the change

    @property
    def s(self) -> AsyncSession:
        """The unit of work's ORM session (made on first use: a reply needs none)."""
        return self.transaction.orm

    # --- workshops and members -------------------------------------------------------

    async def active_workshop(self, team_id: str, channel_id: str) -> WorkshopRow | None:
        return await self.s.scalar(select(WorkshopRow).where(
            WorkshopRow.team_id == team_id, WorkshopRow.channel_id == channel_id,
            WorkshopRow.active))

    async def latest_workshop(self, channel_id: str, team_id: str | None) -> WorkshopRow | None:
        """The active workshop of a channel, else the one closed last."""
        q = select(WorkshopRow).where(WorkshopRow.channel_id == channel_id)
        if team_id:
            q = q.where(WorkshopRow.team_id == team_id)
        q = q.order_by(WorkshopRow.active.desc(), WorkshopRow.created_at.desc())
        return await self.s.scalar(q.limit(1))

    async def workshop(self, workshop_id: str) -> WorkshopRow | None:
        return await self.s.get(WorkshopRow, workshop_id)

    def add(self, row) -> None:
        self.s.add(row)

    async def delete(self, row) -> None:
        await self.s.delete(row)

    async def flush(self) -> None:
        await self.s.flush()

    async def member(self, workshop_id: str, user_id: str) -> MemberRow | None:
        return await self.s.get(MemberRow, (workshop_id, user_id))

    async def join(self, workshop_id: str, user_id: str, facilitator: bool = False) -> MemberRow:
        row = await self.member(workshop_id, user_id)
        if row is None:
            row = MemberRow(workshop_id=workshop_id, user_id=user_id, facilitator=facilitator,
                            muted=False)
            self.s.add(row)
        row.facilitator = row.facilitator or facilitator
        return row

    async def members(self, workshop_id: str) -> list[MemberRow]:
        return list(await self.s.scalars(select(MemberRow).where(
            MemberRow.workshop_id == workshop_id).order_by(MemberRow.joined_at)))

    async def facilitators(self, workshop_id: str) -> list[str]:
        return [m.user_id for m in await self.members(workshop_id) if m.facilitator]

    async def workshops_of(self, team_id: str, user_id: str) -> list[WorkshopRow]:
        """Active ones first, then the most recent."""
        return list(await self.s.scalars(
            select(WorkshopRow).join(MemberRow, MemberRow.workshop_id == WorkshopRow.id)
            .where(WorkshopRow.team_id == team_id, MemberRow.user_id == user_id)
            .order_by(WorkshopRow.active.desc(), WorkshopRow.created_at.desc())))

    # --- stage runs ------------------------------------------------------------------

    async def current_run(self, workshop_id: str) -> StageRunRow | None:
        return await self.s.scalar(select(StageRunRow).where(
            StageRunRow.workshop_id == workshop_id, StageRunRow.closed_at.is_(None))
            .order_by(StageRunRow.id.desc()).limit(1))

    async def run(self, run_id: int) -> StageRunRow | None:
        return await self.s.get(StageRunRow, run_id)

    async def run_by_thread(self, channel_id: str, thread_ts: str) -> StageRunRow | None:
        return await self.s.scalar(select(StageRunRow).where(
            StageRunRow.channel_id == channel_id, StageRunRow.message_ts == thread_ts))

    async def runs(self, workshop_id: str) -> list[StageRunRow]:
        return list(await self.s.scalars(select(StageRunRow).where(
            StageRunRow.workshop_id == workshop_id).order_by(StageRunRow.id)))

    async def stage_being_posted(self, team_id: str, channel_id: str) -> bool:
        """An open stage of this channel's workshop whose message has no ts yet."""
        return await self.s.scalar(select(exists().where(
            StageRunRow.channel_id == channel_id, StageRunRow.message_ts.is_(None),
            StageRunRow.closed_at.is_(None), WorkshopRow.id == StageRunRow.workshop_id,
            WorkshopRow.team_id == team_id, WorkshopRow.active)))

    async def last_run_of(self, workshop_id: str, stage: str) -> StageRunRow | None:
        return await self.s.scalar(select(StageRunRow).where(
            StageRunRow.workshop_id == workshop_id, StageRunRow.stage == stage)
            .order_by(StageRunRow.id.desc()).limit(1))

    # --- cards -----------------------------------------------------------------------

    async def refs_by(self, workshop_id: str, author: str) -> list[str]:
        """The references of the cards someone added to a board, in board order."""
        return list(await self.s.scalars(select(CardRow.ref).where(
            CardRow.workshop_id == workshop_id, CardRow.author == author,
            CardRow.deleted_at.is_(None)).order_by(CardRow.position, CardRow.id)))

    async def card(self, workshop_id: str, ref: str) -> CardRow | None:
        return await self.s.scalar(select(CardRow).where(
            CardRow.workshop_id == workshop_id, CardRow.ref == ref.upper(),
            CardRow.deleted_at.is_(None)))

    # --- where cards came from ------------------------------------------------------

    async def sources(self, channel_id: str, message_ts: str) -> list:
        """The lines captured from one message, with the ref of the card each made or
        changed (None when that card is gone)."""
        return list((await self.s.execute(
            select(SourceRow.id, SourceRow.workshop_id, SourceRow.line_no, SourceRow.line,
                   SourceRow.stage, SourceRow.author, SourceRow.created,
                   SourceRow.canvas_item_id, CardRow.ref)
            .outerjoin(CardRow, and_(CardRow.id == SourceRow.card_id,
                                     CardRow.deleted_at.is_(None)))
            .where(SourceRow.channel_id == channel_id, SourceRow.message_ts == message_ts)
            .order_by(SourceRow.line_no))).all())

    async def forget_sources(self, source_ids: list[int]) -> None:
        if source_ids:
            await self.s.execute(delete(SourceRow).where(SourceRow.id.in_(source_ids)))

    async def contributions(self, run: StageRunRow) -> list[tuple[str, str]]:
        """(author, line as typed) of every line contributed during this stage run."""
        rows = await self.s.execute(
            select(SourceRow.author, SourceRow.line).join(CardRow, CardRow.id == SourceRow.card_id)
            .where(SourceRow.workshop_id == run.workshop_id, SourceRow.stage == run.stage,
                   SourceRow.created_at >= run.opened_at, CardRow.deleted_at.is_(None))
            .order_by(SourceRow.id))
        return [(author, line) for author, line in rows]

    async def fixes_applied(self, run: StageRunRow) -> list[str]:
        """Who applied each review fix during this stage run."""
        return list(await self.s.scalars(select(FindingRow.decided_by).where(
            FindingRow.workshop_id == run.workshop_id, FindingRow.status == "applied",
            FindingRow.updated_at >= run.opened_at)))

    async def last_to_change(self, workshop_id: str, ref: str) -> str | None:
        """Who contributed the latest line that changed the card `ref` (not made it)."""
        return await self.s.scalar(
            select(SourceRow.author).join(CardRow, CardRow.id == SourceRow.card_id)
            .where(SourceRow.workshop_id == workshop_id, CardRow.ref == ref,
                   SourceRow.created.is_(False))
            .order_by(SourceRow.id.desc()).limit(1))

    async def contribution_count(self, workshop_id: str, user_id: str) -> int:
        return await self.s.scalar(select(func.count()).select_from(SourceRow).where(
            SourceRow.workshop_id == workshop_id, SourceRow.author == user_id))

    async def first_delivery(self, key: str) -> bool:
        """False when this Slack delivery (message, view…) was handled before."""
        return await self._insert_new(ReceivedRow, key=key, received_at=self.now())

    async def forget_deliveries(self, prefix: str, before: datetime) -> None:
        await self.s.execute(delete(ReceivedRow).where(
            ReceivedRow.key.startswith(prefix), ReceivedRow.received_at < before))

    # --- the board -------------------------------------------------------------------

    async def board(self, workshop: WorkshopRow) -> Board:
        """The whole board of a workshop, its facilitators and its current findings."""
        stored = await Boards(self.transaction, Threads(), self.now).whole(
            workshop, await self.facilitators(workshop.id))
        board = stored.board
        board.findings = [finding_of(f) for f in await self.findings(workshop.id)]
        if board.findings or board.workshop.stage.number >= Stage.REVIEW.number:
            board.findings = live(board)  # once reviewed, the findings follow the board
        return board

    # --- findings --------------------------------------------------------------------

    async def findings(self, workshop_id: str, current_only: bool = True) -> list[FindingRow]:
        q = select(FindingRow).where(FindingRow.workshop_id == workshop_id)
        if current_only:
            q = q.where(FindingRow.current)
        return list(await self.s.scalars(q.order_by(FindingRow.id)))

    async def finding(self, finding_id: int) -> FindingRow | None:
        return await self.s.get(FindingRow, finding_id)

    async def mention_once(self, workshop_id: str, stage: str, user_id: str, day: str) -> bool:
        """True the first time a person is mentioned for this stage on this day."""
        return await self._insert_new(MentionRow, workshop_id=workshop_id, stage=stage,
                                      user_id=user_id, day=day)

    async def _insert_new(self, table, **values) -> bool:
        """INSERT … ON CONFLICT DO NOTHING: True when the row is new. Under concurrency the
        second writer waits for the first to commit, then finds its row."""
        result = await self.s.execute(self._insert(table).values(**values)
                                      .on_conflict_do_nothing())
        return result.rowcount == 1

    def _insert(self, table):
        postgres = self.s.bind.dialect.name == "postgresql"
        return (pg_insert if postgres else sqlite_insert)(table)

    async def canvases_by_ref(self, workshop_id: str) -> dict[str, str]:
        rows = await self.s.execute(
            select(CardRow.ref, PostedCanvasRow.canvas_id)
            .join(CardRow, CardRow.id == PostedCanvasRow.card_id)
            .where(PostedCanvasRow.workshop_id == workshop_id,
                   PostedCanvasRow.canvas_id.is_not(None)))
        return {ref: canvas_id for ref, canvas_id in rows}

    async def posted_canvas(self, workshop_id: str, card_id: int) -> PostedCanvasRow | None:
        return await self.s.get(PostedCanvasRow, (workshop_id, card_id))

    async def posted_pictures(self, workshop_id: str) -> PostedPicturesRow | None:
        return await self.s.get(PostedPicturesRow, workshop_id)

    async def posted_canvases(self, workshop_id: str) -> dict[str, PostedCanvasRow]:
        """DP ref → what was posted for it (canvas, or summary and file only)."""
        rows = await self.s.execute(
            select(CardRow.ref, PostedCanvasRow)
            .join(CardRow, CardRow.id == PostedCanvasRow.card_id)
            .where(PostedCanvasRow.workshop_id == workshop_id))
        return {ref: row for ref, row in rows}


def run_of(row: StageRunRow) -> StageRun:
    return StageRun(row.id, row.workshop_id, Stage(row.stage), row.channel_id, row.message_ts,
                    row.opened_at, row.closed_at, row.deadline)


def finding_of(f: FindingRow) -> Finding:
    return Finding(kind=FindingKind(f.kind), subject=f.subject, message=f.message,
                   status=FindingStatus(f.status), key=f.key, details=dict(f.details or {}),
                   decided_by=f.decided_by, decided_at=f.decided_at)
