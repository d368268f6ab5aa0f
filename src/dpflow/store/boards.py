"""A board in the database: read whole, or the slice that some lines need together with
the stage thread they were sent in, and what changed written back in a few statements."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, delete, exists, false, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dpflow.domain.changes import KIND, LIST_FIELDS, READS, SUPPORTS, Applied, Change, Needs
from dpflow.domain.model import (
    Alignment,
    Board,
    CanvasField,
    CardKind,
    DataProduct,
    Decision,
    Event,
    Mode,
    Opportunity,
    Port,
    Stage,
    Workshop,
    norm,
)
from dpflow.logs import note
from dpflow.store.models import (
    CanvasItemRow,
    CardRow,
    CounterRow,
    LinkRow,
    MemberRow,
    SourceRow,
    StageRunRow,
    WorkshopRow,
)

THREADS_KEPT = 2000


@dataclass(frozen=True)
class Thread:
    """What never changes about a stage thread: its run, workshop, team and stage."""

    run_id: int
    workshop_id: str
    team_id: str
    stage: Stage


@dataclass
class Stored:
    """A board as read, with the row ids of its cards (by ref)."""

    board: Board
    ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyContext:
    """A thread reply's stage run and workshop as they are now, and the board slice."""

    stored: Stored
    run_closed: bool
    member: bool  # the author has joined the workshop before
    seen: bool  # this message was stored before: a redelivery


@dataclass(frozen=True)
class Source:
    """One contributed line, to edit or delete its cards with its message."""

    channel_id: str
    message_ts: str | None
    line_no: int
    line: str
    author: str
    applied: Applied


class Threads:
    """Stage threads by (channel, ts), kept per process: their facts never change."""

    def __init__(self) -> None:
        self._known: OrderedDict[tuple[str, str], Thread] = OrderedDict()

    def get(self, key: tuple[str, str]) -> Thread | None:
        if key in self._known:
            self._known.move_to_end(key)
        return self._known.get(key)

    def put(self, key: tuple[str, str], thread: Thread) -> None:
        self._known[key] = thread
        if len(self._known) > THREADS_KEPT:
            self._known.popitem(last=False)


class Boards:
    def __init__(self, session: AsyncSession, threads: Threads, now):
        self.s, self.threads, self.now = session, threads, now

    # --- reading ---------------------------------------------------------------------

    async def thread(self, channel_id: str, thread_ts: str) -> Thread | None:
        key = (channel_id, thread_ts)
        if (known := self.threads.get(key)) is not None:
            note(workshop=known.workshop_id)
            return known
        row = (await self.s.execute(
            select(StageRunRow.id, StageRunRow.workshop_id, WorkshopRow.team_id,
                   StageRunRow.stage)
            .join(WorkshopRow, WorkshopRow.id == StageRunRow.workshop_id)
            .where(StageRunRow.channel_id == channel_id,
                   StageRunRow.message_ts == thread_ts))).first()
        if row is None:
            return None
        thread = Thread(row.id, row.workshop_id, row.team_id, Stage(row.stage))
        note(workshop=thread.workshop_id)
        self.threads.put(key, thread)
        return thread

    async def reply_context(self, thread: Thread, user_id: str, channel_id: str, ts: str,
                            needs: Needs) -> ReplyContext:
        """In one statement: the run and workshop now, whether the author is a member and
        the message was seen, and the cards `needs` names."""
        card, parent = aliased(CardRow), aliased(CardRow)
        member = exists().where(MemberRow.workshop_id == StageRunRow.workshop_id,
                                MemberRow.user_id == user_id)
        seen = exists().where(SourceRow.channel_id == channel_id, SourceRow.message_ts == ts)
        rows = (await self.s.execute(
            select(StageRunRow.closed_at, member.label("member"), seen.label("seen"),
                   *_WORKSHOP_COLUMNS, *_columns(card), parent.ref.label("parent"))
            .join(WorkshopRow, WorkshopRow.id == StageRunRow.workshop_id)
            .outerjoin(card, and_(card.workshop_id == StageRunRow.workshop_id,
                                  card.deleted_at.is_(None),
                                  _needed(card, thread.workshop_id, needs)))
            .outerjoin(parent, parent.id == card.parent_id)
            .where(StageRunRow.id == thread.run_id)
            .order_by(card.position, card.id))).all()
        first = rows[0]
        stored = Stored(Board(workshop_of(first)))
        for row in rows:
            if row.id is not None:
                _place(stored, row)
        return ReplyContext(stored, first.closed_at is not None, first.member, first.seen)

    async def slice(self, workshop: WorkshopRow, needs: Needs) -> Stored:
        """The cards `needs` names, on a board of `workshop`."""
        card, parent = aliased(CardRow), aliased(CardRow)
        rows = (await self.s.execute(
            select(*_columns(card), parent.ref.label("parent"))
            .outerjoin(parent, parent.id == card.parent_id)
            .where(card.workshop_id == workshop.id, card.deleted_at.is_(None),
                   _needed(card, workshop.id, needs))
            .order_by(card.position, card.id))).all()
        stored = Stored(Board(workshop_of(workshop)))
        for row in rows:
            _place(stored, row)
        return stored

    async def whole(self, workshop: WorkshopRow, facilitators: list[str]) -> Stored:
        """Every card of the board with its links and canvas items."""
        card, parent = aliased(CardRow), aliased(CardRow)
        rows = (await self.s.execute(
            select(*_columns(card), parent.ref.label("parent"))
            .outerjoin(parent, parent.id == card.parent_id)
            .where(card.workshop_id == workshop.id, card.deleted_at.is_(None))
            .order_by(card.position, card.id))).all()
        stored = Stored(Board(workshop_of(workshop, facilitators)))
        for row in rows:
            _place(stored, row)
        await self._links(stored, workshop.id)
        await self._items(stored, workshop.id)
        return stored

    async def _links(self, stored: Stored, workshop_id: str) -> None:
        source, target = aliased(CardRow), aliased(CardRow)
        rows = await self.s.execute(
            select(LinkRow.relation, source.ref, target.ref)
            .join(source, source.id == LinkRow.source_id)
            .join(target, target.id == LinkRow.target_id)
            .where(LinkRow.workshop_id == workshop_id, source.deleted_at.is_(None),
                   target.deleted_at.is_(None))
            .order_by(LinkRow.id))
        board = stored.board
        for relation, source_ref, target_ref in rows:
            card = board.card(source_ref)
            if relation == SUPPORTS and isinstance(card, Port):
                card.supports.append(target_ref)
            elif relation == READS and isinstance(card, DataProduct):
                card.reads.append(target_ref)

    async def _items(self, stored: Stored, workshop_id: str) -> None:
        rows = await self.s.execute(
            select(CardRow.ref, CanvasItemRow.field, CanvasItemRow.value)
            .join(CardRow, CardRow.id == CanvasItemRow.card_id)
            .where(CardRow.workshop_id == workshop_id, CardRow.deleted_at.is_(None),
                   CanvasItemRow.deleted_at.is_(None))
            .order_by(CanvasItemRow.id))
        for ref, item_field, value in rows:
            product = stored.board.product(ref)
            getattr(product, LIST_FIELDS[CanvasField(item_field)]).append(value)

    # --- writing ---------------------------------------------------------------------

    async def take_refs(self, workshop_id: str, counts: dict[CardKind, int]
                        ) -> dict[CardKind, int]:
        """Reserve `counts[kind]` new numbers per kind in one atomic upsert; the number
        before each reserved block."""
        if not counts:
            return {}
        insert = self._insert(CounterRow)
        upsert = insert.values([{"workshop_id": workshop_id, "kind": kind.value, "last": n}
                                for kind, n in counts.items()])
        upsert = upsert.on_conflict_do_update(
            index_elements=[CounterRow.workshop_id, CounterRow.kind],
            set_={"last": CounterRow.last + upsert.excluded.last})
        rows = await self.s.execute(upsert.returning(CounterRow.kind, CounterRow.last))
        return {CardKind(kind): last - counts[CardKind(kind)] for kind, last in rows}

    async def join(self, workshop_id: str, user_id: str) -> None:
        await self.s.execute(self._insert(MemberRow).values(
            workshop_id=workshop_id, user_id=user_id, facilitator=False, muted=False,
            joined_at=self.now()).on_conflict_do_nothing())

    async def save(self, stored: Stored, change: Change, stage: Stage,
                   sources: list[Source] = ()) -> None:
        """Write `change` (made on `stored`) and the lines it came from."""
        workshop_id = stored.board.workshop.id
        await self._add_cards(workshop_id, stored, change, stage)
        await self._update_cards(stored, change)
        if change.removed:
            await self.s.execute(update(CardRow).where(
                CardRow.id.in_([stored.ids[ref] for ref in change.removed]))
                .values(deleted_at=self.now()))
        await self._write_links(workshop_id, stored, change)
        await self._write_items(stored, change)
        if sources:
            await self.s.execute(self._insert(SourceRow), [
                _source_row(workshop_id, stage, source, stored.ids, self.now())
                for source in sources])

    async def _add_cards(self, workshop_id: str, stored: Stored, change: Change,
                         stage: Stage) -> None:
        """New cards in one INSERT, or two when some hang on a data product made here."""
        new = {card.ref for card in change.added}
        first = [c for c in change.added if _parent(c) not in new]
        later = [c for c in change.added if _parent(c) in new]
        for cards in (first, later):
            if not cards:
                continue
            rows = [_card_row(workshop_id, card, stage, stored.ids, self.now())
                    for card in cards]
            result = await self.s.execute(
                self._insert(CardRow).returning(CardRow.ref, CardRow.id), rows)
            stored.ids.update({ref: card_id for ref, card_id in result})

    async def _update_cards(self, stored: Stored, change: Change) -> None:
        """One executemany per set of changed columns."""
        groups: dict[frozenset, list[dict]] = {}
        for ref, names in change.updated.items():
            if ref in change.removed:
                continue
            values = _columns_of(stored.board.card(ref), names, stored.ids)
            values["id"] = stored.ids[ref]
            values["updated_at"] = self.now()
            groups.setdefault(frozenset(values), []).append(values)
        for rows in groups.values():
            await self.s.execute(update(CardRow), rows)

    async def _write_links(self, workshop_id: str, stored: Stored, change: Change) -> None:
        ids = stored.ids
        if change.linked:
            await self.s.execute(self._insert(LinkRow).values([
                {"workshop_id": workshop_id, "relation": link.relation,
                 "source_id": ids[link.source], "target_id": ids[link.target]}
                for link in change.linked]).on_conflict_do_nothing())
        gone = [(link.relation, ids[link.source], ids[link.target])
                for link in change.unlinked if link.source in ids and link.target in ids]
        if gone:
            await self.s.execute(delete(LinkRow).where(
                tuple_(LinkRow.relation, LinkRow.source_id, LinkRow.target_id).in_(gone)))

    async def _write_items(self, stored: Stored, change: Change) -> None:
        if change.items_added:
            rows = [{"card_id": stored.ids[item.data_product], "field": item.field.value,
                     "value": item.value, "author": item.author, "created_at": self.now()}
                    for item in change.items_added]
            result = await self.s.execute(
                self._insert(CanvasItemRow).returning(CanvasItemRow.id), rows)
            for item, item_id in zip(change.items_added, result.scalars(), strict=True):
                item.id = item_id
        gone = [item.id for item in change.items_removed if item.id is not None]
        if gone:
            await self.s.execute(update(CanvasItemRow).where(CanvasItemRow.id.in_(gone))
                                 .values(deleted_at=self.now()))

    def _insert(self, table):
        postgres = self.s.bind.dialect.name == "postgresql"
        return (pg_insert if postgres else sqlite_insert)(table)


_CARD_FIELDS = ("id", "kind", "ref", "text", "author", "position", "command", "actor",
                "system", "trigger", "mode", "alignment", "owner", "purpose", "classification")
_WORKSHOP_COLUMNS = [WorkshopRow.id.label("w_id"), WorkshopRow.name.label("w_name"),
                     WorkshopRow.team_id.label("w_team"), WorkshopRow.channel_id.label("w_channel"),
                     WorkshopRow.stage.label("w_stage"), WorkshopRow.domain.label("w_domain"),
                     WorkshopRow.active.label("w_active")]
_PARENT = {Event: "data_product", Decision: "event", Opportunity: "decision",
           Port: "data_product"}


def _columns(card) -> list:
    return [getattr(card, name) for name in _CARD_FIELDS]


def _needed(card, workshop_id: str, needs: Needs):
    """Cards by ref, the data products those refs hang on, products by name, and cards of
    a kind with a given text."""
    wanted = []
    if needs.refs:
        owners = select(CardRow.parent_id).where(CardRow.workshop_id == workshop_id,
                                                 CardRow.ref.in_(needs.refs))
        wanted += [card.ref.in_(needs.refs), card.id.in_(owners.scalar_subquery())]
    if needs.names:
        wanted.append(and_(card.kind == CardKind.DATA_PRODUCT.value,
                           card.norm.in_(needs.names)))
    for kind in CardKind:
        texts = [text for k, text in needs.texts if k is kind]
        if texts:
            wanted.append(and_(card.kind == kind.value, card.norm.in_(texts)))
    return or_(*wanted) if wanted else false()


def workshop_of(row, facilitators: list[str] | None = None) -> Workshop:
    """The domain's workshop, from its row or from the `w_…` columns of a joined row."""
    if isinstance(row, WorkshopRow):
        return Workshop(row.id, row.name, row.team_id, row.channel_id, Stage(row.stage),
                        row.domain, facilitators or [], row.active)
    return Workshop(row.w_id, row.w_name, row.w_team, row.w_channel, Stage(row.w_stage),
                    row.w_domain, facilitators or [], row.w_active)


def _place(stored: Stored, c) -> None:
    board = stored.board
    stored.ids[c.ref] = c.id
    match CardKind(c.kind):
        case CardKind.EVENT:
            board.events.append(Event(
                ref=c.ref, text=c.text, position=len(board.events) + 1, author=c.author,
                command=c.command, actor=c.actor, system=c.system, trigger=c.trigger,
                data_product=c.parent))
        case CardKind.DECISION:
            board.decisions.append(Decision(c.ref, c.text, c.parent, c.author))
        case CardKind.OPPORTUNITY:
            board.opportunities.append(Opportunity(c.ref, Mode(c.mode), c.text, c.parent,
                                                   c.author))
        case CardKind.PORT:
            board.ports.append(Port(c.ref, c.text, c.parent or "", author=c.author))
        case CardKind.DATA_PRODUCT:
            board.data_products.append(DataProduct(
                ref=c.ref, name=c.text, kind=Alignment(c.alignment), owner=c.owner,
                purpose=c.purpose, classification=c.classification, author=c.author))


def _parent(card) -> str | None:
    name = _PARENT.get(type(card))
    return getattr(card, name) if name else None


def _text(card) -> str:
    return card.name if isinstance(card, Port | DataProduct) else card.text


def _card_row(workshop_id: str, card, stage: Stage, ids: dict[str, int],
              now: datetime) -> dict:
    kind = KIND[type(card)]
    parent = _parent(card)
    return {
        "workshop_id": workshop_id, "kind": kind.value, "ref": card.ref, "text": _text(card),
        "norm": norm(_text(card)), "author": card.author, "stage": stage.value,
        # a new event goes to the end of the timeline: its number is past every position
        "position": int(card.ref[1:]) if kind is CardKind.EVENT else 0,
        "parent_id": ids[parent] if parent else None,
        "command": getattr(card, "command", None), "actor": getattr(card, "actor", None),
        "system": getattr(card, "system", None), "trigger": getattr(card, "trigger", None),
        "mode": card.mode.value if isinstance(card, Opportunity) else None,
        "alignment": card.kind.value if isinstance(card, DataProduct) else None,
        "owner": getattr(card, "owner", None), "purpose": getattr(card, "purpose", None),
        "classification": getattr(card, "classification", None),
        "created_at": now, "updated_at": now,
    }


def _columns_of(card, names: set[str], ids: dict[str, int]) -> dict:
    """The columns behind the changed fields `names` of a domain card."""
    values = {}
    for name in names:
        value = getattr(card, name)
        if name in ("text", "name"):
            values.update(text=value, norm=norm(value))
        elif name == _PARENT.get(type(card)):
            values["parent_id"] = ids[value] if value else None
        elif name == "mode":
            values["mode"] = value.value
        else:
            values[name] = value
    return values


def _source_row(workshop_id: str, stage: Stage, source: Source, ids: dict[str, int],
                now: datetime) -> dict:
    item = source.applied.item
    return {"workshop_id": workshop_id, "channel_id": source.channel_id,
            "message_ts": source.message_ts, "line_no": source.line_no, "line": source.line,
            "stage": stage.value, "author": source.author, "card_id": ids[source.applied.ref],
            "canvas_item_id": item.id if item else None, "created": source.applied.created,
            "created_at": now}
