"""Requests acted on once: a signed request seen again is a replay, never Slack's retry."""

from __future__ import annotations

from dpflow.store.uow import UnitOfWorkFactory


async def first_time(uows: UnitOfWorkFactory, signature: str) -> bool:
    """False when this exact signed request was accepted before. Slack signs each request it
    sends (a retry included) with its own timestamp, and refuses nothing older than five
    minutes, so the same signature twice is the same bytes sent again by someone else."""
    async with uows() as uow:
        new = await uow.repo.first_delivery(f"sig:{signature}")
        await uow.commit()
        return new
