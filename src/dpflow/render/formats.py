"""Every export format: what it is called, what it is for, and how a board becomes it (one
text, or a folder of files)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dpflow.domain.model import Board
from dpflow.render.eventcatalog import to_eventcatalog
from dpflow.render.export import to_json, to_markdown, to_odps
from dpflow.render.odcs import to_contracts
from dpflow.render.report import to_html

Files = dict[str, str]


@dataclass(frozen=True)
class Format:
    name: str
    title: str  # how messages name it: "exported as <title>"
    suffix: str  # after the workshop's file stem: a file's ending, or a folder's
    render: Callable[[Board, Mapping[str, str]], str | Files]
    folder: bool = False
    needs: Callable[[Board], str | None] = lambda board: None  # why it would be empty


def _needs_products(board: Board) -> str | None:
    return None if board.data_products else (
        "There is no data product on the board yet, and ODPS describes data products: "
        "name aggregates (`Orders: E1, E2`) or consumers first.")


def _needs_ports(board: Board) -> str | None:
    return None if board.ports else (
        "There is no output port on the board yet, and ODCS has one contract per output "
        "port: add ports (`DP1: Orders by customer for D2`) first.")


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "JSON (dpflow/v1)", ".json", lambda b, _: to_json(b)),
    Format("md", "Markdown (the canvases, with Mermaid diagrams)", "-canvases.md",
           lambda b, _: to_markdown(b)),
    Format("odps", "Open Data Product Standard YAML", "-odps.yaml", lambda b, _: to_odps(b),
           needs=_needs_products),
    Format("odcs", "Open Data Contract Standard contracts (one per output port)", "-odcs",
           lambda b, _: to_contracts(b), folder=True, needs=_needs_ports),
    Format("eventcatalog", "an EventCatalog folder (domain, services, events, data products, "
           "teams)", "-eventcatalog", lambda b, _: to_eventcatalog(b), folder=True),
    Format("html", "a one-page HTML report", "-report.html", to_html),
)}
ALIASES = {"report": "html"}
NAMES = "|".join(FORMATS)


def format_named(name: str) -> Format | None:
    return FORMATS.get(ALIASES.get(name, name))


def zipped(files: Files, folder: str) -> bytes:
    """The files under one folder, as a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(f"{folder}/{path}", text)
    return buffer.getvalue()
