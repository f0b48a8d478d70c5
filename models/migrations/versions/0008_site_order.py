"""The site's own order, kept instead of the store's: each snapshot row's position on the page it was
read from (a read page is compared with what was stored of it in that order, never `ORDER BY email`,
which follows the store's collation and not the site's); the page each person was last seen on (where
a check looks again before it records someone as removed); and how many pages a check read again to
confirm removals.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshot_row") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=True))
    with op.batch_alter_table("partner_person") as batch:
        batch.add_column(sa.Column("seen_page", sa.Integer(), nullable=True))
    with op.batch_alter_table("automation_task") as batch:
        batch.add_column(sa.Column("removal_rereads", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("automation_task") as batch:
        batch.drop_column("removal_rereads")
    with op.batch_alter_table("partner_person") as batch:
        batch.drop_column("seen_page")
    with op.batch_alter_table("snapshot_row") as batch:
        batch.drop_column("position")
