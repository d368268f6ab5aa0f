"""A board in the database: read whole, or the slice that some lines need together with
the stage thread they were sent in, and what changed written back in a few statements."""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    select,
    text,
    true,
    tuple_,
    union,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

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
from dpflow.store.db import Transaction
from dpflow.store.models import (
    CanvasItemRow,
    CardRow,
    LinkRow,
    MemberRow,
    SourceRow,
    StageRunRow,
    WorkshopRow,
)

THREADS_KEPT = 2000
SAMPLED = 100  # cards of each kind that an example of a form is drawn from
# Core tables and aliases, built once: a reply's statements are assembled on every request
CARDS, LINKS, ITEMS = CardRow.__table__, LinkRow.__table__, CanvasItemRow.__table__
RUNS, WORKSHOPS = StageRunRow.__table__, WorkshopRow.__table__
CARD, PARENT, TARGET = CARDS.alias("card"), CARDS.alias("parent"), CARDS.alias("target")


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
    def __init__(self, tx: Transaction, threads: Threads, now,
                 counters: AsyncEngine | None = None):
        self.tx, self.threads, self.now, self.counters = tx, threads, now, counters

    # --- reading ---------------------------------------------------------------------

    async def thread(self, channel_id: str, thread_ts: str) -> Thread | None:
        key = (channel_id, thread_ts)
        if (known := self.threads.get(key)) is not None:
            note(workshop=known.workshop_id)
            return known
        row = (await self.tx.execute(
            select(RUNS.c.id, RUNS.c.workshop_id, WORKSHOPS.c.team_id, RUNS.c.stage)
            .join(WORKSHOPS, WORKSHOPS.c.id == RUNS.c.workshop_id)
            .where(RUNS.c.channel_id == channel_id, RUNS.c.message_ts == thread_ts))).first()
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
        needed = _needs_params(needs)
        rows = (await self.tx.execute(_reply_context(tuple(needed)), {
            "run": thread.run_id, "workshop": thread.workshop_id, "user": user_id,
            "channel": channel_id, "ts": ts, **needed})).all()
        first = rows[0]
        stored = Stored(Board(workshop_of(first)))
        for row in rows:
            if row.id is not None:
                _place(stored, row)
        return ReplyContext(stored, first.closed_at is not None, first.member, first.seen)

    async def slice(self, workshop: WorkshopRow, needs: Needs, *, linked: bool = False,
                    facilitators: list[str] | None = None) -> Stored:
        """The cards `needs` names, on a board of `workshop`; `linked`: with their links
        (needed to change or remove the links of cards already on the board)."""
        needed = _needs_params(needs)
        rows = (await self.tx.execute(_slice(tuple(needed)),
                                     {"workshop": workshop.id, **needed})).all()
        stored = Stored(Board(workshop_of(workshop, facilitators)))
        for row in rows:
            _place(stored, row)
        if linked:
            await self._links_from(stored)
        return stored

    async def _links_from(self, stored: Stored) -> None:
        """The links of the cards on a slice, to cards on it or not."""
        if not stored.ids:
            return
        rows = await self.tx.execute(_LINKS_FROM, {"ids": list(stored.ids.values())})
        link = _linker(stored.board)
        for relation, source_ref, target_ref, target_id in rows:
            stored.ids.setdefault(target_ref, target_id)  # to unlink it
            link(relation, source_ref, target_ref)

    async def sample(self, workshop: WorkshopRow, per_kind: int = SAMPLED) -> Board:
        """The first cards of each kind, in board order, with their links: enough to show a
        form with this board's own cards, at a cost that does not grow with the board."""
        stored = Stored(Board(workshop_of(workshop)))
        for row in (await self.tx.execute(_SAMPLE, {"workshop": workshop.id,
                                                    "sampled": per_kind})).all():
            _place(stored, row)
        await self._links_from(stored)
        return stored.board

    async def sizes(self, workshop_id: str) -> dict[CardKind, int]:
        """How many cards of each kind the board holds."""
        rows = await self.tx.execute(_SIZES, {"workshop": workshop_id})
        return {kind: 0 for kind in CardKind} | {CardKind(kind): n for kind, n in rows}

    async def whole(self, workshop: WorkshopRow, facilitators: list[str]) -> Stored:
        """Every card of the board with its links and canvas items."""
        rows = (await self.tx.execute(_WHOLE, {"workshop": workshop.id})).all()
        stored = Stored(Board(workshop_of(workshop, facilitators)))
        for row in rows:
            _place(stored, row)
        await self._links(stored, workshop.id)
        await self._items(stored, workshop.id)
        return stored

    async def _links(self, stored: Stored, workshop_id: str) -> None:
        rows = await self.tx.execute(
            select(LINKS.c.relation, CARD.c.ref, TARGET.c.ref)
            .select_from(LINKS.join(CARD, CARD.c.id == LINKS.c.source_id)
                         .join(TARGET, TARGET.c.id == LINKS.c.target_id))
            .where(LINKS.c.workshop_id == workshop_id, CARD.c.deleted_at.is_(None),
                   TARGET.c.deleted_at.is_(None))
            .order_by(LINKS.c.id))
        link = _linker(stored.board)
        for relation, source_ref, target_ref in rows:
            link(relation, source_ref, target_ref)

    async def _items(self, stored: Stored, workshop_id: str) -> None:
        rows = await self.tx.execute(
            select(CARD.c.ref, ITEMS.c.field, ITEMS.c.value)
            .select_from(ITEMS.join(CARD, CARD.c.id == ITEMS.c.card_id))
            .where(CARD.c.workshop_id == workshop_id, CARD.c.deleted_at.is_(None),
                   ITEMS.c.deleted_at.is_(None))
            .order_by(ITEMS.c.id))
        for ref, item_field, value in rows:
            product = stored.board.product(ref)
            getattr(product, LIST_FIELDS[CanvasField(item_field)]).append(value)

    # --- writing ---------------------------------------------------------------------

    async def take_refs(self, workshop_id: str, counts: dict[CardKind, int]
                        ) -> dict[CardKind, int]:
        """Reserve `counts[kind]` new numbers per kind in one atomic upsert (on the
        counters' own connection, when the database has one); the number before each
        reserved block."""
        if not counts:
            return {}
        params = {"workshop": workshop_id}
        for i, (kind, n) in enumerate(counts.items()):
            params.update({f"kind{i}": kind.value, f"n{i}": n})
        if self.counters is None:
            rows = (await self.tx.execute(_take_refs(len(counts)), params)).all()
        else:
            async with self.counters.connect() as conn:
                rows = (await conn.execute(_take_refs(len(counts)), params)).all()
        return {CardKind(kind): last - counts[CardKind(kind)] for kind, last in rows}

    async def join(self, workshop_id: str, user_id: str) -> None:
        await self.tx.execute(self._insert_new(MemberRow.__table__), {
            "workshop_id": workshop_id, "user_id": user_id, "facilitator": False,
            "muted": False, "joined_at": self.now()})

    async def save(self, stored: Stored, change: Change, stage: Stage,
                   sources: list[Source] = ()) -> None:
        """Write `change` (made on `stored`) and the lines it came from."""
        workshop_id = stored.board.workshop.id
        await self._add_cards(workshop_id, stored, change, stage)
        await self._update_cards(stored, change)
        if change.removed:
            await self.tx.execute(update(CARDS).where(
                CARDS.c.id.in_([stored.ids[ref] for ref in change.removed]))
                .values(deleted_at=self.now()))
        await self._write_links(workshop_id, stored, change)
        await self._write_items(stored, change)
        if sources:
            await self.tx.execute(_INSERT_SOURCES, [
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
            result = await self.tx.execute(_INSERT_CARDS, rows)
            stored.ids.update({ref: card_id for ref, card_id in result})

    async def _update_cards(self, stored: Stored, change: Change) -> None:
        """One executemany per set of changed columns."""
        groups: dict[frozenset, list[dict]] = {}
        for ref, names in change.updated.items():
            if ref in change.removed:
                continue
            values = _columns_of(stored.board.card(ref), names, stored.ids)
            values["updated_at"] = self.now()
            groups.setdefault(frozenset(values), []).append({"card_id": stored.ids[ref],
                                                             **values})
        for columns, rows in groups.items():
            await self.tx.execute(update(CARDS).where(CARDS.c.id == bindparam("card_id"))
                                  .values({name: bindparam(name) for name in columns}), rows)

    async def _write_links(self, workshop_id: str, stored: Stored, change: Change) -> None:
        ids = stored.ids
        if change.linked:
            await self.tx.execute(self._insert_new(LINKS), [
                {"workshop_id": workshop_id, "relation": link.relation,
                 "source_id": ids[link.source], "target_id": ids[link.target]}
                for link in change.linked])
        gone = [(link.relation, ids[link.source], ids[link.target])
                for link in change.unlinked if link.source in ids and link.target in ids]
        if gone:
            await self.tx.execute(delete(LINKS).where(
                tuple_(LINKS.c.relation, LINKS.c.source_id, LINKS.c.target_id).in_(gone)))

    async def _write_items(self, stored: Stored, change: Change) -> None:
        if change.items_added:
            rows = [{"card_id": stored.ids[item.data_product], "field": item.field.value,
                     "value": item.value, "author": item.author, "created_at": self.now()}
                    for item in change.items_added]
            result = await self.tx.execute(_INSERT_ITEMS, rows)
            for item, item_id in zip(change.items_added, result.scalars(), strict=True):
                item.id = item_id
        gone = [item.id for item in change.items_removed if item.id is not None]
        if gone:
            await self.tx.execute(update(ITEMS).where(ITEMS.c.id.in_(gone))
                                  .values(deleted_at=self.now()))

    def _insert_new(self, table):
        return insert_new(self.tx.dialect.name, table)


@functools.cache
def insert_new(dialect: str, table):
    """INSERT … ON CONFLICT DO NOTHING of `table` in that dialect, built once."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table) \
        .on_conflict_do_nothing()


_INSERT_CARDS = insert(CARDS).returning(CARDS.c.ref, CARDS.c.id)
_INSERT_ITEMS = insert(ITEMS).returning(ITEMS.c.id)
_INSERT_SOURCES = insert(SourceRow.__table__)


_CARD_COLUMNS = [*(CARD.c[name] for name in (
    "id", "kind", "ref", "text", "author", "position", "command", "actor", "system", "trigger",
    "mode", "alignment", "owner", "purpose", "classification")), PARENT.c.ref.label("parent")]
_WORKSHOP_COLUMNS = [WORKSHOPS.c[name].label(f"w_{name}") for name in (
    "id", "name", "team_id", "channel_id", "stage", "domain", "active")]
_TEXT_KINDS = (CardKind.EVENT, CardKind.DECISION, CardKind.OPPORTUNITY, CardKind.PORT)
_CARD_SOURCE = CARD.outerjoin(PARENT, PARENT.c.id == CARD.c.parent_id)
_LIVE = and_(CARD.c.workshop_id == bindparam("workshop"), CARD.c.deleted_at.is_(None))
_ORDER = (CARD.c.position, CARD.c.id)


def _in(name: str):
    return bindparam(name, expanding=True)


# The statements of a reply, built once per shape of what its lines need. The cards some
# lines need are those they name, the data products those hang on, products by name, and
# cards of a kind with a given text: each an index search, so the cost does not grow with
# the board. Only the searches a message needs are in its statement: SQLite plans and runs
# every branch of a union, even one that can match nothing (a one-event reply costs a
# twentieth of what all seven branches cost).
def _ids(*where):
    return select(CARDS.c.id).where(CARDS.c.workshop_id == bindparam("workshop"), *where)


def _removals() -> tuple:
    """Cards that may be removed, what removing them takes along (an event's decisions and
    their opportunities, a decision's opportunities, a data product's ports and events) and
    the cards that link to any of those."""
    gone = _ids(CARDS.c.ref.in_(_in("removals")))
    children = select(CARDS.c.id).where(CARDS.c.parent_id.in_(gone))
    grandchildren = select(CARDS.c.id).where(CARDS.c.kind == CardKind.OPPORTUNITY.value,
                                             CARDS.c.parent_id.in_(children))
    linking = select(LINKS.c.source_id).where(
        LINKS.c.target_id.in_(union(gone, children, grandchildren)))
    return gone, children, grandchildren, linking


_SEARCHES = {
    "refs": (_ids(CARDS.c.ref.in_(_in("refs"))),
             select(CARDS.c.parent_id).where(CARDS.c.workshop_id == bindparam("workshop"),
                                             CARDS.c.ref.in_(_in("refs")))),
    "names": (_ids(CARDS.c.kind == CardKind.DATA_PRODUCT.value,
                   CARDS.c.norm.in_(_in("names"))),),
    **{f"{kind.value}_texts": (_ids(CARDS.c.kind == kind.value,
                                    CARDS.c.norm.in_(_in(f"{kind.value}_texts"))),)
       for kind in _TEXT_KINDS},
    "removals": _removals(),
}


@functools.cache
def _needed(shape: tuple[str, ...]):
    """The ids of the cards some lines need, as a table of their own (None when they need
    none). Joined first, not a condition on the cards: PostgreSQL without statistics yet (a
    new database's first minute) planned a scan of every card with the search repeated for
    each, and a reply took 57 ms on a board of 400 cards."""
    searches = [search for name in shape for search in _SEARCHES[name]]
    if not searches:
        return None
    return (union(*searches) if len(searches) > 1 else searches[0]).subquery("needed")


def _with_cards(joined, needed):
    """`joined` with the cards whose ids are `needed` (none when None) and their parents."""
    if needed is None:
        joined = joined.outerjoin(CARD, false())
    else:
        joined = joined.outerjoin(needed, true()).outerjoin(
            CARD, and_(CARD.c.id == next(iter(needed.c)), CARD.c.deleted_at.is_(None)))
    return joined.outerjoin(PARENT, PARENT.c.id == CARD.c.parent_id)


@functools.cache
def _reply_context(shape: tuple[str, ...]):
    return (
        select(RUNS.c.closed_at,
               exists().where(MemberRow.workshop_id == RUNS.c.workshop_id,
                              MemberRow.user_id == bindparam("user")).label("member"),
               exists().where(SourceRow.channel_id == bindparam("channel"),
                              SourceRow.message_ts == bindparam("ts")).label("seen"),
               *_WORKSHOP_COLUMNS, *_CARD_COLUMNS)
        .select_from(_with_cards(RUNS.join(WORKSHOPS, WORKSHOPS.c.id == RUNS.c.workshop_id),
                                 _needed(shape)))
        .where(RUNS.c.id == bindparam("run")).order_by(*_ORDER))


@functools.cache
def _slice(shape: tuple[str, ...]):
    needed = _needed(shape)
    if needed is None:
        return select(*_CARD_COLUMNS).select_from(_CARD_SOURCE).where(false())
    return (select(*_CARD_COLUMNS)
            .select_from(needed.join(CARD, CARD.c.id == next(iter(needed.c)))
                         .outerjoin(PARENT, PARENT.c.id == CARD.c.parent_id))
            .where(CARD.c.deleted_at.is_(None)).order_by(*_ORDER))


_LINKS_FROM = (select(LINKS.c.relation, CARD.c.ref, TARGET.c.ref, TARGET.c.id)
               .select_from(LINKS.join(CARD, CARD.c.id == LINKS.c.source_id)
                            .join(TARGET, TARGET.c.id == LINKS.c.target_id))
               .where(LINKS.c.source_id.in_(_in("ids")), TARGET.c.deleted_at.is_(None))
               .order_by(LINKS.c.id))


def _first_of(kind: CardKind):
    """The first `sampled` cards of a kind, in board order (an index walk)."""
    return select(CARDS.c.id).where(
        CARDS.c.workshop_id == bindparam("workshop"), CARDS.c.kind == kind.value,
        CARDS.c.deleted_at.is_(None)).order_by(CARDS.c.position, CARDS.c.id) \
        .limit(bindparam("sampled")).subquery()


_SAMPLE = select(*_CARD_COLUMNS).select_from(_CARD_SOURCE).where(CARD.c.id.in_(union_all(
    *(select(_first_of(kind).c.id) for kind in CardKind)))).order_by(*_ORDER)
_SIZES = select(CARDS.c.kind, func.count()).where(
    CARDS.c.workshop_id == bindparam("workshop"), CARDS.c.deleted_at.is_(None)) \
    .group_by(CARDS.c.kind)
_WHOLE = select(*_CARD_COLUMNS).select_from(_CARD_SOURCE).where(_LIVE).order_by(*_ORDER)
_PARENT = {Event: "data_product", Decision: "event", Opportunity: "decision",
           Port: "data_product"}


@functools.cache
def _take_refs(kinds: int):
    """The counters' upsert for that many kinds, as text: SQLAlchemy cannot cache its
    ON CONFLICT DO UPDATE, and both databases read this the same way."""
    rows = ", ".join(f"(:workshop, :kind{i}, :n{i})" for i in range(kinds))
    return text(f"INSERT INTO ref_counters (workshop_id, kind, last) VALUES {rows} "
                "ON CONFLICT (workshop_id, kind) DO UPDATE SET last = ref_counters.last + "
                "excluded.last RETURNING kind, last")


def _needs_params(needs: Needs) -> dict:
    """The lists `needs` names, without the empty ones: their keys are the statement's
    shape."""
    texts = {f"{kind.value}_texts": [text for k, text in needs.texts if k is kind]
             for kind in _TEXT_KINDS}
    lists = {"refs": list(needs.refs), "names": list(needs.names), **texts,
             "removals": list(needs.removals)}
    return {name: values for name, values in lists.items() if values}


def workshop_of(row, facilitators: list[str] | None = None) -> Workshop:
    """The domain's workshop, from its row or from the `w_…` columns of a joined row."""
    if isinstance(row, WorkshopRow):
        return Workshop(row.id, row.name, row.team_id, row.channel_id, Stage(row.stage),
                        row.domain, facilitators or [], row.active)
    return Workshop(row.w_id, row.w_name, row.w_team_id, row.w_channel_id, Stage(row.w_stage),
                    row.w_domain, facilitators or [], row.w_active)


def _linker(board: Board):
    """Places a link row on its card (looked up by ref, not searched for on the board)."""
    sources = {card.ref: card for card in (*board.ports, *board.data_products)}

    def link(relation: str, source_ref: str, target_ref: str) -> None:
        card = sources.get(source_ref)
        if relation == SUPPORTS and isinstance(card, Port):
            card.supports.append(target_ref)
        elif relation == READS and isinstance(card, DataProduct):
            card.reads.append(target_ref)

    return link


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
