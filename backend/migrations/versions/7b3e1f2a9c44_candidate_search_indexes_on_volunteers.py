"""candidate search indexes on volunteers

Revision ID: 7b3e1f2a9c44
Revises: 5d2f7a9c41e0
Create Date: 2026-11-27 03:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7b3e1f2a9c44'
down_revision = '5d2f7a9c41e0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.create_index('ix_volunteers_search',
                              ['community_id', 'status', 'on_duty', 'home_lat', 'home_lng', 'travel_radius_km', 'id'],
                              unique=False)
        batch_op.create_index('ix_volunteers_community_radius', ['community_id', 'travel_radius_km'], unique=False)


def downgrade():
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteers_community_radius')
        batch_op.drop_index('ix_volunteers_search')
