"""Alert destinations and their deliveries; events remember when the relay dispatched them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.add_column("event", sa.Column("dispatched_at", WHEN(), nullable=True))
    op.create_index(op.f("ix_event_dispatched_at"), "event", ["dispatched_at"])
    # Events recorded before alerts existed are history, not news: no destination is owed them.
    op.execute("UPDATE event SET dispatched_at = occurred_at")
    op.create_table(
        "alert_destination",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("workspace_id", TEXT(), nullable=False),
        sa.Column("name", TEXT(), nullable=False),
        sa.Column("kind", TEXT(), nullable=False),
        sa.Column("target", TEXT(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("signing_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret_until", WHEN(), nullable=True),
        sa.Column("mail_from", TEXT(), nullable=True),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("partner_id", TEXT(), nullable=True),
        sa.Column("min_severity", TEXT(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", TEXT(), nullable=True),
        sa.Column("failing_since", WHEN(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("removed_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_alert_destination_workspace_id"), "alert_destination", ["workspace_id"])
    op.create_table(
        "delivery",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("workspace_id", TEXT(), nullable=False),
        sa.Column("event_id", TEXT(), nullable=False),
        sa.Column("destination_id", TEXT(), nullable=False),
        sa.Column("dedupe_key", TEXT(), nullable=False),
        sa.Column("replay_of", TEXT(), nullable=True),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_detail", TEXT(), nullable=True),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("started_at", WHEN(), nullable=True),
        sa.Column("finished_at", WHEN(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("workspace_id", "event_id", "destination_id", "started_at"):
        op.create_index(op.f(f"ix_delivery_{column}"), "delivery", [column])
    op.create_index(op.f("ix_delivery_dedupe_key"), "delivery", ["dedupe_key"], unique=True)
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", TEXT(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", WHEN(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", TEXT(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("retry_after_s", sa.Float(), nullable=True),
        sa.Column("detail", TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", "number", name="ux_delivery_attempt"),
    )
    op.create_index(op.f("ix_delivery_attempt_delivery_id"), "delivery_attempt", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("delivery_attempt")
    op.drop_table("delivery")
    op.drop_table("alert_destination")
    op.drop_index(op.f("ix_event_dispatched_at"), "event")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("dispatched_at")
