"""Stage 8: the app checks the board the way a facilitator would and proposes fixes.

`review` is pure and deterministic: findings come in the order of FindingKind, then board
order, with stable keys; a finding already on the board keeps its status and answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import combinations

from dpflow.domain.guide import subject_of
from dpflow.domain.lines import AddConsumer
from dpflow.domain.model import (
    Alignment,
    Board,
    DataProduct,
    Decision,
    Finding,
    FindingKind,
    FindingStatus,
    Mode,
)

BOUNDARY_QUESTIONS: dict[str, str] = {
    "same_process": "Does one business process produce both at the same time?",
    "consistency": "Must the two stay consistent with each other?",
    "different_ownership": "Could they have different owners in the long run?",
}

_TABLE_LIKE = re.compile(r"^(dim|fact|tbl|stg)_|^\S*_\S*$", re.IGNORECASE)
_TABLE_PREFIX = re.compile(r"^(dim|fact|tbl|stg)_", re.IGNORECASE)


@dataclass(frozen=True)
class SplitFix:
    """A fix that moves decision support into a consumer-aligned data product.

    Apply `consumer` like a consumers line (the product is created or reused by name), then
    remove each (port ref, decision ref) of `unlink` from that port's `supports`.
    """

    consumer: AddConsumer
    unlink: tuple[tuple[str, str], ...]


def review(board: Board, answers: dict[str, dict[str, bool]] | None = None) -> list[Finding]:
    """All findings on `board`; `answers[key]` holds consumer-boundary answers by question."""
    before = {f.key: f for f in board.findings}
    found = [*_mixed_planes(board), *_automated(board), *_boundaries(board, answers or {}, before),
             *_unsupported(board), *_unused(board), *_no_owner(board), *_table_like(board)]
    for finding in found:
        if finding.key in before:
            finding.status = before[finding.key].status
    return found


def live(board: Board) -> list[Finding]:
    """The findings as the board shows them now, from those on record (`board.findings`):
    one whose cause is gone is resolved, one whose cause is back is open again, applied and
    dismissed ones stay on record, and a new cause is a new open finding."""
    found = {f.key: f for f in review(board)}
    now = []
    for known in board.findings:
        finding = found.pop(known.key, None)
        if finding is None:
            resolved = known.status is FindingStatus.OPEN
            now.append(replace(known, status=FindingStatus.RESOLVED, decided_by=None,
                               decided_at=None) if resolved else known)
        elif known.status is FindingStatus.RESOLVED:
            now.append(replace(finding, status=FindingStatus.OPEN))
        else:
            now.append(replace(finding, details={**known.details, **finding.details},
                               decided_by=known.decided_by, decided_at=known.decided_at))
    return now + list(found.values())


def mixed_planes_fix(board: Board, finding: Finding) -> SplitFix:
    product = board.product(finding.subject)
    decisions = tuple(finding.details["decisions"])
    name = f"{product.name} decision support"
    return _split(board, name, name, decisions)


def automated_decision_fix(board: Board, finding: Finding) -> SplitFix:
    """A short name from what the decision's event happened to (`Renewal automation`, port
    `Renewal decisions`), else from its ref; people rename it with `/dpflow edit`."""
    decision = board.card(finding.subject)
    event = board.card(decision.event) if decision.event else None
    subject = _short(subject_of(event.text), 60) if event and subject_of(event.text) else None
    name = f"{subject or decision.ref} automation"
    taken = board.product_named(name)
    if taken is not None and (taken.kind is Alignment.SOURCE
                              or not _supported(board, taken) <= {decision.ref}):
        name = f"{decision.ref} automation"
    return _split(board, name, f"{subject or decision.ref} decisions", (decision.ref,))


def _split(board: Board, name: str, port_name: str, decisions: tuple[str, ...]) -> SplitFix:
    target = board.product_named(name)
    unlink = tuple((p.ref, d) for d in decisions for p in board.ports_supporting(d)
                   if not target or p.data_product != target.ref)
    reads = tuple(dict.fromkeys(port for port, _ in unlink))
    return SplitFix(AddConsumer(name, port_name, decisions, reads), unlink)


def _short(name: str, limit: int = 100) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _mixed_planes(board: Board) -> list[Finding]:
    return [f for dp in board.data_products if (f := _mixed_plane(board, dp))]


def _mixed_plane(board: Board, dp: DataProduct) -> Finding | None:
    """Support from other source-aligned products' ports: after the fix, support comes
    from a consumer-aligned product, so the finding does not come back."""
    systems = board.systems_of(dp.ref)
    if dp.kind is not Alignment.SOURCE or not systems:
        return None
    own = {e.ref for e in board.events_of(dp.ref)}
    support = {d.ref: _foreign_ports(board, dp, d) for d in board.decisions if d.event in own}
    support = {d: ports for d, ports in support.items() if ports}
    if not support:
        return None
    ports = sorted({p for ps in support.values() for p in ps}, key=_order(board))
    decisions = ", ".join(support)
    return Finding(
        FindingKind.MIXED_PLANES, dp.ref,
        f"{dp.name} ({dp.ref}) runs on its golden {_sources(systems)} and also takes "
        f"{'decision' if len(support) == 1 else 'decisions'} {decisions} with data from "
        f"other data products ({', '.join(ports)}): it "
        f"mixes the operational and analytical planes. Keep {dp.name} source-aligned and "
        f"move the data-driven support of {decisions} into a new consumer-aligned data "
        "product.",
        details={"decisions": list(support), "ports": ports})


def _foreign_ports(board: Board, dp: DataProduct, decision: Decision) -> list[str]:
    return [p.ref for p in board.ports_supporting(decision.ref)
            if p.data_product != dp.ref and _kind(board, p.data_product) is Alignment.SOURCE]


def _kind(board: Board, dp_ref: str) -> Alignment | None:
    product = board.product(dp_ref)
    return product.kind if product else None


def _order(board: Board):
    refs = [p.ref for p in board.ports]
    return refs.index


def _automated(board: Board) -> list[Finding]:
    automated = dict.fromkeys(o.decision for o in board.opportunities
                              if o.mode is Mode.AUTOMATE and o.decision)
    return [Finding(FindingKind.AUTOMATED_DECISION, d.ref,
                    f"{d.ref} “{d.text}” can be fully automated: give it its own "
                    "consumer-aligned data product, so the automated decision has its own "
                    "owner and does not sit in the operational plane.")
            for d in board.decisions if d.ref in automated and not _dedicated(board, d.ref)]


def _dedicated(board: Board, decision: str) -> bool:
    """A consumer-aligned product whose ports support this decision and no other."""
    return any(dp.kind is Alignment.CONSUMER and _supported(board, dp) == {decision}
               for dp in board.data_products)


def _supported(board: Board, dp: DataProduct) -> set[str]:
    return {d for p in board.ports_of(dp.ref) for d in p.supports}


def _boundaries(board: Board, answers: dict[str, dict[str, bool]],
                before: dict[str, Finding]) -> list[Finding]:
    found = []
    for dp in board.data_products:
        if dp.kind is not Alignment.CONSUMER:
            continue
        for a, b in combinations(board.ports_of(dp.ref), 2):
            key = f"{FindingKind.CONSUMER_BOUNDARY}:{a.ref}+{b.ref}"
            given = answers.get(key) or (before[key].details.get("answers", {})
                                         if key in before else {})
            advice = boundary_advice(given)
            found.append(Finding(
                FindingKind.CONSUMER_BOUNDARY, dp.ref,
                f"{a.ref} “{a.name}” and {b.ref} “{b.name}” are both on {dp.name} ({dp.ref}). "
                + _ADVICE[advice], key=key,
                details={"ports": [a.ref, b.ref], "answers": dict(given),
                         "recommendation": advice}))
    return found


_ADVICE = {
    "keep": "Keep them together in one data product: the same process or the need for "
            "consistency ties them, under one owner.",
    "split": "Split them into separate data products: they can live apart with their own "
             "owners.",
    "ask": "Answer the three questions to decide whether they stay together: "
           + " ".join(BOUNDARY_QUESTIONS.values()),
}


def boundary_advice(answers: dict[str, bool]) -> str:
    """"keep", "split" or "ask" from the answers given so far to BOUNDARY_QUESTIONS."""
    same, consistent = answers.get("same_process"), answers.get("consistency")
    apart = answers.get("different_ownership")
    if apart or (same is False and consistent is False):
        return "split"
    if apart is False and (same or consistent):
        return "keep"
    return "ask"


def _unsupported(board: Board) -> list[Finding]:
    supported = board.supported_decisions()
    return [Finding(FindingKind.UNSUPPORTED_DECISION, d.ref,
                    f"No output port supports {d.ref} “{d.text}”: find the data that would "
                    "help take it and add it as an output port, on an existing data product "
                    "or on a new consumer-aligned one.")
            for d in board.decisions if d.ref not in supported]


def _unused(board: Board) -> list[Finding]:
    """Ports read by another product serve that product's decisions, so they count as used."""
    read = board.read_ports()
    return [Finding(FindingKind.UNUSED_PORT, p.ref,
                    f"Output port {p.ref} “{p.name}” supports no decision and no data product "
                    "reads it: link it to the decisions it helps with, or remove it.")
            for p in board.ports if not p.supports and p.ref not in read]


def _no_owner(board: Board) -> list[Finding]:
    return [Finding(FindingKind.NO_OWNER, dp.ref,
                    f"{dp.name} ({dp.ref}) has no owner: name the team that will own it "
                    f"with `{dp.ref} owner: <team>`.")
            for dp in board.data_products if not dp.owner]


def _table_like(board: Board) -> list[Finding]:
    return [Finding(FindingKind.TABLE_LIKE_NAME, p.ref,
                    f"Output port {p.ref} “{p.name}” is named like a table. Name it in the "
                    "domain's language, after what people would read there, in a few plain "
                    "words.")
            for p in board.ports if is_table_like(p.name)]


def is_table_like(name: str) -> bool:
    """`dim_`/`fact_`/`tbl_`/`stg_` prefixes, or one word joined by underscores."""
    return bool(_TABLE_LIKE.search(name.strip()))


def domain_name(name: str) -> str:
    """A plain-words suggestion for a table-like port name: `fact_orders` → `Orders`."""
    text = " ".join(_TABLE_PREFIX.sub("", name.strip()).replace("_", " ").split())
    return text[:1].upper() + text[1:] if text else name


def _sources(systems: list[str]) -> str:
    if len(systems) == 1:
        return f"source {systems[0]}"
    return f"sources {', '.join(systems[:-1])} and {systems[-1]}"
