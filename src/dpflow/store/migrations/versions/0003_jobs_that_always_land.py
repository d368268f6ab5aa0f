"""jobs that always land: failures are counted from their first one, carry an incident id
and are reported once; the queue is read per workshop and status

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from dpflow.store.models import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failing_since', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('incident', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('reported_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_index('ix_jobs_workshop_id')
        batch_op.create_index('ix_jobs_workshop_status', ['workshop_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_workshop_status')
        batch_op.create_index('ix_jobs_workshop_id', ['workshop_id'], unique=False)
        batch_op.drop_column('reported_at')
        batch_op.drop_column('incident')
        batch_op.drop_column('failing_since')
