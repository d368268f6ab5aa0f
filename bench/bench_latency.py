"""Answer time of a thread reply, dpflow against a bare Bolt app on this machine, and the
Web API calls each stored contribution costs. Prints figures; not a test.

    python bench/bench_latency.py [replies]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from dpflow.config import Settings
from dpflow.server import running
from dpflow.slack.client import web_client
from dpflow.slack.emulator import SlackEmulator
from dpflow.slack.emulator.driver import SlackDriver

SECRET = "bench-secret"
CHANNEL, USER = "CBENCH", "UBENCH"


async def bare_bolt(api_url: str) -> tuple[web.AppRunner, str]:
    """The floor: a Bolt app that verifies the request and acknowledges it, nothing more."""
    app = AsyncApp(client=web_client(api_url, "xoxb-bench"), signing_secret=SECRET,
                   process_before_response=True)

    @app.event("message")
    async def on_message(event: dict) -> None:
        return None

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"


async def replies(driver: SlackDriver, thread: str, n: int) -> list[float]:
    times = []
    for i in range(n):
        response = await driver.reply(CHANNEL, thread, f"Event number {i} happened", user=USER)
        assert response.status == 200, response.text
        times.append(response.elapsed * 1000)
    return times


def describe(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100)
    return f"{name:<28} p50 {q[49]:6.1f} ms   p95 {q[94]:6.1f} ms   max {max(ms):6.1f} ms"


async def main(n: int) -> None:
    async with SlackEmulator() as slack:
        slack.state.add_user(USER)
        slack.state.add_channel(CHANNEL)
        runner, url = await bare_bolt(slack.api_url)
        async with SlackDriver(url, SECRET, slack) as driver:
            await replies(driver, slack.state.next_ts(), 20)  # warm up
            bare = await replies(driver, slack.state.next_ts(), n)
        await runner.cleanup()

        database = Path(tempfile.mkdtemp()) / "bench.db"
        settings = Settings(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET,
                            slack_api_url=slack.api_url, port=0,
                            database_url=f"sqlite+aiosqlite:///{database}")
        async with running(settings) as app, \
                SlackDriver(app.url, SECRET, slack) as driver:
            await driver.command("start Bench", user=USER, channel=CHANNEL)
            stage = await slack.wait_for(
                lambda s: s.find_message_with_metadata("dpflow_stage_opened"))
            thread = stage["ts"]
            calls_before = len(slack.state.calls)
            ours = await replies(driver, thread, n)
            await asyncio.sleep(0.5)  # the background scheduler sends the reactions
            app.scheduler.clock = _later
            await app.scheduler.run_due()  # the debounced stage-message update
            calls = len(slack.state.calls) - calls_before

    print(f"{n} thread replies, one contribution each, sequential, on this machine:")
    print(describe("bare Bolt (verify + ack)", bare))
    print(describe("dpflow (stored before 200)", ours))
    print(f"Web API calls per stored contribution: {calls / n:.2f} "
          f"({calls} calls: reactions + debounced stage-message updates)")


def _later():
    from datetime import timedelta

    from dpflow.store.models import utcnow
    return utcnow() + timedelta(minutes=5)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
