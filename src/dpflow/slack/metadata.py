"""What dpflow sends to Slack to get back later: button values, the private_metadata of its
forms, and the metadata of its stage messages. Each is a typed model, written and read here
as compact JSON, so no listener splits strings."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

from dpflow.domain.errors import UserError
from dpflow.domain.model import Stage
from dpflow.slack.ids import EventType


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def dump(self) -> str:
        return self.model_dump_json()

    @classmethod
    def read(cls, raw: str | None) -> Self:
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            raise UserError("That button or form is out of date: use a newer message, or "
                            "the command.", "/dpflow status") from None


# --- button values -----------------------------------------------------------------------


class RunValue(Value):
    """Add: the stage run whose form opens."""

    run: int


class WorkshopValue(Value):
    """Join, Mute DMs, Unmute DMs."""

    workshop: str


class StageValue(Value):
    """Next stage: the stage the button was shown in (a second click must not skip one)."""

    stage: Stage


class PageValue(Value):
    """The pages of `/dpflow list`."""

    kind: str
    page: int


class CardValue(Value):
    """Delete a card others depend on, once confirmed."""

    ref: str


class FindingValue(Value):
    """Apply or Dismiss a review finding."""

    finding: int


class AnswerValue(Value):
    """One answer to one of the three boundary questions of a finding."""

    finding: int
    question: str
    yes: bool


# --- private_metadata of forms -------------------------------------------------------------
# The team is never in here: it comes from the envelope Slack signs.


class AddContext(Value):
    """Where an Add form's contribution goes."""

    channel: str
    stage: Stage


class FixContext(Value):
    """Which finding a fix form applies, and the review message to update."""

    channel: str
    finding: int
    message_ts: str | None = None


class ImportContext(Value):
    """Which shared file an import form reads, and what for. The file is read again when
    the form is sent; its colours come in the same order as the form's selects, which
    `colours` (a digest of them) checks."""

    channel: str
    file: str
    workshop: str | None  # the workshop it fills; None: the import starts one
    colours: str


# --- message metadata ----------------------------------------------------------------------


class StageOpened(Value):
    """Carried by every stage message, so that other apps (and tests) find it (SPEC §2)."""

    stage: Stage
    workshop: str

    def metadata(self) -> dict:
        return {"event_type": EventType.STAGE_OPENED,
                "event_payload": self.model_dump(mode="json")}
