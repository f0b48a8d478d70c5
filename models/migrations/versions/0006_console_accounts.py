"""The web console's accounts: users (argon2 hashes), their sessions (token hashes), invitation links
(token hashes), failed sign-ins.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "console_user",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("workspace_id", TEXT(), nullable=False),
        sa.Column("email", TEXT(), nullable=False),
        sa.Column("email_key", TEXT(), nullable=False),
        sa.Column("role", TEXT(), nullable=False),
        sa.Column("partner_id", TEXT(), nullable=True),
        sa.Column("guest_id", TEXT(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("disabled_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["guest_id"], ["guestuser.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_key", name="ux_console_user_email"),
    )
    op.create_index(op.f("ix_console_user_workspace_id"), "console_user", ["workspace_id"])
    op.create_table(
        "console_session",
        sa.Column("token_hash", TEXT(), nullable=False),
        sa.Column("user_id", TEXT(), nullable=False),
        sa.Column("csrf_token", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("last_seen_at", WHEN(), nullable=False),
        sa.Column("expires_at", WHEN(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["console_user.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_console_session_user_id"), "console_session", ["user_id"])
    op.create_table(
        "invitation_link",
        sa.Column("token_hash", TEXT(), nullable=False),
        sa.Column("guest_id", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("used_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(["guest_id"], ["guestuser.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_invitation_link_guest_id"), "invitation_link", ["guest_id"])
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", TEXT(), nullable=False),
        sa.Column("at", WHEN(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_failure_key_at", "sign_in_failure", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failure_key_at", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_index(op.f("ix_invitation_link_guest_id"), table_name="invitation_link")
    op.drop_table("invitation_link")
    op.drop_index(op.f("ix_console_session_user_id"), table_name="console_session")
    op.drop_table("console_session")
    op.drop_index(op.f("ix_console_user_workspace_id"), table_name="console_user")
    op.drop_table("console_user")
