"""Settings of SPEC §1, read from the environment and `.env`, checked once at start."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the variable."""


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
    dpflow_scheduler_interval: float = Field(30.0, gt=0)

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

    @model_validator(mode="after")
    def _mode_needs(self) -> Settings:
        if not self.socket_mode and self.slack_signing_secret is None:
            raise ValueError("SLACK_SIGNING_SECRET is required in HTTP mode "
                             "(or set SLACK_APP_TOKEN for Socket Mode)")
        if self.oauth and self.slack_client_secret is None:
            raise ValueError("SLACK_CLIENT_SECRET is required with SLACK_CLIENT_ID")
        if not self.oauth and self.slack_bot_token is None:
            raise ValueError("SLACK_BOT_TOKEN is required "
                             "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs)")
        return self


def load_settings(cls: type[DatabaseSettings] | None = None, **overrides):
    """Settings, or ConfigError naming each wrong variable."""
    try:
        return (cls or Settings)(**overrides)
    except ValidationError as e:
        raise ConfigError("; ".join(_describe(err) for err in e.errors())) from None


def _describe(err: dict) -> str:
    name = "_".join(str(p) for p in err["loc"]).upper()
    msg = err["msg"].removeprefix("Value error, ")
    return f"{name}: {msg}" if name else msg


