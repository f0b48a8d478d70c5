"""One automation task per workflow run, held by the database: with several workers, an activity
retried on another worker while the first attempt still runs must not create a second task.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ux_task_run", "automation_task", ["workflow_id", "run_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_task_run", table_name="automation_task")
