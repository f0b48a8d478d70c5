"""Alerts in the console, for the API and the pages alike: destinations (added, tested, enabled,
removed, their webhook secret rotated), the delivery log paged by delivery with its attempts, replays,
the events themselves, and the daily check schedules."""

from __future__ import annotations

from datetime import timedelta

from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session, select

from alerting.senders import send
from control.schedules import schedule_of, schedules_of
from models import alerts, audit, paging, partners
from models.alerts import DestinationKind, Filters
from models.changes import Severity
from models.errors import Invalid
from models.events import EventType
from models.tables import AlertDestination, Delivery, DeliveryAttempt, Event
from web import cursor
from web.auth import Principal
from web.queries import Listed
from web.schemas import (AttemptOut, DeliveryOut, DestinationOut, DestinationRequest, EventOut, ScheduleOut,
                         SecretRotated, TestSent)
from web.state import ConsoleState


def _out(dest: AlertDestination, business_of: dict[str, str]) -> DestinationOut:
    return DestinationOut(id=dest.id, name=dest.name, kind=dest.kind, target=dest.target,
                          event_types=list(dest.event_types), partner=business_of.get(dest.partner_id or ""),
                          min_severity=dest.min_severity, enabled=dest.enabled, disabled_reason=dest.disabled_reason,
                          failing_since=dest.failing_since,
                          rotating_until=dest.previous_secret_until if dest.previous_secret else None)


def _business_of(session: Session, workspace_id: str) -> dict[str, str]:
    return {p.id: p.business_id for p in partners.list_for(session, workspace_id)}


def list_destinations(console: ConsoleState, principal: Principal) -> list[DestinationOut]:
    with console.store() as session:
        business_of = _business_of(session, principal.workspace_id)
        return [_out(d, business_of) for d in alerts.list_for(session, principal.workspace_id)]


def add(console: ConsoleState, principal: Principal, body: DestinationRequest) -> tuple[DestinationOut, str | None]:
    try:
        types = [EventType(t) for t in body.event_types]
    except ValueError as wrong:
        raise Invalid(f"{wrong}; event types are {', '.join(t.value for t in EventType)}") from None
    vault = console.vault()
    with console.store() as session:
        partner_id = partners.resolve(session, principal.workspace_id, body.partner).id if body.partner else None
        dest, secret = alerts.add(session, vault, principal.workspace_id, body.name, DestinationKind(body.kind),
                                  url=body.url.get_secret_value() if body.url else None, to=body.to, smtp=body.smtp,
                                  mail_from=body.mail_from,
                                  filters=Filters(event_types=types, partner_id=partner_id,
                                                  min_severity=Severity(body.min_severity)))
        audit.record(session, principal.workspace_id, "alerts.add", target=dest.name, by=principal.actor,
                     details={"kind": dest.kind, "destination_id": dest.id})
        return _out(dest, _business_of(session, principal.workspace_id)), secret


def remove(console: ConsoleState, principal: Principal, name: str) -> None:
    with console.store() as session:
        dest = alerts.get(session, principal.workspace_id, name)
        alerts.remove(session, dest)
        audit.record(session, principal.workspace_id, "alerts.remove", target=dest.name, by=principal.actor,
                     details={"destination_id": dest.id})


def enable(console: ConsoleState, principal: Principal, name: str) -> DestinationOut:
    with console.store() as session:
        dest = alerts.get(session, principal.workspace_id, name)
        alerts.enable(session, dest)
        audit.record(session, principal.workspace_id, "alerts.enable", target=dest.name, by=principal.actor,
                     details={"destination_id": dest.id})
        return _out(dest, _business_of(session, principal.workspace_id))


def rotate(console: ConsoleState, principal: Principal, name: str, overlap_s: float) -> SecretRotated:
    vault = console.vault()
    with console.store() as session:
        dest = alerts.get(session, principal.workspace_id, name)
        secret = alerts.rotate_secret(session, vault, dest, timedelta(seconds=overlap_s))
        audit.record(session, principal.workspace_id, "alerts.rotate_secret", target=dest.name, by=principal.actor,
                     details={"destination_id": dest.id, "overlap_s": overlap_s})
        return SecretRotated(signing_secret=secret, previous_until=dest.previous_secret_until)


async def test(console: ConsoleState, principal: Principal, name: str) -> TestSent:
    """An `alert.test` event sent once, now (nothing stored or retried), and how the receiver answered."""
    vault = console.vault()

    def opened():
        with console.store() as session:
            dest = alerts.get(session, principal.workspace_id, name)
            return alerts.opened(session, vault, dest), alerts.test_event(dest)

    target, event = await run_in_threadpool(opened)
    attempt = await run_in_threadpool(send, target, event)
    return TestSent(outcome=attempt.outcome, status_code=attempt.status_code, duration_ms=attempt.duration_ms,
                    detail=attempt.detail)


def deliveries(console: ConsoleState, principal: Principal, *, destination: str | None = None,
               event_id: str | None = None, after: str | None = None, limit: int = 50) -> Listed:
    """Deliveries, newest first, each with its attempts (newest first)."""
    with console.store() as session:
        names = {d.id: d for d in session.exec(select(AlertDestination).where(
            AlertDestination.workspace_id == principal.workspace_id))}
        query = select(Delivery).where(Delivery.workspace_id == principal.workspace_id)
        if destination:
            query = query.where(Delivery.destination_id == alerts.get(session, principal.workspace_id, destination).id)
        if event_id:
            query = query.where(Delivery.event_id == event_id)
        order, sort = paging.Order((Delivery.created_at, Delivery.id), descending=True), "-created_at"
        rows, last = paging.page(session, query, order, cursor.decode(sort, after), limit)
        ids = [d.id for d in rows]
        attempts: dict[str, list[AttemptOut]] = {i: [] for i in ids}
        for a in session.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids))
                              .order_by(DeliveryAttempt.number.desc())):
            attempts[a.delivery_id].append(AttemptOut(number=a.number, at=a.at, outcome=a.outcome,
                                                      status_code=a.status_code, duration_ms=a.duration_ms,
                                                      detail=a.detail))
        types = {e.id: e.type for e in session.exec(select(Event).where(Event.id.in_([d.event_id for d in rows])))}
        items = [DeliveryOut(id=d.id, destination=names[d.destination_id].name, kind=names[d.destination_id].kind,
                             event_id=d.event_id, event_type=types.get(d.event_id, ""), status=d.status,
                             replay_of=d.replay_of, created_at=d.created_at, attempts=attempts[d.id]) for d in rows]
        return Listed(items, cursor.encode(sort, last))


def replay(console: ConsoleState, principal: Principal, delivery_id: str) -> str:
    """A new delivery of the same event to the same destination; the worker's relay starts it."""
    with console.store() as session:
        copy = alerts.replay(session, principal.workspace_id, delivery_id)
        audit.record(session, principal.workspace_id, "alerts.replay", target=delivery_id, by=principal.actor,
                     details={"delivery_id": copy.id})
        return copy.id


def list_events(console: ConsoleState, principal: Principal, *, business_id: str | None = None,
                event_type: str | None = None, after: str | None = None, limit: int = 50) -> Listed:
    with console.store() as session:
        business_of = _business_of(session, principal.workspace_id)
        query = select(Event).where(Event.workspace_id == principal.workspace_id)
        if business_id:
            query = query.where(Event.partner_id == partners.resolve(session, principal.workspace_id, business_id).id)
        if event_type:
            query = query.where(Event.type == event_type)
        order, sort = paging.Order((Event.occurred_at, Event.id), descending=True), "-occurred_at"
        rows, last = paging.page(session, query, order, cursor.decode(sort, after), limit)
        return Listed([EventOut(id=e.id, type=e.type, severity=e.severity, partner=business_of.get(e.partner_id or ""),
                                occurred_at=e.occurred_at, data=e.data) for e in rows], cursor.encode(sort, last))


async def schedules(console: ConsoleState, principal: Principal) -> list[ScheduleOut]:
    def known():
        with console.store() as session:
            return partners.list_for(session, principal.workspace_id)

    found = await schedules_of(await console.temporal(), await run_in_threadpool(known))
    return sorted((ScheduleOut(schedule_id=s.schedule_id, partner=s.partner.business_id, name=s.partner.name,
                               paused=s.paused, next_run=s.next_run, last_run=s.last_run) for s in found),
                  key=lambda s: s.name)


async def act_on_schedule(console: ConsoleState, principal: Principal, business_id: str, action: str) -> None:
    """pause, resume or trigger a partner's daily check schedule."""
    def find():
        with console.store() as session:
            return partners.resolve(session, principal.workspace_id, business_id)

    partner = await run_in_threadpool(find)
    handle = await schedule_of(await console.temporal(), partner)
    if action == "pause":
        await handle.pause(note=f"paused by {principal.actor}")
    elif action == "resume":
        await handle.unpause(note=f"resumed by {principal.actor}")
    else:
        await handle.trigger()

    def record():
        with console.store() as session:
            audit.record(session, principal.workspace_id, f"schedule.{action}", target=partner.business_id,
                         by=principal.actor)

    await run_in_threadpool(record)
