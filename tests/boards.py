"""A small online-shop board (order fulfilment) that render and export tests share."""

from __future__ import annotations

from dpflow.domain.model import (
    Alignment,
    Board,
    DataProduct,
    Decision,
    Event,
    Finding,
    FindingKind,
    FindingStatus,
    Mode,
    Opportunity,
    Port,
    Stage,
    Workshop,
)

FLOW = [  # event, command, actor, system, trigger, aggregate
    ("Order placed", "Place order", "Customer", "Web shop", None, "DP1"),
    ("Payment captured", "Capture payment", None, "Payment gateway", "Order placed", "DP1"),
    ("Order confirmed", "Confirm order", "Order service", "Web shop", None, "DP1"),
    ("Stock reserved", "Reserve stock", "Warehouse clerk", "WMS", None, "DP2"),
    ("Parcel packed", "Pack parcel", "Packer", "WMS", None, "DP2"),
    ("Parcel shipped", "Hand over to carrier", "Carrier", "WMS", "Parcel packed", "DP2"),
    ("Parcel delivered", None, None, None, None, None),
]


def sample_board() -> Board:
    """Order fulfilment: two source-aligned products, one consumer-aligned placeholder."""
    workshop = Workshop(id="w-42", name="Order fulfilment", team_id="T1", channel_id="C1",
                        stage=Stage.CANVASES, domain="Online shop", facilitators=["U1", "U2"])
    events = [Event(f"E{i}", t, i, command=c, actor=a, system=s, trigger=tr, data_product=dp)
              for i, (t, c, a, s, tr, dp) in enumerate(FLOW, 1)]
    decisions = [
        Decision("D1", "Accept the order for this customer?", "E1"),
        Decision("D2", "Which warehouse ships it?", "E4"),
        Decision("D3", "Which carrier, by cost | speed?", "E6"),
        Decision("D4", "Offer a loyalty voucher", None),
    ]
    opportunities = [
        Opportunity("O1", Mode.AUTOMATE, "Pick the warehouse nearest to stock", "D2"),
        Opportunity("O2", Mode.SUGGEST, "Rank carriers by delivery time", "D3"),
        Opportunity("O3", Mode.IDEA, "Sell delivery-time forecasts to marketplaces"),
    ]
    products = [
        DataProduct("DP1", "Orders", Alignment.SOURCE, owner="Checkout team",
                    purpose="The order facts, as the customer placed them",
                    classification="core, revenue, custom built",
                    terms=["Order — a confirmed basket"], metrics=["Orders per hour"]),
        DataProduct("DP2", "Shipments", Alignment.SOURCE),
        DataProduct("DP3", "Delivery promise", Alignment.CONSUMER, owner="Logistics analytics",
                    assumptions=["Carriers publish tracking events"],
                    questions=["# Who pays for late parcels?"], reads=["P1", "P2"]),
    ]
    ports = [
        Port("P1", "Orders by delivery address", "DP1", supports=["D2"]),
        Port("P2", "Shipments with their carrier and delivery time", "DP2", supports=["D3"]),
        Port("P3", "Delivery time forecast per region", "DP3", supports=["D2", "D3"]),
        Port("P4", "fact_orders", "DP1"),
    ]
    findings = [
        Finding(FindingKind.NO_OWNER, "DP2", "Shipments has no owner"),
        Finding(FindingKind.TABLE_LIKE_NAME, "P4", "fact_orders looks like a table name",
                status=FindingStatus.DISMISSED),
    ]
    return Board(workshop, events, decisions, opportunities, products, ports, findings)


HOSTILE = ('"Quoted" [link](javascript:alert(1)) {props} <script>alert(1)</script> '
           '%%{init: {"theme": "dark"}}%% `code` | pipe <!channel> <@U1> #tag; *bold* &amp;\n'
           '- list')


def hostile_board() -> Board:
    """The sample board with text that would break Markdown, MDX, Mermaid, HTML or Slack."""
    board = sample_board()
    board.workshop.name = f"Workshop {HOSTILE}"
    board.workshop.domain = f"Domain {HOSTILE}"
    event = board.events[0]
    event.text, event.command, event.actor = f"Order {HOSTILE}", f"Do {HOSTILE}", HOSTILE
    event.system, event.trigger = f"System {HOSTILE}", f"When {HOSTILE}"
    board.decisions[1].text = f"Decide {HOSTILE}"
    board.opportunities[0].text = f"Automate {HOSTILE}"
    orders, shipments, promise = board.data_products
    orders.name, orders.owner, orders.purpose = f"Orders {HOSTILE}", f"Team {HOSTILE}", HOSTILE
    orders.terms.append(f"{HOSTILE} — {HOSTILE}")
    shipments.name = "出荷 «Versand»"  # no ASCII letter for an id
    promise.questions.append(HOSTILE)
    board.ports[0].name = f"Port {HOSTILE}"
    return board
