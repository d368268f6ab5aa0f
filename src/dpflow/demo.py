"""`dpflow demo`: a whole Data Product Flow workshop against the built-in Slack emulator.

No Slack account, no network: the emulator plays Slack on 127.0.0.1, the real app answers
signed requests, and what the app posted is written to a folder as a readable transcript,
the canvases, the pictures and every export."""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
import time
from pathlib import Path

from dpflow.config import Settings
from dpflow.domain.model import STAGES, Board
from dpflow.render.canvas import canvas_filename, render_canvas
from dpflow.render.formats import FORMATS
from dpflow.render.text import readable as as_people_read
from dpflow.server import running
from dpflow.services.exports import board_of_channel, write
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver
from dpflow.slack.emulator.state import EmulatorState
from dpflow.slack.ids import Action, EventType

CHANNEL = "C0SHOPFLOW"
MAYA, RAVI, LENA, KENJI = "UMAYA", "URAVI", "ULENA", "UKENJI"
PEOPLE = {MAYA: ("maya", "Europe/Berlin"), RAVI: ("ravi", "Asia/Kolkata"),
          LENA: ("lena", "America/New_York"), KENJI: ("kenji", "Asia/Tokyo")}
EXPORTS = {"export.json": "json", "export.md": "md", "workshop.md": "md",
           "export-odps.yaml": "odps", "report.html": "html", "contracts": "odcs",
           "eventcatalog": "eventcatalog"}

# stage → replies in its thread, (person, lines)
STORY: dict[str, list[tuple[str, str]]] = {
    "events": [
        (RAVI, "Order placed\nPayment authorised\nFraud check passed\nOrder confirmed"),
        (LENA, "Stock reserved\nPick list printed\nParcel packed"),
        (KENJI, "Parcel handed to carrier\nParcel delivered\nReturn requested"),
    ],
    "flow": [
        (RAVI, "E1: Place order | actor: Customer | system: Web shop | trigger: Basket checked "
               "out\nE2: Authorise payment | actor: Payment service | system: Payment gateway"
               "\nE3: Check fraud risk | actor: Risk analyst | system: Risk engine | trigger: "
               "Payment authorised\nE4: Confirm order | actor: Order service | system: Web shop"),
        (LENA, "E5: Reserve stock | actor: Warehouse clerk | system: WMS | trigger: Order "
               "confirmed\nE6: Print pick list | actor: Shift lead | system: WMS | trigger: "
               "Every 30 minutes\nE7: Pack parcel | actor: Packer | system: WMS"),
        (KENJI, "E8: Hand over parcel | actor: Carrier | system: Carrier portal\n"
                "E9: Confirm delivery | actor: Carrier | system: Carrier portal\n"
                "E10: Request return | actor: Customer | system: Web shop"),
    ],
    "aggregates": [
        (RAVI, "Orders: E1, E2, E3, E4"),
        (LENA, "Fulfilment: E5, E6, E7"),
        (KENJI, "Shipments: E8, E9, E10"),
    ],
    "decisions": [
        (RAVI, "E1: Decide whether to accept the order\n"
               "E3: Decide whether the order needs a manual fraud review"),
        (LENA, "E5: Decide which warehouse fulfils the order\n"
               "new: Decide how much stock to keep per warehouse"),
        (KENJI, "E8: Decide which carrier ships the parcel\n"
                "E10: Decide whether to refund before the return arrives"),
    ],
    "opportunities": [
        (RAVI, "D2 automate: score fraud risk from past orders and payment signals"),
        (LENA, "D3 suggest: propose the warehouse with stock nearest to the customer\n"
               "D4 suggest: forecast demand per warehouse from order history"),
        (KENJI, "D5 automate: pick the carrier by price and on-time history\n"
                "D6 suggest: show the customer's return history to the agent\n"
                "idea: sell delivery-time insights to marketplace sellers"),
    ],
    "ports": [
        (RAVI, "DP1: Orders by customer for D1, D6\nDP1: Payment outcomes for D2"),
        (LENA, "DP2: Stock by warehouse for D3, D4"),
        (KENJI, "DP3: Carrier performance for D5\nDP3: fact_returns"),
    ],
    "consumers": [
        (RAVI, "new Fraud screening: Order risk scores for D2 reads P1, P2"),
        (LENA, "new Demand planning: Stock forecast per warehouse for D4 reads P3, P1"),
    ],
    "canvases": [
        (RAVI, "DP1 owner: Checkout team\nDP1 purpose: Every order's facts from basket to "
               "confirmation\nDP1 classification: core domain, revenue, custom built\n"
               "DP1 term: Order — what one customer bought in one checkout\n"
               "DP1 metric: orders confirmed per hour"),
        (LENA, "DP2 owner: Warehouse team\nDP2 purpose: Stock and parcels as the warehouse "
               "sees them\nDP2 assumption: one warehouse packs a whole order\n"
               "DP5 owner: Supply planning team\nDP5 purpose: Tell buyers what to restock "
               "where, a week ahead\nDP5 metric: forecast error per warehouse"),
        (KENJI, "DP3 owner: Delivery team\nDP3 question: do we keep parcels lost in transit?"
                "\nDP4 owner: Risk team\nDP4 purpose: Stop fraudulent orders before they "
                "ship\nDP4 term: Risk score — chance an order is fraudulent, 0 to 1"),
    ],
}

# commands people type along the way, after the stage's replies
COMMANDS: dict[str, list[tuple[str, str]]] = {
    "events": [(LENA, "status")],
    "aggregates": [(KENJI, "list products")],
    "consumers": [(RAVI, "canvas DP9")],
    "canvases": [(MAYA, "canvas"), (LENA, "export odps"), (MAYA, "export eventcatalog")],
}


async def run_demo(out: Path) -> int:
    started = time.monotonic()
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # the emulator's requests
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dpflow-demo-") as tmp:
        async with SlackEmulator() as slack:
            for user, (name, tz) in PEOPLE.items():
                slack.state.add_user(user, name, tz=tz)
            slack.state.add_channel(CHANNEL, "shop-order-flow")
            secret = secrets.token_hex(16)
            settings = Settings(slack_bot_token="xoxb-demo", slack_signing_secret=secret,
                                slack_api_url=slack.api_url, port=0,
                                database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
                                dpflow_scheduler_interval=3600)
            async with running(settings, background=False) as app, \
                    SlackDriver(app.url, secret, slack) as driver:
                workshop = Workshop(slack.state, driver, app.scheduler, Transcript(slack.state))
                await workshop.run()
                board = await board_of_channel(app.deps.uows, CHANNEL, slack.state.team_id)
            write_outputs(out, board, slack.state, workshop.transcript)
    print(f"dpflow demo: wrote {out}/ in {time.monotonic() - started:.1f} s — start with "
          f"{out / 'transcript.md'}")
    return 0


class Workshop:
    """The people of the sample workshop, typing in the emulated Slack."""

    def __init__(self, state: EmulatorState, driver: SlackDriver, scheduler,
                 transcript: Transcript) -> None:
        self.state, self.driver, self.scheduler = state, driver, scheduler
        self.transcript = transcript

    async def run(self) -> None:
        self.transcript.heading("Stage 1 · events")
        await self.command(MAYA, "start Order fulfilment domain: Online shop")
        for stage in STAGES:
            if stage != STAGES[0]:
                self.transcript.heading(f"Stage {stage.number} · {stage}")
                await self.command(MAYA, "next")
            thread = self.thread(stage)
            for user, text in STORY.get(stage, []):
                self.transcript.person(user, f"replies in the {stage} thread", text)
                await self.driver.reply(CHANNEL, thread, text, user=user)
                await self.settle()
            if stage == "review":
                await self.apply_a_fix()
            for user, text in COMMANDS.get(stage, []):
                await self.command(user, text)
            print(f"[{stage.number}/{len(STAGES)}] {stage:<13} {self.progress(stage)}")
        self.transcript.heading("Closing")
        await self.command(MAYA, "close")

    async def command(self, user: str, text: str) -> None:
        self.transcript.person(user, "types", f"/dpflow {text}")
        response = await self.driver.command(text, user=user, channel=CHANNEL)
        if response.text:
            answer = response.json
            self.transcript.message(f"dpflow → @{PEOPLE[user][0]} only",
                                    answer.get("blocks"), answer.get("text"))
        await self.settle()

    async def settle(self) -> None:
        await self.scheduler.run_due()
        self.transcript.collect()

    def thread(self, stage: str) -> str:
        message = self.state.find_message_with_metadata(EventType.STAGE_OPENED, CHANNEL,
                                                        stage=stage)
        return message["ts"]

    async def apply_a_fix(self) -> None:
        """Click the first Apply of the review's findings, as a facilitator would."""
        for message in self.state.messages(CHANNEL, self.thread("review")):
            for block in message.get("blocks") or []:
                for element in block.get("elements") or []:
                    if element.get("action_id") == Action.APPLY_FINDING:
                        self.transcript.person(MAYA, "clicks", "Apply")
                        await self.driver.click(MAYA, Action.APPLY_FINDING, channel=CHANNEL,
                                                message_ts=message["ts"],
                                                value=element["value"],
                                                block_id=block.get("block_id", "actions"))
                        await self.settle()
                        return

    def progress(self, stage: str) -> str:
        replies = len(self.state.messages(CHANNEL, self.thread(stage)))
        canvases, files = len(self.state.canvases), len(self.state.files)
        return (f"{replies} messages in its thread" + (
            f", {canvases} canvases, {files} files" if stage == "canvases" else ""))


class Transcript:
    """What appeared in Slack, in order, as readable Markdown."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.lines: list[str] = ["# dpflow demo — Order fulfilment, an online shop", ""]
        self.seen: set[tuple[str, str]] = set()
        self.ephemerals = 0

    def heading(self, text: str) -> None:
        self.lines += [f"## {text}", ""]

    def person(self, user: str, does: str, text: str) -> None:
        quoted = "\n".join(f"> {line}" for line in text.splitlines())
        self.lines += [f"**@{PEOPLE[user][0]}** {does}:", "", quoted, ""]

    def message(self, who: str, blocks: list[dict] | None, text: str | None) -> None:
        body = readable_blocks(blocks) if blocks else readable(text or "")
        self.lines += [f"**{who}**", "", *(f"    {line}" for line in body.splitlines()), ""]

    def collect(self) -> None:
        """Everything the app posted since the last look."""
        posted = [m for messages in self.state.channel_messages.values() for m in messages
                  if m.get("bot_id") and (m["channel"], m["ts"]) not in self.seen]
        for m in sorted(posted, key=lambda m: m["ts"]):
            self.seen.add((m["channel"], m["ts"]))
            where = "in the channel" if m.get("thread_ts") in (None, m["ts"]) else "in a thread"
            if m["channel"].startswith("D"):
                where = "by direct message"
            text = m.get("text", "")
            for f in m.get("files", []):
                text += f"\n📎 {f['name']} ({max(f['size'] // 1024, 1)} KiB)"
            self.message(f"dpflow, {where}", m.get("blocks"), text)
        for e in self.state.ephemeral_messages[self.ephemerals:]:
            self.message(f"dpflow → @{PEOPLE.get(e.user, (e.user,))[0]} only", e.blocks, e.text)
        self.ephemerals = len(self.state.ephemeral_messages)

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)>")


def readable(mrkdwn: str) -> str:
    """Slack mrkdwn as plain reading: links, mentions and dates in words."""
    text = _USER.sub(lambda m: "@" + PEOPLE.get(m[1], (m[1],))[0], mrkdwn)
    text = _LINK.sub(lambda m: m[2] if m[1].startswith("!date") else f"{m[2]} ({m[1]})", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def readable_blocks(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            parts.append(f"■ {block['text']['text']}")
        elif kind == "section":
            parts.append(readable(block.get("text", {}).get("text", "")))
        elif kind == "context":
            parts.append(" · ".join(readable(e.get("text", "")) for e in block["elements"]))
        elif kind == "actions":
            parts.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"]
                                  if "text" in e))
        elif kind == "divider":
            parts.append("—")
    return "\n".join(parts)


def write_outputs(out: Path, board: Board, state: EmulatorState, transcript: Transcript) -> None:
    (out / "transcript.md").write_text(transcript.text(), encoding="utf-8")
    names = {user: name for user, (name, _) in PEOPLE.items()}
    canvases = out / "canvases"
    canvases.mkdir(exist_ok=True)
    as_read = as_people_read(board, names)  # as posted to Slack: people by name
    for product in board.data_products:
        (canvases / canvas_filename(product)).write_text(render_canvas(as_read, product.ref),
                                                         encoding="utf-8")
    pictures = out / "pictures"
    pictures.mkdir(exist_ok=True)
    for f in state.files.values():
        if f.filename.endswith(".png") and f.content:
            (pictures / f.filename).write_bytes(f.content)
    for name, fmt in EXPORTS.items():
        write(FORMATS[fmt].render(board, names), out / name)
