"""What crosses OnboardPartner's boundaries, the names it answers to, and its steps as its `state`
query and the Temporal UI's current details say them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from models.results import Fault
from models.statuses import InviteState, PartnerStatus

WORKFLOW = "OnboardPartner"
STATE_QUERY = "state"
ACCEPT_INVITATION_UPDATE = "accept_invitation"
MONITOR_SHARED_SIGNAL = "monitor_shared"
SELECT_MONITOR_UPDATE = "select_monitor"


class Step:
    STARTING = "Starting"
    CHECKING_ASSETS = "Checking shared assets"
    INVITE = "Waiting for the partner's admin to accept the invitation"
    INVITE_EXPIRED = "Invitation expired"
    SHARE = "Waiting for the partner to share a monitor account"
    SELECT = "Waiting for a company user to select a monitor account"
    CONNECT = "Connecting: signing in as the monitor account"
    FIRST_CHECK = "Running the first check"
    ONBOARDED = "Onboarded"
    REFUSED = "Refused"  # followed by the reason


class Outcome(StrEnum):
    """How an onboarding ended (a cancelled one ends as cancelled, with no result)."""

    ONBOARDED = "Onboarded"
    REFUSED = "Refused"
    INVITE_EXPIRED = "Invite expired"


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


class MailInvitation(BaseModel):
    guest_id: str
    reminder: bool = False


class MailResult(BaseModel):
    sent: bool
    detail: str  # what the SMTP server said, or why nothing was sent; never the link


class CloseInvite(BaseModel):
    guest_id: str
    state: InviteState  # Expired or Cancelled


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
    status: PartnerStatus
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
    outcome: Outcome
    fault: Fault | None = None
    first_check_workflow_id: str | None = None
