"""The review stage: findings computed from the board, kept with their status."""

from __future__ import annotations

from dpflow.domain.review import review
from dpflow.store.models import FindingRow, WorkshopRow
from dpflow.store.repo import Repository


async def run_review(repo: Repository, workshop: WorkshopRow) -> None:
    """Recompute every finding; one already known keeps its row, status and answers."""
    board = await repo.board(workshop)
    known = {row.key: row for row in await repo.findings(workshop.id, current_only=False)}
    for row in known.values():
        row.current = False
    for finding in review(board):
        row = known.get(finding.key)
        if row is None:
            row = FindingRow(workshop_id=workshop.id, key=finding.key)
            repo.add(row)
        row.kind, row.subject, row.message = finding.kind.value, finding.subject, finding.message
        row.status, row.details, row.current = finding.status.value, finding.details, True
    await repo.flush()
