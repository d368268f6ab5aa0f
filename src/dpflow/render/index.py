"""Lookups over a board, built once so that rendering stays linear in the board's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from dpflow.domain.model import Board, DataProduct, Decision, Event, Opportunity, Port


@dataclass
class BoardIndex:
    """The board's relations as dictionaries: what Board's helpers find by scanning."""

    board: Board
    products: dict[str, DataProduct] = field(default_factory=dict)
    ports: dict[str, Port] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    events_of: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    ports_of: dict[str, list[Port]] = field(default_factory=lambda: defaultdict(list))
    readers_of: dict[str, list[DataProduct]] = field(default_factory=lambda: defaultdict(list))
    decisions_of: dict[str, list[Decision]] = field(default_factory=lambda: defaultdict(list))
    opportunities_of: dict[str, list[Opportunity]] = field(
        default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, board: Board) -> BoardIndex:
        index = cls(board)
        index.products = {p.ref: p for p in board.data_products}
        index.ports = {p.ref: p for p in board.ports}
        index.decisions = {d.ref: d for d in board.decisions}
        for event in board.events:
            if event.data_product:
                index.events_of[event.data_product].append(event)
        for port in board.ports:
            index.ports_of[port.data_product].append(port)
        for product in board.data_products:
            for port_ref in dict.fromkeys(product.reads):
                index.readers_of[port_ref].append(product)
        for decision in board.decisions:
            if decision.event:
                index.decisions_of[decision.event].append(decision)
        for opportunity in board.opportunities:
            if opportunity.decision:
                index.opportunities_of[opportunity.decision].append(opportunity)
        return index

    def systems_of(self, dp_ref: str) -> list[str]:
        """Golden-source systems: the systems of the product's events, first seen first."""
        return list(dict.fromkeys(e.system for e in self.events_of.get(dp_ref, []) if e.system))

    def supported_by(self, dp_ref: str) -> list[str]:
        """D refs the product's output ports support, in port order, without repeats."""
        return list(dict.fromkeys(d for p in self.ports_of.get(dp_ref, []) for d in p.supports))

    def producer_of(self, port_ref: str) -> DataProduct | None:
        port = self.ports.get(port_ref)
        return self.products.get(port.data_product) if port else None
