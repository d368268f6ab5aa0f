
from dpflow.domain.model import (
    Alignment,
    Board,
    DataProduct,
    Decision,
    Event,
    Mode,
    Opportunity,
    Port,
    Workshop,
)
from dpflow.domain.rules import can_change, dependents


def board() -> Board:
    return Board(
        Workshop("w1", "Orders", "T1", "C1", facilitators=["U1", "U2"]),
        events=[Event("E1", "Order placed", 1, data_product="DP1"),
                Event("E2", "Order paid", 2, data_product="DP1"),
                Event("E3", "Order shipped", 3)],
        decisions=[Decision("D1", "Accept the order", "E1"), Decision("D2", "Open a shop")],
        opportunities=[Opportunity("O1", Mode.SUGGEST, "Show history", "D1")],
        data_products=[DataProduct("DP1", "Orders", Alignment.SOURCE),
                       DataProduct("DP2", "Planning", Alignment.CONSUMER, reads=["P1"])],
        ports=[Port("P1", "Open orders", "DP1", ["D1"]), Port("P2", "Plan", "DP2", ["D2"])],
    )


def test_can_change():
    assert can_change("U5", "U5", ["U1"])
    assert can_change("U5", "U1", ["U1"])
    assert not can_change("U5", "U6", ["U1"])


def test_dependents():
    b = board()
    assert dependents(b, "e1") == ["E1 has 1 decision: D1"]
    assert dependents(b, "D1") == ["D1 has 1 opportunity: O1",
                                   "D1 is supported by output port P1"]
    assert dependents(b, "P1") == ["P1 is read by Planning (DP2)"]
    assert dependents(b, "DP1") == ["DP1 has 2 events: E1, E2", "DP1 has 1 output port: P1"]
    b.ports.append(Port("P3", "More", "DP2", ["D1"]))
    assert dependents(b, "D1")[1] == "D1 is supported by output ports P1, P3"
    assert dependents(b, "E3") == []
    assert dependents(b, "O1") == []
