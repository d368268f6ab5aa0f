"""The EventCatalog folder checked by EventCatalog's own tools: its linter passes, its SDK
reads back every data product with inputs, outputs and owners, and every page compiles as
MDX. Needs Node.js and npm (the tools are installed once into .cache/node)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dpflow.domain.model import Board
from dpflow.render.eventcatalog import to_eventcatalog
from dpflow.services.exports import write
from tests.boards import hostile_board, sample_board
from tests.node_tools import lint, needs_node, read_back

pytestmark = needs_node
WARNINGS_WE_EXPECT = {"best-practices/schema-required", "refs/orphan-messages"}


def exported(board: Board, folder: Path) -> Path:
    write(to_eventcatalog(board), folder)
    return folder


@pytest.mark.parametrize("make", [sample_board, hostile_board], ids=["shop", "hostile"])
def test_the_linter_passes(make, tmp_path):
    done = lint(exported(make(), tmp_path / "catalog"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stdout
    warned = set(re.findall(r"\((\S+/\S+)\)$", done.stdout, re.MULTILINE))
    assert warned <= WARNINGS_WE_EXPECT, done.stdout  # events have no payload schema


@pytest.mark.parametrize("make", [sample_board, hostile_board], ids=["shop", "hostile"])
def test_the_sdk_reads_back_every_data_product(make, tmp_path):
    board = make()
    catalog = read_back(exported(board, tmp_path / "catalog"))
    assert catalog["mdxErrors"] == []
    products = {p["name"]: p for p in catalog["dataProducts"]}
    assert sorted(products) == sorted(" ".join(p.name.split()) for p in board.data_products)
    containers = {c["id"]: c["name"] for c in catalog["containers"]}
    events = {e["id"]: e["name"] for e in catalog["events"]}
    teams = {t["id"]: t["name"] for t in catalog["teams"]}
    for product in board.data_products:
        read = products[" ".join(product.name.split())]
        ports = [p for p in board.ports if p.data_product == product.ref]
        assert [containers[o["id"]] for o in read["outputs"]] == [
            " ".join(p.name.split()) for p in ports]
        assert all(o["contract"]["type"] == "odcs" for o in read["outputs"])
        inputs = [events.get(i["id"]) or containers[i["id"]] for i in read.get("inputs", [])]
        aggregate = [" ".join(e.text.split()) for e in board.events
                     if e.data_product == product.ref]
        reads = [" ".join(board.card(r).name.split()) for r in product.reads]
        assert inputs == aggregate + reads
        owner = " ".join(product.owner.split()) if product.owner else \
            " ".join(f"{board.workshop.name} workshop".split())
        assert [teams[t] for t in read["owners"]] == [owner]


def test_the_domain_holds_services_products_and_its_language(tmp_path):
    board = sample_board()
    catalog = read_back(exported(board, tmp_path / "catalog"))
    (domain,) = catalog["domains"]
    assert domain["name"] == "Online shop"
    assert {s["id"] for s in domain["services"]} == {s["id"] for s in catalog["services"]}
    assert len(domain["data-products"]) == len(board.data_products)
    sends = {s["name"]: [m["id"] for m in s["sends"]] for s in catalog["services"]}
    assert sends["WMS"] == ["stock-reserved", "parcel-packed", "parcel-shipped"]
    assert catalog["language"]["online-shop"]["dictionary"] == [
        {"id": "order", "name": "Order", "summary": "a confirmed basket",
         "description": "From the canvas of DP1 Orders."}]
