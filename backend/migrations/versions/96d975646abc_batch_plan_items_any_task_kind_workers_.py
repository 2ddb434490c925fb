"""batch plan items: any task kind, workers as assignees

Revision ID: 96d975646abc
Revises: 4e7d2b9c1a55
Create Date: 2026-11-27 05:38:11.892864

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '96d975646abc'
down_revision = '4e7d2b9c1a55'
branch_labels = None
depends_on = None


def upgrade():
    # Existing items are help requests: the kind defaults to it and the task id is the request's.
    # (Their stored candidates keep "volunteer_id"; the planner reads both shapes.)
    with op.batch_alter_table('batch_plan_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_kind', sa.String(length=32), nullable=False, server_default='help_request'))
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
    op.execute("UPDATE batch_plan_items SET task_id = help_request_id")
    with op.batch_alter_table('batch_plan_items', schema=None) as batch_op:
        batch_op.alter_column('task_id', existing_type=sa.Integer(), nullable=False)
        batch_op.add_column(sa.Column('worker_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fcfs_worker_id', sa.Integer(), nullable=True))
        batch_op.alter_column('help_request_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_batch_plan_items_task', ['task_kind', 'task_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_batch_plan_items_worker_id_users'), 'users', ['worker_id'], ['id'], ondelete='SET NULL')


def downgrade():
    # Items of other kinds have no place in the older table.
    op.execute("DELETE FROM batch_plan_items WHERE help_request_id IS NULL")
    with op.batch_alter_table('batch_plan_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_batch_plan_items_worker_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_batch_plan_items_task')
        batch_op.alter_column('help_request_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('fcfs_worker_id')
        batch_op.drop_column('worker_id')
        batch_op.drop_column('task_id')
        batch_op.drop_column('task_kind')
