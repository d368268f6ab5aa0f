"""Canvases, pictures and exports in Slack: posted, re-posted, refused, uploaded."""

from __future__ import annotations

import io
import json
import zipfile

from tests.conftest import ALICE, BOB, CHANNEL, FACILITATOR

STAGES = [
    ("events", ALICE, "Order placed\nPayment captured\nParcel packed\nParcel shipped"),
    ("flow", BOB, "E1: Place order | actor: Customer | system: Web shop\n"
                  "E2: Capture payment | system: Payment gateway | trigger: Order placed\n"
                  "E3: Pack parcel | actor: Packer | system: WMS\n"
                  "E4: Hand over | actor: Carrier | system: WMS"),
    ("aggregates", ALICE, "Orders: E1, E2\nShipments: E3, E4"),
    ("decisions", BOB, "E1: Decide whether to accept the order\n"
                       "E3: Decide which warehouse packs the parcel"),
    ("opportunities", ALICE, "D1 automate: score fraud risk from order history\n"
                             "D2 suggest: propose the nearest warehouse with stock"),
    ("ports", BOB, "DP1: Orders by customer for D1\nDP2: Parcels in transit for D2"),
    ("consumers", ALICE, "new Fraud screening: Risky orders for D1 reads P1"),
]
CANVAS_LINES = ("DP1 owner: Order management team\nDP1 purpose: Keep every order's facts\n"
                "DP1 classification: core, revenue\nDP1 term: Order — what a customer bought\n"
                "DP1 assumption: one payment per order\nDP1 metric: orders per hour\n"
                "DP1 question: do we keep cancelled orders?")


async def storm(w, until: str = "canvases") -> None:
    """A small workshop, every stage by replies, up to (and into) `until`."""
    await w.command("start Order fulfilment domain: Online shop")
    for stage, user, text in STAGES:
        if stage != "events":
            await w.command("next")
        response = await w.driver.reply(CHANNEL, w.stage_thread(stage), text, user=user)
        assert response.status == 200, response.text
        await w.settle()
        if stage == until:
            return
    for _ in ("review", "canvases")[: 1 + (until == "canvases")]:
        await w.command("next")


def summaries(w, thread: str | None = None) -> list[dict]:
    messages = w.state.messages(CHANNEL, thread) if thread else w.state.messages(CHANNEL)
    return [m for m in messages if m.get("text", "").startswith("Canvas of")]


async def test_entering_canvases_posts_a_canvas_per_product(workspace):
    w = workspace
    await storm(w)
    thread = w.stage_thread("canvases")
    canvases = list(w.state.canvases.values())
    assert [c.title for c in canvases] == [
        "DP1 · Orders — Data Product Canvas", "DP2 · Shipments — Data Product Canvas",
        "DP3 · Fraud screening — Data Product Canvas"]
    for canvas in canvases:
        assert canvas.access == [{"access_level": "read", "channel_ids": [CHANNEL],
                                  "user_ids": []}]
    posted = summaries(w, thread)
    assert len(posted) == 3
    first = json.dumps(posted[0]["blocks"])
    assert f"https://example.slack.com/docs/T1/{canvases[0].id}" in first
    assert "P1" in first and "Orders by customer" in first and "source-aligned" in first


async def test_canvases_carry_every_field_that_was_filled(workspace):
    w = workspace
    await storm(w)
    await w.driver.reply(CHANNEL, w.stage_thread("canvases"), CANVAS_LINES, user=BOB)
    await w.settle()
    response = await w.command("canvas DP1")
    assert "DP1 Orders" in json.dumps(response.json)
    markdown = w.state.canvases[next(iter(w.state.canvases))].markdown
    for value in ("Order management team", "Keep every order's facts", "core, revenue",
                  "what a customer bought", "one payment per order", "orders per hour",
                  "do we keep cancelled orders?", "Web shop", "Payment gateway", "Place order",
                  "Customer", "Orders by customer", "D1", "Fraud screening"):
        assert value in markdown, value


async def test_reposting_edits_the_canvas_and_its_summary(workspace):
    w = workspace
    await storm(w)
    await w.driver.reply(CHANNEL, w.stage_thread("canvases"), "DP2 owner: Logistics",
                         user=ALICE)
    await w.command("canvas")
    await w.command("canvas dp2")
    assert len(w.state.canvases) == 3
    dp2 = list(w.state.canvases.values())[1]
    assert "Logistics" in dp2.markdown and len(dp2.edits) == 2
    assert all(e[0]["operation"] == "replace" for e in dp2.edits)
    assert len(w.state.calls_to("canvases.create")) == 3
    posted = summaries(w, w.stage_thread("canvases"))
    assert len(posted) == 3 and "Logistics" in json.dumps(posted[1]["blocks"])
    await w.command("stage canvases")  # re-entering updates again, creates nothing
    assert len(w.state.calls_to("canvases.create")) == 3


async def test_where_slack_refuses_canvases_files_come_and_the_reason_once(workspace):
    w = workspace
    w.slack.refuse_canvases("free_teams_cannot_create_non_channel_canvases")
    await storm(w)
    thread = w.stage_thread("canvases")
    await w.command("canvas")
    replies = w.state.messages(CHANNEL, thread)
    reasons = [m for m in replies if "free_teams_cannot_create_non_channel_canvases"
               in json.dumps(m.get("blocks"))]
    assert len(reasons) == 1
    assert len(summaries(w, thread)) == 3
    assert "Markdown file" in json.dumps(summaries(w, thread)[0]["blocks"])
    files = [f for f in w.state.files.values() if f.filename.endswith(".md")]
    assert [f.filename for f in files[:3]] == ["DP1-orders.md", "DP2-shipments.md",
                                              "DP3-fraud-screening.md"]
    assert all(f.thread_ts == thread and CHANNEL in f.channels for f in files)
    assert b"Orders by customer" in files[0].content
    assert w.state.canvases == {}


async def test_a_failing_slack_is_tried_again_not_taken_for_a_refusal(workspace):
    w = workspace
    w.slack.fail("canvases.create", "internal_error")  # Slack's own failure, once
    await storm(w)
    thread = w.stage_thread("canvases")
    assert w.state.canvases == {}  # the job failed before anything of it was posted
    await w.settle(seconds=15)  # its first retry is due 10 s later
    assert [c.title.split(" —")[0] for c in w.state.canvases.values()] == [
        "DP1 · Orders", "DP2 · Shipments", "DP3 · Fraud screening"]
    assert len(summaries(w, thread)) == 3
    assert "internal_error" not in json.dumps(w.state.messages(CHANNEL, thread))
    assert not [f for f in w.state.files.values() if f.filename.endswith(".md")]


async def test_a_canvas_deleted_in_slack_is_made_again(workspace):
    w = workspace
    await storm(w)
    first = next(iter(w.state.canvases))
    del w.state.canvases[first]  # someone deleted DP1's canvas in Slack
    await w.command("canvas dp1")
    assert len(w.state.canvases) == 3 and first not in w.state.canvases
    remade = list(w.state.canvases.values())[-1]
    assert remade.title.startswith("DP1 · Orders")
    assert remade.access == [{"access_level": "read", "channel_ids": [CHANNEL],
                              "user_ids": []}]
    thread = w.stage_thread("canvases")
    assert len(summaries(w, thread)) == 3
    assert remade.id in json.dumps(summaries(w, thread)[0]["blocks"])
    assert not [f for f in w.state.files.values() if f.filename.endswith(".md")]


async def test_wrong_canvas_refs_are_refused_with_the_form(workspace):
    w = workspace
    await storm(w, until="ports")
    for ref, said in (("DP9", "no data product `DP9`"), ("E1", "E1 is not a data product")):
        response = await w.command(f"canvas {ref}", user=ALICE)
        assert said in response.json["text"] and "/dpflow canvas DP1" in response.json["text"]
    assert w.state.calls_to("canvases.create") == []


def pictures(w) -> list:
    return [f for f in w.state.files.values() if f.filename.endswith(".png")]


async def test_pictures_go_into_the_canvases_thread(workspace):
    w = workspace
    await storm(w)
    thread = w.stage_thread("canvases")
    pngs = pictures(w)
    assert [f.filename for f in pngs] == ["order-fulfilment-board.png",
                                          "order-fulfilment-map.png"]
    assert all(f.thread_ts == thread and f.content.startswith(b"\x89PNG") for f in pngs)
    assert len(w.state.calls_to("files.completeUploadExternal")) == 1
    assert any("data product map" in m["text"] for m in w.state.messages(CHANNEL, thread))


async def test_pictures_follow_the_canvases_and_replace_the_earlier_ones(workspace):
    w = workspace
    await storm(w)
    thread = w.stage_thread("canvases")
    first = {f.id for f in pictures(w)}
    await w.driver.reply(CHANNEL, thread, "DP1 owner: <!here> *Checkout team* "
                         "<https://evil.example|click me>\nDP2 owner: <@UALICE>", user=BOB)
    await w.settle()
    await w.settle(seconds=30)
    assert {f.id for f in pictures(w)} == first  # debounced, for longer than the stage message
    await w.settle(seconds=150)
    redrawn = pictures(w)
    assert len(redrawn) == 2 and not first & {f.id for f in redrawn}
    assert first <= w.state.deleted_files
    shown = [m for m in w.state.messages(CHANNEL, thread) if m.get("files")]
    assert [f["id"] for m in shown for f in m["files"]] == [f.id for f in redrawn]
    comments = [m for m in w.state.messages(CHANNEL, thread) if "data product map" in m["text"]]
    assert len(comments) == 1
    uploads = len(w.state.calls_to("files.completeUploadExternal"))
    await w.command("canvas")  # nothing changed on the board: the same pictures stay
    assert len(w.state.calls_to("files.completeUploadExternal")) == uploads
    for canvas in w.state.canvases.values():
        assert not [m for m in ("<@", "<!", "<http") if m in canvas.markdown]
    assert "@here *Checkout team* click me" in json.dumps(
        [c.markdown for c in w.state.canvases.values()])


async def test_the_closing_summary_carries_the_final_pictures(workspace):
    w = workspace
    await storm(w)
    earlier = {f.id for f in pictures(w)}
    await w.driver.reply(CHANNEL, w.stage_thread("canvases"), "DP3 owner: Risk team", user=BOB)
    await w.command("close", user=FACILITATOR)
    await w.settle(seconds=150)
    closing = w.state.messages(CHANNEL)[-1]
    assert "final pictures" in json.dumps(closing["blocks"])
    final = pictures(w)
    assert len(final) == 2 and all(f.thread_ts == closing["ts"] for f in final)
    assert earlier <= w.state.deleted_files
    dp3 = next(c for c in w.state.canvases.values() if "Fraud screening" in c.title)
    assert "Risk team" in dp3.markdown


async def test_export_comes_by_direct_message_or_to_the_channel(workspace):
    w = workspace
    await storm(w, until="ports")
    response = await w.command("export json", user=BOB)
    assert "direct message" in response.json["text"] or "direct message" in json.dumps(
        response.json)
    dm = w.state.dms[BOB]
    (exported,) = [f for f in w.state.files.values() if dm in f.channels]
    document = json.loads(exported.content)
    assert document["format"] == "dpflow/v1" and len(document["events"]) == 4
    await w.command("export odps --channel")
    (odps,) = [f for f in w.state.files.values() if f.filename.endswith("-odps.yaml")]
    assert odps.channels == [CHANNEL] and b"kind: DataProduct" in odps.content
    bad = await w.command("export pdf")
    assert "json|md|odps|odcs|eventcatalog|html" in bad.json["text"]


async def test_folder_exports_come_zipped_and_the_report_names_people(workspace):
    w = workspace
    w.state.users[ALICE]["profile"]["display_name"] = "Alice <@UBOB>"
    await storm(w, until="ports")
    await w.command("export eventcatalog", user=BOB)
    await w.command("export odcs", user=BOB)
    await w.command("export report channel")
    files = {f.filename: f for f in w.state.files.values()}
    catalog = zipfile.ZipFile(io.BytesIO(files["order-fulfilment-eventcatalog.zip"].content))
    assert "order-fulfilment-eventcatalog/domains/online-shop/index.mdx" in catalog.namelist()
    contracts = zipfile.ZipFile(io.BytesIO(files["order-fulfilment-odcs.zip"].content))
    assert contracts.namelist() == ["order-fulfilment-odcs/P1-orders-by-customer.odcs.yaml",
                                    "order-fulfilment-odcs/P2-parcels-in-transit.odcs.yaml"]
    assert files["order-fulfilment-odcs.zip"].channels == [w.state.dms[BOB]]
    report = files["order-fulfilment-report.html"]
    assert report.channels == [CHANNEL]
    html = report.content.decode()
    assert "Alice &lt;@UBOB&gt;" in html and "<@" not in html
    assert "one-page HTML report" in report.initial_comment


async def test_an_export_that_would_be_empty_says_why(workspace):
    w = workspace
    await w.command("start Order fulfilment")
    answer = await w.command("export odcs", user=BOB)
    assert "no output port on the board yet" in answer.json["text"] + json.dumps(answer.json)
    assert not w.state.files


async def test_the_closing_summary_links_every_canvas(workspace):
    w = workspace
    await storm(w)
    await w.command("close", user=FACILITATOR)
    closing = w.state.messages(CHANNEL)[-1]
    text = json.dumps(closing["blocks"])
    for canvas in w.state.canvases.values():
        assert f"https://example.slack.com/docs/T1/{canvas.id}" in text
