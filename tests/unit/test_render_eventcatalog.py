"""The EventCatalog folder's layout and frontmatter (EventCatalog's own tools check it in
tests/integration/test_eventcatalog_tools.py)."""

from __future__ import annotations

import re

import yaml

from dpflow.render.eventcatalog import mdx, to_eventcatalog
from tests.boards import hostile_board, sample_board

ROOT = "domains/online-shop"


def frontmatter(page: str) -> dict:
    return yaml.safe_load(page.split("---\n")[1])


def test_the_folder_has_domain_services_events_products_ports_contracts_and_teams():
    files = to_eventcatalog(sample_board())
    for path in (f"{ROOT}/index.mdx", f"{ROOT}/ubiquitous-language.mdx",
                 f"{ROOT}/services/wms/index.mdx",
                 f"{ROOT}/services/wms/events/parcel-shipped/index.mdx",
                 f"{ROOT}/events/parcel-delivered/index.mdx",  # no system: in the domain
                 f"{ROOT}/data-products/orders/index.mdx",
                 f"{ROOT}/data-products/orders/contracts/P1-orders-by-delivery-address.odcs.yaml",
                 f"{ROOT}/containers/orders-by-delivery-address/index.mdx",
                 "teams/checkout-team.mdx", "teams/order-fulfilment-workshop.mdx"):
        assert path in files, path
    orders = frontmatter(files[f"{ROOT}/data-products/orders/index.mdx"])
    assert orders["inputs"] == [{"id": "order-placed"}, {"id": "payment-captured"},
                                {"id": "order-confirmed"}]
    assert orders["outputs"][0] == {"id": "orders-by-delivery-address", "contract": {
        "path": "contracts/P1-orders-by-delivery-address.odcs.yaml",
        "name": "P1 Orders by delivery address", "type": "odcs"}}
    assert orders["owners"] == ["checkout-team"]
    shipments = frontmatter(files[f"{ROOT}/data-products/shipments/index.mdx"])
    assert shipments["owners"] == ["order-fulfilment-workshop"]
    assert {"content": "Owner not set", "backgroundColor": "red", "textColor": "red"} in \
        shipments["badges"]


def test_decisions_reach_the_outputs_and_the_product_page():
    files = to_eventcatalog(sample_board())
    port = files[f"{ROOT}/containers/orders-by-delivery-address/index.mdx"]
    assert frontmatter(port)["summary"] == ("Output port of Orders, supports D2 Which "
                                            "warehouse ships it?")
    assert "- **D2** Which warehouse ships it? — automated: Pick the warehouse nearest to " \
           "stock (O1)" in port
    page = files[f"{ROOT}/data-products/delivery-promise/index.mdx"]
    assert "- Supports **D3** Which carrier, by cost \\| speed?" in page
    assert "```mermaid\nflowchart LR" in page and "<NodeGraph />" in page


def test_ids_are_unique_and_plain_whatever_the_names():
    files = to_eventcatalog(hostile_board())
    ids = [frontmatter(text)["id"] for path, text in files.items() if path.endswith(".mdx")
           and "ubiquitous" not in path]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    assert any(path.endswith("data-products/versand/index.mdx") for path in files)


def test_user_text_cannot_open_mdx_expressions_jsx_or_markup():
    assert mdx("{x} <b> & `c` *d* [e](f) |") == (
        "&#123;x&#125; &#60;b&#62; &#38; \\`c\\` \\*d\\* \\[e\\](f) \\|")
    assert mdx("1. first") == "1\\. first" and mdx("- item") == "\\- item"
    for path, text in to_eventcatalog(hostile_board()).items():
        if path.endswith(".mdx"):
            body = re.sub(r"```mermaid\n.*?```", "", text.split("---\n", 2)[2], flags=re.S)
            assert "<script" not in body and "{props}" not in body, path
