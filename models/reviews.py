"""Access reviews in the store: a campaign's items (each partner person who reaches the company's
assets, as last seen, with flags), decisions, reassignments, and the removal requests a revoke
becomes. The campaign's workflow (ReviewPartnerAccess) says when it moves on and passes the time
(`at`), so that the record and the workflow keep one clock.

What a person may do is decided here, where the people are: a decider must be the item's assignee
(or the fallback reviewer once the campaign is past due), and never the person under review."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Text, cast, func
from sqlmodel import Session, select

from common.csv_cells import safe_cell
from common.grants import grants_text
from models import audit, events
from models.changes import BASELINE
from models.review_spec import CampaignSpec
from models.paging import holds_permission, like_anywhere
from models.errors import Conflict, Invalid, NotFound
from models.statuses import ConsoleRole, Decision, ReminderStage, PartnerStatus, RequestStatus, ReviewStatus, TaskKind, TaskStatus
from models.tables import (
    AutomationTask, ChangeLog, ConsoleUser, GuestUser, Partner, PartnerPerson, RemovalRequest, ReviewCampaign, ReviewItem,
    SnapshotRow,
)

INACTIVE_AFTER = timedelta(days=90)
STALE_INVITE_AFTER = timedelta(days=14)
NO_RESPONSE = "no-response"  # decided_by of the campaign's own action at the deadline
MAX_ITEMS_PER_DECISION = 5000  # ids in one Update: a payload stays well under Temporal's 2 MB


class ReviewFlag(StrEnum):
    INACTIVE = "inactive"  # no activity for over 90 days (or never, and first seen over 90 days ago)
    ADMIN = "admin"  # holds an Admin permission on one of the company's assets
    STALE_INVITE = "stale-invite"  # still `Invited`, first seen over 14 days ago


@dataclass
class DecisionOutcome:
    decided: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # item id -> why, in plain words
    requests: list[str] = field(default_factory=list)  # removal requests made
    events: list[str] = field(default_factory=list)  # events to mail (removal requests)


@dataclass
class ItemFilter:
    partner_id: str | None = None
    flag: ReviewFlag | None = None
    role: str | None = None
    permission: str | None = None
    search: str | None = None  # part of a name or an email
    undecided: bool = False


# --- opening -----------------------------------------------------------------------------------


def flags_of(person: PartnerPerson, now: datetime) -> list[str]:
    flags = []
    active_since = person.last_active or person.first_seen.date()
    if active_since < (now - INACTIVE_AFTER).date():
        flags.append(ReviewFlag.INACTIVE)
    if any(grant.get("permission") == "Admin" for grant in person.assets):
        flags.append(ReviewFlag.ADMIN)
    if person.status == "Invited" and person.first_seen < now - STALE_INVITE_AFTER:
        flags.append(ReviewFlag.STALE_INVITE)
    return [str(f) for f in flags]


def console_reviewer(session: Session, workspace_id: str, user_id: str, what: str = "reviewer") -> ConsoleUser:
    user = session.get(ConsoleUser, user_id)
    if user is None or user.workspace_id != workspace_id:
        raise NotFound(f"no console user {user_id} in this workspace (the {what})")
    if user.disabled_at is not None:
        raise Invalid(f"the {what} {user.email} is disabled")
    if user.role == ConsoleRole.GUEST:
        raise Invalid(f"the {what} {user.email} is a partner's guest: only the company's users review access")
    return user


def partners_for(session: Session, workspace_id: str, partner_ids: list[str]) -> list[Partner]:
    if not partner_ids:
        return list(session.exec(select(Partner).where(Partner.workspace_id == workspace_id,
                                                       Partner.status != PartnerStatus.DISCONNECTED,
                                                       Partner.last_check_at.is_not(None)).order_by(Partner.name)))
    found = []
    for partner_id in dict.fromkeys(partner_ids):  # once each, however often named
        partner = session.get(Partner, partner_id)
        if partner is None or partner.workspace_id != workspace_id:
            raise NotFound(f"no partner {partner_id} in this workspace")
        found.append(partner)
    return found


def _last_check(session: Session, partner_id: str) -> str | None:
    return session.exec(select(AutomationTask.id).where(
        AutomationTask.partner_id == partner_id, AutomationTask.task == TaskKind.CHECK,
        AutomationTask.status == TaskStatus.COMPLETED).order_by(AutomationTask.updated_at.desc()).limit(1)).first()


def _last_changes(session: Session, partner_id: str) -> dict[str, str]:
    """email_key -> the task of the person's last change-log line, in one grouped query."""
    last = (select(func.lower(ChangeLog.email).label("key"), func.max(ChangeLog.id).label("id"))
            .where(ChangeLog.partner_id == partner_id, ChangeLog.change != BASELINE)
            .group_by(func.lower(ChangeLog.email)).subquery())
    rows = session.exec(select(last.c.key, ChangeLog.task_id).join(ChangeLog, ChangeLog.id == last.c.id)).all()
    return {key: task_id for key, task_id in rows}


def _baseline_check(session: Session, partner_id: str) -> str | None:
    """The partner's first check, which logged its people as one baseline line: the last change of
    everyone it found who has not changed since."""
    return session.exec(select(ChangeLog.task_id).where(ChangeLog.partner_id == partner_id, ChangeLog.change == BASELINE)
                        .order_by(ChangeLog.id).limit(1)).first()


def open_campaign(session: Session, spec: CampaignSpec) -> ReviewCampaign:
    """Makes the campaign and one item per person who reaches the company's assets. Idempotent: a
    retried activity finds the campaign it made."""
    existing = session.get(ReviewCampaign, spec.campaign_id)
    if existing is not None:
        return existing
    reviewer = console_reviewer(session, spec.workspace_id, spec.reviewer_id)
    if spec.fallback_id:
        console_reviewer(session, spec.workspace_id, spec.fallback_id, "fallback reviewer")
    partners = partners_for(session, spec.workspace_id, spec.partner_ids)
    campaign = ReviewCampaign(
        id=spec.campaign_id, workspace_id=spec.workspace_id, partner_ids=[p.id for p in partners],
        reviewer_id=reviewer.id, fallback_id=spec.fallback_id, no_response=spec.no_response, opened_at=spec.opened_at,
        due_at=spec.due_at, deadline_at=spec.deadline_at, escalate_after_s=spec.escalate_after_s, every_s=spec.every_s,
        previous_id=spec.previous_id, status=ReviewStatus.OPEN, workflow_id=spec.workflow_id, started_by=spec.started_by)
    session.add(campaign)
    session.flush()
    items = 0
    for partner in partners:
        source, changed_by = _last_check(session, partner.id), _last_changes(session, partner.id)
        baseline = _baseline_check(session, partner.id)
        for person in session.exec(select(PartnerPerson).where(PartnerPerson.partner_id == partner.id,
                                                               PartnerPerson.removed_at.is_(None))
                                   .order_by(PartnerPerson.email_key)):
            session.add(ReviewItem(
                campaign_id=campaign.id, partner_id=partner.id, email=person.email, email_key=person.email_key,
                name=person.name, role=person.role, status=person.status, assets=list(person.assets),
                first_seen=person.first_seen, last_active=person.last_active, flags=flags_of(person, spec.opened_at),
                source_task_id=source, changed_by_task_id=changed_by.get(person.email_key, baseline), assignee_id=reviewer.id))
            items += 1
    audit.record(session, spec.workspace_id, "review.open", by=spec.started_by, target=campaign.id,
                 details={"partners": campaign.partner_ids, "items": items, "reviewer": reviewer.email,
                          "due_at": spec.due_at.isoformat(), "deadline_at": spec.deadline_at.isoformat(),
                          "no_response": str(spec.no_response)})
    session.flush()
    return campaign


# --- reading -----------------------------------------------------------------------------------


def get(session: Session, workspace_id: str, campaign_id: str) -> ReviewCampaign:
    campaign = session.get(ReviewCampaign, campaign_id)
    if campaign is None or campaign.workspace_id != workspace_id:
        raise NotFound(f"no access review {campaign_id} in this workspace")
    return campaign


def get_any(session: Session, campaign_id: str) -> ReviewCampaign:
    """For the campaign's own workflow, which knows its id is real."""
    campaign = session.get(ReviewCampaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no access review {campaign_id}")
    return campaign


def list_for(session: Session, workspace_id: str) -> list[ReviewCampaign]:
    return list(session.exec(select(ReviewCampaign).where(ReviewCampaign.workspace_id == workspace_id)
                             .order_by(ReviewCampaign.opened_at.desc(), ReviewCampaign.id)))


def items_query(campaign_id: str, wanted: ItemFilter | None = None, after: int | None = None):
    """A campaign's items that match, in id order (people by partner and email, as the campaign made
    them), from `after` on: every filter is SQL, so that a page of a large campaign reads a page."""
    query = select(ReviewItem).where(ReviewItem.campaign_id == campaign_id)
    wanted = wanted or ItemFilter()
    if wanted.partner_id:
        query = query.where(ReviewItem.partner_id == wanted.partner_id)
    if wanted.role:
        query = query.where(ReviewItem.role == wanted.role)
    if wanted.undecided:
        query = query.where(ReviewItem.decision.is_(None))
    # Flags and assets are JSON lists written by json.dumps on both stores: an element's text is its key.
    if wanted.flag:
        query = query.where(cast(ReviewItem.flags, Text).like(like_anywhere(json.dumps(str(wanted.flag))), escape="\\"))
    if wanted.permission:
        query = query.where(holds_permission(ReviewItem.assets, wanted.permission))
    if wanted.search and wanted.search.strip():
        pattern = like_anywhere(wanted.search.strip().lower())
        query = query.where(func.lower(ReviewItem.name).like(pattern, escape="\\")
                            | ReviewItem.email_key.like(pattern, escape="\\"))
    if after is not None:
        query = query.where(ReviewItem.id > after)
    return query.order_by(ReviewItem.id)


def items(session: Session, campaign_id: str, wanted: ItemFilter | None = None, *, after: int | None = None,
          limit: int | None = None) -> list[ReviewItem]:
    query = items_query(campaign_id, wanted, after)
    return list(session.exec(query.limit(limit) if limit else query))


def select_items(session: Session, campaign_id: str, item_ids: list[int], wanted: ItemFilter, everything: bool) -> list[int]:
    """What a bulk decision or reassignment is about: the items named, or the undecided items a filter
    (or `everything`) matches. Neither is refused, so that nobody decides in bulk by accident."""
    filtered = any(v for v in (wanted.partner_id, wanted.flag, wanted.role, wanted.permission, wanted.search))
    if item_ids and (filtered or everything):
        raise Invalid("give items, or a filter, not both")
    if item_ids:
        return list(item_ids)
    if not (filtered or everything):
        raise Invalid("which items? give their ids, a filter (flag, role, permission, search, partner), or all")
    wanted.undecided = True
    return [i.id for i in items(session, campaign_id, wanted)]


def count_items(session: Session, campaign_id: str, wanted: ItemFilter | None = None) -> int:
    return session.exec(select(func.count()).select_from(items_query(campaign_id, wanted).order_by(None).subquery())).one()


def counts(session: Session, campaign_id: str) -> dict[str, int]:
    rows = session.exec(select(ReviewItem.decision, func.count()).where(ReviewItem.campaign_id == campaign_id)
                        .group_by(ReviewItem.decision)).all()
    by = {decision or "Undecided": n for decision, n in rows}
    return {"items": sum(by.values()), "undecided": by.get("Undecided", 0), "kept": by.get(Decision.KEEP, 0),
            "revoked": by.get(Decision.REVOKE, 0)}


def requests_of(session: Session, campaign_id: str) -> dict[int, RemovalRequest]:
    return {r.item_id: r for r in session.exec(select(RemovalRequest).where(RemovalRequest.campaign_id == campaign_id))}


def undecided_by_assignee(session: Session, campaign_id: str) -> dict[str, int]:
    rows = session.exec(select(ReviewItem.assignee_id, func.count()).where(
        ReviewItem.campaign_id == campaign_id, ReviewItem.decision.is_(None)).group_by(ReviewItem.assignee_id)).all()
    return dict(rows)


# --- deciding ----------------------------------------------------------------------------------


def _open(campaign: ReviewCampaign) -> None:
    if campaign.status == ReviewStatus.CLOSED:
        raise Conflict(f"access review {campaign.id} is closed: its record cannot change")


def _may_decide(campaign: ReviewCampaign, item: ReviewItem, decider: ConsoleUser) -> str | None:
    """Why the decider may not decide this item, or None."""
    if item.decision is not None:
        return f"already decided: {item.decision} by {item.decided_by}"
    if decider.email_key == item.email_key:
        return "nobody decides on their own access"
    fallback = campaign.status == ReviewStatus.PAST_DUE and decider.id == campaign.fallback_id
    if decider.id != item.assignee_id and not fallback:
        return "assigned to another reviewer"
    return None


def decide(session: Session, workspace_id: str, campaign_id: str, item_ids: list[int], decision: Decision,
           justification: str | None, decider_id: str, at: datetime) -> DecisionOutcome:
    """Records what can be recorded and says why for the rest; a revoke is also a removal request."""
    campaign = get(session, workspace_id, campaign_id)
    _open(campaign)
    decider = console_reviewer(session, workspace_id, decider_id, "decider")
    justification = (justification or "").strip() or None
    if decision == Decision.REVOKE and not justification:
        raise Invalid("a revoke needs a justification")
    outcome = DecisionOutcome()
    wanted = sorted(set(item_ids))
    found = {i.id: i for i in session.exec(select(ReviewItem).where(ReviewItem.campaign_id == campaign.id,
                                                                    ReviewItem.id.in_(wanted)))}
    repeated = []  # recorded by an earlier attempt of this same activity (its reply was lost): said once
    for item_id in wanted:
        item = found.get(item_id)
        if item is not None and (item.decision, item.decided_by, item.decided_at) == (decision, decider.email, at):
            repeated.append(item_id)
            continue
        why = "not an item of this review" if item is None else _may_decide(campaign, item, decider)
        if why:
            outcome.refused[item_id] = why
            continue
        _record(item, decision, decider.email, at, justification)
        session.add(item)
        outcome.decided.append(item_id)
    session.flush()
    if outcome.decided:
        audit.record(session, workspace_id, f"review.decide.{decision.lower()}", by=f"console:{decider.email}",
                     target=campaign.id, details={"items": outcome.decided, "justification": justification})
    if decision == Decision.REVOKE:
        _request_removals(session, campaign, [found[i] for i in outcome.decided], at, decider.email, outcome)
    outcome.decided = sorted(outcome.decided + repeated)
    return outcome


def _record(item: ReviewItem, decision: Decision, by: str, at: datetime, justification: str | None) -> None:
    item.decision, item.decided_by, item.decided_at, item.justification = decision, by, at, justification


def reassign(session: Session, workspace_id: str, campaign_id: str, item_ids: list[int], to_id: str, note: str,
             by_id: str, at: datetime) -> DecisionOutcome:
    """Gives undecided items to another company user, with a note; never to the person under review."""
    campaign = get(session, workspace_id, campaign_id)
    _open(campaign)
    by = console_reviewer(session, workspace_id, by_id, "person reassigning")
    to = console_reviewer(session, workspace_id, to_id, "new reviewer")
    if not note.strip():
        raise Invalid("a reassignment needs a note")
    may_reassign = {campaign.reviewer_id, campaign.fallback_id}
    outcome = DecisionOutcome()
    for item in session.exec(select(ReviewItem).where(ReviewItem.campaign_id == campaign.id,
                                                      ReviewItem.id.in_(sorted(set(item_ids))))):
        if item.decision is not None:
            outcome.refused[item.id] = f"already decided: {item.decision}"
        elif to.email_key == item.email_key:
            outcome.refused[item.id] = "nobody reviews their own access"
        elif by.id != item.assignee_id and by.id not in may_reassign and by.role != ConsoleRole.ADMIN:
            outcome.refused[item.id] = "only its reviewer, the campaign's reviewers or an admin may reassign it"
        else:
            item.assignee_id, item.reassign_note = to.id, note.strip()
            session.add(item)
            outcome.decided.append(item.id)
    for item_id in set(item_ids) - set(outcome.decided) - set(outcome.refused):
        outcome.refused[item_id] = "not an item of this review"
    if outcome.decided:
        audit.record(session, workspace_id, "review.reassign", by=f"console:{by.email}", target=campaign.id,
                     details={"items": outcome.decided, "to": to.email, "note": note.strip(), "at": at.isoformat()})
    return outcome


# --- the campaign's course -----------------------------------------------------------------------


def mark_past_due(session: Session, campaign_id: str, at: datetime) -> ReviewCampaign:
    campaign = get_any(session, campaign_id)
    if campaign.status == ReviewStatus.OPEN:
        campaign.status, campaign.past_due_at = ReviewStatus.PAST_DUE, at
        session.add(campaign)
        audit.record(session, campaign.workspace_id, "review.past_due", by="workflow", target=campaign.id,
                     details={"fallback_asked": bool(campaign.fallback_id)})
    return campaign


def apply_no_response(session: Session, campaign_id: str, at: datetime) -> DecisionOutcome:
    """The deadline: every undecided item gets the campaign's no-response action."""
    campaign = get_any(session, campaign_id)
    _open(campaign)
    outcome = DecisionOutcome()
    undecided = list(session.exec(select(ReviewItem).where(ReviewItem.campaign_id == campaign.id,
                                                           ReviewItem.decision.is_(None))))
    why = f"No decision by the deadline: the campaign's no-response action ({campaign.no_response})."
    for item in undecided:
        _record(item, Decision(campaign.no_response), NO_RESPONSE, at, why)
        session.add(item)
        outcome.decided.append(item.id)
    session.flush()
    if undecided:
        audit.record(session, campaign.workspace_id, f"review.no_response.{campaign.no_response.lower()}", by="workflow",
                     target=campaign.id, details={"items": outcome.decided})
    if campaign.no_response == Decision.REVOKE:
        _request_removals(session, campaign, undecided, at, NO_RESPONSE, outcome)
    return outcome


def close(session: Session, campaign_id: str, at: datetime) -> ReviewCampaign:
    """Closes the record: from here the database refuses any change to it (migration 0007)."""
    campaign = get_any(session, campaign_id)
    if campaign.status == ReviewStatus.CLOSED:
        return campaign
    tally = counts(session, campaign.id)
    if tally["undecided"]:
        raise Conflict(f"access review {campaign.id} has {tally['undecided']} undecided items: it cannot close yet")
    campaign.status, campaign.closed_at = ReviewStatus.CLOSED, at
    session.add(campaign)
    audit.record(session, campaign.workspace_id, "review.close", by="workflow", target=campaign.id, details=tally)
    events.record(session, campaign.workspace_id, events.ReviewClosed(
        campaign=campaign_ref(campaign), kept=tally["kept"], revoked=tally["revoked"],
        open_requests=_open_requests(session, campaign.id)))
    session.flush()
    return campaign


def campaign_ref(campaign: ReviewCampaign) -> events.CampaignRef:
    return events.CampaignRef(id=campaign.id, due_at=campaign.due_at, deadline_at=campaign.deadline_at)


def _open_requests(session: Session, campaign_id: str) -> int:
    return session.exec(select(func.count()).select_from(RemovalRequest).where(
        RemovalRequest.campaign_id == campaign_id,
        RemovalRequest.status.in_([RequestStatus.OPEN, RequestStatus.ESCALATED]))).one()


def remind(session: Session, campaign_id: str, stage: ReminderStage, at: datetime) -> list[str]:
    """One reminder event per person with undecided items (the fallback reviewer too, once past due);
    returns their ids, for the mail."""
    campaign = get_any(session, campaign_id)
    if campaign.status == ReviewStatus.CLOSED:
        return []
    assigned = undecided_by_assignee(session, campaign.id)
    waiting = dict(assigned)
    if stage in (ReminderStage.PAST_DUE, ReminderStage.FALLBACK) and campaign.fallback_id and waiting:
        waiting = {**waiting, campaign.fallback_id: sum(waiting.values())}
    made = []
    for user_id, undecided in sorted(waiting.items()):
        user = session.get(ConsoleUser, user_id)
        if user is None or user.disabled_at is not None:
            continue
        event = events.record(session, campaign.workspace_id, events.ReviewReminder(
            campaign=campaign_ref(campaign), stage=stage, to=[user.email], undecided=undecided,
            fallback=user_id == campaign.fallback_id and user_id not in assigned))
        made.append(event.id)
    if made:
        campaign.reminders_sent += 1
        session.add(campaign)
    return made


# --- removal requests ------------------------------------------------------------------------------


def partner_admin_email(session: Session, partner_id: str) -> str | None:
    """The partner's admin who accepted the invitation: who is asked to remove people."""
    return session.exec(select(GuestUser.email).where(GuestUser.partner_id == partner_id, GuestUser.accepted_at.is_not(None))
                        .order_by(GuestUser.accepted_at.desc())).first()


def _request_removals(session: Session, campaign: ReviewCampaign, revoked: list[ReviewItem], at: datetime, by: str,
                      outcome: DecisionOutcome) -> None:
    by_partner: dict[str, list[RemovalRequest]] = {}
    for item in revoked:
        request = RemovalRequest(
            id=f"rr_{campaign.id.removeprefix('rev_')}_{item.id}", workspace_id=campaign.workspace_id,
            campaign_id=campaign.id, item_id=item.id, partner_id=item.partner_id, email=item.email,
            email_key=item.email_key, status=RequestStatus.OPEN, requested_at=at,
            escalate_at=at + timedelta(seconds=campaign.escalate_after_s))
        session.add(request)
        by_partner.setdefault(item.partner_id, []).append(request)
        outcome.requests.append(request.id)
    session.flush()
    justification = {i.id: i.justification for i in revoked}
    for partner_id, made in by_partner.items():
        partner = session.get(Partner, partner_id)
        admin = partner_admin_email(session, partner_id)
        event = events.record(session, campaign.workspace_id, events.RemovalRequested(
            partner=events.partner_ref(partner), campaign=campaign_ref(campaign), decided_by=by,
            to=[admin] if admin else [],
            requests=[events.RequestRef(id=r.id, email=r.email, justification=justification.get(r.item_id))
                      for r in made]))
        outcome.events.append(event.id)
        # Someone already gone when the decision was made: the request is fulfilled at once.
        fulfil_requests(session, partner, None)


def fulfil_requests(session: Session, partner: Partner, task_id: str | None) -> list[str]:
    """Closes the partner's open requests whose person a check no longer lists with the company's
    assets (an import marks them removed either way). Called in the import's transaction."""
    open_requests = list(session.exec(select(RemovalRequest).where(
        RemovalRequest.partner_id == partner.id,
        RemovalRequest.status.in_([RequestStatus.OPEN, RequestStatus.ESCALATED]))))
    if not open_requests:
        return []
    keys = [r.email_key for r in open_requests]
    gone = {p.email_key: p for p in session.exec(select(PartnerPerson).where(
        PartnerPerson.partner_id == partner.id, PartnerPerson.email_key.in_(keys), PartnerPerson.removed_at.is_not(None)))}
    still_listed: set[str] = set()
    if task_id:
        # The snapshot tells "still a member, without the company's assets" from "gone".
        still_listed = set(session.exec(select(SnapshotRow.email_key).where(SnapshotRow.task_id == task_id,
                                                                          SnapshotRow.email_key.in_(keys))))
    closed = []
    for request in open_requests:
        person = gone.get(request.email_key)
        if person is None:
            continue
        request.status, request.closed_at = RequestStatus.FULFILLED, person.removed_at
        request.closed_by_task_id = task_id
        request.close_reason = ("already gone when the removal was requested" if task_id is None
                                else "still a member, without access to the company's assets"
                                if request.email_key in still_listed else "no longer on the partner's Members list")
        session.add(request)
        events.record(session, request.workspace_id, events.RemovalFulfilled(
            partner=events.partner_ref(partner), campaign_id=request.campaign_id,
            request=events.RequestRef(id=request.id, email=request.email), task_id=task_id, reason=request.close_reason))
        closed.append(request.id)
    session.flush()
    return closed


def escalate_due(session: Session, campaign_id: str, at: datetime) -> tuple[list[str], datetime | None]:
    """Escalates the campaign's requests open past their date (once each); returns the escalation
    events, and when the next one falls due (None: no request waits for one)."""
    campaign = get_any(session, campaign_id)
    waiting = list(session.exec(select(RemovalRequest).where(RemovalRequest.campaign_id == campaign_id,
                                                             RemovalRequest.status == RequestStatus.OPEN)))
    due = [r for r in waiting if r.escalate_at <= at]
    made = []
    by_partner: dict[str, list[RemovalRequest]] = {}
    for request in due:
        request.status, request.escalated_at = RequestStatus.ESCALATED, at
        session.add(request)
        by_partner.setdefault(request.partner_id, []).append(request)
    reviewer = session.get(ConsoleUser, campaign.reviewer_id)
    for partner_id, requests in by_partner.items():
        admin = partner_admin_email(session, partner_id)
        event = events.record(session, campaign.workspace_id, events.RemovalEscalated(
            partner=events.partner_ref(session.get(Partner, partner_id)), campaign=campaign_ref(campaign),
            to=[a for a in (admin, reviewer.email if reviewer else None) if a],
            open_days=round(campaign.escalate_after_s / 86400, 1),
            requests=[events.RequestRef(id=r.id, email=r.email) for r in requests]))
        made.append(event.id)
        audit.record(session, campaign.workspace_id, "review.removal.escalate", by="workflow", target=campaign.id,
                     details={"requests": [r.id for r in requests]})
    later = [r.escalate_at for r in waiting if r not in due]
    return made, min(later) if later else None


# --- evidence --------------------------------------------------------------------------------------


def evidence(session: Session, workspace_id: str, campaign_id: str) -> dict:
    """The whole record: the campaign, and every item with its decision, decider, time, justification,
    the checks its data came from, and its removal request."""
    campaign = get(session, workspace_id, campaign_id)
    users = {u.id: u.email for u in session.exec(select(ConsoleUser).where(ConsoleUser.workspace_id == workspace_id))}
    partners = {p.id: p for p in session.exec(select(Partner).where(Partner.id.in_(campaign.partner_ids or [""])))}
    requests = requests_of(session, campaign.id)

    def when(value):
        return value.isoformat() if isinstance(value, datetime) else (value.isoformat() if value else None)

    rows = []
    for item in items(session, campaign.id):
        request = requests.get(item.id)
        partner = partners.get(item.partner_id)
        rows.append({
            "item_id": item.id, "partner": partner.name if partner else item.partner_id,
            "partner_business_id": partner.business_id if partner else None, "email": item.email, "name": item.name,
            "role": item.role, "status": item.status,
            "assets": grants_text(item.assets),
            "first_seen": when(item.first_seen), "last_active": when(item.last_active), "flags": " ".join(item.flags),
            "reviewer": users.get(item.assignee_id), "reassign_note": item.reassign_note,
            "decision": item.decision or "Undecided", "decided_by": item.decided_by, "decided_at": when(item.decided_at),
            "justification": item.justification, "source_check": item.source_task_id,
            "last_change_check": item.changed_by_task_id,
            "removal_request": request.id if request else None, "request_status": request.status if request else None,
            "request_closed_at": when(request.closed_at) if request else None,
            "request_closed_by_check": request.closed_by_task_id if request else None,
        })
    return {
        "campaign": {
            "id": campaign.id, "status": campaign.status, "workflow_id": campaign.workflow_id,
            "partners": [{"id": p.id, "name": p.name, "business_id": p.business_id} for p in partners.values()],
            "reviewer": users.get(campaign.reviewer_id), "fallback": users.get(campaign.fallback_id),
            "no_response": campaign.no_response, "opened_at": when(campaign.opened_at), "due_at": when(campaign.due_at),
            "deadline_at": when(campaign.deadline_at), "past_due_at": when(campaign.past_due_at),
            "closed_at": when(campaign.closed_at), "started_by": campaign.started_by,
            "every_days": campaign.every_s / 86400 if campaign.every_s else None, "previous": campaign.previous_id,
            "counts": counts(session, campaign.id),
        },
        "items": rows,
    }


EVIDENCE_COLUMNS = ("item_id", "partner", "partner_business_id", "email", "name", "role", "status", "assets",
                    "first_seen", "last_active", "flags", "reviewer", "reassign_note", "decision", "decided_by",
                    "decided_at", "justification", "source_check", "last_change_check", "removal_request",
                    "request_status", "request_closed_at", "request_closed_by_check")


def evidence_csv(record: dict) -> str:
    """The evidence's items as CSV, one row each, with the campaign's id on every row so that a row
    cut from the file still says where it came from."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["campaign", *EVIDENCE_COLUMNS])
    for row in record["items"]:
        cells = ["" if row.get(c) is None else str(row.get(c)) for c in EVIDENCE_COLUMNS]
        writer.writerow([record["campaign"]["id"], *map(safe_cell, cells)])
    return out.getvalue()
