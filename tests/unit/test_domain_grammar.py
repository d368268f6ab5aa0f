import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dpflow.domain.errors import GrammarError, OtherStage
from dpflow.domain.grammar import (
    CLASSIFICATION,
    EXAMPLES,
    FORMS,
    format_line,
    parse_line,
    split_lines,
    stage_of,
    unescape,
)
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
from dpflow.domain.model import STAGES, CanvasField, Mode, Stage


def error(stage: Stage, text: str) -> GrammarError:
    with pytest.raises(GrammarError) as info:
        parse_line(stage, text)
    return info.value


def test_unescape_once():
    assert unescape("a &amp;lt; b &lt;c&gt; &amp; d") == "a &lt; b <c> & d"


def test_split_lines_strips_bullets_and_blanks():
    text = "- Order placed\n\n • Order paid \n* Order shipped\n1. Invoice sent\n2) Paid\nplain"
    assert split_lines(text) == ["Order placed", "Order paid", "Order shipped", "Invoice sent",
                                 "Paid", "plain"]


def test_event_keeps_what_was_typed():
    assert parse_line(Stage.EVENTS, " Order &amp; invoice &lt;sent&gt; ") == AddEvent(
        "Order & invoice <sent>")


def test_event_too_long():
    assert "300" in error(Stage.EVENTS, "x" * 301).message


@pytest.mark.parametrize(("text", "expected"), [
    ("e3: Place order | actor: Customer | system: Shop | trigger: Cart",
     SetFlow("E3", "Place order", "Customer", "Shop", "Cart")),
    ("E3: actor: Clerk", SetFlow("E3", actor="Clerk")),
    ("E3: trigger: Timer | Actor: Clerk", SetFlow("E3", actor="Clerk", trigger="Timer")),
    ("E3: Ship: express | system: WMS", SetFlow("E3", command="Ship: express", system="WMS")),
    ("E03: Ship |", SetFlow("E3", command="Ship")),
])
def test_flow(text, expected):
    assert parse_line(Stage.FLOW, text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("E3: Ship | colour: red", "`colour` is not a part of the flow"),
    ("E3: Ship | actor: A | actor: B", "`actor` is given twice"),
    ("E3: actor:", "actor is missing"),
    ("E3:", "at least one"),
    ("D3: Ship", "`D3` is a decision"),
    ("Ship order", "colon is missing"),
])
def test_flow_errors(text, words):
    err = error(Stage.FLOW, text)
    assert words in err.message
    assert err.hint.startswith(FORMS[Stage.FLOW])


def test_aggregate():
    assert parse_line(Stage.AGGREGATES, "Orders: e1, E2 E5,E2") == Aggregate(
        "Orders", ("E1", "E2", "E5"))
    assert "`D1` is a decision" in error(Stage.AGGREGATES, "Orders: E1, D1").message
    assert "missing" in error(Stage.AGGREGATES, ": E1").message


def test_decisions():
    assert parse_line(Stage.DECISIONS, "e3: Decide: now?") == AddDecision("Decide: now?", "E3")
    assert parse_line(Stage.DECISIONS, "New: Open a shop") == AddDecision("Open a shop")
    err = error(Stage.DECISIONS, "X9: Decide")
    assert err.message == "`X9` is not a reference: decisions link to an event like `E3`."
    assert "E1: Decide" in err.hint
    assert "missing" in error(Stage.DECISIONS, "E3:   ").message


@pytest.mark.parametrize(("text", "expected"), [
    ("d2 automate: route by rules", AddOpportunity(Mode.AUTOMATE, "route by rules", "D2")),
    ("D2 Suggest show history", AddOpportunity(Mode.SUGGEST, "show history", "D2")),
    ("D2: suggest: x", AddOpportunity(Mode.SUGGEST, "x", "D2")),
    ("idea: sell data", AddOpportunity(Mode.IDEA, "sell data")),
    ("Idea sell data", AddOpportunity(Mode.IDEA, "sell data")),
])
def test_opportunities(text, expected):
    assert parse_line(Stage.OPPORTUNITIES, text) == expected


def test_opportunity_errors():
    assert "`E2` is an event" in error(Stage.OPPORTUNITIES, "E2 automate: x").message
    assert "automate` or `suggest" in error(Stage.OPPORTUNITIES, "D2 improve: x").message


@pytest.mark.parametrize(("text", "expected"), [
    ("dp1: Orders waiting for pickup for d2, D5", AddPort("DP1", "Orders waiting for pickup",
                                                           ("D2", "D5"))),
    ("DP1: Orders waiting for pickup", AddPort("DP1", "Orders waiting for pickup")),
    ("DP1: Sales for Q3", AddPort("DP1", "Sales for Q3")),
    ("DP1: Stock for D1 for D2", AddPort("DP1", "Stock for D1", ("D2",))),
])
def test_ports(text, expected):
    assert parse_line(Stage.PORTS, text) == expected


def test_port_errors():
    assert "`P1` is an output port" in error(Stage.PORTS, "P1: Stock").message
    assert "`E4` is an event" in error(Stage.PORTS, "DP1: Stock for E4").message
    assert "port name is missing" in error(Stage.PORTS, "DP1: for D2").message


@pytest.mark.parametrize(("text", "expected"), [
    ("new Delivery planning: Expected deliveries for D2 reads P1, p4",
     AddConsumer("Delivery planning", "Expected deliveries", ("D2",), ("P1", "P4"))),
    ("NEW Churn: Customers at risk", AddConsumer("Churn", "Customers at risk")),
    ("new Churn: Customers at risk reads P1 for D1",
     AddConsumer("Churn", "Customers at risk", ("D1",), ("P1",))),
])
def test_consumers(text, expected):
    assert parse_line(Stage.CONSUMERS, text) == expected


def test_consumer_errors():
    assert "Start with `new`" in error(Stage.CONSUMERS, "Churn: x").message
    assert "`D1` is a decision" in error(Stage.CONSUMERS, "new C: x reads D1").message


def test_canvases():
    assert parse_line(Stage.CANVASES, "dp2 Owner: Sales team") == SetCanvasField(
        "DP2", CanvasField.OWNER, "Sales team")
    assert "not a canvas field" in error(Stage.CANVASES, "DP2 colour: red").message


def test_review_accepts_only_the_canvas_fields_findings_ask_for():
    err = error(Stage.REVIEW, "Orders: E1")
    assert "only canvas fields" in err.message
    assert err.hint.startswith("DP1 owner: <team>")
    assert parse_line(Stage.REVIEW, "dp1 owner: Checkout team") == SetCanvasField(
        "DP1", CanvasField.OWNER, "Checkout team")


def test_multiline_and_empty():
    assert "one contribution per line" in error(Stage.EVENTS, "a\nb").message
    assert "empty" in error(Stage.EVENTS, "  ").message


@given(st.sampled_from(STAGES), st.text(max_size=60))
def test_parse_never_raises_anything_else(stage, text):
    try:
        parse_line(stage, text)
    except GrammarError as err:
        assert err.message


word = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Z"), blacklist_characters="|:,"),
               min_size=1, max_size=8)
words = st.lists(word, min_size=1, max_size=5).map(" ".join)
text = words.filter(lambda t: t == t.strip())
opt = st.none() | text
name = text.filter(lambda t: not {"for", "reads"} & {w.lower() for w in t.split()})


def refs(prefix):
    return st.lists(st.integers(1, 99), max_size=3, unique=True).map(
        lambda ns: tuple(f"{prefix}{n}" for n in ns))


def refs1(prefix):
    return refs(prefix).filter(bool)


classifications = st.tuples(
    st.sampled_from(CLASSIFICATION["domain"]), st.sampled_from(("", " domain", " Domain")),
    st.lists(st.sampled_from(CLASSIFICATION["business model"]), max_size=1),
    st.lists(st.sampled_from(CLASSIFICATION["evolution"]), max_size=1),
).map(lambda t: ", ".join([t[0] + t[1], *t[2], *t[3]]))

lines = st.one_of(
    st.builds(AddEvent, text),
    st.builds(SetFlow, refs1("E").map(lambda r: r[0]), opt, opt, opt, opt),
    st.builds(Aggregate, text, refs1("E")),
    st.builds(AddDecision, text, st.none() | refs1("E").map(lambda r: r[0])),
    st.builds(AddOpportunity, st.sampled_from([Mode.AUTOMATE, Mode.SUGGEST]), text,
              refs1("D").map(lambda r: r[0])),
    st.builds(AddOpportunity, st.just(Mode.IDEA), text),
    st.builds(AddPort, refs1("DP").map(lambda r: r[0]), name, refs("D")),
    st.builds(AddConsumer, name, name, refs("D"), refs("P")),
    st.builds(SetCanvasField, refs1("DP").map(lambda r: r[0]),
              st.sampled_from([f for f in CanvasField if f is not CanvasField.CLASSIFICATION]),
              text),
    st.builds(SetCanvasField, refs1("DP").map(lambda r: r[0]),
              st.just(CanvasField.CLASSIFICATION), classifications),
)
STAGE_OF = {AddEvent: Stage.EVENTS, SetFlow: Stage.FLOW, Aggregate: Stage.AGGREGATES,
            AddDecision: Stage.DECISIONS, AddOpportunity: Stage.OPPORTUNITIES,
            AddPort: Stage.PORTS, AddConsumer: Stage.CONSUMERS, SetCanvasField: Stage.CANVASES}


def slack_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@given(lines)
def test_round_trip(line):
    if isinstance(line, SetFlow):
        assume(any((line.command, line.actor, line.system, line.trigger)))
    assert parse_line(STAGE_OF[type(line)], slack_escape(format_line(line))) == line


# --- lines of another stage ----------------------------------------------------------------

OTHER_STAGE = [
    (Stage.PORTS, "DP1: Ward capacity for D2 reads P2", Stage.CONSUMERS),
    (Stage.EVENTS, "E99: Book shelved", Stage.FLOW),
    (Stage.EVENTS, "Loans: E1, E2", Stage.AGGREGATES),
    (Stage.EVENTS, "DP1 owner: Lending team", Stage.CANVASES),
    (Stage.EVENTS, "D2 automate: renew when nobody waits", Stage.OPPORTUNITIES),
    (Stage.PORTS, "DP1 owner: Lending team", Stage.CANVASES),
    (Stage.CONSUMERS, "DP1: Loans by member for D2", Stage.PORTS),
    (Stage.CANVASES, "new Renewals: Renewal advice for D2 reads P1", Stage.CONSUMERS),
    (Stage.DECISIONS, "E3: Lend book | actor: Librarian", Stage.FLOW),
    (Stage.FLOW, "E3: Decide whether a renewal is allowed", Stage.DECISIONS),
    (Stage.AGGREGATES, "E3: Decide whether a renewal is allowed", Stage.DECISIONS),
    (Stage.OPPORTUNITIES, "new: Decide which books to buy", Stage.DECISIONS),
    (Stage.DECISIONS, "D2 suggest: show the waiting list", Stage.OPPORTUNITIES),
]


@pytest.mark.parametrize(("stage", "text", "other"), OTHER_STAGE)
def test_a_line_of_another_stage_is_refused_with_its_form(stage, text, other):
    err = error(stage, text)
    assert isinstance(err, OtherStage)
    assert err.stage is other
    assert err.hint.startswith(FORMS[other])
    assert f"*{other}*" in err.message or f"`{text.split(':')[0]}:`" in err.message


def test_events_ask_whether_a_flow_line_was_meant():
    err = error(Stage.EVENTS, "E99: Book shelved")
    assert "Did you mean a flow line" in err.message
    assert "E99: <command>" in err.message


def test_an_event_may_hold_a_colon_without_references():
    assert parse_line(Stage.EVENTS, "New member: registered") == AddEvent(
        "New member: registered")


def _ambiguous(line) -> bool:
    """`E3: <text>` is a flow line with only a command or a decision: both stages read it."""
    return (isinstance(line, SetFlow) and not (line.actor or line.system or line.trigger)) \
        or (isinstance(line, AddDecision) and line.event is not None)


@given(lines, st.sampled_from(STAGES))
def test_a_line_with_references_is_refused_in_any_other_stage(line, stage):
    """Written for one stage with references in it, a line typed in another stage's thread is
    refused, with the form of the stage it was written for when its shape says so."""
    written = format_line(line)
    assume(stage is not STAGE_OF[type(line)] and stage is not Stage.REVIEW)
    assume(re.search(r"\b(DP|E|D|O|P)\d+\b", written) and not _ambiguous(line))
    assume(not re.match(r"^(new|idea|e\d+|dp\d+|d\d+|p\d+|o\d+)\b", getattr(
        line, "name", "x"), re.I))
    with pytest.raises(GrammarError) as info:
        parse_line(stage, slack_escape(written))
    err = info.value
    assert err.hint.startswith(FORMS[err.stage])
    if isinstance(err, OtherStage):
        assert err.stage in (STAGE_OF[type(line)], Stage.FLOW, Stage.DECISIONS)


@given(lines)
def test_a_shape_belongs_to_the_stage_that_wrote_it(line):
    """Lines with references in them are recognised as their own stage's, or as none."""
    found = stage_of(format_line(line))
    assert found in (None, STAGE_OF[type(line)]) or isinstance(line, (AddEvent, AddDecision))


@pytest.mark.parametrize("value", ["core", "Supporting domain", "generic, cost reduction",
                                   "core domain, revenue, custom built",
                                   "core, compliance, commodity", "supporting, genesis"])
def test_classification_takes_the_bounded_context_canvas_values(value):
    line = parse_line(Stage.CANVASES, f"DP1 classification: {value}")
    assert line == SetCanvasField("DP1", CanvasField.CLASSIFICATION, value)


@pytest.mark.parametrize("value", ["banana", "revenue", "core, banana", "core, core",
                                   "core, revenue, engagement"])
def test_classification_refuses_other_values_and_says_which(value):
    err = error(Stage.CANVASES, f"DP1 classification: {value}")
    assert "core, supporting or generic" in err.message
    assert "custom built" in err.message


def test_neutral_examples_are_of_no_one_domain():
    shop = ("order", "basket", "delivery", "shop", "customer")
    assert not [e for e in EXAMPLES.values() if any(w in e.lower() for w in shop)]
