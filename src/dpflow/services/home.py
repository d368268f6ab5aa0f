"""What the Home tab shows a person: the workshops they take part in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dpflow.store.uow import UnitOfWorkFactory

SHOWN = 20  # workshops on the tab; four blocks each keeps it under Slack's 100


@dataclass(frozen=True)
class HomeWorkshop:
    id: str
    name: str
    channel_id: str
    stage: str
    active: bool
    run_id: int | None
    thread_ts: str | None
    deadline: datetime | None
    contributions: int
    cards: list[str]  # refs of the cards they added, newest last
    muted: bool
    facilitator: bool


@dataclass(frozen=True)
class HomePage:
    user_id: str
    workshops: list[HomeWorkshop]
    more: int = 0  # workshops left out


async def page(uows: UnitOfWorkFactory, team_id: str, user_id: str) -> HomePage:
    async with uows.read() as uow:
        repo = uow.repo
        workshops = await repo.workshops_of(team_id, user_id)
        items = []
        for w in workshops[:SHOWN]:
            run = await repo.current_run(w.id)
            member = await repo.member(w.id, user_id)
            items.append(HomeWorkshop(
                id=w.id, name=w.name, channel_id=w.channel_id, stage=w.stage, active=w.active,
                run_id=run.id if run else None, thread_ts=run.message_ts if run else None,
                deadline=run.deadline if run else None,
                contributions=await repo.contribution_count(w.id, user_id),
                cards=await repo.refs_by(w.id, user_id),
                muted=member.muted, facilitator=member.facilitator))
        return HomePage(user_id, items, max(0, len(workshops) - SHOWN))
