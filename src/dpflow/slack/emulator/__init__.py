"""A Slack emulator for tests and `dpflow demo`: Web API server, payload builders, driver."""

from dpflow.slack.emulator.server import SlackEmulator, create_app
from dpflow.slack.emulator.state import EmulatorState

__all__ = ["EmulatorState", "SlackEmulator", "create_app"]
