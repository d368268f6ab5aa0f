"""The Add modal of each stage and its inputs; reading every submitted form: an Add form back
into lines of the contribution grammar (SPEC §3), a review fix form into its `Fix`, an import
form into what each colour stands for.

Every form also keeps the free-text box (`Block.LINE`, several lines at once); errors the
board check finds after submission are shown there, input errors at their own input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import BaseModel

from dpflow.domain import guide
from dpflow.domain.errors import GrammarError
from dpflow.domain.grammar import FORMS, format_line, parse_line, split_lines
from dpflow.domain.importing import Kind
from dpflow.domain.lines import (
    AddConsumer,
    AddDecision,
    AddOpportunity,
    AddPort,
    Aggregate,
    Line,
    SetCanvasField,
    SetFlow,
)
from dpflow.domain.model import Board, CanvasField, Mode, Stage
from dpflow.services.review import Fix
from dpflow.slack.blocks.kit import context, section
from dpflow.slack.blocks.stage import title
from dpflow.slack.ids import Block, Callback
from dpflow.slack.metadata import AddContext
from dpflow.slack.text import clip, esc, plain

STATIC_OPTIONS = 100  # Slack's limit; a longer list becomes an external_select


# --- what a select offers ----------------------------------------------------------------


def _events(board: Board, first: Callable) -> list[tuple[str, str]]:
    events = sorted(board.events, key=lambda e: not first(e))  # stable: timeline order kept
    return [(e.ref, e.text) for e in events]


def _decisions(board: Board, first: Callable) -> list[tuple[str, str]]:
    return [(d.ref, d.text) for d in sorted(board.decisions, key=lambda d: not first(d))]


def choices(board: Board, stage: Stage, block: str) -> list[tuple[str, str]]:
    """(ref, label) a select offers, what still needs work first."""
    match block:
        case Block.EVENT if stage is Stage.FLOW:
            return _events(board, lambda e: not (e.command or e.actor or e.system or e.trigger))
        case Block.EVENT:
            decided = board.events_with_decisions()
            return _events(board, lambda e: e.ref not in decided)
        case Block.EVENTS:
            return _events(board, lambda e: not e.data_product)
        case Block.DECISION:
            seen = board.decisions_with_opportunities()
            return _decisions(board, lambda d: d.ref not in seen)
        case Block.SUPPORTS:
            supported = board.supported_decisions()
            return _decisions(board, lambda d: d.ref not in supported)
        case Block.PRODUCT:
            return [(p.ref, f"{p.name} ({p.kind})") for p in board.data_products]
        case Block.READS:
            return [(p.ref, f"{p.name} (on {p.data_product})") for p in board.ports]
    return []


def option(ref: str, label: str) -> dict:
    return {"text": {"type": "plain_text", "text": clip(plain(f"{ref} {label}"), 75)},
            "value": ref}


def options(board: Board, stage: Stage, block: str, query: str) -> list[dict]:
    """What an external_select shows for what the person typed so far."""
    query = query.strip().casefold()
    found = [option(ref, label) for ref, label in choices(board, stage, block)
             if query in f"{ref} {label}".casefold()]
    return found[:STATIC_OPTIONS]


# --- inputs ------------------------------------------------------------------------------


def _input(block: Block, label: str, element: dict, hint: str | None = None,
           optional: bool = True) -> dict:
    element["action_id"] = block.value
    block_json = {"type": "input", "block_id": block.value, "optional": optional,
                  "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        block_json["hint"] = {"type": "plain_text", "text": clip(hint, 150)}
    return block_json


def _text(block: Block, label: str, hint: str | None = None, multiline: bool = False,
          optional: bool = True) -> dict:
    return _input(block, label, {"type": "plain_text_input", "multiline": multiline,
                                 "max_length": 3000 if multiline else 300}, hint, optional)


def _select(board: Board, stage: Stage, block: Block, label: str, multi: bool = False,
            hint: str | None = None) -> dict:
    found = choices(board, stage, block)
    if not found:
        return section(f"*{label}*: none on the board yet.")
    kind = "multi_" if multi else ""
    placeholder = {"type": "plain_text", "text": "Choose…"}
    if len(found) > STATIC_OPTIONS:
        element = {"type": f"{kind}external_select", "min_query_length": 0,
                   "placeholder": placeholder}
    else:
        element = {"type": f"{kind}static_select", "placeholder": placeholder,
                   "options": [option(*c) for c in found]}
    return _input(block, label, element, hint)


def _static(block: Block, label: str, values: list[str], radio: bool = False) -> dict:
    opts = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values]
    element = ({"type": "radio_buttons", "options": opts} if radio else
               {"type": "static_select", "options": opts,
                "placeholder": {"type": "plain_text", "text": "Choose…"}})
    return _input(block, label, element)


def _lines(stage: Stage, optional: bool = True) -> dict:
    label = "One per line" if not optional else "Or type several, one per line"
    return _text(Block.LINE, label, f"Form: {FORMS[stage]}", multiline=True,
                 optional=optional)


# --- one builder per stage ---------------------------------------------------------------


def _events_inputs(board: Board) -> list[dict]:
    return [_lines(Stage.EVENTS, optional=False)]


def _flow_inputs(board: Board) -> list[dict]:
    return [_select(board, Stage.FLOW, Block.EVENT, "Event",
                    hint="Events without command, actor, system or trigger come first"),
            _text(Block.COMMAND, "Command or action"), _text(Block.ACTOR, "Actor"),
            _text(Block.SYSTEM, "System"), _text(Block.TRIGGER, "Trigger"),
            _lines(Stage.FLOW)]


def _aggregates_inputs(board: Board) -> list[dict]:
    return [_text(Block.NAME, "Aggregate (data product) name",
                  "A name already on the board adds these events to it"),
            _select(board, Stage.AGGREGATES, Block.EVENTS, "Its events", multi=True,
                    hint="Events in no aggregate come first"),
            _lines(Stage.AGGREGATES)]


def _decisions_inputs(board: Board) -> list[dict]:
    return [_select(board, Stage.DECISIONS, Block.EVENT, "Event",
                    hint="Leave empty for a brand-new business decision"),
            _text(Block.TEXT, "Decision"), _lines(Stage.DECISIONS)]


def _opportunities_inputs(board: Board) -> list[dict]:
    return [_select(board, Stage.OPPORTUNITIES, Block.DECISION, "Decision",
                    hint="Not needed for a new data-driven idea"),
            _static(Block.MODE, "Opportunity", [m.value for m in Mode], radio=True),
            _text(Block.TEXT, "How, or the idea"), _lines(Stage.OPPORTUNITIES)]


def _ports_inputs(board: Board) -> list[dict]:
    return [_select(board, Stage.PORTS, Block.PRODUCT, "Data product"),
            _text(Block.TEXT, "Output port name", "In the domain's language, not a table name"),
            _select(board, Stage.PORTS, Block.SUPPORTS, "Supports the decisions", multi=True),
            _lines(Stage.PORTS)]


def _consumers_inputs(board: Board) -> list[dict]:
    return [_text(Block.NAME, "Consumer-aligned data product",
                  "A name already on the board adds this port to it"),
            _text(Block.TEXT, "Output port name"),
            _select(board, Stage.CONSUMERS, Block.SUPPORTS, "Supports the decisions",
                    multi=True),
            _select(board, Stage.CONSUMERS, Block.READS, "Reads the ports", multi=True),
            _lines(Stage.CONSUMERS)]


def _canvases_inputs(board: Board) -> list[dict]:
    return [_select(board, Stage.CANVASES, Block.PRODUCT, "Data product"),
            _static(Block.FIELD, "Canvas field", [f.value for f in CanvasField]),
            _text(Block.TEXT, "Value"), _lines(Stage.CANVASES)]


INPUTS: dict[Stage, Callable[[Board], list[dict]]] = {
    Stage.EVENTS: _events_inputs, Stage.FLOW: _flow_inputs,
    Stage.AGGREGATES: _aggregates_inputs, Stage.DECISIONS: _decisions_inputs,
    Stage.OPPORTUNITIES: _opportunities_inputs, Stage.PORTS: _ports_inputs,
    Stage.CONSUMERS: _consumers_inputs, Stage.CANVASES: _canvases_inputs,
}


def add_form(board: Board, ctx: AddContext) -> dict:
    stage = ctx.stage
    return {
        "type": "modal", "callback_id": Callback.ADD_FORM,
        "title": {"type": "plain_text", "text": clip(f"Add · {stage}", 24)},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": ctx.dump(),
        "blocks": [
            section(f"*{title(stage)}*\n{guide.what_to_add(stage)}"),
            *INPUTS[stage](board),
            context(f"For example: `{esc(guide.example(board, stage) or FORMS[stage])}`"),
        ],
    }


# --- reading a submission ----------------------------------------------------------------


class Missing(Exception):
    def __init__(self, block: Block, message: str):
        super().__init__(message)
        self.block, self.message = block, message


def _need(value, block: Block, message: str):
    if not value:
        raise Missing(block, message)
    return value


class StageForm(BaseModel):
    """The values of one submitted form, by input (block id without `dpflow_`)."""

    first: ClassVar[Block] = Block.LINE  # where "nothing filled in" is said
    main: ClassVar[Block] = Block.TEXT  # where a line that does not parse is explained

    line: str | None = None

    def item(self) -> Line | None:
        """The one contribution the form's inputs make, None when they are all empty."""
        return None

    def contribution(self, stage: Stage) -> str:
        lines = split_lines(self.line or "")
        item = self.item()
        if item is not None:
            typed = format_line(item)
            try:
                parse_line(stage, typed)
            except GrammarError as e:
                raise Missing(self.main, e.message) from None
            lines.insert(0, typed)
        return "\n".join(_need(lines, self.first, "Fill in the form, or type a line."))


class EventsForm(StageForm):
    main: ClassVar[Block] = Block.LINE


class FlowForm(StageForm):
    first: ClassVar[Block] = Block.EVENT
    main: ClassVar[Block] = Block.COMMAND

    event: str | None = None
    command: str | None = None
    actor: str | None = None
    system: str | None = None
    trigger: str | None = None

    def item(self) -> SetFlow | None:
        parts = {k: v for k in ("command", "actor", "system", "trigger")
                 if (v := getattr(self, k))}
        if self.event is None and not parts:
            return None
        return SetFlow(_need(self.event, Block.EVENT, "Choose the event."), **parts)


class AggregatesForm(StageForm):
    first: ClassVar[Block] = Block.NAME
    main: ClassVar[Block] = Block.NAME

    name: str | None = None
    events: list[str] = []

    def item(self) -> Aggregate | None:
        if not (self.name or self.events):
            return None
        return Aggregate(_need(self.name, Block.NAME, "Name the aggregate."),
                         tuple(_need(self.events, Block.EVENTS, "Choose its events.")))


class DecisionsForm(StageForm):
    first: ClassVar[Block] = Block.TEXT

    event: str | None = None
    text: str | None = None

    def item(self) -> AddDecision | None:
        if not (self.event or self.text):
            return None
        return AddDecision(_need(self.text, Block.TEXT, "Say the decision."), self.event)


class OpportunitiesForm(StageForm):
    first: ClassVar[Block] = Block.MODE

    decision: str | None = None
    mode: Mode | None = None
    text: str | None = None

    def item(self) -> AddOpportunity | None:
        if not (self.decision or self.mode or self.text):
            return None
        mode = _need(self.mode, Block.MODE, "Choose automate, suggest or idea.")
        decision = None if mode is Mode.IDEA else _need(
            self.decision, Block.DECISION, "Choose the decision, or choose idea.")
        return AddOpportunity(mode, _need(self.text, Block.TEXT, "Say how."), decision)


class PortsForm(StageForm):
    first: ClassVar[Block] = Block.PRODUCT

    product: str | None = None
    text: str | None = None
    supports: list[str] = []

    def item(self) -> AddPort | None:
        if not (self.product or self.text or self.supports):
            return None
        return AddPort(_need(self.product, Block.PRODUCT, "Choose the data product."),
                       _need(self.text, Block.TEXT, "Name the output port."),
                       tuple(self.supports))


class ConsumersForm(StageForm):
    first: ClassVar[Block] = Block.NAME

    name: str | None = None
    text: str | None = None
    supports: list[str] = []
    reads: list[str] = []

    def item(self) -> AddConsumer | None:
        if not (self.name or self.text or self.supports or self.reads):
            return None
        return AddConsumer(_need(self.name, Block.NAME, "Name the data product."),
                           _need(self.text, Block.TEXT, "Name its output port."),
                           tuple(self.supports), tuple(self.reads))


class CanvasesForm(StageForm):
    first: ClassVar[Block] = Block.PRODUCT

    product: str | None = None
    field: CanvasField | None = None
    text: str | None = None

    def item(self) -> SetCanvasField | None:
        if not (self.product or self.field or self.text):
            return None
        return SetCanvasField(_need(self.product, Block.PRODUCT, "Choose the data product."),
                              _need(self.field, Block.FIELD, "Choose the field."),
                              _need(self.text, Block.TEXT, "Give the value."))


READERS: dict[Stage, type[StageForm]] = {
    Stage.EVENTS: EventsForm, Stage.FLOW: FlowForm, Stage.AGGREGATES: AggregatesForm,
    Stage.DECISIONS: DecisionsForm, Stage.OPPORTUNITIES: OpportunitiesForm,
    Stage.PORTS: PortsForm, Stage.CONSUMERS: ConsumersForm, Stage.CANVASES: CanvasesForm,
}


@dataclass(frozen=True)
class Submission:
    ctx: AddContext
    text: str  # lines of the grammar, one contribution each
    errors: dict[str, str] = field(default_factory=dict)  # block id → what is wrong


def read_form(view: dict) -> Submission:
    """The one place that reads `view.state.values`: the lines, or the inline errors."""
    ctx = AddContext.read(view["private_metadata"])
    form = READERS[ctx.stage].model_validate(_values(view))
    try:
        return Submission(ctx, form.contribution(ctx.stage))
    except Missing as e:
        shown = {b.get("block_id") for b in view.get("blocks") or []}
        block = e.block.value if e.block.value in shown else Block.LINE.value
        return Submission(ctx, "", {block: plain(e.message)[:2000]})


@dataclass(frozen=True)
class ImportForm:
    mapping: dict[str, Kind]
    name: str | None  # the new workshop's
    domain: str | None


def read_import_form(view: dict, colours: list[str]) -> ImportForm:
    """What each colour stands for (one select per colour, in this order), and the new
    workshop's name and domain where the form asks for them."""
    values = _values(view)
    kinds = {k.value: k for k in Kind}
    select = Block.COLOUR.removeprefix("dpflow_")
    mapping = {colour: kinds.get(values.get(f"{select}_{i}") or "", Kind.SKIP)
               for i, colour in enumerate(colours)}
    return ImportForm(mapping, values.get("name"), values.get("domain"))


def read_fix(view: dict) -> Fix:
    """What a review fix form sent, whichever of these inputs it had."""
    values = _values(view)
    return Fix(text=values.get("line") or "", product=values.get("product"),
               decisions=tuple(values.get("supports") or ()))


def _values(view: dict) -> dict:
    values = {}
    for block_id, inputs in view["state"]["values"].items():
        for state in inputs.values():
            name = block_id.removeprefix("dpflow_")
            values[name] = _value(state)
    return values


def _value(state: dict):
    if "selected_options" in state:
        return [o["value"] for o in state["selected_options"] or []]
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value")
    return (state.get("value") or "").strip() or None
