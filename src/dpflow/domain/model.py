"""The board of one workshop: cards by kind, addressed by short references (E1, D2, DP3…)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Stage(StrEnum):
    EVENTS = "events"
    FLOW = "flow"
    AGGREGATES = "aggregates"
    DECISIONS = "decisions"
    OPPORTUNITIES = "opportunities"
    PORTS = "ports"
    CONSUMERS = "consumers"
    REVIEW = "review"
    CANVASES = "canvases"

    @property
    def number(self) -> int:
        return STAGES.index(self) + 1

    @property
    def next(self) -> Stage | None:
        i = STAGES.index(self)
        return STAGES[i + 1] if i + 1 < len(STAGES) else None


STAGES: list[Stage] = list(Stage)


def norm(text: str) -> str:
    """Text as compared for sameness: any case, any spacing."""
    return " ".join(text.split()).casefold()


class CardKind(StrEnum):
    EVENT = "event"
    DECISION = "decision"
    OPPORTUNITY = "opportunity"
    DATA_PRODUCT = "data_product"
    PORT = "port"

    @property
    def prefix(self) -> str:
        return REF_PREFIX[self]


REF_PREFIX: dict[CardKind, str] = {
    CardKind.EVENT: "E",
    CardKind.DECISION: "D",
    CardKind.OPPORTUNITY: "O",
    CardKind.DATA_PRODUCT: "DP",
    CardKind.PORT: "P",
}


class Mode(StrEnum):
    AUTOMATE = "automate"
    SUGGEST = "suggest"
    IDEA = "idea"


class Alignment(StrEnum):
    SOURCE = "source-aligned"
    CONSUMER = "consumer-aligned"


class CanvasField(StrEnum):
    """Fields of `DP1 <field>: <value>`; the first three are set, the others appended."""

    OWNER = "owner"
    PURPOSE = "purpose"
    CLASSIFICATION = "classification"
    TERM = "term"
    ASSUMPTION = "assumption"
    METRIC = "metric"
    QUESTION = "question"

    @property
    def is_list(self) -> bool:
        return self not in (CanvasField.OWNER, CanvasField.PURPOSE, CanvasField.CLASSIFICATION)


class FindingKind(StrEnum):
    MIXED_PLANES = "mixed-planes"
    AUTOMATED_DECISION = "automated-decision"
    CONSUMER_BOUNDARY = "consumer-boundary"
    UNSUPPORTED_DECISION = "unsupported-decision"
    UNUSED_PORT = "unused-port"
    NO_OWNER = "no-owner"
    TABLE_LIKE_NAME = "table-like-name"


class FindingStatus(StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    DISMISSED = "dismissed"
    RESOLVED = "resolved"  # its cause is gone from the board


@dataclass
class Event:
    ref: str
    text: str
    position: int
    author: str = ""
    command: str | None = None
    actor: str | None = None
    system: str | None = None
    trigger: str | None = None
    data_product: str | None = None  # DP ref of its aggregate


@dataclass
class Decision:
    ref: str
    text: str
    event: str | None = None  # E ref, None for a brand-new business decision
    author: str = ""


@dataclass
class Opportunity:
    ref: str
    mode: Mode
    text: str
    decision: str | None = None  # D ref, None for a new data-driven idea
    author: str = ""


@dataclass
class Port:
    ref: str
    name: str
    data_product: str  # DP ref
    supports: list[str] = field(default_factory=list)  # D refs
    author: str = ""


@dataclass
class DataProduct:
    ref: str
    name: str
    kind: Alignment
    owner: str | None = None
    purpose: str | None = None
    classification: str | None = None
    terms: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)  # P refs of other products' ports
    author: str = ""


@dataclass
class Finding:
    kind: FindingKind
    subject: str  # the ref the finding is about (DP2, D4, P7…)
    message: str
    status: FindingStatus = FindingStatus.OPEN
    key: str = ""  # stable identity: re-running review finds the same key again
    details: dict = field(default_factory=dict)  # e.g. ports compared, answers given
    decided_by: str | None = None  # who applied, dismissed or resolved it
    decided_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.key:
            self.key = f"{self.kind}:{self.subject}"


@dataclass
class Workshop:
    id: str
    name: str
    team_id: str
    channel_id: str
    stage: Stage = Stage.EVENTS
    domain: str | None = None
    facilitators: list[str] = field(default_factory=list)
    active: bool = True


@dataclass(frozen=True)
class StageRun:
    """One opening of a stage: its message in the channel is the root of its thread."""

    id: int
    workshop_id: str
    stage: Stage
    channel_id: str
    message_ts: str | None
    opened_at: datetime
    closed_at: datetime | None = None
    deadline: datetime | None = None


@dataclass
class Board:
    """Everything on the wall of one workshop, in the order people see it."""

    workshop: Workshop
    events: list[Event] = field(default_factory=list)  # timeline order
    decisions: list[Decision] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    data_products: list[DataProduct] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def card(self, ref: str) -> Event | Decision | Opportunity | DataProduct | Port | None:
        ref = ref.upper()
        for cards in (self.events, self.decisions, self.opportunities, self.data_products,
                      self.ports):
            for c in cards:
                if c.ref == ref:
                    return c
        return None

    def product(self, ref: str) -> DataProduct | None:
        return next((p for p in self.data_products if p.ref == ref), None)

    def product_named(self, name: str) -> DataProduct | None:
        return next((p for p in self.data_products if norm(p.name) == norm(name)), None)

    def events_of(self, dp_ref: str) -> list[Event]:
        return [e for e in self.events if e.data_product == dp_ref]

    def systems_of(self, dp_ref: str) -> list[str]:
        """Golden-source systems of a data product: its events' systems, first seen first."""
        return list(dict.fromkeys(e.system for e in self.events_of(dp_ref) if e.system))

    def ports_of(self, dp_ref: str) -> list[Port]:
        return [p for p in self.ports if p.data_product == dp_ref]

    def readers_of(self, port_ref: str) -> list[DataProduct]:
        return [p for p in self.data_products if port_ref in p.reads]

    def ports_supporting(self, decision_ref: str) -> list[Port]:
        return [p for p in self.ports if decision_ref in p.supports]

    def decisions_of(self, event_ref: str) -> list[Decision]:
        return [d for d in self.decisions if d.event == event_ref]

    def opportunities_of(self, decision_ref: str) -> list[Opportunity]:
        return [o for o in self.opportunities if o.decision == decision_ref]

    def sizes(self) -> dict[CardKind, int]:
        """How many cards of each kind."""
        return {CardKind.EVENT: len(self.events), CardKind.DECISION: len(self.decisions),
                CardKind.OPPORTUNITY: len(self.opportunities),
                CardKind.DATA_PRODUCT: len(self.data_products), CardKind.PORT: len(self.ports)}

    # what the whole board links to, each in one pass: for questions about every card
    # (asking `decisions_of` for each event would take events × decisions steps)

    def events_with_decisions(self) -> set[str]:
        return {d.event for d in self.decisions if d.event}

    def decisions_with_opportunities(self) -> set[str]:
        return {o.decision for o in self.opportunities if o.decision}

    def supported_decisions(self) -> set[str]:
        return {ref for p in self.ports for ref in p.supports}

    def read_ports(self) -> set[str]:
        return {ref for dp in self.data_products for ref in dp.reads}
