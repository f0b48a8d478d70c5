"""Every timestamp is a `timestamp with time zone` on PostgreSQL. Stores made by this release's
migrations have been since 0001; a store adopted from before migrations on PostgreSQL could still have
columns `without time zone` (made by an older SQLModel), whose values partnerwatch always wrote in
UTC. Those columns are converted, each value read as the UTC time it is, so that nothing has to put a
time zone back on a value by hand. SQLite has no time zone type: its values are UTC text, read back as
UTC by the column type, and stay as they are.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NAIVE = sa.text(
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND data_type = 'timestamp without time zone' "
    "AND table_name <> 'alembic_version' ORDER BY table_name, column_name")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, column in bind.execute(NAIVE).all():
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamp with time zone '
                   f'USING "{column}" AT TIME ZONE \'UTC\'')


def downgrade() -> None:
    """Nothing to undo: 0001 made every column with a time zone already."""
