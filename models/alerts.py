"""Alert destinations and deliveries: where a workspace's events go, which of them each wants, and
the log of every attempt to send one. Sending is not done here (alerting/ does it, activities/alerts.py
calls it); this module decides and records.

A webhook's signing secrets and a Slack URL (which is itself a credential) are sealed by the vault and
opened only by `opened`; nothing else returns them, and the delivery log never holds one."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

import logs
from models import validation
from models.changes import SEVERITY_ORDER, Severity
from models.errors import Conflict, Invalid, NotFound
from models.ids import new_id
from models.events import (
    ABOUT_DESTINATIONS, EVENT_DATA, AlertTest, DeliveryExhausted, DestinationDisabled, DestinationRef, EventEnvelope, EventType,
    envelope, record,
)
from models.statuses import AttemptOutcome, DeliveryStatus
from models.tables import AlertDestination, Delivery, DeliveryAttempt, Event, utcnow
from models.vault import Vault

# A destination failing without a single success for this long is switched off (it is gone, or its
# owners no longer read it); `alerts enable` turns it back on.
FAILING_DISABLES_AFTER = timedelta(days=5)
# During a rotation both the new and the previous secret sign, so that receivers can switch at leisure.
DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
SECRET_PREFIX = "whsec_"


class DestinationKind(StrEnum):
    WEBHOOK = "webhook"
    SLACK = "slack"
    EMAIL = "email"


FINISHED = (DeliveryStatus.DELIVERED, DeliveryStatus.EXHAUSTED, DeliveryStatus.CANCELLED)


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


# --- destinations -------------------------------------------------------------------------------

@dataclass
class Filters:
    event_types: list[EventType] = field(default_factory=list)  # empty: every type
    partner_id: str | None = None
    min_severity: Severity = Severity.LOW


def _http_url(url: str, what: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{what} must be an http:// or https:// URL")
    return url.strip()


def smtp_server(url: str) -> tuple[str, int]:
    """`smtp://host[:port]` (port 25 by default) as (host, port)."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port or 25
    except ValueError:
        port = None
    if parts.scheme != "smtp" or not parts.hostname or port is None:
        raise Invalid(f"--smtp '{url}' must look like smtp://host:port")
    return parts.hostname, port


def _name_free(session: Session, workspace_id: str, name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("a destination needs a name")
    if any(d.name == name for d in list_for(session, workspace_id)):
        raise Conflict(f"the workspace already has a destination named '{name}'")
    return name


def add(session: Session, vault: Vault, workspace_id: str, name: str, kind: DestinationKind, *, url: str | None = None,
        to: list[str] | None = None, smtp: str | None = None, mail_from: str | None = None,
        filters: Filters | None = None) -> tuple[AlertDestination, str | None]:
    """A new destination, and a webhook's signing secret (shown once: the receiver needs it)."""
    filters = filters or Filters()
    dest = AlertDestination(workspace_id=workspace_id, name=_name_free(session, workspace_id, name), kind=kind,
                            target="", event_types=[str(t) for t in filters.event_types],
                            partner_id=filters.partner_id, min_severity=filters.min_severity)
    secret = None
    if kind == DestinationKind.WEBHOOK:
        dest.target = _http_url(url or "", "--webhook")
        secret = new_signing_secret()
        dest.signing_secret = vault.seal(session, secret, table="alert_destination", row_id=dest.id,
                                         column="signing_secret")
    elif kind == DestinationKind.SLACK:
        parts = urlsplit(_http_url(url or "", "--slack"))
        dest.target = f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}/…"
        dest.url = vault.seal(session, url.strip(), table="alert_destination", row_id=dest.id, column="url")
    else:
        recipients = [validation.email(address) for address in (to or [])]
        if not recipients:
            raise Invalid("an email destination needs at least one --email ADDRESS")
        if not smtp:
            raise Invalid("an email destination needs --smtp smtp://HOST:PORT")
        smtp_server(smtp)
        dest.target, dest.url = ", ".join(recipients), smtp.strip()
        dest.mail_from = validation.email(mail_from) if mail_from else "partnerwatch@localhost"
    session.add(dest)
    session.flush()
    return dest, secret


def list_for(session: Session, workspace_id: str) -> list[AlertDestination]:
    return list(session.exec(select(AlertDestination).where(AlertDestination.workspace_id == workspace_id,
                                                            AlertDestination.removed_at.is_(None))
                             .order_by(AlertDestination.created_at)))


def get(session: Session, workspace_id: str, name_or_id: str) -> AlertDestination:
    for dest in list_for(session, workspace_id):
        if name_or_id in (dest.name, dest.id):
            return dest
    raise NotFound(f"no alert destination '{name_or_id}' in this workspace (see `partnerwatch alerts list`)")


def remove(session: Session, dest: AlertDestination) -> None:
    """Kept as a row, so that its delivery log still names it; its secrets go, and deliveries still
    waiting are cancelled at their next attempt."""
    dest.removed_at, dest.enabled, dest.disabled_reason = utcnow(), False, "removed"
    dest.url = None if dest.kind == DestinationKind.SLACK else dest.url
    dest.signing_secret = dest.previous_secret = None
    session.add(dest)


def enable(session: Session, dest: AlertDestination) -> None:
    dest.enabled, dest.disabled_reason, dest.failing_since = True, None, None
    session.add(dest)


def rotate_secret(session: Session, vault: Vault, dest: AlertDestination,
                  overlap: timedelta = DEFAULT_ROTATION_OVERLAP) -> str:
    """A new signing secret; the current one keeps signing beside it for `overlap`."""
    if dest.kind != DestinationKind.WEBHOOK:
        raise Invalid(f"'{dest.name}' is a {dest.kind} destination: only webhooks have a signing secret")
    current = vault.open(session, dest.signing_secret, table="alert_destination", row_id=dest.id, column="signing_secret")
    dest.previous_secret = vault.seal(session, current, table="alert_destination", row_id=dest.id,
                                      column="previous_secret")
    dest.previous_secret_until = utcnow() + overlap
    secret = new_signing_secret()
    dest.signing_secret = vault.seal(session, secret, table="alert_destination", row_id=dest.id, column="signing_secret")
    session.add(dest)
    return secret


@dataclass(repr=False)
class OpenedDestination:
    """What one attempt needs, secrets opened. No repr: a traceback never prints them."""

    id: str
    name: str
    kind: DestinationKind
    url: str = ""  # a webhook's or Slack's URL, or smtp://host:port
    signing_secrets: list[str] = field(default_factory=list)  # the current first
    recipients: list[str] = field(default_factory=list)
    mail_from: str = ""


def opened(session: Session, vault: Vault, dest: AlertDestination) -> OpenedDestination:
    out = OpenedDestination(id=dest.id, name=dest.name, kind=DestinationKind(dest.kind))
    where = dict(table="alert_destination", row_id=dest.id)
    if dest.kind == DestinationKind.WEBHOOK:
        out.url = dest.target
        out.signing_secrets = [vault.open(session, dest.signing_secret, column="signing_secret", **where)]
        if dest.previous_secret and dest.previous_secret_until and dest.previous_secret_until > utcnow():
            out.signing_secrets.append(vault.open(session, dest.previous_secret, column="previous_secret", **where))
    elif dest.kind == DestinationKind.SLACK:
        out.url = vault.open(session, dest.url, column="url", **where)
    else:
        out.url, out.recipients, out.mail_from = dest.url, dest.target.split(", "), dest.mail_from or ""
    logs.register_secret(*out.signing_secrets, out.url if dest.kind == DestinationKind.SLACK else None)
    return out


def test_event(dest: AlertDestination) -> EventEnvelope:
    """A sample event for `alerts test`: sent at once, never stored in the outbox."""
    data = AlertTest(destination=_ref(dest))
    return EventEnvelope(id=new_id("evt"), type=data.type, timestamp=utcnow(), workspace_id=dest.workspace_id,
                         severity=Severity.LOW, data=data)


def wants(dest: AlertDestination, event: Event) -> bool:
    """The destination's filters: event types, partner, minimum severity. An event about a destination
    is never sent to that destination."""
    if event.type in ABOUT_DESTINATIONS and (event.data.get("destination") or {}).get("id") == dest.id:
        return False
    if dest.event_types and event.type not in dest.event_types:
        return False
    if dest.partner_id and event.partner_id != dest.partner_id:
        return False
    return SEVERITY_ORDER[Severity(event.severity)] >= SEVERITY_ORDER[Severity(dest.min_severity)]


# --- the relay's side: events into deliveries ---------------------------------------------------

def dispatch(session: Session, limit: int = 200) -> int:
    """Turns events not yet dispatched into one delivery per destination that wants each; returns how
    many events it handled. Two relays at once never make two deliveries of one event to one
    destination (the dedupe key is unique; PostgreSQL skips rows another relay holds)."""
    query = select(Event).where(Event.dispatched_at.is_(None)).order_by(Event.occurred_at, Event.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = list(session.exec(query))
    destinations: dict[str, list[AlertDestination]] = {}
    for event in found:
        if event.workspace_id not in destinations:
            destinations[event.workspace_id] = [d for d in list_for(session, event.workspace_id) if d.enabled]
        for dest in destinations[event.workspace_id]:
            if wants(dest, event):
                session.add(Delivery(workspace_id=event.workspace_id, event_id=event.id, destination_id=dest.id,
                                     dedupe_key=f"{event.id}:{dest.id}", status=DeliveryStatus.PENDING))
        event.dispatched_at = utcnow()
        session.add(event)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("another relay dispatched these events at the same time") from None
    return len(found)


def unstarted(session: Session, limit: int = 200) -> list[tuple[str, str]]:
    """(delivery id, workspace id) of deliveries whose workflow was not started yet (new, or a start
    lost to a crash)."""
    return [tuple(row) for row in session.exec(
        select(Delivery.id, Delivery.workspace_id).where(Delivery.started_at.is_(None),
                                                         Delivery.status == DeliveryStatus.PENDING)
        .order_by(Delivery.created_at).limit(limit))]


def mark_started(session: Session, delivery_ids: list[str]) -> None:
    for delivery in session.exec(select(Delivery).where(Delivery.id.in_(delivery_ids))):
        delivery.started_at = delivery.started_at or utcnow()
        session.add(delivery)


def replay(session: Session, workspace_id: str, delivery_id: str) -> Delivery:
    """The same event to the same destination again, as a new delivery (its own workflow and attempts)."""
    original = get_delivery(session, workspace_id, delivery_id)
    dest = session.get(AlertDestination, original.destination_id)
    if dest is None or dest.removed_at is not None:
        raise Invalid(f"delivery {delivery_id}'s destination was removed")
    if not dest.enabled:
        raise Invalid(f"destination '{dest.name}' is disabled ({dest.disabled_reason}); "
                      f"`partnerwatch alerts enable {dest.name}` first")
    copy_id = new_id("dlv")
    delivery = Delivery(id=copy_id, workspace_id=workspace_id, event_id=original.event_id,
                        destination_id=original.destination_id, dedupe_key=f"replay:{copy_id}",
                        replay_of=original.replay_of or original.id, status=DeliveryStatus.PENDING)
    session.add(delivery)
    session.flush()
    return delivery


def get_delivery(session: Session, workspace_id: str, delivery_id: str) -> Delivery:
    delivery = session.get(Delivery, delivery_id.strip())
    if delivery is None or delivery.workspace_id != workspace_id:
        raise NotFound(f"no delivery '{delivery_id}' in this workspace (see `partnerwatch alerts deliveries`)")
    return delivery


# --- one attempt --------------------------------------------------------------------------------

@dataclass
class AttemptPlan:
    """What an attempt should do: send (destination and event given), or nothing (`done` says why)."""

    done: DeliveryStatus | None = None
    previous: DeliveryAttempt | None = None  # this attempt was made already (an activity retried)
    destination: OpenedDestination | None = None
    event: EventEnvelope | None = None


def plan_attempt(session: Session, vault: Vault, delivery_id: str, number: int) -> AttemptPlan:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} is not in the store")
    previous = session.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id,
                                                          DeliveryAttempt.number == number)).first()
    if previous is not None or delivery.status in FINISHED:
        return AttemptPlan(done=DeliveryStatus(delivery.status), previous=previous)
    dest = session.get(AlertDestination, delivery.destination_id)
    if dest is None or not dest.enabled:
        delivery.status, delivery.finished_at = DeliveryStatus.CANCELLED, utcnow()
        delivery.last_detail = f"destination {dest.disabled_reason if dest else 'removed'}"
        session.add(delivery)
        return AttemptPlan(done=DeliveryStatus.CANCELLED)
    event = session.get(Event, delivery.event_id)
    return AttemptPlan(destination=opened(session, vault, dest), event=envelope(event))


@dataclass
class AttemptRecord:
    outcome: AttemptOutcome
    duration_ms: int
    status_code: int | None = None
    retry_after_s: float | None = None
    detail: str = ""


def record_attempt(session: Session, delivery_id: str, number: int, attempt: AttemptRecord,
                   now: datetime | None = None) -> DeliveryStatus:
    """Logs one attempt and what it means: delivered; or its destination's health (a 410 disables it at
    once, failures for FAILING_DISABLES_AFTER disable it too). Returns the delivery's status after it."""
    now = now or utcnow()
    delivery = session.get(Delivery, delivery_id)
    dest = session.get(AlertDestination, delivery.destination_id)
    session.add(DeliveryAttempt(delivery_id=delivery_id, number=number, at=now, duration_ms=attempt.duration_ms,
                                outcome=attempt.outcome, status_code=attempt.status_code,
                                retry_after_s=attempt.retry_after_s, detail=attempt.detail[:300]))
    delivery.attempts = max(delivery.attempts, number)
    delivery.last_status_code, delivery.last_detail = attempt.status_code, attempt.detail[:300]
    if attempt.outcome == AttemptOutcome.DELIVERED:
        delivery.status, delivery.finished_at = DeliveryStatus.DELIVERED, now
        dest.failing_since = None
    else:
        dest.failing_since = dest.failing_since or now
        failing_for = now - dest.failing_since
        if attempt.outcome == AttemptOutcome.GONE:
            _disable(session, dest, "it answered 410 Gone")
        elif failing_for >= FAILING_DISABLES_AFTER:
            _disable(session, dest, f"it failed every attempt for {failing_for.days} days")
        if not dest.enabled:
            delivery.status, delivery.finished_at = DeliveryStatus.CANCELLED, now
    session.add_all([delivery, dest])
    session.flush()
    return DeliveryStatus(delivery.status)


def _disable(session: Session, dest: AlertDestination, reason: str) -> None:
    dest.enabled, dest.disabled_reason = False, reason
    session.add(dest)
    record(session, dest.workspace_id, DestinationDisabled(destination=_ref(dest), reason=reason))


def _ref(dest: AlertDestination) -> DestinationRef:
    return DestinationRef(id=dest.id, name=dest.name, kind=dest.kind)


def exhaust(session: Session, delivery_id: str) -> DeliveryStatus:
    """Every attempt failed: the delivery ends, and an event of its own says so (to the other destinations)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery.status in FINISHED:
        return DeliveryStatus(delivery.status)
    delivery.status, delivery.finished_at = DeliveryStatus.EXHAUSTED, utcnow()
    session.add(delivery)
    dest = session.get(AlertDestination, delivery.destination_id)
    event = session.get(Event, delivery.event_id)
    data = EVENT_DATA.validate_python(event.data)
    record(session, delivery.workspace_id, DeliveryExhausted(
        destination=_ref(dest), delivery_id=delivery.id, event_id=event.id, event_type=event.type,
        attempts=delivery.attempts, last_error=delivery.last_detail or "", partner=getattr(data, "partner", None)))
    return DeliveryStatus.EXHAUSTED


# --- the delivery log ---------------------------------------------------------------------------

@dataclass
class LoggedAttempt:
    delivery: Delivery
    destination: AlertDestination
    event: Event
    attempt: DeliveryAttempt | None  # None: not tried yet


def delivery_log(session: Session, workspace_id: str, destination_id: str | None = None, event_id: str | None = None,
                 delivery_id: str | None = None, limit: int = 100) -> list[LoggedAttempt]:
    """Each attempt, newest first; a delivery not tried yet shows once with no attempt."""
    query = (select(Delivery, AlertDestination, Event, DeliveryAttempt)
             .join(AlertDestination, AlertDestination.id == Delivery.destination_id)
             .join(Event, Event.id == Delivery.event_id)
             .outerjoin(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
             .where(Delivery.workspace_id == workspace_id))
    if destination_id:
        query = query.where(Delivery.destination_id == destination_id)
    if event_id:
        query = query.where(Delivery.event_id == event_id)
    if delivery_id:
        query = query.where(Delivery.id == delivery_id)
    query = query.order_by(Delivery.created_at.desc(), Delivery.id, DeliveryAttempt.number.desc()).limit(limit)
    return [LoggedAttempt(*row) for row in session.exec(query)]


# --- health, for `partnerwatch doctor` -----------------------------------------------------------

# An event the relay has not taken for this long means no worker relays for this store.
RELAY_LATE = timedelta(minutes=2)


@dataclass
class Health:
    destinations: int
    disabled: list[str]  # "name: reason"
    waiting_events: int  # not dispatched for longer than RELAY_LATE
    pending: int
    exhausted_last_week: int


def health(session: Session, now: datetime | None = None) -> Health:
    now = now or utcnow()
    live = list(session.exec(select(AlertDestination).where(AlertDestination.removed_at.is_(None))))
    return Health(
        destinations=len(live),
        disabled=[f"{d.name}: {d.disabled_reason}" for d in live if not d.enabled],
        waiting_events=session.scalar(select(func.count()).select_from(Event).where(
            Event.dispatched_at.is_(None), Event.occurred_at < now - RELAY_LATE)),
        pending=session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status == DeliveryStatus.PENDING)),
        exhausted_last_week=session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status == DeliveryStatus.EXHAUSTED, Delivery.finished_at > now - timedelta(days=7))))
