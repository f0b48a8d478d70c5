"""What crosses CheckForUpdates' boundaries, and the names it answers to: ids and counts, never
secrets, never people (the snapshot stays in the store)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from models.results import Fault, ImportResult
from models.seen import SeenPartner
from models.statuses import TaskStatus, Trigger

__all__ = ["Fault", "ImportResult"]  # carried as the store answers them

WORKFLOW = "CheckForUpdates"
REVIEW_UPDATE = "review"
STATUS_QUERY = "status"


class CheckInput(BaseModel):
    workspace_id: str
    partner_id: str | None = Field(None, description="None: read the company's own business (discover partners)")
    trigger: Trigger = Trigger.MANUAL
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
    peak_parallel: int = 0  # the most pages read at once (the adaptive limit's peak)
    removal_rereads: int = 0  # pages read again to confirm that the people the pass missed are gone


class ReadCursor(BaseModel):
    """Heartbeat details of a members read: how far the attempt got, for the Temporal UI."""

    task_id: str
    pages_done: list[int] = []
    pages_total: int | None = None


class PartnersRead(BaseModel):
    rows: list[SeenPartner]


class ImportPartnersInput(BaseModel):
    task_id: str
    rows: list[SeenPartner]


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
    status: TaskStatus
    counts: ImportResult | None = None
    fault: Fault | None = None


class CheckResult(BaseModel):
    task_id: str
    status: TaskStatus
    joined: bool = False
    counts: ImportResult | None = None
    fault: Fault | None = None
