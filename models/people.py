"""A partner's people: the snapshot a check reads, and its import as a diff in one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, exists, func, literal, null
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from models import bulk, changes, events, locks, reviews
from models.paging import holds_permission, like_anywhere
from models.errors import IncompleteSnapshot
from models.results import ImportResult
from models.safeguard import RemovalPolicy
from models.seen import SeenPerson
from models.tables import AutomationTask, ChangeLog, Partner, PartnerPerson, SnapshotRow, utcnow

# What makes a person "changed". Last active moves daily and is stored, not reported as a change.
TRACKED = ("name", "role", "status", "assets")


def save_snapshot_page(session: Session, task: AutomationTask, page_no: int, pages_total: int,
                       rows: list[SeenPerson]) -> None:
    """Stores one page of people, each with its position on the page (the site's order); a person read
    on two pages (the list moved under the reader) is kept once, keyed by email, with what the latest
    read said: one upsert per page, which finds a repeated person through the primary key on every
    dialect (a delete-then-insert let PostgreSQL keep a plan made while the table was small, and scan
    it whole for every page)."""
    _store_rows(session, task, [(page_no, position, row) for position, row in enumerate(rows)])
    done = sorted(set(task.pages_done or []) | {page_no})
    task.pages_done, task.pages_read = done, len(done)
    task.pages_total = task.pages_total or pages_total
    task.updated_at = utcnow()
    session.add(task)


def save_found_again(session: Session, task: AutomationTask, found: list[tuple[int, SeenPerson]], rereads: int) -> None:
    """People the pass missed and a second look found (page, row): they join the snapshot without a
    position, since they belong to no page as the pass read it; the pages read again are counted."""
    _store_rows(session, task, [(page_no, None, row) for page_no, row in found])
    task.removal_rereads += rereads
    task.updated_at = utcnow()
    session.add(task)


def _store_rows(session: Session, task: AutomationTask, rows: list[tuple[int, int | None, SeenPerson]]) -> None:
    shared = _shared_of(session, task)
    latest = {}
    for page_no, position, row in rows:
        data = row.model_dump(mode="json")
        view = _person_view(data, shared)
        latest[row.email.lower()] = dict(
            task_id=task.id, email_key=row.email.lower(), page=page_no, position=position, data=data,
            relevant=bool(view["assets"]), email=row.email, name=view["name"], role=view["role"],
            status=view["status"], assets=view["assets"], view=view, digest=_digest(view),
            last_active=None if row.last_active is None else date.fromisoformat(str(row.last_active)))
    if latest:
        session.execute(_upsert(session, SnapshotRow.__table__, list(latest.values()), ("task_id", "email_key")))


def _upsert(session: Session, table, rows: list[dict], key: tuple[str, ...]):
    """INSERT ... ON CONFLICT (key) DO UPDATE, in the dialect's own words."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={c: statement.excluded[c] for c in rows[0] if c not in key})


def _shared_of(session: Session, task: AutomationTask) -> set[str]:
    partner = session.get(Partner, task.partner_id) if task.partner_id else None
    return {a["asset_id"] for a in partner.shared_assets} if partner else set()


def page_emails(session: Session, task_id: str, page_no: int) -> list[str]:
    """The emails stored from one page, in the order the site showed them: what a second read of it must
    show again. Never ordered by email: that is the store's collation, and the site's may differ
    (contract: "in the site's own collation")."""
    return list(session.exec(select(SnapshotRow.email_key).where(
        SnapshotRow.task_id == task_id, SnapshotRow.page == page_no, SnapshotRow.position.is_not(None))
        .order_by(SnapshotRow.position)))


def absent_people(session: Session, task: AutomationTask, pages_total: int) -> dict[str, list[int]]:
    """The partner's current people whom the pass did not list at all, each with the pages to look at
    again before they are recorded as removed: the page a check last saw them on and the pages beside
    it, and, since the list may have moved since, the pages where the people last seen on that page are
    now, and theirs beside. A person's page is written only with the rest of their row (a first sight,
    a change, a new last active), never for a page move alone, which would rewrite most of a large
    partner after one addition at the top: so it may be old, and its neighbours of the same age say
    where it is now. Someone stored before pages were kept is looked for on every page."""
    if task.partner_id is None:
        return {}
    S, P = SnapshotRow.__table__, PartnerPerson.__table__
    absent = session.execute(select(P.c.email_key, P.c.seen_page).where(
        P.c.partner_id == task.partner_id, P.c.removed_at.is_(None),
        ~exists().where(S.c.task_id == task.id, S.c.email_key == P.c.email_key))).all()
    if not absent:
        return {}
    last_pages = {row.seen_page for row in absent if row.seen_page is not None}
    now_on: dict[int, set[int]] = {}
    if last_pages:
        for seen_page, page_now in session.execute(select(P.c.seen_page, S.c.page).distinct().select_from(
                P.join(S, (S.c.task_id == task.id) & (S.c.email_key == P.c.email_key))).where(
                P.c.partner_id == task.partner_id, P.c.seen_page.in_(last_pages))):
            now_on.setdefault(seen_page, set()).add(page_now)
    everywhere = list(range(1, pages_total + 1))
    found = {}
    for row in absent:
        if row.seen_page is None:
            found[row.email_key] = everywhere
            continue
        centres = {row.seen_page} | now_on.get(row.seen_page, set())
        found[row.email_key] = sorted({p for c in centres for p in (c - 1, c, c + 1) if 1 <= p <= pages_total})
    return found


def begin_pass(session: Session, task: AutomationTask) -> None:
    """Starts a read pass over: what a pass read while the list moved under it is thrown away whole."""
    discard_snapshot(session, task.id)
    task.pages_done, task.pages_read, task.pages_total = [], 0, None
    task.read_restarts += 1
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


def _tracked(person) -> dict:
    return {"name": person.name, "role": person.role, "status": person.status, "assets": person.assets}


def _digest(view: dict) -> str:
    """Equal for equal views: the import compares these instead of parsing every person's JSON."""
    canonical = json.dumps(view, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()


@dataclass
class SnapshotDiff:
    """How a complete snapshot differs from the partner's current people, worked out in SQL."""

    back: list[str]  # email keys of removed people listed again
    differs: list[str]  # email keys of people whose tracked fields changed
    gone: list[str]  # email keys of people no longer listed
    moved: list  # rows of people whose email spelling or last active alone moved: stored, not reported
    new: int  # people never seen before (copied from the snapshot by SQL when applied)
    current: int  # the partner's people before the import
    listed_here: int  # the snapshot's people who reach a shared asset

    def counts(self, listed: int) -> ImportResult:
        return ImportResult(listed=listed, added=self.new + len(self.back), changed=len(self.differs),
                            removed=len(self.gone))


def import_snapshot(session: Session, task: AutomationTask, partner: Partner, policy: RemovalPolicy | None = None) -> ImportResult:
    """Diffs the task's complete snapshot against the partner's current people, then (unless the
    safeguard holds it) applies the diff: three steps, one transaction.

    Only people who can reach an asset shared between the two businesses are the company's
    business; the rest of the agency is counted in `listed` and nothing more. With a policy, a
    diff that removes too many people is returned `blocked` and nothing is applied."""
    locks.partner(session, partner.id)
    session.refresh(task)  # another attempt may have imported it while this one waited for the lock
    if task.imported_at is not None:  # a retried import after a commit whose reply was lost
        return ImportResult(added=task.added, changed=task.changed, removed=task.removed, listed=task.listed_total or 0)
    if not task.snapshot_complete:
        raise IncompleteSnapshot("the snapshot is incomplete: a check that did not read every page changes nobody")
    diff = diff_snapshot(session, task, partner)
    result = diff.counts(task.listed_total or 0)
    if policy is not None:
        result.blocked = policy.blocks(diff.current, len(diff.gone), diff.listed_here)
        if result.blocked:
            return result
    apply_diff(session, task, partner, diff)
    task.added, task.changed, task.removed = result.added, result.changed, result.removed
    session.add(task)
    if result.added or result.changed or result.removed:  # told once: a retried import returned above
        session.flush()
        events.people_changed(session, partner, task.id, events.Counts.of(result))
    if result.removed:  # a removal an access review asked for is fulfilled by the check that sees it
        reviews.fulfil_requests(session, partner, task.id)
    return result


def diff_snapshot(session: Session, task: AutomationTask, partner: Partner) -> SnapshotDiff:
    """Compares digests, not JSON, in one pass over the people the snapshot and the store share,
    returning only those that differ."""
    S, P = SnapshotRow.__table__, PartnerPerson.__table__
    _backfill_digests(session, partner.id)
    in_snapshot = (S.c.task_id == task.id) & S.c.relevant.is_(True)
    candidates = session.execute(select(S.c.email_key, P.c.id, P.c.removed_at, P.c.digest, S.c.digest.label("seen_digest"), S.c.email,
               S.c.last_active, S.c.page).select_from(
        S.join(P, (P.c.partner_id == partner.id) & (P.c.email_key == S.c.email_key))).where(
        in_snapshot, P.c.removed_at.is_not(None) | (P.c.digest != S.c.digest) | (P.c.email != S.c.email)
        | P.c.last_active.is_distinct_from(S.c.last_active))).all()
    back = [c.email_key for c in candidates if c.removed_at is not None]
    gone = list(session.scalars(select(P.c.email_key).where(
        P.c.partner_id == partner.id, P.c.removed_at.is_(None),
        ~exists().where(in_snapshot, S.c.email_key == P.c.email_key)).order_by(P.c.email_key)))
    listed_here = session.scalar(select(func.count()).select_from(S).where(in_snapshot))
    current = session.scalar(select(func.count()).select_from(P).where(P.c.partner_id == partner.id, P.c.removed_at.is_(None)))
    return SnapshotDiff(
        back=back, gone=gone, current=current, listed_here=listed_here,
        differs=[c.email_key for c in candidates if c.removed_at is None and c.digest != c.seen_digest],
        moved=[c for c in candidates if c.removed_at is None and c.digest == c.seen_digest],
        new=listed_here - (current - len(gone)) - len(back))


def apply_diff(session: Session, task: AutomationTask, partner: Partner, diff: SnapshotDiff) -> None:
    """Writes only what differs, with a change-log line each (a first import: one baseline line): new
    people are copied from the snapshot by SQL, so 100,000 people with 1% changed write about 1,000 rows."""
    S, P = SnapshotRow.__table__, PartnerPerson.__table__
    now = utcnow()
    if diff.new:
        # When every person the snapshot lists is new, nobody needs looking up.
        all_new = diff.new == diff.listed_here
        if all_new and not _ever_had_people(session, partner.id):
            _log_baseline(session, task, partner, now, diff.new)
        else:
            _log_new_people(session, task, partner, now, all_new)
        _insert_new_people(session, task, partner, now, all_new)
    updates, lines = [], []

    def change(kind: str, email: str, before: dict | None, after: dict | None) -> None:
        lines.append({"task_id": task.id, "partner_id": partner.id, "email": email, "change": kind,
                      "before": before, "after": after, "at": now})

    returning = set(diff.back)
    views = _rows_by_key(session, S, [S.c.email_key, S.c.email, S.c.view, S.c.last_active, S.c.digest, S.c.page],
                         S.c.task_id == task.id, diff.back + diff.differs)
    befores = _rows_by_key(session, P, [P.c.id, P.c.email_key, P.c.email, P.c.name, P.c.role, P.c.status, P.c.assets,
                                        P.c.last_active, P.c.digest, P.c.seen_page], P.c.partner_id == partner.id,
                           diff.back + diff.differs + diff.gone)
    for key in diff.back + diff.differs:
        snap, before = views[key], _tracked(befores[key])
        updates.append({"id": befores[key].id, **snap.view, "email": snap.email, "last_active": snap.last_active,
                        "removed_at": None, "last_seen": now, "digest": snap.digest, "seen_page": snap.page})
        change(changes.ADDED if key in returning else changes.CHANGED, snap.email, before, snap.view)
    for key in diff.gone:
        person = befores[key]
        # People still listed are "seen" at the partner's last check; the gone were last seen at the one before.
        updates.append({"id": person.id, **_tracked(person), "email": person.email, "last_active": person.last_active,
                        "removed_at": now, "last_seen": partner.last_check_at or now, "digest": person.digest,
                        "seen_page": person.seen_page})
        change(changes.REMOVED, person.email, _tracked(person), None)
    bulk.update_many(session, P, "id", updates)
    # Last active moves daily: stored when it moves, never reported as a change.
    bulk.update_many(session, P, "id", [{"id": c.id, "email": c.email, "last_active": c.last_active, "seen_page": c.page}
                                        for c in diff.moved])
    bulk.insert_many(session, ChangeLog.__table__, lines)
    partner.last_check_at = now
    session.add(partner)
    task.imported_at = now


def _never_seen(task: AutomationTask, partner: Partner, all_new: bool):
    S, P = SnapshotRow.__table__, PartnerPerson.__table__
    never_seen = (S.c.task_id == task.id) & S.c.relevant.is_(True)
    if not all_new:
        never_seen = never_seen & ~exists().where(P.c.partner_id == partner.id, P.c.email_key == S.c.email_key)
    return never_seen


def _insert_new_people(session: Session, task: AutomationTask, partner: Partner, now, all_new: bool = False) -> None:
    """Copies the people the partner never had from the snapshot, in SQL."""
    S, P = SnapshotRow.__table__, PartnerPerson.__table__
    stamp = literal(now, type_=P.c.first_seen.type)
    session.execute(P.insert().from_select(
        ["workspace_id", "partner_id", "email_key", "email", "name", "role", "status", "assets", "last_active",
         "first_seen", "last_seen", "digest", "seen_page"],
        select(literal(partner.workspace_id), literal(partner.id), S.c.email_key, S.c.email, S.c.name, S.c.role,
               S.c.status, S.c.assets, S.c.last_active, stamp, stamp, S.c.digest, S.c.page).where(
            _never_seen(task, partner, all_new))))


def _log_new_people(session: Session, task: AutomationTask, partner: Partner, now, all_new: bool) -> None:
    """An `added` line, with what was seen, for each person new to a partner already known (run before
    they are inserted, which would make them known)."""
    S, C = SnapshotRow.__table__, ChangeLog.__table__
    session.execute(C.insert().from_select(
        ["task_id", "partner_id", "email", "change", "before", "after", "at"],
        select(literal(task.id), literal(partner.id), S.c.email, literal(changes.ADDED), null(), S.c.view,
               literal(now, type_=C.c.at.type)).where(_never_seen(task, partner, all_new))))


def _ever_had_people(session: Session, partner_id: str) -> bool:
    return session.scalar(select(literal(1)).where(exists().where(PartnerPerson.partner_id == partner_id))) is not None


def _log_baseline(session: Session, task: AutomationTask, partner: Partner, now, found: int) -> None:
    """A partner's first import is its baseline, logged as one line, not one `added` line per person:
    the people it found are the partner's people, first seen now (what each looked like then is the
    `before` of their first later change, or their row while nothing changed). A line per person
    doubled what a first import writes (benchmark 4) and told of nothing that changed. The line
    counts those an `added` line would have made high (Manager, or Admin on an asset), so that a
    search for high changes still leads to them."""
    S = SnapshotRow.__table__
    high = session.scalar(select(func.count()).select_from(S).where(
        S.c.task_id == task.id, S.c.relevant.is_(True), changes.high_if_added(S.c.role, S.c.assets)))
    session.add(ChangeLog(task_id=task.id, partner_id=partner.id, email="", change=changes.BASELINE,
                          before=None, after={"people": found, "high": high}, at=now))


def _rows_by_key(session: Session, table, columns, where, keys: list[str], chunk: int = 500) -> dict:
    found = {}
    for start in range(0, len(keys), chunk):
        part = keys[start:start + chunk]
        for row in session.execute(select(*columns).where(where, table.c.email_key.in_(part))):
            found[row.email_key] = row
    return found


def _backfill_digests(session: Session, partner_id: str) -> None:
    """People stored before digests existed get theirs, once, so that the diff can compare digests."""
    P = PartnerPerson.__table__
    legacy = session.execute(select(P.c.id, P.c.name, P.c.role, P.c.status, P.c.assets).where(
        P.c.partner_id == partner_id, P.c.digest.is_(None))).all()
    bulk.update_many(session, P, "id", [{"id": row.id, "digest": _digest(_tracked(row))} for row in legacy])


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


def people_query(workspace_id: str, partner_id: str | None = None, *, role: str | None = None,
                 status: str | None = None, permission: str | None = None, search: str | None = None,
                 include_removed: bool = False):
    """The people a listing shows, filtered: by role, status, a permission held on any shared asset,
    and a search of name or email (case-insensitive)."""
    query = select(PartnerPerson).where(PartnerPerson.workspace_id == workspace_id)
    if partner_id:
        query = query.where(PartnerPerson.partner_id == partner_id)
    if not include_removed:
        query = query.where(PartnerPerson.removed_at.is_(None))
    if role:
        query = query.where(PartnerPerson.role == role)
    if status:
        query = query.where(PartnerPerson.status == status)
    if permission:
        query = query.where(holds_permission(PartnerPerson.assets, permission))
    if search and search.strip():
        pattern = like_anywhere(search.strip().lower())
        query = query.where(PartnerPerson.email_key.like(pattern, escape="\\")
                            | func.lower(PartnerPerson.name).like(pattern, escape="\\"))
    return query


def counts_by_partner(session: Session, workspace_id: str) -> dict[str, int]:
    """How many people each partner has now."""
    rows = session.exec(select(PartnerPerson.partner_id, func.count()).where(
        PartnerPerson.workspace_id == workspace_id, PartnerPerson.removed_at.is_(None)).group_by(PartnerPerson.partner_id))
    return dict(rows.all())


def changes_of(session: Session, task_id: str) -> list[ChangeLog]:
    return list(session.exec(select(ChangeLog).where(ChangeLog.task_id == task_id).order_by(ChangeLog.id)))
