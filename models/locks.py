"""Row locks that serialise work on one partner (or one workspace's discovery) and nothing else: on
PostgreSQL, checks of different partners never wait for each other. SQLite has one writer at a time
anyway and ignores FOR UPDATE."""

from __future__ import annotations

from sqlmodel import Session, select

from models.tables import Partner, Workspace


def partner(session: Session, partner_id: str) -> None:
    """Held until the transaction ends: a second import or task start of this partner waits here."""
    session.exec(select(Partner.id).where(Partner.id == partner_id).with_for_update()).one()


def workspace(session: Session, workspace_id: str) -> None:
    session.exec(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update()).one()
