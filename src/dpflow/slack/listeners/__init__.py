"""Bolt listeners, one module per surface, each with `register(app, deps)`."""

from slack_bolt.async_app import AsyncApp

from dpflow.slack.deps import Deps
from dpflow.slack.listeners import actions, commands, home, messages, views


def register(app: AsyncApp, deps: Deps) -> None:
    for module in (commands, messages, actions, views, home):
        module.register(app, deps)
