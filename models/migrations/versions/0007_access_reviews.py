"""Access reviews: campaigns, their items, and the removal requests a revoke becomes. Triggers
refuse any change to a closed campaign or its items: the record auditors read cannot move.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime
FROZEN = "a closed access review cannot change"

TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER review_campaign_frozen_update BEFORE UPDATE ON review_campaign WHEN OLD.status = 'Closed' "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
        f"CREATE TRIGGER review_campaign_frozen_delete BEFORE DELETE ON review_campaign WHEN OLD.status = 'Closed' "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
        f"CREATE TRIGGER review_item_frozen_insert BEFORE INSERT ON review_item "
        f"WHEN (SELECT status FROM review_campaign WHERE id = NEW.campaign_id) = 'Closed' "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
        f"CREATE TRIGGER review_item_frozen_update BEFORE UPDATE ON review_item "
        f"WHEN (SELECT status FROM review_campaign WHERE id = OLD.campaign_id) = 'Closed' "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
        f"CREATE TRIGGER review_item_frozen_delete BEFORE DELETE ON review_item "
        f"WHEN (SELECT status FROM review_campaign WHERE id = OLD.campaign_id) = 'Closed' "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION review_record_frozen() RETURNS trigger AS $$ "
        "DECLARE campaign text; BEGIN "
        "IF TG_TABLE_NAME = 'review_campaign' THEN "
        f"  IF OLD.status = 'Closed' THEN RAISE EXCEPTION '{FROZEN}'; END IF; "
        "ELSE "
        "  IF TG_OP = 'INSERT' THEN campaign := NEW.campaign_id; ELSE campaign := OLD.campaign_id; END IF; "
        "  IF EXISTS (SELECT 1 FROM review_campaign WHERE id = campaign AND status = 'Closed') THEN "
        f"    RAISE EXCEPTION '{FROZEN}'; END IF; "
        "END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER review_campaign_frozen BEFORE UPDATE OR DELETE ON review_campaign "
        "FOR EACH ROW EXECUTE FUNCTION review_record_frozen()",
        "CREATE TRIGGER review_item_frozen BEFORE INSERT OR UPDATE OR DELETE ON review_item "
        "FOR EACH ROW EXECUTE FUNCTION review_record_frozen()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "review_campaign",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("workspace_id", TEXT(), nullable=False),
        sa.Column("partner_ids", sa.JSON(), nullable=False),
        sa.Column("reviewer_id", TEXT(), nullable=False),
        sa.Column("fallback_id", TEXT(), nullable=True),
        sa.Column("no_response", TEXT(), nullable=False),
        sa.Column("opened_at", WHEN(), nullable=False),
        sa.Column("due_at", WHEN(), nullable=False),
        sa.Column("deadline_at", WHEN(), nullable=False),
        sa.Column("escalate_after_s", sa.Float(), nullable=False),
        sa.Column("every_s", sa.Float(), nullable=True),
        sa.Column("previous_id", TEXT(), nullable=True),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("workflow_id", TEXT(), nullable=False),
        sa.Column("started_by", TEXT(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("past_due_at", WHEN(), nullable=True),
        sa.Column("closed_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["console_user.id"]),
        sa.ForeignKeyConstraint(["fallback_id"], ["console_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_review_campaign_workspace_id"), "review_campaign", ["workspace_id"])
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", TEXT(), nullable=False),
        sa.Column("partner_id", TEXT(), nullable=False),
        sa.Column("email", TEXT(), nullable=False),
        sa.Column("email_key", TEXT(), nullable=False),
        sa.Column("name", TEXT(), nullable=False),
        sa.Column("role", TEXT(), nullable=False),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("assets", sa.JSON(), nullable=False),
        sa.Column("first_seen", WHEN(), nullable=False),
        sa.Column("last_active", sa.Date(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("source_task_id", TEXT(), nullable=True),
        sa.Column("changed_by_task_id", TEXT(), nullable=True),
        sa.Column("assignee_id", TEXT(), nullable=False),
        sa.Column("reassign_note", TEXT(), nullable=True),
        sa.Column("decision", TEXT(), nullable=True),
        sa.Column("decided_by", TEXT(), nullable=True),
        sa.Column("decided_at", WHEN(), nullable=True),
        sa.Column("justification", TEXT(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["review_campaign.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["assignee_id"], ["console_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "partner_id", "email_key", name="ux_review_item_person"),
    )
    op.create_index(op.f("ix_review_item_campaign_id"), "review_item", ["campaign_id"])
    op.create_table(
        "removal_request",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("workspace_id", TEXT(), nullable=False),
        sa.Column("campaign_id", TEXT(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", TEXT(), nullable=False),
        sa.Column("email", TEXT(), nullable=False),
        sa.Column("email_key", TEXT(), nullable=False),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("requested_at", WHEN(), nullable=False),
        sa.Column("escalate_at", WHEN(), nullable=False),
        sa.Column("escalated_at", WHEN(), nullable=True),
        sa.Column("closed_at", WHEN(), nullable=True),
        sa.Column("closed_by_task_id", TEXT(), nullable=True),
        sa.Column("close_reason", TEXT(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.ForeignKeyConstraint(["campaign_id"], ["review_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["review_item.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id"),
    )
    op.create_index(op.f("ix_removal_request_workspace_id"), "removal_request", ["workspace_id"])
    op.create_index(op.f("ix_removal_request_campaign_id"), "removal_request", ["campaign_id"])
    op.create_index(op.f("ix_removal_request_partner_id"), "removal_request", ["partner_id"])
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    for table in ("removal_request", "review_item", "review_campaign"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS review_record_frozen()")
