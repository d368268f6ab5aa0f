"""What the message opening a stage says: what to add, the form, an example, what is open."""

from __future__ import annotations

from collections import Counter

from dpflow.domain import grammar
from dpflow.domain.grammar import EXAMPLES, FLOW_KEYS, FORMS
from dpflow.domain.model import Board, CardKind, DataProduct, Decision, FindingStatus, Stage

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
                  "dismiss them. Canvas fields a finding asks for, such as an owner, can be "
                  "set right away in this thread.",
    Stage.CANVASES: "Fill in each data product's canvas: owner, purpose, classification, "
                    "terms of its language, assumptions, metrics and open questions.",
}


_WHY = {
    Stage.EVENTS: "Events are the facts of the process, the orange stickies of an Event "
                  "Storming: everything later hangs on them.",
    Stage.FLOW: "The flow shows where each fact is born: the operational system that becomes "
                "the golden source of a source-aligned data product.",
    Stage.AGGREGATES: "An aggregate keeps the facts that change together; each becomes a "
                      "candidate source-aligned data product, named in the domain's words.",
    Stage.DECISIONS: "Decisions are why data is needed at all: every later port should help "
                     "to take one of them.",
    Stage.OPPORTUNITIES: "Automating or suggesting a decision with data is where value comes "
                         "from; new ideas may need data nobody has yet.",
    Stage.PORTS: "An output port is a read-optimised dataset that a data product offers; "
                 "naming it after what people read keeps it in the domain's language.",
    Stage.CONSUMERS: "When the information for a decision does not exist yet, a "
                     "consumer-aligned data product builds it from other products' ports.",
    Stage.REVIEW: "The checks find mixed planes, automated decisions without their own "
                  "product, unclear boundaries, decisions without data, unused ports, "
                  "products without owners and table-like names.",
    Stage.CANVASES: "Each data product ends as a Bounded Context Canvas that its owner can "
                    "take forward; `/dpflow canvas` posts them again after changes.",
}


def what_to_add(stage: Stage) -> str:
    return _WHAT[stage]


def why(stage: Stage) -> str:
    return _WHY[stage]


def form(stage: Stage) -> str:
    return FORMS[stage]


def example(board: Board, stage: Stage) -> str:
    """An example line built from this board's cards, else a neutral one ("" in review)."""
    return _EXAMPLE_FROM.get(stage, lambda _b: None)(board) or EXAMPLES.get(stage, "")


def hint(board: Board, stage: Stage) -> str:
    """The form of the stage's lines, with an example from this board."""
    return grammar.hint(stage, example(board, stage))


_IRREGULAR = {"lent": "lend", "lost": "lose", "sent": "send", "paid": "pay", "made": "make",
              "sold": "sell", "bought": "buy", "held": "hold", "given": "give",
              "taken": "take", "written": "write", "chosen": "choose", "found": "find",
              "kept": "keep", "left": "leave", "brought": "bring", "shown": "show",
              "done": "do", "seen": "see", "told": "tell", "built": "build",
              "created": "create", "read": "read", "set": "set", "put": "put"}
_DOUBLED_KEPT = "lsfzd"  # passed, called, staffed, buzzed, added keep their double letter


def command_of(event: str) -> str | None:
    """The command behind a past-tense event, `Book returned` → `Return book`; None when
    the event has no past participle this can turn round."""
    found = _participle(event)
    if found is None:
        return None
    verb, subject, tail = found
    tail = "" if tail.lower().startswith("by ") else tail  # the actor, not the command
    return " ".join(part for part in (verb.capitalize(), subject.lower(), tail) if part)


def subject_of(event: str) -> str | None:
    """What a past-tense event happened to: `Renewal requested` → `Renewal`."""
    found = _participle(event)
    return found[1] if found else None


def _participle(event: str) -> tuple[str, str, str] | None:
    """(the verb it turns into, the words before it, the words after it)."""
    words = event.split()
    for i, word in enumerate(words[1:], 1):
        verb = _imperative(word.lower().strip(".,;"))
        if verb:
            return verb, " ".join(words[:i]), " ".join(words[i + 1:])
    return None


def _imperative(word: str) -> str | None:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if not word.endswith("ed") or len(word) < 5 or not word.isalpha():
        return None
    if word.endswith("ied"):
        return word[:-3] + "y"
    stem = word[:-2]
    if stem.endswith("ell") and len(stem) > 4:  # cancelled, labelled
        return stem[:-1]
    if stem[-1] == stem[-2] and stem[-1] not in _DOUBLED_KEPT + "aeiou":
        return stem[:-1]  # admitted, shipped, planned
    if _wants_e(stem):
        return stem + "e"
    return stem


def _wants_e(stem: str) -> bool:
    """`plac` → place, `reserv` → reserve, `scor` → score, `updat` → update, `declin` →
    decline: the silent e that -ed swallowed."""
    vowels = "aeiouy"
    last, before = stem[-1], stem[-2]
    if last in "vcguze":
        return True
    single = before in vowels and stem[-3:-2] not in tuple(vowels)
    return (last == "s" and before in vowels) or (single and last == "r" and before != "e") \
        or (single and last == "t" and before in "ao") or (single and last == "n"
                                                           and before == "i") \
        or (last == "l" and before == "u")


def _common(values) -> str | None:
    """The value seen most often, first seen first on a tie."""
    seen = Counter(v for v in values if v)
    return max(seen, key=seen.__getitem__) if seen else None


def _flow_example(board: Board) -> str | None:
    e = next((e for e in board.events if not _has_flow(e)), None)
    if e is None:
        return None
    parts = [command_of(e.text)]
    for key in ("actor", "system"):
        value = _common(getattr(other, key) for other in board.events)
        parts.append(value and f"{key}: {value}")
    parts = [p for p in parts if p]
    return f"{e.ref}: {' | '.join(parts)}" if parts else None


def _aggregate_example(board: Board) -> str | None:
    loose = [e for e in board.events if not e.data_product]
    if not loose:
        return None
    first = Counter(e.text.split()[0].casefold() for e in loose)
    word = max(first, key=first.__getitem__)
    group = [e.ref for e in loose if e.text.split()[0].casefold() == word][:4]
    return f"{_plural(word).capitalize()}: {', '.join(group)}"


def _plural(word: str) -> str:
    return word if word.endswith("s") else plural(word, 2)


def _decision_example(board: Board) -> str | None:
    decided = board.events_with_decisions()
    e = next((e for e in board.events if e.ref not in decided), None)
    if e is None:
        return None
    command = command_of(e.text)
    if command:
        return f"{e.ref}: Decide whether to {command[0].lower()}{command[1:]}"
    return f"{e.ref}: Decide how to handle {e.text[0].lower()}{e.text[1:]}"


def _opportunity_example(board: Board) -> str | None:
    seen = board.decisions_with_opportunities()
    d = next((d for d in board.decisions if d.ref not in seen), None)
    return d and f"{d.ref} suggest: show how similar cases were decided before"


def _product_for(board: Board, decision: Decision) -> DataProduct | None:
    """Where a decision's data would sit: its event's aggregate, else the first product."""
    event = next((e for e in board.events if e.ref == decision.event), None)
    product = board.product(event.data_product) if event and event.data_product else None
    return product or next(iter(board.data_products), None)


def _unsupported(board: Board) -> Decision | None:
    supported = board.supported_decisions()
    return next((d for d in board.decisions if d.ref not in supported), None)


def _port_example(board: Board) -> str | None:
    d = _unsupported(board)
    dp = d and _product_for(board, d)
    return dp and f"{dp.ref}: {dp.name} history for {d.ref}"


def _consumer_example(board: Board) -> str | None:
    d = _unsupported(board) or next(iter(board.decisions), None)
    p = next(iter(board.ports), None)
    producer = p and board.product(p.data_product)
    return producer and (f"new {producer.name} insights: {p.name} per week for {d.ref} "
                         f"reads {p.ref}")


def _canvas_example(board: Board) -> str | None:
    dp = next((dp for dp in board.data_products if not dp.owner), None)
    if dp:
        return f"{dp.ref} owner: {dp.name} team"
    dp = next((dp for dp in board.data_products if not dp.purpose), None)
    return dp and f"{dp.ref} purpose: what {dp.name} tells the people who decide"


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
    decided = board.events_with_decisions()
    return [("Events without a decision", [e.ref for e in board.events if e.ref not in decided])]


def _opportunities_open(board: Board):
    seen = board.decisions_with_opportunities()
    return [("Decisions without an opportunity",
             [d.ref for d in board.decisions if d.ref not in seen])]


def _ports_open(board: Board):
    supported = board.supported_decisions()
    return [("Decisions without an output port",
             [d.ref for d in board.decisions if d.ref not in supported]),
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


def counts(sizes: dict[CardKind, int]) -> str:
    """`12 events · 4 decisions · 2 data products` (from `Board.sizes`), or `an empty
    board`."""
    return tally(sizes) or "an empty board"


def tally(numbers: dict[CardKind, int]) -> str:
    """`3 events · 1 decision`: the kinds with a number above nought."""
    return " · ".join(f"{n} {plural(NOUNS[kind], n)}" for kind, n in numbers.items() if n)


def plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
