import pytest

from dpflow.domain.errors import NotAllowed, UserError
from dpflow.domain.grammar import FORMS
from dpflow.domain.lines import (
    AddConsumer,
    AddDecision,
    AddEvent,
    AddOpportunity,
    AddPort,
    Aggregate,
    SetCanvasField,
    SetFlow,
)
from dpflow.domain.model import (
    Alignment,
    Board,
    CanvasField,
    DataProduct,
    Decision,
    Event,
    Mode,
    Opportunity,
    Port,
    Workshop,
)
from dpflow.domain.rules import STAGE_OF, can_change, check, dependents, require_facilitator


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


def refused(line) -> UserError:
    with pytest.raises(UserError) as info:
        check(board(), line)
    return info.value


@pytest.mark.parametrize("line", [
    AddEvent("Invoice sent"), SetFlow("E3", actor="Clerk"), Aggregate("Orders", ("E3",)),
    Aggregate("Shipping", ("E3",)), AddDecision("Accept the order", "E2"),
    AddDecision("Ship today", "E3"), AddOpportunity(Mode.AUTOMATE, "Rules", "D1"),
    AddOpportunity(Mode.IDEA, "Sell data"), AddPort("DP1", "Paid orders", ("D1", "D2")),
    AddConsumer("Planning", "Forecast", ("D1",), ("P1",)), AddConsumer("New one", "X"),
    SetCanvasField("DP2", CanvasField.OWNER, "Ops"),
])
def test_allowed(line):
    check(board(), line)


@pytest.mark.parametrize(("line", "words"), [
    (SetFlow("E9", actor="x"), "There is no E9 on this board."),
    (AddPort("D3", "x"), "`D3` names a decision, but a data product like `DP1` is needed"),
    (AddPort("DP7", "x"), "There is no DP7"),
    (AddPort("DP1", "x", ("D9",)), "There is no D9"),
    (AddEvent("order PLACED "), "E1 already says “Order placed”"),
    (Aggregate("Shipping", ("E3", "E2")), "E2 already belongs to Orders (DP1)"),
    (Aggregate("planning", ("E3",)), "Planning (DP2) is a consumer-aligned"),
    (AddDecision("accept the order", "E1"), "D1 is already this decision"),
    (AddOpportunity(Mode.AUTOMATE, "show history", "D1"), "O1 is already"),
    (AddPort("DP1", "open orders"), "DP1 already has the output port P1"),
    (AddConsumer("Orders", "x"), "Orders (DP1) is a source-aligned"),
    (AddConsumer("Planning", "x", reads=("P2",)), "P2 is an output port of Planning itself"),
    (AddConsumer("Planning", "x", reads=("P7",)), "There is no P7"),
    (AddConsumer("Planning", "PLAN"), "Planning already has the output port P2"),
    (SetCanvasField("DP5", CanvasField.OWNER, "x"), "There is no DP5"),
])
def test_refused(line, words):
    err = refused(line)
    assert words in err.message
    assert err.hint.startswith(FORMS[STAGE_OF[type(line)]])


def test_can_change():
    assert can_change("U5", "U5", ["U1"])
    assert can_change("U5", "U1", ["U1"])
    assert not can_change("U5", "U6", ["U1"])


def test_require_facilitator():
    w = board().workshop
    require_facilitator(w, "U1", "move the workshop to the next stage")
    with pytest.raises(NotAllowed) as info:
        require_facilitator(w, "U9", "move the workshop to the next stage")
    assert info.value.message == ("Only facilitators can move the workshop to the next stage. "
                                  "Ask <@U1> or <@U2> if it should happen.")


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
