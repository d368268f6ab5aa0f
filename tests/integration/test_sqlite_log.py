"""SQLite's write-ahead log is copied into the database beside the writers, not by them."""

from __future__ import annotations

from sqlalchemy import text

from dpflow.store.db import CHECKPOINT_EVERY, open_database

ROW = "x" * 8000  # a row of two overflow pages: each write adds a few pages to the log
PAGE = 4096


async def test_the_log_stays_small_while_replies_are_written(tmp_path):
    db = open_database(f"sqlite+aiosqlite:///{tmp_path / 'board.db'}")
    sessions = db.sessions
    await sessions.run_written(lambda conn: conn.exec_driver_sql("CREATE TABLE t (v TEXT)"))
    rounds = 10
    for _ in range(rounds):
        for _ in range(CHECKPOINT_EVERY):
            async with sessions.transaction(write=True) as tx:
                await tx.execute(text("INSERT INTO t VALUES (:v)"), {"v": ROW})
                await tx.commit()
        await sessions.checkpointed()

    log = (tmp_path / "board.db-wal").stat().st_size
    written = rounds * CHECKPOINT_EVERY * 2 * PAGE  # at least: two pages a write
    assert log < written / 3  # copied into the database and started again, round by round
    async with sessions.transaction(write=False) as tx:
        stored = (await tx.execute(text("SELECT count(*) FROM t"))).scalar()
    assert stored == rounds * CHECKPOINT_EVERY
    await db.dispose()


async def test_a_commit_leaves_the_copying_to_the_checkpoints(tmp_path):
    """Fewer writes than `CHECKPOINT_EVERY`, more pages than SQLite's own threshold (1,000):
    nothing has reached the database file yet."""
    db = open_database(f"sqlite+aiosqlite:///{tmp_path / 'board.db'}")
    sessions = db.sessions
    await sessions.run_written(lambda conn: conn.exec_driver_sql("CREATE TABLE t (v TEXT)"))
    before = (tmp_path / "board.db").stat().st_size
    for _ in range(CHECKPOINT_EVERY - 1):
        async with sessions.transaction(write=True) as tx:
            await tx.execute(text("INSERT INTO t VALUES (:v)"), {"v": ROW * 6})
            await tx.commit()
    assert (tmp_path / "board.db-wal").stat().st_size > 1000 * PAGE
    assert (tmp_path / "board.db").stat().st_size == before
    await db.dispose()
