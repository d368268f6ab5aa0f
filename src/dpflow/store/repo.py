"""Queries and writes, in the method's terms. One class: the board is one aggregate."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from dpflow.domain.model import (
    Alignment,
    Board,
    CardKind,
    DataProduct,
    Decision,
    Event,
    Finding,
    FindingKind,
    FindingStatus,
    Mode,
    Opportunity,
    Port,
    Stage,
    Workshop,
)
from dpflow.store.jobs import JobQueue
from dpflow.store.models import (
    CanvasItemRow,
    CardRow,
    CounterRow,
    FindingRow,
    LinkRow,
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


class Repository:
    def __init__(self, session: AsyncSession):
        self.s = session
        self.jobs = JobQueue(session)  # queued in the same transaction as the change

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

    async def last_run_of(self, workshop_id: str, stage: str) -> StageRunRow | None:
        return await self.s.scalar(select(StageRunRow).where(
            StageRunRow.workshop_id == workshop_id, StageRunRow.stage == stage)
            .order_by(StageRunRow.id.desc()).limit(1))

    # --- cards -----------------------------------------------------------------------

    async def next_ref(self, workshop_id: str, kind: CardKind) -> str:
        """E7, DP3…: one atomic upsert, so simultaneous first cards of a kind never collide
        and numbers are never handed out twice."""
        insert = pg_insert if self.s.bind.dialect.name == "postgresql" else sqlite_insert
        upsert = insert(CounterRow).values(workshop_id=workshop_id, kind=kind.value, last=1)
        last = await self.s.scalar(upsert.on_conflict_do_update(
            index_elements=[CounterRow.workshop_id, CounterRow.kind],
            set_={"last": CounterRow.last + 1}).returning(CounterRow.last))
        return f"{kind.prefix}{last}"

    async def cards(self, workshop_id: str) -> list[CardRow]:
        return list(await self.s.scalars(select(CardRow).where(
            CardRow.workshop_id == workshop_id, CardRow.deleted_at.is_(None))
            .order_by(CardRow.position, CardRow.id)))

    async def card(self, workshop_id: str, ref: str) -> CardRow | None:
        return await self.s.scalar(select(CardRow).where(
            CardRow.workshop_id == workshop_id, CardRow.ref == ref.upper(),
            CardRow.deleted_at.is_(None)))

    async def product_named(self, workshop_id: str, name: str) -> CardRow | None:
        """A data product by name, case-insensitive in any script (names are reused, SPEC §3);
        compared here, not in SQL, whose lower() knows ASCII only."""
        products = await self.s.scalars(select(CardRow).where(
            CardRow.workshop_id == workshop_id, CardRow.kind == CardKind.DATA_PRODUCT.value,
            CardRow.deleted_at.is_(None)))
        return next((p for p in products if p.text.casefold() == name.casefold()), None)

    async def card_by_id(self, card_id: int) -> CardRow | None:
        return await self.s.get(CardRow, card_id)

    async def max_position(self, workshop_id: str) -> int:
        return await self.s.scalar(select(func.coalesce(func.max(CardRow.position), 0)).where(
            CardRow.workshop_id == workshop_id, CardRow.kind == CardKind.EVENT.value,
            CardRow.deleted_at.is_(None)))

    async def link(self, workshop_id: str, relation: str, source_id: int, target_id: int) -> None:
        exists = await self.s.scalar(select(LinkRow.id).where(
            LinkRow.relation == relation, LinkRow.source_id == source_id,
            LinkRow.target_id == target_id))
        if exists is None:
            self.s.add(LinkRow(workshop_id=workshop_id, relation=relation, source_id=source_id,
                               target_id=target_id))

    async def unlink(self, relation: str, source_id: int | None = None,
                     target_id: int | None = None) -> None:
        q = delete(LinkRow).where(LinkRow.relation == relation)
        if source_id is not None:
            q = q.where(LinkRow.source_id == source_id)
        if target_id is not None:
            q = q.where(LinkRow.target_id == target_id)
        await self.s.execute(q)

    async def canvas_items(self, workshop_id: str) -> list[CanvasItemRow]:
        return list(await self.s.scalars(
            select(CanvasItemRow).join(CardRow, CardRow.id == CanvasItemRow.card_id)
            .where(CardRow.workshop_id == workshop_id, CanvasItemRow.deleted_at.is_(None))
            .order_by(CanvasItemRow.id)))

    async def canvas_item(self, item_id: int) -> CanvasItemRow | None:
        return await self.s.get(CanvasItemRow, item_id)

    async def children(self, card_id: int) -> list[CardRow]:
        return list(await self.s.scalars(select(CardRow).where(
            CardRow.parent_id == card_id, CardRow.deleted_at.is_(None))))

    async def renumber_events(self, ordered_ids: list[int]) -> None:
        """Timeline positions 1…n in this order, in one bulk UPDATE by primary key."""
        await self.s.execute(update(CardRow), [{"id": card_id, "position": position}
                                               for position, card_id in
                                               enumerate(ordered_ids, start=1)])

    # --- where cards came from ------------------------------------------------------

    async def sources(self, channel_id: str, message_ts: str) -> list[SourceRow]:
        return list(await self.s.scalars(select(SourceRow).where(
            SourceRow.channel_id == channel_id, SourceRow.message_ts == message_ts)
            .order_by(SourceRow.line_no)))

    async def forget_sources(self, channel_id: str, message_ts: str) -> None:
        await self.s.execute(delete(SourceRow).where(
            SourceRow.channel_id == channel_id, SourceRow.message_ts == message_ts))

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

    async def contribution_count(self, workshop_id: str, user_id: str) -> int:
        return await self.s.scalar(select(func.count()).select_from(SourceRow).where(
            SourceRow.workshop_id == workshop_id, SourceRow.author == user_id))

    async def first_delivery(self, key: str) -> bool:
        """False when this Slack delivery (message, view…) was handled before."""
        return await self._insert_new(ReceivedRow, key=key, received_at=utcnow())

    # --- the board -------------------------------------------------------------------

    async def board(self, workshop: WorkshopRow) -> Board:
        # plain rows, not ORM objects: the board is read on every contribution
        cards = (await self.s.execute(select(*_BOARD_COLUMNS).where(
            CardRow.workshop_id == workshop.id, CardRow.deleted_at.is_(None))
            .order_by(CardRow.position, CardRow.id))).all()
        by_id = {c.id: c for c in cards}
        links = (await self.s.execute(select(LinkRow.relation, LinkRow.source_id,
                                             LinkRow.target_id).where(
            LinkRow.workshop_id == workshop.id).order_by(LinkRow.id))).all()
        items = await self.canvas_items(workshop.id)
        board = Board(workshop=Workshop(
            id=workshop.id, name=workshop.name, team_id=workshop.team_id,
            channel_id=workshop.channel_id, stage=Stage(workshop.stage), domain=workshop.domain,
            facilitators=await self.facilitators(workshop.id), active=workshop.active))
        for c in cards:
            _place(board, c, by_id)
        products = {p.ref: p for p in board.data_products}
        ports = {p.ref: p for p in board.ports}
        for link in links:
            source, target = by_id.get(link.source_id), by_id.get(link.target_id)
            if source is None or target is None:
                continue
            if link.relation == SUPPORTS and source.ref in ports:
                ports[source.ref].supports.append(target.ref)
            elif link.relation == READS and source.ref in products:
                products[source.ref].reads.append(target.ref)
        for item in items:
            product = products.get(by_id[item.card_id].ref) if item.card_id in by_id else None
            if product is not None:
                getattr(product, _LIST_FIELDS[item.field]).append(item.value)
        board.findings = [finding_of(f) for f in await self.findings(workshop.id)]
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
        insert = pg_insert if self.s.bind.dialect.name == "postgresql" else sqlite_insert
        result = await self.s.execute(insert(table).values(**values).on_conflict_do_nothing())
        return result.rowcount == 1

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


_BOARD_COLUMNS = [getattr(CardRow, name) for name in (
    "id", "kind", "ref", "text", "author", "position", "parent_id", "command", "actor",
    "system", "trigger", "mode", "alignment", "owner", "purpose", "classification")]
_LIST_FIELDS = {"term": "terms", "assumption": "assumptions", "metric": "metrics",
                "question": "questions"}


def _place(board: Board, c, by_id: dict) -> None:
    parent = by_id[c.parent_id].ref if c.parent_id in by_id else None
    match CardKind(c.kind):
        case CardKind.EVENT:
            board.events.append(Event(
                ref=c.ref, text=c.text, position=len(board.events) + 1, author=c.author,
                command=c.command, actor=c.actor, system=c.system, trigger=c.trigger,
                data_product=parent))
        case CardKind.DECISION:
            board.decisions.append(Decision(ref=c.ref, text=c.text, event=parent,
                                            author=c.author))
        case CardKind.OPPORTUNITY:
            board.opportunities.append(Opportunity(ref=c.ref, mode=Mode(c.mode), text=c.text,
                                                   decision=parent, author=c.author))
        case CardKind.PORT:
            board.ports.append(Port(ref=c.ref, name=c.text, data_product=parent or "",
                                    author=c.author))
        case CardKind.DATA_PRODUCT:
            board.data_products.append(DataProduct(
                ref=c.ref, name=c.text, kind=Alignment(c.alignment), owner=c.owner,
                purpose=c.purpose, classification=c.classification, author=c.author))


def finding_of(f: FindingRow) -> Finding:
    return Finding(kind=FindingKind(f.kind), subject=f.subject, message=f.message,
                   status=FindingStatus(f.status), key=f.key, details=dict(f.details or {}))
