"""What a stage produced, as data: the Slack layer turns it into a message.

Counts come from the lines people contributed (and the fixes facilitators applied), read
again with the stage's grammar, so that each thing is counted as what it is: a canvas
field is not a data product, a consumers line makes a data product and an output port.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from dpflow.domain.errors import GrammarError
from dpflow.domain.grammar import parse_line
from dpflow.domain.guide import open_items
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
from dpflow.domain.model import Board, Stage


class Counted(StrEnum):
    """What a summary counts, in the order it says them."""

    EVENT = "event"
    FLOW = "flow line"
    AGGREGATE = "aggregate"
    DECISION = "decision"
    OPPORTUNITY = "opportunity"
    PRODUCT = "data product"
    PORT = "output port"
    CANVAS_FIELD = "canvas field"
    FIX = "fix applied"

    def times(self, n: int) -> str:
        """`1 event`, `3 opportunities`, `2 fixes applied`."""
        return f"{n} {self if n == 1 else _PLURALS[self]}"


_PLURALS = {Counted.OPPORTUNITY: "opportunities", Counted.FIX: "fixes applied"}
_PLURALS |= {kind: f"{kind}s" for kind in Counted if kind not in _PLURALS}


@dataclass
class StageSummary:
    stage: Stage
    added: dict[Counted, int] = field(default_factory=dict)  # what was added or changed
    by_person: dict[str, int] = field(default_factory=dict)  # user id → count, most first
    open_items: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.added.values())

    @property
    def said(self) -> str:
        """`3 events · 1 flow line`, or "nothing"."""
        return " · ".join(kind.times(n) for kind, n in self.added.items()) or "nothing"


def summarize(board: Board, stage: Stage, contributions: list[tuple[str, str]],
              fixes: list[str] = ()) -> StageSummary:
    """`contributions`: (user id, line as typed) of each line contributed during `stage`;
    `fixes`: the user id of each review fix applied meanwhile."""
    lines = [(user, _read(stage, text)) for user, text in contributions]
    counted = Counter(kind for _, line in lines if line for kind in _COUNTS[type(line)])
    products = {line.name.casefold() for _, line in lines if isinstance(line, AddConsumer)}
    aggregates = {line.name.casefold() for _, line in lines if isinstance(line, Aggregate)}
    counted |= {Counted.PRODUCT: len(products), Counted.AGGREGATE: len(aggregates),
                Counted.FIX: len(fixes)}
    people = Counter([user for user, _ in contributions] + list(fixes))
    return StageSummary(
        stage,
        added={kind: counted[kind] for kind in Counted if counted[kind]},
        by_person=dict(sorted(people.items(), key=lambda item: (-item[1], item[0]))),
        open_items=open_items(board, stage),
    )


def _read(stage: Stage, text: str) -> Line | None:
    try:
        return parse_line(stage, text)
    except GrammarError:  # stored under an older grammar that reads it differently now
        return None


_COUNTS: dict[type, tuple[Counted, ...]] = {
    AddEvent: (Counted.EVENT,), SetFlow: (Counted.FLOW,), Aggregate: (),
    AddDecision: (Counted.DECISION,), AddOpportunity: (Counted.OPPORTUNITY,),
    AddPort: (Counted.PORT,), AddConsumer: (Counted.PORT,),
    SetCanvasField: (Counted.CANVAS_FIELD,),
}

