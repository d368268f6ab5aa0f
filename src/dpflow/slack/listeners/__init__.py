"""Bolt listeners, one module per surface, each with `register(app, deps)`."""

from slack_bolt.async_app import AsyncApp

from dpflow.slack.deps import Deps
from dpflow.slack.listeners import actions, commands, forms, home, messages, review, views


def register(app: AsyncApp, deps: Deps) -> None:
    for module in (commands, messages, actions, views, forms, home, review):
        module.register(app, deps)
