"""Unit of work: one transaction, rolled back unless committed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dpflow.store.repo import Repository


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self._sessions = sessions

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.repo = Repository(self.session)
        return self

    async def __aexit__(self, *exc) -> None:
        # close() rolls back what was not committed and, unlike rollback(), leaves the
        # loaded rows readable for the caller
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()


class UnitOfWorkFactory:
    """What services receive: `async with uows() as uow: … await uow.commit()`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)
