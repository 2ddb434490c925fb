"""call-back tasks keep the worker's note

Revision ID: 5d2f7a9c41e0
Revises: 1c4e9fba6b51
Create Date: 2026-11-27 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2f7a9c41e0'
down_revision = '1c4e9fba6b51'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('callback_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('callback_tasks', schema=None) as batch_op:
        batch_op.drop_column('note')
