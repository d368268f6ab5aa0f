"""The board applies lines, edits, deletions, moves and fixes in memory and says what
changed: milliseconds, no database."""

import pytest

from dpflow.domain.changes import (
    READS,
    STAGE_OF,
    SUPPORTS,
    CanvasItem,
    Changes,
    Link,
    Numbering,
    needs,
    new_cards,
)
from dpflow.domain.errors import UserError
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
    CanvasField,
    CardKind,
    Mode,
    Stage,
    norm,
)
from tests.unit.test_domain_rules import board


def changes(b=None, base: dict | None = None) -> Changes:
    return Changes(b or board(), "U5", Numbering(base or {kind: 9 for kind in CardKind}))


@pytest.mark.parametrize("line", [
    AddEvent("Invoice sent"), SetFlow("E3", actor="Clerk"), Aggregate("Orders", ("E3",)),
    Aggregate("Shipping", ("E3",)), AddDecision("Accept the order", "E2"),
    AddDecision("Ship today", "E3"), AddOpportunity(Mode.AUTOMATE, "Rules", "D1"),
    AddOpportunity(Mode.IDEA, "Sell data"), AddPort("DP1", "Paid orders", ("D1", "D2")),
    AddConsumer("Planning", "Forecast", ("D1",), ("P1",)), AddConsumer("New one", "X"),
    SetCanvasField("DP2", CanvasField.OWNER, "Ops"),
])
def test_allowed(line):
    changes().apply(line)


@pytest.mark.parametrize(("line", "words"), [
    (SetFlow("E9", actor="x"), "There is no E9 on this board."),
    (AddPort("D3", "x"), "`D3` names a decision, but a data product like `DP1` is needed"),
    (AddPort("DP7", "x"), "There is no DP7"),
    (AddPort("DP1", "x", ("D9",)), "There is no D9"),
    (AddEvent("order  PLACED "), "E1 already says “Order placed”"),
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
def test_refused_with_the_form_of_its_stage(line, words):
    edit = changes()
    with pytest.raises(UserError) as info:
        edit.apply(line)
    assert words in info.value.message
    assert info.value.hint.startswith(FORMS[STAGE_OF[type(line)]])
    assert edit.change.added == [] and edit.change.updated == {}


def test_a_new_event_goes_to_the_end_with_the_next_reference():
    edit = changes()
    applied = edit.apply(AddEvent("Invoice sent"))
    assert (applied.ref, applied.label, applied.created) == ("E10", "E10 Invoice sent", True)
    assert [e.ref for e in edit.board.events][-1] == "E10"
    assert [c.ref for c in edit.change.added] == ["E10"]


def test_a_consumer_line_makes_a_product_its_port_and_the_links():
    edit = changes()
    edit.apply(AddConsumer("Delivery promise", "Slots per area", ("D2",), ("P1",)))
    assert [c.ref for c in edit.change.added] == ["DP10", "P10"]
    assert edit.change.linked == [Link(SUPPORTS, "P10", "D2"), Link(READS, "DP10", "P1")]
    assert edit.board.product("DP10").reads == ["P1"]


def test_an_aggregate_reuses_its_product_by_name_and_moves_events_into_it():
    edit = changes()
    applied = edit.apply(Aggregate("ORDERS", ("E3",)))
    assert applied.label == "DP1 Orders ← E3"
    assert edit.change.added == [] and edit.change.updated == {"E3": {"data_product"}}


def test_canvas_fields_are_set_or_appended():
    edit = changes()
    edit.apply(SetCanvasField("DP1", CanvasField.OWNER, "Checkout team"))
    term = edit.apply(SetCanvasField("DP1", CanvasField.TERM, "Order: what a customer buys"))
    assert edit.change.updated == {"DP1": {"owner"}}
    assert edit.change.items_added == [term.item]
    assert edit.board.product("DP1").terms == ["Order: what a customer buys"]


def test_new_cards_are_counted_on_a_copy_before_references_are_taken():
    b = board()
    lines = [AddConsumer("Delivery promise", "Slots", ("D2",)), AddEvent("Invoice sent"),
             AddConsumer("delivery promise", "Routes")]

    def work(edit: Changes) -> list:
        return [edit.apply(line) for line in lines]

    assert new_cards(b, "U5", work) == {CardKind.DATA_PRODUCT: 1, CardKind.PORT: 2,
                                         CardKind.EVENT: 1}
    assert len(b.data_products) == 2 and len(b.events) == 3  # untouched
    refs = [a.ref for a in work(Changes(b, "U5", Numbering({CardKind.PORT: 2,
                                                              CardKind.EVENT: 3,
                                                              CardKind.DATA_PRODUCT: 2})))]
    assert refs == ["P3", "E4", "P4"]


def test_revising_a_port_keeps_its_reference_and_relinks_it():
    edit = changes()
    edit.revise("P1", AddPort("DP1", "Orders to accept", ("D2",)))
    port = edit.board.card("P1")
    assert (port.name, port.supports) == ("Orders to accept", ["D2"])
    assert edit.change.unlinked == [Link(SUPPORTS, "P1", "D1")]
    assert edit.change.linked == [Link(SUPPORTS, "P1", "D2")]
    assert edit.change.updated == {"P1": {"name"}}


def test_removing_a_data_product_takes_its_ports_and_frees_its_events():
    edit = changes()
    assert edit.remove("DP1") == ["DP1", "P1"]
    assert edit.board.events[0].data_product is None
    assert Link(READS, "DP2", "P1") in edit.change.unlinked
    assert Link(SUPPORTS, "P1", "D1") in edit.change.unlinked
    assert edit.change.updated == {"E1": {"data_product"}, "E2": {"data_product"}}


def test_removing_an_event_takes_its_decisions_and_their_opportunities():
    assert changes().remove("e1") == ["E1", "D1", "O1"]


def test_undoing_lines_takes_back_only_what_nobody_changed_since():
    edit = changes()
    edit.apply(SetFlow("E3", command="Ship", actor="Clerk"))
    edit.board.card("E3").actor = "Robot"
    edit.undo(SetFlow("E3", command="Ship", actor="Clerk"), "E3", created=False)
    assert (edit.board.card("E3").command, edit.board.card("E3").actor) == (None, "Robot")
    item = CanvasItem("DP1", CanvasField.METRIC, "Orders per hour", "U5", id=7)
    edit.board.product("DP1").metrics.append("Orders per hour")
    edit.undo(SetCanvasField("DP1", CanvasField.METRIC, "Orders per hour"), "DP1",
              created=False, item=item)
    assert edit.board.product("DP1").metrics == [] and edit.change.items_removed == [item]


def test_moving_an_event_renumbers_the_timeline():
    edit = changes()
    assert edit.move_event("E3", "before", "E1") == ["E3", "E1", "E2"]
    assert edit.change.updated == {"E3": {"position"}, "E1": {"position"},
                                   "E2": {"position"}}
    with pytest.raises(UserError, match="Only events move"):
        edit.move_event("D1", "after", "E1")


def test_a_split_fix_moves_decision_support_to_a_consumer_product():
    edit = changes()
    product = edit.product("Orders decision support", Alignment.CONSUMER)
    edit.move_port("P1", product)
    edit.stop_support("P1", "D1")
    assert edit.board.card("P1").data_product == product.ref
    assert edit.change.added == [product]
    assert Link(SUPPORTS, "P1", "D1") in edit.change.unlinked


def test_needs_name_what_the_lines_refer_to_or_might_repeat():
    wanted = needs([AddEvent(" Order  Placed"), AddPort("DP1", "Open orders", ("D2",)),
                    AddConsumer("Planning", "Slots", reads=("P1",))])
    assert wanted.refs == {"DP1", "D2", "P1"}
    assert wanted.names == {"planning"}
    assert wanted.texts == {(CardKind.EVENT, "order placed"), (CardKind.PORT, "open orders"),
                            (CardKind.PORT, "slots")}
    assert norm(" Order  Placed") == "order placed"


def test_every_line_kind_has_a_stage():
    assert set(STAGE_OF.values()) == set(Stage) - {Stage.REVIEW}
