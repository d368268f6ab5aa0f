"""Posting one canvas per data product: which products, where, and what was posted before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from dpflow.domain.errors import UserError
from dpflow.domain.model import Board, DataProduct, Stage
from dpflow.services import jobs
from dpflow.services.context import Actor, active_workshop
from dpflow.services.jobs import Job
from dpflow.store.models import PostedCanvasRow, PostedPicturesRow
from dpflow.store.uow import UnitOfWorkFactory

FORM = "/dpflow canvas DP1"


@dataclass(frozen=True)
class Posted:
    canvas_id: str | None  # None: Slack refused canvases, the Markdown file went instead
    message_ts: str | None  # the summary message


@dataclass(frozen=True)
class Posting:
    board: Board
    products: list[DataProduct]
    thread_ts: str | None  # the open canvases stage's thread; None posts in the channel
    posted: dict[str, Posted]  # DP ref → what was posted for it before
    explained: bool  # people were told once why files come instead of canvases


async def request(uows: UnitOfWorkFactory, actor: Actor, ref: str | None) -> list[DataProduct]:
    """`/dpflow canvas [DP ref]`: queue the posting; the products that will be posted."""
    async with uows() as uow:
        workshop = await active_workshop(uow.repo, actor)
        products = chosen(await uow.repo.board(workshop), ref)
        await jobs.queue(uow.repo, Job.POST_CANVASES, jobs.Canvases(
            workshop=workshop.id, products=[p.ref for p in products]))
        await jobs.redraw_pictures(uow.repo, workshop.id, delay=timedelta(0))
        await uow.commit()
        return products


def chosen(board: Board, ref: str | None) -> list[DataProduct]:
    if not board.data_products:
        raise UserError("There is no data product on the board yet: canvases come from the "
                        "aggregates and consumers stages.", "/dpflow stage aggregates")
    if ref is None:
        return list(board.data_products)
    product = board.product(ref.upper())
    if product is not None:
        return [product]
    card = board.card(ref)
    known = ", ".join(p.ref for p in board.data_products[:20])
    if card is not None:
        raise UserError(f"{card.ref} is not a data product: each canvas belongs to one data "
                        f"product ({known}).", FORM)
    raise UserError(f"There is no data product `{ref[:20]}` on this board. The data products: "
                    f"{known}{'…' if len(board.data_products) > 20 else ''}.", FORM)


async def posting(uows: UnitOfWorkFactory, workshop_id: str,
                  refs: list[str] | None) -> Posting:
    """What a POST_CANVASES job posts: the chosen products (all without refs), and where."""
    async with uows.read() as uow:
        workshop = await uow.repo.workshop(workshop_id)
        board = await uow.repo.board(workshop)
        run = await uow.repo.current_run(workshop_id)
        thread = run.message_ts if run and run.stage == Stage.CANVASES else None
        rows = await uow.repo.posted_canvases(workshop_id)
        wanted = set(refs) if refs is not None else None
        products = [p for p in board.data_products if wanted is None or p.ref in wanted]
        posted = {ref: Posted(r.canvas_id, r.message_ts) for ref, r in rows.items()}
        explained = any(r.canvas_id is None for r in rows.values())
        return Posting(board, products, thread, posted, explained)


async def posted_refs(uows: UnitOfWorkFactory, workshop_id: str) -> list[str]:
    """The data products whose canvases have been posted."""
    async with uows.read() as uow:
        return list(await uow.repo.posted_canvases(workshop_id))


async def record(uows: UnitOfWorkFactory, workshop_id: str, dp_ref: str,
                 posted: Posted) -> None:
    async with uows() as uow:
        card = await uow.repo.card(workshop_id, dp_ref)
        if card is None:  # deleted while it was being posted
            return
        row = await uow.repo.posted_canvas(workshop_id, card.id)
        if row is None:
            row = PostedCanvasRow(workshop_id=workshop_id, card_id=card.id)
            uow.repo.add(row)
        row.canvas_id, row.message_ts = posted.canvas_id, posted.message_ts
        await uow.commit()


@dataclass(frozen=True)
class Pictures:
    """Board and map pictures as posted: where, the message saying what they show, the
    files, and a digest of the pictures (the same pictures are not posted again)."""

    channel_id: str
    thread_ts: str | None
    comment_ts: str
    file_ids: tuple[str, ...]
    digest: str


@dataclass(frozen=True)
class PicturesPlace:
    board: Board
    thread_ts: str | None  # the canvases stage's thread, else the channel
    before: Pictures | None


async def pictures_place(uows: UnitOfWorkFactory, workshop_id: str) -> PicturesPlace:
    async with uows() as uow:
        workshop = await uow.repo.workshop(workshop_id)
        run = await uow.repo.last_run_of(workshop_id, Stage.CANVASES.value)
        row = await uow.repo.posted_pictures(workshop_id)
        before = row and Pictures(row.channel_id, row.thread_ts, row.comment_ts,
                                  tuple(row.file_ids), row.digest)
        return PicturesPlace(await uow.repo.board(workshop), run and run.message_ts, before)


async def pictures_posted(uows: UnitOfWorkFactory, workshop_id: str, posted: Pictures) -> None:
    async with uows() as uow:
        row = await uow.repo.posted_pictures(workshop_id)
        if row is None:
            row = PostedPicturesRow(workshop_id=workshop_id)
            uow.repo.add(row)
        row.channel_id, row.thread_ts, row.comment_ts = (posted.channel_id, posted.thread_ts,
                                                         posted.comment_ts)
        row.file_ids, row.digest = list(posted.file_ids), posted.digest
        await uow.commit()
