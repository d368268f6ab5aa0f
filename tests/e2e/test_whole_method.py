"""A complete workshop of an online shop's order fulfilment through all nine stages, over
HTTP against the emulator: replies, commands, the review's buttons, the export."""

from __future__ import annotations

from dpflow.domain.model import FindingKind
from dpflow.slack.ids import Action
from dpflow.slack.metadata import FindingValue
from tests.conftest import CHANNEL, FACILITATOR
from tests.e2e.shop import CANVASES, finding_button, reply_all, run_to_review


async def test_order_fulfilment_from_events_to_canvases(workspace):
    w = workspace
    await run_to_review(w)
    ts, finding = finding_button(w, FindingKind.MIXED_PLANES, "DP1")
    applied = await w.driver.click(FACILITATOR, Action.APPLY_FINDING, channel=CHANNEL,
                                   message_ts=ts, value=FindingValue(finding=finding).dump())
    assert applied.status == 200, applied.text
    await w.settle()
    await w.command("next")
    await reply_all(w, "canvases", CANVASES)
    await w.command("close")

    doc = await w.exported()
    assert doc["workshop"]["stage"] == "canvases"
    events = {e["ref"]: e for e in doc["events"]}
    assert list(events) == [f"E{i}" for i in range(1, 8)]
    flow = ("text", "position", "command", "actor", "system", "trigger", "data_product")
    assert [events["E1"][k] for k in flow] == [
        "Order placed", 1, "Place order", "Customer", "Web shop", "Basket checked out", "DP1"]
    assert [events[e]["data_product"] for e in events] == ["DP1"] * 2 + ["DP2"] * 4 + ["DP3"]
    assert events["E6"]["command"] is None and events["E6"]["system"] == "Carrier portal"
    assert [(d["ref"], d["event"]) for d in doc["decisions"]] == [
        ("D1", "E1"), ("D2", "E3"), ("D3", "E5"), ("D4", "E7"), ("D5", None)]
    assert [(o["ref"], o["decision"], o["mode"]) for o in doc["opportunities"]] == [
        ("O1", "D2", "automate"), ("O2", "D3", "suggest"), ("O3", None, "idea")]

    products = {p["ref"]: p for p in doc["data_products"]}
    assert {ref: (p["name"], p["kind"]) for ref, p in products.items()} == {
        "DP1": ("Orders", "source-aligned"), "DP2": ("Fulfilment", "source-aligned"),
        "DP3": ("Returns", "source-aligned"), "DP4": ("Delivery promise", "consumer-aligned"),
        "DP5": ("Orders decision support", "consumer-aligned")}
    assert products["DP1"]["systems"] == ["Web shop", "Payment gateway"]
    assert products["DP2"]["systems"] == ["WMS", "Carrier portal"]
    assert products["DP1"]["owner"] == "Checkout team"
    assert products["DP2"]["purpose"] == "Stock and parcels as the warehouse sees them"
    ports = {p["ref"]: (p["name"], p["supports"]) for dp in products.values()
             for p in dp["output_ports"]}
    # the mixed-planes fix: D1's support moved off Fulfilment's port onto DP5, which reads it
    assert ports == {"P1": ("Stock per warehouse", ["D2"]), "P2": ("fact_orders", []),
                     "P3": ("Parcels handed to carriers", ["D3"]),
                     "P4": ("Delivery time per region", ["D3"]),
                     "P5": ("Express slots", ["D5"]),
                     "P6": ("Orders decision support", ["D1"])}
    assert products["DP4"]["reads"] == ["P3", "P1"]
    assert products["DP5"]["reads"] == ["P1"]

    findings = {(f["kind"], f["subject"]): f["status"] for f in doc["findings"]}
    assert {kind for kind, _ in findings} == {str(k) for k in FindingKind}
    assert findings[("mixed-planes", "DP1")] == "applied"
    assert findings[("automated-decision", "D2")] == "open"
    assert findings[("consumer-boundary", "DP4")] == "open"
    assert findings[("unsupported-decision", "D4")] == "open"
    assert findings[("unused-port", "P2")] == "open"
    assert findings[("table-like-name", "P2")] == "open"
    assert {s for k, s in findings if k == "no-owner"} == {"DP1", "DP2", "DP3", "DP4", "DP5"}
    assert all(f["message"] for f in doc["findings"])
