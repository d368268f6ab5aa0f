"""An online shop's order fulfilment, stage by stage, as people would type it; and how a
test finds a finding's buttons in the review thread."""

from __future__ import annotations

from dpflow.domain.model import FindingKind
from dpflow.slack.blocks.review import KINDS
from tests.conftest import ALICE, BOB, CHANNEL

# one reply per entry, alternating Alice and Bob; entries with "\n" carry several lines
SCRIPT: dict[str, list[str]] = {
    "events": ["Order placed", "Payment captured", "Stock reserved\nParcel packed",
               "Parcel shipped", "Parcel delivered", "Return requested"],
    "flow": [
        "E1: Place order | actor: Customer | system: Web shop | trigger: Basket checked out",
        "E2: Capture payment | actor: Payment service | system: Payment gateway",
        "E3: Reserve stock | actor: Warehouse clerk | system: WMS | trigger: Order placed",
        "E4: Pack parcel | actor: Packer | system: WMS",
        "E5: Hand over to carrier | actor: Carrier | system: WMS",
        "E6: system: Carrier portal | actor: Carrier",
        "E7: Request return | actor: Customer | system: Web shop",
    ],
    "aggregates": ["Orders: E1, E2", "Fulfilment: E3, E4, E5, E6", "Returns: E7"],
    "decisions": ["E1: Accept the order for this customer", "E3: Choose the warehouse that ships",
                  "E5: Pick the carrier\nE7: Refund without inspection",
                  "new: Offer express delivery"],
    "opportunities": ["D2 automate: pick the warehouse nearest to the stock",
                      "D3 suggest: rank carriers by price and speed",
                      "idea: sell delivery forecasts to marketplaces"],
    "ports": ["DP2: Stock per warehouse for D1, D2", "DP1: fact_orders",
              "DP2: Parcels handed to carriers for D3"],
    "consumers": ["new Delivery promise: Delivery time per region for D3 reads P3",
                  "new Delivery promise: Express slots for D5 reads P1"],
}
CANVASES = ["DP1 owner: Checkout team", "DP2 owner: Warehouse team\nDP2 purpose: Stock and "
            "parcels as the warehouse sees them", "DP4 term: Delivery promise — the day we "
            "commit to"]


async def reply_all(w, stage: str, lines: list[str]) -> None:
    thread = w.stage_thread(stage)
    for i, text in enumerate(lines):
        response = await w.driver.reply(CHANNEL, thread, text, user=(ALICE, BOB)[i % 2])
        assert response.status == 200, response.text
    await w.settle()


async def run_to_review(w) -> None:
    """Start the workshop and play every stage up to the review."""
    await w.command("start Order fulfilment domain: Online shop")
    for stage, lines in SCRIPT.items():
        await reply_all(w, stage, lines)
        await w.command("next")


HEADINGS = tuple(f"*{name}* (" for name, _ in KINDS.values())


def finding_button(w, kind: FindingKind, subject: str) -> tuple[str, int]:
    """(message ts, finding id) of the open finding of this kind about `subject`, as the
    review thread shows it."""
    thread = w.stage_thread("review")
    heading = f"*{KINDS[kind][0]}*"
    for message in w.state.messages(CHANNEL, thread):
        current, about = None, None
        for block in message.get("blocks") or []:
            text = (block.get("text") or {}).get("text", "")
            if block["type"] == "section" and text.startswith(HEADINGS):
                current = text.split(" (", 1)[0]
            elif block["type"] == "section":
                about = text.split(" ·", 1)[0]
            elif block["type"] == "actions" and current == heading and about == f"*{subject}*":
                return message["ts"], int(block["block_id"].split(":")[1])
    raise LookupError(f"no open {kind} finding about {subject} in the review thread")


def buttons(message: dict) -> list[str]:
    return [e["action_id"] for b in message.get("blocks") or [] if b["type"] == "actions"
            for e in b["elements"]]
