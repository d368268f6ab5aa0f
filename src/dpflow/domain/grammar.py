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
- aggregates split on the last colon, so a name may hold a colon; consumer names may not.
"""

from __future__ import annotations

import re
from typing import NoReturn

from dpflow.domain.errors import GrammarError
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
    Stage.REVIEW: "nothing to add: apply or dismiss the proposed fixes",
    Stage.CANVASES: "DP1 <field>: <value>   (field: " + ", ".join(CanvasField) + ")",
}

EXAMPLES: dict[Stage, str] = {
    Stage.EVENTS: "Order placed",
    Stage.FLOW: "E3: Place order | actor: Customer | system: Web shop | trigger: Basket ready",
    Stage.AGGREGATES: "Orders: E1, E2, E5",
    Stage.DECISIONS: "E3: Decide whether to accept the order",
    Stage.OPPORTUNITIES: "D2 suggest: show the customer's usual delivery slot",
    Stage.PORTS: "DP1: Orders waiting for pickup for D2",
    Stage.CONSUMERS: "new Delivery planning: Expected deliveries per area for D2 reads P1",
    Stage.CANVASES: "DP1 owner: Order management team",
}

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


def hint(stage: Stage) -> str:
    """The form of a stage's lines with an example, for `UserError.hint`."""
    if stage not in EXAMPLES:
        return FORMS[stage]
    return f"{FORMS[stage]}   e.g. {EXAMPLES[stage]}"


def kind_of(ref: str) -> CardKind | None:
    """The kind of card a reference names, or None when it is not a reference."""
    m = _REF.fullmatch(ref.strip())
    return _KIND_OF_PREFIX[m[1].upper()] if m else None


def parse_line(stage: Stage, text: str) -> Line:
    """Parse one contribution in `stage`; raises GrammarError saying what is wrong."""
    line = unescape(text).strip()
    if stage is Stage.REVIEW:
        _fail(stage, "Nothing is added during the review: the app checks the board and "
                     "proposes fixes, which facilitators apply or dismiss.")
    if not line:
        _fail(stage, "That line is empty.")
    if "\n" in line or "\r" in line:
        _fail(stage, "Put one contribution per line.")
    return _PARSERS[stage](stage, line)


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
    raise GrammarError(message, None if stage is Stage.REVIEW else hint(stage))


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
    return SetCanvasField(dp, field, _text(stage, m["value"], field.value))


_PARSERS = {
    Stage.EVENTS: _event,
    Stage.FLOW: _flow,
    Stage.AGGREGATES: _aggregate,
    Stage.DECISIONS: _decision,
    Stage.OPPORTUNITIES: _opportunity,
    Stage.PORTS: _port,
    Stage.CONSUMERS: _consumer,
    Stage.CANVASES: _canvas,
}
