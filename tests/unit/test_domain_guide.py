import pytest

from dpflow.domain.grammar import EXAMPLES, FORMS
from dpflow.domain.guide import command_of, example, form, hint, open_items, what_to_add
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
    assert example(b, Stage.FLOW) == "E2: Pay order | actor: Customer"
    assert example(b, Stage.AGGREGATES) == "Orders: E2, E4"
    assert example(b, Stage.DECISIONS) == "E2: Decide whether to pay order"
    assert example(b, Stage.OPPORTUNITIES) == "D1 suggest: show how similar cases were " \
                                              "decided before"
    assert example(b, Stage.PORTS) == "DP1: Orders history for D2"
    assert example(b, Stage.CONSUMERS) == ("new Orders insights: Open orders per week for D2 "
                                           "reads P1")
    assert example(b, Stage.CANVASES) == "DP1 purpose: what Orders tells the people who decide"


def hospital() -> Board:
    b = Board(Workshop("w2", "Admissions", "T1", "C1", domain="Hospital"))
    b.events = [Event("E1", "Patient referred", 1), Event("E2", "Patient admitted to ward", 2),
                Event("E3", "Bed assigned", 3), Event("E4", "Patient discharged", 4)]
    return b


SHOP = ("order", "basket", "shop", "customer", "parcel", "delivery")


def test_a_hospital_never_sees_the_online_shop():
    b = hospital()
    said = [example(b, s) for s in STAGES] + [hint(b, s) for s in STAGES]
    b.events[0].data_product = "DP1"
    b.data_products = [DataProduct("DP1", "Patients", Alignment.SOURCE)]
    b.decisions = [Decision("D1", "Decide which ward takes the patient", "E2")]
    b.ports = [Port("P1", "Free beds per ward", "DP1")]
    said += [example(b, s) for s in STAGES]
    assert not [line for line in said if any(w in line.lower() for w in SHOP)]
    assert example(hospital(), Stage.FLOW) == "E1: Refer patient"
    assert example(hospital(), Stage.AGGREGATES) == "Patients: E1, E2, E4"
    assert example(b, Stage.CANVASES) == "DP1 owner: Patients team"


@pytest.mark.parametrize(("event", "command"), [
    ("Order placed", "Place order"), ("Payment authorised", "Authorise payment"),
    ("Parcel handed to carrier", "Hand parcel to carrier"), ("Book lent", "Lend book"),
    ("Book lost by member", "Lose book"), ("Patient admitted to ward", "Admit patient to ward"),
    ("Renewal declined", "Decline renewal"), ("Order cancelled", "Cancel order"),
    ("Appointment scheduled", "Schedule appointment"), ("Fine paid", "Pay fine"),
    ("Stock reserved", "Reserve stock"), ("Case closed", "Close case"),
    ("Request received", "Receive request"), ("Team added", "Add team"),
    ("New member", None)])
def test_the_command_behind_an_event(event, command):
    assert command_of(event) == command


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
