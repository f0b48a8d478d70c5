"""What crosses workflow and activity boundaries: ids and counts, never secrets, never people."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Trigger = Literal["Manual", "Schedule", "Onboarding"]


class Fault(BaseModel):
    code: str
    message: str
    lasting: bool


# --- CheckForUpdates --------------------------------------------------------------------------


class CheckInput(BaseModel):
    workspace_id: str
    partner_id: str | None = Field(None, description="None: read the company's own business (discover partners)")
    trigger: Trigger = "Manual"
    actor: str = "cli"


class BeginCheckInput(BaseModel):
    check: CheckInput
    workflow_id: str


class BeginCheckResult(BaseModel):
    task_id: str
    joined: bool = False
    refused: Fault | None = None
    target: str = ""


class TaskRef(BaseModel):
    task_id: str


class ReadResult(BaseModel):
    pages: int
    listed: int
    sign_ins: int = 0  # 0 when a saved session was still good
    session_reused: bool = False
    passes: int = 1  # more than one: the list changed under the reader and was read again


class ImportResult(BaseModel):
    added: int = 0
    changed: int = 0
    removed: int = 0
    listed: int = 0
    blocked: Fault | None = None


class ImportInput(BaseModel):
    task_id: str
    approved_by: str | None = None


class ReviewDecision(BaseModel):
    approve: bool
    actor: str = "cli"


class BlockInput(BaseModel):
    task_id: str
    counts: ImportResult


class FinishTaskInput(BaseModel):
    task_id: str
    status: Literal["Completed", "Not completed"]
    counts: ImportResult | None = None
    fault: Fault | None = None


class CheckResult(BaseModel):
    task_id: str
    status: str
    joined: bool = False
    counts: ImportResult | None = None
    fault: Fault | None = None


# --- OnboardPartner ---------------------------------------------------------------------------


class OnboardInput(BaseModel):
    workspace_id: str
    partner_id: str
    admin_email: str
    remind_every_s: float = 3 * 86400
    expire_after_s: float = 14 * 86400
    actor: str = "cli"


class PartnerRef(BaseModel):
    partner_id: str


class SharedAssetsResult(BaseModel):
    count: int
    fault: Fault | None = None


class InviteInput(BaseModel):
    partner_id: str
    admin_email: str
    expire_after_s: float


class GuestRef(BaseModel):
    guest_id: str
    already_accepted: bool = False


class CloseInvite(BaseModel):
    guest_id: str
    state: Literal["Expired", "Cancelled"]


class GuestAccepted(BaseModel):
    guest_id: str


class MonitorShared(BaseModel):
    monitor_account_id: str


class SelectMonitor(BaseModel):
    monitor_account_id: str
    actor: str = "cli"


class ConnectInput(BaseModel):
    partner_id: str
    monitor_account_id: str


class ConnectOutcome(BaseModel):
    monitor_account_id: str
    connected: bool
    fault: Fault | None = None


class PartnerStatusInput(BaseModel):
    partner_id: str
    status: str
    fault: Fault | None = None
    monitor_account_id: str | None = None


class ScheduleInput(BaseModel):
    workspace_id: str
    partner_id: str
    partner_business_id: str


class OnboardState(BaseModel):
    step: str
    invite_accepted: bool
    shared_monitor_ids: list[str]
    selected_monitor_id: str | None
    last_outcome: ConnectOutcome | None
    reminders_sent: int


class OnboardResult(BaseModel):
    outcome: Literal["Onboarded", "Refused", "Invite expired", "Cancelled"]
    fault: Fault | None = None
    first_check_workflow_id: str | None = None
