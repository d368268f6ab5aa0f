"""The event flow and the data product map as Mermaid flowcharts, for Markdown viewers
(GitHub, GitLab, Notion) and canvases, where a ```mermaid block renders or stays readable."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from dpflow.domain.model import Alignment, Event
from dpflow.render.drawing import COLOURS
from dpflow.render.index import BoardIndex

EVENTS_PER_DIAGRAM = 40  # Mermaid refuses diagrams over 50,000 characters or 500 edges
CLASSES = ("event", "command", "actor", "system", "trigger", "port", "source-aligned",
           "consumer-aligned")
_NOT_PLAIN = re.compile(r"[^\w .,'!?+=@/-]")


def label(text: object) -> str:
    """User text inside a quoted Mermaid label: whatever is not plain becomes an entity
    (`#35;`), so quotes, brackets, `%%{init}%%`, HTML and markup stay text."""
    return _NOT_PLAIN.sub(lambda m: f"#{ord(m[0])};", " ".join(str(text).split()))


def fenced(diagram: str) -> str:
    return f"```mermaid\n{diagram}```\n"


def _class_defs(kinds: Iterable[str]) -> list[str]:
    return [f"  classDef {_class(k)} fill:#{bytes(COLOURS[k]).hex()},stroke:#555,color:#111"
            for k in kinds]


def _class(kind: str) -> str:
    return kind.replace("-", "")


def flow_diagrams(events: list[Event]) -> list[str]:
    """The timeline of events, each with its trigger, actor, command and system, in parts
    Mermaid can draw."""
    return [_flow(events[start:start + EVENTS_PER_DIAGRAM])
            for start in range(0, len(events), EVENTS_PER_DIAGRAM)]


def _flow(events: list[Event]) -> str:
    lines = ["flowchart LR", *_class_defs(CLASSES[:5])]
    for event in events:
        lines += _event_column(event)
    lines += [f"  {a.ref}_ --> {b.ref}_" for a, b in pairwise(events)]
    return "\n".join(lines) + "\n"


def _event_column(event: Event) -> list[str]:
    """One subgraph per event: trigger and actor above, then command, system, the event."""
    ref = event.ref
    nodes = {
        "trigger": (f"{ref}T", ">", "]", event.trigger),
        "actor": (f"{ref}A", "([", "])", event.actor),
        "command": (f"{ref}C", "[", "]", event.command),
        "system": (f"{ref}S", "[(", ")]", event.system),
        "event": (f"{ref}E", "[", "]", event.text),
    }
    lines = [f'  subgraph {ref}_ [" "]', "    direction TB"]
    placed = {kind: node for kind, node in nodes.items() if node[3]}
    for kind, (node_id, opening, closing, text) in placed.items():
        shown = f"{ref} · {label(text)}" if kind == "event" else label(text)
        lines.append(f'    {node_id}{opening}"{shown}"{closing}:::{_class(kind)}')
    chain = [placed[k][0] for k in ("command", "system", "event") if k in placed]
    if "trigger" in placed:
        lines.append(f"    {placed['trigger'][0]} -.-> {chain[0]}")
    if "actor" in placed:
        lines.append(f"    {placed['actor'][0]} --> {chain[0]}")
    lines += [f"    {a} --> {b}" for a, b in pairwise(chain)]
    lines.append("  end")
    return lines


def map_diagram(index: BoardIndex, focus: str | None = None) -> str:
    """Data products, their output ports (with the decisions they support) and who reads
    them; around `focus`, only the products it reads from or is read by."""
    shown = _around(index, focus) if focus else [p.ref for p in index.board.data_products]
    lines = ["flowchart LR", *_class_defs(CLASSES[5:])]
    for ref in shown:
        product = index.products[ref]
        kind = str(product.kind)
        opening, closing = ("[[", "]]") if product.kind == Alignment.SOURCE else ("{{", "}}")
        lines.append(f'  {ref}{opening}"{ref} · {label(product.name)}<br/>{kind}"'
                     f"{closing}:::{_class(kind)}")
    for ref in shown:
        for port in index.ports_of.get(ref, []):
            readers = [r.ref for r in index.readers_of.get(port.ref, []) if r.ref in shown]
            if focus not in (None, ref) and focus not in readers:
                continue
            supports = f"<br/>for {label(', '.join(port.supports))}" if port.supports else ""
            lines.append(f'  {port.ref}(["{port.ref} · {label(port.name)}{supports}"])'
                         ":::port")
            lines.append(f"  {ref} --> {port.ref}")
            lines += [f"  {port.ref} -->|reads| {reader}" for reader in readers]
    return "\n".join(lines) + "\n"


def _around(index: BoardIndex, dp_ref: str) -> list[str]:
    """A product, the products whose ports it reads and those that read its ports."""
    producers = [index.producer_of(ref) for ref in index.products[dp_ref].reads]
    readers = [r for port in index.ports_of.get(dp_ref, [])
               for r in index.readers_of.get(port.ref, [])]
    return list(dict.fromkeys([dp_ref, *(p.ref for p in producers if p),
                               *(r.ref for r in readers)]))
