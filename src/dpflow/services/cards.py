"""Writing the parsed lines of SPEC §3 onto the board, and removing cards with what hangs
on them. Every function here runs inside the caller's unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from functools import singledispatch

from dpflow.domain import lines as ln
from dpflow.domain.model import Alignment, CardKind
from dpflow.store.models import CanvasItemRow, CardRow, StageRunRow, WorkshopRow, utcnow
from dpflow.store.repo import READS, SUPPORTS, Repository


@dataclass
class Applied:
    """What one line did: the card it made (created) or changed."""

    ref: str
    label: str
    card_id: int
    created: bool
    canvas_item_id: int | None = None


@dataclass
class Place:
    repo: Repository
    workshop: WorkshopRow
    run: StageRunRow
    author: str

    async def new_card(self, kind: CardKind, text: str, **fields) -> CardRow:
        card = CardRow(workshop_id=self.workshop.id, kind=kind.value, text=text,
                       ref=await self.repo.next_ref(self.workshop.id, kind),
                       author=self.author, stage=self.run.stage, **fields)
        self.repo.add(card)
        await self.repo.flush()
        return card

    async def card(self, ref: str) -> CardRow:
        card = await self.repo.card(self.workshop.id, ref)
        assert card is not None, f"{ref} passed the board check but is gone"
        return card

    async def product(self, name: str, alignment: Alignment) -> CardRow:
        """The data product of that name (case-insensitive), created when new."""
        return await self.repo.product_named(self.workshop.id, name) or \
            await self.new_card(CardKind.DATA_PRODUCT, name, alignment=alignment.value)

    async def supports(self, port: CardRow, decisions: tuple[str, ...]) -> None:
        for ref in decisions:
            await self.repo.link(self.workshop.id, SUPPORTS, port.id, (await self.card(ref)).id)


@singledispatch
async def apply(line, place: Place) -> Applied:
    raise TypeError(f"no way to apply {line!r}")


@apply.register
async def _(line: ln.AddEvent, place: Place) -> Applied:
    position = await place.repo.max_position(place.workshop.id) + 1
    card = await place.new_card(CardKind.EVENT, line.text, position=position)
    return Applied(card.ref, f"{card.ref} {card.text}", card.id, created=True)


@apply.register
async def _(line: ln.SetFlow, place: Place) -> Applied:
    event = await place.card(line.event)
    for name in ("command", "actor", "system", "trigger"):
        if (value := getattr(line, name)) is not None:
            setattr(event, name, value)
    return Applied(event.ref, f"{event.ref} flow", event.id, created=False)


@apply.register
async def _(line: ln.Aggregate, place: Place) -> Applied:
    product = await place.product(line.name, Alignment.SOURCE)
    for ref in line.events:
        (await place.card(ref)).parent_id = product.id
    return Applied(product.ref, f"{product.ref} {product.text} ← {', '.join(line.events)}",
                   product.id, created=False)


@apply.register
async def _(line: ln.AddDecision, place: Place) -> Applied:
    parent = (await place.card(line.event)).id if line.event else None
    card = await place.new_card(CardKind.DECISION, line.text, parent_id=parent)
    return Applied(card.ref, f"{card.ref} {card.text}", card.id, created=True)


@apply.register
async def _(line: ln.AddOpportunity, place: Place) -> Applied:
    parent = (await place.card(line.decision)).id if line.decision else None
    card = await place.new_card(CardKind.OPPORTUNITY, line.text, parent_id=parent,
                                mode=line.mode.value)
    return Applied(card.ref, f"{card.ref} {line.mode}: {card.text}", card.id, created=True)


@apply.register
async def _(line: ln.AddPort, place: Place) -> Applied:
    product = await place.card(line.data_product)
    port = await place.new_card(CardKind.PORT, line.name, parent_id=product.id)
    await place.supports(port, line.supports)
    return Applied(port.ref, f"{port.ref} {port.text} on {product.ref}", port.id, created=True)


@apply.register
async def _(line: ln.AddConsumer, place: Place) -> Applied:
    product = await place.product(line.name, Alignment.CONSUMER)
    port = await place.new_card(CardKind.PORT, line.port_name, parent_id=product.id)
    await place.supports(port, line.supports)
    for ref in line.reads:
        await place.repo.link(place.workshop.id, READS, product.id, (await place.card(ref)).id)
    return Applied(port.ref, f"{product.ref} {product.text}: {port.ref} {port.text}", port.id,
                   created=True)


@apply.register
async def _(line: ln.SetCanvasField, place: Place) -> Applied:
    product = await place.card(line.data_product)
    label = f"{product.ref} {line.field}"
    if not line.field.is_list:
        setattr(product, line.field.value, line.value)
        return Applied(product.ref, label, product.id, created=False)
    item = CanvasItemRow(card_id=product.id, field=line.field.value, value=line.value,
                         author=place.author)
    place.repo.add(item)
    await place.repo.flush()
    return Applied(product.ref, label, product.id, created=False, canvas_item_id=item.id)


async def remove(repo: Repository, card: CardRow) -> list[str]:
    """Delete a card and what cannot live without it; returns the refs removed."""
    removed = [card.ref]
    card.deleted_at = utcnow()
    await repo.unlink(SUPPORTS, source_id=card.id)
    await repo.unlink(SUPPORTS, target_id=card.id)
    await repo.unlink(READS, source_id=card.id)
    await repo.unlink(READS, target_id=card.id)
    for child in await repo.children(card.id):
        if card.kind == CardKind.DATA_PRODUCT and child.kind == CardKind.EVENT:
            child.parent_id = None  # the events stay on the timeline, just unassigned
        else:
            removed += await remove(repo, child)
    return removed


@singledispatch
async def revise(line, card: CardRow, place: Place) -> Applied:
    """An edited reply changed the line that made `card`: change the card, keep its ref."""
    raise TypeError(f"no way to revise with {line!r}")


@revise.register
async def _(line: ln.AddEvent, card: CardRow, place: Place) -> Applied:
    card.text = line.text
    return Applied(card.ref, f"{card.ref} {card.text}", card.id, created=True)


@revise.register
async def _(line: ln.AddDecision, card: CardRow, place: Place) -> Applied:
    card.text = line.text
    card.parent_id = (await place.card(line.event)).id if line.event else None
    return Applied(card.ref, f"{card.ref} {card.text}", card.id, created=True)


@revise.register
async def _(line: ln.AddOpportunity, card: CardRow, place: Place) -> Applied:
    card.text, card.mode = line.text, line.mode.value
    card.parent_id = (await place.card(line.decision)).id if line.decision else None
    return Applied(card.ref, f"{card.ref} {line.mode}: {card.text}", card.id, created=True)


@revise.register
async def _(line: ln.AddPort, card: CardRow, place: Place) -> Applied:
    card.text = line.name
    card.parent_id = (await place.card(line.data_product)).id
    await place.repo.unlink(SUPPORTS, source_id=card.id)
    await place.supports(card, line.supports)
    return Applied(card.ref, f"{card.ref} {card.text}", card.id, created=True)


@revise.register
async def _(line: ln.AddConsumer, card: CardRow, place: Place) -> Applied:
    product = await place.product(line.name, Alignment.CONSUMER)
    card.text, card.parent_id = line.port_name, product.id
    await place.repo.unlink(SUPPORTS, source_id=card.id)
    await place.supports(card, line.supports)
    for ref in line.reads:
        await place.repo.link(place.workshop.id, READS, product.id, (await place.card(ref)).id)
    return Applied(card.ref, f"{product.ref} {product.text}: {card.ref} {card.text}", card.id,
                   created=True)


@singledispatch
async def unapply(line, place: Place) -> None:
    """A reply that changed cards (flow, aggregates, canvas fields) was deleted: undo what
    it set, where nobody has changed it since."""


@unapply.register
async def _(line: ln.SetFlow, place: Place) -> None:
    event = await place.repo.card(place.workshop.id, line.event)
    for name in ("command", "actor", "system", "trigger"):
        if event is not None and getattr(line, name) is not None \
                and getattr(event, name) == getattr(line, name):
            setattr(event, name, None)


@unapply.register
async def _(line: ln.Aggregate, place: Place) -> None:
    product = await place.repo.product_named(place.workshop.id, line.name)
    for ref in line.events if product else ():
        event = await place.repo.card(place.workshop.id, ref)
        if event is not None and event.parent_id == product.id:
            event.parent_id = None


@unapply.register
async def _(line: ln.SetCanvasField, place: Place) -> None:
    product = await place.repo.card(place.workshop.id, line.data_product)
    if product is not None and not line.field.is_list \
            and getattr(product, line.field.value) == line.value:
        setattr(product, line.field.value, None)
