"""The board as documents: dpflow/v1 JSON, Markdown canvases, Open Data Product Standard YAML."""

from __future__ import annotations

import json
import uuid

import yaml

from dpflow.domain.model import Board, DataProduct, Port
from dpflow.render import mermaid, text
from dpflow.render.canvas import canvas_title, render_canvas
from dpflow.render.index import BoardIndex

FORMAT = "dpflow/v1"
ODPS_VERSION = "v1.0.0"
ODPS_STATUS = "draft"
VERSION = "0.1.0"
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def to_document(board: Board) -> dict:
    """The `export json` document of SPEC §6."""
    index = BoardIndex.of(board)
    w = board.workshop
    return {
        "format": FORMAT,
        "workshop": {"name": w.name, "domain": w.domain, "team_id": w.team_id,
                     "channel_id": w.channel_id, "stage": str(w.stage),
                     "facilitators": list(w.facilitators)},
        "events": [{"ref": e.ref, "text": e.text, "position": e.position, "command": e.command,
                    "actor": e.actor, "system": e.system, "trigger": e.trigger,
                    "data_product": e.data_product} for e in board.events],
        "decisions": [{"ref": d.ref, "text": d.text, "event": d.event} for d in board.decisions],
        "opportunities": [{"ref": o.ref, "decision": o.decision, "mode": str(o.mode),
                           "text": o.text} for o in board.opportunities],
        "data_products": [_product_document(index, p) for p in board.data_products],
        "findings": [{"kind": str(f.kind), "subject": f.subject, "status": str(f.status),
                      "message": f.message, "decided_by": f.decided_by,
                      "decided_at": f.decided_at.isoformat() if f.decided_at else None}
                     for f in board.findings],
    }


def _product_document(index: BoardIndex, product: DataProduct) -> dict:
    return {
        "ref": product.ref, "name": product.name, "kind": str(product.kind),
        "owner": product.owner, "purpose": product.purpose,
        "events": [e.ref for e in index.events_of.get(product.ref, [])],
        "systems": index.systems_of(product.ref),
        "output_ports": [{"ref": p.ref, "name": p.name, "supports": list(p.supports)}
                         for p in index.ports_of.get(product.ref, [])],
        "reads": list(product.reads),
    }


def to_json(board: Board) -> str:
    return json.dumps(to_document(board), indent=2, ensure_ascii=False)


def to_markdown(board: Board) -> str:
    """All canvases in one document, with a title and a table of contents."""
    index = BoardIndex.of(board)
    titles = [canvas_title(board, p.ref) for p in board.data_products]
    anchors = _anchors(titles)
    lines = [f"# {text.inline(board.workshop.name)} — Data Product Canvases", ""]
    lines += _summary(board)
    lines += _diagrams(index)
    lines += ["## Contents", ""]
    lines += [f"- [{title}](#{anchor})" for title, anchor in zip(titles, anchors, strict=True)]
    lines += [""] if titles else ["_No data product on the board yet._"]
    for product in board.data_products:
        lines.append(_demoted(render_canvas(board, product.ref, index)))
    return "\n".join(lines).rstrip() + "\n"


def _summary(board: Board) -> list[str]:
    w = board.workshop
    domain = f"Domain: **{text.inline(w.domain)}** · " if w.domain else ""
    return [f"{domain}Stage: **{w.stage}** · {len(board.events)} events · "
            f"{len(board.decisions)} decisions · {len(board.data_products)} data products", ""]


def _diagrams(index: BoardIndex) -> list[str]:
    board = index.board
    flows = [mermaid.fenced(d) for d in mermaid.flow_diagrams(board.events)]
    lines = ["## Event flow", "", "Events in timeline order, each with its trigger, actor, "
             "command and system.", ""]
    lines += flows or ["_No event on the board yet._", ""]
    lines += ["## Data product map", "", "Data products, their output ports with the decisions "
              "they support, and who reads which port.", ""]
    lines += [mermaid.fenced(mermaid.map_diagram(index))] if board.data_products else [
        "_No data product on the board yet._", ""]
    return lines


def _anchors(titles: list[str]) -> list[str]:
    """Heading anchors as Markdown viewers number repeated ones."""
    seen: dict[str, int] = {}
    anchors = []
    for title in titles:
        base = text.slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchors.append(f"{base}-{count}" if count else base)
    return anchors


def _demoted(canvas: str) -> str:
    """A canvas one heading level down, to sit under the document's title."""
    return "\n".join("#" + line if line.startswith("#") else line for line in canvas.split("\n"))


def to_odps(board: Board) -> str:
    """One Open Data Product Standard v1.0.0 YAML document per data product."""
    if not board.data_products:  # an empty stream would be an empty file: say why instead
        return (f"# {' '.join(board.workshop.name.split())}: no data product on the board "
                "yet, so no ODPS document.\n")
    index = BoardIndex.of(board)
    documents = [_odps_product(index, p) for p in board.data_products]
    return yaml.dump_all(documents, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True,
                         explicit_start=True, width=100)


def stable_id(board: Board, ref: str) -> str:
    """The same UUID for the same card of the same workshop, export after export."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dpflow:{board.workshop.id}/{ref}"))


def _odps_product(index: BoardIndex, product: DataProduct) -> dict:
    board = index.board
    document: dict = {"apiVersion": ODPS_VERSION, "kind": "DataProduct",
                      "id": stable_id(board, product.ref), "name": product.name,
                      "version": VERSION, "status": ODPS_STATUS}
    if board.workshop.domain:
        document["domain"] = board.workshop.domain
    if product.purpose:
        document["description"] = {"purpose": product.purpose}
    document["tags"] = [str(product.kind)]
    document["customProperties"] = _product_properties(index, product)
    inputs = [_odps_input(index, ref) for ref in dict.fromkeys(product.reads)]
    if any(inputs):
        document["inputPorts"] = [i for i in inputs if i]
    outputs = index.ports_of.get(product.ref, [])
    if outputs:
        document["outputPorts"] = [_odps_output(index, p) for p in outputs]
    if product.owner:
        document["team"] = {"name": product.owner,
                            "members": [{"username": product.owner, "role": "owner"}]}
    return document


def _product_properties(index: BoardIndex, product: DataProduct) -> list[dict]:
    properties = {
        "dataProductFlowRef": product.ref,
        "workshop": index.board.workshop.name,
        "alignment": str(product.kind),
        "classification": product.classification,
        "goldenSourceSystems": index.systems_of(product.ref),
        "aggregateEvents": [e.text for e in index.events_of.get(product.ref, [])],
        "ubiquitousLanguage": product.terms,
        "assumptions": product.assumptions,
        "verificationMetrics": product.metrics,
        "openQuestions": product.questions,
    }
    return [{"property": k, "value": v} for k, v in properties.items() if v]


def _odps_output(index: BoardIndex, port: Port) -> dict:
    decisions = [index.decisions[d] for d in port.supports if d in index.decisions]
    output: dict = {"name": port.name, "version": VERSION,
                    "contractId": stable_id(index.board, port.ref)}
    if decisions:
        output["description"] = "Supports: " + "; ".join(f"{d.ref} {d.text}" for d in decisions)
    output["customProperties"] = [{"property": "dataProductFlowRef", "value": port.ref}]
    if decisions:
        output["customProperties"].append({"property": "supportedDecisions",
                                           "value": [{"ref": d.ref, "text": d.text}
                                                     for d in decisions]})
    return output


def _odps_input(index: BoardIndex, port_ref: str) -> dict | None:
    port = index.ports.get(port_ref)
    producer = index.producer_of(port_ref)
    if port is None or producer is None:
        return None
    return {"name": port.name, "version": VERSION,
            "contractId": stable_id(index.board, port.ref),
            "customProperties": [
                {"property": "dataProductFlowRef", "value": port.ref},
                {"property": "producedBy", "value": {"ref": producer.ref, "name": producer.name,
                                                     "id": stable_id(index.board, producer.ref)}},
            ]}
