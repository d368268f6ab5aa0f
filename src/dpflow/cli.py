"""`dpflow serve | demo | migrate | export`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from dpflow.config import ConfigError, DatabaseSettings, load_settings
from dpflow.domain.errors import UserError

log = logging.getLogger("dpflow")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return args.run(args) or 0
    except ConfigError as e:
        print(f"dpflow: configuration error: {e}", file=sys.stderr)
        return 2
    except UserError as e:
        print(f"dpflow: {e.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dpflow", description="Data Product Flow in Slack")
    sub = parser.add_subparsers(required=True, metavar="command")
    serve = sub.add_parser("serve", help="run the Slack app (Socket Mode or HTTP)")
    serve.set_defaults(run=_serve)
    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(run=_migrate)
    demo = sub.add_parser("demo", help="run a sample workshop against the built-in emulator")
    demo.add_argument("-o", "--out", default="dpflow-demo", help="output folder")
    demo.set_defaults(run=_demo)
    export = sub.add_parser("export", help="write a channel's workshop from the database")
    export.add_argument("--channel", required=True)
    export.add_argument("--team")
    export.add_argument("--format", choices=("json", "md", "odps"), default="json")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(run=_export)
    return parser


def _serve(args) -> int:
    settings = load_settings()
    from dpflow.server import serve
    asyncio.run(serve(settings))
    return 0


def _migrate(args) -> int:
    from dpflow.store.db import make_engine, migrate

    async def run() -> None:
        engine = make_engine(load_settings(DatabaseSettings).database_url)
        await migrate(engine)
        await engine.dispose()
    asyncio.run(run())
    print("dpflow: database is up to date")
    return 0


def _demo(args) -> int:
    from dpflow.demo import run_demo
    return asyncio.run(run_demo(Path(args.out)))


def _export(args) -> int:
    from dpflow.services.exports import export_channel
    settings = load_settings(DatabaseSettings)
    text = asyncio.run(export_channel(settings.database_url, args.channel, args.team,
                                      args.format))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
