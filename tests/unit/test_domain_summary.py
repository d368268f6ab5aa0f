"""Each stage's summary counts what its lines made, per kind (one test per stage)."""

import pytest

from dpflow.domain.model import Stage
from dpflow.domain.summary import Counted, summarize
from tests.boards import sample_board


def said(stage: Stage, lines: list[tuple[str, str]], fixes: list[str] = ()) -> str:
    return summarize(sample_board(), stage, lines, fixes).said


def test_events():
    assert said(Stage.EVENTS, [("U1", "Book lent"), ("U2", "Book returned")]) == "2 events"


def test_flow():
    assert said(Stage.FLOW, [("U1", "E1: Lend book | actor: Librarian"),
                             ("U2", "E2: system: Catalogue")]) == "2 flow lines"


def test_aggregates_count_each_aggregate_once():
    lines = [("U1", "Loans: E1, E2"), ("U2", "loans: E3"), ("U2", "Holds: E4")]
    assert said(Stage.AGGREGATES, lines) == "2 aggregates"


def test_decisions():
    assert said(Stage.DECISIONS, [("U1", "E1: Decide whether to lend"),
                                  ("U1", "new: Decide which books to buy")]) == "2 decisions"


def test_opportunities():
    assert said(Stage.OPPORTUNITIES, [("U1", "D1 automate: renew when nobody waits"),
                                      ("U1", "D2 suggest: show the waiting list"),
                                      ("U2", "idea: sell reading trends")]) == "3 opportunities"


def test_ports():
    assert said(Stage.PORTS, [("U1", "DP1: Loans by member for D1")]) == "1 output port"


def test_consumers_make_products_and_their_ports():
    lines = [("U1", "new Renewals: Renewal advice for D1 reads P1"),
             ("U2", "new Purchasing: Books to buy for D4 reads P2"),
             ("U2", "new renewals: Members who wait for D2")]
    assert said(Stage.CONSUMERS, lines) == "2 data products · 3 output ports"


def test_review_counts_the_fixes_applied():
    summary = summarize(sample_board(), Stage.REVIEW, [], ["U1", "U1"])
    assert summary.said == "2 fixes applied"
    assert summary.by_person == {"U1": 2}


def test_canvases_count_canvas_fields_not_data_products():
    lines = [("U1", f"DP{i % 3 + 1} term: word {i}") for i in range(16)]
    summary = summarize(sample_board(), Stage.CANVASES, lines)
    assert summary.said == "16 canvas fields"
    assert summary.open_items == ["Data products without an owner: DP2",
                                  "Data products without a purpose: DP2, DP3"]


def test_by_person_most_first_and_nothing_when_empty():
    summary = summarize(sample_board(), Stage.EVENTS,
                        [("U2", "a happened"), ("U1", "b happened"), ("U2", "c happened")])
    assert list(summary.by_person.items()) == [("U2", 2), ("U1", 1)]
    assert summarize(sample_board(), Stage.EVENTS, []).said == "nothing"


@pytest.mark.parametrize(("kind", "n", "words"), [
    (Counted.FIX, 1, "1 fix applied"), (Counted.OPPORTUNITY, 2, "2 opportunities"),
    (Counted.CANVAS_FIELD, 3, "3 canvas fields")])
def test_counted_words(kind, n, words):
    assert kind.times(n) == words
