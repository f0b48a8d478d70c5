"""The tables. Timestamps are UTC; JSON columns hold small lists, grants and shared assets in one
shape each (models/json_columns.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from common.grants import AssetGrant, SharedAsset
from models.ids import new_id
from models.json_columns import ShapedList
from models.safeguard import DEFAULT_FLOOR, DEFAULT_THRESHOLD_PCT
from models.statuses import InviteState, MonitorState, PartnerStatus, TaskStatus


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Workspace(SQLModel, table=True):
    id: str = Field(default_factory=lambda: new_id("ws"), primary_key=True)
    name: str = Field(unique=True, index=True)
    removal_threshold_pct: float = DEFAULT_THRESHOLD_PCT  # the removal safeguard (models/safeguard.py)
    removal_floor: int = DEFAULT_FLOOR
    created_at: datetime = Field(default_factory=utcnow)


class DataKey(SQLModel, table=True):
    """A data key, stored only wrapped (AES-GCM) by a master key that lives outside the database."""

    __tablename__ = "data_key"
    id: str = Field(default_factory=lambda: new_id("dk"), primary_key=True)
    master_kid: str
    nonce: str = ""
    wrapped: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None


class Credential(SQLModel, table=True):
    """A Pinterest account's secrets. Only models.credentials reads or writes these columns."""

    id: str = Field(default_factory=lambda: new_id("cred"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    email: str
    password: str = Field(sa_column=Column(Text, nullable=False))
    totp_secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The signed-in browser session (Playwright storage state: cookies), sealed like the password.
    session_state: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    session_saved_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    destroyed_at: datetime | None = None


class Integration(SQLModel, table=True):
    """The workspace's own Pinterest Business: its business id and the account that reads it."""

    id: str = Field(default_factory=lambda: new_id("int"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", unique=True)
    business_id: str
    credential_id: str = Field(foreign_key="credential.id")
    created_at: datetime = Field(default_factory=utcnow)


class Partner(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "business_id"),)
    id: str = Field(default_factory=lambda: new_id("pt"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    business_id: str
    name: str
    # has_access: we share with them; shared_with_you: they share with us; both.
    relationship: str
    shared_assets: list = Field(default_factory=list, sa_column=Column(ShapedList(SharedAsset), nullable=False))
    status: str = PartnerStatus.PENDING
    status_reason_code: str | None = None
    status_reason: str | None = None
    selected_monitor_id: str | None = None
    last_check_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class GuestUser(SQLModel, table=True):
    """A partner's admin invited into the company's workspace."""

    id: str = Field(default_factory=lambda: new_id("gu"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    partner_id: str = Field(foreign_key="partner.id", index=True)
    email: str
    invite_state: str = InviteState.INVITED
    invited_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    accepted_at: datetime | None = None
    reminders_sent: int = 0


class MonitorAccount(SQLModel, table=True):
    id: str = Field(default_factory=lambda: new_id("ma"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    partner_id: str = Field(foreign_key="partner.id", index=True)
    email: str
    credential_id: str = Field(foreign_key="credential.id")
    has_totp: bool = False
    shared_by_guest_id: str | None = None
    shared_at: datetime = Field(default_factory=utcnow)
    state: str = MonitorState.SHARED
    rejected_code: str | None = None
    rejected_at: datetime | None = None


class PartnerPerson(SQLModel, table=True):
    """A partner's person who can reach the company's assets: a Pinterest Business guest user."""

    __tablename__ = "partner_person"
    __table_args__ = (UniqueConstraint("partner_id", "email_key"),)
    id: int | None = Field(default=None, primary_key=True)
    # No foreign keys on the two tables an import writes in bulk: migration 0003 says why.
    workspace_id: str = Field(index=True)
    partner_id: str = Field(index=True)
    email_key: str
    email: str
    name: str
    role: str
    status: str
    assets: list = Field(default_factory=list, sa_column=Column(ShapedList(AssetGrant), nullable=False))
    last_active: date | None = None
    first_seen: datetime = Field(default_factory=utcnow)
    # When a check last saw a removed person; for people still listed, read the partner's last_check_at
    # (an import writes only the rows that changed).
    last_seen: datetime = Field(default_factory=utcnow)
    digest: str | None = None  # of name, role, status and assets: equal digests, nothing to report
    removed_at: datetime | None = None
    # The Members page a check saw them on when it last wrote their row: a person a later check misses is
    # looked for there, and on the pages beside it, before they are recorded as removed (models/people.py:
    # absent_people).
    seen_page: int | None = None


class AutomationTask(SQLModel, table=True):
    __tablename__ = "automation_task"
    __table_args__ = (Index("ix_task_partner_status", "partner_id", "status"),
                      # One task per workflow run, even when an activity is retried on another worker.
                      Index("ux_task_run", "workflow_id", "run_id", unique=True))
    id: str = Field(default_factory=lambda: new_id("task"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    partner_id: str | None = Field(default=None, foreign_key="partner.id")
    task: str  # a TaskKind
    target: str  # the business id read
    actor: str
    trigger: str  # a Trigger
    status: str = TaskStatus.QUEUED
    workflow_id: str | None = None
    run_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    added: int = 0
    changed: int = 0
    removed: int = 0
    listed_total: int | None = None
    pages_read: int = 0  # pages stored in the snapshot of the current pass
    # The current read pass: how many pages the site said there were, and which are stored.
    pages_total: int | None = None
    pages_done: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    read_restarts: int = 0  # read passes started over because the list changed under the reader
    removal_rereads: int = 0  # pages read again after the pass to confirm that the people it missed are gone
    snapshot_complete: bool = False
    imported_at: datetime | None = None
    retries: int = 0
    reason_code: str | None = None
    reason: str | None = None
    artifacts_path: str | None = None


class SnapshotRow(SQLModel, table=True):
    """One person as a check read them; keyed by email so a re-read page never duplicates anyone."""

    __tablename__ = "snapshot_row"
    task_id: str = Field(foreign_key="automation_task.id", primary_key=True)
    email_key: str = Field(primary_key=True)
    page: int
    # Where on its page the row was read: the site's own order, which the witness check compares with
    # (never the store's collation). None for a person found again while confirming a removal: such a
    # row is part of no page as the pass read it.
    position: int | None = None
    data: dict = Field(sa_column=Column(JSON, nullable=False))  # the row as read
    # The person as the company sees them (grants on shared assets only), worked out when the page is
    # stored, so that the import is a few set operations in SQL (docs/PERFORMANCE.md).
    relevant: bool = True  # reaches at least one shared asset
    email: str = ""
    name: str = ""
    role: str = ""
    status: str = ""
    assets: list | None = Field(default=None, sa_column=Column(ShapedList(AssetGrant), nullable=True))
    view: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    last_active: date | None = None
    digest: str | None = None


class ChangeLog(SQLModel, table=True):
    __tablename__ = "change_log"
    id: int | None = Field(default=None, primary_key=True)
    task_id: str = Field(index=True)  # no foreign keys here either (migration 0003)
    partner_id: str = Field(index=True)
    email: str
    change: str  # added, changed, removed; or baseline: a partner's first import, one line (models/changes.py)
    before: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str | None = Field(default=None, index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str
    action: str
    target: str | None = None
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Event(SQLModel, table=True):
    """The outbox: each event a person may be told of, written with the change it reports
    (models/events.py holds their shapes)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_workspace_occurred", "workspace_id", "occurred_at"),)
    id: str = Field(primary_key=True)
    workspace_id: str
    partner_id: str | None = Field(default=None, index=True)
    type: str  # an EventType
    severity: str  # a Severity
    occurred_at: datetime = Field(default_factory=utcnow)
    data: dict = Field(sa_column=Column(JSON, nullable=False))
    # When the outbox relay turned it into deliveries (None: not yet; activities/outbox_relay.py).
    dispatched_at: datetime | None = Field(default=None, index=True)


class AlertDestination(SQLModel, table=True):
    """Where a workspace's events are sent (models/alerts.py). Secrets (a webhook's signing secrets,
    a Slack URL, which is itself a credential) are sealed by the vault; `target` is what may be shown."""

    __tablename__ = "alert_destination"
    id: str = Field(default_factory=lambda: new_id("dst"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    name: str
    kind: str  # a DestinationKind
    target: str
    url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # sealed for Slack
    signing_secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    previous_secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    previous_secret_until: datetime | None = None
    mail_from: str | None = None
    event_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # empty: all
    partner_id: str | None = None
    min_severity: str = "low"
    enabled: bool = True
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None


class Delivery(SQLModel, table=True):
    """One event sent to one destination by one DeliverAlert workflow, over several attempts."""

    __tablename__ = "delivery"
    id: str = Field(default_factory=lambda: new_id("dlv"), primary_key=True)
    workspace_id: str = Field(index=True)
    event_id: str = Field(index=True)
    destination_id: str = Field(index=True)
    # event:destination for the relay's own delivery, so that two relays never make two; a replay's own id.
    dedupe_key: str = Field(unique=True, index=True)
    replay_of: str | None = None
    status: str  # a DeliveryStatus
    attempts: int = 0
    last_status_code: int | None = None
    last_detail: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = Field(default=None, index=True)  # its workflow was started
    finished_at: datetime | None = None


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"
    __table_args__ = (UniqueConstraint("delivery_id", "number", name="ux_delivery_attempt"),)
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(index=True)
    number: int
    at: datetime = Field(default_factory=utcnow)
    duration_ms: int
    outcome: str  # an AttemptOutcome
    status_code: int | None = None
    retry_after_s: float | None = None
    detail: str = ""  # never a body, a URL or a secret


class ConsoleUser(SQLModel, table=True):
    """A person who signs in to the web console (web/): one workspace, one role. Only the argon2
    hash of the password is kept (models/console_users.py)."""

    __tablename__ = "console_user"
    __table_args__ = (UniqueConstraint("email_key", name="ux_console_user_email"),)
    id: str = Field(default_factory=lambda: new_id("usr"), primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    email: str
    email_key: str  # lower-cased: one account per address, whatever its case
    role: str  # a ConsoleRole
    # A guest (a partner's admin who accepted an invitation) sees only this partner's onboarding page.
    partner_id: str | None = Field(default=None, foreign_key="partner.id")
    guest_id: str | None = Field(default=None, foreign_key="guestuser.id")
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a copy
    of the database signs nobody in."""

    __tablename__ = "console_session"
    token_hash: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="console_user.id", index=True)
    csrf_token: str
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class InvitationLink(SQLModel, table=True):
    """A link in an invitation email (or a reminder): only its token's SHA-256 is kept. Any of an
    invitation's links accepts it once; then, or when the invitation expires, none works."""

    __tablename__ = "invitation_link"
    token_hash: str = Field(primary_key=True)
    guest_id: str = Field(foreign_key="guestuser.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, by who it was for and where it came from: the throttle counts them, in the
    store, so that every console process counts the same."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_key_at", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str  # email:<address> or ip:<address>
    at: datetime = Field(default_factory=utcnow)


class ReviewCampaign(SQLModel, table=True):
    """An access review: its reviewers, dates and no-response action. Its dates are its workflow's
    (ReviewPartnerAccess), which says when it moves on; the store only records it. Closed, it cannot
    change, nor can its items (triggers, migration 0007)."""

    __tablename__ = "review_campaign"
    id: str = Field(primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    partner_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reviewer_id: str = Field(foreign_key="console_user.id")
    fallback_id: str | None = Field(default=None, foreign_key="console_user.id")
    no_response: str  # a Decision, given to items still undecided at the deadline
    opened_at: datetime
    due_at: datetime
    deadline_at: datetime
    escalate_after_s: float
    every_s: float | None = None  # a recurring campaign: the next one opens this long after this one
    previous_id: str | None = None
    status: str  # a ReviewStatus
    workflow_id: str
    started_by: str
    reminders_sent: int = 0
    past_due_at: datetime | None = None
    closed_at: datetime | None = None


class ReviewItem(SQLModel, table=True):
    """One partner person as the campaign found them, and what was decided."""

    __tablename__ = "review_item"
    __table_args__ = (UniqueConstraint("campaign_id", "partner_id", "email_key", name="ux_review_item_person"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(foreign_key="review_campaign.id", index=True)
    partner_id: str = Field(foreign_key="partner.id")
    email: str
    email_key: str
    name: str
    role: str
    status: str
    assets: list = Field(default_factory=list, sa_column=Column(ShapedList(AssetGrant), nullable=False))
    first_seen: datetime
    last_active: date | None = None
    flags: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # a ReviewFlag each
    # The checks the data came from: the partner's last completed check, and the one that last changed them.
    source_task_id: str | None = None
    changed_by_task_id: str | None = None
    assignee_id: str = Field(foreign_key="console_user.id")
    reassign_note: str | None = None
    decision: str | None = None  # a Decision; None: undecided
    decided_by: str | None = None  # the decider's email, or `no-response` for the campaign's action
    decided_at: datetime | None = None
    justification: str | None = None


class RemovalRequest(SQLModel, table=True):
    """A revoke, asked of the partner's admin; closed by a later check, never by us (we only read)."""

    __tablename__ = "removal_request"
    id: str = Field(primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True)
    campaign_id: str = Field(foreign_key="review_campaign.id", index=True)
    item_id: int = Field(foreign_key="review_item.id", unique=True)
    partner_id: str = Field(foreign_key="partner.id", index=True)
    email: str
    email_key: str
    status: str  # a RequestStatus
    requested_at: datetime
    escalate_at: datetime
    escalated_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by_task_id: str | None = None
    close_reason: str | None = None
