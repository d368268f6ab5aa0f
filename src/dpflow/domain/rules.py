"""Who may change a card, and what hangs on a card before it is deleted."""

from __future__ import annotations

from dpflow.domain.grammar import kind_of
from dpflow.domain.model import Board, CardKind


def can_change(card_author: str, user: str, facilitators: list[str]) -> bool:
    """A card may be edited or deleted by its author and by the facilitators."""
    return user == card_author or user in facilitators


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
