"""Row locks that serialise work on one partner (or one workspace's discovery), or on one task's
snapshot, and nothing else: on PostgreSQL, checks of different partners never wait for each other.
SQLite has one writer at a time anyway and ignores FOR UPDATE."""

from __future__ import annotations

from sqlmodel import Session, select, update

from models.tables import AutomationTask, Partner, Workspace, utcnow


def partner(session: Session, partner_id: str) -> None:
    """Held until the transaction ends: a second import or task start of this partner waits here."""
    session.exec(select(Partner.id).where(Partner.id == partner_id).with_for_update()).one()


def workspace(session: Session, workspace_id: str) -> None:
    session.exec(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update()).one()


def task(session: Session, task_id: str) -> None:
    """Held until the transaction ends: the tabs of one read store their pages one after another, so
    that none loses another's page from the task's list. A write, not FOR UPDATE: pysqlite begins a
    transaction only at the first write, so on SQLite a read before it can be stale."""
    session.exec(update(AutomationTask).where(AutomationTask.id == task_id).values(updated_at=utcnow()))
