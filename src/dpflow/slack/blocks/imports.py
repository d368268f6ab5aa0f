"""The import form (what each colour of the shared board stands for, and the new workshop's
name where none runs), and what the import did."""

from __future__ import annotations

from dpflow.domain.importing import Colour, Kind
from dpflow.domain.stickies import colour_name, name_of
from dpflow.services.imports import Outcome
from dpflow.slack.blocks.kit import MODAL_BLOCKS, context, fit, section, sections
from dpflow.slack.ids import Block, Callback
from dpflow.slack.metadata import ImportContext
from dpflow.slack.text import clip, esc, plain


def import_form(filename: str, stickies: int, found: list[Colour], ctx: ImportContext) -> dict:
    blocks = [section(f"*{esc(filename)}* holds {stickies} sticky notes in {len(found)} "
                      f"colour{'' if len(found) == 1 else 's'}. Say what each colour stands "
                      "for on this board; nothing is stored until you press *Import*.")]
    if ctx.workshop is None:
        blocks += [_text_input(Block.NAME, "Name of the workshop it starts", name_of(filename)),
                   _text_input(Block.DOMAIN, "Domain", optional=True)]
    blocks += [_colour_select(i, colour) for i, colour in enumerate(found)]
    blocks.append(context("Events go on the timeline from left to right; a command, actor, "
                          "system, trigger or decision joins the event nearest to it across "
                          "the board. What cannot be placed is listed after the import."))
    return {
        "type": "modal", "callback_id": Callback.IMPORT_FORM,
        "title": _plain("Import a board"), "submit": _plain("Import"),
        "close": _plain("Cancel"), "private_metadata": ctx.dump(), "blocks": blocks,
    }


def import_result(outcome: Outcome, filename: str) -> dict:
    imported, workshop = outcome.imported, outcome.workshop
    said = (f"Imported *{esc(filename)}* into *{esc(workshop.name)}*: {imported.said}.")
    if outcome.started:
        said += (" The workshop has started here with you as its facilitator; the *events* "
                 "stage message is in the channel, and `/dpflow next` opens the flow.")
    blocks = [section(said)]
    if imported.left_out:
        blocks += [section(f"*Left out ({len(imported.left_out)})*"),
                   *sections([f"• {esc(str(item))}" for item in imported.left_out]),
                   context("Add these with `/dpflow add` while their stage is open, or fix "
                           "the board and import it again: what the board holds already is "
                           "not added twice.")]
    return {"type": "modal", "title": _plain("Board imported"), "close": _plain("Done"),
            "blocks": fit(blocks, MODAL_BLOCKS)}


def _colour_select(i: int, colour: Colour) -> dict:
    block_id = f"{Block.COLOUR}_{i}"
    label = f"{colour_name(colour.colour)} · {colour.count} " \
            f"stick{'y' if colour.count == 1 else 'ies'}"
    block = {"type": "input", "block_id": block_id, "label": _plain(label, 2000),
             "element": {"type": "static_select", "action_id": block_id,
                         "options": [_option(k) for k in Kind],
                         "initial_option": _option(colour.kind)}}
    if colour.example:
        block["hint"] = _plain(f"e.g. “{colour.example}”", 2000)
    return block


def _text_input(block_id: str, label: str, initial: str = "", optional: bool = False) -> dict:
    element = {"type": "plain_text_input", "action_id": block_id, "max_length": 200}
    if initial:
        element["initial_value"] = plain(initial)
    return {"type": "input", "block_id": block_id, "label": _plain(label),
            "optional": optional, "element": element}


def _option(kind: Kind) -> dict:
    return {"text": _plain(kind.label), "value": kind.value}


def _plain(text: str, limit: int = 75) -> dict:
    return {"type": "plain_text", "text": clip(plain(text), limit)}
