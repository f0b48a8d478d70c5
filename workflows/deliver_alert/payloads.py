"""What crosses DeliverAlert's boundaries: a delivery's id and statuses. Never the event's body, the
destination's URL or a secret: the activity reads those from the store."""

from __future__ import annotations

from pydantic import BaseModel

from models.statuses import AttemptOutcome, DeliveryStatus

WORKFLOW = "DeliverAlert"


def delivery_workflow_id(delivery_id: str) -> str:
    return f"deliver-{delivery_id}"


class DeliverInput(BaseModel):
    delivery_id: str


class AttemptInput(BaseModel):
    delivery_id: str
    number: int  # 1 for the first; an attempt already logged under its number is not made again


class AttemptResult(BaseModel):
    status: DeliveryStatus  # Pending: try again
    outcome: AttemptOutcome | None = None
    retry_after_s: float | None = None  # the receiver's Retry-After


class DeliveryResult(BaseModel):
    delivery_id: str
    status: DeliveryStatus
    attempts: int
