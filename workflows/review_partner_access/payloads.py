"""What crosses ReviewPartnerAccess's boundaries and the names it answers to. People never do: items
travel as the store's ids, reviewers as console user ids, and notices as event ids."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from models.review_spec import CampaignSpec
from models.statuses import Decision, ReminderStage

WORKFLOW = "ReviewPartnerAccess"
STATE_QUERY = "state"
DECIDE_UPDATE = "decide"
REASSIGN_UPDATE = "reassign"
DAY_S = 86400.0
# Items in one decision or reassignment (models/reviews.py says the same to the store).
MAX_ITEMS = 5000


class Step:
    WAITING_TO_OPEN = "Waiting to open (a recurring review)"
    OPENING = "Opening: one item per partner person"
    REVIEWING = "Waiting for the reviewer's decisions"
    PAST_DUE = "Past due: the fallback reviewer is asked too"
    CLOSING = "Closing"
    FOLLOWING_UP = "Closed: following up open removal requests"
    CLOSED = "Closed"


class ReviewInput(BaseModel):
    campaign_id: str
    workspace_id: str
    partner_ids: list[str]  # empty: every onboarded partner
    reviewer_id: str
    fallback_id: str | None = None
    no_response: Decision = Decision.KEEP
    due_after_s: float = 14 * DAY_S
    grace_s: float = 7 * DAY_S  # from the due date to the deadline
    escalate_after_s: float = 7 * DAY_S
    every_s: float | None = None
    remind_days_before: list[float] = Field(default_factory=lambda: [7, 3, 1])
    open_after_s: float = 0  # a recurring review's next one waits this long before it opens
    previous_id: str | None = None
    actor: str = "cli"


# The store's own shape for opening a campaign (models/review_spec.py), not a copy of its fields.
OpenCampaign = CampaignSpec


class Opened(BaseModel):
    items: int
    undecided: int
    notices: list[str]  # events to mail


class DecideInput(BaseModel):
    item_ids: list[int]
    decision: Decision
    justification: str | None = None
    decider_id: str  # a console user


class ReassignInput(BaseModel):
    item_ids: list[int]
    to_id: str
    note: str
    by_id: str


class RecordDecisions(BaseModel):
    campaign_id: str
    workspace_id: str
    at: datetime
    decide: DecideInput | None = None
    reassign: ReassignInput | None = None


class DecisionResult(BaseModel):
    decided: list[int]
    refused: dict[int, str]  # item id -> why
    requests: list[str]  # removal requests made
    undecided: int  # left in the campaign
    notices: list[str] = Field(default_factory=list)


class CampaignAt(BaseModel):
    campaign_id: str
    at: datetime
    stage: ReminderStage | None = None  # for reminders


class Notices(BaseModel):
    event_ids: list[str]


class Escalated(BaseModel):
    notices: list[str]
    next_at: datetime | None


class ReviewState(BaseModel):
    step: str
    campaign_id: str
    opened: bool
    items: int
    undecided: int
    due_at: datetime | None
    deadline_at: datetime | None
    reminders_sent: int
    closed: bool
    next_campaign_id: str | None


class ReviewResult(BaseModel):
    campaign_id: str
    items: int
    no_response_applied: int
    next_campaign_id: str | None = None
