"""What the console does on a person's behalf, for the API and the pages alike: each action checks
its target is in the person's workspace, asks Temporal, and is audited with the person's name."""

from __future__ import annotations

import asyncio

from fastapi.concurrency import run_in_threadpool
from temporalio.client import WorkflowHandle

from control import checks
from models import audit, console_users, partners, tasks
from models.errors import Conflict
from models.statuses import PartnerStatus
from web.auth import Principal
from web.state import ConsoleState


def sign_in(console: ConsoleState, email: str, password: str, client_address: str) -> console_users.SignedIn | None:
    """A session for the right password (audited), None for a wrong one (counted by the throttle)."""
    with console.store() as session:
        signed = console_users.sign_in(session, email, password, client_address)
    if signed is not None:
        with console.store() as session:
            audit.record(session, signed.user.workspace_id, "console.sign_in", by=f"console:{signed.user.email}")
    return signed


async def check_partner(console: ConsoleState, principal: Principal, business_id: str,
                        patience_s: float = 5) -> tuple[WorkflowHandle, str | None]:
    """Starts (or joins) a check; returns its handle and its task's id once a worker opened the task
    (None if none did within `patience_s`: the check waits, queued, for a worker)."""
    def find():
        with console.store() as session:
            p = partners.resolve(session, principal.workspace_id, business_id)
            if not p.selected_monitor_id or p.status == PartnerStatus.DISCONNECTED:
                raise Conflict(f"partner {p.business_id} has no connected monitor account (status: {p.status})")
            return p

    p = await run_in_threadpool(find)
    handle = await checks.start_check(await console.temporal(), console.settings, workspace_id=principal.workspace_id,
                                      partner_id=p.id, business_id=p.business_id, actor=principal.actor)
    return handle, await task_opened(console, handle, patience_s)


async def task_opened(console: ConsoleState, handle: WorkflowHandle, patience_s: float = 5) -> str | None:
    """The task of a check just started, once a worker opened it (None if none did in `patience_s`)."""

    def opened() -> str | None:
        with console.store() as session:
            task = tasks.for_run(session, handle.id, handle.result_run_id)
            return task.id if task else None

    # So that the Automation log the person is sent to already lists the check they asked for.
    deadline = asyncio.get_running_loop().time() + patience_s
    while (task_id := await run_in_threadpool(opened)) is None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    return task_id


async def review_task(console: ConsoleState, principal: Principal, task_id: str, approve: bool) -> tuple[str, str]:
    """Approves or rejects a blocked check; returns the task's id and outcome."""

    def find():
        with console.store() as session:
            return tasks.in_workspace(session, principal.workspace_id, task_id)

    task = await run_in_threadpool(find)
    outcome = await checks.review(await console.temporal(), task, approve=approve, actor=principal.actor)

    def record():
        with console.store() as session:
            audit.record(session, principal.workspace_id, "task.approve" if approve else "task.reject", target=task.id,
                         by=principal.actor, details={"removed": task.removed, "outcome": outcome})

    await run_in_threadpool(record)
    return task.id, outcome
