"""dpflow/v1 JSON, Markdown and ODPS exports of a small online-shop board."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from dpflow.domain.model import (
    Board,
)
from dpflow.render.export import stable_id, to_document, to_json, to_markdown, to_odps
from tests.boards import sample_board

SCHEMA = Path(__file__).parents[1] / "schemas" / "odps-json-schema-v1.0.0.json"

@pytest.fixture
def board() -> Board:
    return sample_board()


def test_document_has_the_fixed_keys(board):
    document = to_document(board)
    assert list(document)[:7] == ["format", "workshop", "events", "decisions", "opportunities",
                                  "data_products", "findings"]
    assert document["format"] == "dpflow/v1"
    assert document["workshop"] == {"name": "Order fulfilment", "domain": "Online shop",
                                    "team_id": "T1", "channel_id": "C1", "stage": "canvases",
                                    "facilitators": ["U1", "U2"]}
    assert document["events"][1] == {
        "ref": "E2", "text": "Payment captured", "position": 2, "command": "Capture payment",
        "actor": None, "system": "Payment gateway", "trigger": "Order placed",
        "data_product": "DP1"}
    assert document["decisions"][3] == {"ref": "D4", "text": "Offer a loyalty voucher",
                                        "event": None}
    assert [o["mode"] for o in document["opportunities"]] == ["automate", "suggest", "idea"]
    assert document["opportunities"][2]["decision"] is None
    assert document["findings"][1] == {"kind": "table-like-name", "subject": "P4",
                                       "status": "dismissed",
                                       "message": "fact_orders looks like a table name",
                                       "decided_by": None, "decided_at": None}


def test_document_data_products(board):
    dp1, dp2, dp3 = to_document(board)["data_products"]
    assert dp1 == {
        "ref": "DP1", "name": "Orders", "kind": "source-aligned", "owner": "Checkout team",
        "purpose": "The order facts, as the customer placed them",
        "events": ["E1", "E2", "E3"], "systems": ["Web shop", "Payment gateway"],
        "output_ports": [{"ref": "P1", "name": "Orders by delivery address", "supports": ["D2"]},
                         {"ref": "P4", "name": "fact_orders", "supports": []}],
        "reads": []}
    assert dp2["owner"] is None and dp2["purpose"] is None and dp2["systems"] == ["WMS"]
    assert dp3["kind"] == "consumer-aligned" and dp3["events"] == [] and dp3["systems"] == []
    assert dp3["reads"] == ["P1", "P2"]


def test_json_round_trips_and_keeps_unicode(board):
    exported = to_json(board)
    assert json.loads(exported) == to_document(board)
    assert "Order — a" not in exported  # terms are canvas fields, not in the v1 document
    assert "\n  \"workshop\"" in exported
    board.workshop.name = "Auftragsabwicklung für Österreich"
    assert "Österreich" in to_json(board)


def odps_documents(board: Board) -> list[dict]:
    return list(yaml.safe_load_all(to_odps(board)))


def test_odps_validates_against_the_standard(board):
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    documents = odps_documents(board)
    assert len(documents) == 3
    for document in documents:
        validator.validate(document)
    assert to_odps(board).count("---") == 3


def test_odps_fields(board):
    orders, shipments, promise = odps_documents(board)
    assert orders["apiVersion"] == "v1.0.0" and orders["kind"] == "DataProduct"
    assert orders["id"] == stable_id(board, "DP1") == odps_documents(sample_board())[0]["id"]
    assert orders["id"] != shipments["id"]
    assert orders["status"] == "draft" and orders["domain"] == "Online shop"
    assert orders["description"] == {"purpose": "The order facts, as the customer placed them"}
    assert orders["team"]["members"] == [{"username": "Checkout team", "role": "owner"}]
    assert orders["tags"] == ["source-aligned"]
    assert orders["outputPorts"][0]["description"] == "Supports: D2 Which warehouse ships it?"
    assert "team" not in shipments and "description" not in shipments
    assert [p["name"] for p in promise["inputPorts"]] == [
        "Orders by delivery address", "Shipments with their carrier and delivery time"]
    produced_by = {c["property"]: c["value"] for c in promise["inputPorts"][1]["customProperties"]}
    assert produced_by["producedBy"]["ref"] == "DP2"
    assert promise["inputPorts"][0]["contractId"] == orders["outputPorts"][0]["contractId"]


def test_odps_of_a_board_without_data_products_says_so(board):
    board.data_products.clear()
    board.workshop.name = "Order\nfulfilment"
    assert to_odps(board) == ("# Order fulfilment: no data product on the board yet, so no "
                              "ODPS document.\n")
    assert list(yaml.safe_load_all(to_odps(board))) == []


def test_markdown_has_title_contents_and_every_canvas(board):
    markdown = to_markdown(board)
    assert markdown.startswith("# Order fulfilment — Data Product Canvases\n")
    assert "## Contents" in markdown
    assert "- [DP1 · Orders — Data Product Canvas](#dp1--orders--data-product-canvas)" in markdown
    for heading in ("## DP1 · Orders", "## DP2 · Shipments", "## DP3 · Delivery promise"):
        assert heading in markdown
    assert "\n### Purpose\n" in markdown
    assert "None" not in markdown
