"""Tables for the whole method: workshops, members, stage runs, cards and their links,
the Slack message each card came from, review findings, jobs (outbox and reminders)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, also on SQLite (which forgets the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class WorkshopRow(Base):
    __tablename__ = "workshops"
    __table_args__ = (
        # one active workshop per channel
        Index("uq_active_workshop", "team_id", "channel_id", unique=True,
              sqlite_where=text("active"), postgresql_where=text("active")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class MemberRow(Base):
    """A facilitator or a participant (contributed, or pressed Join)."""

    __tablename__ = "members"

    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    facilitator: Mapped[bool] = mapped_column(Boolean, default=False)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class CounterRow(Base):
    """Last number handed out per kind of reference; refs are never reused."""

    __tablename__ = "ref_counters"

    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class StageRunRow(Base):
    """One opening of a stage: its message in the channel is the root of its thread."""

    __tablename__ = "stage_runs"
    __table_args__ = (Index("ix_stage_runs_thread", "channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    opened_by: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    deadline: Mapped[datetime | None]
    deadline_set_by: Mapped[str | None] = mapped_column(String(32))


class CardRow(Base):
    """A sticky: event, decision, opportunity, data product or port."""

    __tablename__ = "cards"
    __table_args__ = (UniqueConstraint("workshop_id", "ref"),
                      Index("ix_cards_norm", "workshop_id", "kind", "norm"),
                      Index("ix_cards_kind", "workshop_id", "kind", "position", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    norm: Mapped[str] = mapped_column(Text, default="", server_default="")  # text as compared
    author: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(20))  # stage it was added in
    position: Mapped[int] = mapped_column(Integer, default=0)  # events: timeline order
    # event → its aggregate's data product; decision → event; opportunity → decision;
    # port → its data product
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), index=True)
    command: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(Text)
    system: Mapped[str | None] = mapped_column(Text)
    trigger: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str | None] = mapped_column(String(20))  # opportunity
    alignment: Mapped[str | None] = mapped_column(String(20))  # data product
    owner: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]


class CanvasItemRow(Base):
    """An appended canvas field of a data product: term, assumption, metric, question."""

    __tablename__ = "canvas_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    field: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]


class LinkRow(Base):
    """port --supports--> decision, data product --reads--> port."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("relation", "source_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    # both ends indexed: an edit or a deletion reads the links of the cards it touches
    source_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)


class SourceRow(Base):
    """Every line contributed: who, in which stage, the card it made or changed, and the
    Slack message it came from (none for commands and forms), for edits and deletes."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("channel_id", "message_ts", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    line_no: Mapped[int] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(32))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    canvas_item_id: Mapped[int | None] = mapped_column(ForeignKey("canvas_items.id"))
    created: Mapped[bool] = mapped_column(Boolean, default=True)  # made the card, or changed it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(12))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    current: Mapped[bool] = mapped_column(Boolean, default=True)  # found by the last review
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]  # applied, dismissed or resolved
    message_ts: Mapped[str | None] = mapped_column(String(32))  # where the review thread shows it
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobRow(Base):
    """Work for later, claimed by one instance at a time: Web API follow-ups and reminders."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_due", "status", "due_at"),
        Index("ix_jobs_workshop_status", "workshop_id", "status"),
        # at most one pending job per key: coalesces stage-message refreshes
        Index("uq_jobs_pending_key", "key", unique=True,
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[str | None] = mapped_column(ForeignKey("workshops.id"))
    stage_run_id: Mapped[int | None] = mapped_column(ForeignKey("stage_runs.id"))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]  # renewed while the job runs: a lease
    done_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None]  # first failure of the current run of failures
    incident: Mapped[str | None] = mapped_column(String(12))  # shown to people, in the logs
    reported_at: Mapped[datetime | None]  # when the facilitators were told it keeps failing


class ReceivedRow(Base):
    """Slack deliveries already handled (event_id, view submission), for at-least-once."""

    __tablename__ = "received"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentionRow(Base):
    """Who was mentioned in a reminder for which stage on which day: never twice."""

    __tablename__ = "mentions"

    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)


class PostedCanvasRow(Base):
    """The Slack canvas (or fallback file) posted for a data product, for re-posting."""

    __tablename__ = "posted_canvases"

    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    canvas_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PostedPicturesRow(Base):
    """The board and map pictures posted last, replaced (deleted) when they are redrawn."""

    __tablename__ = "posted_pictures"

    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    comment_ts: Mapped[str] = mapped_column(String(32))  # the message that says what they show
    file_ids: Mapped[list] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(64))  # of the pictures: unchanged, not reposted
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
