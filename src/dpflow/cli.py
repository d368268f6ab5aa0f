"""`dpflow serve | demo | migrate | export | import`."""

from __future__ import annotations

import argparse
import asyncio
import logging
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
    imported = sub.add_parser("import", help="fill a channel's workshop from a board file "
                              "(Miro board items JSON, CSV, one sticky per line)")
    imported.add_argument("file")
    imported.add_argument("--channel", required=True)
    imported.add_argument("--team", help="the workspace (default: that of the channel's "
                          "latest workshop)")
    imported.add_argument("--map", default="", metavar="COLOUR=KIND,…",
                          help="what colours stand for, e.g. orange=event,cyan=system,gray=skip "
                          "(defaults: orange event, blue command, yellow actor, pink system, "
                          "violet decision)")
    imported.add_argument("--facilitator", metavar="USER", help="who imports, and facilitates "
                          "the workshop the import starts (default: who started the channel's "
                          "latest workshop)")
    imported.add_argument("--name", help="the name of the workshop the import starts "
                          "(default: from the file's name)")
    imported.add_argument("--domain")
    imported.add_argument("--dry-run", action="store_true", help="say what would be imported, "
                          "store nothing")
    imported.set_defaults(run=_import)
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
    logging.getLogger("dpflow").setLevel(logging.WARNING)  # the demo prints its own progress
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


def _import(args) -> int:
    from dpflow.domain import importing
    from dpflow.domain.stickies import check_size, colour_name, read_board
    path = Path(args.file)
    check_size(path.stat().st_size)
    stickies = read_board(path.read_bytes(), path.name)
    mapping = importing.parse_mapping(args.map)
    settings = load_settings(DatabaseSettings)
    outcome = asyncio.run(_imported(settings.database_url, args, stickies, mapping))
    print(f"{path.name}: {len(stickies)} stickies")
    for colour in importing.colours(stickies):
        kind = mapping.get(colour.colour, colour.kind)
        example = f"e.g. “{colour.example}”" if colour.example else ""
        print(f"  {colour_name(colour.colour):<14} {colour.count:>4} → "
              f"{kind.label:<10} {example}".rstrip())
    done = "Would import" if args.dry_run else "Imported"
    print(f"{done} into “{outcome.workshop.name}”: {outcome.imported.said}.")
    left = outcome.imported.left_out
    print("\n".join([f"Left out ({len(left)}):", *(f"  - {item}" for item in left)])
          if left else "Nothing left out.")
    return 0


async def _imported(database_url: str, args, stickies, mapping):
    from dpflow.domain.stickies import name_of
    from dpflow.services import imports
    from dpflow.store.uow import opened
    async with opened(database_url) as uows:
        actor = await imports.shell_actor(uows, args.channel, args.team, args.facilitator)
        return await imports.run(uows, actor, stickies, mapping,
                                 name=args.name or name_of(Path(args.file).name),
                                 domain=args.domain, dry_run=args.dry_run)


async def _channel_board(database_url: str, channel_id: str, team_id: str | None):
    """The board straight from the database, no Slack needed."""
    from dpflow.services.exports import board_of_channel
    from dpflow.store.uow import opened
    async with opened(database_url) as uows:
        return await board_of_channel(uows, channel_id, team_id)
