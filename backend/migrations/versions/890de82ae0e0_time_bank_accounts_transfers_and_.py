"""time bank: accounts, transfers and movements; help requests asked as time-bank service

A double-entry ledger of service hours (docs/timebank.md): every transfer is two movements,
and an account keeps the sum of its movements as its balance, never below zero but for the
community system accounts new hours come from.

Revision ID: 890de82ae0e0
Revises: 7b3e1f2a9c44
Create Date: 2026-11-27 03:10:26.941293

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '890de82ae0e0'
down_revision = '7b3e1f2a9c44'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('timebank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=16), nullable=False),
    sa.Column('bucket', sa.String(length=16), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('allows_negative', sa.Boolean(), nullable=False),
    sa.Column('balance_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('allows_negative OR balance_minutes >= 0', name=op.f('ck_timebank_accounts_no_overdraft')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_timebank_accounts_community_id_communities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_timebank_accounts_resident_id_residents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_timebank_accounts_volunteer_id_volunteers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timebank_accounts')),
    sa.UniqueConstraint('key', name=op.f('uq_timebank_accounts_key'))
    )
    with op.batch_alter_table('timebank_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_timebank_accounts_community_owner', ['community_id', 'owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_timebank_accounts_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_timebank_accounts_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('timebank_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('from_account_id', sa.Integer(), nullable=False),
    sa.Column('to_account_id', sa.Integer(), nullable=False),
    sa.Column('help_request_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=16), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_timebank_transfers_positive')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_timebank_transfers_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_timebank_transfers_community_id_communities')),
    sa.ForeignKeyConstraint(['from_account_id'], ['timebank_accounts.id'], name=op.f('fk_timebank_transfers_from_account_id_timebank_accounts')),
    sa.ForeignKeyConstraint(['help_request_id'], ['help_requests.id'], name=op.f('fk_timebank_transfers_help_request_id_help_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_account_id'], ['timebank_accounts.id'], name=op.f('fk_timebank_transfers_to_account_id_timebank_accounts')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_timebank_transfers_worker_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timebank_transfers')),
    sa.UniqueConstraint('help_request_id', 'kind', name='uq_timebank_transfers_request_kind')
    )
    with op.batch_alter_table('timebank_transfers', schema=None) as batch_op:
        batch_op.create_index('ix_timebank_transfers_community_kind', ['community_id', 'kind', 'service_date'], unique=False)
        batch_op.create_index('ix_timebank_transfers_giver_year', ['from_account_id', 'kind', 'service_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_timebank_transfers_to_account_id'), ['to_account_id'], unique=False)

    op.create_table('timebank_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes <> 0', name=op.f('ck_timebank_movements_nonzero')),
    sa.ForeignKeyConstraint(['account_id'], ['timebank_accounts.id'], name=op.f('fk_timebank_movements_account_id_timebank_accounts')),
    sa.ForeignKeyConstraint(['transfer_id'], ['timebank_transfers.id'], name=op.f('fk_timebank_movements_transfer_id_timebank_transfers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timebank_movements'))
    )
    with op.batch_alter_table('timebank_movements', schema=None) as batch_op:
        batch_op.create_index('ix_timebank_movements_account', ['account_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_timebank_movements_transfer_id'), ['transfer_id'], unique=False)

    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timebank_service', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_column('timebank_service')

    with op.batch_alter_table('timebank_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timebank_movements_transfer_id'))
        batch_op.drop_index('ix_timebank_movements_account')

    op.drop_table('timebank_movements')
    with op.batch_alter_table('timebank_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timebank_transfers_to_account_id'))
        batch_op.drop_index('ix_timebank_transfers_giver_year')
        batch_op.drop_index('ix_timebank_transfers_community_kind')

    op.drop_table('timebank_transfers')
    with op.batch_alter_table('timebank_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timebank_accounts_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_timebank_accounts_resident_id'))
        batch_op.drop_index('ix_timebank_accounts_community_owner')

    op.drop_table('timebank_accounts')
