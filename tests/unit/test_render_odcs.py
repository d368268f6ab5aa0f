"""One ODCS v3.1.0 contract per output port, valid against Bitol's published schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from dpflow.render.export import stable_id, to_odps
from dpflow.render.odcs import to_contracts
from tests.boards import hostile_board, sample_board

SCHEMA = Path(__file__).parents[1] / "schemas" / "odcs-json-schema-v3.1.0.json"
VALIDATOR = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))


def contracts(board) -> dict[str, dict]:
    return {name: yaml.safe_load(text) for name, text in to_contracts(board).items()}


def test_every_contract_validates_against_the_published_schema():
    for board in (sample_board(), hostile_board()):
        documents = contracts(board)
        assert len(documents) == len(board.ports)
        for name, document in documents.items():
            assert name.endswith(".odcs.yaml")
            assert list(VALIDATOR.iter_errors(document)) == [], name


def test_a_contract_names_the_port_its_product_owner_decisions_and_terms():
    board = sample_board()
    p1 = contracts(board)["P1-orders-by-delivery-address.odcs.yaml"]
    assert p1["apiVersion"] == "v3.1.0" and p1["kind"] == "DataContract"
    assert p1["name"] == "Orders by delivery address" and p1["domain"] == "Online shop"
    assert p1["id"] == stable_id(board, "P1")
    odps_orders = next(yaml.safe_load_all(to_odps(board)))
    assert odps_orders["outputPorts"][0]["contractId"] == p1["id"]  # ODPS points at it
    assert p1["description"]["purpose"] == "Supports the decisions: D2 Which warehouse ships it?"
    assert p1["description"]["usage"] == ("D2 automated: Pick the warehouse nearest to stock. "
                                          "Read by DP3 Delivery promise.")
    assert p1["team"] == {"name": "Checkout team", "description": "Owns DP1 Orders."}
    assert "Order — a confirmed basket" in p1["schema"][0]["description"]
    properties = {p["property"]: p["value"] for p in p1["customProperties"]}
    assert properties["dataProduct"]["ref"] == "DP1" and properties["dataProductFlowRef"] == "P1"


def test_a_port_without_decisions_or_owner_says_so():
    board = sample_board()
    board.data_products[1].terms.clear()
    p2 = contracts(board)["P2-shipments-with-their-carrier-and-delivery-time.odcs.yaml"]
    assert "team" not in p2
    p4 = contracts(board)["P4-fact-orders.odcs.yaml"]
    assert p4["description"]["purpose"] == "Supports no decision yet."
    assert p4["description"]["usage"] == "Not read by another data product yet."
