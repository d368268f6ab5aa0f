"""Settings stop the app with one clear line naming the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dpflow.config import ConfigError, DatabaseSettings, load_settings

REQUIRED = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
            "SLACK_CLIENT_SECRET", "DATABASE_URL", "PORT", "SLACK_API_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in REQUIRED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's


def test_http_mode_needs_the_signing_secret():
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        load_settings(slack_bot_token="xoxb-1")


def test_socket_mode_needs_no_signing_secret():
    settings = load_settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert settings.socket_mode


@pytest.mark.parametrize(("field", "value", "variable"), [
    ("slack_app_token", "xoxb-wrong", "SLACK_APP_TOKEN"),
    ("database_url", "mysql://db", "DATABASE_URL"),
    ("port", 70000, "PORT"),
    ("slack_api_url", "slack.com/api", "SLACK_API_URL"),
])
def test_a_wrong_value_names_its_variable(field, value, variable):
    with pytest.raises(ConfigError, match=variable):
        load_settings(slack_bot_token="xoxb-1", slack_signing_secret="s", **{field: value})


def test_api_url_gets_its_trailing_slash():
    settings = load_settings(slack_bot_token="x", slack_signing_secret="s",
                             slack_api_url="http://127.0.0.1:9/api")
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"


def test_read_from_a_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-env\nSLACK_SIGNING_SECRET=s\nPORT=4000\n")
    settings = load_settings()
    assert settings.port == 4000 and settings.slack_bot_token.get_secret_value() == "xoxb-env"


def test_database_commands_need_only_the_database():
    assert load_settings(DatabaseSettings).database_url.startswith("sqlite+aiosqlite")


def test_serve_without_settings_says_one_line_and_exits():
    done = subprocess.run([sys.executable, "-m", "dpflow", "serve"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "dpflow: configuration error: SLACK_SIGNING_SECRET is required in HTTP mode "
        "(or set SLACK_APP_TOKEN for Socket Mode); SLACK_BOT_TOKEN is required "
        "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs)"]
