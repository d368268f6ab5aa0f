"""A burst of thread replies, like a workshop's busiest minute: dpflow against a bare Bolt app
that verifies and acks, and one that commits each reply to SQLite before answering; dpflow
on a small and a big board, on SQLite and on PostgreSQL with one and two instances. Each app
runs as its own process. Prints a Markdown table (bench/README.md); not a test.

    python bench/bench_burst.py [--quick] [--rounds N] [--only sqlite|pg] [--postgres URL]
                                [--profile DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from burst import Bare, Dpflow, Load, postgres_reachable, run

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"


def apps(args: argparse.Namespace) -> list[Bare | Dpflow]:
    big = 200 if args.quick else 2000
    sqlite = [Bare(commits=False), Bare(commits=True), Dpflow("sqlite", profile=args.profile),
              Dpflow("sqlite", board=big, profile=args.profile)]
    postgres = [Dpflow(args.postgres, profile=args.profile),
                Dpflow(args.postgres, instances=2, profile=args.profile)]
    return {"sqlite": sqlite, "pg": postgres, None: sqlite + postgres}[args.only]


async def main(args: argparse.Namespace) -> int:
    chosen = apps(args)
    if args.only != "sqlite" and (why := await postgres_reachable(args.postgres)):
        print(f"PostgreSQL at {args.postgres} skipped: {why}", file=sys.stderr)
        if args.only == "pg":
            return 1
        chosen = [app for app in chosen if getattr(app, "database", "sqlite") == "sqlite"]
    load = Load(replies=100) if args.quick else Load()
    return 0 if await run(chosen, load, args.rounds) else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="100 replies and a big board of 200 cards instead of 400 and 2,000")
    p.add_argument("--rounds", type=int, default=1, metavar="N",
                   help="every app N times, one after the other, and the targets' ratios "
                        "round by round (this machine's speed drifts between minutes)")
    p.add_argument("--only", choices=("sqlite", "pg"),
                   help="sqlite: the bare apps and dpflow on SQLite; pg: dpflow on PostgreSQL")
    p.add_argument("--postgres", default=POSTGRES, metavar="URL",
                   help=f"PostgreSQL server, each run in a new database (default {POSTGRES})")
    p.add_argument("--profile", metavar="DIR",
                   help="run dpflow under cProfile and leave its stats in DIR (slower figures)")
    return p


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parser().parse_args())))
