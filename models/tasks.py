"""Automation tasks: the Automation view of every check, with status, counts and reason."""

from __future__ import annotations

from sqlmodel import Session, select

from models.errors import NotFound
from models.results import Fault, ImportResult
from models.statuses import ACTIVE_TASK, TaskKind, TaskStatus
from models.tables import AutomationTask, utcnow


def get(session: Session, task_id: str) -> AutomationTask:
    task = session.get(AutomationTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    return task


def for_run(session: Session, workflow_id: str, run_id: str) -> AutomationTask | None:
    return session.exec(
        select(AutomationTask).where(AutomationTask.workflow_id == workflow_id, AutomationTask.run_id == run_id)
    ).first()


def active_for(session: Session, workspace_id: str, partner_id: str | None) -> list[AutomationTask]:
    return list(session.exec(select(AutomationTask).where(
        AutomationTask.workspace_id == workspace_id, AutomationTask.partner_id == partner_id,
        AutomationTask.status.in_(ACTIVE_TASK))))


def blocked_for(session: Session, workspace_id: str, partner_id: str | None) -> AutomationTask | None:
    return session.exec(select(AutomationTask).where(
        AutomationTask.workspace_id == workspace_id, AutomationTask.partner_id == partner_id,
        AutomationTask.status == TaskStatus.BLOCKED).order_by(AutomationTask.created_at.desc())).first()


def in_workspace(session: Session, workspace_id: str, task_id: str) -> AutomationTask:
    task = session.get(AutomationTask, task_id)
    if task is None or task.workspace_id != workspace_id:
        raise NotFound(f"no task {task_id} in this workspace (see `partnerwatch tasks list`)")
    return task


def create(session: Session, *, workspace_id: str, partner_id: str | None, target: str, actor: str,
           trigger: str, workflow_id: str, run_id: str) -> AutomationTask:
    task = AutomationTask(workspace_id=workspace_id, partner_id=partner_id, target=target, actor=actor,
                          trigger=trigger, task=TaskKind.CHECK if partner_id else TaskKind.DISCOVER, status=TaskStatus.RUNNING,
                          workflow_id=workflow_id, run_id=run_id)
    session.add(task)
    session.flush()
    return task


def set_status(session: Session, task: AutomationTask, status: TaskStatus, fault: Fault | None = None) -> None:
    task.status = status
    if fault is not None:
        task.reason_code, task.reason = fault.code, fault.message
    task.updated_at = utcnow()
    session.add(task)


def mark_retrying(session: Session, task_id: str, fault: Fault) -> None:
    task = get(session, task_id)
    task.retries += 1
    set_status(session, task, TaskStatus.RETRYING, fault)


def finish(session: Session, task: AutomationTask, status: TaskStatus, counts: ImportResult | None, fault: Fault | None) -> None:
    if counts is not None:
        task.added, task.changed, task.removed = counts.added, counts.changed, counts.removed
    if status == TaskStatus.COMPLETED:
        task.reason_code, task.reason = None, None
    set_status(session, task, status, fault)


def list_for(session: Session, workspace_id: str, partner_id: str | None = None, limit: int = 50) -> list[AutomationTask]:
    query = select(AutomationTask).where(AutomationTask.workspace_id == workspace_id)
    if partner_id:
        query = query.where(AutomationTask.partner_id == partner_id)
    return list(session.exec(query.order_by(AutomationTask.created_at.desc()).limit(limit)))
