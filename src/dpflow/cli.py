"""`dpflow serve | demo | migrate | export`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from dpflow import logs
from dpflow.config import ConfigError, DatabaseSettings, StartError, load_settings
from dpflow.domain.errors import UserError


def main(argv: list[str] | None = None) -> int:
    """The exit status: 0 done, 1 refused (as a person would be), 2 cannot run as set up."""
    args = _parser().parse_args(argv)
    logs.setup()
    try:
        return args.run(args) or 0
    except ConfigError as e:
        return _fail(f"configuration error: {e}")
    except StartError as e:
        return _fail(str(e))
    except SQLAlchemyError as e:
        return _fail(f"database error: {getattr(e, 'orig', None) or e}")
    except OSError as e:  # an output folder that cannot be made, a host that cannot be reached
        return _fail(f"cannot write {e.filename}: {e.strerror}" if e.filename and e.strerror
                     else str(e))
    except UserError as e:
        print(f"dpflow: {e.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _fail(line: str) -> int:
    print(f"dpflow: {line}", file=sys.stderr)
    return 2


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
    from dpflow.render.formats import ALIASES, FORMATS
    export = sub.add_parser("export", help="write a channel's workshop from the database")
    export.add_argument("--channel", required=True)
    export.add_argument("--team")
    export.add_argument("--format", choices=(*FORMATS, *ALIASES), default="json")
    export.add_argument("-o", "--output", help="file to write (default: standard output), "
                        "or the folder for odcs and eventcatalog")
    export.set_defaults(run=_export)
    return parser


def _serve(args) -> int:
    settings = load_settings()
    logs.setup(settings.dpflow_log_format)
    from dpflow.server import serve
    asyncio.run(serve(settings))
    return 0


def _migrate(args) -> int:
    from dpflow.server import prepare_database
    from dpflow.store.db import open_database

    async def run() -> None:
        url = load_settings(DatabaseSettings).database_url
        db = open_database(url)
        try:
            await prepare_database(db, url)
        finally:
            await db.dispose()
    asyncio.run(run())
    print("dpflow: database is up to date")
    return 0


def _demo(args) -> int:
    from dpflow.demo import run_demo
    Path(args.out).mkdir(parents=True, exist_ok=True)  # an unwritable folder says so at once
    return asyncio.run(run_demo(Path(args.out)))


def _export(args) -> int:
    from dpflow.services import exports
    fmt = exports.chosen(args.format)
    if fmt.folder and not args.output:
        print(f"dpflow: --format {fmt.name} writes a folder: name it with -o DIR",
              file=sys.stderr)
        return 2
    settings = load_settings(DatabaseSettings)
    board = asyncio.run(_channel_board(settings.database_url, args.channel, args.team))
    rendered = fmt.render(exports.exportable(board, fmt), {})
    try:
        if args.output:
            exports.write(rendered, Path(args.output))
        else:
            sys.stdout.write(rendered)
    except OSError as e:
        print(f"dpflow: cannot write {args.output}: {e.strerror or e}", file=sys.stderr)
        return 2
    return 0


async def _channel_board(database_url: str, channel_id: str, team_id: str | None):
    """The board straight from the database, no Slack needed."""
    from dpflow.services.exports import board_of_channel
    from dpflow.store.uow import opened
    async with opened(database_url) as uows:
        return await board_of_channel(uows, channel_id, team_id)
