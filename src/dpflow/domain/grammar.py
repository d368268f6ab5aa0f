"""The contribution grammar of SPEC §3: one line of a stage's thread → one `Line`.

Decisions taken here:
- keywords (`new`, `automate`, `suggest`, `idea`, `for`, `reads`, flow keys, canvas fields)
  and references are case-insensitive; references come back upper case (`dp1` → `DP1`);
- opportunities accept the colon after the mode or not: `D2 automate: …` = `D2 automate …`,
  `idea: …` = `idea …`;
- flow: the first part is the command unless it starts with a flow key (`actor:`, `system:`,
  `trigger:`, `command:`); stray empty parts (`E3: Ship | | actor: Clerk`) are ignored;
- ports and consumers: ` for <refs>` / ` reads <refs>` count only at the end of the line
  and only when followed by references, so a port named "Orders waiting for pickup" stays
  whole; `reads` may come before or after `for`;
- aggregates split on the last colon, so a name may hold a colon; consumer names may not;
- a line in the shape of another stage's form (`DP1 owner: …` in the ports thread, `E99: …`
  in the events thread, `… reads P2` on a port) is refused with that stage's form, as
  `OtherStage`, rather than read as something nobody meant;
- `classification` takes the Bounded Context Canvas's values: core, supporting or generic,
  then optionally a business model and an evolution stage, comma-separated.
"""

from __future__ import annotations

import re
from typing import NoReturn

from dpflow.domain.errors import GrammarError, OtherStage
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
from dpflow.domain.model import CanvasField, CardKind, Mode, Stage

MAX_TEXT = 300
MAX_NAME = 100
# one message is one short write: a pasted list fits, a pasted file does not
MAX_LINES = 50
MAX_LINE = 1000

FORMS: dict[Stage, str] = {
    Stage.EVENTS: "<business event, in the past tense>",
    Stage.FLOW: "E3: <command> | actor: <who> | system: <system> | trigger: <what starts it>",
    Stage.AGGREGATES: "<Name>: E1, E2, E5",
    Stage.DECISIONS: "E3: <decision>   or   new: <decision>",
    Stage.OPPORTUNITIES: "D2 automate: <how>   or   D2 suggest: <how>   or   idea: <idea>",
    Stage.PORTS: "DP1: <port name> for D2, D5",
    Stage.CONSUMERS: "new <Name>: <port name> for D2 reads P1, P4",
    Stage.REVIEW: "DP1 owner: <team>   (canvas fields only; apply or dismiss the other fixes)",
    Stage.CANVASES: "DP1 <field>: <value>   (field: " + ", ".join(CanvasField) + ")",
}

# Neutral examples, for when the board has nothing to build one from (domain/guide.py does).
EXAMPLES: dict[Stage, str] = {
    Stage.EVENTS: "Request received",
    Stage.FLOW: "E1: Receive request | actor: Front desk | system: Case system",
    Stage.AGGREGATES: "Requests: E1, E2",
    Stage.DECISIONS: "E1: Decide whether to accept the request",
    Stage.OPPORTUNITIES: "D1 suggest: show similar past requests and how they ended",
    Stage.PORTS: "DP1: Open requests by age for D1",
    Stage.CONSUMERS: "new Request triage: Requests to look at first for D1 reads P1",
    Stage.CANVASES: "DP1 owner: <the team that will own it>",
}

# The Bounded Context Canvas's strategic classification: domain, business model, evolution.
CLASSIFICATION: dict[str, tuple[str, ...]] = {
    "domain": ("core", "supporting", "generic"),
    "business model": ("revenue", "engagement", "compliance", "cost reduction"),
    "evolution": ("genesis", "custom built", "product", "commodity"),
}
CLASSIFICATION_FORM = ("core, supporting or generic, then optionally the business model "
                       "(revenue, engagement, compliance, cost reduction) and the evolution "
                       "(genesis, custom built, product, commodity)")

FLOW_KEYS = ("command", "actor", "system", "trigger")

_I = re.IGNORECASE | re.ASCII
_KIND_OF_PREFIX = {kind.prefix: kind for kind in CardKind}
_NOUN = {CardKind.EVENT: "an event", CardKind.DECISION: "a decision",
         CardKind.OPPORTUNITY: "an opportunity", CardKind.DATA_PRODUCT: "a data product",
         CardKind.PORT: "an output port"}
_SAMPLE = {CardKind.EVENT: "E3", CardKind.DECISION: "D2", CardKind.OPPORTUNITY: "O1",
           CardKind.DATA_PRODUCT: "DP1", CardKind.PORT: "P1"}
_REF = re.compile(r"(DP|E|D|O|P)0*(\d+)", _I)
_REF_LIST = r"(?:DP|E|D|O|P)\d+(?:[\s,]+(?:DP|E|D|O|P)\d+)*"
_TAIL = re.compile(rf"^(?P<head>.*?)\s+(?P<word>for|reads)\s+(?P<refs>{_REF_LIST})[\s,]*$",
                   _I)
_ENTITY = re.compile(r"&(amp|lt|gt);")
_BULLET = re.compile(r"^(?:[-•*◦‣]|\d{1,3}[.)])\s+")


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<`, `>`, once: `&amp;lt;` becomes `&lt;`."""
    return _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m[1]], text)


def split_lines(text: str) -> list[str]:
    """One contribution per non-blank line, stripped, without a leading bullet or number;
    refused whole when there are more lines, or longer ones, than one message may carry."""
    lines = [line for line in (_BULLET.sub("", raw.strip()).strip()
                               for raw in text.splitlines()) if line]
    if len(lines) > MAX_LINES:
        raise GrammarError(f"That message holds {len(lines):,} lines; dpflow reads up to "
                           f"{MAX_LINES} contributions per message. Nothing was stored: send "
                           "them in several messages.")
    if (longest := max((len(line) for line in lines), default=0)) > MAX_LINE:
        raise GrammarError(f"A line of that message is {longest:,} characters long; keep each "
                           f"contribution under {MAX_LINE}. Nothing was stored.")
    return lines


def hint(stage: Stage, example: str | None = None) -> str:
    """The form of a stage's lines with an example, for `UserError.hint`."""
    example = example or EXAMPLES.get(stage)
    return f"{FORMS[stage]}   e.g. {example}" if example else FORMS[stage]


def kind_of(ref: str) -> CardKind | None:
    """The kind of card a reference names, or None when it is not a reference."""
    m = _REF.fullmatch(ref.strip())
    return _KIND_OF_PREFIX[m[1].upper()] if m else None


def parse_line(stage: Stage, text: str) -> Line:
    """Parse one contribution in `stage`; raises GrammarError saying what is wrong."""
    line = unescape(text).strip()
    if stage is Stage.REVIEW and not _CANVAS.match(line):
        _fail(stage, "During the review only canvas fields are added, such as the owner a "
                     "finding asks for; the other fixes are applied or dismissed with the "
                     "buttons on the findings.")
    if not line:
        _fail(stage, "That line is empty.")
    if "\n" in line or "\r" in line:
        _fail(stage, "Put one contribution per line.")
    try:
        parsed = _PARSERS[stage](stage, line)
    except GrammarError as error:
        _elsewhere(stage, line, error)
        raise
    _misread(stage, line)
    return parsed


def format_line(line: Line) -> str:
    """The line as a person would type it; `parse_line` of it gives `line` back."""
    match line:
        case AddEvent(text):
            return text
        case SetFlow():
            return f"{line.event}: {_flow_parts(line)}"
        case Aggregate(name, events):
            return f"{name}: {', '.join(events)}"
        case AddDecision(text, event):
            return f"{event or 'new'}: {text}"
        case AddOpportunity(mode, text, decision):
            return f"idea: {text}" if decision is None else f"{decision} {mode}: {text}"
        case AddPort(dp, name, supports):
            return f"{dp}: {name}{_tail('for', supports)}"
        case AddConsumer(name, port, supports, reads):
            return f"new {name}: {port}{_tail('for', supports)}{_tail('reads', reads)}"
        case SetCanvasField(dp, field, value):
            return f"{dp} {field}: {value}"
    raise TypeError(line)


def _flow_parts(line: SetFlow) -> str:
    parts = [f"{key}: {getattr(line, key)}" for key in FLOW_KEYS if getattr(line, key)]
    if line.command and not _FLOW_PART.match(line.command):
        parts[0] = line.command
    return " | ".join(parts)


def _tail(word: str, refs: tuple[str, ...]) -> str:
    return f" {word} {', '.join(refs)}" if refs else ""


def _fail(stage: Stage, message: str) -> NoReturn:
    raise GrammarError(message, hint(stage), stage)


# Shapes only one stage's form has, first match wins: a line in another stage's shape is
# refused with that stage's form instead of being read as something nobody meant.
_FIELDS = "|".join(CanvasField)
_SHAPES: tuple[tuple[Stage, re.Pattern], ...] = (
    (Stage.CONSUMERS, re.compile(r"^new\s+[^:\s][^:]*:", _I)),
    (Stage.CANVASES, re.compile(rf"^DP\d+\s*:?\s+(?:{_FIELDS})\s*:", _I)),
    (Stage.PORTS, re.compile(r"^DP\d+\s*:", _I)),
    (Stage.OPPORTUNITIES, re.compile(r"^(?:D\d+\s*:?\s+(?:automate|suggest)\b|idea\s*:)", _I)),
    (Stage.DECISIONS, re.compile(r"^(?:E\d+\s*:\s*decide\b|new\s*:)", _I)),
    (Stage.FLOW, re.compile(r"^E\d+\s*:(?:\s*(?:command|actor|system|trigger)\s*:|[^|]*\|\s*"
                            r"(?:command|actor|system|trigger)\s*:)", _I)),
    (Stage.AGGREGATES, re.compile(r"^[^:]+:\s*E\d+(?:[\s,]+E\d+)*[\s,]*$", _I)),
)
_REF_PREFIX = re.compile(r"^(?P<ref>(?:DP|E|D|O|P)\d+)\s*:", _I)
_HAS_REF = re.compile(r"\b(?:DP|E|D|O|P)\d+\b", _I)
_READS_TAIL = re.compile(rf"\s+reads\s+{_REF_LIST}[\s,]*$", _I)
_SAYS = {
    Stage.FLOW: "says which command, actor, system or trigger an event has",
    Stage.AGGREGATES: "groups events into an aggregate",
    Stage.DECISIONS: "names a decision",
    Stage.OPPORTUNITIES: "says how data could help with a decision",
    Stage.PORTS: "places an output port on a data product",
    Stage.CONSUMERS: "adds a consumer-aligned data product that reads other products' ports",
    Stage.CANVASES: "fills a field of a data product's canvas",
}


def stage_of(line: str) -> Stage | None:
    """The stage whose form only `line`'s shape fits, if any."""
    return next((stage for stage, shape in _SHAPES if shape.match(line.strip())), None)


def _other(stage: Stage, other: Stage, message: str | None = None) -> NoReturn:
    message = message or (f"That line {_SAYS[other]}: it is written for the *{other}* stage "
                          f"(stage {other.number}), not for *{stage}*.")
    raise OtherStage(message, hint(other), other)


def _elsewhere(stage: Stage, line: str, error: GrammarError) -> None:
    """After a line failed to parse: refuse it with another stage's form if it has its shape."""
    other = stage_of(line)
    if other is not None and other is not stage:
        _other(stage, other)
    if stage not in (Stage.FLOW, Stage.DECISIONS):
        _event_ref(stage, line)


def _event_ref(stage: Stage, line: str) -> None:
    """`E99: …` outside the flow and decisions stages: ask which of the two was meant."""
    m = _REF_PREFIX.match(line)
    if m and kind_of(m["ref"]) is CardKind.EVENT:
        ref = m["ref"].upper()
        _other(stage, Stage.FLOW, f"`{ref}:` starts like a reference to an event. Did you "
               f"mean a flow line, `{ref}: <command> | actor: <who>`, or a decision, "
               f"`{ref}: <decision>`? Those go in the flow and decisions stages (2 and 4).")


def _misread(stage: Stage, line: str) -> None:
    """Lines that parse here but would be read as something else than their author meant."""
    if stage is Stage.EVENTS:
        other = stage_of(line) if _HAS_REF.search(line) or line.lower().startswith(
            ("new:", "idea:")) else None
        if other is not None:
            _other(stage, other)
        _event_ref(stage, line)
        if m := _REF_PREFIX.match(line):
            _fail(stage, f"`{m['ref'].upper()}:` starts like a reference: an event is a "
                         "business fact in the past tense, like the example.")
    elif stage is Stage.DECISIONS and stage_of(line) is Stage.FLOW:
        _other(stage, Stage.FLOW)
    elif stage is Stage.FLOW and stage_of(line) is Stage.DECISIONS:
        _other(stage, Stage.DECISIONS)
    elif stage is Stage.PORTS and _READS_TAIL.search(line):
        _other(stage, Stage.CONSUMERS, "An output port of an existing data product reads "
               "nothing: a data product that reads other products' ports is consumer-aligned, "
               "and it is added in the *consumers* stage (stage 7).")


def _show(token: str) -> str:
    token = token.strip()
    return token if len(token) <= 40 else token[:39] + "…"


def _ref(stage: Stage, token: str, kind: CardKind, role: str) -> str:
    """`token` as a reference of `kind`; `role` says what needs it, e.g. "decisions link to"."""
    found = kind_of(token)
    wanted = f"{role} {_NOUN[kind]} like `{_SAMPLE[kind]}`"
    if found is None:
        _fail(stage, f"`{_show(token)}` is not a reference: {wanted}.")
    if found is not kind:
        _fail(stage, f"`{_show(token).upper()}` is {_NOUN[found]}, but {wanted}.")
    m = _REF.fullmatch(token.strip())
    return f"{m[1].upper()}{m[2]}"


def _refs(stage: Stage, text: str, kind: CardKind, role: str) -> tuple[str, ...]:
    tokens = [t for t in re.split(r"[\s,]+", text) if t]
    if not tokens:
        _fail(stage, f"List the references: {role} {_NOUN[kind]} like `{_SAMPLE[kind]}`.")
    return tuple(dict.fromkeys(_ref(stage, t, kind, role) for t in tokens))


def _text(stage: Stage, text: str, what: str, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if not text:
        _fail(stage, f"The {what} is missing.")
    if len(text) > limit:
        _fail(stage, f"The {what} is {len(text)} characters long; keep it under {limit}.")
    return text


def _split_colon(stage: Stage, line: str, what: str) -> tuple[str, str]:
    head, colon, rest = line.partition(":")
    if not colon:
        _fail(stage, f"A colon is missing: {what}.")
    return head.strip(), rest


def _event(stage: Stage, line: str) -> AddEvent:
    return AddEvent(_text(stage, line, "event"))


_FLOW_PART = re.compile(r"^\s*(command|actor|system|trigger)\s*:(.*)$", _I | re.S)


def _flow(stage: Stage, line: str) -> SetFlow:
    head, rest = _split_colon(stage, line, "start with the event, like `E3:`")
    event = _ref(stage, head, CardKind.EVENT, "the flow belongs to")
    fields: dict[str, str] = {}
    for i, part in enumerate(rest.split("|")):
        if not part.strip():
            continue
        key, value = _flow_part(stage, part, first=i == 0)
        if key in fields:
            _fail(stage, f"`{key}` is given twice; give each part once.")
        fields[key] = _text(stage, value, key)
    if not fields:
        _fail(stage, f"Say at least one of command, actor, system or trigger for {event}.")
    return SetFlow(event, **fields)


def _flow_part(stage: Stage, part: str, first: bool) -> tuple[str, str]:
    m = _FLOW_PART.match(part)
    if m:
        return m[1].lower(), m[2]
    if first:
        return "command", part
    key = part.partition(":")[0].strip() if ":" in part else part.strip()
    _fail(stage, f"`{_show(key)}` is not a part of the flow: after the command use "
                 "`actor: …`, `system: …` or `trigger: …`.")


def _aggregate(stage: Stage, line: str) -> Aggregate:
    head, colon, rest = line.rpartition(":")
    if not colon:
        _fail(stage, "A colon is missing: name the aggregate, then list its events.")
    name = _text(stage, head, "aggregate name", MAX_NAME)
    return Aggregate(name, _refs(stage, rest, CardKind.EVENT, "an aggregate groups"))


def _decision(stage: Stage, line: str) -> AddDecision:
    head, rest = _split_colon(stage, line, "start with the event, like `E3:`, or `new:`")
    if head.lower() == "new":
        return AddDecision(_text(stage, rest, "decision"))
    event = _ref(stage, head, CardKind.EVENT, "decisions link to")
    return AddDecision(_text(stage, rest, "decision"), event)


_OPPORTUNITY = re.compile(r"^(?P<ref>\S+?)\s*:?\s+(?P<mode>automate|suggest)\b\s*:?(?P<text>.*)$",
                          _I | re.S)
_IDEA = re.compile(r"^idea\b\s*:?(?P<text>.*)$", _I | re.S)


def _opportunity(stage: Stage, line: str) -> AddOpportunity:
    if m := _IDEA.match(line):
        return AddOpportunity(Mode.IDEA, _text(stage, m["text"], "idea"))
    m = _OPPORTUNITY.match(line)
    if not m:
        _fail(stage, "Say `automate` or `suggest` after the decision, or start with `idea:`.")
    decision = _ref(stage, m["ref"], CardKind.DECISION, "opportunities belong to")
    return AddOpportunity(Mode(m["mode"].lower()), _text(stage, m["text"], "opportunity"),
                          decision)


def _tails(stage: Stage, text: str, allowed: dict[str, tuple[CardKind, str]]
           ) -> tuple[str, dict[str, tuple[str, ...]]]:
    """Peel ` for <refs>` / ` reads <refs>` off the end of `text`, each at most once."""
    found: dict[str, tuple[str, ...]] = {}
    while (m := _TAIL.match(text)) and m["word"].lower() in allowed:
        word = m["word"].lower()
        if word in found:
            break
        kind, role = allowed[word]
        found[word] = _refs(stage, m["refs"], kind, role)
        text = m["head"]
    return text, found


_FOR = {"for": (CardKind.DECISION, "an output port supports")}
_READS = {"reads": (CardKind.PORT, "a consumer-aligned data product reads")}


def _port(stage: Stage, line: str) -> AddPort:
    head, rest = _split_colon(stage, line, "start with the data product, like `DP1:`")
    dp = _ref(stage, head, CardKind.DATA_PRODUCT, "output ports live on")
    name, tails = _tails(stage, rest, _FOR)
    return AddPort(dp, _text(stage, name, "port name", MAX_NAME), tails.get("for", ()))


def _consumer(stage: Stage, line: str) -> AddConsumer:
    m = re.match(r"^new\s+(?P<name>[^:]*):(?P<rest>.*)$", line, _I | re.S)
    if not m:
        _fail(stage, "Start with `new`, the name of the consumer-aligned data product "
                     "and a colon.")
    name = _text(stage, m["name"], "data product name", MAX_NAME)
    port, tails = _tails(stage, m["rest"], _FOR | _READS)
    return AddConsumer(name, _text(stage, port, "port name", MAX_NAME),
                       tails.get("for", ()), tails.get("reads", ()))


_CANVAS = re.compile(r"^(?P<ref>[^\s:]+):?\s+(?P<field>[A-Za-z]+)\s*:(?P<value>.*)$", re.S)


def _canvas(stage: Stage, line: str) -> SetCanvasField:
    m = _CANVAS.match(line)
    if not m:
        _fail(stage, "Start with the data product and a field, like `DP1 owner:`.")
    dp = _ref(stage, m["ref"], CardKind.DATA_PRODUCT, "canvas fields belong to")
    try:
        field = CanvasField(m["field"].lower())
    except ValueError:
        _fail(stage, f"`{_show(m['field'])}` is not a canvas field: use one of "
                     + ", ".join(CanvasField) + ".")
    value = _text(stage, m["value"], field.value)
    if field is CanvasField.CLASSIFICATION:
        _classification(stage, value)
    return SetCanvasField(dp, field, value)


def _classification(stage: Stage, value: str) -> None:
    """Each comma-separated part one of CLASSIFICATION's values, the domain first."""
    parts = [" ".join(p.lower().replace("-", " ").split()) for p in value.split(",")]
    seen = []
    for part in parts:
        part = part.removesuffix(" domain")
        dimension = next((d for d, values in CLASSIFICATION.items() if part in values), None)
        if dimension is None or dimension in seen:
            break
        seen.append(dimension)
    else:
        if seen and seen[0] == "domain":
            return
    raise GrammarError(f"“{_show(value)}” is not a classification of the Bounded Context "
                       f"Canvas: say {CLASSIFICATION_FORM}.",
                       "DP1 classification: core, revenue, custom built", stage)


_PARSERS = {
    Stage.EVENTS: _event,
    Stage.FLOW: _flow,
    Stage.AGGREGATES: _aggregate,
    Stage.DECISIONS: _decision,
    Stage.OPPORTUNITIES: _opportunity,
    Stage.PORTS: _port,
    Stage.CONSUMERS: _consumer,
    Stage.REVIEW: _canvas,  # the fields findings ask for (an owner) can be set right away
    Stage.CANVASES: _canvas,
}
