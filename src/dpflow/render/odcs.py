"""One Open Data Contract Standard (ODCS) v3.1.0 contract per output port."""

from __future__ import annotations

import yaml

from dpflow.domain.model import Board, DataProduct, Port
from dpflow.render.canvas import SUPPORT
from dpflow.render.export import ODPS_STATUS, VERSION, YAML_DUMPER, stable_id
from dpflow.render.index import BoardIndex
from dpflow.render.text import file_stem

ODCS_VERSION = "v3.1.0"


def contract_filename(port: Port) -> str:
    return f"{port.ref}-{file_stem(port.name)}.odcs.yaml"


def to_contracts(board: Board) -> dict[str, str]:
    """File name → ODCS YAML, one per output port, in port order."""
    index = BoardIndex.of(board)
    return {contract_filename(port): dump(contract(index, port)) for port in board.ports
            if port.data_product in index.products}


def dump(document: dict) -> str:
    return yaml.dump(document, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True,
                     width=100)


def contract(index: BoardIndex, port: Port) -> dict:
    """The port as a data contract: named in the domain's language, its product and owner,
    the decisions it supports as purpose and usage, the product's terms as description."""
    board = index.board
    product = index.products[port.data_product]
    document: dict = {"apiVersion": ODCS_VERSION, "kind": "DataContract",
                      "id": stable_id(board, port.ref), "name": port.name,
                      "version": VERSION, "status": ODPS_STATUS}
    if board.workshop.domain:
        document["domain"] = board.workshop.domain
    document["tags"] = [str(product.kind), "data-product-flow"]
    document["description"] = _description(index, port, product)
    document["schema"] = [{"id": port.ref, "name": port.name, "businessName": port.name,
                           "logicalType": "object", "description": _about(product, port)}]
    if product.owner:
        document["team"] = {"name": product.owner,
                            "description": f"Owns {product.ref} {product.name}."}
    document["customProperties"] = [
        {"property": "dataProductFlowRef", "value": port.ref},
        {"property": "dataProduct", "value": {
            "ref": product.ref, "name": product.name, "alignment": str(product.kind),
            "id": stable_id(board, product.ref)}},
        {"property": "workshop", "value": board.workshop.name},
    ]
    return document


def _description(index: BoardIndex, port: Port, product: DataProduct) -> dict:
    decisions = [index.decisions[d] for d in port.supports if d in index.decisions]
    purpose = ("Supports the decisions: " + "; ".join(f"{d.ref} {d.text}" for d in decisions)
               if decisions else "Supports no decision yet.")
    description: dict = {"purpose": purpose, "usage": _usage(index, port)}
    properties = []
    if decisions:
        properties.append({"property": "supportedDecisions",
                           "value": [{"ref": d.ref, "text": d.text} for d in decisions]})
    if product.terms:
        properties.append({"property": "ubiquitousLanguage", "value": list(product.terms)})
    if properties:
        description["customProperties"] = properties
    return description


def _usage(index: BoardIndex, port: Port) -> str:
    """How each decision will use the data (automated or suggested), and who reads it."""
    uses = [f"{d} {SUPPORT[o.mode]}: {o.text}" for d in port.supports
            for o in index.opportunities_of.get(d, []) if o.mode in SUPPORT]
    readers = index.readers_of.get(port.ref, [])
    read = ("Read by " + ", ".join(f"{r.ref} {r.name}" for r in readers) if readers
            else "Not read by another data product yet")
    return ". ".join([*uses, read]) + "."


def _about(product: DataProduct, port: Port) -> str:
    about = f"{port.name}: an output port of {product.ref} {product.name} ({product.kind})."
    if product.terms:
        about += " Ubiquitous language: " + "; ".join(product.terms) + "."
    return about
