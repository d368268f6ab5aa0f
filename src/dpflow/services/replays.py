"""Requests acted on once: a signed request seen again is a replay, never Slack's retry."""

from __future__ import annotations

from datetime import timedelta

from dpflow.store.uow import UnitOfWorkFactory

# Slack's requests are refused once their timestamp is five minutes old: a signature seen
# longer ago than this cannot come back, and is forgotten
REMEMBERED = timedelta(minutes=10)


async def first_time(uows: UnitOfWorkFactory, signature: str) -> bool:
    """False when this exact signed request was accepted before. Slack signs each request it
    sends (a retry included) with its own timestamp, and refuses nothing older than five
    minutes, so the same signature twice is the same bytes sent again by someone else."""
    async with uows() as uow:
        new = await uow.repo.first_delivery(f"sig:{signature}")
        await uow.repo.forget_deliveries("sig:", uow.now() - REMEMBERED)
        await uow.commit()
        return new
