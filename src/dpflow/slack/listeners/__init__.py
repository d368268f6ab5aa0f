"""Bolt listeners, one module per surface, each with `register(app, deps)`."""

from slack_bolt.async_app import AsyncApp

from dpflow.slack.deps import Deps
from dpflow.slack.listeners import (
    actions,
    add,
    commands,
    home,
    imports,
    messages,
    replays,
    review,
)


def register(app: AsyncApp, deps: Deps) -> None:
    for module in (replays, commands, messages, actions, add, home, review, imports):
        module.register(app, deps)
