"""What opening an access review campaign takes: one shape, for the store that opens it
(`models/reviews.open_campaign`) and for the workflow that asks it to (the `OpenCampaign` payload is
this model), so that the two can never drift apart field by field."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from models.statuses import Decision


class CampaignSpec(BaseModel):
    campaign_id: str
    workspace_id: str
    partner_ids: list[str]  # empty: every onboarded partner
    reviewer_id: str
    fallback_id: str | None
    no_response: Decision
    opened_at: datetime
    due_at: datetime
    deadline_at: datetime
    escalate_after_s: float
    every_s: float | None
    previous_id: str | None
    workflow_id: str
    started_by: str
