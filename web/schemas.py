"""What the API answers with (and the pages and CSV exports show): plain pydantic models made from
the store's rows, never the tables themselves, and never a secret."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field, SecretStr

from common.grants import AssetGrant, SharedAsset
from models.changes import PersonChange
from models.statuses import ConsoleRole
from models.tables import AuditEvent, AutomationTask, Partner, PartnerPerson

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")


class SignInRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    email: str
    role: ConsoleRole
    workspace_id: str
    workspace_name: str
    csrf_token: str = Field(description="Send it as the X-CSRF-Token header with every POST, PUT, PATCH and DELETE")


class PartnerOut(BaseModel):
    business_id: str
    name: str
    relationship: str
    status: str
    reason: str | None
    reason_code: str | None
    shared_assets: list[SharedAsset]
    last_check_at: datetime | None
    people: int

    @classmethod
    def of(cls, p: Partner, people: int) -> PartnerOut:
        return cls(business_id=p.business_id, name=p.name, relationship=p.relationship, status=p.status,
                   reason=p.status_reason, reason_code=p.status_reason_code,
                   shared_assets=[SharedAsset.model_validate(a) for a in p.shared_assets],
                   last_check_at=p.last_check_at, people=people)


class PersonOut(BaseModel):
    partner: str = Field(description="The partner's business id")
    email: str
    name: str
    role: str
    status: str
    assets: list[AssetGrant]
    first_seen: datetime
    last_seen: datetime
    last_active: date | None
    removed_at: datetime | None

    @classmethod
    def of(cls, u: PartnerPerson, partner: Partner) -> PersonOut:
        # Everyone still listed was seen by the partner's last check; the column is not rewritten each time.
        last_seen = u.last_seen if u.removed_at else (partner.last_check_at or u.last_seen)
        return cls(partner=partner.business_id, email=u.email, name=u.name, role=u.role, status=u.status,
                   assets=[AssetGrant.model_validate(a) for a in u.assets],
                   first_seen=u.first_seen, last_seen=last_seen, last_active=u.last_active, removed_at=u.removed_at)


class FieldChangeOut(BaseModel):
    field: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        return f"{self.field}: {self.before or '(none)'} -> {self.after or '(none)'}"


class ChangeOut(BaseModel):
    id: int
    task_id: str
    partner: str = Field(description="The partner's business id")
    email: str
    name: str
    kind: str = Field(description="added, changed or removed; or baseline: a partner's first check, which logs "
                                  "the people it found as this one line (email and name empty; the people: "
                                  "GET /api/v1/partners/{business_id}/people)")
    severity: str
    at: datetime
    fields: list[FieldChangeOut]
    people_found: int | None = Field(None, description="A baseline's: how many people the first check found")
    people_high: int | None = Field(None, description="A baseline's: how many of them are Manager, or Admin on an "
                                                      "asset (the baseline is high when any is)")

    @classmethod
    def of(cls, c: PersonChange, business_id: str) -> ChangeOut:
        return cls(id=c.id, task_id=c.task_id, partner=business_id, email=c.email, name=c.name, kind=c.kind,
                   severity=c.severity, at=c.at, people_found=c.people_found, people_high=c.people_high,
                   fields=[FieldChangeOut(field=f.field, before=f.before, after=f.after) for f in c.fields])


class TaskOut(BaseModel):
    id: str
    task: str
    target: str
    actor: str
    trigger: str
    status: str
    created_at: datetime
    updated_at: datetime
    added: int
    changed: int
    removed: int
    listed: int | None
    pages_read: int
    pages_total: int | None
    removal_rereads: int = Field(0, description="Pages read again to confirm that the people a check missed are gone")
    retries: int
    reason_code: str | None
    reason: str | None
    workflow_id: str | None
    temporal_ui: str | None = Field(None, description="The task's workflow in the Temporal UI")

    @classmethod
    def of(cls, t: AutomationTask, link: str | None) -> TaskOut:
        return cls(id=t.id, task=t.task, target=t.target, actor=t.actor, trigger=t.trigger, status=t.status,
                   created_at=t.created_at, updated_at=t.updated_at, added=t.added, changed=t.changed,
                   removed=t.removed, listed=t.listed_total, pages_read=t.pages_read, pages_total=t.pages_total,
                   removal_rereads=t.removal_rereads, retries=t.retries, reason_code=t.reason_code, reason=t.reason, workflow_id=t.workflow_id,
                   temporal_ui=link)


class TaskDetail(TaskOut):
    changes: list[ChangeOut]


class CheckStarted(BaseModel):
    workflow_id: str
    task_id: str | None = Field(description="The check's task; null while it waits for a worker to pick it up")
    temporal_ui: str


class ReviewOutcome(BaseModel):
    task_id: str
    outcome: str


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    details: dict

    @classmethod
    def of(cls, e: AuditEvent) -> AuditOut:
        return cls(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, details=e.details)


class InvitationOut(BaseModel):
    email: str
    state: str
    invited_at: datetime
    expires_at: datetime | None
    accepted_at: datetime | None
    reminders_sent: int

    def __str__(self) -> str:
        return f"{self.email}: {self.state}"


class MonitorAccountOut(BaseModel):
    id: str
    email: str
    totp: bool
    state: str
    rejected_code: str | None
    shared_at: datetime
    selected: bool

    def __str__(self) -> str:
        return f"{self.email} ({self.state}{', selected' if self.selected else ''})"


class OnboardingOut(BaseModel):
    business_id: str
    name: str
    status: str
    reason: str | None
    step: str | None = Field(description="The onboarding workflow's step; null: none is running (or Temporal is away)")
    waiting_for: str | None = Field(description="Who must do what next, in words; null when nothing is awaited")
    invitation: InvitationOut | None
    monitor_accounts: list[MonitorAccountOut]


class OnboardRequest(BaseModel):
    admin_email: str = Field(min_length=3, max_length=320, description="The partner's admin, invited as a guest user")
    remind_every_s: float = Field(3 * 86400, ge=60, le=30 * 86400)
    expire_after_s: float = Field(14 * 86400, ge=60, le=90 * 86400)


class ShareRequest(BaseModel):
    """A monitor account's credentials: they go into the vault and are never shown again."""

    email: str = Field(min_length=3, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=1024)
    totp_secret: SecretStr | None = Field(None, max_length=256, description="Base32, if the account uses TOTP")


class CredentialsRequest(BaseModel):
    password: SecretStr = Field(min_length=1, max_length=1024)
    totp_secret: SecretStr | None = Field(None, max_length=256)


class SelectRequest(BaseModel):
    wait_s: float = Field(60, ge=0, le=300, description="How long to wait for the connection's outcome")


class ConnectOut(BaseModel):
    monitor_account_id: str
    email: str
    connected: bool | None = Field(description="null: still connecting when the wait ended")
    reason_code: str | None = None
    reason: str | None = None


class GuestOut(BaseModel):
    id: str
    partner: str
    email: str
    invite_state: str
    invited_at: datetime
    expires_at: datetime | None
    accepted_at: datetime | None
    reminders_sent: int


class DestinationOut(BaseModel):
    id: str
    name: str
    kind: str = Field(description="webhook, slack or email")
    target: str = Field(description="Where it goes, as may be shown: a webhook's URL, Slack's host, the addresses")
    event_types: list[str] = Field(description="Empty: every type")
    partner: str | None = Field(description="Only this partner's events (its business id)")
    min_severity: str
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    rotating_until: datetime | None


class DestinationRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(pattern="^(webhook|slack|email)$")
    url: SecretStr | None = Field(None, max_length=2000, description="A webhook's URL, or a Slack incoming webhook's "
                                  "(a credential: kept sealed, never shown again)")
    to: list[str] = Field(default_factory=list, max_length=20, description="An email destination's addresses")
    smtp: str | None = Field(None, max_length=300, description="An email destination's smtp://host:port")
    mail_from: str | None = Field(None, max_length=320)
    event_types: list[str] = Field(default_factory=list, max_length=20)
    partner: str | None = Field(None, max_length=30, description="Only this partner's events (its business id)")
    min_severity: str = Field("low", pattern="^(low|medium|high)$")


class DestinationAdded(BaseModel):
    destination: DestinationOut
    signing_secret: str | None = Field(description="A webhook's whsec_ secret: shown this once, for the receiver")


class RotateRequest(BaseModel):
    overlap_s: float = Field(86400, ge=0, le=30 * 86400, description="How long the old secret keeps signing too")


class SecretRotated(BaseModel):
    signing_secret: str = Field(description="The new whsec_ secret: shown this once")
    previous_until: datetime


class TestSent(BaseModel):
    outcome: str
    status_code: int | None
    duration_ms: int
    detail: str


class AttemptOut(BaseModel):
    number: int
    at: datetime
    outcome: str
    status_code: int | None
    duration_ms: int
    detail: str

    def __str__(self) -> str:
        return f"#{self.number} {self.at:%Y-%m-%d %H:%M:%S} {self.outcome} {self.status_code or ''} {self.duration_ms} ms".strip()


class DeliveryOut(BaseModel):
    id: str
    destination: str
    kind: str
    event_id: str
    event_type: str
    status: str
    replay_of: str | None
    created_at: datetime
    attempts: list[AttemptOut]


class EventOut(BaseModel):
    id: str
    type: str
    severity: str
    partner: str | None
    occurred_at: datetime
    data: dict


class ScheduleOut(BaseModel):
    schedule_id: str
    partner: str
    name: str
    paused: bool | None
    next_run: datetime | None
    last_run: datetime | None


class WorkspaceOut(BaseModel):
    id: str
    name: str
    company_business_id: str | None
    removal_threshold_pct: float
    removal_floor: int


class ReplayStarted(BaseModel):
    delivery_id: str = Field(description="The new delivery; the worker's relay starts it within a second or so")


class WorkspaceSettings(BaseModel):
    removal_threshold_pct: float | None = Field(None, ge=0, le=100, description="Block a check removing more than this %")
    removal_floor: int | None = Field(None, ge=0, le=1_000_000, description="...unless it removes at most this many")


class IntegrationRequest(BaseModel):
    """The company's own business, and a Manager account there: its secrets go into the vault."""

    business_id: str = Field(pattern=r"^\d{5,30}$")
    email: str = Field(min_length=3, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=1024)
    totp_secret: SecretStr | None = Field(None, max_length=256)
    replace: bool = Field(False, description="Replace an integration already set")
