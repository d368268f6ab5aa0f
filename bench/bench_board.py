"""What one request costs as the board grows: the use cases behind a thread reply, its edit
and its deletion, a refused line, `/dpflow edit` and `/dpflow delete`, the stage message's
refresh and `/dpflow status`, on boards of 100, 2,000 and 10,000 events (half of them with
a decision), SQLite in a file. Figures, not a test: CPU milliseconds of this process per call,
the median of `--calls` calls, no Slack and no HTTP (bench_burst.py measures those).

    python bench/bench_board.py [--sizes 100 2000 10000] [--calls 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from dpflow.domain.errors import UserError
from dpflow.services import boards, contributions, home, stages, workshops
from dpflow.services.context import Actor
from dpflow.services.contributions import Message
from dpflow.slack.blocks.stage import stage_message
from dpflow.store.uow import UnitOfWorkFactory, opened

FACILITATOR = Actor("T1", "C1", "UFACIL")
EVENTS_THREAD, DECISIONS_THREAD = "1000.0001", "3000.0001"
BATCH = 50  # lines a message holds at most


async def board_of(uows: UnitOfWorkFactory, events: int) -> None:
    """`events` events, the first 400 in aggregates of 20, a decision on half of them; the
    workshop at the decisions stage, its thread known."""
    await workshops.start(uows, FACILITATOR, "Bench", "Online shop")
    await stages.posted(uows, 1, EVENTS_THREAD)
    for start in range(0, events, BATCH):
        lines = [f"Order {i} was packed" for i in range(start, min(start + BATCH, events))]
        await contributions.reply(uows, FACILITATOR,
                                  Message(f"1.{start}", "\n".join(lines), EVENTS_THREAD))
    await workshops.go_to(uows, FACILITATOR, "aggregates")
    for start in range(1, min(events, 400) - 19, 20):
        refs = ", ".join(f"E{i}" for i in range(start, start + 20))
        await contributions.add(uows, FACILITATOR, f"Group {start}: {refs}")
    await workshops.go_to(uows, FACILITATOR, "decisions")
    await stages.posted(uows, 3, DECISIONS_THREAD)
    for start in range(1, events // 2 + 1, BATCH):
        lines = [f"E{i}: Decide how to ship order {i}"
                 for i in range(start, min(start + BATCH, events // 2 + 1))]
        await contributions.add(uows, FACILITATOR, "\n".join(lines))


def operations(uows: UnitOfWorkFactory) -> dict[str, Callable[[int], Awaitable]]:
    """Each takes the call's number, so that every call does something new (on cards that
    a board of 100 events holds, for up to 40 calls)."""
    def reply(i: int, text: str) -> Message:
        return Message(f"5.{i}", text, DECISIONS_THREAD)

    async def refused(i: int) -> None:
        try:
            await contributions.reply(uows, FACILITATOR, Message(f"6.{i}", "E1 is late",
                                                                 DECISIONS_THREAD))
        except UserError:
            return
        raise AssertionError("the line was not refused")

    async def refresh(_i: int) -> None:
        stage_message(await stages.view(uows, 3))

    return {
        "thread reply (a decision)": lambda i: contributions.reply(
            uows, FACILITATOR, reply(i, f"new: Decide how to pack order {i}")),
        "its edit": lambda i: contributions.edited(
            uows, FACILITATOR, reply(i, f"new: Decide how to wrap order {i}")),
        "its deletion": lambda i: contributions.deleted(uows, FACILITATOR, f"5.{i}"),
        "a refused line": refused,
        "/dpflow edit": lambda i: boards.edit_card(uows, FACILITATOR, f"D{i + 1}",
                                                   f"Decide how to route order {i}"),
        "/dpflow delete (an event and its decision)": lambda i: boards.delete_card(
            uows, FACILITATOR, f"E{i + 2}", True),
        "stage message refresh": refresh,
        "the Home tab (of the person who added every card)": lambda _i: home.page(
            uows, FACILITATOR.team_id, FACILITATOR.user_id),
        "/dpflow status": lambda _i: boards.status(uows, FACILITATOR),
    }


async def measure(events: int, calls: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        async with opened(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}") as uows:
            await board_of(uows, events)
            figures = {}
            for name, operation in operations(uows).items():
                spent = []
                for i in range(calls):
                    before = time.process_time()
                    await operation(i)
                    spent.append(time.process_time() - before)
                figures[name] = statistics.median(spent) * 1000
            return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 2000, 10000])
    parser.add_argument("--calls", type=int, default=20, choices=range(1, 41), metavar="1..40")
    args = parser.parse_args()
    by_size = {size: asyncio.run(measure(size, args.calls)) for size in args.sizes}
    names = list(next(iter(by_size.values())))
    print(f"CPU ms per call, median of {args.calls}; board of N events, N/2 decisions")
    print("| request | " + " | ".join(f"N = {size:,}" for size in args.sizes) + " |")
    print("| --- |" + " --- |" * len(args.sizes))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{by_size[size][name]:.1f}" for size in args.sizes)
              + " |")


if __name__ == "__main__":
    main()
