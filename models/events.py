"""Events: what happened to a partner that a person may want to be told, recorded in the store in the
same transaction as the change itself (an outbox), so that none is lost and none is told of a change
that did not happen. Each carries a thin diff (ids, emails, fields) and never a secret. Their JSON
Schemas are docs/EVENTS.md (`python -m devtools.event_docs`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy import case
from sqlmodel import Session, select

from models.changes import BASELINE, SEVERITY_ORDER, Severity, describe, found_at_baseline, high_if_added
from models.ids import new_id
from models.results import ImportResult
from models.statuses import PartnerStatus, ReminderStage
from models.tables import ChangeLog, Event, Partner, PartnerPerson, utcnow


# An event stays small whatever the diff: a first import of 100,000 people is one event naming 100.
PEOPLE_IN_EVENT = 100


class EventType(StrEnum):
    PEOPLE_CHANGED = "partner.people.changed"
    CHECK_BLOCKED = "partner.check.blocked"
    NEEDS_ATTENTION = "partner.needs_attention"
    ONBOARDED = "partner.onboarded"
    DISCONNECTED = "partner.disconnected"
    DELIVERY_EXHAUSTED = "alert.delivery.exhausted"
    DESTINATION_DISABLED = "alert.destination.disabled"
    TEST = "alert.test"
    REVIEW_REMINDER = "review.reminder"
    REMOVAL_REQUESTED = "review.removal.requested"
    REMOVAL_ESCALATED = "review.removal.escalated"
    REMOVAL_FULFILLED = "review.removal.fulfilled"
    REVIEW_CLOSED = "review.closed"


# Events about a destination itself: never sent to the destination they are about (it is failing).
ABOUT_DESTINATIONS = (EventType.DELIVERY_EXHAUSTED, EventType.DESTINATION_DISABLED)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnerRef(_Strict):
    id: str = Field(description="partnerwatch's id of the partner")
    business_id: str = Field(description="The partner's Pinterest Business id")
    name: str


class FieldDiff(_Strict):
    field: str = Field(description="name, role, status, or `asset <name> (<id>)`")
    before: str | None = Field(description="null: the person did not have it")
    after: str | None = Field(description="null: the person no longer has it")


class PersonDiff(_Strict):
    email: str
    change: Literal["added", "changed", "removed"]
    severity: Severity
    fields: list[FieldDiff]


class Counts(_Strict):
    added: int
    changed: int
    removed: int
    listed: int = Field(description="Everyone on the partner's Members list, including people without the company's assets")

    @classmethod
    def of(cls, result: ImportResult) -> Counts:
        return cls(added=result.added, changed=result.changed, removed=result.removed, listed=result.listed)


class PeopleChanged(_Strict):
    type: Literal[EventType.PEOPLE_CHANGED] = EventType.PEOPLE_CHANGED
    partner: PartnerRef
    task_id: str
    counts: Counts
    severity: Severity = Field(description="The highest severity among the people (high when there are more "
                                           "people than the event can carry: a person should look)")
    people: list[PersonDiff] = Field(description=f"At most {PEOPLE_IN_EVENT}, the most severe first; all of them: "
                                                 "`partnerwatch changes list --task <task_id>`")
    truncated: bool = Field(False, description="More people changed than `people` holds")
    baseline: bool = Field(False, description="The partner's first check: every person it found is `added`, and "
                                              "the change log holds one baseline line; all of them: "
                                              "`partnerwatch users list --partner <business_id>`")


class CheckBlocked(_Strict):
    type: Literal[EventType.CHECK_BLOCKED] = EventType.CHECK_BLOCKED
    partner: PartnerRef
    task_id: str
    reason: str = Field(description="Why the removal safeguard holds the check, in plain words")
    counts: Counts = Field(description="What the check would apply if approved")


class NeedsAttention(_Strict):
    type: Literal[EventType.NEEDS_ATTENTION] = EventType.NEEDS_ATTENTION
    partner: PartnerRef
    code: str = Field(description="The lasting fault's code, e.g. BadCredentials, UnderpermissionedAccount")
    reason: str
    task_id: str | None = Field(None, description="The check that found it, if a check did")


class Onboarded(_Strict):
    type: Literal[EventType.ONBOARDED] = EventType.ONBOARDED
    partner: PartnerRef
    monitor_account_email: str


class Disconnected(_Strict):
    type: Literal[EventType.DISCONNECTED] = EventType.DISCONNECTED
    partner: PartnerRef
    by: str = Field(description="Who disconnected it (the audit log's actor)")


class DestinationRef(_Strict):
    id: str
    name: str
    kind: str = Field(description="webhook, slack or email")


class DeliveryExhausted(_Strict):
    type: Literal[EventType.DELIVERY_EXHAUSTED] = EventType.DELIVERY_EXHAUSTED
    destination: DestinationRef
    delivery_id: str
    event_id: str = Field(description="The event that was not delivered; `partnerwatch alerts replay <delivery_id>` sends it again")
    event_type: EventType
    attempts: int
    last_error: str = Field(description="The last attempt's outcome: a status code or a connection error, never a body")
    partner: PartnerRef | None = None


class DestinationDisabled(_Strict):
    type: Literal[EventType.DESTINATION_DISABLED] = EventType.DESTINATION_DISABLED
    destination: DestinationRef
    reason: str = Field(description="It answered 410 Gone, or it failed for 5 days; `partnerwatch alerts enable` turns it back on")
    partner: PartnerRef | None = None


class AlertTest(_Strict):
    type: Literal[EventType.TEST] = EventType.TEST
    destination: DestinationRef
    message: str = "A test from `partnerwatch alerts test`: this destination is reached."


class CampaignRef(_Strict):
    id: str = Field(description="The access review; `partnerwatch reviews show <id>`")
    due_at: datetime
    deadline_at: datetime = Field(description="When undecided items get the campaign's no-response action")


class RequestRef(_Strict):
    id: str = Field(description="The removal request")
    email: str = Field(description="The partner's person to remove")
    justification: str | None = None


class ReviewReminder(_Strict):
    type: Literal[EventType.REVIEW_REMINDER] = EventType.REVIEW_REMINDER
    campaign: CampaignRef
    stage: ReminderStage
    to: list[str] = Field(description="The reviewer reminded (also mailed)")
    undecided: int = Field(description="Items waiting for this reviewer's decision")
    fallback: bool = Field(False, description="Asked as the fallback reviewer, the due date having passed")


class RemovalRequested(_Strict):
    type: Literal[EventType.REMOVAL_REQUESTED] = EventType.REMOVAL_REQUESTED
    partner: PartnerRef
    campaign: CampaignRef
    decided_by: str = Field(description="The reviewer's email, or `no-response` for the campaign's action at the deadline")
    to: list[str] = Field(description="The partner's admin, asked to remove them (also mailed); empty when none accepted an invitation")
    requests: list[RequestRef]


class RemovalEscalated(_Strict):
    type: Literal[EventType.REMOVAL_ESCALATED] = EventType.REMOVAL_ESCALATED
    partner: PartnerRef
    campaign: CampaignRef
    to: list[str] = Field(description="The partner's admin and the campaign's reviewer (also mailed)")
    open_days: float = Field(description="How long the requests have been open")
    requests: list[RequestRef]


class RemovalFulfilled(_Strict):
    type: Literal[EventType.REMOVAL_FULFILLED] = EventType.REMOVAL_FULFILLED
    partner: PartnerRef
    campaign_id: str
    request: RequestRef
    task_id: str | None = Field(description="The check that showed it; null when the person was already gone")
    reason: str


class ReviewClosed(_Strict):
    type: Literal[EventType.REVIEW_CLOSED] = EventType.REVIEW_CLOSED
    campaign: CampaignRef
    kept: int
    revoked: int
    open_requests: int = Field(description="Removal requests the partner has not fulfilled yet")


EventData = Annotated[PeopleChanged | CheckBlocked | NeedsAttention | Onboarded | Disconnected | DeliveryExhausted
                      | DestinationDisabled | AlertTest | ReviewReminder | RemovalRequested | RemovalEscalated
                      | RemovalFulfilled | ReviewClosed, Field(discriminator="type")]
EVENT_DATA = TypeAdapter(EventData)
MODELS = {EventType.PEOPLE_CHANGED: PeopleChanged, EventType.CHECK_BLOCKED: CheckBlocked,
          EventType.NEEDS_ATTENTION: NeedsAttention, EventType.ONBOARDED: Onboarded, EventType.DISCONNECTED: Disconnected,
          EventType.DELIVERY_EXHAUSTED: DeliveryExhausted, EventType.DESTINATION_DISABLED: DestinationDisabled,
          EventType.TEST: AlertTest, EventType.REVIEW_REMINDER: ReviewReminder,
          EventType.REMOVAL_REQUESTED: RemovalRequested, EventType.REMOVAL_ESCALATED: RemovalEscalated,
          EventType.REMOVAL_FULFILLED: RemovalFulfilled, EventType.REVIEW_CLOSED: ReviewClosed}


class EventEnvelope(_Strict):
    """What a destination receives: the Standard Webhooks payload shape (type, timestamp, data)."""

    id: str
    type: EventType
    timestamp: datetime
    workspace_id: str
    severity: Severity
    data: EventData


def partner_ref(partner: Partner) -> PartnerRef:
    return PartnerRef(id=partner.id, business_id=partner.business_id, name=partner.name)


def severity_of(data) -> Severity:
    """A diff's is its highest person's; anything that waits for a person is high; the rest low."""
    if isinstance(data, PeopleChanged):
        return data.severity
    if isinstance(data, CheckBlocked | NeedsAttention | DeliveryExhausted | DestinationDisabled | RemovalEscalated):
        return Severity.HIGH
    if isinstance(data, RemovalRequested):
        return Severity.MEDIUM
    return Severity.LOW


def record(session: Session, workspace_id: str, data) -> Event:
    """Adds the event to the outbox, in the caller's transaction."""
    partner = getattr(data, "partner", None)
    event = Event(id=new_id("evt"), workspace_id=workspace_id, partner_id=partner.id if partner else None, type=data.type,
                  severity=severity_of(data), occurred_at=utcnow(), data=data.model_dump(mode="json"))
    session.add(event)
    session.flush()
    return event


def partner_status_changed(session: Session, partner: Partner, was: tuple[str, str | None], *,
                           monitor_account_email: str | None = None, task_id: str | None = None) -> Event | None:
    """What a partner's new status tells, told on a change only (a check that finds the same lasting
    fault again tells nobody): `Needs attention` with its reason, or `Onboarded` by a monitor account."""
    if (partner.status, partner.status_reason_code) == was:
        return None
    if partner.status == PartnerStatus.NEEDS_ATTENTION:
        return record(session, partner.workspace_id, NeedsAttention(
            partner=partner_ref(partner), code=partner.status_reason_code or "", reason=partner.status_reason or "",
            task_id=task_id))
    if partner.status == PartnerStatus.ONBOARDED and monitor_account_email:
        return record(session, partner.workspace_id, Onboarded(partner=partner_ref(partner),
                                                               monitor_account_email=monitor_account_email))
    return None


def people_changed(session: Session, partner: Partner, task_id: str, counts: Counts) -> Event | None:
    """The check's diff as one event, or none when nothing changed. Reads at most a few rows more than
    it carries, so that a huge diff costs what a small one does."""
    total = counts.added + counts.changed + counts.removed
    if not total:
        return None
    entries = session.exec(select(ChangeLog).where(ChangeLog.task_id == task_id).order_by(ChangeLog.id)
                           .limit(PEOPLE_IN_EVENT * 10)).all()
    baseline = bool(entries) and entries[0].change == BASELINE
    if baseline:  # a first import: its people are all the partner has, the high ones asked for first
        high_first = case((high_if_added(PartnerPerson.role, PartnerPerson.assets), 0), else_=1)
        found = [found_at_baseline(person, task_id) for person in session.exec(
            select(PartnerPerson).where(PartnerPerson.partner_id == partner.id, PartnerPerson.removed_at.is_(None))
            .order_by(high_first, PartnerPerson.id).limit(PEOPLE_IN_EVENT))]
        top = describe(entries[0]).severity  # the baseline knows how many are high
    else:
        found = [describe(entry) for entry in entries]
        top = Severity.HIGH if len(found) < total else max((p.severity for p in found), key=SEVERITY_ORDER.__getitem__)
    people = sorted(found, key=lambda p: -SEVERITY_ORDER[p.severity])
    truncated = total > PEOPLE_IN_EVENT
    return record(session, partner.workspace_id, PeopleChanged(
        partner=partner_ref(partner), task_id=task_id, counts=counts, severity=top, truncated=truncated, baseline=baseline,
        people=[PersonDiff(email=p.email, change=p.kind, severity=p.severity,
                           fields=[FieldDiff(field=f.field, before=f.before, after=f.after) for f in p.fields])
                for p in people[:PEOPLE_IN_EVENT]]))


def envelope(event: Event) -> EventEnvelope:
    return EventEnvelope(id=event.id, type=event.type, timestamp=event.occurred_at, workspace_id=event.workspace_id,
                         severity=event.severity, data=EVENT_DATA.validate_python(event.data))


def list_events(session: Session, workspace_id: str, partner_id: str | None = None, limit: int = 50) -> list[Event]:
    query = select(Event).where(Event.workspace_id == workspace_id)
    if partner_id:
        query = query.where(Event.partner_id == partner_id)
    return list(session.exec(query.order_by(Event.occurred_at.desc(), Event.id.desc()).limit(limit)))
