"""the whole board

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from dpflow.store.models import UTCDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _slack_oauth_tables() -> sa.MetaData:
    """Tables of slack_sdk's installation and OAuth state stores (multi-workspace installs)."""
    md = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(md, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(md, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(md, "slack_oauth_states")
    return md


def upgrade() -> None:
    _slack_oauth_tables().create_all(op.get_bind())
    op.create_table('received',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('workshops',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('domain', sa.String(length=200), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index('uq_active_workshop', ['team_id', 'channel_id'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.create_table('cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('command', sa.Text(), nullable=True),
    sa.Column('actor', sa.Text(), nullable=True),
    sa.Column('system', sa.Text(), nullable=True),
    sa.Column('trigger', sa.Text(), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=True),
    sa.Column('alignment', sa.String(length=20), nullable=True),
    sa.Column('owner', sa.Text(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('classification', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workshop_id', 'ref')
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cards_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cards_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=12), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workshop_id', 'key')
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('members',
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('facilitator', sa.Boolean(), nullable=False),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('joined_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('workshop_id', 'user_id')
    )
    op.create_table('mentions',
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('workshop_id', 'stage', 'user_id', 'day')
    )
    op.create_table('ref_counters',
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('workshop_id', 'kind')
    )
    op.create_table('stage_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('opened_by', sa.String(length=32), nullable=False),
    sa.Column('opened_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('deadline', UTCDateTime(timezone=True), nullable=True),
    sa.Column('deadline_set_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stage_runs', schema=None) as batch_op:
        batch_op.create_index('ix_stage_runs_thread', ['channel_id', 'message_ts'], unique=False)
        batch_op.create_index(batch_op.f('ix_stage_runs_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('canvas_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=32), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('canvas_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canvas_items_card_id'), ['card_id'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.String(length=32), nullable=True),
    sa.Column('stage_run_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('due_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['stage_run_id'], ['stage_runs.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_workshop_id'), ['workshop_id'], unique=False)
        batch_op.create_index('uq_jobs_pending_key', ['key'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['target_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('relation', 'source_id', 'target_id')
    )
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_links_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('posted_canvases',
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('canvas_id', sa.String(length=32), nullable=True),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('workshop_id', 'card_id')
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.String(length=32), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('line', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('author', sa.String(length=32), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('canvas_item_id', sa.Integer(), nullable=True),
    sa.Column('created', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['canvas_item_id'], ['canvas_items.id'], ),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel_id', 'message_ts', 'line_no')
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_workshop_id'), ['workshop_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_workshop_id'))

    op.drop_table('sources')
    op.drop_table('posted_canvases')
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_links_workshop_id'))

    op.drop_table('links')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_jobs_pending_key', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_jobs_workshop_id'))
        batch_op.drop_index('ix_jobs_due')

    op.drop_table('jobs')
    with op.batch_alter_table('canvas_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canvas_items_card_id'))

    op.drop_table('canvas_items')
    with op.batch_alter_table('stage_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_runs_workshop_id'))
        batch_op.drop_index('ix_stage_runs_thread')

    op.drop_table('stage_runs')
    op.drop_table('ref_counters')
    op.drop_table('mentions')
    op.drop_table('members')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_workshop_id'))

    op.drop_table('findings')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cards_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_cards_parent_id'))

    op.drop_table('cards')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index('uq_active_workshop', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.drop_table('workshops')
    op.drop_table('received')
    _slack_oauth_tables().drop_all(op.get_bind())
