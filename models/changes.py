"""What changed for each person a check added, changed or removed: the fields with before and after,
and how much it matters. Read from the change log, which keeps each person as the company saw them
(name, role, status, and grants on shared assets only) before and after the check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from models.paging import holds_permission
from models.tables import AutomationTask, ChangeLog, PartnerPerson

ADMIN, MANAGER, ACTIVE = "Admin", "Manager", "Active"
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
# A partner's first import: one line saying how many people it found, not one `added` line each.
# Later checks are compared with it; it changes nobody, so it is never counted as a change.
BASELINE = "baseline"
# How much a permission lets someone do to an asset: read, change, own. The contract's permissions
# have no order of their own; gaining a higher rank, or an asset, is an escalation.
_RANK = {"Analyst": 1, "Campaign": 2, "Audience": 2, "Finance": 2, "Catalogs": 2, "Publisher": 2, ADMIN: 3}


class Severity(StrEnum):
    HIGH = "high"  # gains Admin on an asset, or becomes Manager
    MEDIUM = "medium"  # a new person, or any other escalation
    LOW = "low"  # a removal, or a change that grants nothing more


SEVERITY_ORDER = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}


@dataclass(frozen=True)
class FieldChange:
    field: str  # name, role, status, or "asset <name> (<id>)"
    before: str | None  # None: did not have it
    after: str | None  # None: no longer has it

    def __str__(self) -> str:
        return f"{self.field}: {self.before or '(none)'} -> {self.after or '(none)'}"


@dataclass(frozen=True)
class PersonChange:
    id: int
    task_id: str
    partner_id: str
    email: str
    name: str
    kind: str  # added, changed, removed; or baseline, with no person
    at: datetime
    severity: Severity
    fields: list[FieldChange] = field(default_factory=list)
    people_found: int | None = None  # a baseline's, and how many of them an `added` line would make high
    people_high: int | None = None

    def summary(self) -> list[str]:
        """One line per field for people to read: before -> after for a changed person; what an added
        person has, or a removed person had (their name is shown beside it)."""
        if self.kind == BASELINE:
            return [baseline_text(self.people_found or 0, self.people_high or 0)]
        if self.kind == CHANGED:
            return [str(f) for f in self.fields]
        return [f"{f.field}: {f.after or f.before}" for f in self.fields if f.field != "name"]


def _grants(view: dict | None) -> dict[str, tuple[str, str]]:
    """asset id -> (label, permission); a person holding two permissions on one asset keeps the higher."""
    found: dict[str, tuple[str, str]] = {}
    for grant in (view or {}).get("assets") or []:
        label = f"asset {grant.get('asset_name') or grant['asset_id']} ({grant['asset_id']})"
        held = found.get(grant["asset_id"])
        if held is None or _RANK.get(grant["permission"], 0) > _RANK.get(held[1], 0):
            found[grant["asset_id"]] = (label, grant["permission"])
    return found


def field_changes(before: dict | None, after: dict | None) -> list[FieldChange]:
    """Every tracked field that differs, one line per asset gained, lost or changed."""
    changes = [FieldChange(name, (before or {}).get(name), (after or {}).get(name))
               for name in ("name", "role", "status") if (before or {}).get(name) != (after or {}).get(name)]
    old, new = _grants(before), _grants(after)
    for asset_id in sorted(old.keys() | new.keys()):
        was, now = old.get(asset_id), new.get(asset_id)
        if (was and was[1]) != (now and now[1]):
            changes.append(FieldChange((now or was)[0], was and was[1], now and now[1]))
    return changes


def severity(kind: str, before: dict | None, after: dict | None) -> Severity:
    if kind == REMOVED or after is None:
        return Severity.LOW
    old, new = _grants(before), _grants(after)
    gains_admin = any(p == ADMIN and (old.get(a) or (None, None))[1] != ADMIN for a, (_, p) in new.items())
    becomes_manager = after.get("role") == MANAGER and (before or {}).get("role") != MANAGER
    if gains_admin or becomes_manager:
        return Severity.HIGH
    if kind == ADDED or before is None:
        return Severity.MEDIUM
    escalates = (any(a not in old or _RANK.get(p, 0) > _RANK.get(old[a][1], 0) for a, (_, p) in new.items())
                 or (after.get("status") == ACTIVE and before.get("status") != ACTIVE))
    return Severity.MEDIUM if escalates else Severity.LOW


def high_if_added(role, assets):
    """In SQL, what severity() says of an `added` person: high for a Manager, or Admin on an asset."""
    return (role == MANAGER) | holds_permission(assets, ADMIN)


def baseline_text(found: int, high: int) -> str:
    return (f"first check: {found:,} people found ({high:,} Manager or Admin on an asset), "
            "the baseline later checks are compared with")


def describe(entry: ChangeLog) -> PersonChange:
    if entry.change == BASELINE:
        # As severe as the `added` lines it stands for would be, at most.
        found, high = int((entry.after or {}).get("people", 0)), int((entry.after or {}).get("high", 0))
        return PersonChange(id=entry.id, task_id=entry.task_id, partner_id=entry.partner_id, email="", name="",
                            kind=BASELINE, at=entry.at, severity=Severity.HIGH if high else Severity.MEDIUM,
                            people_found=found, people_high=high)
    return PersonChange(id=entry.id, task_id=entry.task_id, partner_id=entry.partner_id, email=entry.email,
                        name=(entry.after or entry.before or {}).get("name") or "", kind=entry.change, at=entry.at,
                        severity=severity(entry.change, entry.before, entry.after),
                        fields=field_changes(entry.before, entry.after))


def found_at_baseline(person: PartnerPerson, task_id: str) -> PersonChange:
    """A person a partner's first check found, told as `added`: the baseline logs no line of their own."""
    view = {"name": person.name, "role": person.role, "status": person.status, "assets": person.assets}
    return PersonChange(id=0, task_id=task_id, partner_id=person.partner_id, email=person.email, name=person.name,
                        kind=ADDED, at=person.first_seen, severity=severity(ADDED, None, view),
                        fields=field_changes(None, view))


def changes_query(workspace_id: str, partner_id: str | None = None, task_id: str | None = None,
                  since: datetime | None = None):
    """The change log's entries of a workspace (the change log carries no workspace: its tasks do)."""
    query = (select(ChangeLog).join(AutomationTask, AutomationTask.id == ChangeLog.task_id)
             .where(AutomationTask.workspace_id == workspace_id))
    if partner_id:
        query = query.where(ChangeLog.partner_id == partner_id)
    if task_id:
        query = query.where(ChangeLog.task_id == task_id)
    if since:
        query = query.where(ChangeLog.at >= since)
    return query


def at_least(change: PersonChange, min_severity: Severity) -> bool:
    return SEVERITY_ORDER[change.severity] >= SEVERITY_ORDER[min_severity]


def list_changes(session: Session, workspace_id: str, partner_id: str | None = None, task_id: str | None = None,
                 since: datetime | None = None, min_severity: Severity = Severity.LOW, limit: int | None = None) -> list[PersonChange]:
    """Newest first."""
    query = changes_query(workspace_id, partner_id, task_id, since).order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
    if min_severity == Severity.LOW:  # no filter: the database stops at the limit
        return [describe(entry) for entry in session.exec(query.limit(limit))]
    # Severity is worked out from the before and after views, so it filters here.
    described = (describe(entry) for entry in session.exec(query))
    wanted = [c for c in described if at_least(c, min_severity)]
    return wanted[:limit] if limit else wanted
