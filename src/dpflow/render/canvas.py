"""One Bounded Context Canvas per data product, in the Markdown subset Slack canvases accept."""

from __future__ import annotations

import re
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from dpflow.domain.model import Alignment, Board, DataProduct, Mode
from dpflow.render import mermaid, text
from dpflow.render.index import BoardIndex

TEMPLATES = {
    Alignment.SOURCE: "source_aligned.md.j2",
    Alignment.CONSUMER: "consumer_aligned.md.j2",
}

SUPPORT = {Mode.AUTOMATE: "automated", Mode.SUGGEST: "suggested"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dpflow.render", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=text.inline, cell=text.cell, code=text.code, decision=text.decision,
                       message=text.message)
    return env


def canvas_title(board: Board, dp_ref: str) -> str:
    product = _product(board.product(dp_ref.upper()), dp_ref)
    return f"{product.ref} · {text.code(product.name)} — Data Product Canvas"


def canvas_filename(product: DataProduct) -> str:
    return f"{product.ref}-{text.file_stem(product.name)}.md"


def render_canvas(board: Board, dp_ref: str, index: BoardIndex | None = None) -> str:
    """The canvas of one data product; pass an index when rendering many from one board."""
    index = index or BoardIndex.of(board)
    product = _product(index.products.get(dp_ref.upper()), dp_ref)
    template = environment().get_template(TEMPLATES[product.kind])
    return _tidy(template.render(canvas_context(index, product)))


def _tidy(markdown: str) -> str:
    """At most one blank line between blocks, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def _product(product: DataProduct | None, dp_ref: str) -> DataProduct:
    if product is None:
        raise KeyError(f"no data product {dp_ref} on this board")
    return product


def canvas_context(index: BoardIndex, product: DataProduct) -> dict:
    """Everything a canvas template shows, as plain values."""
    workshop = index.board.workshop
    events = index.events_of.get(product.ref, [])
    return {
        "title": text.inline(canvas_title(index.board, product.ref)),
        "dp": product,
        "workshop": workshop,
        "events": events,
        "systems": index.systems_of(product.ref),
        "flow_gap": next((e for e in events if not (e.command and e.actor)), None),
        "executive_decisions": [
            d for e in events for d in index.decisions_of.get(e.ref, [])
        ],
        "output_ports": [_port_view(index, p) for p in index.ports_of.get(product.ref, [])],
        "consumers": _consumers(index, product),
        "supported": [decision_view(index, d) for d in index.supported_by(product.ref)],
        "input_ports": _input_ports(index, product),
        "diagrams": _diagrams(index, product, events),
        "findings": _findings(index, product),
    }


def _findings(index: BoardIndex, product: DataProduct) -> list:
    """The review's findings about the product or one of its output ports."""
    about = {product.ref, *(p.ref for p in index.ports_of.get(product.ref, []))}
    return [f for f in index.board.findings if f.subject in about]


def _diagrams(index: BoardIndex, product: DataProduct, events: list) -> list[str]:
    """Mermaid code blocks: the product's event flow, and the products around it."""
    return [mermaid.fenced(d) for d in mermaid.flow_diagrams(events)] + [
        mermaid.fenced(mermaid.map_diagram(index, product.ref))]


def _port_view(index: BoardIndex, port) -> dict:
    decisions = [index.decisions[d] for d in port.supports if d in index.decisions]
    return {"port": port, "decisions": decisions}


def _consumers(index: BoardIndex, product: DataProduct) -> list[dict]:
    reading: dict[str, dict] = {}
    for port in index.ports_of.get(product.ref, []):
        for reader in index.readers_of.get(port.ref, []):
            reading.setdefault(reader.ref, {"dp": reader, "ports": []})["ports"].append(port)
    return list(reading.values())


def decision_view(index: BoardIndex, decision_ref: str) -> dict:
    decision = index.decisions.get(decision_ref)
    opportunities = [
        o for o in index.opportunities_of.get(decision_ref, []) if o.mode in SUPPORT
    ]
    modes = list(dict.fromkeys(SUPPORT[o.mode] for o in opportunities))
    return {
        "ref": decision_ref,
        "text": decision.text if decision else "",
        "support": " and ".join(modes),
        "opportunities": opportunities,
    }


def _input_ports(index: BoardIndex, product: DataProduct) -> list[dict]:
    return [
        {"ref": ref, "port": index.ports.get(ref), "producer": index.producer_of(ref)}
        for ref in dict.fromkeys(product.reads)
    ]
