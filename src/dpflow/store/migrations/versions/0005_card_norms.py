"""card norms: each card's text as compared for sameness, indexed, so a reply reads only the
cards its lines name or might repeat; when a finding was decided or resolved

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('norm', sa.Text(), nullable=False, server_default=''))
    cards = sa.table('cards', sa.column('id', sa.Integer), sa.column('text', sa.Text),
                     sa.column('norm', sa.Text))
    conn = op.get_bind()
    rows = conn.execute(sa.select(cards.c.id, cards.c.text)).all()
    if rows:
        conn.execute(cards.update().where(cards.c.id == sa.bindparam('card_id'))
                     .values(norm=sa.bindparam('card_norm')),
                     [{'card_id': i, 'card_norm': ' '.join(t.split()).casefold()}
                      for i, t in rows])
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index('ix_cards_norm', ['workshop_id', 'kind', 'norm'], unique=False)
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_column('decided_at')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_norm')
        batch_op.drop_column('norm')
