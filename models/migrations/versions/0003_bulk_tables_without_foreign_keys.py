"""The two tables an import writes in bulk, partner_person and change_log, keep their indexes and lose
their foreign keys. PostgreSQL checks a foreign key row by row: at 100,000 people those checks cost
more than writing the rows (1.0 s of 2.0 s for a first import, bench/import_people.py). What they
guarded stays guarded: these rows are written only by models/people.py, inside one partner, under
that partner's row lock; and partners, workspaces and tasks are never deleted (disconnecting keeps
the history).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DROPPED = {"partner_person": ["workspace_id", "partner_id"], "change_log": ["task_id", "partner_id"]}
REFERRED = {"workspace_id": ("workspace", "id"), "partner_id": ("partner", "id"), "task_id": ("automation_task", "id")}
# SQLite's foreign keys have no names; batch mode names them by this convention to drop them.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in DROPPED.items():
            with op.batch_alter_table(table, naming_convention=NAMING) as batch:
                for column in columns:
                    batch.drop_constraint(f"fk_{table}_{column}", type_="foreignkey")
        return
    for table, columns in DROPPED.items():
        for column in columns:
            op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")


def downgrade() -> None:
    for table, columns in DROPPED.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                referred, key = REFERRED[column]
                batch.create_foreign_key(f"{table}_{column}_fkey", referred, [column], [key])
