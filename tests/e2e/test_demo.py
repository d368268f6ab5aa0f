"""`dpflow demo` writes a whole workshop: transcript, canvases, pictures, exports."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from dpflow.demo import run_demo

SCHEMAS = Path(__file__).parents[1] / "schemas"
SCHEMA = SCHEMAS / "odps-json-schema-v1.0.0.json"


async def test_the_demo_writes_every_output(tmp_path, capsys):
    out = tmp_path / "dpflow-demo"
    assert await run_demo(out) == 0
    progress = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in progress[:9]] == [f"[{n}/9]" for n in range(1, 10)]

    transcript = (out / "transcript.md").read_text()
    for seen in ("Stage 1 of 9 · Events", "Review", "Mixed planes", "Workshop closed",
                 "/docs/T1/", "@maya clicks" if "Apply" in transcript else "Canvases"):
        assert seen in transcript.replace("**", ""), seen
    assert '"type": "section"' not in transcript

    document = json.loads((out / "export.json").read_text())
    assert len(document["events"]) == 10 and all(e["data_product"] for e in document["events"])
    assert all(e["actor"] and e["system"] for e in document["events"])
    assert len(document["decisions"]) == 6 and len(document["opportunities"]) == 6
    kinds = {p["kind"] for p in document["data_products"]}
    assert kinds == {"source-aligned", "consumer-aligned"}
    assert document["findings"] and document["workshop"]["stage"] == "canvases"
    # each owner set in the canvases thread resolved that product's no-owner finding
    resolved = {f["subject"]: f["decided_by"] for f in document["findings"]
                if f["kind"] == "no-owner" and f["status"] == "resolved"}
    assert resolved == {"DP1": "URAVI", "DP2": "ULENA", "DP3": "UKENJI", "DP4": "UKENJI",
                        "DP5": "ULENA"}
    assert "no-owner** — _resolved by lena · " in (out / "canvases" / "DP2-fulfilment.md"
                                                    ).read_text()

    canvases = sorted(p.name for p in (out / "canvases").iterdir())
    assert canvases[:3] == ["DP1-orders.md", "DP2-fulfilment.md", "DP3-shipments.md"]
    assert "Checkout team" in (out / "canvases" / "DP1-orders.md").read_text()
    assert "## " in (out / "export.md").read_text()

    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    products = list(yaml.safe_load_all((out / "export-odps.yaml").read_text()))
    assert len(products) == len(document["data_products"])
    for product in products:
        assert list(validator.iter_errors(product)) == []

    pictures = sorted(p.name for p in (out / "pictures").iterdir())
    # the final pictures only (earlier ones were replaced): one board picture per aggregate,
    # then the consumer-aligned products and new decisions, and the map
    assert pictures == [f"order-fulfilment-board-{i}.png" for i in range(1, 5)] + [
        "order-fulfilment-map.png"]
    assert all((out / "pictures" / p).read_bytes().startswith(b"\x89PNG") for p in pictures)

    assert (out / "workshop.md").read_text() == (out / "export.md").read_text()
    assert "```mermaid\nflowchart LR" in (out / "workshop.md").read_text()
    odcs = jsonschema.Draft201909Validator(json.loads(
        (SCHEMAS / "odcs-json-schema-v3.1.0.json").read_text()))
    contracts = sorted((out / "contracts").iterdir())
    ports = [p for d in document["data_products"] for p in d["output_ports"]]
    assert len(contracts) == len(ports) and contracts[0].name.endswith(".odcs.yaml")
    for contract in contracts:
        assert list(odcs.iter_errors(yaml.safe_load(contract.read_text()))) == []
    catalog = out / "eventcatalog"
    assert len(list(catalog.glob("domains/*/data-products/*/index.mdx"))) == len(products)
    assert len(list(catalog.glob("domains/*/data-products/*/contracts/*.odcs.yaml"))) == \
        len(ports)
    report = (out / "report.html").read_text()
    assert all(p["name"] in report for p in document["data_products"])
    assert "maya" in report and "UMAYA" not in report
