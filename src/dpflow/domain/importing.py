"""Importing a board from a room workshop: what each colour of its stickies stands for, the
order they go on the board, and the events, flow and decisions they make. No I/O.

Decisions taken here:
- stickies are read left to right (then top to bottom); a command, actor, system, trigger or
  decision belongs to the event nearest to it across the board, when that event is within
  one sticky's width or one step of the timeline; without positions (a list, a CSV without
  `x`), to the event before it in the file;
- of two stickies of one kind at one event, the nearer one is kept and the other listed;
- a decision near no event is a new business decision (`new:`);
- what cannot be placed is listed with the reason and where it is, never guessed.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

from dpflow.domain.changes import Applied, Changes
from dpflow.domain.errors import UserError
from dpflow.domain.grammar import MAX_TEXT
from dpflow.domain.lines import AddDecision, AddEvent, Line, SetFlow
from dpflow.domain.stickies import NO_COLOUR, Sticky, colour_key


class Kind(StrEnum):
    """What a colour stands for on the board being imported."""

    EVENT = "event"
    COMMAND = "command"
    ACTOR = "actor"
    SYSTEM = "system"
    TRIGGER = "trigger"
    DECISION = "decision"
    SKIP = "skip"  # left out

    @property
    def label(self) -> str:
        return "leave out" if self is Kind.SKIP else self.value


FLOW = (Kind.COMMAND, Kind.ACTOR, Kind.SYSTEM, Kind.TRIGGER)
# The method's colours in Miro's names (style.fillColor), and kinds named in a CSV
DEFAULTS: dict[str, Kind] = {
    "orange": Kind.EVENT, "blue": Kind.COMMAND, "light_blue": Kind.COMMAND,
    "dark_blue": Kind.COMMAND, "yellow": Kind.ACTOR, "light_yellow": Kind.ACTOR,
    "pink": Kind.SYSTEM, "light_pink": Kind.SYSTEM, "violet": Kind.DECISION,
    "lilac": Kind.DECISION, "purple": Kind.DECISION, NO_COLOUR: Kind.EVENT,
    **{k.value: k for k in Kind if k is not Kind.SKIP},
    **{f"{k.value}s": k for k in Kind if k is not Kind.SKIP},
}


@dataclass(frozen=True)
class Colour:
    """One colour of a board: how many stickies have it, one of them, its default kind."""

    colour: str
    count: int
    example: str
    kind: Kind


@dataclass(frozen=True)
class LeftOut:
    sticky: Sticky
    why: str

    def __str__(self) -> str:
        return f"{self.sticky}: {self.why}"


@dataclass
class Placed:
    """An event sticky with the stickies that belong to it (and how far each is)."""

    event: Sticky
    flow: dict[Kind, tuple[float, Sticky]] = field(default_factory=dict)
    decisions: list[Sticky] = field(default_factory=list)

    def belongings(self) -> list[Sticky]:
        return [s for _, s in self.flow.values()] + self.decisions


@dataclass
class Plan:
    """The stickies in the order they go on the board, and what cannot go."""

    events: list[Placed]
    new_decisions: list[Sticky]
    left_out: list[LeftOut]


@dataclass
class Imported:
    """What an import did to the board: each line with what it did, and what was left out."""

    done: list[tuple[Line, Applied]] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    def count(self, kind: type) -> int:
        return sum(1 for line, _ in self.done if isinstance(line, kind))

    @property
    def flow_details(self) -> int:
        return sum(sum(getattr(line, k) is not None for k in FLOW)
                   for line, _ in self.done if isinstance(line, SetFlow))

    @property
    def said(self) -> str:
        """`22 events, 31 flow details and 6 decisions`."""
        parts = [_times(self.count(AddEvent), "event"),
                 _times(self.flow_details, "flow detail"),
                 _times(self.count(AddDecision), "decision")]
        return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- what the colours stand for ------------------------------------------------------


def colours(stickies: list[Sticky]) -> list[Colour]:
    """Each colour of the board, the most used first, with an example and its default."""
    counts = Counter(s.colour for s in stickies)
    examples: dict[str, str] = {}
    for sticky in stickies:
        if sticky.text:
            examples.setdefault(sticky.colour, sticky.text)
    return [Colour(c, n, examples.get(c, ""), DEFAULTS.get(c, Kind.SKIP))
            for c, n in counts.most_common()]


def parse_mapping(text: str) -> dict[str, Kind]:
    """`orange=event,blue=command` (the CLI's `--map`); any colour, a kind or `skip`."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        colour, _, kind = part.partition("=")
        try:
            mapping[colour_key(colour)] = Kind(kind.strip().lower())
        except ValueError:
            raise UserError(f"`{part[:60]}` is not `colour=kind` with a kind of "
                            + ", ".join(k.value for k in Kind) + ".",
                            "--map orange=event,blue=command,gray=skip") from None
    return mapping


def _times(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- placing the stickies --------------------------------------------------------------


def plan(stickies: list[Sticky], mapping: Mapping[str, Kind]) -> Plan:
    """The events in board order with what belongs to each; UserError when no sticky is an
    event under `mapping` (colours it does not name keep their default)."""
    left: list[LeftOut] = []
    kinds = [(s, mapping.get(s.colour, DEFAULTS.get(s.colour, Kind.SKIP))) for s in stickies]
    usable = [(s, k) for s, k in kinds if not _refused(s, k, left)]
    if not any(k is Kind.EVENT for _, k in usable):
        raise UserError("No sticky would become an event: say which colour the events have "
                        "(orange in the method). Nothing was stored.")
    if all(s.x is not None for s in stickies):
        return _by_position(usable, left)
    return _by_order(usable, left)


def _refused(sticky: Sticky, kind: Kind, left: list[LeftOut]) -> bool:
    why = None
    if kind is Kind.SKIP:
        why = "its colour is left out"
    elif not sticky.text:
        why = "it is empty"
    elif len(sticky.text) > MAX_TEXT:
        why = f"it is {len(sticky.text)} characters long; a card holds up to {MAX_TEXT}"
    if why:
        left.append(LeftOut(sticky, why))
    return why is not None


def _by_position(usable: list[tuple[Sticky, Kind]], left: list[LeftOut]) -> Plan:
    events = sorted((s for s, k in usable if k is Kind.EVENT), key=lambda s: (s.x, s.y))
    placed = [Placed(e) for e in events]
    xs = [e.x for e in events]
    reach = _reach(events)
    new: list[Sticky] = []
    for sticky, kind in usable:
        if kind is Kind.EVENT:
            continue
        i, distance = _nearest(xs, sticky.x)
        if distance <= reach:
            _belong(placed[i], sticky, kind, distance, left)
        elif kind is Kind.DECISION:
            new.append(sticky)
        else:
            left.append(LeftOut(sticky, "no event is near it on the board"))
    return Plan(placed, new, left)


def _reach(events: list[Sticky]) -> float:
    """How far from an event a sticky may be to belong to it: one sticky's width or one
    step of the timeline, whichever is more."""
    steps = [b.x - a.x for a, b in pairwise(events) if b.x > a.x]
    return max(statistics.median(e.width for e in events),
               statistics.median(steps) if steps else 0.0)


def _nearest(xs: list[float], x: float) -> tuple[int, float]:
    """The event nearest to `x` (the left one of two as near) and how far it is."""
    i = bisect.bisect_left(xs, x)
    candidates = [j for j in (i - 1, i) if 0 <= j < len(xs)]
    j = min(candidates, key=lambda j: (abs(xs[j] - x), j))
    # events at one x: the first of them
    j = bisect.bisect_left(xs, xs[j])
    return j, abs(xs[j] - x)


def _by_order(usable: list[tuple[Sticky, Kind]], left: list[LeftOut]) -> Plan:
    placed: list[Placed] = []
    new: list[Sticky] = []
    for sticky, kind in usable:
        if kind is Kind.EVENT:
            placed.append(Placed(sticky))
        elif placed:
            _belong(placed[-1], sticky, kind, 0.0, left)
        elif kind is Kind.DECISION:
            new.append(sticky)
        else:
            left.append(LeftOut(sticky, "it comes before the first event"))
    return Plan(placed, new, left)


def _belong(placed: Placed, sticky: Sticky, kind: Kind, distance: float,
            left: list[LeftOut]) -> None:
    if kind is Kind.DECISION:
        placed.decisions.append(sticky)
        return
    kept = placed.flow.get(kind)
    if kept is not None:
        farther = sticky if kept[0] <= distance else kept[1]
        left.append(LeftOut(farther, f"{placed.event.quoted()} has a {kind} sticky nearer "
                                     "to it"))
        if farther is sticky:
            return
    placed.flow[kind] = (distance, sticky)


# --- onto the board --------------------------------------------------------------------


def apply(changes: Changes, plan: Plan) -> Imported:
    """Each event, then its flow and decisions, as lines of the grammar through the board's
    rules; what the rules refuse (a duplicate) is left out with the rule's words."""
    imported = Imported(left_out=list(plan.left_out))
    for placed in plan.events:
        event = _applied(changes, AddEvent(placed.event.text), [placed.event], imported)
        if event is None:
            imported.left_out += [LeftOut(s, f"its event {placed.event.quoted()} was not "
                                             "imported")
                                  for s in placed.belongings()]
            continue
        if placed.flow:
            flow = {kind.value: sticky.text for kind, (_, sticky) in placed.flow.items()}
            _applied(changes, SetFlow(event.ref, **flow),
                     [s for _, s in placed.flow.values()], imported)
        for sticky in placed.decisions:
            _applied(changes, AddDecision(sticky.text, event.ref), [sticky], imported)
    for sticky in plan.new_decisions:
        _applied(changes, AddDecision(sticky.text), [sticky], imported)
    return imported


def _applied(changes: Changes, line: Line, stickies: Iterable[Sticky],
             imported: Imported) -> Applied | None:
    try:
        done = changes.apply(line)
    except UserError as refused:
        imported.left_out += [LeftOut(s, refused.message.rstrip(".")) for s in stickies]
        return None
    imported.done.append((line, done))
    return done
