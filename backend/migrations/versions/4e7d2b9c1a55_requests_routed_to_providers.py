"""requests routed to neighbourhood services: per-category routes, provider offers

Per community and request category, whether requests go to volunteers (the default), providers or
both; a help request offered to a provider (any of its staff answers); and the provider that took
a request (docs/providers.md, "Requests to providers").

Revision ID: 4e7d2b9c1a55
Revises: 17cfb7e70420
Create Date: 2026-11-27 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e7d2b9c1a55'
down_revision = '17cfb7e70420'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_routes',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('route', sa.String(length=12), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("route IN ('volunteers', 'providers', 'both')", name=op.f('ck_provider_routes_route_known')),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_provider_routes_community_id_communities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_provider_routes_updated_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('community_id', 'category', name=op.f('pk_provider_routes')),
    )
    op.create_table(
        'provider_offers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('help_request_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('distance_km', sa.Float(), nullable=True),
        sa.Column('decline_reason', sa.String(length=200), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['help_request_id'], ['help_requests.id'],
                                name=op.f('fk_provider_offers_help_request_id_help_requests'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'],
                                name=op.f('fk_provider_offers_provider_id_providers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'],
                                name=op.f('fk_provider_offers_answered_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_offers')),
        sa.UniqueConstraint('help_request_id', 'provider_id',
                            name=op.f('uq_provider_offers_help_request_id_provider_id')),
    )
    with op.batch_alter_table('provider_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_offers_help_request_id'), ['help_request_id'], unique=False)
        batch_op.create_index('ix_provider_offers_provider_status', ['provider_id', 'status'], unique=False)
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_help_requests_provider_id'), ['provider_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_help_requests_provider_id_providers'), 'providers',
                                    ['provider_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_help_requests_provider_id_providers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_help_requests_provider_id'))
        batch_op.drop_column('provider_id')
    with op.batch_alter_table('provider_offers', schema=None) as batch_op:
        batch_op.drop_index('ix_provider_offers_provider_status')
        batch_op.drop_index(batch_op.f('ix_provider_offers_help_request_id'))
    op.drop_table('provider_offers')
    op.drop_table('provider_routes')
