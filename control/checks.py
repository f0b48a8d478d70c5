"""Starting a check and deciding on a blocked one: the same workflow ids, search attributes and
messages whoever asks (the CLI, the console)."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from config import Settings
from models.errors import Conflict
from models.statuses import TaskStatus, Trigger
from models.tables import AutomationTask
from temporal_common.search_attributes import search_attributes
from temporal_common.workflow_ids import check_id, discover_id
from workflows.check_for_updates.payloads import CheckInput, ReviewDecision

# The workflow class is imported where it is used: its module brings the activities, SQLAlchemy's
# engines and Playwright, which a command that never starts a check should not wait for.


async def start_check(client: Client, settings: Settings, *, workspace_id: str, partner_id: str | None,
                      business_id: str, actor: str) -> WorkflowHandle:
    """Starts a check of a partner (or, with no partner, of the company's business: discovery). A
    second trigger while a check runs joins it instead of starting another."""
    from workflows.check_for_updates.workflow import CheckForUpdates
    workflow_id = check_id(partner_id) if partner_id else discover_id(workspace_id)
    what = f"partner business {business_id}" if partner_id else f"company business {business_id} (discover partners)"
    return await client.start_workflow(
        CheckForUpdates.run, CheckInput(workspace_id=workspace_id, partner_id=partner_id, trigger=Trigger.MANUAL,
                                        actor=actor),
        id=workflow_id, task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        search_attributes=search_attributes(workspace_id, business_id if partner_id else None, TaskStatus.QUEUED),
        static_summary=f"Check for updates: {what}")


def innermost(error: BaseException) -> BaseException:
    """The error at the bottom of Temporal's chain (an update's, a workflow's, an activity's)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error


def said_by(error: BaseException) -> str:
    """What the innermost error says, in its own words."""
    cause = innermost(error)
    return getattr(cause, "message", None) or str(cause)


async def review(client: Client, task: AutomationTask, *, approve: bool, actor: str) -> str:
    """Approves or rejects a check the removal safeguard blocked; returns the task's outcome. A task
    not waiting for a review, or a workflow that refuses, is a Conflict that changed nothing."""
    from workflows.check_for_updates.workflow import CheckForUpdates
    if task.status != TaskStatus.BLOCKED:
        raise Conflict(f"task {task.id} is {task.status}, not waiting for a review")
    handle = client.get_workflow_handle(task.workflow_id, run_id=task.run_id)
    try:
        return await handle.execute_update(CheckForUpdates.review, ReviewDecision(approve=approve, actor=actor))
    except (WorkflowUpdateFailedError, RPCError) as error:
        raise Conflict(said_by(error)) from None


def workflow_link(settings: Settings, workflow_id: str) -> str:
    """The workflow's page in the Temporal UI."""
    namespace = settings.temporal_connect_config()["namespace"]
    return f"{settings.temporal_ui_url}/namespaces/{namespace}/workflows/{workflow_id}"
