"""The console's lists, one function each, shared by the API, the pages and the CSV exports: always
scoped to one workspace, filtered, sorted, and paged by keyset (models/paging.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models import changes, paging, partners, people
from models.changes import Severity
from models.tables import AuditEvent, AutomationTask, ChangeLog, Partner, PartnerPerson
from web import cursor
from web.problems import Problem
from web.schemas import AuditOut, ChangeOut, PartnerOut, PersonOut, TaskOut

MAX_LIMIT = 500
EXPORT_LIMIT = 100_000  # a CSV export reads at most this many rows


@dataclass(frozen=True)
class Listed:
    items: list
    next_cursor: str | None


def _sort(sort: str, allowed: dict[str, tuple]) -> tuple[paging.Order, str]:
    """`name` or `-name` (descending) among the allowed keys; each ends with a unique column."""
    key = sort.removeprefix("-")
    if key not in allowed:
        raise Problem(422, "invalid", f"cannot sort by '{sort}'; choose one of {', '.join(sorted(allowed))} "
                                      "(a leading - sorts descending)")
    return paging.Order(allowed[key], descending=sort.startswith("-")), sort


def _page(session: Session, query, order: paging.Order, sort: str, after: str | None, limit: int):
    rows, last = paging.page(session, query, order, cursor.decode(sort, after), limit)
    return rows, cursor.encode(sort, last)


PARTNER_SORTS = {"name": (Partner.name, Partner.id), "business_id": (Partner.business_id, Partner.id),
                 "status": (Partner.status, Partner.id)}


def list_partners(session: Session, workspace_id: str, *, status: str | None = None, sort: str = "name",
                  after: str | None = None, limit: int = 50) -> Listed:
    order, sort = _sort(sort, PARTNER_SORTS)
    query = select(Partner).where(Partner.workspace_id == workspace_id)
    if status:
        query = query.where(Partner.status == status)
    rows, next_cursor = _page(session, query, order, sort, after, limit)
    counts = people.counts_by_partner(session, workspace_id)
    return Listed([PartnerOut.of(p, counts.get(p.id, 0)) for p in rows], next_cursor)


def partner(session: Session, workspace_id: str, business_id: str) -> PartnerOut:
    found = partners.resolve(session, workspace_id, business_id)
    return PartnerOut.of(found, people.counts_by_partner(session, workspace_id).get(found.id, 0))


PEOPLE_SORTS = {"email": (PartnerPerson.email_key, PartnerPerson.id), "name": (PartnerPerson.name, PartnerPerson.id),
                "role": (PartnerPerson.role, PartnerPerson.id), "first_seen": (PartnerPerson.first_seen, PartnerPerson.id)}


def list_people(session: Session, workspace_id: str, business_id: str | None, *, role: str | None = None,
                status: str | None = None, permission: str | None = None, search: str | None = None,
                include_removed: bool = False, sort: str = "email", after: str | None = None,
                limit: int = 50) -> Listed:
    """One partner's people, or (with no business id) every partner's."""
    found = partners.resolve(session, workspace_id, business_id) if business_id else None
    order, sort = _sort(sort, PEOPLE_SORTS)
    query = people.people_query(workspace_id, found.id if found else None, role=role, status=status,
                                permission=permission, search=search, include_removed=include_removed)
    rows, next_cursor = _page(session, query, order, sort, after, limit)
    by_id = {found.id: found} if found else {p.id: p for p in partners.list_for(session, workspace_id)}
    return Listed([PersonOut.of(u, by_id[u.partner_id]) for u in rows], next_cursor)


def list_changes(session: Session, workspace_id: str, *, business_id: str | None = None, task_id: str | None = None,
                 since: datetime | None = None, min_severity: Severity = Severity.LOW, after: str | None = None,
                 limit: int = 50) -> Listed:
    """Newest first. Severity is worked out from each entry's before and after, so a severity filter
    reads on in chunks until the page is full."""
    partner_id = partners.resolve(session, workspace_id, business_id).id if business_id else None
    business_of = {p.id: p.business_id for p in partners.list_for(session, workspace_id)}
    query = changes.changes_query(workspace_id, partner_id, task_id, since)
    order, sort = paging.Order((ChangeLog.id,), descending=True), "-id"
    position = cursor.decode(sort, after)
    found: list[ChangeOut] = []
    while True:
        rows, last = paging.page(session, query, order, position, max(limit, 200))
        for row in rows:
            described = changes.describe(row)
            if changes.at_least(described, min_severity):
                found.append(ChangeOut.of(described, business_of.get(row.partner_id, "")))
                if len(found) == limit:
                    more = row is not rows[-1] or last is not None
                    return Listed(found, cursor.encode(sort, [row.id]) if more else None)
        if last is None:
            return Listed(found, None)
        position = last


TASK_SORTS = {"created_at": (AutomationTask.created_at, AutomationTask.id),
              "status": (AutomationTask.status, AutomationTask.id)}


def list_tasks(session: Session, workspace_id: str, *, business_id: str | None = None, status: str | None = None,
               sort: str = "-created_at", after: str | None = None, limit: int = 50, link=None) -> Listed:
    order, sort = _sort(sort, TASK_SORTS)
    query = select(AutomationTask).where(AutomationTask.workspace_id == workspace_id)
    if business_id:
        query = query.where(AutomationTask.partner_id == partners.resolve(session, workspace_id, business_id).id)
    if status:
        query = query.where(AutomationTask.status == status)
    rows, next_cursor = _page(session, query, order, sort, after, limit)
    return Listed([TaskOut.of(t, link(t.workflow_id) if link and t.workflow_id else None) for t in rows], next_cursor)


def list_audit(session: Session, workspace_id: str, *, after: str | None = None, limit: int = 50) -> Listed:
    """Newest first: this workspace's entries only (entries of no workspace are the operators')."""
    order, sort = paging.Order((AuditEvent.id,), descending=True), "-id"
    query = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    rows, next_cursor = _page(session, query, order, sort, after, limit)
    return Listed([AuditOut.of(e) for e in rows], next_cursor)
