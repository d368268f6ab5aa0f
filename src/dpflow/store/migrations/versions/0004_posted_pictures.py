"""posted pictures: the board and map files posted last, to replace them when redrawn

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from dpflow.store.models import UTCDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'posted_pictures',
        sa.Column('workshop_id', sa.String(length=32), sa.ForeignKey('workshops.id'),
                  primary_key=True),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('thread_ts', sa.String(length=32), nullable=True),
        sa.Column('comment_ts', sa.String(length=32), nullable=False),
        sa.Column('file_ids', sa.JSON(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('posted_pictures')
