"""Settings of SPEC §1, read from the environment and `.env`, checked once at start: every
missing or wrong one is named in one line."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """Settings are missing or wrong; the message names each variable."""


class StartError(Exception):
    """What the settings point at does not work (database, port, Slack, output path)."""


class DatabaseSettings(BaseSettings):
    """What `migrate` and `export` need: the database alone."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str = "sqlite+aiosqlite:///dpflow.db"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be sqlite+aiosqlite://… or postgresql+asyncpg://…")
        return url


class Settings(DatabaseSettings):
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(3000, ge=0, le=65535)  # 0: any free port
    host: str = "127.0.0.1"  # 0.0.0.0 in a container
    dpflow_scheduler_interval: float = Field(30.0, gt=0)
    dpflow_log_format: Literal["text", "json"] = "text"

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def oauth(self) -> bool:
        return self.slack_client_id is not None

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return url if url.endswith("/") else url + "/"

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and not token.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return token

    @model_validator(mode="wrap")
    @classmethod
    def _mode_needs(cls, data, handler) -> Settings:
        """Reported together with wrong values, not only once those are fixed."""
        missing = _missing_for_mode(data if isinstance(data, dict) else {})
        try:
            settings = handler(data)
        except ValidationError as e:
            raise ConfigError("; ".join([*(_describe(err) for err in e.errors()),
                                         *missing])) from None
        if missing:
            raise ConfigError("; ".join(missing))
        return settings


def _missing_for_mode(values: dict) -> list[str]:
    def given(name: str) -> bool:
        return values.get(name) not in (None, "")

    missing = []
    if not given("slack_app_token") and not given("slack_signing_secret"):
        missing.append("SLACK_SIGNING_SECRET is required in HTTP mode "
                       "(or set SLACK_APP_TOKEN for Socket Mode)")
    if given("slack_client_id") and not given("slack_client_secret"):
        missing.append("SLACK_CLIENT_SECRET is required with SLACK_CLIENT_ID")
    if not given("slack_client_id") and not given("slack_bot_token"):
        missing.append("SLACK_BOT_TOKEN is required "
                       "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs)")
    return missing


def load_settings(cls: type[DatabaseSettings] | None = None, **overrides):
    """Settings, or ConfigError naming each missing or wrong variable."""
    try:
        return (cls or Settings)(**overrides)
    except ValidationError as e:
        raise ConfigError("; ".join(_describe(err) for err in e.errors())) from None


def _describe(err: dict) -> str:
    name = "_".join(str(p) for p in err["loc"]).upper()
    msg = err["msg"].removeprefix("Value error, ")
    return f"{name}: {msg}" if name else msg


