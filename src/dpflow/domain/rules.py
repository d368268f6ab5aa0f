"""What the board allows: references that exist, one aggregate per event, no duplicates."""

from __future__ import annotations

from dpflow.domain.errors import NotAllowed, UserError
from dpflow.domain.grammar import kind_of
from dpflow.domain.guide import hint
from dpflow.domain.lines import (
    AddConsumer,
    AddDecision,
    AddEvent,
    AddOpportunity,
    AddPort,
    Aggregate,
    Line,
    SetCanvasField,
    SetFlow,
)
from dpflow.domain.model import Alignment, Board, CardKind, Stage, Workshop

STAGE_OF: dict[type, Stage] = {
    AddEvent: Stage.EVENTS, SetFlow: Stage.FLOW, Aggregate: Stage.AGGREGATES,
    AddDecision: Stage.DECISIONS, AddOpportunity: Stage.OPPORTUNITIES, AddPort: Stage.PORTS,
    AddConsumer: Stage.CONSUMERS, SetCanvasField: Stage.CANVASES,
}
_NOUN = {CardKind.EVENT: "an event", CardKind.DECISION: "a decision",
         CardKind.OPPORTUNITY: "an opportunity", CardKind.DATA_PRODUCT: "a data product",
         CardKind.PORT: "an output port"}


def check(board: Board, line: Line) -> None:
    """Raise UserError (hint: the stage's form) when `line` cannot go on `board`."""
    stage = STAGE_OF[type(line)]
    try:
        _CHECKS[type(line)](board, line)
    except UserError as err:
        raise UserError(err.message, hint(board, stage)) from None


def can_change(card_author: str, user: str, facilitators: list[str]) -> bool:
    """A card may be edited or deleted by its author and by the facilitators."""
    return user == card_author or user in facilitators


def require_facilitator(workshop: Workshop, user: str, action: str) -> None:
    """Raise NotAllowed unless `user` facilitates; `action` completes "Only facilitators can …"."""
    if user in workshop.facilitators:
        return
    who = " or ".join(f"<@{f}>" for f in workshop.facilitators) or "the person who started it"
    raise NotAllowed(f"Only facilitators can {action}. Ask {who} if it should happen.")


def dependents(board: Board, ref: str) -> list[str]:
    """Plain lines naming what hangs on the card `ref`, to confirm before deleting it."""
    ref = ref.upper()
    lines = []
    match kind_of(ref):
        case CardKind.EVENT:
            lines.append(_some("decision", [d.ref for d in board.decisions_of(ref)], ref))
        case CardKind.DECISION:
            lines.append(_some("opportunity", [o.ref for o in board.opportunities_of(ref)], ref))
            supporting = [p.ref for p in board.ports_supporting(ref)]
            noun = "port" if len(supporting) == 1 else "ports"
            lines.append(_listed(f"{ref} is supported by output {noun}", supporting))
        case CardKind.PORT:
            lines.append(_listed(f"{ref} is read by",
                                 [f"{p.name} ({p.ref})" for p in board.readers_of(ref)]))
        case CardKind.DATA_PRODUCT:
            lines.append(_some("event", [e.ref for e in board.events_of(ref)], ref))
            lines.append(_some("output port", [p.ref for p in board.ports_of(ref)], ref))
    return [line for line in lines if line]


def _some(noun: str, refs: list[str], owner: str) -> str:
    plural = "opportunities" if noun == "opportunity" else f"{noun}s"
    return _listed(f"{owner} has {len(refs)} {noun if len(refs) == 1 else plural}:", refs)


def _listed(prefix: str, items: list[str]) -> str:
    return f"{prefix} {', '.join(items)}" if items else ""


def _need(board: Board, ref: str, kind: CardKind):
    found = kind_of(ref)
    if found is not kind:
        named = f"names {_NOUN[found]}" if found else "is not a reference"
        raise UserError(f"`{ref}` {named}, but {_NOUN[kind]} like `{kind.prefix}1` is "
                        "needed here.")
    card = board.card(ref)
    if card is None:
        raise UserError(f"There is no {ref} on this board.")
    return card


def _event(board: Board, line: AddEvent) -> None:
    same = next((e for e in board.events if _same(e.text, line.text)), None)
    if same:
        raise UserError(f"{same.ref} already says “{same.text}”.")


def _flow(board: Board, line: SetFlow) -> None:
    _need(board, line.event, CardKind.EVENT)


def _aggregate(board: Board, line: Aggregate) -> None:
    product = board.product_named(line.name)
    if product and product.kind is Alignment.CONSUMER:
        raise UserError(f"{product.name} ({product.ref}) is a consumer-aligned data product; "
                        "an aggregate needs a name of its own.")
    for ref in line.events:
        event = _need(board, ref, CardKind.EVENT)
        owner = board.product(event.data_product) if event.data_product else None
        if owner and owner is not product:
            raise UserError(f"{ref} already belongs to {owner.name} ({owner.ref}): an event "
                            "belongs to one aggregate.")


def _decision(board: Board, line: AddDecision) -> None:
    if line.event:
        _need(board, line.event, CardKind.EVENT)
    same = next((d for d in board.decisions
                 if d.event == line.event and _same(d.text, line.text)), None)
    if same:
        raise UserError(f"{same.ref} is already this decision.")


def _opportunity(board: Board, line: AddOpportunity) -> None:
    if line.decision:
        _need(board, line.decision, CardKind.DECISION)
    same = next((o for o in board.opportunities
                 if o.decision == line.decision and _same(o.text, line.text)), None)
    if same:
        raise UserError(f"{same.ref} is already this opportunity.")


def _port(board: Board, line: AddPort) -> None:
    _need(board, line.data_product, CardKind.DATA_PRODUCT)
    for ref in line.supports:
        _need(board, ref, CardKind.DECISION)
    same = next((p for p in board.ports_of(line.data_product) if _same(p.name, line.name)), None)
    if same:
        raise UserError(f"{line.data_product} already has the output port {same.ref} "
                        f"“{same.name}”.")


def _consumer(board: Board, line: AddConsumer) -> None:
    product = board.product_named(line.name)
    if product and product.kind is Alignment.SOURCE:
        raise UserError(f"{product.name} ({product.ref}) is a source-aligned data product; "
                        "a consumer-aligned one needs a name of its own.")
    for ref in line.supports:
        _need(board, ref, CardKind.DECISION)
    for ref in line.reads:
        port = _need(board, ref, CardKind.PORT)
        if product and port.data_product == product.ref:
            raise UserError(f"{ref} is an output port of {product.name} itself; a data "
                            "product reads the ports of other data products.")
    same = product and next((p for p in board.ports_of(product.ref)
                             if _same(p.name, line.port_name)), None)
    if same:
        raise UserError(f"{product.name} already has the output port {same.ref} “{same.name}”.")


def _canvas(board: Board, line: SetCanvasField) -> None:
    _need(board, line.data_product, CardKind.DATA_PRODUCT)


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


_CHECKS = {
    AddEvent: _event, SetFlow: _flow, Aggregate: _aggregate, AddDecision: _decision,
    AddOpportunity: _opportunity, AddPort: _port, AddConsumer: _consumer,
    SetCanvasField: _canvas,
}
