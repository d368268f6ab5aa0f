"""What one parsed line of the contribution grammar (SPEC §3) asks for."""

from __future__ import annotations

from dataclasses import dataclass

from dpflow.domain.model import CanvasField, Mode


@dataclass(frozen=True)
class AddEvent:
    text: str


@dataclass(frozen=True)
class SetFlow:
    event: str
    command: str | None = None
    actor: str | None = None
    system: str | None = None
    trigger: str | None = None


@dataclass(frozen=True)
class Aggregate:
    name: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class AddDecision:
    text: str
    event: str | None = None  # None: `new: …`


@dataclass(frozen=True)
class AddOpportunity:
    mode: Mode
    text: str
    decision: str | None = None  # None: `idea: …`


@dataclass(frozen=True)
class AddPort:
    data_product: str
    name: str
    supports: tuple[str, ...] = ()


@dataclass(frozen=True)
class AddConsumer:
    name: str
    port_name: str
    supports: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetCanvasField:
    data_product: str
    field: CanvasField
    value: str


Line = (AddEvent | SetFlow | Aggregate | AddDecision | AddOpportunity | AddPort | AddConsumer
        | SetCanvasField)
