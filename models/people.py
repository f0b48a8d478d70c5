"""A partner's people: the snapshot a check reads, and its import as a diff in one transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func
from sqlmodel import Session, select

from models.errors import Conflict
from pydantic import BaseModel

from models.payloads import Fault, ImportResult
from models.tables import AutomationTask, ChangeLog, Partner, PartnerPerson, SnapshotRow, utcnow
from pinterest_reader.rows import MemberRow

# What makes a person "changed". Last active moves daily and is stored, not reported as a change.
TRACKED = ("name", "role", "status", "assets")


def save_snapshot_page(session: Session, task: AutomationTask, page_no: int, rows: list[MemberRow]) -> None:
    """Stores one page of people; a page read again replaces, never duplicates (keyed by email)."""
    keys = [row.email.lower() for row in rows]
    if keys:
        session.exec(delete(SnapshotRow).where(SnapshotRow.task_id == task.id, SnapshotRow.email_key.in_(keys)))
    for key, row in zip(keys, rows):
        session.add(SnapshotRow(task_id=task.id, email_key=key, page=page_no, data=row.model_dump(mode="json")))
    task.pages_read = max(task.pages_read, page_no)
    task.updated_at = utcnow()
    session.add(task)


def complete_snapshot(session: Session, task: AutomationTask) -> int:
    listed = session.exec(select(func.count()).select_from(SnapshotRow).where(SnapshotRow.task_id == task.id)).one()
    task.snapshot_complete, task.listed_total = True, listed
    session.add(task)
    return listed


def _person_view(data: dict, shared: set[str]) -> dict:
    grants = sorted(
        ({"asset_id": g["asset_id"], "asset_name": g["asset_name"], "permission": g["permission"]}
         for g in data["assets"] if g["asset_id"] in shared),
        key=lambda g: (g["asset_id"], g["permission"]),
    )
    return {"name": data["name"], "role": data["role"], "status": data["status"], "assets": grants}


def _tracked(person: PartnerPerson) -> dict:
    return {"name": person.name, "role": person.role, "status": person.status, "assets": person.assets}


class RemovalPolicy(BaseModel):
    threshold_pct: float = 20.0
    floor: int = 2

    def blocks(self, current: int, removed: int, kept: int) -> Fault | None:
        """Why a diff must wait for a person, or None. Zero people where there were some always waits."""
        if current and kept == 0:
            return Fault(code="RemovalSafeguard", lasting=True,
                         message=f"The check found nobody where there were {current} people; a person must confirm.")
        if removed > self.floor and removed > current * self.threshold_pct / 100:
            return Fault(code="RemovalSafeguard", lasting=True,
                         message=f"The check would remove {removed} of {current} people "
                                 f"(over {self.threshold_pct:g}%); a person must approve or reject it.")
        return None


def import_snapshot(session: Session, task: AutomationTask, partner: Partner, policy: RemovalPolicy | None = None) -> ImportResult:
    """Diffs the task's complete snapshot against the partner's current people and applies it.

    Only people who can reach an asset shared between the two businesses are the company's
    business; the rest of the agency is counted in `listed` and nothing more. With a policy, a
    diff that removes too many people is returned `blocked` and nothing is applied."""
    if task.imported_at is not None:  # a retried import after a commit whose reply was lost
        return ImportResult(added=task.added, changed=task.changed, removed=task.removed, listed=task.listed_total or 0)
    if not task.snapshot_complete:
        raise Conflict("the snapshot is incomplete: a check that did not read every page changes nobody")
    shared = {a["asset_id"] for a in partner.shared_assets}
    seen: dict[str, tuple[dict, dict]] = {}
    for snap in session.exec(select(SnapshotRow).where(SnapshotRow.task_id == task.id)):
        view = _person_view(snap.data, shared)
        if view["assets"]:
            seen[snap.email_key] = (view, snap.data)
    people = {p.email_key: p for p in session.exec(select(PartnerPerson).where(PartnerPerson.partner_id == partner.id))}
    current = {k for k, p in people.items() if p.removed_at is None}
    gone = current - seen.keys()
    result = ImportResult(listed=task.listed_total or 0, removed=len(gone))
    if policy is not None:
        result.blocked = policy.blocks(len(current), len(gone), len(seen))
        if result.blocked:
            result.added = sum(k not in current for k in seen)
            result.changed = sum(k in current and _tracked(people[k]) != v for k, (v, _) in seen.items())
            return result
    now = utcnow()
    for key, (view, data) in seen.items():
        person = people.get(key)
        last_active = data.get("last_active")
        if person is None or person.removed_at is not None:
            before = None if person is None else _tracked(person)
            person = person or PartnerPerson(workspace_id=partner.workspace_id, partner_id=partner.id,
                                             email_key=key, email=data["email"], first_seen=now, **view)
            person.name, person.role, person.status, person.assets = view["name"], view["role"], view["status"], view["assets"]
            person.removed_at = None
            result.added += 1
            session.add(ChangeLog(task_id=task.id, partner_id=partner.id, email=data["email"], change="added",
                                  before=before, after=view))
        elif _tracked(person) != view:
            session.add(ChangeLog(task_id=task.id, partner_id=partner.id, email=data["email"], change="changed",
                                  before=_tracked(person), after=view))
            person.name, person.role, person.status, person.assets = view["name"], view["role"], view["status"], view["assets"]
            result.changed += 1
        person.email = data["email"]
        person.last_active = None if last_active is None else date.fromisoformat(last_active)
        person.last_seen = now
        session.add(person)
    for key in gone:
        person = people[key]
        person.removed_at = now
        session.add(person)
        session.add(ChangeLog(task_id=task.id, partner_id=partner.id, email=person.email, change="removed",
                              before=_tracked(person), after=None))
    partner.last_check_at = now
    session.add(partner)
    task.imported_at = now
    task.added, task.changed, task.removed = result.added, result.changed, result.removed
    session.add(task)
    discard_snapshot(session, task.id)
    return result


def discard_snapshot(session: Session, task_id: str) -> None:
    """The snapshot has served its purpose once imported or given up; the change log keeps what changed."""
    session.exec(delete(SnapshotRow).where(SnapshotRow.task_id == task_id))


def list_people(session: Session, workspace_id: str, partner_id: str | None = None,
                include_removed: bool = False) -> list[PartnerPerson]:
    query = select(PartnerPerson).where(PartnerPerson.workspace_id == workspace_id)
    if partner_id:
        query = query.where(PartnerPerson.partner_id == partner_id)
    if not include_removed:
        query = query.where(PartnerPerson.removed_at.is_(None))
    return list(session.exec(query.order_by(PartnerPerson.partner_id, PartnerPerson.email_key)))


def changes_of(session: Session, task_id: str) -> list[ChangeLog]:
    return list(session.exec(select(ChangeLog).where(ChangeLog.task_id == task_id).order_by(ChangeLog.id)))
