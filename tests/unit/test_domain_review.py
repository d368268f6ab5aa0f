import pytest

from dpflow.domain.lines import AddConsumer
from dpflow.domain.model import (
    Alignment,
    Board,
    DataProduct,
    Decision,
    Event,
    FindingKind,
    FindingStatus,
    Mode,
    Opportunity,
    Port,
    Workshop,
)
from dpflow.domain.review import (
    automated_decision_fix,
    boundary_advice,
    is_table_like,
    live,
    mixed_planes_fix,
    review,
)


def board() -> Board:
    """DP1 Orders runs on the shop and decides D1 with DP2's stock; DP3 plans deliveries."""
    return Board(
        Workshop("w1", "Orders", "T1", "C1", facilitators=["U1"]),
        events=[Event("E1", "Order placed", 1, system="Shop", data_product="DP1"),
                Event("E2", "Stock counted", 2, system="WMS", data_product="DP2")],
        decisions=[Decision("D1", "Accept the order", "E1"), Decision("D2", "Restock", "E2"),
                   Decision("D3", "Open a shop")],
        opportunities=[Opportunity("O1", Mode.AUTOMATE, "Reorder by rule", "D2")],
        data_products=[DataProduct("DP1", "Orders", Alignment.SOURCE, owner="Sales"),
                       DataProduct("DP2", "Stock", Alignment.SOURCE, owner="Ops"),
                       DataProduct("DP3", "Planning", Alignment.CONSUMER, reads=["P1"])],
        ports=[Port("P1", "Stock on hand", "DP2", ["D1", "D2"]),
               Port("P2", "Deliveries per area", "DP3", ["D3"]),
               Port("P3", "fact_orders", "DP1", []),
               Port("P4", "Routes", "DP3", ["D3"])],
    )


def kinds(findings):
    return [(f.kind, f.subject) for f in findings]


def test_review_finds_everything_in_order():
    found = review(board())
    assert kinds(found) == [
        (FindingKind.MIXED_PLANES, "DP1"),
        (FindingKind.AUTOMATED_DECISION, "D2"),
        (FindingKind.CONSUMER_BOUNDARY, "DP3"),
        (FindingKind.UNUSED_PORT, "P3"),
        (FindingKind.NO_OWNER, "DP3"),
        (FindingKind.TABLE_LIKE_NAME, "P3"),
    ]
    assert [f.key for f in found][:3] == ["mixed-planes:DP1", "automated-decision:D2",
                                          "consumer-boundary:P2+P4"]
    assert "mixes the operational and analytical planes" in found[0].message
    assert found[0].details == {"decisions": ["D1"], "ports": ["P1"]}
    assert review(board()) == found


def test_unsupported_decision():
    b = board()
    b.ports[1].supports = []
    b.ports[3].supports = []
    found = review(b)
    assert (FindingKind.UNSUPPORTED_DECISION, "D3") in kinds(found)


def test_mixed_planes_fix_then_gone():
    b = board()
    finding = review(b)[0]
    fix = mixed_planes_fix(b, finding)
    assert fix.consumer == AddConsumer("Orders decision support", "Orders decision support",
                                       ("D1",), ("P1",))
    assert fix.unlink == (("P1", "D1"),)
    b.data_products.append(DataProduct("DP4", fix.consumer.name, Alignment.CONSUMER,
                                       reads=["P1"]))
    b.ports.append(Port("P5", fix.consumer.port_name, "DP4", ["D1"]))
    b.ports[0].supports.remove("D1")
    assert FindingKind.MIXED_PLANES not in [f.kind for f in review(b)]


def test_automated_decision_fix_then_gone():
    b = board()
    finding = review(b)[1]
    fix = automated_decision_fix(b, finding)
    assert fix.consumer == AddConsumer("Stock automation", "Stock decisions", ("D2",),
                                       ("P1",))
    assert fix.unlink == (("P1", "D2"),)
    b.data_products.append(DataProduct("DP4", fix.consumer.name, Alignment.CONSUMER))
    b.ports.append(Port("P5", fix.consumer.port_name, "DP4", ["D2"]))
    assert FindingKind.AUTOMATED_DECISION not in [f.kind for f in review(b)]


@pytest.mark.parametrize(("answers", "advice"), [
    ({}, "ask"),
    ({"same_process": True}, "ask"),
    ({"same_process": True, "different_ownership": False}, "keep"),
    ({"consistency": True, "different_ownership": False}, "keep"),
    ({"same_process": True, "consistency": True, "different_ownership": True}, "split"),
    ({"same_process": False, "consistency": False}, "split"),
])
def test_boundary_advice(answers, advice):
    assert boundary_advice(answers) == advice


def test_boundary_answers_and_status_survive_rerun():
    b = board()
    key = "consumer-boundary:P2+P4"
    answers = {key: {"same_process": True, "different_ownership": False}}
    first = next(f for f in review(b, answers) if f.key == key)
    assert first.details["ports"] == ["P2", "P4"]
    assert first.details["recommendation"] == "keep"
    assert "Keep them together" in first.message
    first.status = FindingStatus.DISMISSED
    b.findings = [first]
    again = next(f for f in review(b) if f.key == key)
    assert again.status is FindingStatus.DISMISSED
    assert again.details["answers"] == answers[key]


@pytest.mark.parametrize(("name", "table_like"), [
    ("fact_orders", True), ("DIM_customer", True), ("stg_x", True), ("order_lines", True),
    ("Orders waiting for pickup", False), ("Orders", False), ("Stock on_hand", False),
])
def test_table_like(name, table_like):
    assert is_table_like(name) is table_like


def test_automated_decision_names_are_short_and_never_another_products():
    b = board()
    b.data_products.append(DataProduct("DP9", "Stock automation", Alignment.CONSUMER))
    b.ports.append(Port("P9", "Stock counts", "DP9", ["D1"]))
    fix = automated_decision_fix(b, review(b)[1])
    assert (fix.consumer.name, fix.consumer.port_name) == ("D2 automation", "Stock decisions")
    b.decisions.append(Decision("D7", "Decide whether a renewal is allowed"))
    b.opportunities.append(Opportunity("O7", Mode.AUTOMATE, "renew when nobody waits", "D7"))
    finding = next(f for f in review(b) if f.subject == "D7")
    assert automated_decision_fix(b, finding).consumer.name == "D7 automation"


def test_findings_follow_the_board_once_it_was_reviewed():
    b = board()
    b.findings = review(b)
    no_owner = "no-owner:DP3"
    assert _status(live(b), no_owner) is FindingStatus.OPEN

    b.data_products[2].owner = "Planning team"
    b.findings = live(b)
    assert _status(b.findings, no_owner) is FindingStatus.RESOLVED

    b.data_products[2].owner = None  # the cause is back: open again
    b.findings = live(b)
    assert _status(b.findings, no_owner) is FindingStatus.OPEN

    applied = next(f for f in b.findings if f.kind is FindingKind.TABLE_LIKE_NAME)
    applied.status, applied.decided_by = FindingStatus.APPLIED, "U1"
    b.ports[2].name = "Orders to accept"  # a fix made it go: it stays applied, on record
    b.decisions.append(Decision("D4", "Close the shop"))  # a new cause: a new finding
    now = live(b)
    assert _status(now, applied.key) is FindingStatus.APPLIED
    assert _status(now, "unsupported-decision:D4") is FindingStatus.OPEN


def _status(findings, key: str) -> FindingStatus:
    return next(f.status for f in findings if f.key == key)
