"""`/dpflow list [kind]`: every card of a kind, paginated within Block Kit's limits."""

from __future__ import annotations

from dpflow.domain.errors import UserError
from dpflow.domain.model import Board
from dpflow.slack.blocks.kit import actions, button, context, sections
from dpflow.slack.ids import Action
from dpflow.slack.metadata import PageValue
from dpflow.slack.text import esc

PAGE_SIZE = 60  # cards a page: about 6 sections of text, well within one message
KINDS = ("events", "decisions", "opportunities", "ports", "products", "findings")


def card_lines(board: Board, kind: str) -> list[str]:
    match kind:
        case "events":
            return [_event(board, e) for e in board.events]
        case "decisions":
            return [f"*{d.ref}* {esc(d.text)}" + (f" ← {d.event}" if d.event else " (new)")
                    for d in board.decisions]
        case "opportunities":
            return [f"*{o.ref}* {o.mode}: {esc(o.text)}" + (f" ← {o.decision}" if o.decision
                                                           else "")
                    for o in board.opportunities]
        case "ports":
            return [f"*{p.ref}* {esc(p.name)} on {p.data_product}"
                    + (f" for {', '.join(p.supports)}" if p.supports else "")
                    for p in board.ports]
        case "products":
            return [f"*{p.ref}* {esc(p.name)} ({p.kind})"
                    + (f" · owner {esc(p.owner)}" if p.owner else "")
                    for p in board.data_products]
        case "findings":
            return [f"*{f.kind}* {f.subject} [{f.status}] {esc(f.message)}"
                    for f in board.findings]
    raise UserError(f"`{kind[:20]}` is not something I can list. Kinds: {', '.join(KINDS)}.",
                    "/dpflow list decisions")


def listing_blocks(board: Board, kind: str, page: int) -> list[dict]:
    kinds = KINDS if kind == "all" else (kind,)
    lines = [line for k in kinds if (cards := card_lines(board, k))
             for line in ([f"*{k.capitalize()}*"] if kind == "all" else []) + cards]
    pages = max(1, -(-len(lines) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = lines[(page - 1) * PAGE_SIZE: page * PAGE_SIZE] or ["Nothing yet."]
    blocks = sections(shown)
    if pages > 1:
        blocks.append(context(f"Page {page} of {pages} · {len(lines)} lines"))
        nav = [button(label, Action.LIST_PAGE, PageValue(kind=kind, page=n).dump())
               for label, n in
               (("‹ Previous", page - 1), ("Next ›", page + 1)) if 1 <= n <= pages]
        blocks.append(actions(*nav, block_id=f"list:{kind}:{page}"))
    return blocks


def _event(board: Board, e) -> str:
    flow = " · ".join(f"{k} {esc(v)}" for k, v in (("by", e.actor), ("in", e.system),
                                                    ("via", e.command)) if v)
    return f"*{e.ref}* {esc(e.text)}" + (f" — {flow}" if flow else "") \
        + (f" [{e.data_product}]" if e.data_product else "")
