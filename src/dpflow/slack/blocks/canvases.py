"""Messages about what the workshop leaves behind: canvas summaries, pictures, exports."""

from __future__ import annotations

from dpflow.domain.model import Alignment, DataProduct
from dpflow.render.index import BoardIndex
from dpflow.slack.blocks.kit import context, fit, header, reply, section, sections
from dpflow.slack.text import esc


def canvas_url(team_url: str, team_id: str, canvas_id: str) -> str:
    """Slack's address of a canvas: https://<team domain>.slack.com/docs/<team>/<canvas>."""
    return f"{team_url.rstrip('/')}/docs/{team_id}/{canvas_id}"


def canvas_summary(index: BoardIndex, product: DataProduct, link: str | None) -> dict:
    """chat.postMessage / chat.update arguments naming a data product and linking its canvas."""
    ref = product.ref
    facts = [f"*{product.kind}* data product",
             f"*Owner:* {esc(product.owner) if product.owner else f'not set — `{ref} owner: …`'}",
             "*Purpose:* "
             + (esc(product.purpose) if product.purpose else f"not set — `{ref} purpose: …`")]
    if product.classification:
        facts.append(f"*Classification:* {esc(product.classification)}")
    where = (f"<{link}|Open the canvas of {ref}>" if link
             else "The canvas is in the Markdown file in the thread.")
    blocks = [header(f"{ref} · {product.name}"), section("\n".join(facts) + f"\n{where}")]
    ports = [f"• *{p.ref}* {esc(p.name)}" + (f" — for {', '.join(p.supports)}" if p.supports
                                             else "")
             for p in index.ports_of.get(ref, [])]
    blocks += [section("*Output ports*"), *sections(ports)] if ports else [
        section(f"*Output ports:* none yet — `{ref}: <port name> for D2` in the ports thread")]
    if product.kind == Alignment.CONSUMER and product.reads:
        blocks.append(section("*Reads:* " + ", ".join(_read(index, r) for r in product.reads)))
    blocks.append(context(f"Fill the canvas in the canvases thread: `{ref} <field>: <value>`"
                          " (owner, purpose, classification, term, assumption, metric, "
                          "question); `/dpflow canvas " + ref + "` posts it again."))
    return {"text": f"Canvas of {ref} · {esc(product.name)}", "blocks": fit(blocks)}


def _read(index: BoardIndex, port_ref: str) -> str:
    producer = index.producer_of(port_ref)
    return f"{port_ref} (of {producer.ref})" if producer else port_ref


def canvases_refused(error: str) -> dict:
    """Said once per workshop: why files come instead of canvases."""
    return {"text": "Canvases are not available here: Markdown files instead",
            "blocks": [section(
                f"Slack did not let dpflow create canvases in this workspace (`{esc(error)}`). "
                "Each data product gets its summary message and its canvas as a Markdown file "
                "instead. Canvases need a paid Slack plan and the `canvases:write` scope; once "
                "they are available, `/dpflow canvas` posts them as canvases.")]}


def pictures_comment(workshop_name: str, boards: int, maps: int) -> str:
    board = "the board" if boards == 1 else f"the board in {boards} parts"
    return (f"{esc(workshop_name)}: {board} (one lane per data product) and the data product map "
            f"({maps} {'picture' if maps == 1 else 'pictures'}).")


def export_comment(workshop_name: str, title: str) -> str:
    return f"{esc(workshop_name)}, exported as {title}."


def canvas_requested(products: list[DataProduct]) -> dict:
    names = ", ".join(f"{p.ref} {esc(p.name)}" for p in products[:30])
    more = f" and {len(products) - 30} more" if len(products) > 30 else ""
    return reply(f"Posting {len(products)} canvases.", [section(
        f"Posting the canvas of {names}{more} in the canvases thread (or the channel), with a "
        "summary message each. A canvas posted before is updated, not repeated.")])


def export_requested(workshop_name: str, title: str, to_channel: bool) -> dict:
    where = "to this channel" if to_channel else "to you in a direct message"
    return reply(f"Exporting {esc(workshop_name)}.", [section(
        f"Exporting *{esc(workshop_name)}* as {title}: the file comes {where} in a "
        "moment.")])
