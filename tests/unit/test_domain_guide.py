from dpflow.domain.grammar import EXAMPLES, FORMS
from dpflow.domain.guide import example, form, open_items, what_to_add
from dpflow.domain.model import (
    STAGES,
    Alignment,
    Board,
    DataProduct,
    Decision,
    Event,
    Finding,
    FindingKind,
    Port,
    Stage,
    Workshop,
)


def empty() -> Board:
    return Board(Workshop("w1", "Orders", "T1", "C1"))


def board() -> Board:
    b = empty()
    b.events = [Event("E1", "Order placed", 1, actor="Customer", data_product="DP1"),
                Event("E2", "Order paid", 2), Event("E4", "Order shipped", 3)]
    b.decisions = [Decision("D1", "Accept the order", "E1"), Decision("D2", "Open a shop")]
    b.data_products = [DataProduct("DP1", "Orders", Alignment.SOURCE, owner="Sales")]
    b.ports = [Port("P1", "Open orders", "DP1", ["D1"]), Port("P2", "Lost", "DP1")]
    return b


def test_every_stage_has_guidance():
    for stage in STAGES:
        assert what_to_add(stage).endswith(".")
        assert form(stage) == FORMS[stage]
        assert example(empty(), stage) == EXAMPLES.get(stage, "")


def test_examples_come_from_the_board():
    b = board()
    assert example(b, Stage.FLOW).startswith("E2: ")
    assert example(b, Stage.AGGREGATES) == "<Name>: E2, E4"
    assert example(b, Stage.DECISIONS) == "E2: Decide whether to …"
    assert example(b, Stage.OPPORTUNITIES) == "D1 suggest: …"
    assert example(b, Stage.PORTS) == "DP1: <port name> for D2"
    assert example(b, Stage.CONSUMERS) == "new <Name>: <port name> for D2 reads P1"
    assert example(b, Stage.CANVASES) == EXAMPLES[Stage.CANVASES]


def test_open_items():
    b = board()
    assert open_items(empty(), Stage.EVENTS) == ["No events yet: add the first one"]
    assert open_items(b, Stage.EVENTS) == []
    assert open_items(b, Stage.FLOW) == ["Events without command, actor, system or trigger: "
                                         "E2, E4"]
    assert open_items(b, Stage.AGGREGATES) == ["Events in no aggregate: E2, E4"]
    assert open_items(b, Stage.DECISIONS) == ["Events without a decision: E2, E4"]
    assert open_items(b, Stage.PORTS) == ["Decisions without an output port: D2",
                                          "Output ports supporting no decision: P2"]
    assert open_items(b, Stage.CANVASES) == ["Data products without a purpose: DP1"]
    b.findings = [Finding(FindingKind.NO_OWNER, "DP1", "x")]
    assert open_items(b, Stage.REVIEW) == ["Proposed fixes still open: DP1 (no-owner)"]
