"""The workshop as a folder an EventCatalog (3.8 or later) project takes as is: the domain
with its ubiquitous language, systems as services that send their events, the events, data
products with their inputs and outputs (each output port a container with its ODCS
contract), and owners as teams."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from dpflow.domain.model import Alignment, Board, DataProduct, Event, Mode, Port
from dpflow.render import mermaid
from dpflow.render.canvas import canvas_context, decision_view
from dpflow.render.export import VERSION, YAML_DUMPER
from dpflow.render.index import BoardIndex
from dpflow.render.odcs import contract, contract_filename, dump

CONTRACTS = "contracts"
BADGES = {Alignment.SOURCE: ("Source-aligned", "gray"),
          Alignment.CONSUMER: ("Consumer-aligned", "yellow")}
_REFERENCE = re.compile(r"[{}<>&]")
_BACKSLASH = re.compile(r"([\\`*_\[\]#|~^$!])")
_LIST_START = re.compile(r"^([+-]|\d+(?=[.)]))")
_TERM = re.compile(r"\s+[—–-]\s+|:\s+")


def mdx(value: object) -> str:
    """User text that stays text in MDX: no expression, JSX, HTML, markup or list start."""
    flat = _BACKSLASH.sub(r"\\\1", " ".join(str(value).split()))
    flat = _LIST_START.sub(r"\1\\" if flat[:1].isdigit() else r"\\\1", flat, count=1)
    return _REFERENCE.sub(lambda m: f"&#{ord(m[0])};", flat)


@lru_cache(maxsize=1)
def _pages():
    env = Environment(loader=PackageLoader("dpflow.render", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=lambda v: v if isinstance(v, Markup) else Markup(mdx(v)))
    return env.get_template("eventcatalog.mdx.j2").module


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


@dataclass
class _Ids:
    """EventCatalog ids, unique across the folder (inputs and outputs name any resource)."""

    taken: set[str] = field(default_factory=set)

    def new(self, text: str, ref: str) -> str:
        base = slug(text) or ref.lower()
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{ref.lower()}" if n == 2 else f"{base}-{ref.lower()}-{n}"
        self.taken.add(candidate)
        return candidate


def to_eventcatalog(board: Board) -> dict[str, str]:
    """Relative path → file content of the whole folder."""
    return _Catalog(BoardIndex.of(board)).files()


class _Catalog:
    def __init__(self, index: BoardIndex):
        self.index, self.board = index, index.board
        w = self.board.workshop
        ids = _Ids()
        self.domain = ids.new(w.domain or w.name, "domain")
        self.workshop_team = ids.new(f"{w.name} workshop", "team")
        self.teams = {o: ids.new(o, "team") for o in
                      dict.fromkeys(p.owner for p in self.board.data_products if p.owner)}
        self.services = {s: ids.new(s, "system") for s in
                         dict.fromkeys(e.system for e in self.board.events if e.system)}
        self.events = {e.ref: ids.new(e.text, e.ref) for e in self.board.events}
        self.products = {p.ref: ids.new(p.name, p.ref) for p in self.board.data_products}
        self.ports = {p.ref: ids.new(p.name, p.ref) for p in self.board.ports
                      if p.data_product in self.index.products}
        self.root = f"domains/{self.domain}"

    def files(self) -> dict[str, str]:
        files = {f"{self.root}/index.mdx": self.domain_page(),
                 f"{self.root}/ubiquitous-language.mdx": self.language()}
        for system in self.services:
            files[f"{self.service_dir(system)}/index.mdx"] = self.service_page(system)
        for event in self.board.events:
            files[f"{self.event_dir(event)}/index.mdx"] = self.event_page(event)
        for product in self.board.data_products:
            folder = f"{self.root}/data-products/{self.products[product.ref]}"
            files[f"{folder}/index.mdx"] = self.product_page(product)
            for port in self.index.ports_of.get(product.ref, []):
                files[f"{folder}/{self.contract_path(port)}"] = dump(contract(self.index, port))
                files[f"{self.root}/containers/{self.ports[port.ref]}/index.mdx"] = \
                    self.port_page(port)
        files[f"teams/{self.workshop_team}.mdx"] = self.team_page(None)
        for owner, team in self.teams.items():
            files[f"teams/{team}.mdx"] = self.team_page(owner)
        return files

    # --- places and owners -------------------------------------------------------------

    def service_dir(self, system: str) -> str:
        return f"{self.root}/services/{self.services[system]}"

    def event_dir(self, event: Event) -> str:
        parent = self.service_dir(event.system) if event.system else self.root
        return f"{parent}/events/{self.events[event.ref]}"

    @staticmethod
    def contract_path(port: Port) -> str:
        return f"{CONTRACTS}/{contract_filename(port)}"

    def owners(self, product: DataProduct | None) -> list[str]:
        if product is not None and product.owner:
            return [self.teams[product.owner]]
        return [self.workshop_team]

    # --- pages ---------------------------------------------------------------------------

    def domain_page(self) -> str:
        w, board = self.board.workshop, self.board
        counts = (f"{len(board.events)} events, {len(board.decisions)} decisions, "
                  f"{len(board.data_products)} data products")
        front = self.front(self.domain, w.domain or w.name,
                           f"{w.name}: the Data Product Flow workshop's domain ({counts}).",
                           self.owners(None))
        front["services"] = [{"id": s} for s in self.services.values()]
        front["data-products"] = [{"id": p} for p in self.products.values()]
        flows = [Markup(mermaid.fenced(d)) for d in mermaid.flow_diagrams(board.events)]
        product_map = Markup(mermaid.fenced(mermaid.map_diagram(self.index))) \
            if board.data_products else ""
        decisions = [decision_view(self.index, d.ref) for d in board.decisions]
        ideas = [o for o in board.opportunities if o.mode == Mode.IDEA]
        return page(front, _pages().domain(w, counts, flows, product_map, decisions, ideas,
                                           board.data_products))

    def language(self) -> str:
        ids = _Ids()
        dictionary = []
        for product in self.board.data_products:
            for term in product.terms:
                name, meaning = _split_term(term)
                entry = {"id": ids.new(name, product.ref), "name": name}
                if meaning:
                    entry["summary"] = meaning
                entry["description"] = f"From the canvas of {product.ref} {product.name}."
                dictionary.append(entry)
        return page({"dictionary": dictionary}, [])

    def service_page(self, system: str) -> str:
        events = [e for e in self.board.events if e.system == system]
        front = self.front(self.services[system], system,
                           f"Operational system, golden source of {len(events)} "
                           f"event{'s' * (len(events) != 1)} in the workshop's flow.",
                           self.owners(None))
        front["sends"] = [{"id": self.events[e.ref]} for e in events]
        return page(front, _pages().service(system, events))

    def event_page(self, event: Event) -> str:
        product = self.index.products.get(event.data_product or "")
        facts = [f"{k}: {v}" for k, v in (("command", event.command), ("actor", event.actor),
                                          ("trigger", event.trigger)) if v]
        summary = f"{event.ref} on the workshop's timeline" + (
            f" ({'; '.join(facts)})" if facts else "") + "."
        front = self.front(self.events[event.ref], event.text, summary, self.owners(product))
        return page(front, _pages().event(event, product,
                                          self.index.decisions_of.get(event.ref, [])))

    def product_page(self, product: DataProduct) -> str:
        context = canvas_context(self.index, product)
        kind, colour = BADGES[product.kind]
        summary = product.purpose or f"{kind} data product of {self.board.workshop.name}."
        front = self.front(self.products[product.ref], product.name, summary,
                           self.owners(product))
        front["badges"] = [{"content": kind, "backgroundColor": colour, "textColor": colour}]
        if not product.owner:
            front["badges"].append({"content": "Owner not set", "backgroundColor": "red",
                                    "textColor": "red"})
        inputs = [self.events[e.ref] for e in context["events"]] + [
            self.ports[i["ref"]] for i in context["input_ports"] if i["ref"] in self.ports]
        front["inputs"] = [{"id": i} for i in inputs]
        front["outputs"] = [{"id": self.ports[p.ref], "contract": {
            "path": self.contract_path(p), "name": f"{p.ref} {p.name}", "type": "odcs"}}
            for p in self.index.ports_of.get(product.ref, [])]
        contracts = {p.ref: self.contract_path(p)
                     for p in self.index.ports_of.get(product.ref, [])}
        product_map = Markup(mermaid.fenced(mermaid.map_diagram(self.index, product.ref)))
        return page(front, _pages().product(context, contracts, product_map))

    def port_page(self, port: Port) -> str:
        product = self.index.products[port.data_product]
        decisions = [decision_view(self.index, d) for d in port.supports]
        supports = "; ".join(f"{d['ref']} {d['text']}" for d in decisions)
        summary = f"Output port of {product.name}, supports " + (supports or "no decision yet")
        front = self.front(self.ports[port.ref], port.name, summary, self.owners(product))
        front["container_type"] = "other"
        front["access_mode"] = "read"
        return page(front, _pages().port(port, product, decisions,
                                         self.index.readers_of.get(port.ref, []),
                                         self.contract_path(port)))

    def team_page(self, owner: str | None) -> str:
        w = self.board.workshop
        if owner is None:
            front = {"id": self.workshop_team, "name": " ".join(f"{w.name} workshop".split()),
                     "summary": "The people of the Data Product Flow workshop in Slack; "
                                "they own what nobody has taken on yet."}
            owned = [p for p in self.board.data_products if not p.owner]
        else:
            owned = [p for p in self.board.data_products if p.owner == owner]
            front = {"id": self.teams[owner], "name": " ".join(owner.split()),
                     "summary": "Owns " + ", ".join(f"{p.ref} {p.name}" for p in owned) + "."}
        return page(front, _pages().team(owner is None, owned))

    @staticmethod
    def front(resource_id: str, name: str, summary: str, owners: list[str]) -> dict:
        return {"id": resource_id, "name": " ".join(name.split()), "version": VERSION,
                "summary": _sentence(summary), "owners": owners}


def _sentence(text: str) -> str:
    flat = " ".join(text.split())
    return flat if flat.endswith((".", "?", "!")) else flat + "."


def _split_term(term: str) -> tuple[str, str]:
    """`Order — what one customer bought` → (Order, what one customer bought)."""
    parts = _TERM.split(term, maxsplit=1)
    return parts[0].strip() or term, parts[1].strip() if len(parts) > 1 else ""


def page(front: dict, body: str | list) -> str:
    text = yaml.dump(front, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True,
                     width=1000)
    content = body if isinstance(body, str) else "\n".join(body)
    content = re.sub(r"\n{3,}", "\n\n", content).strip()
    return f"---\n{text}---\n" + (f"\n{content}\n" if content else "")
