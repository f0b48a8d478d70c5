"""What the store answers besides rows: why something is in its state (a fault), and what an
import changed. Plain pydantic values: the workflows' payloads carry them as they are."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Reason(StrEnum):
    """Fault codes that partnerwatch itself decides (the site's come from pinterest_reader.errors,
    one class each, and a store error's from its class in models.errors)."""

    NOT_CONNECTED = "NotConnected"
    NO_SHARED_ASSETS = "NoSharedAssets"
    INVITE_SENT = "InviteSent"
    INVITE_EXPIRED = "InviteExpired"
    WAITING_FOR_MONITOR = "WaitingForMonitor"
    ONBOARDING_CANCELLED = "OnboardingCancelled"
    DISCONNECTED = "Disconnected"
    REMOVAL_SAFEGUARD = "RemovalSafeguard"
    REVIEW_TIMED_OUT = "ReviewTimedOut"
    REMOVAL_REJECTED = "RemovalRejected"
    ABANDONED = "Abandoned"  # its workflow ended without finishing the task
    CANCELLED = "Cancelled"
    TIMEOUT = "Timeout"
    ERROR = "Error"


class Fault(BaseModel):
    """Why a task or partner is where it is: a code, plain words, and whether a person must act."""

    code: str
    message: str
    lasting: bool


class ImportResult(BaseModel):
    added: int = 0
    changed: int = 0
    removed: int = 0
    listed: int = 0
    blocked: Fault | None = None
