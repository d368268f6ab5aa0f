"""What a stage produced, as data: the Slack layer turns it into a message."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dpflow.domain.grammar import kind_of
from dpflow.domain.guide import open_items
from dpflow.domain.model import Board, CardKind, Stage


@dataclass
class StageSummary:
    stage: Stage
    added: dict[CardKind, int] = field(default_factory=dict)  # cards touched, per kind
    by_person: dict[str, int] = field(default_factory=dict)  # user id → count, most first
    open_items: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.added.values())


def summarize(board: Board, stage: Stage, contributions: list[tuple[str, str]]
              ) -> StageSummary:
    """`contributions` are (user id, card ref) pairs made during `stage`, in any order."""
    kinds = Counter(kind for _, ref in contributions if (kind := kind_of(ref)))
    people = Counter(user for user, _ in contributions)
    return StageSummary(
        stage,
        added={kind: kinds[kind] for kind in CardKind if kinds[kind]},
        by_person=dict(sorted(people.items(), key=lambda item: (-item[1], item[0]))),
        open_items=open_items(board, stage),
    )
