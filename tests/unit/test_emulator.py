"""The Slack emulator behaves like a strict Slack for slack_sdk and slack_bolt."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from dpflow.slack.emulator import SlackEmulator, payloads
from dpflow.slack.emulator.driver import SlackDriver

SECRET = "test-signing-secret"


@pytest.fixture
async def slack():
    async with SlackEmulator() as emulator:
        emulator.state.add_user("U1", "ada", tz="Europe/Rome", tz_offset=3600)
        emulator.state.add_channel("C1", "workshop")
        yield emulator


@pytest.fixture
def client(slack):
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_post_update_and_permalink(slack, client):
    parent = await client.chat_postMessage(
        channel="C1",
        text="Stage events",
        blocks=[section("Add *events*")],
        metadata={"event_type": "dpflow_stage_opened", "event_payload": {"stage": "events"}},
    )
    reply = await client.chat_postMessage(channel="C1", thread_ts=parent["ts"], text="first")
    await client.chat_update(channel="C1", ts=parent["ts"], text="Stage events (closed)")
    link = await client.chat_getPermalink(channel="C1", message_ts=reply["ts"])

    assert parent["ts"] < reply["ts"]
    assert [m["text"] for m in slack.state.messages("C1")] == ["Stage events (closed)"]
    assert [m["text"] for m in slack.state.messages("C1", parent["ts"])] == ["first"]
    found = slack.state.find_message_with_metadata("dpflow_stage_opened", stage="events")
    assert found["ts"] == parent["ts"]
    assert link["permalink"] == (
        f"https://example.slack.com/archives/C1/p{reply['ts'].replace('.', '')}"
        f"?thread_ts={parent['ts']}&cid=C1"
    )


@pytest.mark.parametrize(
    "blocks",
    [
        [section("x")] * 51,
        [section("x" * 3001)],
        [{"type": "bogus"}],
        [{"type": "actions", "elements": [{"type": "buton", "action_id": "a",
                                           "text": {"type": "plain_text", "text": "b"}}]}],
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "a",
                        "text": {"type": "plain_text", "text": "b" * 76},
                    }
                ],
            }
        ],
    ],
)
async def test_invalid_blocks_are_rejected(slack, client, blocks):
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="t", blocks=blocks)

    assert raised.value.response["error"] == "invalid_blocks"
    assert raised.value.response["errors"]
    assert len(slack.state.invalid) == 1
    assert slack.state.messages("C1") == []


async def test_an_unknown_input_element_is_refused(slack, client):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Add"},
            "blocks": [{"type": "input", "block_id": "b", "label": {"type": "plain_text",
                                                                   "text": "L"},
                        "element": {"type": "plain_textinput", "action_id": "a"}}]}
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.views_publish(user_id="U1", view={**view, "type": "home"})
    assert "unknown element type 'plain_textinput'" in slack.state.invalid[-1]


async def test_modal_title_is_limited(slack, client):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []}
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.views_open(trigger_id="1.2.3", view=view)

    view["title"]["text"] = "Add an event"
    opened = await client.views_open(trigger_id="1.2.3", view=view)
    assert slack.state.views[opened["view"]["id"]]["title"]["text"] == "Add an event"


async def test_rate_limit_then_success(slack, client):
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    slack.fail_with_429("chat.postMessage", times=1, retry_after=0)

    answer = await client.chat_postMessage(channel="C1", text="hello")

    assert answer["ok"]
    outcomes = [(c.ok, c.error) for c in slack.state.calls_to("chat.postMessage")]
    assert outcomes == [(False, "ratelimited"), (True, None)]


async def test_rate_limit_without_retry_handler_raises(slack, client):
    slack.fail_with_429("reactions.add", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        await client.reactions_add(channel="C1", timestamp="1.0", name="eyes")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


async def test_canvases_create_edit_share_and_refuse(slack, client):
    doc = {"type": "markdown", "markdown": "# DP1"}
    created = await client.canvases_create(title="DP1", document_content=doc)
    canvas_id = created["canvas_id"]
    await client.canvases_edit(
        canvas_id=canvas_id,
        changes=[{"operation": "replace", "document_content": {**doc, "markdown": "# DP1 v2"}}],
    )
    await client.canvases_access_set(canvas_id=canvas_id, access_level="read", channel_ids=["C1"])

    canvas = slack.state.canvases[canvas_id]
    assert (canvas.title, canvas.markdown, len(canvas.edits)) == ("DP1", "# DP1 v2", 1)
    assert canvas.access == [{"access_level": "read", "channel_ids": ["C1"], "user_ids": []}]

    slack.refuse_canvases()
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await client.canvases_create(title="DP2", document_content=doc)


async def test_files_upload_v2_round_trip(slack, client):
    parent = await client.chat_postMessage(channel="C1", text="board")
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256))

    answer = await client.files_upload_v2(
        channel="C1",
        thread_ts=parent["ts"],
        file=picture,
        filename="board.png",
        title="Board",
        initial_comment="The board",
    )

    stored = slack.state.files[answer["file"]["id"]]
    assert stored.content == picture
    assert (stored.title, stored.channels, stored.thread_ts) == ("Board", ["C1"], parent["ts"])
    shared = slack.state.messages("C1", parent["ts"])
    assert shared[0]["text"] == "The board"
    assert shared[0]["files"][0]["name"] == "board.png"


async def test_a_file_someone_shared_is_found_read_and_downloaded_with_the_bot_token(
        slack, client):
    file, shared = slack.state.share_file("C1", "U1", "wall.csv", b"colour,text\n")
    await client.chat_postMessage(channel="C1", text="later")
    slack.state.add_user_message("C1", "U1", "in a thread", thread_ts=shared["ts"])
    history = await client.conversations_history(channel="C1", limit=1)
    assert [m["text"] for m in history["messages"]] == ["later"] and history["has_more"]
    older = await client.conversations_history(
        channel="C1", cursor=history["response_metadata"]["next_cursor"])
    assert [m["files"][0]["id"] for m in older["messages"]] == [file.id]  # no thread replies
    info = (await client.files_info(file=file.id))["file"]
    assert (info["name"], info["user"], info["size"], info["mimetype"]) == \
        ("wall.csv", "U1", 12, "text/csv")
    slack.state.bot_token = "xoxb-test"
    async with aiohttp.ClientSession() as session:
        url = info["url_private_download"]
        for token in ("", "Bearer xoxb-other"):
            async with session.get(url, headers={"Authorization": token}) as page:
                assert page.status == 200 and page.content_type == "text/html"  # sign in
        async with session.get(url, headers={"Authorization": "Bearer xoxb-test"}) as got:
            assert await got.read() == b"colour,text\n"
    slack.state.delete_file(file.id)
    with pytest.raises(SlackApiError, match="file_deleted"):
        await client.files_info(file=file.id)


async def test_the_bot_reads_only_channels_and_files_it_is_in(slack, client):
    slack.state.add_channel("CPRIVATE", members=["U1"])
    file, _ = slack.state.share_file("CPRIVATE", "U1", "board.json", b"{}")
    with pytest.raises(SlackApiError, match="not_in_channel"):
        await client.conversations_history(channel="CPRIVATE")
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_info(file=file.id)
    with pytest.raises(SlackApiError, match="invalid_limit"):
        await client.conversations_history(channel="C1", limit=1000)


async def test_response_url(slack):
    url = slack.response_url("U1", "C1")
    async with aiohttp.ClientSession() as session:
        ok = await session.post(url, json={"response_type": "ephemeral", "text": "Only you"})
        bad = await session.post(url, json={"blocks": [{"type": "bogus"}]})
        shown = await session.post(url, json={"response_type": "in_channel", "text": "All"})

    assert (ok.status, bad.status, shown.status) == (200, 400, 200)
    assert [e.text for e in slack.state.ephemerals("U1")] == ["Only you"]
    assert [m["text"] for m in slack.state.messages("C1")] == ["All"]
    assert len(slack.state.responses) == 2
    assert len(slack.state.invalid) == 1


async def test_conversations_open_and_users_info(slack, client):
    opened = await client.conversations_open(users="U1")
    again = await client.conversations_open(users=["U1"])
    info = await client.users_info(user="U1")

    assert opened["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == opened["channel"]["id"]
    assert (info["user"]["tz"], info["user"]["tz_offset"]) == ("Europe/Rome", 3600)
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U404")


async def test_unknown_method_and_missing_token(slack, client):
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("bogus.method")
    anonymous = AsyncWebClient(base_url=slack.api_url)
    with pytest.raises(SlackApiError, match="not_authed"):
        await anonymous.auth_test()


async def test_mentions_are_recorded(slack, client):
    await client.chat_postMessage(
        channel="C1", text="hi <!here>", blocks=[section("ping <@U1> and <!channel>")]
    )
    await client.chat_postMessage(channel="C1", text="plain &lt;!here&gt;")

    assert [m.mention for m in slack.state.mentions] == ["<!here>", "<@U1>", "<!channel>"]
    assert {(m.method, m.channel) for m in slack.state.mentions} == {("chat.postMessage", "C1")}


def test_signature_verifies_with_slack_sdk():
    body, _ = payloads.slash_command("status", "U1", "C1", response_url="http://x/r")
    headers = payloads.sign(SECRET, body)

    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert payloads.sign(SECRET, b"x", 1)["X-Slack-Request-Timestamp"] == "1"


# ---- the driver against a real Bolt app --------------------------------------------------


@pytest.fixture
async def bolt_app(slack):
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    app = AsyncApp(signing_secret=SECRET, client=client)
    seen: list[tuple[str, dict]] = []

    @app.command("/dpflow")
    async def command(ack, body, context, respond):
        await ack()
        seen.append(("command", {"team": context.team_id, "user": context.user_id}))
        await respond(f"got {body['text']}")

    @app.event("message")
    async def message(event, context):
        seen.append((event.get("subtype") or "message", {"thread": context.thread_ts}))

    @app.action("go")
    async def go(ack, body, client):
        await ack()
        await client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "add",
                "private_metadata": "W1",
                "title": {"type": "plain_text", "text": "Add"},
                "blocks": [section("Add an event")],
            },
        )

    @app.view("add")
    async def add(ack, view, context):
        await ack()
        seen.append(("submit", {"meta": view["private_metadata"], "user": context.user_id}))

    @app.event("app_home_opened")
    async def home(event, client):
        await client.views_publish(
            user_id=event["user"], view={"type": "home", "blocks": [section("Home")]}
        )

    runner = web.AppRunner(app.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with SlackDriver(url, SECRET, slack) as driver:
        yield driver, seen
    await runner.cleanup()


async def test_driver_against_bolt(slack, bolt_app):
    driver, seen = bolt_app
    parent = await slack_post(slack, "Stage events")

    command = await driver.command("status", "U1", "C1")
    reply = await driver.reply("C1", parent, "Order placed", "U1")
    retry = await driver.reply(
        "C1", parent, "Order placed", "U1", ts=reply.ts, retry_num=1, event_id=reply.event_id
    )
    await driver.edit("C1", reply.ts, "Order was placed", "U1")
    await driver.delete("C1", reply.ts, "U1")
    await driver.click("U1", "go", channel="C1", message_ts=parent)
    (modal,) = await slack.wait_for(lambda state: state.views_for("U1"))
    values = {"b": {"a": {"type": "plain_text_input", "value": "x"}}}
    await driver.submit("U1", values, view_id=modal["id"])
    await driver.home_opened("U1")
    home = await slack.wait_for(lambda state: state.home_view("U1"))

    await slack.wait_for(lambda state: state.responses and len(seen) >= 6)
    assert (command.status, reply.status, retry.status) == (200, 200, 200)
    assert seen[0] == ("command", {"team": "T1", "user": "U1"})
    assert [kind for kind, _ in seen[1:5]] == [
        "message",
        "message",
        "message_changed",
        "message_deleted",
    ]
    assert seen[1][1] == {"thread": parent}
    assert seen[5] == ("submit", {"meta": "W1", "user": "U1"})
    assert [r.payload["text"] for r in slack.state.responses] == ["got status"]
    assert home["blocks"][0]["text"]["text"] == "Home"
    assert slack.state.messages("C1", parent) == []
    assert slack.state.invalid == []


async def slack_post(slack: SlackEmulator, text: str) -> str:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    return (await client.chat_postMessage(channel="C1", text=text))["ts"]
