"""link ends indexed: an edit or a deletion of a reply reads the cards it touches and their
links, not the whole board; cards by kind in board order, for the first few of each kind

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index('ix_links_source_id', ['source_id'], unique=False)
        batch_op.create_index('ix_links_target_id', ['target_id'], unique=False)
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index('ix_cards_kind', ['workshop_id', 'kind', 'position', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_kind')
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_index('ix_links_target_id')
        batch_op.drop_index('ix_links_source_id')
