"""The audit log: who did what, and when. Append-only: nothing here updates or deletes, and the
database refuses it too (triggers on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlmodel import Session, select

from models.tables import AuditEvent


def record(session: Session, workspace_id: str | None, action: str, *, by: str, target: str | None = None,
           details: dict | None = None) -> None:
    """`by`: who did it (a CLI user, `workflow`, a guest user)."""
    session.add(AuditEvent(workspace_id=workspace_id, action=action, target=target, details=details or {}, actor=by))


def list_for(session: Session, workspace_id: str | None, limit: int = 200) -> list[AuditEvent]:
    query = select(AuditEvent)
    if workspace_id:
        query = query.where((AuditEvent.workspace_id == workspace_id) | (AuditEvent.workspace_id.is_(None)))
    return list(session.exec(query.order_by(AuditEvent.id.desc()).limit(limit)))
