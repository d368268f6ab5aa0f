"""Reading a board from a room workshop and placing its stickies: pure, in milliseconds
(domain/stickies.py reads, domain/importing.py places)."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dpflow.domain.changes import Changes, Numbering, new_cards
from dpflow.domain.errors import UserError
from dpflow.domain.importing import Kind, apply, colours, parse_mapping, plan
from dpflow.domain.model import Board, CardKind, Event, Workshop
from dpflow.domain.stickies import MAX_STICKIES, Sticky, html_text, name_of, read_board


def note(content: str, colour: str | None, x: float, y: float = 0, **extra) -> dict:
    item = {"id": f"{x}:{y}", "type": "sticky_note", "data": {"content": content},
            "position": {"x": x, "y": y, "origin": "center", "relativeTo": "canvas_center"},
            "geometry": {"width": 199.0, "height": 228.0}, **extra}
    if colour:
        item["style"] = {"fillColor": colour}
    return item


def miro(*items: dict) -> bytes:
    return json.dumps({"data": list(items), "total": len(items), "type": "cursor-list"}).encode()


def texts(stickies: list[Sticky]) -> list[str]:
    return [s.text for s in stickies]


@pytest.mark.parametrize(("html", "text"), [
    ("<p>Order placed</p>", "Order placed"),
    ("<p><strong>Order</strong>&nbsp;placed</p>", "Order placed"),
    ("<p>Return requested</p><p>by the customer</p>", "Return requested by the customer"),
    ("<p>Pick<br>and pack</p>", "Pick and pack"),
    ("<p>Terms &amp; conditions &lt;!channel&gt; accepted</p>",
     "Terms & conditions <!channel> accepted"),
    ("<p><script>alert(1)</script>Paid</p>", "Paid"),
    ("<p></p><p> </p>", ""),
    ("<p>Broken <em>markup", "Broken markup"),
    ("Plain text", "Plain text"),
])
def test_miro_html_becomes_one_line_of_plain_text(html, text):
    assert html_text(html) == text


def test_miro_items_come_from_one_page_several_pages_or_a_list():
    one, two = note("<p>Order placed</p>", "orange", 0), note("<p>Paid</p>", "orange", 300)
    frame = {"id": "f", "type": "frame", "position": {"x": 0, "y": 0}}
    assert texts(read_board(miro(one, frame, two))) == ["Order placed", "Paid"]
    pages = json.dumps([{"data": [one]}, {"data": [two]}]).encode()
    assert texts(read_board(pages, "board.json")) == ["Order placed", "Paid"]
    assert texts(read_board(json.dumps([one, two]).encode())) == ["Order placed", "Paid"]


def test_a_miro_sticky_has_its_colour_and_position_and_miros_default_fill():
    plain = note("<p>Customer</p>", None, -20.5, 40)
    sticky = read_board(miro(plain))[0]
    assert (sticky.colour, sticky.x, sticky.y, sticky.where) == \
        ("light_yellow", -20.5, 40.0, "at x -20, y 40")


def test_a_sticky_in_a_frame_is_placed_from_the_frames_corner():
    frame = {"id": "F1", "type": "frame", "position": {"x": 1000, "y": 0},
             "geometry": {"width": 400, "height": 200}}
    inside = note("<p>Paid</p>", "orange", 50, 20, parent={"id": "F1"})
    inside["position"]["relativeTo"] = "parent_top_left"
    sticky = read_board(miro(frame, inside))[0]
    assert (sticky.x, sticky.y) == (850.0, -80.0)


@pytest.mark.parametrize(("content", "stickies"), [
    (b"colour,text\norange,Order placed\nBlue,Place order\n",
     [("Order placed", "orange"), ("Place order", "blue")]),
    (b"Kind;Text\nEvent;Order placed\ncommand;Place order\n",
     [("Order placed", "event"), ("Place order", "command")]),
    (b"text,color\n\"Paid, in full\",Light Yellow\n",
     [("Paid, in full", "light_yellow")]),
    (b"text\nOrder placed\n,\n", [("Order placed", ""), ("", "")]),
])
def test_a_csv_names_its_text_and_colour_or_kind(content, stickies):
    read = read_board(content, "wall.csv")
    assert [(s.text, s.colour) for s in read] == stickies
    assert read[0].where == "row 2" and read[0].x is None


def test_a_csv_with_x_and_y_is_placed_by_them():
    read = read_board(b"x,y,colour,text\n300,0,orange,Paid\n0,0,orange,Ordered\n")
    assert [(s.text, s.x) for s in read] == [("Paid", 300.0), ("Ordered", 0.0)]


def test_a_text_file_is_one_event_sticky_per_line():
    read = read_board("- Order placed\n\n2. Paid\n  • Shipped  \n".encode(), "wall.txt")
    assert texts(read) == ["Order placed", "Paid", "Shipped"]
    assert [s.where for s in read] == ["line 1", "line 3", "line 4"]
    assert plan(read, {}).events[0].event.text == "Order placed"


@pytest.mark.parametrize(("content", "filename", "said"), [
    (b'{"data": [', "b.json", "not valid JSON (line 1, column 11)"),
    (b'{"items": []}', "b.json", "not a list of Miro board items"),
    (b"[1, 2]", "b.json", "not a list of Miro board items"),
    (b'{"data": [{"type": "text"}]}', "b.json", "holds no sticky notes"),
    (b"", "b.txt", "holds no sticky notes"),
    (b"\xff\xfe\x00O", "b.txt", "not text in UTF-8"),
    (b"colour,words\norange,Paid\n", "b.csv", "This one has `colour`, `words`"),
    (b"x" * 1_000_001, "b.txt", "That file is 1.0 MB"),
    (b"\n".join(b"Event %d" % i for i in range(MAX_STICKIES + 1)), "b.txt", "1,001 stickies"),
    (b"colour,text\n" + b"".join(b"c%d,x\n" % i for i in range(31)), "b.csv",
     "31 colours or kinds"),
])
def test_what_is_no_board_is_refused_whole(content, filename, said):
    with pytest.raises(UserError) as refused:
        read_board(content, filename)
    assert said in refused.value.message


def test_text_nobody_could_store_is_cleaned():
    content = b'{"data": [{"type": "sticky_note", "data": {"content": "Pa\\u0000id \\ud800"}}]}'
    assert read_board(content)[0].text == "Pa id \ufffd"


def test_colours_are_counted_with_an_example_and_the_methods_default():
    read = read_board(miro(note("", "orange", 0), note("<p>Paid</p>", "orange", 1),
                           note("<p>Shop</p>", "cyan", 2)))
    assert [(c.colour, c.count, c.example, c.kind) for c in colours(read)] == [
        ("orange", 2, "Paid", Kind.EVENT), ("cyan", 1, "Shop", Kind.SKIP)]


def test_a_mapping_from_the_command_line():
    assert parse_mapping("orange=event, Light-Blue = command,gray=skip") == {
        "orange": Kind.EVENT, "light_blue": Kind.COMMAND, "gray": Kind.SKIP}
    for wrong in ("orange", "orange=colour"):
        with pytest.raises(UserError, match="is not `colour=kind`"):
            parse_mapping(wrong)


def test_a_workshop_is_named_after_its_file():
    assert name_of("order-fulfilment_board.json") == "Order fulfilment board"
    assert name_of(".json") == "Imported board"


# --- placing -------------------------------------------------------------------------------


def board_of(*items: dict) -> list[Sticky]:
    return read_board(miro(*items))


def test_events_go_left_to_right_and_flow_joins_the_nearest_event():
    stickies = board_of(
        note("<p>Paid</p>", "orange", 300), note("<p>Ordered</p>", "orange", 0),
        note("<p>Pay</p>", "blue", 310, -250), note("<p>Customer</p>", "yellow", -15, -500),
        note("<p>Shop</p>", "pink", 20, 250), note("<p>Accept it?</p>", "violet", 290, 500),
        note("<p>When paid</p>", "orange", 300, 40))  # below "Paid": after it
    placed = plan(stickies, {}).events
    assert [p.event.text for p in placed] == ["Ordered", "Paid", "When paid"]
    assert {k: s.text for k, (_, s) in placed[0].flow.items()} == \
        {Kind.ACTOR: "Customer", Kind.SYSTEM: "Shop"}
    assert {k: s.text for k, (_, s) in placed[1].flow.items()} == {Kind.COMMAND: "Pay"}
    assert texts(placed[1].decisions) == ["Accept it?"]


def test_what_cannot_be_placed_is_said_and_far_decisions_are_new_ones():
    stickies = board_of(
        note("<p>Ordered</p>", "orange", 0), note("<p>Paid</p>", "orange", 300),
        note("<p>Archive</p>", "blue", 3000), note("<p>Offer express</p>", "violet", 3000),
        note("<p>Pay now</p>", "blue", 290), note("<p>Pay</p>", "blue", 300),
        note("", "yellow", 0), note("<p>Parking lot</p>", "gray", 0),
        note(f"<p>{'x' * 301}</p>", "orange", 600))
    done = plan(stickies, {})
    assert texts(done.new_decisions) == ["Offer express"]
    assert [str(left) for left in done.left_out] == [
        "an empty yellow sticky (at x 0, y 0): it is empty",
        "gray “Parking lot” (at x 0, y 0): its colour is left out",
        f"orange “{'x' * 59}…” (at x 600, y 0): it is 301 characters long; a card holds up "
        "to 300",
        "blue “Archive” (at x 3000, y 0): no event is near it on the board",
        "blue “Pay now” (at x 290, y 0): “Paid” has a command sticky nearer to it"]
    assert done.events[1].flow[Kind.COMMAND][1].text == "Pay"


def test_the_facilitators_mapping_decides_and_an_import_needs_events():
    stickies = board_of(note("<p>Ordered</p>", "cyan", 0), note("<p>Shop</p>", "orange", 5))
    placed = plan(stickies, {"cyan": Kind.EVENT, "orange": Kind.SYSTEM}).events
    assert placed[0].flow[Kind.SYSTEM][1].text == "Shop"
    with pytest.raises(UserError, match="No sticky would become an event"):
        plan(stickies, {"cyan": Kind.SKIP, "orange": Kind.SYSTEM})


def test_without_positions_a_sticky_joins_the_event_before_it():
    stickies = read_board(b"kind,text\ncommand,Too early\nevent,Ordered\ncommand,Order\n"
                          b"actor,Customer\ndecision,Accept?\nevent,Paid\ntrigger,Checkout\n")
    done = plan(stickies, {})
    assert [(p.event.text, sorted(k.value for k in p.flow), texts(p.decisions))
            for p in done.events] == [("Ordered", ["actor", "command"], ["Accept?"]),
                                      ("Paid", ["trigger"], [])]
    assert [left.why for left in done.left_out] == ["it comes before the first event"]


# --- onto the board ----------------------------------------------------------------------


def existing() -> Board:
    board = Board(Workshop("w1", "Order fulfilment", "T1", "C1"))
    board.events.append(Event("E1", "Order placed", 1))
    return board


def test_an_import_is_lines_through_the_boards_rules():
    stickies = read_board(b"kind,text\nevent,order placed\ncommand,Place order\n"
                          b"event,Paid\ncommand,Pay\ndecision,Accept the payment?\n"
                          b"decision,accept the payment?\nevent,Paid\n")
    board = existing()
    changes = Changes(board, "U1", Numbering({CardKind.EVENT: 1}))
    imported = apply(changes, plan(stickies, {}))
    assert [a.label for _, a in imported.done] == ["E2 Paid", "E2 flow",
                                                   "D1 Accept the payment?"]
    assert [str(left) for left in imported.left_out] == [
        "event “order placed” (row 2): E1 already says “Order placed”",
        "command “Place order” (row 3): its event “order placed” was not imported",
        "decision “accept the payment?” (row 7): D1 is already this decision",
        "event “Paid” (row 8): E2 already says “Paid”"]
    assert (board.card("E2").command, board.card("D1").event) == ("Pay", "E2")
    assert imported.said == "1 event, 1 flow detail and 1 decision"


def test_references_are_counted_before_they_are_taken():
    stickies = board_of(note("<p>Ordered</p>", "orange", 0), note("<p>Pay</p>", "blue", 0),
                        note("<p>Accept?</p>", "violet", 0), note("<p>New</p>", "violet", 900))
    work = plan(stickies, {})
    assert new_cards(existing(), "U1", lambda c: apply(c, work)) == \
        {CardKind.EVENT: 1, CardKind.DECISION: 2}


# --- never anything but a clear refusal ----------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["sticky_note", "frame", "parent_top_left", "<p>a<b>b</p>"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["data", "type", "content", "style", "fillColor", "position", "x", "y",
                         "parent", "id", "geometry", "width", "relativeTo"]) | st.text(
            max_size=5), inner, max_size=5),
    max_leaves=30)


@given(json_values)
def test_any_json_is_read_or_refused_in_words(value):
    content = json.dumps(value).encode()
    try:
        stickies = read_board(content, "board.json")
        plan(stickies, {colour: Kind.EVENT for colour in {s.colour for s in stickies}})
    except UserError:
        pass


@given(st.binary(max_size=300), st.sampled_from(["b.json", "b.csv", "b.txt", ""]))
def test_any_bytes_are_read_or_refused_in_words(content, filename):
    with contextlib.suppress(UserError):
        read_board(content, filename)
