"""What the message opening a stage says: what to add, the form, an example, what is open."""

from __future__ import annotations

from dpflow.domain import grammar
from dpflow.domain.grammar import EXAMPLES, FLOW_KEYS, FORMS
from dpflow.domain.model import Board, CardKind, FindingStatus, Stage

_WHAT = {
    Stage.EVENTS: "Add the business events of the process, in the past tense, in the order "
                  "they happen.",
    Stage.FLOW: "For each event, say which command or action causes it, the actor who acts, "
                "the system where it happens and what triggers it.",
    Stage.AGGREGATES: "Group the events that belong together and name each group: every group "
                      "is a candidate source-aligned data product.",
    Stage.DECISIONS: "Name the decision behind each event, as it is taken today or as it "
                     "should be. New business decisions are welcome too.",
    Stage.OPPORTUNITIES: "For each decision, say how data could automate it or suggest it. "
                         "Brand-new ideas that data would make possible count as well.",
    Stage.PORTS: "Place output ports on the data products where the data for a decision can "
                 "be found, named in the domain's language rather than as tables.",
    Stage.CONSUMERS: "Where the information a decision needs does not exist yet, add a "
                     "consumer-aligned data product with the ports it offers and the ports "
                     "it reads.",
    Stage.REVIEW: "The app checks the board and proposes fixes; facilitators apply or "
                  "dismiss them.",
    Stage.CANVASES: "Fill in each data product's canvas: owner, purpose, classification, "
                    "terms of its language, assumptions, metrics and open questions.",
}


def what_to_add(stage: Stage) -> str:
    return _WHAT[stage]


def form(stage: Stage) -> str:
    return FORMS[stage]


def example(board: Board, stage: Stage) -> str:
    """An example line drawn from this board's cards, else a generic one ("" in review)."""
    return _EXAMPLE_FROM.get(stage, lambda _b: None)(board) or EXAMPLES.get(stage, "")


def hint(board: Board, stage: Stage) -> str:
    """The form of the stage's lines, with an example from this board."""
    return grammar.hint(stage, example(board, stage))


def _flow_example(board: Board) -> str | None:
    e = next((e for e in board.events if not _has_flow(e)), None)
    return e and f"{e.ref}: <command> | actor: <who> | system: <system>"


def _aggregate_example(board: Board) -> str | None:
    loose = [e.ref for e in board.events if not e.data_product][:3]
    return loose and f"<Name>: {', '.join(loose)}"


def _decision_example(board: Board) -> str | None:
    e = next((e for e in board.events if not board.decisions_of(e.ref)), None)
    return e and f"{e.ref}: Decide whether to …"


def _opportunity_example(board: Board) -> str | None:
    d = next((d for d in board.decisions if not board.opportunities_of(d.ref)), None)
    return d and f"{d.ref} suggest: …"


def _port_example(board: Board) -> str | None:
    d = next((d for d in board.decisions if not board.ports_supporting(d.ref)), None)
    dp = next(iter(board.data_products), None)
    return d and dp and f"{dp.ref}: <port name> for {d.ref}"


def _consumer_example(board: Board) -> str | None:
    d = next((d for d in board.decisions if not board.ports_supporting(d.ref)), None)
    p = next(iter(board.ports), None)
    return d and p and f"new <Name>: <port name> for {d.ref} reads {p.ref}"


def _canvas_example(board: Board) -> str | None:
    dp = next((dp for dp in board.data_products if not dp.owner), None)
    return dp and f"{dp.ref} owner: <team>"


_EXAMPLE_FROM = {
    Stage.FLOW: _flow_example, Stage.AGGREGATES: _aggregate_example,
    Stage.DECISIONS: _decision_example, Stage.OPPORTUNITIES: _opportunity_example,
    Stage.PORTS: _port_example, Stage.CONSUMERS: _consumer_example,
    Stage.CANVASES: _canvas_example,
}


def open_items(board: Board, stage: Stage) -> list[str]:
    """Short lines with refs of what is still open in `stage`; [] when nothing is."""
    items = [_listed(label, refs) for label, refs in _OPEN[stage](board)]
    return [item for item in items if item]


def _listed(label: str, refs: list[str]) -> str:
    return f"{label}: {', '.join(refs)}" if refs else ""


def _has_flow(event) -> bool:
    return any(getattr(event, key) for key in FLOW_KEYS)


def _events_open(board: Board):
    return [("No events yet", ["add the first one"] if not board.events else [])]


def _flow_open(board: Board):
    return [("Events without command, actor, system or trigger",
             [e.ref for e in board.events if not _has_flow(e)])]


def _aggregates_open(board: Board):
    return [("Events in no aggregate", [e.ref for e in board.events if not e.data_product])]


def _decisions_open(board: Board):
    return [("Events without a decision",
             [e.ref for e in board.events if not board.decisions_of(e.ref)])]


def _opportunities_open(board: Board):
    return [("Decisions without an opportunity",
             [d.ref for d in board.decisions if not board.opportunities_of(d.ref)])]


def _ports_open(board: Board):
    return [("Decisions without an output port",
             [d.ref for d in board.decisions if not board.ports_supporting(d.ref)]),
            ("Output ports supporting no decision",
             [p.ref for p in board.ports if not p.supports])]


def _review_open(board: Board):
    return [("Proposed fixes still open",
             [f"{f.subject} ({f.kind})" for f in board.findings
              if f.status is FindingStatus.OPEN])]


def _canvases_open(board: Board):
    return [("Data products without an owner",
             [dp.ref for dp in board.data_products if not dp.owner]),
            ("Data products without a purpose",
             [dp.ref for dp in board.data_products if not dp.purpose])]


_OPEN = {
    Stage.EVENTS: _events_open, Stage.FLOW: _flow_open, Stage.AGGREGATES: _aggregates_open,
    Stage.DECISIONS: _decisions_open, Stage.OPPORTUNITIES: _opportunities_open,
    Stage.PORTS: _ports_open, Stage.CONSUMERS: _ports_open, Stage.REVIEW: _review_open,
    Stage.CANVASES: _canvases_open,
}


NOUNS = {CardKind.EVENT: "event", CardKind.DECISION: "decision",
         CardKind.OPPORTUNITY: "opportunity", CardKind.DATA_PRODUCT: "data product",
         CardKind.PORT: "output port"}


def counts(board: Board) -> str:
    """`12 events · 4 decisions · 2 data products`, or `an empty board`."""
    kinds = {CardKind.EVENT: board.events, CardKind.DECISION: board.decisions,
             CardKind.OPPORTUNITY: board.opportunities,
             CardKind.DATA_PRODUCT: board.data_products, CardKind.PORT: board.ports}
    return tally({kind: len(cards) for kind, cards in kinds.items()}) or "an empty board"


def tally(numbers: dict[CardKind, int]) -> str:
    """`3 events · 1 decision`: the kinds with a number above nought."""
    return " · ".join(f"{n} {plural(NOUNS[kind], n)}" for kind, n in numbers.items() if n)


def plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
