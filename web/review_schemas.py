"""What the access review API takes and gives (web/review_api.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from common.grants import AssetGrant
from models import reviews
from models.statuses import ReviewStatus
from models.tables import ReviewCampaign, ReviewItem

DURATION = r"^\d{1,4}(\.\d{1,3})?[smhd]$"


class StartReviewRequest(BaseModel):
    partners: list[str] = Field(default_factory=list, max_length=500,
                                description="Partners' business ids; empty: every onboarded, checked partner")
    reviewer: str = Field(min_length=3, max_length=320, description="A console user's email")
    fallback: str | None = Field(None, min_length=3, max_length=320)
    due: str = Field("14d", pattern=DURATION, description="Like 14d, 12h or 30m")
    grace: str = Field("7d", pattern=DURATION, description="From the due date to the deadline")
    escalate_after: str = Field("7d", pattern=DURATION, description="A removal request open this long escalates")
    every: str | None = Field(None, pattern=DURATION, description="Recurring: the next campaign opens this long after")
    no_response: Literal["keep", "revoke"] = "keep"


class CampaignOut(BaseModel):
    id: str
    status: ReviewStatus
    reviewer: str | None
    fallback: str | None
    no_response: str
    opened_at: datetime
    due_at: datetime
    deadline_at: datetime
    closed_at: datetime | None
    items: int
    undecided: int
    kept: int
    revoked: int
    workflow_id: str
    temporal_ui: str

    @classmethod
    def of(cls, campaign: ReviewCampaign, users: dict[str, str], tally: dict[str, int], link: str) -> CampaignOut:
        return cls(id=campaign.id, status=campaign.status, reviewer=users.get(campaign.reviewer_id),
                   fallback=users.get(campaign.fallback_id), no_response=campaign.no_response,
                   opened_at=campaign.opened_at, due_at=campaign.due_at, deadline_at=campaign.deadline_at,
                   closed_at=campaign.closed_at, workflow_id=campaign.workflow_id, temporal_ui=link, **tally)


class ItemOut(BaseModel):
    id: int
    partner: str
    email: str
    name: str
    role: str
    status: str
    assets: list[str]
    first_seen: datetime
    last_active: date | None
    flags: list[str]
    reviewer: str | None
    reassign_note: str | None
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None
    justification: str | None
    removal_request: str | None

    @classmethod
    def of(cls, item: ReviewItem, partner: str, users: dict[str, str], request: str | None) -> ItemOut:
        return cls(id=item.id, partner=partner, email=item.email, name=item.name, role=item.role, status=item.status,
                   assets=[str(AssetGrant.model_validate(g)) for g in item.assets],
                   first_seen=item.first_seen, last_active=item.last_active, flags=item.flags,
                   reviewer=users.get(item.assignee_id), reassign_note=item.reassign_note, decision=item.decision,
                   decided_by=item.decided_by, decided_at=item.decided_at, justification=item.justification,
                   removal_request=request)


class ItemSelection(BaseModel):
    """Items by id, or every undecided item matching a filter (`all`: true with no filter means all)."""

    items: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(default_factory=list,
                                                               max_length=reviews.MAX_ITEMS_PER_DECISION)
    partner: str | None = Field(None, pattern=r"^\d{5,30}$")
    flag: reviews.ReviewFlag | None = None
    role: str | None = Field(None, max_length=50)
    permission: str | None = Field(None, max_length=50)
    search: str | None = Field(None, max_length=200)
    all: bool = False


class DecideRequest(ItemSelection):
    decision: Literal["keep", "revoke"]
    justification: str | None = Field(None, max_length=2000)


class ReassignRequest(ItemSelection):
    to: str = Field(min_length=3, max_length=320, description="The console user who decides instead")
    note: str = Field(min_length=1, max_length=2000)


class DecisionOut(BaseModel):
    decided: list[int]
    refused: dict[int, str]
    removal_requests: list[str]
    undecided: int
